// Every rule of our API judged by a real kube-apiserver, and the Kubernetes emulator held to the same
// answer: each broken fixture (test/fixtures/invalid, and stored+update pairs in
// test/fixtures/invalid-updates) is refused at the field its header names, with the wording
// docs/api.md promises for that field, and the emulator's Status (code, reason, message, causes in
// order) is the real one. Objects with several errors check the order kube guarantees; names check
// metadata validation; kubectl shows users the same text from both.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type KubeEmulator, startKubeEmulator } from '../../src/emulators/kube/index.ts';
import { invalidStatus } from '../../src/emulators/kube/schema/index.ts';
import {
  type Cause,
  classify,
  contact,
  crdRules,
  FIXTURE_DIRS,
  type Fixture,
  JUDGED_FORMATS,
  loadFixtures,
  NOT_CHECKED_FIELD,
  type Obj,
  orderViolations,
  promised,
  SEVERAL,
  schemaPath,
} from '../support/api-rules.ts';
import { type Cluster, CRD_DIR, startCluster } from './support/cluster.ts';

const GROUP = 'incidentmanager.gitops.dev';
const PLURALS: Record<string, string> = {
  AWSAccount: 'awsaccounts',
  Contact: 'contacts',
  EscalationPlan: 'escalationplans',
  ReplicationSet: 'replicationsets',
  ResponsePlan: 'responseplans',
  Rotation: 'rotations',
};
const NOT_CHECKED =
  'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';
const BLOCKING = new Set([
  'FieldValueTypeInvalid',
  'FieldValueRequired',
  'FieldValueNotSupported',
  'FieldValueTooLong',
  'FieldValueTooMany',
]);

type Answer = { code: number; body: Obj };
type Side = (method: string, path: string, body?: unknown) => Promise<Answer>;

function sideAt(url: string, token: string): Side {
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const u = new URL(path, url);
      const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        u,
        {
          method,
          rejectUnauthorized: false, // the control plane's serving certificate is self-signed
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
          });
          res.on('end', () => {
            let body: Obj = {};
            try {
              body = text ? JSON.parse(text) : {};
            } catch {
              body = { text }; // e.g. "404 page not found" before a CRD is served
            }
            resolve({ code: res.statusCode ?? 0, body });
          });
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
}

const collection = (o: Obj) =>
  o.kind === 'AWSAccount'
    ? `/apis/${GROUP}/v1alpha1/awsaccounts`
    : `/apis/${GROUP}/v1alpha1/namespaces/${o.metadata.namespace ?? 'default'}/${PLURALS[o.kind]}`;

/** What a server answers for a fixture: a dry-run create, or a dry-run update of a stored object. */
async function attempt(side: Side, f: Fixture): Promise<Answer> {
  const [first, second] = f.docs as [Obj, Obj | undefined];
  if (!second) return side('POST', `${collection(first)}?dryRun=All`, first);
  const stored = await side('POST', collection(first), first);
  if (stored.code !== 201) throw new Error(`${f.file}: storing the first document: ${stored.body.message}`);
  try {
    const update = {
      ...second,
      metadata: { ...second.metadata, resourceVersion: stored.body.metadata.resourceVersion },
    };
    return await side('PUT', `${collection(second)}/${second.metadata.name}?dryRun=All`, update);
  } finally {
    await side('DELETE', `${collection(first)}/${first.metadata.name}`);
  }
}

/** The parts of a Status a client sees. */
const status = (a: Answer) => ({
  code: a.code,
  reason: a.body.reason,
  message: a.body.message,
  causes: a.body.details?.causes ?? [],
});

let cluster: Cluster;
let emu: KubeEmulator;
let real: Side;
let emulated: Side;
let emuKubeconfig: string;
let scratch: string;

