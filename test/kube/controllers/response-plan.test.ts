// ResponsePlan end to end: kube emulator + AWS emulator + the controller in-process (every kind).
// The contacts most plans engage are made straight through the SDK; one lives in another account
// and is shared through RAM. Waits follow watches and the AWS call log.

import { readdirSync, readFileSync } from 'node:fs';
import {
  AcceptResourceShareInvitationCommand,
  CreateResourceShareCommand,
  GetResourceShareInvitationsCommand,
  RAMClient,
} from '@aws-sdk/client-ram';
import { CreateContactCommand, SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  CreateResponsePlanCommand,
  GetResponsePlanCommand,
  ListTagsForResourceCommand,
  SSMIncidentsClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateResponsePlanCommand,
} from '@aws-sdk/client-ssm-incidents';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { readSamples } from '../../../src/cli/commands/demo.ts';
import type { CallRecord } from '../../../src/emulators/aws/observe.ts';
import { createPagerDutySecret } from '../../../src/local/pagerduty-secret.ts';
import { createSamplePrerequisites } from '../../../src/local/sample-prerequisites.ts';
import { condition, isReady, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';

const NS = 'rp-test';
const API = 'incidentmanager.gitops.dev/v1alpha1';
const ARN_ANNOTATION = 'incidentmanager.gitops.dev/external-arn';
const RESYNC_MS = 600_000;
const PARTNER_KEY = 'AKIAI44QH8DHBEXAMPLE'; // account 222222222222 (docs/aws-emulator.md)
const OUTSIDER_KEY = 'AKIAJ3333333EXAMPLE3'; // account 333333333333, not onboarded at first

let op: Operator;
let ACCT: string;
let REGION: string;
const people: Record<string, string> = {};
let partner: string;
const t = (name: string) => `arn:aws:sns:${REGION}:${ACCT}:${name}`;
const role = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;

function sdkFor(accessKeyId: string) {
  const cfg = {
    region: REGION,
    endpoint: op.stack.aws.url,
    credentials: { accessKeyId, secretAccessKey: 'local-emulator' },
  };
  return {
    incidents: new SSMIncidentsClient(cfg),
    contacts: new SSMContactsClient(cfg),
    ram: new RAMClient(cfg),
  };
}

async function personal(contacts: SSMContactsClient, alias: string): Promise<string> {
  const out = await contacts.send(
    new CreateContactCommand({ Alias: alias, Type: 'PERSONAL', Plan: { Stages: [] } }),
  );
  return out.ContactArn as string;
}

function rp(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: API,
    kind: 'ResponsePlan',
    metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) },
    spec: { name, ...spec },
  };
}

const fullSpec = () => ({
  displayName: 'Payments outage',
  incidentTemplate: {
    title: 'Payments down',
    impact: 2,
    summary: 'Card payments are failing.',
    dedupeString: 'payments-outage',
    incidentTags: { team: 'payments', service: 'checkout' },
    notificationTargets: [t('notify-b'), t('notify-a')],
  },
  chatChannel: { snsTopicArns: [t('chat-b'), t('chat-a')] },
  engagements: [{ contactArn: people.alice }, { contactArn: partner }],
  runbook: {
    documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
    documentVersion: '1',
    roleArn: role('IncidentManagerRunbookRole'),
    targetAccount: 'ImpactedAccount',
    parameters: { AutomationAssumeRole: [role('RunbookSteps')], Regions: ['eu-west-1', 'us-east-1'] },
    dynamicParameters: { IncidentRecordArn: 'IncidentRecordARN', Resources: 'InvolvedResources' },
  },
  pagerDuty: { name: 'payments-pagerduty', secretId: 'pagerduty/payments', serviceId: 'PXPAY01' },
  tags: { team: 'payments', env: 'prod' },
});

