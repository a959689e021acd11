// `imctl plan` and `imctl import` as a user runs them, against the AWS emulator through the
// standard AWS environment (AWS_ENDPOINT_URL, keys, Region): the samples against an empty account,
// refusals, the JSON output held to the schema docs/plan.md publishes, and import → plan by CLI.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RAMClient } from '@aws-sdk/client-ram';
import { SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  GetReplicationSetCommand,
  SSMIncidentsClient,
} from '@aws-sdk/client-ssm-incidents';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { type RunningEmulator, startAwsEmulator } from '../../../src/emulators/aws/server.ts';
import { type PlanOutput, planJsonSchema } from '../../../src/plan/schema.ts';
import { populate } from '../../kube/plan-import/populate.ts';
import { imctl } from '../../support/imctl.ts';

const KEYS = { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'x' }; // account 222222222222
let emu: RunningEmulator;
let dir: string;
const saved: Record<string, string | undefined> = {};
const ENV = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'];
/** The JSON Schema docs/plan.md publishes: real output is held to that text, not to our types. */
const publishedSchema = (): Record<string, unknown> => {
  const block = /```json schema\n([\s\S]*?)\n```/.exec(readFileSync('docs/plan.md', 'utf8'))?.[1];
  if (!block) throw new Error('docs/plan.md has no ```json schema block');
  return JSON.parse(block) as Record<string, unknown>;
};
const checker = Compile(publishedSchema());

beforeAll(async () => {
  emu = await startAwsEmulator({ port: 0, seed: 7, transitionMs: 0 });
  dir = mkdtempSync(join(tmpdir(), 'imctl-plan-'));
  for (const k of ENV) saved[k] = process.env[k];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emu.url,
    AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
    AWS_REGION: 'eu-west-1',
  });
});

