// A production install, as the image builds it: a clean copy of what the Dockerfile COPYs
// (package.json, package-lock.json, bin/, src/) with `npm ci --omit=dev` from the lockfile, then
// `imctl controller` from that copy, run as UID 65532 with the copy read-only to it when the test
// runs as root (as the container does), against the Kubernetes and AWS emulators. It serves
// /healthz and /readyz, holds the leader Lease, reconciles, and on SIGTERM exits 0 with the Lease
// released. The npm ci is the cost of this file (its wall time is logged).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCrds } from '../../../src/crds/registry.ts';
import { type RunningEmulator, startAwsEmulator } from '../../../src/emulators/aws/server.ts';
import { type KubeEmulator, startKubeEmulator } from '../../../src/emulators/kube/index.ts';
import { KubeClient, type ResourceType } from '../../../src/engine/kube.ts';

const ROOT = join(import.meta.dirname, '../../..');
const NONROOT = 65532; // the distroless nonroot user the image runs as
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

interface Lease {
  spec: { holderIdentity?: string; leaseTransitions?: number };
}

let work: string;
let app: string;
let kube: KubeEmulator;
let aws: RunningEmulator;
let client: KubeClient;
let kubeconfig: string;
let npmMs = 0;
const asNonRoot = process.getuid?.() === 0;

beforeAll(async () => {
  const start = performance.now();
  work = mkdtempSync(join(tmpdir(), 'imctl-production-'));
  chmodSync(work, 0o755);
  app = join(work, 'app');
  mkdirSync(app);
  for (const p of ['package.json', 'package-lock.json', 'bin', 'src'])
    cpSync(join(ROOT, p), join(app, p), { recursive: true });
  // The emulators start while npm installs (the install is this file's cost).
  const emulators = (async () => {
    kube = await startKubeEmulator({ port: 0 });
    aws = await startAwsEmulator({ port: 0, transitionMs: 0 });
    const kc = new KubeConfig();
    kc.loadFromString(kube.kubeconfigYaml);
    client = new KubeClient(kc);
    for (const crd of allCrds()) await client.create(CRDS, crd);
    return performance.now() - start;
  })();
  const t0 = performance.now();
  // npm from PATH runs on the project's Node 24 (node_modules/.bin first); the cache makes it offline.
  await promisify(execFile)(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
    { cwd: app, env: { ...process.env, npm_config_loglevel: 'error' } },
  );
  npmMs = performance.now() - t0;
  const emulatorsMs = await emulators;
  console.info(
    `copy ${((t0 - start) / 1000).toFixed(1)} s, npm ci --omit=dev ${(npmMs / 1000).toFixed(1)} s, ` +
      `emulators + CRDs ready after ${(emulatorsMs / 1000).toFixed(1)} s`,
  );
  kubeconfig = join(work, 'kubeconfig');
  writeFileSync(kubeconfig, kube.kubeconfigYaml, { mode: 0o644 });
}, 300_000); // npm ci on two shared cores: a guard against a hang, not a target

afterAll(async () => {
  await kube?.stop();
  await aws?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function startController(identity: string) {
  const tmp = join(work, 'tmp'); // the emptyDir the chart mounts on /tmp
  mkdirSync(tmp, { recursive: true });
  chmodSync(tmp, 0o1777);
  const child: ChildProcess = spawn(
    process.execPath,
    ['src/cli/main.ts', 'controller', '--identity', identity, '--lease-name', 'production-test'],
    {
      cwd: app,
      // Only what a pod has: no dev dependencies, no HOME to write to, TMPDIR the one writable dir.
      env: {
        PATH: '/usr/bin:/bin',
        HOME: '/nonexistent',
        TMPDIR: tmp,
        NODE_ENV: 'production',
        KUBECONFIG: kubeconfig,
        AWS_ENDPOINT_URL: aws.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'test',
        IMCTL_LISTEN: '127.0.0.1:0',
        POD_NAMESPACE: 'default',
      },
      ...(asNonRoot ? { uid: NONROOT, gid: NONROOT } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: (l: Record<string, unknown>) => void }> = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    lines.push(rec);
    for (const w of waiters.filter((x) => x.msg === rec.msg)) w.resolve(rec);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitLog = (msg: string) =>
    Promise.race([
      new Promise<Record<string, unknown>>((resolve) => {
        const seen = lines.find((l) => l.msg === msg);
        if (seen) resolve(seen);
        else waiters.push({ msg, resolve });
      }),
      exited.then((code) => {
        throw new Error(`controller exited (${code}) before "${msg}":\n${stderr}`);
      }),
    ]);
  return { child, lines, exited, waitLog, stderr: () => stderr };
}

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('production install (npm ci --omit=dev)', () => {
  it('installs no dev dependency', () => {
    expect(existsSync(join(app, 'node_modules/commander'))).toBe(true);
    for (const dev of ['vitest', 'typescript', '@biomejs/biome', 'node'])
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
  });

  it('runs imctl controller: health, readiness, the Lease, a reconcile, and a clean SIGTERM that releases the Lease', async () => {
    aws.admin.store.iamRoles.set('222222222222:incident-manager-operator', { externalId: 'ext-prod' });
    const ctl = startController('production-a');
    const url = String((await ctl.waitLog('serving /healthz, /readyz and /metrics')).url);
    await ctl.waitLog('became leader');
    await ctl.waitLog('caches synced; starting workers');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await waitFor(
      'readyz',
      async () => (await fetch(`${url}/readyz`)).status,
      (s) => s === 200,
    );
    const held = await client.get<Lease>(LEASES, 'production-test', 'default');
    expect(held.spec.holderIdentity).toBe('production-a');

    // A reconcile through the production dependency set (STS AssumeRole with an external id).
    await client.create(ACCOUNTS, {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'AWSAccount',
      metadata: { name: 'member' },
      spec: {
        accountId: '222222222222',
        region: 'us-east-1',
        roleArn: 'arn:aws:iam::222222222222:role/incident-manager-operator',
        externalId: 'ext-prod',
      },
    });
    await waitFor(
      'AWSAccount Ready',
      () =>
        client.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(ACCOUNTS, 'member'),
      (o) => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    );

    ctl.child.kill('SIGTERM');
    expect(await ctl.exited).toBe(0);
    expect(ctl.lines.map((l) => l.msg)).toContain('stopped');
    const released = await client.get<Lease>(LEASES, 'production-test', 'default');
    expect(released.spec.holderIdentity ?? '').toBe('');
    expect(ctl.stderr()).toBe('');
  });
});
