// A real Kubernetes control plane on loopback: etcd + kube-apiserver (+ kube-controller-manager
// when namespace deletion or garbage collection is needed), started from envtest assets
// (KUBEBUILDER_ASSETS: a folder holding the three binaries, as `setup-envtest use 1.32 -p path`
// prints). Backs the cluster test tier and `imctl demo --kube real`. Everything lives in one
// temporary folder and is stopped by pid; nothing is left behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const ASSETS_HINT =
  'KUBEBUILDER_ASSETS is not set: it must name a folder with etcd, kube-apiserver and kube-controller-manager ' +
  '(here: export KUBEBUILDER_ASSETS=$(../shared/envtest/unpack.sh); elsewhere: ' +
  'export KUBEBUILDER_ASSETS=$(setup-envtest use 1.32 -p path), from sigs.k8s.io/controller-runtime/tools/setup-envtest)';

export interface ControlPlaneOptions {
  /** Folder with the binaries; default: $KUBEBUILDER_ASSETS. */
  assets?: string;
  /** Also run kube-controller-manager (namespace deletion, garbage collection). */
  controllerManager?: boolean;
  /** How long to wait for each component to become ready. Default 60 s (2 loaded cores). */
  startTimeoutMs?: number;
  /**
   * An audit policy (audit.k8s.io/v1 Policy as an object): kube-apiserver then writes its audit log
   * as JSON lines to `auditLogPath` (e.g. to see which verbs a ServiceAccount really uses).
   */
  auditPolicy?: Record<string, unknown>;
  /** Receives the components' output (for debugging a failed start); default: kept in memory. */
  onOutput?: (component: string, line: string) => void;
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT of kube-apiserver. */
  url: string;
  /** A kubeconfig for an admin (system:masters) user; the serving certificate is self-signed. */
  kubeconfigYaml: string;
  /** The same kubeconfig written to a file, for kubectl and child processes. */
  kubeconfigPath: string;
  /** Bearer token of the admin user. */
  token: string;
  /** The temporary folder holding data, keys and logs (removed by stop). */
  dir: string;
  /** The audit log (JSON lines), when `auditPolicy` was given. */
  auditLogPath?: string;
  stop(): Promise<void>;
}

/** Resolves the assets folder or throws the one-line hint. */
export function envtestAssets(explicit?: string): string {
  const dir = explicit ?? process.env.KUBEBUILDER_ASSETS;
  if (!dir) throw new Error(ASSETS_HINT);
  for (const b of ['etcd', 'kube-apiserver']) {
    if (!existsSync(join(dir, b))) throw new Error(`KUBEBUILDER_ASSETS=${dir} has no ${b}. ${ASSETS_HINT}`);
  }
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// Children of every control plane of this process, killed if the process exits without stop().
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

export async function startControlPlane(o: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const assets = envtestAssets(o.assets);
  const timeout = o.startTimeoutMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'imctl-control-plane-'));
  const output: string[] = [];
  const onOutput =
    o.onOutput ??
    ((c: string, l: string) => output.push(`[${c}] ${l}`) && output.length > 400 && output.shift());
  const children: ChildProcess[] = [];

  const run = (name: string, args: string[]): ChildProcess => {
    const child = spawn(join(assets, name), args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    children.push(child);
    for (const s of [child.stdout, child.stderr]) {
      s?.setEncoding('utf8');
      s?.on('data', (d: string) => {
        for (const line of d.split('\n')) if (line) onOutput(name, line);
      });
    }
    return child;
  };

  const stop = async () => {
    // Reverse order: controller manager, API server, then etcd.
    for (const c of [...children].reverse()) await stopChild(c);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const [etcdPort, peerPort, apiPort, kcmPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = run('etcd', [
      '--name',
      'default',
      '--data-dir',
      join(dir, 'etcd'),
      '--listen-client-urls',
      etcdUrl,
      '--advertise-client-urls',
      etcdUrl,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `default=${peerUrl}`,
      '--unsafe-no-fsync',
    ]);
    await waitReady('etcd', etcd, timeout, async () =>
      (await get(`${etcdUrl}/health`)).includes('"health":"true"'),
    );

    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`, { mode: 0o600 });
    mkdirSync(join(dir, 'certs'));

    const url = `https://127.0.0.1:${apiPort}`;
    const auditLogPath = o.auditPolicy ? join(dir, 'audit.log') : undefined;
    if (o.auditPolicy) writeFileSync(join(dir, 'audit-policy.yaml'), stringify(o.auditPolicy));
    const api = run('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      // No --tls-cert-file: the server makes a self-signed serving certificate in --cert-dir.
      `--cert-dir=${join(dir, 'certs')}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      // The log backend writes each event before the request completes (blocking mode).
      ...(auditLogPath
        ? [`--audit-policy-file=${join(dir, 'audit-policy.yaml')}`, `--audit-log-path=${auditLogPath}`]
        : []),
    ]);
    await waitReady('kube-apiserver', api, timeout, async () => (await get(`${url}/readyz`, token)) === 'ok');

    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'envtest', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: 'envtest', context: { cluster: 'envtest', user: 'admin', namespace: 'default' } }],
      'current-context': 'envtest',
    };
    const kubeconfigYaml = stringify(kubeconfig);
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml, { mode: 0o600 });

    if (o.controllerManager) {
      mkdirSync(join(dir, 'kcm-certs'));
      const kcm = run('kube-controller-manager', [
        `--kubeconfig=${kubeconfigPath}`,
        '--controllers=namespace,garbagecollector',
        '--use-service-account-credentials=false',
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        `--cert-dir=${join(dir, 'kcm-certs')}`,
      ]);
      await waitReady(
        'kube-controller-manager',
        kcm,
        timeout,
        async () => (await get(`https://127.0.0.1:${kcmPort}/healthz`)) === 'ok',
      );
    }
    return {
      url,
      kubeconfigYaml,
      kubeconfigPath,
      token,
      dir,
      stop,
      ...(auditLogPath ? { auditLogPath } : {}),
    };
  } catch (e) {
    await stop();
    const tail = output.slice(-20).join('\n');
    throw new Error(`${(e as Error).message}${tail ? `\nlast output:\n${tail}` : ''}`);
  }
}

async function waitReady(
  name: string,
  child: ChildProcess,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `${name} exited (${signal ?? code}) before it was ready`;
  });
  for (;;) {
    if (exited) throw new Error(exited);
    try {
      if (await probe()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} was not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function get(url: string, token?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(
      url,
      {
        rejectUnauthorized: false,
        timeout: 2_000,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve(body));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(t);
}
