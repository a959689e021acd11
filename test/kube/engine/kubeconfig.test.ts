// The controller's own connection to the API server (src/engine/kubeconfig.ts, no
// @kubernetes/client-node at run time): what each kind of kubeconfig user sends, against a
// recording API-server double; exec credential plugins run as processes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig as ClientNodeKubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/engine/kube.ts';
import { KubeConfig } from '../../../src/engine/kubeconfig.ts';
import { kubeconfigDoc } from '../../support/kubeconfig.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** An API server double that records each request's headers and answers `status` (default 200). */
async function apiServer(
  status: () => number = () => 200,
): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const s = createServer((req, res) => {
    seen.push(req.headers);
    const code = status();
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [], code }));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = s.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}`, seen };
}

describe('KubeConnection', () => {
  it("takes over client-node's KubeConfig (tests and imctl demo hold one)", async () => {
    const api = await apiServer();
    const theirs = new ClientNodeKubeConfig();
    theirs.loadFromString(kubeconfigDoc(api.url, { token: 'from-client-node' }));
    await new KubeClient(theirs).request('GET', '/api/v1/namespaces');
    expect(api.seen[0]?.authorization).toBe('Bearer from-client-node');
  });

  it('sends a request again on a new connection when the pooled one was closed by the server', async () => {
    // The second request on a kept-alive connection finds it closed (as a server or load balancer
    // ends idle ones): no answer was given, so it goes again once on a new connection.
    const served = new WeakSet<object>();
    let closedUnanswered = 0;
    const s = createServer((req, res) => {
      if (served.has(req.socket)) {
        closedUnanswered++;
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const kc = new KubeConfig();
    kc.loadFromString(
      kubeconfigDoc(`http://127.0.0.1:${(s.address() as { port: number }).port}`, { token: 't' }),
    );
    const client = new KubeClient(kc);
    await client.request('GET', '/api/v1/namespaces');
    await expect(client.request('GET', '/api/v1/namespaces')).resolves.toMatchObject({ items: [] });
    expect(closedUnanswered).toBe(1);
  });

  it('sends the token, impersonation or basic auth the user names', async () => {
    const api = await apiServer();
    const client = (user: Record<string, unknown>) => {
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfigDoc(api.url, user));
      return new KubeClient(kc);
    };
    await client({ token: 'abc', as: 'system:serviceaccount:x:y' }).request('GET', '/api');
    await client({ username: 'admin', password: 'pw' }).request('GET', '/api');
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    writeFileSync(join(dir, 'token'), 'from-file\n');
    await client({ tokenFile: join(dir, 'token') }).request('GET', '/api');
    expect(api.seen.map((h) => [h.authorization, h['impersonate-user']])).toEqual([
      ['Bearer abc', 'system:serviceaccount:x:y'],
      [`Basic ${Buffer.from('admin:pw').toString('base64')}`, undefined],
      ['Bearer from-file', undefined],
    ]);
  });

  it('runs an exec credential plugin once while its token is valid, and again after the server refuses it', async () => {
    let refuse = false;
    const api = await apiServer(() => (refuse ? 401 : 200));
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    const counter = join(dir, 'runs');
    writeFileSync(counter, '');
    // The plugin counts its runs in a file and answers a token named after the run.
    const plugin = join(dir, 'plugin.mjs');
    writeFileSync(
      plugin,
      `import { appendFileSync, readFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(counter)}, 'x');
const n = readFileSync(${JSON.stringify(counter)}, 'utf8').length;
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential', status: {
  token: 'run-' + n + '-' + process.env.CLUSTER_NAME, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } }));`,
    );
    const kc = new KubeConfig();
    kc.loadFromString(
      kubeconfigDoc(api.url, {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: process.execPath,
          args: [plugin],
          env: [{ name: 'CLUSTER_NAME', value: 'prod' }],
        },
      }),
    );
    const client = new KubeClient(kc);
    await client.request('GET', '/api');
    await client.request('GET', '/api');
    refuse = true;
    await expect(client.request('GET', '/api')).rejects.toMatchObject({ errorClass: 'AccessDenied' });
    refuse = false;
    await client.request('GET', '/api');
    expect(api.seen.map((h) => h.authorization)).toEqual([
      'Bearer run-1-prod',
      'Bearer run-1-prod',
      'Bearer run-1-prod',
      'Bearer run-2-prod',
    ]);
  });
});