/** fullSpec's runbook as AWS holds it (`omit`: members left out, e.g. a removed document version). */
function fullAction(omit: string[] = []) {
  const a: Record<string, unknown> = {
    roleArn: role('IncidentManagerRunbookRole'),
    documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
    documentVersion: '1',
    targetAccount: 'IMPACTED_ACCOUNT',
    parameters: { AutomationAssumeRole: [role('RunbookSteps')], Regions: ['eu-west-1', 'us-east-1'] },
    dynamicParameters: {
      IncidentRecordArn: { variable: 'INCIDENT_RECORD_ARN' },
      Resources: { variable: 'INVOLVED_RESOURCES' },
    },
  };
  for (const k of omit) delete a[k];
  return { ssmAutomation: a };
}

async function readBack(arn: string) {
  const p = await op.sdk.incidents.send(new GetResponsePlanCommand({ arn }));
  const tags = await op.sdk.incidents.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  const { $metadata: _m, ...plan } = p;
  return { plan, tags: tags.tags ?? {} };
}

/** Applies and waits until the controller has acted on this generation and the plan is Ready. */
async function applyReady(obj: KubeObject): Promise<KubeObject> {
  const applied = await op.apply(obj);
  const name = obj.metadata.name;
  const seen = await op.waitFor(
    'ResponsePlan',
    name,
    (o) =>
      isReady(o) ||
      (['Creating', 'Updating'].includes(condition(o, 'Ready')?.reason ?? '') &&
        o?.status?.observedGeneration === applied.metadata.generation),
    { namespace: NS },
  );
  // Created or updated: the controller looks again after its first poll (5 s); jump the clock there. If the
  // poll is not scheduled yet this only saves nothing: the wait below is what synchronises.
  if (!isReady(seen)) op.stack.clock.advance(5_000);
  return op.ready('ResponsePlan', name, NS);
}

const arnOf = (o: KubeObject | undefined) =>
  (o?.metadata.annotations as Record<string, string> | undefined)?.[ARN_ANNOTATION] as string;
/** A call's body without the members every call has. */
function body(c: CallRecord | undefined): Record<string, unknown> {
  const { arn: _a, clientToken: _c, resourceArn: _r, ...rest } = (c?.input ?? {}) as Record<string, unknown>;
  return rest;
}

beforeAll(async () => {
  // Every kind runs: the samples' plan engages an escalation plan of contacts and on-call schedules.
  // pollMs: every create and update is confirmed by the engine's next read; the samples' chain of
  // references (rotation → contact → escalation plan → plan) would otherwise take 5 s per link.
  op = await startOperator({ namespace: NS, pollMs: 100 });
  ACCT = op.stack.account;
  REGION = op.stack.region;
  await op.onboard();
  // The plans' PagerDuty secret, set up as the guide asks (checked before each plan write).
  await createPagerDutySecret({
    endpoint: op.stack.aws.url,
    credentials: { accessKeyId: op.stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'local-emulator' },
    region: REGION,
    replicaRegions: [],
    secretId: 'pagerduty/payments',
  });
  for (const a of ['alice', 'bob', 'carol']) people[a] = await personal(op.sdk.contacts, a);
  // A contact of another account, shared with ours through RAM (invitation accepted).
  const other = sdkFor(PARTNER_KEY);
  await other.incidents.send(new CreateReplicationSetCommand({ regions: { [REGION]: {} } }));
  partner = await personal(other.contacts, 'partner-oncall');
  await other.ram.send(
    new CreateResourceShareCommand({ name: 'partner-oncall', resourceArns: [partner], principals: [ACCT] }),
  );
  const inv = await op.sdk.ram.send(new GetResourceShareInvitationsCommand({}));
  await op.sdk.ram.send(
    new AcceptResourceShareInvitationCommand({
      resourceShareInvitationArn: inv.resourceShareInvitations?.[0]?.resourceShareInvitationArn,
    }),
  );
  op.stack.clock.advance(5_000); // the association settles on the emulator's clock
  for (const c of Object.values(other)) c.destroy();
});

afterAll(async () => {
  await op?.stop();
});