afterAll(async () => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const json = (stdout: string) => JSON.parse(stdout) as PlanOutput;

describe('imctl plan', () => {
  it('lists every sample as create, in dependency order, exit 2, without writing', async () => {
    const before = emu.admin.calls().length;
    const r = await imctl('plan', '-f', 'config/samples', '--output', 'json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(2);
    const out = json(r.stdout);
    expect(checker.Check(out)).toBe(true);
    expect(out.objects.map((e) => `${e.action} ${e.kind}/${e.name}`)).toEqual([
      'create ReplicationSet/payments',
      'create Contact/alice',
      'create Contact/bob',
      'create Contact/chandra',
      'create Rotation/payments-americas',
      'create Rotation/payments-emea',
      'create Contact/payments-primary',
      'create EscalationPlan/payments-escalation',
      'create ResponsePlan/payments-outage',
    ]);
    expect(out.accounts).toEqual([
      {
        name: 'payments-prod',
        accountId: '111122223333',
        callerArn:
          'arn:aws:sts::111122223333:assumed-role/incident-manager-operator/incident-manager-operator',
      },
    ]);
    const writes = emu.admin
      .calls()
      .slice(before)
      .filter((c) => !/^(Get|List|Describe)/.test(c.operation) && c.operation !== 'AssumeRole');
    expect(writes).toEqual([]);
  });

  it('prints the same plan as text, one line per object and a count', async () => {
    const r = await imctl('plan', '-f', 'config/samples');
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('+ ReplicationSet default/payments: create\n');
    expect(r.stdout).toContain('Plan: 9 to create, 0 to update, 0 unchanged, 0 would be refused.');
    // No colour codes when standard output is not a terminal.
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('says what the controller would refuse, with its reason and message, and exits 1', async () => {
    writeFileSync(
      join(dir, 'broken.yaml'),
      [
        'apiVersion: incidentmanager.gitops.dev/v1alpha1',
        'kind: Contact',
        'metadata: { name: sched }',
        'spec:',
        '  alias: sched',
        '  type: OnCallSchedule',
        '  rotations:',
        '    - rotationArn: arn:aws:ssm-contacts:eu-west-1:222222222222:rotation/a',
        '    - rotationArn: arn:aws:ssm-contacts:eu-west-1:222222222222:rotation/a',
        '---',
        'apiVersion: incidentmanager.gitops.dev/v1alpha1',
        'kind: EscalationPlan',
        'metadata: { name: esc }',
        'spec:',
        '  alias: esc',
        '  stages: [{ durationInMinutes: 0, targets: [{ contactRef: { name: nobody } }] }]',
      ].join('\n'),
    );
    const r = await imctl('plan', '-f', join(dir, 'broken.yaml'), '-o', 'json');
    expect(r.status).toBe(1);
    const out = json(r.stdout);
    expect(checker.Check(out)).toBe(true);
    expect(out.objects.map((e) => [e.name, e.action, e.reason, e.message])).toEqual([
      [
        'sched',
        'refused',
        'InvalidSpec',
        'spec.rotations[1]: names the same rotation as spec.rotations[0]; an on-call schedule lists each rotation once',
      ],
      [
        'esc',
        'refused',
        'ReferencesNotReady',
        'Waiting for references: spec.stages[0].targets[0].contactRef: Contact default/nobody is not in the planned files',
      ],
    ]);
  });

  it('publishes its JSON Schema in docs/plan.md, generated from src/plan/schema.ts, and it bites', () => {
    expect(publishedSchema()).toEqual(planJsonSchema());
    const ok: PlanOutput = {
      apiVersion: 'imctl.incidentmanager.gitops.dev/plan/v1',
      summary: { create: 1, update: 0, noChange: 0, refused: 0 },
      accounts: [{ name: 'default' }],
      objects: [
        { kind: 'Contact', namespace: 'default', name: 'a', account: 'default', action: 'create', diff: [] },
      ],
    };
    expect(checker.Check(ok)).toBe(true);
    const entry = ok.objects[0] as PlanOutput['objects'][number];
    for (const bad of [
      { ...ok, objects: [{ ...entry, action: 'replace' }] },
      { ...ok, objects: [{ ...entry, diff: [{ path: 'spec.x' }] }] },
      { ...ok, summary: { ...ok.summary, noChange: -1 } },
      { ...ok, extra: true },
    ])
      expect(checker.Check(bad), JSON.stringify(bad)).toBe(false);
  });
});

describe('imctl import, then imctl plan', () => {
  it('writes one file per kind that plans as no change (exit 0)', async () => {
    const aws = { endpoint: emu.url, region: 'eu-west-1', credentials: KEYS };
    const sdk = {
      contacts: new SSMContactsClient(aws),
      incidents: new SSMIncidentsClient(aws),
      ram: new RAMClient(aws),
    };
    const { arn } = await sdk.incidents.send(
      new CreateReplicationSetCommand({ regions: { 'eu-west-1': {} } }),
    );
    // With no transition time, the first read reports the set ACTIVE.
    await sdk.incidents.send(new GetReplicationSetCommand({ arn }));
    await populate(
      sdk,
      '222222222222',
      'eu-west-1',
      Date.now(),
      {
        people: 3,
        rotations: 2,
        schedules: 1,
        escalations: 1,
        responsePlans: 1,
      },
      '333333333333',
    );
    const out = join(dir, 'imported');
    const imported = await imctl('import', '--account', 'default', '-o', out, '--aws-rate', '100');
    expect(imported.stderr).toBe(`imctl import: 9 objects in 5 files under ${out}\n`);
    expect(imported.status).toBe(0);
    const r = await imctl('plan', '-f', out, '--aws-rate', '100');
    expect(r.stdout).toContain('Plan: 0 to create, 0 to update, 9 unchanged, 0 would be refused.');
    expect(r.status).toBe(0);
  });

  it('refuses, as the controller would, a second object naming an AWS object another already manages', async () => {
    const docs = parseAllDocuments(readFileSync(join(dir, 'imported', '02-contacts.yaml'), 'utf8')).map(
      (d) => d.toJS() as { metadata: { name: string; annotations?: Record<string, string> } },
    );
    const first = docs[0];
    if (!first) throw new Error('no contact imported');
    const copy = { ...first, metadata: { ...first.metadata, name: 'zz-copy' } };
    writeFileSync(join(dir, 'copied.yaml'), [first, copy].map((d) => stringify(d)).join('---\n'));
    const r = await imctl('plan', '-f', join(dir, 'copied.yaml'), '-o', 'json', '--aws-rate', '100');
    expect(r.status).toBe(1);
    const entries = json(r.stdout).objects;
    const arn = first.metadata.annotations?.['incidentmanager.gitops.dev/external-arn'];
    expect(entries.map((e) => [e.name, e.action, e.reason])).toEqual([
      [first.metadata.name, 'no-change', undefined],
      ['zz-copy', 'refused', 'AlreadyManaged'],
    ]);
    expect(entries[1]?.message).toContain(`names ${arn}, which is already managed by Contact`);
  });

  it('refuses, as the controller would, a new object whose name AWS already has', async () => {
    writeFileSync(
      join(dir, 'taken.yaml'),
      [
        'apiVersion: incidentmanager.gitops.dev/v1alpha1',
        'kind: EscalationPlan',
        'metadata: { name: again }',
        'spec:',
        '  alias: escalation-0',
        '  stages: [{ durationInMinutes: 0, targets: [{ contactArn: arn:aws:ssm-contacts:eu-west-1:222222222222:contact/engineer-00 }] }]',
      ].join('\n'),
    );
    const r = await imctl('plan', '-f', join(dir, 'taken.yaml'), '-o', 'json', '--aws-rate', '100');
    expect(r.status).toBe(1);
    const [entry] = json(r.stdout).objects;
    expect(entry?.reason).toBe('AlreadyExists');
    expect(entry?.message).toMatch(
      /^spec\.alias: arn:aws:ssm-contacts:eu-west-1:222222222222:contact\/escalation-0 already exists in AWS under this name and was not created by this controller; to manage it from this object set the incidentmanager\.gitops\.dev\/external-arn annotation/,
    );
  });
});
