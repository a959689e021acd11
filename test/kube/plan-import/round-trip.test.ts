// imctl import → imctl plan → apply, against both emulators, on an account populated through the
// AWS SDK (never by the controller) with at least 50 of every kind: personal contacts with channels
// and engagement plans, rotations with overrides (one with more than the 10 spec.overrides once took), on-call
// schedules, escalation plans, response plans, and the account's one replication set. The import
// re-plans as no change, the controller adopts every imported object with zero AWS writes and all
// Ready, and an out-of-band edit shows in the plan as exactly that field, is reverted on the
// controller's next visit, and the Updated Event says before → after.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetContactCommand,
  paginateListRotationOverrides,
  UpdateContactCommand,
} from '@aws-sdk/client-ssm-contacts';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AccountResolver } from '../../../src/aws/accounts.ts';
import { AwsGate } from '../../../src/aws/gate.ts';
import { KubeClient } from '../../../src/engine/kube.ts';
import { importAccount } from '../../../src/import/import.ts';
import { renderFiles } from '../../../src/import/render.ts';
import { loadObjects } from '../../../src/plan/load.ts';
import { plan } from '../../../src/plan/plan.ts';
import { PlanOutputSchema } from '../../../src/plan/schema.ts';
import {
  condition,
  FAST_GATE,
  isReady,
  type KubeObject,
  type Operator,
  startOperator,
  typeOf,
} from '../../support/operator.ts';
import { type Populated, populate } from './populate.ts';

let op: Operator;

/** Every string value in a parsed document. */
const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];

/**
 * This test's pace: 250+ objects are read several times over, so the gate is raised further than
 * FAST_GATE (it is not what is under test; the CLI keeps the controller's default limits).
 */
const LIMITS = Object.fromEntries(
  Object.entries(FAST_GATE).map(([service, l]) => [service, { ...l, concurrency: 20, intervalCap: 2_000 }]),
) as typeof FAST_GATE;

const resolver = () =>
  new AccountResolver({
    defaultRegion: op.stack.region,
    gate: new AwsGate({ limits: LIMITS, clock: op.stack.clock }),
    clientConfig: { maxAttempts: 1 },
  });
let dir: string;
let account: Populated;
/** The call log before the first import: import → plan → apply together write nothing to AWS. */
let beforeImport: number;

const SIZES = {
  people: 50,
  rotations: 50,
  schedules: 50,
  escalations: 50,
  responsePlans: 50,
  manyOverrides: 12,
};
/** Objects: the replication set, people and schedules (Contact), rotations (+ Busy weeks), plans. */
const OBJECTS =
  1 + SIZES.people + SIZES.schedules + SIZES.rotations + 1 + SIZES.escalations + SIZES.responsePlans;

const importNow = async () => {
  const objects = await importAccount({
    accounts: resolver(),
    account: 'default',
    namespace: 'default',
    defaultRegion: op.stack.region,
    clock: op.stack.clock,
  });
  return { objects, files: renderFiles(objects, op.stack.account) };
};

const planDir = () =>
  plan(loadObjects([dir], false), {
    accounts: resolver(),
    defaultRegion: op.stack.region,
    clock: op.stack.clock,
  });

const docsOf = (text: string): KubeObject[] => parseAllDocuments(text).map((d) => d.toJS() as KubeObject);

beforeAll(async () => {
  op = await startOperator({ gateLimits: LIMITS, workers: 8 });
  dir = mkdtempSync(join(tmpdir(), 'imctl-import-'));
  await op.onboard([op.stack.region, 'us-west-2']);
  account = await populate(op.sdk, op.stack.account, op.stack.region, op.stack.clock.now(), SIZES);
}, 120_000);

