// The Argo CD health checks (deploy/argocd, generated from the reason catalogue) judged on live
// objects: the samples synced into the local stack with the controller running, then an update, a
// spec the controller has not seen yet, a terminal refusal and a retried AWS error. Every status the
// controller writes is recorded from one watch per kind opened before the first apply, so short
// states (Creating, Updating) are seen however quickly they pass.
// IMCTL_ARGOCD_CAPTURE=1 also writes what was seen to each kind's testdata/ and health_test.yaml
// (Argo CD's layout), which test/unit/deploy/argocd-health.test.ts replays without a stack.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateContactCommand } from '@aws-sdk/client-ssm-contacts';
import { CreateResponsePlanCommand } from '@aws-sdk/client-ssm-incidents';
import { Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CUSTOMIZATIONS_DIR } from '../../../src/argocd/health.ts';
import { readSamples } from '../../../src/cli/commands/demo.ts';
import { ROOT } from '../../../src/crds/generate.ts';
import { KINDS } from '../../../src/crds/registry.ts';
import { KubeClient } from '../../../src/engine/kube.ts';
import { isTerminalReason } from '../../../src/engine/reasons.ts';
import { createSamplePrerequisites } from '../../../src/local/sample-prerequisites.ts';
import { byWave } from '../../support/argocd.ts';
import { type HealthResult, runHealthCheck } from '../../support/lua.ts';
import { condition, type KubeObject, type Operator, startOperator, typeOf } from '../../support/operator.ts';

const NS = 'argocd-health';
const CAPTURE = process.env.IMCTL_ARGOCD_CAPTURE === '1';
const SAMPLES = 'config/samples';

let op: Operator;
const lua = new Map<string, string>(
  KINDS.map((k) => [k.kind, readFileSync(join(ROOT, CUSTOMIZATIONS_DIR, k.kind, 'health.lua'), 'utf8')]),
);
const health = (o: KubeObject): HealthResult => runHealthCheck(lua.get(o.kind) as string, o);

// ---- every version of every object, from watches opened before anything was applied ----
const history: KubeObject[] = [];
const waiters = new Set<(o: KubeObject) => void>();
const aborts: AbortController[] = [];
let stopping = false;

const note = (obj: KubeObject) => {
  history.push(obj);
  for (const w of [...waiters]) w(obj);
};

/** List, then watch from the list's version; a watch the server ends is listed and watched again. */
async function follow(path: string, first: boolean): Promise<void> {
  const list = await op.client.request<{ metadata: { resourceVersion: string }; items: KubeObject[] }>(
    'GET',
    path,
  );
  if (!first) for (const o of list.items) note(o);
  const onEvent = (type: string, obj: KubeObject) => {
    if (type === 'ADDED' || type === 'MODIFIED') note(obj);
  };
  // client-node ends a watch after 30 s without data; states in between come back through the list.
  const onEnd = () => {
    if (!stopping) follow(path, false).catch(() => undefined);
  };
  aborts.push(
    await new Watch(op.stack.kc).watch(
      path,
      { resourceVersion: list.metadata.resourceVersion },
      onEvent,
      onEnd,
    ),
  );
}

async function record(): Promise<void> {
  for (const def of KINDS) {
    const t = typeOf(def.kind);
    await follow(KubeClient.collectionPath(t, t.namespaced ? NS : undefined), true);
  }
}

/** The first recorded version (after `since`) of kind/name that satisfies pred, or the next one to come. */
function seen(
  kind: string,
  name: string,
  pred: (o: KubeObject) => boolean,
  since = 0,
  timeoutMs = 60_000,
): Promise<{ obj: KubeObject; at: number }> {
  const match = (o: KubeObject) => o.kind === kind && o.metadata.name === name && pred(o);
  const i = history.findIndex((o, n) => n >= since && match(o));
  if (i >= 0) return Promise.resolve({ obj: history[i] as KubeObject, at: i });
  return new Promise((resolve, reject) => {
    // A guard against a hung test, not a synchronisation.
    const timer = setTimeout(() => {
      waiters.delete(w);
      const last = history.filter((o) => o.kind === kind && o.metadata.name === name).at(-1);
      reject(
        new Error(`${kind}/${name}: never reached the expected state; last: ${JSON.stringify(last?.status)}`),
      );
    }, timeoutMs);
    const w = (o: KubeObject) => {
      if (!match(o)) return;
      waiters.delete(w);
      clearTimeout(timer);
      resolve({ obj: o, at: history.length - 1 });
    };
    waiters.add(w);
  });
}

