// Graceful shutdown of `imctl controller` as Kubernetes does it (SIGTERM, then SIGKILL after the
// pod's grace period): a reconcile in flight is finished before the Lease is released and the
// process exits 0; one that outlasts --shutdown-grace makes the process exit 1 and keep the Lease,
// so the standby waits for it to expire instead of writing alongside a call still in flight.
// A loopback proxy in front of the AWS emulator tells when the STS AssumeRole is in flight; the
// emulator's latency fault holds it there.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCrds } from '../../../src/crds/registry.ts';
import { type RunningEmulator, startAwsEmulator } from '../../../src/emulators/aws/server.ts';
import { type KubeEmulator, startKubeEmulator } from '../../../src/emulators/kube/index.ts';
import { KubeClient, type ResourceType } from '../../../src/engine/kube.ts';

const ROOT = join(import.meta.dirname, '../../..');
const CRDS: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  namespaced: false,
};
const ACCOUNTS: ResourceType = {
  group: 'incidentmanager.gitops.dev',
  version: 'v1alpha1',
  plural: 'awsaccounts',
  namespaced: false,
};
const LEASES: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  namespaced: true,
};

let kube: KubeEmulator;
let aws: RunningEmulator;
let proxy: Server;
let proxyUrl: string;
let client: KubeClient;
let kubeconfig: string;
/** Resolvers waiting for the next AssumeRole to reach the proxy. */
let onAssumeRole: Array<() => void> = [];

beforeAll(async () => {
  kube = await startKubeEmulator({ port: 0 });
  aws = await startAwsEmulator({ port: 0, transitionMs: 0 });
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      if (/(?:^|&)Action=AssumeRole(?:&|$)/.test(body.toString()) || /\.AssumeRole$/.test(target))
        for (const w of onAssumeRole.splice(0)) w();
      const up = request(
        { host: '127.0.0.1', port: aws.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfigYaml);
  client = new KubeClient(kc);
  for (const crd of allCrds()) await client.create(CRDS, crd);
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'imctl-shutdown-')), 'kubeconfig');
  writeFileSync(kubeconfig, kube.kubeconfigYaml);
}, 60_000);

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((r) => proxy?.close(r));
  await kube?.stop();
  await aws?.stop();
});

function startController(identity: string, lease: string, grace: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      'src/cli/main.ts',
      'controller',
      '--identity',
      identity,
      '--lease-name',
      lease,
      '--shutdown-grace',
      grace,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        AWS_ENDPOINT_URL: proxyUrl,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'test',
        IMCTL_LISTEN: '127.0.0.1:0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: () => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const rec = JSON.parse(line) as Record<string, unknown>;
      lines.push(rec);
      for (const w of waiters.filter((x) => x.msg === rec.msg)) w.resolve();
    } catch {}
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitLog = (msg: string) =>
    new Promise<void>((resolve) => {
      if (lines.some((l) => l.msg === msg)) resolve();
      else waiters.push({ msg, resolve });
    });
  return { child, lines, exited, waitLog };
}

/** Creates an AWSAccount whose verification (STS AssumeRole) the emulator holds for `latencyMs`. */
async function reconcileInFlight(name: string, accountId: string, latencyMs: number): Promise<void> {
  aws.admin.store.iamRoles.set(`${accountId}:operator`, { externalId: 'ext' });
  aws.admin.setFaults({ 'sts:AssumeRole': { latencyMs } });
  const arrived = new Promise<void>((r) => onAssumeRole.push(r));
  await client.create(ACCOUNTS, {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'AWSAccount',
    metadata: { name },
    spec: {
      accountId,
      region: 'us-east-1',
      roleArn: `arn:aws:iam::${accountId}:role/operator`,
      externalId: 'ext',
    },
  });
  await arrived;
}

const holder = async (lease: string) =>
  (await client.get<{ spec: { holderIdentity?: string } }>(LEASES, lease, 'default')).spec.holderIdentity ??
  '';

describe('imctl controller on SIGTERM', () => {
  it('finishes the reconcile in flight, then releases the Lease and exits 0', async () => {
    onAssumeRole = [];
    const ctl = startController('grace-a', 'grace-finish', '60s');
    await ctl.waitLog('caches synced; starting workers');
    await reconcileInFlight('finishes', '333333333333', 1_500);
    ctl.child.kill('SIGTERM');
    expect(await ctl.exited).toBe(0);
    // The held reconcile ran to its end, status write included, before the process stopped.
    const acct = await client.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
      ACCOUNTS,
      'finishes',
    );
    expect(acct.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(await holder('grace-finish')).toBe('');
  });

  it('exits 1 past --shutdown-grace and keeps the Lease while a call may still be in flight', async () => {
    onAssumeRole = [];
    const ctl = startController('grace-b', 'grace-expire', '1s');
    await ctl.waitLog('caches synced; starting workers');
    await reconcileInFlight('outlasts', '444444444444', 30_000);
    ctl.child.kill('SIGTERM');
    expect(await ctl.exited).toBe(1);
    expect(ctl.lines.map((l) => l.msg)).toContain(
      'in-flight reconciles did not finish within the grace period',
    );
    expect(await holder('grace-expire')).toBe('grace-b');
    aws.admin.setFaults({});
  });
});