beforeAll(async () => {
  [cluster, emu] = await Promise.all([startCluster(), startKubeEmulator()]);
  await cluster.installCrds(CRD_DIR);
  real = sideAt(cluster.cp.url, cluster.cp.token);
  emulated = sideAt(emu.url, 'emulator');
  // The CRD manifests, as kubectl apply -f takes them from the folder (.yaml files only).
  for (const file of readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort())
    for (const doc of parseAllDocuments(readFileSync(join(CRD_DIR, file), 'utf8'))) {
      const r = await emulated('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', doc.toJS());
      if (r.code !== 201) throw new Error(`emulator refused ${file}: ${r.body.message}`);
    }
  scratch = mkdtempSync(join(tmpdir(), 'api-rules-'));
  emuKubeconfig = join(scratch, 'emulator.kubeconfig');
  writeFileSync(emuKubeconfig, emu.kubeconfigYaml);
});

afterAll(async () => {
  await Promise.all([cluster?.stop(), emu?.stop()]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const fixtures = loadFixtures();
/** The real server's answers, kept for the coverage test at the end of the file. */
const realAnswers = new Map<string, Answer>();

describe('every broken fixture on a real kube-apiserver and on the emulator', () => {
  it.each(fixtures.map((f) => [f.file, f] as const))('%s', async (_file, f) => {
    const kind = f.docs[0]!.kind as string;
    const onReal = await attempt(real, f);
    realAnswers.set(f.file, onReal);
    expect(onReal.code, JSON.stringify(onReal.body)).toBe(422);
    expect(onReal.body.reason).toBe('Invalid');
    const causes: Cause[] = onReal.body.details.causes;
    const errors = causes.filter((c) => c.field !== NOT_CHECKED_FIELD);
    expect(errors.length).toBeGreaterThan(0);
    for (const c of errors) {
      expect(c.field).toBe(f.path);
      expect(classify(kind, c)).toBe(f.layer === 'cel' ? 'cel' : f.rule);
      if (f.layer === 'cel') expect(c.message).toMatch(/^Invalid value: "\w+": /);
      if (f.layer === 'cel') expect(c.message.endsWith(`: ${f.rule}`)).toBe(true);
      const promise = promised(kind, c);
      expect(promise, `docs/api.md states the rule the server applied at ${c.field}`).toBeDefined();
      expect(c.message).toContain(promise);
    }
    const blocked = errors.some((c) => BLOCKING.has(c.reason));
    expect(causes.at(-1)?.message === NOT_CHECKED).toBe(blocked);

    expect(status(await attempt(emulated, f))).toEqual(status(onReal));
  });

  it('cover every CEL rule and every kind of schema constraint of the CRDs, as the real server applies them', () => {
    expect(realAnswers.size).toBe(fixtures.length);
    const { rules, constraints } = crdRules();
    const answers = fixtures.map((f) => ({
      kind: f.docs[0]!.kind as string,
      causes: (realAnswers.get(f.file)?.body.details?.causes ?? []) as Cause[],
    }));
    const uncovered = rules.filter(
      (r) =>
        !answers.some(
          (a) =>
            a.kind === r.kind &&
            a.causes.some(
              (c) =>
                classify(a.kind, c) === 'cel' &&
                schemaPath(a.kind, c.field) === r.path &&
                c.message.endsWith(`: ${r.message}`),
            ),
        ),
    );
    expect(uncovered.map((r) => `${r.kind} ${r.path}: ${r.message}`)).toEqual([]);
    const used = new Set(constraints.map((c) => c.constraint));
    const seen = new Set(answers.flatMap((a) => a.causes.map((c) => classify(a.kind, c))));
    expect([...used].filter((k) => !seen.has(k))).toEqual([]);
    // A floor against a rule walk that finds nothing (34 since the override membership rule moved
    // into the Rotation controller: its CEL cost capped spec.overrides at 10).
    expect(rules.length).toBeGreaterThanOrEqual(34);
  });
});

// ---------------------------------------------------------------- several errors at once

const sortedCauses = (a: Answer) =>
  [...(a.body.details?.causes ?? [])].map((c: Cause) => JSON.stringify(c)).sort();

describe('objects with several errors', () => {
  it.each(SEVERAL)('%s: the same causes, each server in an order kube allows', async (_what, o) => {
    const [r, e] = [
      await real('POST', `${collection(o)}?dryRun=All`, o),
      await emulated('POST', `${collection(o)}?dryRun=All`, o),
    ];
    expect(r.code).toBe(422);
    expect([e.code, e.body.reason]).toEqual([r.code, r.body.reason]);
    expect(sortedCauses(e)).toEqual(sortedCauses(r));
    // Sibling fields come in Go map order on the real server (it varies between requests), so the
    // order is compared by the relations kube guarantees rather than position by position.
    expect(orderViolations(o.kind, r.body.details.causes)).toEqual([]);
    expect(orderViolations(o.kind, e.body.details.causes)).toEqual([]);
    for (const a of [r, e])
      expect(a.body.message).toBe(
        invalidStatus(o.kind, GROUP, o.metadata.name, a.body.details.causes).message,
      );
  });

  it('a null in a field that does not allow it is dropped, as if absent', async () => {
    const o = contact({ alias: 'alice', type: 'Personal', displayName: null, tags: { a: null, b: 'x' } });
    const [r, e] = [
      await real('POST', `${collection(o)}?dryRun=All`, o),
      await emulated('POST', `${collection(o)}?dryRun=All`, o),
    ];
    expect(r.code).toBe(201);
    expect(r.body.spec).toEqual({
      alias: 'alice',
      type: 'Personal',
      tags: { b: 'x' },
      deletionPolicy: 'Delete',
      managementPolicy: 'Manage',
    });
    expect([e.code, e.body.spec]).toEqual([r.code, r.body.spec]);
  });
});

// Updates where transition rules meet other errors (as kube-apiserver 1.32 answered them).
const UPDATES: [string, Obj, Obj][] = [
  [
    'transition plus enum',
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'default' },
      spec: {
        alias: 'alice',
        type: 'Personal',
        channels: [{ name: 'sms', type: 'SMS', address: '+353855550101' }],
      },
    },
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'default' },
      spec: {
        alias: 'bob',
        type: 'Personal',
        channels: [{ name: 'sms', type: 'SMS', address: '+353855550101' }],
        managementPolicy: 'X',
      },
    },
  ],
  [
    'two transitions',
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'default' },
      spec: {
        alias: 'alice',
        type: 'Personal',
        channels: [{ name: 'sms', type: 'SMS', address: '+353855550101' }],
      },
    },
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'default' },
      spec: {
        alias: 'bob',
        type: 'OnCallSchedule',
        channels: null,
        rotations: [{ rotationRef: { name: 'r' } }],
      },
    },
  ],
  [
    'channel type and new bad',
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'default' },
      spec: {
        alias: 'alice',
        type: 'Personal',
        channels: [{ name: 'sms', type: 'SMS', address: '+353855550101' }],
      },
    },
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'default' },
      spec: {
        alias: 'alice',
        type: 'Personal',
        channels: [
          { name: 'sms', type: 'Voice', address: '+353855550101' },
          { name: 'mail', type: 'Email', address: 'bad' },
        ],
      },
    },
  ],
  [
    'alias removed',
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'default' },
      spec: {
        alias: 'alice',
        type: 'Personal',
        channels: [{ name: 'sms', type: 'SMS', address: '+353855550101' }],
      },
    },
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'default' },
      spec: { type: 'Personal', channels: [{ name: 'sms', type: 'SMS', address: '+353855550101' }] },
    },
  ],
  [
    'transition plus pattern',
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'default' },
      spec: {
        alias: 'alice',
        type: 'Personal',
        channels: [{ name: 'sms', type: 'SMS', address: '+353855550101' }],
      },
    },
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'default' },
      spec: {
        alias: 'bob',
        type: 'Personal',
        channels: [{ name: 'sms', type: 'SMS', address: '+353855550101' }],
        displayName: 'A<b>',
      },
    },
  ],
  [
    'rs key and new bad',
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'ReplicationSet',
      metadata: { name: 'payments', namespace: 'default' },
      spec: { regions: [{ name: 'eu-west-1', sseKmsKeyId: 'k1' }] },
    },
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'ReplicationSet',
      metadata: { name: 'payments', namespace: 'default' },
      spec: { regions: [{ name: 'US East' }, { name: 'eu-west-1', sseKmsKeyId: 'k2' }] },
    },
  ],
  [
    'rs reorder ok',
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'ReplicationSet',
      metadata: { name: 'payments', namespace: 'default' },
      spec: { regions: [{ name: 'eu-west-1', sseKmsKeyId: 'k1' }, { name: 'us-east-1' }] },
    },
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'ReplicationSet',
      metadata: { name: 'payments', namespace: 'default' },
      spec: { regions: [{ name: 'us-east-1' }, { name: 'eu-west-1', sseKmsKeyId: 'k1' }] },
    },
  ],
  [
    'rs key removed',
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'ReplicationSet',
      metadata: { name: 'payments', namespace: 'default' },
      spec: { regions: [{ name: 'eu-west-1', sseKmsKeyId: 'k1' }] },
    },
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'ReplicationSet',
      metadata: { name: 'payments', namespace: 'default' },
      spec: { regions: [{ name: 'eu-west-1' }] },
    },
  ],
];