const reason = (o: KubeObject, type: string) => condition(o, type)?.reason;
/** The controller has looked at the current spec. */
const current = (o: KubeObject) => o.status?.observedGeneration === o.metadata.generation;
const healthyNow = (o: KubeObject) =>
  current(o) &&
  condition(o, 'Ready')?.status === 'True' &&
  condition(o, 'Ready')?.observedGeneration === o.metadata.generation &&
  condition(o, 'Synced')?.status !== 'False';

/** One sample object of each kind and an updatable change to its spec (round 1, 2, …). */
const TARGETS: { kind: string; name: string; edit: (spec: KubeObject['spec'], round: number) => object }[] = [
  { kind: 'AWSAccount', name: 'payments-prod', edit: (s, n) => ({ ...s, sessionName: `im-operator-${n}` }) },
  {
    kind: 'ReplicationSet',
    name: 'payments',
    edit: (s, n) => ({ ...s, tags: { ...s.tags, round: `${n}` } }),
  },
  { kind: 'Contact', name: 'bob', edit: (s, n) => ({ ...s, displayName: `Bob round ${n}` }) },
  { kind: 'Rotation', name: 'payments-emea', edit: (s, n) => ({ ...s, tags: { ...s.tags, round: `${n}` } }) },
  {
    kind: 'EscalationPlan',
    name: 'payments-escalation',
    edit: (s, n) => ({ ...s, displayName: `Escalation ${n}` }),
  },
  {
    kind: 'ResponsePlan',
    name: 'payments-outage',
    edit: (s, n) => ({ ...s, displayName: `Payments outage ${n}` }),
  },
];

// ---- what capture mode writes ----
interface Case {
  kind: string;
  file: string;
  obj: KubeObject;
  result: HealthResult;
}
const cases: Case[] = [];

function keep(kind: string, file: string, obj: KubeObject, result: HealthResult): void {
  if (!cases.some((c) => c.kind === kind && c.file === file)) cases.push({ kind, file, obj, result });
}

/** Asserts the health Argo CD would show and keeps the object as a test case. */
function expectHealth(obj: KubeObject, status: string, file: string): HealthResult {
  const result = health(obj);
  expect(result.status, `${obj.kind}/${obj.metadata.name} (${file}): ${result.message}`).toBe(status);
  keep(obj.kind, file, obj, result);
  return result;
}

/** What a user's apply sends: identity and spec, no resourceVersion (the controller writes meanwhile). */
function ownFields(o: KubeObject): KubeObject {
  const { name, namespace } = o.metadata;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name, ...(namespace ? { namespace } : {}) } };
}

/** As Argo CD would read it from the API server, minus bookkeeping nobody needs in a test file. */
function tidy(o: KubeObject): KubeObject {
  const { managedFields: _m, ...metadata } = o.metadata as Record<string, unknown>;
  return { ...o, metadata: metadata as KubeObject['metadata'] };
}

function writeCaptures(): void {
  for (const def of KINDS) {
    const dir = join(ROOT, CUSTOMIZATIONS_DIR, def.kind);
    const mine = cases.filter((c) => c.kind === def.kind).sort((a, b) => a.file.localeCompare(b.file));
    rmSync(join(dir, 'testdata'), { recursive: true, force: true });
    mkdirSync(join(dir, 'testdata'), { recursive: true });
    for (const c of mine) writeFileSync(join(dir, 'testdata', `${c.file}.yaml`), stringify(tidy(c.obj)));
    const tests = mine.map((c) => ({ healthStatus: c.result, inputPath: `testdata/${c.file}.yaml` }));
    writeFileSync(
      join(dir, 'health_test.yaml'),
      '# Objects captured from controller runs on the local stack (test/kube/install/argocd-health.test.ts\n' +
        '# with IMCTL_ARGOCD_CAPTURE=1) and the health Argo CD shows for each. Argo CD layout: run by\n' +
        '# test/unit/deploy/argocd-health.test.ts.\n' +
        stringify({ tests }, { lineWidth: 0 }),
    );
  }
}

beforeAll(async () => {
  // pollMs: a create or update is confirmed by the next read, so the chain of references in the
  // samples settles in seconds; every state on the way is still written, and recorded.
  op = await startOperator({ namespace: NS, pollMs: 100, deferController: true });
  await record();
  await op.stack.startController();
});

afterAll(async () => {
  stopping = true;
  for (const a of aborts) a.abort();
  await op?.stop();
  if (CAPTURE) writeCaptures();
});

