// `imctl controller` as a process against both emulators: only the standard environment
// (KUBECONFIG, AWS_ENDPOINT_URL, AWS_REGION, credentials) points it there. Checks /healthz,
// /readyz and /metrics, an AWSAccount verified through STS AssumeRole with an external id, leader
// hand-over between two processes, and a clean exit on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCrds } from '../../../src/crds/registry.ts';
import { type RunningEmulator, startAwsEmulator } from '../../../src/emulators/aws/server.ts';
import { type KubeEmulator, startKubeEmulator } from '../../../src/emulators/kube/index.ts';
import type { ManagedObject } from '../../../src/engine/contract.ts';
import { KubeClient, type ResourceType } from '../../../src/engine/kube.ts';
import { waitForObject } from '../../support/wait.ts';

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
let client: KubeClient;
let kc: KubeConfig;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  kube = await startKubeEmulator({ port: 0 });
  aws = await startAwsEmulator({ port: 0, transitionMs: 0 });
  kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfigYaml);
  client = new KubeClient(kc);
  for (const crd of allCrds()) await client.create(CRDS, crd);
  const dir = mkdtempSync(join(tmpdir(), 'imctl-controller-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kube.kubeconfigYaml);
  env = {
    ...process.env,
    KUBECONFIG: kubeconfig,
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'test',
    IMCTL_LISTEN: '127.0.0.1:0',
  };
}, 60_000); // emulator start and CRD install can take long on a loaded machine (a guard, not a wait)

afterAll(async () => {
  await kube?.stop();
  await aws?.stop();
});

interface Proc {
  child: ChildProcess;
  url: Promise<string>;
  lines: Array<Record<string, unknown>>;
  waitLog(msg: string): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function startProcess(identity: string): Proc {
  const child = spawn(
    process.execPath,
    ['src/cli/main.ts', 'controller', '--identity', identity, '--lease-name', 'proc-test'],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: (l: Record<string, unknown>) => void }> = [];
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
  // Rejects after a minute (a guard against a hung test), naming the line and what was logged.
  const waitLog = (msg: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => {
        const last = lines.slice(-5).map((l) => l.msg);
        reject(new Error(`${identity}: no log line "${msg}" within 60 s; last: ${JSON.stringify(last)}`));
      }, 60_000);
      waiters.push({
        msg,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    waitLog,
    exited,
    url: waitLog('serving /healthz, /readyz and /metrics').then((l) => String(l.url)),
  };
}

function waitForAccount(
  name: string,
  pred: (o: ManagedObject | undefined) => boolean,
): Promise<ManagedObject | undefined> {
  return waitForObject<ManagedObject>({ kc, client, type: ACCOUNTS, name, pred });
}

describe('imctl controller process', () => {
  it('serves health, readiness and metrics, verifies an AWSAccount, hands over leadership, and exits cleanly', async () => {
    aws.admin.store.iamRoles.set('111111111111:incident-manager-operator', { externalId: 'ext-1' });
    const a = startProcess('replica-a');
    const urlA = await a.url;
    await a.waitLog('became leader');
    await a.waitLog('caches synced; starting workers');
    expect((await fetch(`${urlA}/healthz`)).status).toBe(200);
    expect((await fetch(`${urlA}/readyz`)).status).toBe(200);

    await client.create(ACCOUNTS, {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'AWSAccount',
      metadata: { name: 'prod' },
      spec: {
        accountId: '111111111111',
        region: 'us-east-1',
        roleArn: 'arn:aws:iam::111111111111:role/incident-manager-operator',
        externalId: 'ext-1',
      },
    });
    const acct = await waitForAccount(
      'prod',
      (o) => o?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
    );
    expect((acct?.status as { callerArn?: string } | undefined)?.callerArn).toBe(
      'arn:aws:sts::111111111111:assumed-role/incident-manager-operator/incident-manager-operator',
    );
    const metrics = await (await fetch(`${urlA}/metrics`)).text();
    expect(metrics).toContain('imctl_reconciles_total{kind="AWSAccount",result="synced"}');
    expect(metrics).toContain(
      'imctl_aws_calls_total{service="sts",operation="AssumeRole",outcome="success"} 1',
    );

    const b = startProcess('replica-b');
    const urlB = await b.url;
    expect((await fetch(`${urlB}/readyz`)).status).toBe(200); // a standby is ready to take over
    expect(b.lines.some((l) => l.msg === 'became leader')).toBe(false);

    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    await b.waitLog('became leader'); // released Lease: no wait for the 15 s expiry
    const lease = await client.get<{ spec: { holderIdentity: string; leaseTransitions: number } }>(
      LEASES,
      'proc-test',
      'default',
    );
    expect(lease.spec.holderIdentity).toBe('replica-b');
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });
});