describe('ResponsePlan', () => {
  it('creates a plan with every field; AWS reads back as the YAML says', async () => {
    const m = op.mark();
    const obj = await applyReady(rp('payments-full', fullSpec()));
    const arn = arnOf(obj);
    expect(arn).toBe(`arn:aws:ssm-incidents::${ACCT}:response-plan/payments-full`);
    const writes = op.writes(m, 'ssm-incidents');
    expect(writes.map((w) => w.operation)).toEqual(['CreateResponsePlan']);
    expect(writes[0]?.token).toMatch(/^[0-9a-f]{64}$/);

    const { plan, tags } = await readBack(arn);
    const sorted = (xs: string[]) => [...xs].sort();
    expect(plan).toEqual({
      arn,
      name: 'payments-full',
      displayName: 'Payments outage',
      incidentTemplate: {
        title: 'Payments down',
        impact: 2,
        summary: 'Card payments are failing.',
        dedupeString: 'payments-outage',
        incidentTags: { team: 'payments', service: 'checkout' },
        notificationTargets: sorted([t('notify-a'), t('notify-b')]).map((snsTopicArn) => ({ snsTopicArn })),
      },
      chatChannel: { chatbotSns: sorted([t('chat-a'), t('chat-b')]) },
      engagements: sorted([people.alice as string, partner]),
      actions: [fullAction()],
      integrations: [
        {
          pagerDutyConfiguration: {
            name: 'payments-pagerduty',
            secretId: 'pagerduty/payments',
            pagerDutyIncidentConfiguration: { serviceId: 'PXPAY01' },
          },
        },
      ],
    });
    expect(tags).toMatchObject({
      team: 'payments',
      env: 'prod',
      'incidentmanager-gitops-dev/name': 'payments-full',
    });
    expect(obj.status?.arn).toBe(arn);
    expect(obj.status?.engagementArns).toEqual(sorted([people.alice as string, partner]));
    expect(condition(obj, 'Synced')?.reason).toBe('ReconcileSuccess');
  });

  // Each field's own minimal write is the unit tier's table (test/unit/controllers/response-plan/
  // mapping.test.ts); here one update round trip through the SDK and the call log.
  it('an update is one write holding just the changes, and AWS reads back the new plan', async () => {
    const spec = fullSpec();
    spec.incidentTemplate.title = 'Payments failing';
    spec.engagements.push({ contactArn: people.bob as string });
    delete (spec as Partial<typeof spec>).pagerDuty;
    const m = op.mark();
    const obj = await applyReady(rp('payments-full', spec));
    const writes = op.writes(m);
    expect(writes.map((w) => w.operation)).toEqual(['UpdateResponsePlan']);
    expect(body(writes[0])).toEqual({
      incidentTemplateTitle: 'Payments failing',
      engagements: [people.alice, people.bob, partner].sort(),
      integrations: [],
    });
    const { plan } = await readBack(arnOf(obj));
    expect(plan.incidentTemplate?.title).toBe('Payments failing');
    expect(plan.engagements).toEqual([people.alice, people.bob, partner].sort());
    expect(plan.integrations ?? []).toEqual([]);
  });

  it('drift on every field is corrected at the next resync: one update, one tag, one untag', async () => {
    const obj = await applyReady(rp('payments-drift', fullSpec()));
    const arn = arnOf(obj);
    const before = op.mark();
    // Someone edits the plan in the console: every field at once.
    await op.sdk.incidents.send(
      new UpdateResponsePlanCommand({
        arn,
        displayName: 'Other',
        incidentTemplateTitle: 'Other',
        incidentTemplateImpact: 5,
        incidentTemplateSummary: '',
        incidentTemplateDedupeString: 'x',
        incidentTemplateTags: { team: 'x' },
        incidentTemplateNotificationTargets: [],
        chatChannel: { empty: {} },
        engagements: [people.carol as string],
        actions: [],
        integrations: [],
      }),
    );
    await op.sdk.incidents.send(
      new TagResourceCommand({ resourceArn: arn, tags: { env: 'dev', extra: 'x' } }),
    );
    await op.sdk.incidents.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
    const drifted = op.mark();

    // The resync: the controller's and the emulator's shared clock jumps past it.
    op.stack.clock.advance(RESYNC_MS + 60_000);
    const controllerWrite = (name: string) => (c: CallRecord) =>
      c.operation === name && c.outcome === 'ok' && c.seq > drifted;
    const update = await op.nextCall(controllerWrite('UpdateResponsePlan'));
    const untag = await op.nextCall(controllerWrite('UntagResource'));
    const tag = await op.nextCall(controllerWrite('TagResource'));
    expect(body(update)).toEqual({
      displayName: 'Payments outage',
      incidentTemplateTitle: 'Payments down',
      incidentTemplateImpact: 2,
      incidentTemplateSummary: 'Card payments are failing.',
      incidentTemplateDedupeString: 'payments-outage',
      incidentTemplateTags: { service: 'checkout', team: 'payments' },
      incidentTemplateNotificationTargets: [{ snsTopicArn: t('notify-a') }, { snsTopicArn: t('notify-b') }],
      chatChannel: { chatbotSns: [t('chat-a'), t('chat-b')] },
      engagements: [people.alice, partner].sort(),
      actions: [fullAction()],
      integrations: [
        {
          pagerDutyConfiguration: {
            name: 'payments-pagerduty',
            secretId: '***', // the call log redacts members named like secrets
            pagerDutyIncidentConfiguration: { serviceId: 'PXPAY01' },
          },
        },
      ],
    });
    expect(body(untag)).toEqual({ tagKeys: ['extra'] });
    expect(body(tag)).toEqual({ tags: { env: 'prod', team: 'payments' } });
    expect(
      op
        .writes(before)
        .filter((w) => w.seq > drifted)
        .map((w) => w.operation),
    ).toEqual(['UpdateResponsePlan', 'UntagResource', 'TagResource']);
    // AWS is back to the YAML.
    const { plan, tags } = await readBack(arn);
    expect(plan.displayName).toBe('Payments outage');
    expect(plan.incidentTemplate?.impact).toBe(2);
    expect(plan.integrations?.[0]?.pagerDutyConfiguration?.secretId).toBe('pagerduty/payments');
    expect(tags).toMatchObject({ team: 'payments', env: 'prod' });
    expect(tags).not.toHaveProperty('extra');
  });

  it('steady state: a resync reads the plan and its tags, and writes nothing', async () => {
    const arn = arnOf(await op.ready('ResponsePlan', 'payments-drift', NS));
    const m = op.mark();
    op.stack.clock.advance(RESYNC_MS + 60_000);
    const about = (c: CallRecord) => JSON.stringify(c.input).includes(`"${arn}"`);
    await op.nextCall((c) => c.operation === 'ListTagsForResource' && about(c), { since: m });
    expect(
      op
        .calls({ since: m })
        .filter(about)
        .map((c) => c.operation),
    ).toEqual(['GetResponsePlan', 'ListTagsForResource']);
    expect(op.writes(m).filter(about)).toEqual([]);
  });

  it('adopts an existing plan named by the external-arn annotation, sending only what differs', async () => {
    const created = await op.sdk.incidents.send(
      new CreateResponsePlanCommand({
        name: 'adopted',
        displayName: 'Made by hand',
        incidentTemplate: { title: 'Adopted', impact: 3 },
        engagements: [people.carol as string],
        tags: { owner: 'sre' },
      }),
    );
    const arn = created.arn as string;
    const spec = {
      displayName: 'Adopted plan',
      incidentTemplate: { title: 'Adopted', impact: 3 },
      engagements: [{ contactArn: people.carol }],
      tags: { owner: 'sre' },
    };
    const m = op.mark();
    const obj = await applyReady(rp('adopted', spec, { [ARN_ANNOTATION]: arn }));
    expect(arnOf(obj)).toBe(arn);
    const writes = op.writes(m);
    expect(writes.map((w) => w.operation)).toEqual(['UpdateResponsePlan']);
    expect(body(writes[0])).toEqual({ displayName: 'Adopted plan' });
  });

  it('a create interrupted before the ARN was recorded: the plan is found by name and its tags, and adopted', async () => {
    await op.stack.stopController();
    try {
      const applied = await op.apply(rp('interrupted', { incidentTemplate: { title: 'Crash', impact: 3 } }));
      // What a controller killed right after CreateResponsePlan leaves behind: the pending mark on
      // the object, and in AWS a plan carrying the object's identity tags.
      await op.client.request(
        'PATCH',
        `/apis/${API}/namespaces/${NS}/responseplans/interrupted`,
        { metadata: { annotations: { 'incidentmanager.gitops.dev/create-pending': 'crashed-1' } } },
        'application/merge-patch+json',
      );
      await op.sdk.incidents.send(
        new CreateResponsePlanCommand({
          name: 'interrupted',
          incidentTemplate: { title: 'Crash', impact: 3 },
          tags: {
            'incidentmanager.gitops.dev/kind': 'ResponsePlan',
            'incidentmanager.gitops.dev/name': 'interrupted',
            'incidentmanager.gitops.dev/namespace': NS,
            'incidentmanager.gitops.dev/uid': applied.metadata.uid as string,
          },
        }),
      );
    } finally {
      await op.stack.startController();
    }
    const m = op.mark();
    const obj = await op.ready('ResponsePlan', 'interrupted', NS);
    expect(arnOf(obj)).toBe(`arn:aws:ssm-incidents::${ACCT}:response-plan/interrupted`);
    expect(obj.metadata.annotations).not.toHaveProperty('incidentmanager.gitops.dev/create-pending');
    expect(op.writes(m, 'ssm-incidents')).toEqual([]);
    const events = await op.events('ResponsePlan', 'interrupted', NS);
    expect(events.map((e) => e.reason)).toContain('Adopted');
  });

  it('managementPolicy Observe: drift is reported, nothing is written', async () => {
    const created = await op.sdk.incidents.send(
      new CreateResponsePlanCommand({ name: 'watched', incidentTemplate: { title: 'Watched', impact: 3 } }),
    );
    const m = op.mark();
    await op.apply(
      rp(
        'watched',
        { managementPolicy: 'Observe', incidentTemplate: { title: 'Watched', impact: 1 } },
        { [ARN_ANNOTATION]: created.arn as string },
      ),
    );
    const obj = await op.waitFor(
      'ResponsePlan',
      'watched',
      (o) => condition(o, 'Synced')?.reason === 'DriftDetected',
      {
        namespace: NS,
      },
    );
    expect(condition(obj, 'Synced')?.message).toContain('spec.incidentTemplate.impact');
    expect(op.writes(m)).toEqual([]);
  });

  it('refuses to take over a same-named plan it did not create (no annotation): no AWS write', async () => {
    await op.sdk.incidents.send(
      new CreateResponsePlanCommand({ name: 'foreign', incidentTemplate: { title: 'Foreign', impact: 4 } }),
    );
    const m = op.mark();
    await op.apply(rp('foreign', { incidentTemplate: { title: 'Mine', impact: 4 } }));
    const obj = await op.waitFor(
      'ResponsePlan',
      'foreign',
      (o) => condition(o, 'Synced')?.reason === 'AlreadyExists',
      {
        namespace: NS,
      },
    );
    expect(condition(obj, 'Ready')?.reason).toBe('AlreadyExists');
    expect(condition(obj, 'Synced')?.message).toContain('already exists');
    expect(condition(obj, 'Synced')?.message).toContain(ARN_ANNOTATION);
    expect(op.writes(m)).toEqual([]);
  });

  it('a missing contact: Ready=False ReferencesNotReady naming it, no AWS write; created once the Contact is Ready', async () => {
    const m = op.mark();
    await op.apply(
      rp('needs-nobody', {
        incidentTemplate: { title: 'x', impact: 3 },
        engagements: [{ contactRef: { name: 'nobody' } }],
      }),
    );
    const obj = await op.waitFor(
      'ResponsePlan',
      'needs-nobody',
      (o) => condition(o, 'Ready')?.reason === 'ReferencesNotReady',
      { namespace: NS },
    );
    expect(condition(obj, 'Ready')?.status).toBe('False');
    expect(condition(obj, 'Ready')?.message).toContain(
      `spec.engagements[0].contactRef: Contact ${NS}/nobody does not exist`,
    );
    expect(op.writes(m)).toEqual([]);

    // The contact appears (the Contact controller makes it); the plan follows at once.
    await op.apply({
      apiVersion: API,
      kind: 'Contact',
      metadata: { name: 'nobody', namespace: NS },
      spec: { alias: 'nobody', type: 'Personal', displayName: 'No Body' },
    });
    const contact = await op.ready('Contact', 'nobody', NS);
    const plan = await op.ready('ResponsePlan', 'needs-nobody', NS);
    expect((await readBack(arnOf(plan))).plan.engagements).toEqual([arnOf(contact)]);
    expect(plan.status?.engagementArns).toEqual([arnOf(contact)]);
  });

  it('a reference resolved late: the plan is created as soon as the escalation plan is Ready', async () => {
    const m = op.mark();
    await op.apply(
      rp('late', {
        incidentTemplate: { title: 'Late', impact: 3 },
        engagements: [{ escalationPlanRef: { name: 'late-escalation' } }, { contactArn: people.alice }],
      }),
    );
    const waiting = await op.waitFor(
      'ResponsePlan',
      'late',
      (o) => condition(o, 'Ready')?.reason === 'ReferencesNotReady',
      { namespace: NS },
    );
    expect(condition(waiting, 'Ready')?.message).toContain(
      `EscalationPlan ${NS}/late-escalation does not exist`,
    );
    expect(op.writes(m, 'ssm-incidents')).toEqual([]);

    await op.apply({
      apiVersion: API,
      kind: 'EscalationPlan',
      metadata: { name: 'late-escalation', namespace: NS },
      spec: {
        alias: 'late-escalation',
        stages: [{ durationInMinutes: 5, targets: [{ contactArn: people.bob }] }],
      },
    });
    const esc = await op.ready('EscalationPlan', 'late-escalation', NS);
    const plan = await op.ready('ResponsePlan', 'late', NS);
    const { plan: aws } = await readBack(arnOf(plan));
    expect(aws.engagements).toEqual([people.alice, arnOf(esc)].sort());
  });

  it("waits for the account's replication set to be ACTIVE, then creates the plan", async () => {
    await op.apply({
      apiVersion: API,
      kind: 'AWSAccount',
      metadata: { name: 'outsider' },
      spec: { accountId: '333333333333', region: REGION, roleArn: 'arn:aws:iam::333333333333:role/operator' },
    });
    await op.waitFor('AWSAccount', 'outsider', isReady);
    const m = op.mark();
    await op.apply(
      rp('outsider-plan', { accountRef: { name: 'outsider' }, incidentTemplate: { title: 'x', impact: 3 } }),
    );
    const waiting = await op.waitFor(
      'ResponsePlan',
      'outsider-plan',
      (o) => condition(o, 'Ready')?.reason === 'ReplicationSetNotReady',
      { namespace: NS },
    );
    expect(condition(waiting, 'Ready')?.status).toBe('False');
    expect(condition(waiting, 'Ready')?.message).toContain('not onboarded');
    expect(op.calls({ since: m, operation: 'CreateResponsePlan' })).toEqual([]);

    const outsider = sdkFor(OUTSIDER_KEY);
    await outsider.incidents.send(new CreateReplicationSetCommand({ regions: { [REGION]: {} } }));
    outsider.incidents.destroy();
    op.stack.clock.advance(60_000); // the plan looks again within a minute
    const ready = await op.ready('ResponsePlan', 'outsider-plan', NS);
    expect(arnOf(ready)).toBe('arn:aws:ssm-incidents::333333333333:response-plan/outsider-plan');
  });

  it('a runbook role AWS refuses: the AWS message in the condition, no retry loop, fixed by the spec', async () => {
    const bad = 'arn:aws:iam::999999999999:role/NotOurs';
    const runbook = { documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate', roleArn: bad };
    const spec = (roleArn: string) => ({
      incidentTemplate: { title: 'x', impact: 3 },
      runbook: { ...runbook, roleArn },
    });
    const refused = (o: KubeObject | undefined) =>
      condition(o, 'Synced')?.reason === 'AccessDenied' &&
      condition(o, 'Synced')?.observedGeneration === o?.metadata.generation;
    const expectAwsMessage = (o: KubeObject | undefined) => {
      const msg = condition(o, 'Synced')?.message ?? '';
      expect(msg).toContain('spec.runbook.roleArn');
      expect(msg).toContain(`is not authorized to perform: iam:PassRole on resource: ${bad}`);
    };

    // On create.
    await op.apply(rp('bad-role', spec(bad)));
    expectAwsMessage(await op.waitFor('ResponsePlan', 'bad-role', refused, { namespace: NS }));
    await applyReady(rp('bad-role', spec(role('Good'))));

    // On update: one refused call, none more when the clock passes every error backoff (≤ 5 min)
    // short of the resync, then the fixed spec goes through.
    const m = op.mark();
    await op.apply(rp('bad-role', spec(bad)));
    expectAwsMessage(await op.waitFor('ResponsePlan', 'bad-role', refused, { namespace: NS }));
    op.stack.clock.advance(5 * 60_000 + 1_000);
    await applyReady(rp('bad-role', spec(role('Better'))));
    const updates = op.calls({ since: m, operation: 'UpdateResponsePlan' });
    expect(updates.map((c) => c.outcome)).toEqual(['error', 'ok']);
    expect(updates[0]?.errorCode).toBe('AccessDeniedException');
  });

  it('deletion: Retain leaves the AWS plan, Delete removes it', async () => {
    const retained = await applyReady(
      rp('keep-me', { deletionPolicy: 'Retain', incidentTemplate: { title: 'Keep', impact: 4 } }),
    );
    const deleted = await applyReady(rp('drop-me', { incidentTemplate: { title: 'Drop', impact: 4 } }));
    const m = op.mark();
    await op.remove('ResponsePlan', 'keep-me', NS);
    await op.remove('ResponsePlan', 'drop-me', NS);
    await op.gone('ResponsePlan', 'keep-me', NS);
    await op.gone('ResponsePlan', 'drop-me', NS);
    expect((await readBack(arnOf(retained))).plan.name).toBe('keep-me');
    await expect(
      op.sdk.incidents.send(new GetResponsePlanCommand({ arn: arnOf(deleted) })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(op.writes(m, 'ssm-incidents').map((w) => [w.operation, body(w)])).toEqual([
      ['DeleteResponsePlan', {}],
    ]);
    const warned = (await op.events('ResponsePlan', 'drop-me', NS)).find(
      (e) => e.reason === 'ResponsePlanDeleted',
    );
    expect(warned?.type).toBe('Warning');
    expect(warned?.message).toContain('EventBridge rules');
  });

  it('round trip: the sample response plan, read back through the SDK, matches its YAML field for field', async () => {
    const dir = 'config/samples';
    await createSamplePrerequisites(op.stack.env, readSamples(dir));
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.yaml'))
      .sort())
      await op.applyFile(`${dir}/${f}`, NS);
    const sample = parseAllDocuments(readFileSync(`${dir}/07-response-plan.yaml`, 'utf8'))
      .map((d) => d.toJS() as KubeObject)
      .find((o) => o?.kind === 'ResponsePlan') as KubeObject;
    const obj = await op.waitFor('ResponsePlan', sample.metadata.name, isReady, {
      namespace: NS,
      timeoutMs: 90_000,
    });
    const esc = await op.ready('EscalationPlan', sample.spec.engagements[0].escalationPlanRef.name, NS);
    // The team's runbook exists with the types the bindings need: nothing to warn about.
    const typed = condition(obj, 'RunbookParametersTyped');
    expect(typed).toMatchObject({ status: 'True', reason: 'RunbookParametersTyped' });

    // Read as the plan's account would: the AWSAccount's role, assumed through STS.
    const account = parseAllDocuments(readFileSync(`${dir}/00-awsaccounts.yaml`, 'utf8'))
      .map((d) => d.toJS() as KubeObject)
      .find((o) => o.metadata.name === sample.spec.accountRef.name) as KubeObject;
    const sts = new STSClient({ region: account.spec.region, endpoint: op.stack.aws.url });
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: account.spec.roleArn,
        RoleSessionName: 'round-trip',
        ExternalId: account.spec.externalId,
      }),
    );
    sts.destroy();
    const incidents = new SSMIncidentsClient({
      region: account.spec.region,
      endpoint: op.stack.aws.url,
      credentials: {
        accessKeyId: c?.AccessKeyId as string,
        secretAccessKey: c?.SecretAccessKey as string,
        sessionToken: c?.SessionToken as string,
      },
    });
    const arn = arnOf(obj);
    const { $metadata: _m, ...got } = await incidents.send(new GetResponsePlanCommand({ arn }));
    const { tags } = await incidents.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    incidents.destroy();

    // The YAML in AWS terms, written out by hand here (not through the controller's mapping).
    const s = sample.spec;
    const it = s.incidentTemplate;
    const rb = s.runbook;
    const sorted = (xs: string[]) => [...xs].sort();
    expect(arn).toBe(`arn:aws:ssm-incidents::${account.spec.accountId}:response-plan/${s.name}`);
    expect({
      ...got,
      chatChannel: { chatbotSns: sorted(got.chatChannel?.chatbotSns ?? []) },
      incidentTemplate: {
        ...got.incidentTemplate,
        notificationTargets: sorted(
          (got.incidentTemplate?.notificationTargets ?? []).map((n) => n.snsTopicArn as string),
        ),
      },
    }).toEqual({
      arn,
      name: s.name,
      displayName: s.displayName,
      incidentTemplate: {
        title: it.title,
        impact: it.impact,
        summary: it.summary,
        dedupeString: it.dedupeString,
        incidentTags: it.incidentTags,
        notificationTargets: sorted(it.notificationTargets),
      },
      chatChannel: { chatbotSns: sorted(s.chatChannel.snsTopicArns) },
      engagements: [arnOf(esc)],
      actions: [
        {
          ssmAutomation: {
            documentName: rb.documentName,
            documentVersion: rb.documentVersion,
            roleArn: rb.roleArn,
            targetAccount: {
              ResponsePlanOwnerAccount: 'RESPONSE_PLAN_OWNER_ACCOUNT',
              ImpactedAccount: 'IMPACTED_ACCOUNT',
            }[rb.targetAccount as string],
            parameters: rb.parameters,
            dynamicParameters: Object.fromEntries(
              Object.entries(rb.dynamicParameters as Record<string, string>).map(([k, v]) => [
                k,
                {
                  variable: {
                    IncidentRecordARN: 'INCIDENT_RECORD_ARN',
                    InvolvedResources: 'INVOLVED_RESOURCES',
                  }[v],
                },
              ]),
            ),
          },
        },
      ],
      integrations: [
        {
          pagerDutyConfiguration: {
            name: s.pagerDuty.name,
            secretId: s.pagerDuty.secretId,
            pagerDutyIncidentConfiguration: { serviceId: s.pagerDuty.serviceId },
          },
        },
      ],
    });
    expect(tags).toMatchObject(s.tags);
  });
});