describe('Argo CD health on live objects', () => {
  it('one sync of the samples in Argo CD wave order: Progressing while they are created and wait on each other, never Degraded, each wave Healthy before the next', async () => {
    // The PagerDuty secret the sample plan names lives in AWS, as a user would have made it.
    await createSamplePrerequisites(op.stack.env, readSamples(SAMPLES));
    const ours: KubeObject[] = [];
    for (const [, wave] of byWave(readSamples(SAMPLES))) {
      for (const { file: _file, ...sample } of wave) {
        const obj = sample as unknown as KubeObject;
        if (typeOf(obj.kind).namespaced) obj.metadata.namespace = NS;
        // The samples' 5 calls/s account limit only slows the test down.
        if (obj.kind === 'AWSAccount') delete obj.spec?.limits;
        await op.apply(obj);
      }
      // Argo CD starts the next wave once every object of this one is Healthy.
      for (const o of wave.filter((w) => lua.has(w.kind))) {
        const { obj } = await seen(o.kind, o.metadata.name, (v) => health(v).status === 'Healthy');
        expect(healthyNow(obj), `${o.kind}/${o.metadata.name}`).toBe(true);
        expectHealth(obj, 'Healthy', 'healthy');
        ours.push(obj);
      }
    }
    // Every state each object went through before it was Ready, as Argo CD would have shown it.
    for (const o of ours) {
      const versions = history.filter((h) => h.kind === o.kind && h.metadata.name === o.metadata.name);
      const before = versions.slice(
        0,
        versions.findIndex((h) => healthyNow(h)),
      );
      for (const v of before) {
        const r = health(v);
        expect(r.status, `${o.kind}/${o.metadata.name}: ${r.message}`).toBe('Progressing');
        const why = reason(v, 'Ready');
        if (why === 'Creating') keep(v.kind, 'creating', v, r);
        else if (why === 'ReferencesNotReady' || why === 'ReplicationSetNotReady')
          keep(v.kind, 'waiting-on-reference', v, r);
        else if (!v.status?.conditions) keep(v.kind, 'no-status-yet', v, r);
      }
    }
    expect(cases.filter((c) => c.file === 'creating').map((c) => c.kind)).toContain('Contact');
  });

  it('an object synced before what it references is Progressing (ReferencesNotReady), never Degraded', async () => {
    const since = history.length;
    const plan = (await op.get('ResponsePlan', 'payments-outage', NS)) as KubeObject;
    await op.apply({
      apiVersion: plan.apiVersion,
      kind: 'ResponsePlan',
      metadata: { name: 'early-plan', namespace: NS },
      spec: {
        accountRef: plan.spec.accountRef,
        name: 'early-plan',
        incidentTemplate: { title: 'Early', impact: 3 },
        engagements: [{ escalationPlanRef: { name: 'not-synced-yet' } }],
      },
    });
    const waiting = await seen(
      'ResponsePlan',
      'early-plan',
      (o) => current(o) && !!condition(o, 'Ready'),
      since,
    );
    const r = expectHealth(waiting.obj, 'Progressing', 'waiting-on-reference');
    expect(r.message).toContain('not-synced-yet');
    await op.remove('ResponsePlan', 'early-plan');
  });

  it('every kind: a spec the controller has not observed is Progressing even over Ready=True, Updating is Progressing, then Healthy', async () => {
    await op.stack.stopController();
    for (const t of TARGETS) {
      const before = (await op.get(t.kind, t.name, NS)) as KubeObject;
      expect(healthyNow(before), `${t.kind}/${t.name}`).toBe(true);
      await op.apply({ ...ownFields(before), spec: t.edit(before.spec, 1) });
      const lagging = (await op.get(t.kind, t.name, NS)) as KubeObject;
      expect(lagging.metadata.generation).toBe((before.metadata.generation as number) + 1);
      const r = expectHealth(lagging, 'Progressing', 'generation-lag');
      expect(r.message).toBe(
        `Waiting for the controller to observe generation ${lagging.metadata.generation}`,
      );
    }
    const since = history.length;
    await op.stack.startController();
    for (const t of TARGETS) {
      const done = await seen(t.kind, t.name, healthyNow, since);
      expectHealth(done.obj, 'Healthy', 'healthy-after-update');
      const updating = history
        .slice(since, done.at)
        .find((o) => o.kind === t.kind && o.metadata.name === t.name && reason(o, 'Ready') === 'Updating');
      if (t.kind === 'AWSAccount') continue; // verified, never updated in AWS
      expect(updating, `${t.kind}/${t.name} went through Updating`).toBeDefined();
      expect(expectHealth(updating as KubeObject, 'Progressing', 'updating').message).toContain('Updating');
    }
  });

  it('every kind: AWS answering 500 is Progressing with the error (retried), and Healthy once AWS answers again', async () => {
    const since = history.length;
    // One object at a time, so that none waits on a reference that is failing instead of failing
    // itself; the AWSAccount last (its failure makes everything in the account wait on it).
    for (const t of [...TARGETS.slice(1), TARGETS[0] as (typeof TARGETS)[number]]) {
      const at = history.length;
      op.stack.aws.admin.setFaults({
        'ssm-contacts:*': { errorRate: 1 },
        'ssm-incidents:*': { errorRate: 1 },
        'sts:*': { errorRate: 1 },
      });
      try {
        const before = (await op.get(t.kind, t.name, NS)) as KubeObject;
        await op.apply({ ...ownFields(before), spec: t.edit(before.spec, 2) });
        const failing = await seen(
          t.kind,
          t.name,
          (o) => current(o) && (condition(o, 'Synced') ?? condition(o, 'Ready'))?.status === 'False',
          at,
        );
        const r = expectHealth(failing.obj, 'Progressing', 'retried-reconcile-error');
        expect(r.message, `${t.kind}/${t.name}`).toMatch(/=False ReconcileError: /);
      } finally {
        op.stack.aws.admin.setFaults({});
      }
      // The retry is on backoff (1 s doubling): jump the clock past it rather than wait. A reconcile
      // still in flight at the jump (AWS failed it before the faults were lifted) schedules its
      // retry after the jump: jump again.
      for (let jump = 1; ; jump++) {
        op.stack.clock.advance(5 * 60_000);
        const healthy = await seen(t.kind, t.name, healthyNow, at, 15_000).catch((e: unknown) => {
          if (jump === 4) throw e;
        });
        if (healthy) break;
      }
    }
    for (const t of TARGETS)
      expectHealth((await seen(t.kind, t.name, healthyNow, since)).obj, 'Healthy', 'healthy');
  });

  it('terminal refusals are Degraded and name the field: a contact alias and a plan name taken in AWS, a KMS key of another Region', async () => {
    await op.onboard();
    await op.sdk.contacts.send(
      new CreateContactCommand({ Alias: 'taken-alias', Type: 'PERSONAL', Plan: { Stages: [] } }),
    );
    await op.sdk.incidents.send(
      new CreateResponsePlanCommand({ name: 'taken-plan', incidentTemplate: { title: 'Theirs', impact: 3 } }),
    );
    const since = history.length;
    const object = (kind: string, name: string, spec: object): KubeObject => ({
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind,
      metadata: { name, namespace: NS },
      spec,
    });
    const cases = [
      {
        obj: object('Contact', 'taken', { alias: 'taken-alias', type: 'Personal' }),
        file: 'terminal-alias-taken',
        field: 'spec.alias',
      },
      {
        obj: object('ResponsePlan', 'taken', {
          name: 'taken-plan',
          incidentTemplate: { title: 'Ours', impact: 3 },
        }),
        file: 'terminal-name-taken',
        field: 'AlreadyExists',
      },
      {
        obj: object('ReplicationSet', 'wrong-key', {
          regions: [
            {
              name: 'eu-west-1',
              sseKmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
            },
          ],
        }),
        file: 'terminal-invalid-kms-key',
        field: 'spec.regions[0].sseKmsKeyId',
      },
    ];
    for (const c of cases) await op.apply(c.obj);
    for (const c of cases) {
      const { kind, metadata } = c.obj;
      // The refusal itself: a contact may first wait for the account's ReplicationSet object
      // (Progressing) until that set is refused too.
      const refused = await seen(
        kind,
        metadata.name,
        (o) =>
          current(o) &&
          condition(o, 'Synced')?.status === 'False' &&
          isTerminalReason(condition(o, 'Synced')?.reason ?? ''),
        since,
      );
      const r = expectHealth(refused.obj, 'Degraded', c.file);
      expect(r.message).toContain(c.field);
    }
  });

  it('an AWSAccount whose role refuses the external id is Degraded (AccessDenied)', async () => {
    op.stack.aws.admin.store.iamRoles.set('999988887777:im-operator', { externalId: 'the-right-one' });
    const since = history.length;
    await op.apply({
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'AWSAccount',
      metadata: { name: 'wrong-external-id' },
      spec: {
        accountId: '999988887777',
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::999988887777:role/im-operator',
        externalId: 'a-wrong-one',
      },
    });
    const refused = await seen(
      'AWSAccount',
      'wrong-external-id',
      (o) => current(o) && condition(o, 'Ready')?.status === 'False',
      since,
    );
    const r = expectHealth(refused.obj, 'Degraded', 'terminal-access-denied');
    expect(r.message).toContain('AccessDenied');
    await op.remove('AWSAccount', 'wrong-external-id');
  });
});
