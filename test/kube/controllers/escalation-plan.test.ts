// EscalationPlan end to end: kube emulator + AWS emulator + the controller in-process. Only the
// EscalationPlan and ResponsePlan kinds run; the personal contacts the plans engage are made
// straight through the SDK, and one Contact object stands in Ready for the contactRef path.

import {
  CreateContactCommand,
  GetContactCommand,
  ListContactsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateContactCommand,
} from '@aws-sdk/client-ssm-contacts';
import { Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { module as escalationPlanModule } from '../../../src/controllers/escalation-plan/index.ts';
import { module as responsePlanModule } from '../../../src/controllers/response-plan/index.ts';
import { tagsToAws } from '../../../src/controllers/shared/contacts-tags.ts';
import { ClassifiedError } from '../../../src/engine/contract.ts';
import { identityTags } from '../../../src/engine/identity.ts';
import type { KindModule } from '../../../src/engine/plugin.ts';
import { condition, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';
import { contactSharedWithUs } from '../../support/shared-contact.ts';

const NS = 'esc-test';
const API = 'incidentmanager.gitops.dev/v1alpha1';
const ARN_ANNOTATION = 'incidentmanager.gitops.dev/external-arn';
const PENDING_ANNOTATION = 'incidentmanager.gitops.dev/create-pending';
let op: Operator;

/**
 * Stands in for the Contact controller (tested on its own): a Contact is Ready as the AWS contact its
 * external-arn annotation names, so references to it resolve; it never writes to AWS.
 */
const contactStub: KindModule = {
  kind: 'Contact',
  create: () => ({
    kind: 'Contact',
    toDesired: () => ({}),
    diff: () => [],
    client: () => ({
      read: async (identity) => ({ identity, observed: {}, phase: 'Active' }),
      findByName: async () => [],
      create: async () => {
        throw new ClassifiedError('InvalidSpec', 'the Contact stub only adopts');
      },
      update: async () => {},
      delete: async () => {},
    }),
  }),
};
const people: Record<string, string> = {};

async function personal(alias: string): Promise<string> {
  const out = await op.sdk.contacts.send(
    new CreateContactCommand({ Alias: alias, Type: 'PERSONAL', Plan: { Stages: [] } }),
  );
  return out.ContactArn as string;
}

function plan(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: API,
    kind: 'EscalationPlan',
    metadata: { name, namespace: NS },
    spec: { alias: name, ...spec },
  };
}
const stage = (durationInMinutes: number, ...targets: Record<string, unknown>[]) => ({
  durationInMinutes,
  targets,
});
const toPlan = (name: string) => ({ escalationPlanRef: { name } });
const toArn = (arn: string, isEssential?: boolean) => ({
  contactArn: arn,
  ...(isEssential === undefined ? {} : { isEssential }),
});

async function awsPlan(arn: string) {
  const c = await op.sdk.contacts.send(new GetContactCommand({ ContactId: arn }));
  const t = await op.sdk.contacts.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return { ...c, tags: Object.fromEntries((t.Tags ?? []).map((x) => [x.Key, x.Value])) };
}

/** Resolves once an Event for the object matches (watch-driven). */
async function eventFor(name: string, pred: (e: KubeObject) => boolean): Promise<KubeObject> {
  const path = `/api/v1/namespaces/${NS}/events`;
  const list = await op.client.request<{ metadata: { resourceVersion: string }; items: KubeObject[] }>(
    'GET',
    path,
  );
  const match = (e: KubeObject) => e.involvedObject?.name === name && pred(e);
  const hit = list.items.find(match);
  if (hit) return hit;
  return new Promise((resolve, reject) => {
    let abort: AbortController | undefined;
    const timer = setTimeout(() => {
      abort?.abort();
      reject(new Error(`no matching Event for ${name}`));
    }, 60_000);
    new Watch(op.stack.kc)
      .watch(
        path,
        { resourceVersion: list.metadata.resourceVersion },
        (_t: string, e: KubeObject) => {
          if (!match(e)) return;
          clearTimeout(timer);
          abort?.abort();
          resolve(e);
        },
        () => {},
      )
      .then((a) => {
        abort = a;
      }, reject);
  });
}

const failedWith = (reason: string) => (o: KubeObject | undefined) =>
  condition(o, 'Ready')?.reason === reason && o?.status?.observedGeneration === o?.metadata.generation;

/** AWS calls that named this alias (create, lookup by alias). */
const callsNaming = (alias: string) =>
  op.calls({ service: 'ssm-contacts' }).filter((c) => {
    const i = c.input as { Alias?: string; AliasPrefix?: string };
    return i?.Alias === alias || i?.AliasPrefix === alias;
  });

beforeAll(async () => {
  op = await startOperator({
    modules: [escalationPlanModule, responsePlanModule, contactStub],
    namespace: NS,
    // After each update Ready waits for the engine's next read: poll quickly.
    pollMs: 100,
  });
  await op.onboard();
  for (const a of ['alice', 'bob', 'carol', 'dave']) people[a] = await personal(a);
  // A Contact adopted by annotation, for the contactRef path (the Contact kind runs as a stub).
  await op.apply({
    apiVersion: API,
    kind: 'Contact',
    metadata: { name: 'primary', namespace: NS, annotations: { [ARN_ANNOTATION]: people.alice as string } },
    spec: { alias: 'alice', type: 'Personal', deletionPolicy: 'Retain' },
  });
});

afterAll(async () => {
  await op?.stop();
});

describe('EscalationPlan', () => {
  const full = () =>
    plan('payments', {
      displayName: 'Payments escalation',
      stages: [
        stage(10, { contactRef: { name: 'primary' }, isEssential: true }, toArn(people.bob as string)),
        stage(0, toPlan('backstop')),
      ],
      tags: { team: 'payments', tier: 'one' },
    });

  it('creates an ESCALATION contact with every field, after the plans it engages', async () => {
    await op.apply(full());
    await op.apply(plan('backstop', { stages: [stage(0, toArn(people.carol as string, true))] }));
    const obj = await op.ready('EscalationPlan', 'payments');
    const backstop = await op.ready('EscalationPlan', 'backstop');
    const arn = obj.status.arn as string;
    expect((obj.metadata.annotations as Record<string, string>)[ARN_ANNOTATION]).toBe(arn);
    const aws = await awsPlan(arn);
    expect(aws).toMatchObject({ Alias: 'payments', DisplayName: 'Payments escalation', Type: 'ESCALATION' });
    expect(aws.Plan?.Stages).toEqual([
      {
        DurationInMinutes: 10,
        Targets: [
          { ContactTargetInfo: { ContactId: people.alice, IsEssential: true } },
          { ContactTargetInfo: { ContactId: people.bob as string, IsEssential: false } },
        ],
      },
      {
        DurationInMinutes: 0,
        Targets: [{ ContactTargetInfo: { ContactId: backstop.status.arn, IsEssential: false } }],
      },
    ]);
    expect(aws.tags).toMatchObject({
      team: 'payments',
      tier: 'one',
      'incidentmanager-gitops-dev/uid': obj.metadata.uid,
    });
    expect(obj.status.stageTargetArns).toEqual([[people.alice, people.bob], [backstop.status.arn]]);
    const creates = callsNaming('payments').filter((c) => c.operation === 'CreateContact');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.token).toMatch(/^[0-9a-f]{64}$/);
  });

  // Each field's own minimal write is the unit tier's (test/unit/controllers/escalation-plan/); here one
  // update round trip: the write and AWS reading it back.
  it('an update is one UpdateContact carrying the Plan, and AWS reads it back', async () => {
    const arn = (await op.get('EscalationPlan', 'payments'))?.status.arn as string;
    const o = full();
    o.spec.stages[0].durationInMinutes = 15;
    o.spec.stages[0].targets[1].isEssential = true;
    const since = op.mark();
    await op.apply(o);
    await op.ready('EscalationPlan', 'payments');
    const writes = op.writes(since);
    expect(writes.map((c) => c.operation)).toEqual(['UpdateContact']);
    expect(Object.keys(writes[0]?.input as object).sort()).toEqual(['ContactId', 'Plan']);
    const aws = await awsPlan(arn);
    expect(aws.Plan?.Stages?.[0]?.DurationInMinutes).toBe(15);
    expect(JSON.stringify(aws.Plan?.Stages?.[0]?.Targets)).toContain(
      `{"ContactTargetInfo":{"ContactId":"${people.bob}","IsEssential":true}}`,
    );
  });

  it('corrects drift made outside the cluster at the next resync, the Event saying each field before and after', async () => {
    const o = plan('drifty', {
      displayName: 'Drifty',
      stages: [stage(5, toArn(people.bob as string)), stage(0, toArn(people.carol as string))],
      tags: { team: 'x' },
    });
    await op.apply(o);
    const arn = (await op.ready('EscalationPlan', 'drifty')).status.arn as string;
    await op.sdk.contacts.send(
      new UpdateContactCommand({
        ContactId: arn,
        DisplayName: 'Hacked',
        Plan: {
          Stages: [
            {
              DurationInMinutes: 1,
              Targets: [{ ContactTargetInfo: { ContactId: people.dave as string, IsEssential: true } }],
            },
          ],
        },
      }),
    );
    await op.sdk.contacts.send(
      new TagResourceCommand({
        ResourceARN: arn,
        Tags: [
          { Key: 'rogue', Value: 'y' },
          { Key: 'team', Value: 'z' },
        ],
      }),
    );
    const since = op.mark();
    op.stack.clock.advance(11 * 60_000); // past the resync (10 min ± 10 %)
    const ev = await eventFor('drifty', (e) => e.reason === 'Updated' && /spec\.displayName/.test(e.message));
    expect(ev.message).toMatch(/spec\.stages\[0\].*spec\.tags\.rogue.*spec\.tags\.team/);
    // What AWS had → what the spec asks for, so a reader sees what was reverted.
    expect(ev.message).toContain('spec.displayName: "Hacked" → "Drifty"');
    expect(ev.message).toContain('spec.tags.rogue: "y" → (none)');
    expect(ev.message).toContain('spec.tags.team: "z" → "x"');
    const aws = await awsPlan(arn);
    expect(aws.DisplayName).toBe('Drifty');
    expect(aws.Plan?.Stages?.map((s) => s.Targets?.map((t) => t.ContactTargetInfo?.ContactId))).toEqual([
      [people.bob],
      [people.carol],
    ]);
    expect(aws.tags.rogue).toBeUndefined();
    expect(aws.tags.team).toBe('x');
    expect(
      op
        .writes(since)
        .filter(
          (c) =>
            (c.input as { ContactId?: string; ResourceARN?: string }).ContactId === arn ||
            (c.input as { ResourceARN?: string }).ResourceARN === arn,
        )
        .map((c) => c.operation)
        .sort(),
    ).toEqual(['TagResource', 'UntagResource', 'UpdateContact']);
  });

  it('rejects a cycle between new plans before any AWS call, naming the cycle', async () => {
    await op.apply(plan('loop-a', { stages: [stage(5, toPlan('loop-b'))] }));
    await op.apply(
      plan('loop-b', { stages: [stage(0, toArn(people.bob as string)), stage(5, toPlan('loop-a'))] }),
    );
    // Whichever of the two is checked second sees the cycle at once. The first was waiting for the
    // second to exist, and a not-Ready object appearing wakes nobody, so it sees the cycle at its
    // next resync.
    await op.waitFor('EscalationPlan', 'loop-b', failedWith('InvalidSpec'));
    op.stack.clock.advance(11 * 60_000);
    const a = await op.waitFor('EscalationPlan', 'loop-a', failedWith('InvalidSpec'));
    const b = await op.waitFor('EscalationPlan', 'loop-b', failedWith('InvalidSpec'));
    expect(condition(a, 'Ready')?.message).toContain(
      `EscalationPlan ${NS}/loop-a → EscalationPlan ${NS}/loop-b → EscalationPlan ${NS}/loop-a`,
    );
    expect(condition(a, 'Synced')?.message).toContain('spec.stages[0].targets[0].escalationPlanRef');
    expect(condition(b, 'Ready')?.message).toContain(
      `EscalationPlan ${NS}/loop-b → EscalationPlan ${NS}/loop-a → EscalationPlan ${NS}/loop-b`,
    );
    expect(condition(b, 'Synced')?.message).toContain('spec.stages[1].targets[0].escalationPlanRef');
    expect(callsNaming('loop-a')).toEqual([]);
    expect(callsNaming('loop-b')).toEqual([]);
  });

  it('rejects an update that closes a cycle through an ARN, keeps AWS as it was, and recovers when fixed', async () => {
    await op.apply(plan('ring-x', { stages: [stage(5, toPlan('ring-y'))] }));
    await op.apply(plan('ring-y', { stages: [stage(5, toArn(people.carol as string))] }));
    const x = await op.ready('EscalationPlan', 'ring-x');
    await op.ready('EscalationPlan', 'ring-y');
    const since = op.mark();
    await op.apply(plan('ring-y', { stages: [stage(5, toArn(x.status.arn as string))] }));
    const y = await op.waitFor('EscalationPlan', 'ring-y', failedWith('InvalidSpec'));
    expect(condition(y, 'Ready')?.message).toContain(
      `EscalationPlan ${NS}/ring-y → EscalationPlan ${NS}/ring-x → EscalationPlan ${NS}/ring-y`,
    );
    expect(condition(y, 'Ready')?.message).toContain('spec.stages[0].targets[0].contactArn');
    // The other member of the cycle says so too (it was woken when ring-y stopped being Ready).
    const xr = await op.waitFor(
      'EscalationPlan',
      'ring-x',
      (o) => condition(o, 'Ready')?.reason === 'InvalidSpec',
    );
    expect(condition(xr, 'Ready')?.message).toContain(
      'EscalationPlan esc-test/ring-x → EscalationPlan esc-test/ring-y',
    );
    expect(op.writes(since, 'ssm-contacts')).toEqual([]);
    await op.apply(plan('ring-y', { stages: [stage(5, toArn(people.carol as string))] }));
    await op.ready('EscalationPlan', 'ring-y');
    await op.ready('EscalationPlan', 'ring-x');
    expect(op.writes(since, 'ssm-contacts')).toEqual([]);
  });

  it('is not deleted from AWS while another plan (by ref or by ARN) or a response plan references it', async () => {
    await op.apply(plan('inner', { stages: [stage(0, toArn(people.carol as string))] }));
    await op.apply(plan('outer', { stages: [stage(5, toPlan('inner'))] }));
    await op.apply({
      apiVersion: API,
      kind: 'ResponsePlan',
      metadata: { name: 'uses-inner', namespace: NS },
      spec: {
        name: 'uses-inner',
        incidentTemplate: { title: 'Inner', impact: 3 },
        engagements: [toPlan('inner')],
      },
    });
    const inner = await op.ready('EscalationPlan', 'inner');
    await op.apply(plan('by-arn', { stages: [stage(5, toArn(inner.status.arn))] }));
    await op.ready('EscalationPlan', 'outer');
    await op.ready('EscalationPlan', 'by-arn');
    await op.ready('ResponsePlan', 'uses-inner');
    await op.remove('EscalationPlan', 'inner');
    const blocked = await op.waitFor('EscalationPlan', 'inner', failedWith('DeleteBlocked'));
    const message = condition(blocked, 'Ready')?.message;
    expect(message).toContain(`EscalationPlan ${NS}/outer`);
    expect(message).toContain(`EscalationPlan ${NS}/by-arn`);
    expect(message).toContain(`ResponsePlan ${NS}/uses-inner`);
    expect((await awsPlan(inner.status.arn)).Type).toBe('ESCALATION');
    // The plans let go of it; the response plan still holds it.
    await op.apply(plan('outer', { stages: [stage(5, toArn(people.carol as string))] }));
    await op.apply(plan('by-arn', { stages: [stage(5, toArn(people.carol as string))] }));
    const still = await op.waitFor('EscalationPlan', 'inner', (o) => {
      const m = condition(o, 'Ready')?.message ?? '';
      return (
        condition(o, 'Ready')?.reason === 'DeleteBlocked' && !m.includes('outer') && !m.includes('by-arn')
      );
    });
    expect(condition(still, 'Ready')?.message).toContain(`ResponsePlan ${NS}/uses-inner`);
    await op.remove('ResponsePlan', 'uses-inner');
    await op.gone('EscalationPlan', 'inner');
    await expect(
      op.sdk.contacts.send(new GetContactCommand({ ContactId: inner.status.arn })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(
      op.calls({ service: 'ssm-contacts', operation: 'DeleteContact' }).filter((c) => c.outcome === 'error'),
    ).toEqual([]);
  });

  it('refuses an alias another AWS contact holds, and adopts it once the annotation names it', async () => {
    const { ContactArn: legacy } = await op.sdk.contacts.send(
      new CreateContactCommand({
        Alias: 'legacy',
        DisplayName: 'Legacy',
        Type: 'ESCALATION',
        Plan: {
          Stages: [
            {
              DurationInMinutes: 1,
              Targets: [{ ContactTargetInfo: { ContactId: people.bob as string, IsEssential: false } }],
            },
          ],
        },
      }),
    );
    const spec = {
      alias: 'legacy',
      displayName: 'Adopted',
      stages: [stage(5, toArn(people.carol as string))],
    };
    await op.apply(plan('adopter', spec));
    const refused = await op.waitFor('EscalationPlan', 'adopter', failedWith('AlreadyExists'));
    expect(condition(refused, 'Ready')?.message).toContain(`spec.alias: ${legacy} already exists in AWS`);
    expect(callsNaming('legacy').filter((c) => c.operation === 'CreateContact')).toHaveLength(1); // ours, above
    const since = op.mark();
    await op.apply({
      ...plan('adopter', spec),
      metadata: { name: 'adopter', namespace: NS, annotations: { [ARN_ANNOTATION]: legacy } },
    });
    // The engine treats the identity annotation as its own bookkeeping (a change to it enqueues
    // nothing), so the adoption happens at the refused object's resync visit.
    op.stack.clock.advance(11 * 60_000);
    await op.ready('EscalationPlan', 'adopter');
    expect(op.writes(since).map((c) => c.operation)).toEqual(['UpdateContact']);
    const aws = await awsPlan(legacy as string);
    expect(aws.DisplayName).toBe('Adopted');
    expect(aws.Plan?.Stages).toEqual([
      {
        DurationInMinutes: 5,
        Targets: [{ ContactTargetInfo: { ContactId: people.carol, IsEssential: false } }],
      },
    ]);
  });

  it('with managementPolicy Observe reports drift and never writes', async () => {
    const { ContactArn: arn } = await op.sdk.contacts.send(
      new CreateContactCommand({
        Alias: 'watched',
        DisplayName: 'As in AWS',
        Type: 'ESCALATION',
        Plan: {
          Stages: [
            {
              DurationInMinutes: 1,
              Targets: [{ ContactTargetInfo: { ContactId: people.bob as string, IsEssential: false } }],
            },
          ],
        },
      }),
    );
    const since = op.mark();
    await op.apply(
      plan('watched', {
        displayName: 'As in git',
        managementPolicy: 'Observe',
        stages: [stage(1, toArn(people.bob as string))],
      }),
    );
    const o = await op.waitFor(
      'EscalationPlan',
      'watched',
      (x) => condition(x, 'Synced')?.reason === 'DriftDetected',
    );
    expect(condition(o, 'Synced')?.message).toContain('spec.displayName');
    expect(o?.status.arn).toBe(arn);
    expect(op.writes(since, 'ssm-contacts')).toEqual([]);
  });

  it('with deletionPolicy Retain leaves the AWS escalation plan in place', async () => {
    await op.apply(
      plan('kept', { deletionPolicy: 'Retain', stages: [stage(0, toArn(people.carol as string))] }),
    );
    const arn = (await op.ready('EscalationPlan', 'kept')).status.arn as string;
    await op.remove('EscalationPlan', 'kept');
    await op.gone('EscalationPlan', 'kept');
    expect((await awsPlan(arn)).Alias).toBe('kept');
  });

  it('adopts the AWS plan of a create interrupted before its ARN was stored, never creating a second', async () => {
    // The controller "crashed" after CreateContact: the object carries only the pending mark, and
    // AWS holds the plan with this object's ownership tags.
    await op.stack.stopController();
    const spec = { stages: [stage(5, toArn(people.carol as string))] };
    const applied = await op.apply({
      ...plan('crashy', spec),
      metadata: { name: 'crashy', namespace: NS, annotations: { [PENDING_ANNOTATION]: 'mark-1' } },
    });
    const uid = (applied.metadata as { uid?: string }).uid as string;
    const { ContactArn: arn } = await op.sdk.contacts.send(
      new CreateContactCommand({
        Alias: 'crashy',
        Type: 'ESCALATION',
        Plan: {
          Stages: [
            {
              DurationInMinutes: 5,
              Targets: [{ ContactTargetInfo: { ContactId: people.carol as string, IsEssential: false } }],
            },
          ],
        },
        Tags: tagsToAws(
          identityTags({ kind: 'EscalationPlan', metadata: { name: 'crashy', namespace: NS, uid } }),
        ),
      }),
    );
    const since = op.mark();
    await op.stack.startController();
    const o = await op.ready('EscalationPlan', 'crashy');
    expect(o.status.arn).toBe(arn);
    const ann = o.metadata.annotations as Record<string, string>;
    expect(ann[ARN_ANNOTATION]).toBe(arn);
    expect(ann[PENDING_ANNOTATION]).toBeUndefined();
    expect(op.writes(since, 'ssm-contacts')).toEqual([]);
    expect((await eventFor('crashy', (e) => e.reason === 'Adopted')).message).toContain(arn);
  });

  it("is not blocked by another account's contact of the same alias shared with us", async () => {
    // Account 222222222222 owns an escalation plan "twin" and shares it with our account.
    const theirs = await contactSharedWithUs(op, 'twin', 'ESCALATION');
    const listed = await op.sdk.contacts.send(new ListContactsCommand({ AliasPrefix: 'twin' }));
    expect(listed.Contacts?.map((c) => c.ContactArn)).toEqual([theirs]);

    await op.apply(plan('twin', { stages: [stage(0, toArn(people.carol as string))] }));
    const o = await op.ready('EscalationPlan', 'twin');
    expect(o.status.arn).not.toBe(theirs);
    expect((await awsPlan(o.status.arn)).Alias).toBe('twin');
  });
});