describe('updates: transition rules among other errors', () => {
  it.each(UPDATES)('%s', async (what, stored, update) => {
    const f: Fixture = { file: what, path: '', rule: '', layer: 'cel', docs: [stored, update], op: 'update' };
    const [r, e] = [await attempt(real, f), await attempt(emulated, f)];
    expect([e.code, e.body.reason]).toEqual([r.code, r.body.reason]);
    expect(sortedCauses(e)).toEqual(sortedCauses(r));
    expect(orderViolations(update.kind, e.body.details?.causes ?? [])).toEqual([]);
    if (r.code === 200) expect(e.body.spec).toEqual(r.body.spec);
  });
});

// ---------------------------------------------------------------- names

const account = (name: string): Obj => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: 'AWSAccount',
  metadata: { name },
  spec: { accountId: '111122223333', region: 'eu-west-1' },
});

describe('object names (metadata.name)', () => {
  const valid = { alias: 'alice', type: 'Personal' };
  it.each([
    ['a namespaced object', (n: string) => contact(valid, n)],
    ['a cluster-scoped object', account],
  ])('%s may have up to 253 characters of a DNS subdomain, as both servers say', async (_what, make) => {
    for (const name of ['a'.repeat(253), 'alice.byrne-2']) {
      const o = make(name);
      for (const side of [real, emulated])
        expect((await side('POST', `${collection(o)}?dryRun=All`, o)).code, name).toBe(201);
    }
    for (const name of ['a'.repeat(254), 'Alice_1', 'A'.repeat(254), '-alice']) {
      const o = make(name);
      const r = await real('POST', `${collection(o)}?dryRun=All`, o);
      expect(r.code, name).toBe(422);
      expect(r.body.details.causes.every((c: Cause) => c.field === 'metadata.name')).toBe(true);
      expect(status(await emulated('POST', `${collection(o)}?dryRun=All`, o))).toEqual(status(r));
    }
    const tooLong = make('a'.repeat(254));
    const long = await real('POST', `${collection(tooLong)}?dryRun=All`, tooLong);
    expect(long.body.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`,
      },
    ]);
  });
});

// ---------------------------------------------------------------- timestamps

const rotationStarting = (startTime: string): Obj => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: 'Rotation',
  metadata: { name: 'emea', namespace: 'default' },
  spec: {
    name: 'EMEA',
    contacts: [{ contactRef: { name: 'alice' } }],
    startTime,
    timeZoneId: 'Europe/Dublin',
    recurrence: {
      numberOfOnCalls: 1,
      recurrenceMultiplier: 1,
      weeklySettings: [{ dayOfWeek: 'Mon', handOffTime: '07:00' }],
    },
  },
});

describe('timestamps (format date-time) as Go parses them', () => {
  it.each([
    '2026-12-07t07:00:00z',
    '2026-12-07T07:00:00,5Z',
    '2026-12-07T07:00:00+24:00',
    '2026-12-07 07:00:00Z',
    '2026-12-07T07:00:00',
    '2026-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2026-12-07T23:59:60Z',
    '2026-12-07T24:00:00Z',
    '2026-12-07T07:00:00-0100',
  ])('%s', async (startTime) => {
    const o = rotationStarting(startTime);
    const r = await real('POST', `${collection(o)}?dryRun=All`, o);
    const e = await emulated('POST', `${collection(o)}?dryRun=All`, o);
    expect(status(e)).toEqual(status(r));
    if (r.code === 201) expect(e.body.spec).toEqual(r.body.spec);
  });
});

// ---------------------------------------------------------------- string formats

describe('string formats on a CRD without CEL rules', () => {
  const formats = [...new Set(JUDGED_FORMATS.map(([f]) => f))];
  const field = (f: string) => f.replace(/[^a-z0-9]/gi, '_');
  const widget = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.formats.example.com' },
    spec: {
      group: 'formats.example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: Object.fromEntries(
                    formats.map((f) => [field(f), { type: 'string', format: f }]),
                  ),
                },
              },
            },
          },
        },
      ],
    },
  };
  const widgets = '/apis/formats.example.com/v1/namespaces/default/widgets';

  beforeAll(async () => {
    for (const side of [real, emulated]) {
      const r = await side('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widget);
      expect(r.code, JSON.stringify(r.body)).toBe(201);
    }
    // Served once the real server has established the CRD.
    const deadline = Date.now() + 60_000;
    while ((await real('GET', widgets)).code !== 200) {
      if (Date.now() > deadline) throw new Error('widgets never served');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('are judged by both servers as recorded, with the same Status (no "not checked" line without rules)', async () => {
    const differences: string[] = [];
    for (const [format, value, ok] of JUDGED_FORMATS) {
      const o = {
        apiVersion: 'formats.example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w', namespace: 'default' },
        spec: { [field(format)]: value },
      };
      const r = await real('POST', `${widgets}?dryRun=All`, o);
      const e = await emulated('POST', `${widgets}?dryRun=All`, o);
      if ((r.code === 201) !== ok)
        differences.push(`real server now ${r.code} for ${format} ${JSON.stringify(value)}`);
      if (JSON.stringify(status(e)) !== JSON.stringify(status(r)))
        differences.push(
          `${format} ${JSON.stringify(value)}: real ${r.body.message ?? r.code}, emulator ${e.body.message ?? e.code}`,
        );
      if (r.code === 422) expect(r.body.details.causes).toHaveLength(1);
    }
    expect(differences).toEqual([]);
  });
});

// ---------------------------------------------------------------- numbers and types

const planWith = (template: Obj, extra: Obj = {}): Obj => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: 'ResponsePlan',
  metadata: { name: 'outage', namespace: 'default' },
  spec: { name: 'p', incidentTemplate: { title: 't', impact: 2, ...template }, ...extra },
});

describe('numbers and types as Go decodes them', () => {
  it.each([
    ['a fraction for an integer', planWith({ impact: 1234567.5 })],
    ['a small fraction', planWith({ impact: 0.00001 })],
    ['an integer beyond int64', planWith({ impact: 1e20 })],
    ['an integral float, which is an integer', planWith({ impact: 2.0 })],
    ['a string for an integer', planWith({ impact: '2' })],
    ['a list for an object', planWith({}, { incidentTemplate: [1] })],
    ['an object for a string', planWith({}, { displayName: { a: 1 } })],
    ['a null list item', planWith({}, { engagements: [null] })],
    ['a number for an enum string', planWith({}, { deletionPolicy: 5 })],
    ['a number for a map value', planWith({}, { tags: { a: 5 } })],
    ['201 two-byte characters over a 200 limit', planWith({}, { displayName: 'é'.repeat(201) })],
    ['200 two-byte characters', planWith({}, { displayName: 'é'.repeat(200) })],
    ['a null required field', planWith({ impact: null })],
  ])('%s', async (_what, o) => {
    const r = await real('POST', `${collection(o)}?dryRun=All`, o);
    const e = await emulated('POST', `${collection(o)}?dryRun=All`, o);
    expect(status(e)).toEqual(status(r));
    if (r.code === 201) expect(e.body.spec).toEqual(r.body.spec);
  });
});

// Helm and kustomize templates render an empty map as `{}`: for the runbook's parameter maps it
// means "no parameters" and both servers store it as sent.
it('{} runbook parameters and dynamicParameters are accepted by both servers and kept', async () => {
  const runbook = {
    documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
    roleArn: 'arn:aws:iam::111122223333:role/IncidentManagerRunbookRole',
    parameters: {},
    dynamicParameters: {},
  };
  const o = planWith({}, { runbook });
  const r = await real('POST', `${collection(o)}?dryRun=All`, o);
  const e = await emulated('POST', `${collection(o)}?dryRun=All`, o);
  expect(r.code, JSON.stringify(r.body)).toBe(201);
  expect(e.code, JSON.stringify(e.body)).toBe(201);
  expect(r.body.spec.runbook).toEqual(runbook);
  expect(e.body.spec).toEqual(r.body.spec);
});

// ---------------------------------------------------------------- what kubectl users see

/** The real kubectl against the emulator. */
function emuKubectl(args: string[], stdin?: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const env = {
      ...process.env,
      KUBECONFIG: emuKubeconfig,
      HOME: scratch,
      KUBECACHEDIR: join(scratch, 'cache'),
    };
    const child = execFile('kubectl', args, { env, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

describe('kubectl shows the same refusal from both servers', () => {
  it.each([
    'contact-alias-pattern.yaml',
    'contact-channel-type-enum.yaml',
    'contact-personal-with-rotations.yaml',
    'rotation-coverage-day-twice.yaml',
    'response-plan-dynamic-parameter-enum.yaml',
  ])('kubectl create --dry-run=server -f %s', async (file) => {
    const path = join(FIXTURE_DIRS.create, file);
    const r = await cluster.kubectl(['create', '--dry-run=server', '-f', path]);
    const e = await emuKubectl(['create', '--dry-run=server', '-f', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^The \w+ "[\w-]+" is invalid: /);
    expect({ code: e.code, stderr: e.stderr }).toEqual({ code: r.code, stderr: r.stderr });
  });

  it('kubectl apply of a changed immutable field', async () => {
    const f = fixtures.find((x) => x.file === 'updates/contact-channel-type-changed.yaml');
    if (!f) throw new Error('fixture missing');
    const [stored, changed] = f.docs.map((d) => JSON.stringify(d));
    const outcomes = [];
    for (const run of [cluster.kubectl, emuKubectl]) {
      const first = await run(['apply', '-f', '-'], stored);
      expect(first.code, first.stderr).toBe(0);
      outcomes.push(await run(['apply', '-f', '-'], changed));
      await run(['delete', '-f', '-'], stored);
    }
    expect(outcomes[0]?.code).toBe(1);
    expect(outcomes[0]?.stderr).toContain('channel type is immutable: remove the channel and add a new one');
    expect(outcomes[1]).toEqual(outcomes[0]);
  });
});
