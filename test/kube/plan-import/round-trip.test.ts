// imctl import → imctl plan → apply, against both emulators, on an account populated through the
// AWS SDK (never by the controller): the import re-plans as no change, the controller adopts every
// imported object with zero AWS writes and all Ready, and an out-of-band edit shows in the plan as
// exactly that field.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateContactCommand } from '@aws-sdk/client-ssm-contacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AccountResolver } from '../../../src/aws/accounts.ts';
import { AwsGate } from '../../../src/aws/gate.ts';
import { importAccount } from '../../../src/import/import.ts';
import { renderFiles } from '../../../src/import/render.ts';
import { loadObjects } from '../../../src/plan/load.ts';
import { plan } from '../../../src/plan/plan.ts';
import { FAST_GATE, isReady, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';
import { type Populated, populate } from './populate.ts';

let op: Operator;

/** Every string value in a parsed document. */
const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];

/** The test's reads at the test gate's pace (the CLI keeps the controller's default limits). */
const resolver = () =>
  new AccountResolver({
    defaultRegion: op.stack.region,
    gate: new AwsGate({ limits: FAST_GATE, clock: op.stack.clock }),
    clientConfig: { maxAttempts: 1 },
  });
let dir: string;
let account: Populated;
/** The call log before the first import: import → plan → apply together write nothing to AWS. */
let beforeImport: number;

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

beforeAll(async () => {
  op = await startOperator();
  dir = mkdtempSync(join(tmpdir(), 'imctl-import-'));
  await op.onboard([op.stack.region, 'us-west-2']);
  account = await populate(op.sdk, op.stack.account, op.stack.region, op.stack.clock.now(), {
    people: 16,
    rotations: 8,
    schedules: 4,
    escalations: 12,
    responsePlans: 12,
  });
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
    const count = (kind: string) => objects.filter((o) => o.kind === kind).length;
    expect({
      ReplicationSet: count('ReplicationSet'),
      Contact: count('Contact'),
      Rotation: count('Rotation'),
      EscalationPlan: count('EscalationPlan'),
      ResponsePlan: count('ResponsePlan'),
    }).toEqual({ ReplicationSet: 1, Contact: 20, Rotation: 8, EscalationPlan: 12, ResponsePlan: 12 });
    expect(objects.length).toBeGreaterThanOrEqual(50);
    // With channels and overrides: 53 objects are 89 AWS resources.
    expect(account.resources).toBe(89);
    expect([...files.keys()]).toEqual([
      '01-replication-set.yaml',
      '02-contacts.yaml',
      '03-rotations.yaml',
      '04-escalation-plans.yaml',
      '05-response-plans.yaml',
    ]);

    // No ARN of an imported object is left in a spec: every reference is by name.
    const values = [...files.values()].flatMap((t) => parseAllDocuments(t).flatMap((d) => strings(d.toJS())));
    for (const arn of [...account.people, ...account.rotations, ...account.schedules, ...account.escalations])
      expect(values.filter((v) => v === arn).length, arn).toBe(1); // the object's own annotation only
    const escalation = parseAllDocuments(
      files.get('04-escalation-plans.yaml') ?? '',
    )[0]?.toJS() as KubeObject;
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
  });

  it('imports the same text again (stable names and order)', async () => {
    const again = await importNow();
    for (const file of readdirSync(dir))
      expect(again.files.get(file), file).toBe(readFileSync(join(dir, file), 'utf8'));
  });

  it('plans the imported files as no change, without writing', async () => {
    const mark = op.mark();
    const result = await planDir();
    expect(op.writes(mark)).toEqual([]);
    const changed = result.objects.filter((e) => e.action !== 'no-change');
    expect(changed).toEqual([]);
    expect(result.summary.noChange).toBe(53);
  });

  it('applied to the cluster, is adopted with zero AWS writes and every object Ready', async () => {
    const mark = op.mark();
    const applied: KubeObject[] = [];
    for (const file of readdirSync(dir).sort()) applied.push(...(await op.applyFile(join(dir, file))));
    for (const o of applied) await op.waitFor(o.kind, o.metadata.name, isReady, { timeoutMs: 60_000 });
    // Adoption is by the identity annotation: no kind writes anything (no ownership tags either).
    expect(op.writes(mark).map((c) => `${c.service}:${c.operation}`)).toEqual([]);
    expect(op.writes(beforeImport)).toEqual([]);
    // The controller did read every object: the zero is not for want of a visit.
    expect(op.calls({ since: mark }).length).toBeGreaterThanOrEqual(applied.length);
  }, 120_000);

  it('shows an out-of-band edit made with the SDK as exactly that field', async () => {
    const target = account.people[3] as string;
    await op.sdk.contacts.send(
      new UpdateContactCommand({ ContactId: target, DisplayName: 'Renamed In Console' }),
    );
    const result = await planDir();
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
  });
});