afterAll(async () => {
  await op?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('imctl import and imctl plan round trip', () => {
  it('imports every object of the account into one file per kind, references by name, reading only', async () => {
    const mark = op.mark();
    beforeImport = mark;
    const { objects, files } = await importNow();
    for (const [file, text] of files) writeFileSync(join(dir, file), text);
    expect(op.writes(mark)).toEqual([]);
    const count = (kind: string, pred: (o: KubeObject) => boolean = () => true) =>
      objects.filter((o) => o.kind === kind && pred(o.manifest as unknown as KubeObject)).length;
    expect({
      ReplicationSet: count('ReplicationSet'),
      PersonalContact: count('Contact', (o) => o.spec.type === 'Personal'),
      OnCallSchedule: count('Contact', (o) => o.spec.type === 'OnCallSchedule'),
      Rotation: count('Rotation'),
      RotationWithOverrides: count('Rotation', (o) => (o.spec.overrides?.length ?? 0) > 0),
      EscalationPlan: count('EscalationPlan'),
      ResponsePlan: count('ResponsePlan'),
    }).toEqual({
      ReplicationSet: 1,
      PersonalContact: 50,
      OnCallSchedule: 50,
      Rotation: 51,
      RotationWithOverrides: 26,
      EscalationPlan: 50,
      ResponsePlan: 50,
    });
    expect(objects).toHaveLength(OBJECTS);
    // Every personal contact with its two channels and a two-stage engagement plan.
    const contacts = docsOf(files.get('02-contacts.yaml') ?? '').filter((o) => o.spec.type === 'Personal');
    for (const c of contacts) {
      expect(c.spec.channels, c.metadata.name).toHaveLength(2);
      expect(c.spec.engagementPlan.stages, c.metadata.name).toHaveLength(2);
    }
    // With channels and overrides: 1 + 50×3 + 51 + 25 + 12 + 50 + 50 + 50 AWS resources.
    expect(account.resources).toBe(389);
    expect([...files.keys()]).toEqual([
      '01-replication-set.yaml',
      '02-contacts.yaml',
      '03-rotations.yaml',
      '04-escalation-plans.yaml',
      '05-response-plans.yaml',
    ]);

    // No ARN of an imported object is left in a spec: every reference is by name.
    const values = [...files.values()].flatMap((t) => docsOf(t).flatMap(strings));
    for (const arn of [...account.people, ...account.rotations, ...account.schedules, ...account.escalations])
      expect(values.filter((v) => v === arn).length, arn).toBe(1); // the object's own annotation only
    const escalation = docsOf(files.get('04-escalation-plans.yaml') ?? '')[0] as KubeObject;
    expect(escalation.spec.stages[0].targets[0]).toEqual({
      contactRef: { name: 'primary-on-call-0' },
      isEssential: true,
    });
    expect(
      (escalation.metadata.annotations as Record<string, string>)['incidentmanager.gitops.dev/external-arn'],
    ).toBe(account.escalations[0]);
    // Activation state as a comment, never a code; the RAM share noted on its plan.
    expect(files.get('02-contacts.yaml')).toContain('# activation: NotActivated');
    expect(files.get('02-contacts.yaml')).not.toMatch(/^\s*activationCode\w*:/m);
    expect(files.get('05-response-plans.yaml')).toMatch(
      /# RAM share share-service-0\n# \(arn:aws:ram:[^)]+\) shares this\n# with 222222222222 /,
    );
    // Every upcoming override is written, past the 10 spec.overrides once held, members by name.
    const busy = docsOf(files.get('03-rotations.yaml') ?? '').find((o) => o.spec.name === 'Busy weeks');
    expect(busy?.spec.overrides).toHaveLength(SIZES.manyOverrides);
    expect(busy?.spec.overrides[0].newContacts).toEqual([{ contactRef: { name: 'engineer-01' } }]);
    expect(busy?.spec.overrides[1].newContacts).toEqual([{ contactRef: { name: 'engineer-00' } }]);
    expect(files.get('03-rotations.yaml')).not.toContain('upcoming overrides');
  }, 60_000);

  it('imports the same text again (stable names and order)', async () => {
    const again = await importNow();
    for (const file of readdirSync(dir))
      expect(again.files.get(file), file).toBe(readFileSync(join(dir, file), 'utf8'));
  }, 60_000);

  it('plans the imported files as no change, without writing', async () => {
    const mark = op.mark();
    const result = await planDir();
    expect(op.writes(mark)).toEqual([]);
    const changed = result.objects.filter((e) => e.action !== 'no-change');
    expect(changed).toEqual([]);
    expect(result.summary.noChange).toBe(OBJECTS);
  }, 60_000);

  it('applied to the cluster, is adopted with zero AWS writes and every object Ready', async () => {
    const mark = op.mark();
    const applied: KubeObject[] = [];
    for (const file of readdirSync(dir).sort()) applied.push(...(await op.applyFile(join(dir, file))));
    expect(applied).toHaveLength(OBJECTS);
    for (const o of applied) await op.waitFor(o.kind, o.metadata.name, isReady, { timeoutMs: 60_000 });
    // Adoption is by the identity annotation: no kind writes anything (no ownership tags either).
    expect(op.writes(mark).map((c) => `${c.service}:${c.operation}`)).toEqual([]);
    expect(op.writes(beforeImport)).toEqual([]);
    // The controller did read every object: the zero is not for want of a visit.
    expect(op.calls({ since: mark }).length).toBeGreaterThanOrEqual(applied.length);
    // AWS keeps its 12 overrides: the spec names each of them, so none is deleted or made again.
    const overrides = [];
    const window = {
      StartTime: new Date(op.stack.clock.now()),
      EndTime: new Date(op.stack.clock.now() + 90 * 86_400_000),
    };
    for await (const page of paginateListRotationOverrides(
      { client: op.sdk.contacts },
      { RotationId: account.busy as string, ...window },
    ))
      overrides.push(...(page.RotationOverrides ?? []));
    expect(overrides).toHaveLength(12);
  }, 120_000);

  it('shows an out-of-band edit made with the SDK as exactly that field, then reverts it with the Event saying before → after', async () => {
    const target = account.people[3] as string;
    await op.sdk.contacts.send(
      new UpdateContactCommand({ ContactId: target, DisplayName: 'Renamed In Console' }),
    );
    const result = await planDir();
    expect(Compile(PlanOutputSchema).Check(JSON.parse(JSON.stringify(result)))).toBe(true);
    const changed = result.objects.filter((e) => e.action !== 'no-change');
    expect(changed.map((e) => ({ kind: e.kind, name: e.name, action: e.action, diff: e.diff }))).toEqual([
      {
        kind: 'Contact',
        name: 'engineer-03',
        action: 'update',
        diff: [
          {
            path: 'spec.displayName',
            desired: 'Engineer 3',
            observed: 'Renamed In Console',
            updatable: true,
          },
        ],
      },
    ]);

    // The controller's next visit (a label change is enqueued as a resync would be).
    const mark = op.mark();
    const updating = op.waitFor(
      'Contact',
      'engineer-03',
      (o) => condition(o, 'Ready')?.reason === 'Updating',
    );
    await op.client.request(
      'PATCH',
      KubeClient.objectPath(typeOf('Contact'), 'engineer-03', 'default'),
      { metadata: { labels: { 'test/visit': '1' } } },
      'application/merge-patch+json',
    );
    await updating;
    expect(
      op.writes(mark).map((c) => `${c.operation} ${(c.input as { ContactId?: string }).ContactId}`),
    ).toEqual([`UpdateContact ${target}`]);
    const aws = await op.sdk.contacts.send(new GetContactCommand({ ContactId: target }));
    expect(aws.DisplayName).toBe('Engineer 3');
    const updated = (await op.events('Contact', 'engineer-03')).filter((e) => e.reason === 'Updated');
    expect(updated.map((e) => e.message)).toEqual([
      expect.stringContaining('spec.displayName: "Renamed In Console" → "Engineer 3"'),
    ]);
    await op.waitFor('Contact', 'engineer-03', isReady);
  }, 60_000);
});
