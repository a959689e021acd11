// Contact end to end: kube emulator + AWS emulator + the controller in-process (Contact and
// EscalationPlan kinds). Personal contacts with channels, engagement plans and activation through
// a Secret; an on-call schedule over rotations made through the SDK; blocked deletion; the samples.

import {
  CreateContactChannelCommand,
  CreateContactCommand,
  CreateRotationCommand,
  DeactivateContactChannelCommand,
  DeleteContactChannelCommand,
  GetContactCommand,
  ListContactChannelsCommand,
  ListContactsCommand,
  ListTagsForResourceCommand,
  SendActivationCodeCommand,
  SSMContactsClient,
  UpdateContactCommand,
} from '@aws-sdk/client-ssm-contacts';
import { CreateReplicationSetCommand, SSMIncidentsClient } from '@aws-sdk/client-ssm-incidents';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import { module as escalationPlanModule } from '../../../src/controllers/escalation-plan/index.ts';
import { module as rotationModule } from '../../../src/controllers/rotation/index.ts';
import { identityTags } from '../../../src/engine/identity.ts';
import { KubeClient } from '../../../src/engine/kube.ts';
import { condition, type KubeObject, type Operator, startOperator, typeOf } from '../../support/operator.ts';
import { contactSharedWithUs } from '../../support/shared-contact.ts';

const NS = 'contact-test';
const API = 'incidentmanager.gitops.dev/v1alpha1';
let op: Operator;

function secret(name: string, data: Record<string, string>, ns = NS): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    type: 'Opaque',
    stringData: data,
  };
}

function contactObject(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: API, kind: 'Contact', metadata: { name, namespace: NS }, spec };
}

const alice = (): KubeObject =>
  contactObject('alice', {
    alias: 'alice',
    displayName: 'Alice Byrne',
    type: 'Personal',
    channels: [
      {
        name: 'alice-sms',
        type: 'SMS',
        address: '+353855550101',
        activationCodeSecretRef: { name: 'codes', key: 'alice-sms' },
      },
      {
        name: 'alice-email',
        type: 'Email',
        address: 'alice@example.com',
        deferActivation: true,
        activationCodeSecretRef: { name: 'codes', key: 'alice-email' },
      },
    ],
    engagementPlan: {
      stages: [
        { durationInMinutes: 5, targets: [{ channelName: 'alice-sms', retryIntervalInMinutes: 2 }] },
        { durationInMinutes: 0, targets: [{ channelName: 'alice-email' }] },
      ],
    },
    tags: { team: 'payments' },
  });

/** The code the emulator "sent" to a channel (the device's inbox), from its state dump. */
function inbox(channelArn: string): string | undefined {
  const dump = op.stack.aws.admin.dump() as Record<
    string,
    { channels?: Record<string, { activationCode?: string }> }
  >;
  for (const part of Object.values(dump)) {
    const ch = part.channels?.[channelArn];
    if (ch) return ch.activationCode;
  }
  return undefined;
}

const channelOf = (o: KubeObject | undefined, name: string) =>
  (o?.status?.channels as { name: string; arn?: string; activationStatus?: string }[] | undefined)?.find(
    (c) => c.name === name,
  );

async function awsContact(arn: string, sdk: SSMContactsClient = op.sdk.contacts) {
  const c = await sdk.send(new GetContactCommand({ ContactId: arn }));
  const ch = await sdk.send(new ListContactChannelsCommand({ ContactId: arn }));
  const t = await sdk.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return {
    ...c,
    channels: ch.ContactChannels ?? [],
    tags: Object.fromEntries((t.Tags ?? []).map((x) => [x.Key, x.Value])),
  };
}

let pokes = 0;
/**
 * Makes the controller visit the object now (a label change is enqueued like a resync would be;
 * no clock jump whose timer might not be armed yet).
 */
async function poke(name: string): Promise<void> {
  await op.client.request(
    'PATCH',
    KubeClient.objectPath(typeOf('Contact'), name, NS),
    { metadata: { labels: { 'test/poke': String(++pokes) } } },
    'application/merge-patch+json',
  );
}

/**
 * One whole visit of the contact after now: two pokes, the second after the first visit has read
 * the contact, so the second read means the first visit (and any write it made) is over.
 */
async function fullVisit(name: string, arn: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const since = op.mark();
    await poke(name);
    await op.nextCall(
      (c) => c.operation === 'GetContact' && (c.input as { ContactId?: string }).ContactId === arn,
      { since },
    );
  }
}

/** Every Event, the whole object and the controller's log, as text: codes must appear in none. */
async function visibleText(name: string): Promise<string> {
  return JSON.stringify([await op.get('Contact', name), await op.events('Contact', name), logLines]);
}

/** Rate limits are not under test here (the gate has its own tests): the 5 calls/s default only slows this file. */
const FAST_GATE = { 'ssm-contacts': { concurrency: 10, intervalCap: 50, intervalMs: 1_000 } };

/** Everything the controller logs (debug and up), to check that codes never reach the logs. */
const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

beforeAll(async () => {
  op = await startOperator({
    logger,
    modules: [contactModule, escalationPlanModule, rotationModule],
    namespace: NS,
    pollMs: 100,
    gateLimits: FAST_GATE,
  });
  await op.onboard();
}, 60_000);

afterAll(async () => {
  await op?.stop();
});

describe('Contact (Personal)', () => {
  let arn = '';

  it('creates the contact, its channels (deferred or with a code sent) and then the plan in one UpdateContact', async () => {
    await op.apply(secret('codes', { 'alice-sms': 'PLACEHOLDER', 'alice-email': 'PLACEHOLDER' }));
    const since = op.mark();
    await op.apply(alice());
    const obj = await op.ready('Contact', 'alice');
    arn = obj.status.arn;
    const writes = op.writes(since);
    expect(writes.map((w) => w.operation)).toEqual([
      'CreateContact',
      'CreateContactChannel',
      'CreateContactChannel',
      'UpdateContact',
    ]);
    expect(writes[0]?.token).toMatch(/^[0-9a-f]{64}$/);
    expect(writes[0]?.input).toMatchObject({ Alias: 'alice', Type: 'PERSONAL', Plan: { Stages: [] } });
    expect(writes[1]?.input).toMatchObject({ Name: 'alice-sms', DeferActivation: false });
    expect(writes[2]?.input).toMatchObject({ Name: 'alice-email', DeferActivation: true });

    const aws = await awsContact(arn);
    const byName = Object.fromEntries(aws.channels.map((c) => [c.Name, c.ContactChannelArn]));
    expect(aws).toMatchObject({ Alias: 'alice', DisplayName: 'Alice Byrne', Type: 'PERSONAL' });
    expect(aws.Plan?.Stages).toEqual([
      {
        DurationInMinutes: 5,
        Targets: [
          { ChannelTargetInfo: { ContactChannelId: byName['alice-sms'], RetryIntervalInMinutes: 2 } },
        ],
      },
      { DurationInMinutes: 0, Targets: [{ ChannelTargetInfo: { ContactChannelId: byName['alice-email'] } }] },
    ]);
    expect(aws.tags).toMatchObject({ team: 'payments', 'incidentmanager-gitops-dev/uid': obj.metadata.uid });
    expect(obj.status.channels).toEqual([
      { name: 'alice-email', arn: byName['alice-email'], type: 'Email', activationStatus: 'NotActivated' },
      { name: 'alice-sms', arn: byName['alice-sms'], type: 'SMS', activationStatus: 'NotActivated' },
    ]);
    // A code went to the SMS device, none to the deferred email channel.
    expect(inbox(byName['alice-sms'] as string)).toMatch(/^[0-9]{6}$/);
    expect(inbox(byName['alice-email'] as string)).toBeUndefined();
    expect(obj.status.lastActivationCodeSentTime).toBeDefined();
  });

  it('activates a channel with the code put into its Secret; the code shows nowhere', async () => {
    const obj = await op.get('Contact', 'alice');
    const sms = channelOf(obj, 'alice-sms')?.arn as string;
    const code = inbox(sms) as string;
    const since = op.mark();
    await op.apply(secret('codes', { 'alice-sms': code, 'alice-email': 'PLACEHOLDER' }));
    await op.waitFor('Contact', 'alice', (o) => channelOf(o, 'alice-sms')?.activationStatus === 'Activated');
    expect(op.writes(since).map((w) => w.operation)).toEqual(['ActivateContactChannel']);
    expect(JSON.stringify(op.writes(since))).not.toContain(code);
    expect(logLines.length).toBeGreaterThan(0);
    expect(await visibleText('alice')).not.toContain(code);
  });

  it("a wrong code is the channel's problem: ChannelsActivated names it, Ready stays True, and it is not sent again until the Secret changes", async () => {
    const email = channelOf(await op.get('Contact', 'alice'), 'alice-email')?.arn as string;
    const sms = channelOf(await op.get('Contact', 'alice'), 'alice-sms')?.arn as string;
    const since = op.mark();
    await op.apply(secret('codes', { 'alice-sms': inbox(sms) ?? '111111', 'alice-email': '000000' }));
    const failed = await op.waitFor(
      'Contact',
      'alice',
      (o) => condition(o, 'ChannelsActivated')?.reason === 'ActivationCodeRejected',
    );
    const msg = condition(failed, 'ChannelsActivated')?.message ?? '';
    expect(condition(failed, 'ChannelsActivated')?.status).toBe('False');
    expect(msg).toContain('spec.channels[1] alice-email');
    expect(msg).toContain(`Secret ${NS}/codes key alice-email`);
    // The contact exists and pages through its SMS channel: Ready and Synced are about that.
    const settled = await op.ready('Contact', 'alice');
    expect(condition(settled, 'Synced')?.status).toBe('True');
    expect(condition(settled, 'Engageable')).toMatchObject({
      status: 'True',
      message: 'Engaged through alice-sms',
    });
    expect(channelOf(settled, 'alice-sms')?.activationStatus).toBe('Activated');
    const warning = (await op.events('Contact', 'alice')).find((e) => e.reason === 'ActivationCodeRejected');
    expect(warning).toMatchObject({ type: 'Warning' });
    const activations = () => op.calls({ operation: 'ActivateContactChannel', since }).length;
    expect(activations()).toBe(1);

    // Other changes and resyncs go on, but the rejected code is not sent again.
    const tagged = alice();
    tagged.spec.tags = { team: 'payments', tier: 'one' };
    await op.apply(tagged);
    await op.waitFor(
      'Contact',
      'alice',
      (o) =>
        o?.status?.observedGeneration === o?.metadata.generation && condition(o, 'Ready')?.status === 'True',
    );
    expect(op.calls({ operation: 'TagResource', since })).toHaveLength(1);
    await fullVisit('alice', settled.status.arn); // another visit, as at a resync
    expect(activations()).toBe(1);
    expect(await visibleText('alice')).not.toContain('000000');

    // A new code in the Secret: tried at once, and the channel activates.
    await op.sdk.contacts.send(new SendActivationCodeCommand({ ContactChannelId: email }));
    await op.apply(secret('codes', { 'alice-sms': 'PLACEHOLDER', 'alice-email': inbox(email) as string }));
    const ok = await op.waitFor(
      'Contact',
      'alice',
      (o) => condition(o, 'ChannelsActivated')?.reason === 'AllChannelsActivated',
    );
    expect(channelOf(ok, 'alice-email')?.activationStatus).toBe('Activated');
    expect(activations()).toBe(2);
  });

  it('a channel deactivated outside Kubernetes (UNSUBSCRIBE) shows in status; the used code is not sent again', async () => {
    const email = channelOf(await op.get('Contact', 'alice'), 'alice-email')?.arn as string;
    const since = op.mark();
    await op.sdk.contacts.send(new DeactivateContactChannelCommand({ ContactChannelId: email }));
    await poke('alice'); // as the next resync would
    await op.waitFor(
      'Contact',
      'alice',
      (o) => channelOf(o, 'alice-email')?.activationStatus === 'NotActivated',
    );
    const after = await op.waitFor(
      'Contact',
      'alice',
      (o) => condition(o, 'ChannelsActivated')?.reason === 'ChannelDeactivated',
    );
    // The code in the Secret was used: it is not sent again, and the way out is named.
    const message = condition(after, 'ChannelsActivated')?.message ?? '';
    expect(message).toContain('spec.channels[1] alice-email: was activated and is not any more');
    expect(message).toContain('replies START');
    expect(message).toContain(`send-activation-code --contact-channel-id ${email}`);
    expect(condition(after, 'Ready')?.status).toBe('True');
    const warning = (await op.events('Contact', 'alice')).find((e) => e.reason === 'ChannelDeactivated');
    expect(warning).toMatchObject({ type: 'Warning' });
    await fullVisit('alice', after?.status.arn);
    expect(op.writes(since).map((w) => w.operation)).toEqual(['DeactivateContactChannel']);
  });

  it('sends one minimal AWS write per single-field change', async () => {
    const step = async (mutate: (o: KubeObject) => void) => {
      const o = alice();
      o.spec.tags = { team: 'payments', tier: 'one' };
      mutate(o);
      const since = op.mark();
      await op.apply(o);
      await op.ready('Contact', 'alice');
      return op.writes(since).map((c) => ({ op: c.operation, input: c.input }));
    };
    expect(await step((o) => (o.spec.displayName = 'Alice B.'))).toEqual([
      { op: 'UpdateContact', input: { ContactId: arn, DisplayName: 'Alice B.' } },
    ]);
    const dur = await step((o) => {
      o.spec.displayName = 'Alice B.';
      o.spec.engagementPlan.stages[0].durationInMinutes = 10;
    });
    expect(dur.map((w) => w.op)).toEqual(['UpdateContact']);
    expect(Object.keys(dur[0]?.input as object).sort()).toEqual(['ContactId', 'Plan']);
    const tag = await step((o) => {
      o.spec.displayName = 'Alice B.';
      o.spec.engagementPlan.stages[0].durationInMinutes = 10;
      o.spec.tags = { team: 'payments' };
    });
    expect(tag).toEqual([{ op: 'UntagResource', input: { ResourceARN: arn, TagKeys: ['tier'] } }]);
    // A new address must be proven again: the update and one code to the new device.
    const address = await step((o) => {
      o.spec.displayName = 'Alice B.';
      o.spec.engagementPlan.stages[0].durationInMinutes = 10;
      o.spec.tags = { team: 'payments' };
      o.spec.channels[0].address = '+353855550199';
    });
    expect(address.map((w) => w.op)).toEqual(['UpdateContactChannel', 'SendActivationCode']);
    await op.waitFor(
      'Contact',
      'alice',
      (o) => channelOf(o, 'alice-sms')?.activationStatus === 'NotActivated',
    );
    // Channels come and go one call each (a channel the plan does not name).
    const sameAsBefore = (o: KubeObject) => {
      o.spec.displayName = 'Alice B.';
      o.spec.engagementPlan.stages[0].durationInMinutes = 10;
      o.spec.tags = { team: 'payments' };
      o.spec.channels[0].address = '+353855550199';
    };
    const added = await step((o) => {
      sameAsBefore(o);
      o.spec.channels.push({
        name: 'alice-voice',
        type: 'Voice',
        address: '+353855550102',
        deferActivation: true,
      });
    });
    expect(added.map((w) => w.op)).toEqual(['CreateContactChannel']);
    expect(added[0]?.input).toMatchObject({ Name: 'alice-voice', Type: 'VOICE', DeferActivation: true });
    const shown = await op.waitFor('Contact', 'alice', (o) => channelOf(o, 'alice-voice')?.arn !== undefined);
    const removed = await step(sameAsBefore);
    expect(removed).toEqual([
      { op: 'DeleteContactChannel', input: { ContactChannelId: channelOf(shown, 'alice-voice')?.arn } },
    ]);
  });

  it('corrects drift made in AWS: display name, a deleted channel (and the plan naming it)', async () => {
    const desired = alice();
    desired.spec.displayName = 'Alice B.';
    desired.spec.engagementPlan.stages[0].durationInMinutes = 10;
    desired.spec.channels[0].address = '+353855550199';
    await op.apply(desired);
    await op.ready('Contact', 'alice');
    const before = await awsContact(arn);
    const email = before.channels.find((c) => c.Name === 'alice-email')?.ContactChannelArn as string;
    await op.sdk.contacts.send(new UpdateContactCommand({ ContactId: arn, DisplayName: 'Mallory' }));
    await op.sdk.contacts.send(new DeleteContactChannelCommand({ ContactChannelId: email }));
    const since = op.mark();
    await poke('alice'); // as the next resync would
    await op.waitFor('Contact', 'alice', () =>
      op.calls({ operation: 'UpdateContact', since }).some((c) => (c.input as { Plan?: unknown }).Plan),
    );
    const after = await awsContact(arn);
    expect(after.DisplayName).toBe('Alice B.');
    const newEmail = after.channels.find((c) => c.Name === 'alice-email')?.ContactChannelArn;
    expect(newEmail).toBeDefined();
    expect(newEmail).not.toBe(email);
    expect(JSON.stringify(after.Plan)).toContain(newEmail as string);
    expect(op.writes(since).map((w) => w.operation)).toEqual(['CreateContactChannel', 'UpdateContact']);
    const events = await op.events('Contact', 'alice');
    expect(events.some((e) => e.reason === 'Updated' && String(e.message).includes('spec.displayName'))).toBe(
      true,
    );
  });

  it('a channel type cannot change in place: the API server refuses, and a type changed in AWS is replaced', async () => {
    const changed = alice();
    changed.spec.channels[0].type = 'Voice';
    await expect(op.apply(changed)).rejects.toThrow(/channel type is immutable/);

    const before = await awsContact(arn);
    const sms = before.channels.find((c) => c.Name === 'alice-sms');
    await op.sdk.contacts.send(new DeleteContactChannelCommand({ ContactChannelId: sms?.ContactChannelArn }));
    await op.sdk.contacts.send(
      new CreateContactChannelCommand({
        ContactId: arn,
        Name: 'alice-sms',
        Type: 'VOICE',
        DeliveryAddress: { SimpleAddress: '+353855550199' },
      }),
    );
    const since = op.mark();
    await poke('alice');
    await op.waitFor(
      'Contact',
      'alice',
      (o) => channelOf(o, 'alice-sms') !== undefined && op.writes(since).length >= 3,
    );
    await op.ready('Contact', 'alice');
    expect(op.writes(since).map((w) => w.operation)).toEqual([
      'DeleteContactChannel',
      'CreateContactChannel',
      'UpdateContact',
    ]);
    const after = await awsContact(arn);
    const replaced = after.channels.find((c) => c.Name === 'alice-sms');
    expect(replaced?.Type).toBe('SMS');
    expect(JSON.stringify(after.Plan)).toContain(replaced?.ContactChannelArn as string);
    const events = await op.events('Contact', 'alice');
    const replacedEvent = events.find((e) => e.reason === 'ChannelReplaced');
    expect(replacedEvent?.message).toContain('alice-sms changed type from VOICE to SMS');
    expect(replacedEvent?.message).toContain(replaced?.ContactChannelArn as string);
  });
});

describe('Contact alias taken', () => {
  it('refuses to create over a contact that is not its own, and never adopts it', async () => {
    const other = await op.sdk.contacts.send(
      new CreateContactCommand({ Alias: 'taken', Type: 'PERSONAL', Plan: { Stages: [] } }),
    );
    const since = op.mark();
    await op.apply(
      contactObject('taken', { alias: 'taken', displayName: 'Not the same person', type: 'Personal' }),
    );
    const failed = await op.waitFor(
      'Contact',
      'taken',
      (o) => condition(o, 'Ready')?.reason === 'AlreadyExists',
    );
    expect(condition(failed, 'Ready')?.message).toContain(
      `spec.alias: ${other.ContactArn} already exists in AWS`,
    );
    // Another visit (a spec change) still refuses, and still does not adopt the other contact.
    await op.apply(
      contactObject('taken', { alias: 'taken', displayName: 'Still not the same person', type: 'Personal' }),
    );
    const again = await op.waitFor(
      'Contact',
      'taken',
      (o) =>
        condition(o, 'Ready')?.observedGeneration === 2 && condition(o, 'Ready')?.reason === 'AlreadyExists',
    );
    // A first create is not preceded by a look-up: AWS refuses it (ConflictException) and the
    // look-up that follows names the owner; later visits look up first (a create was tried).
    // Nothing is written: one refused CreateContact in all.
    const annotations = again?.metadata.annotations as Record<string, string> | undefined;
    expect(annotations?.['incidentmanager.gitops.dev/external-arn']).toBeUndefined();
    expect(op.writes(since).map((w) => [w.operation, w.outcome])).toEqual([['CreateContact', 'error']]);
    const aws = await op.sdk.contacts.send(new GetContactCommand({ ContactId: other.ContactArn }));
    expect(aws.DisplayName).toBeUndefined();
    await op.remove('Contact', 'taken');
    await op.gone('Contact', 'taken');
    await op.sdk.contacts.send(new GetContactCommand({ ContactId: other.ContactArn }));
  });
});

describe('Contact adoption and observation', () => {
  it('observes an existing contact by alias without writing, and adopts one named by the annotation', async () => {
    const watched = await op.sdk.contacts.send(
      new CreateContactCommand({
        Alias: 'watched',
        DisplayName: 'Watched',
        Type: 'PERSONAL',
        Plan: { Stages: [] },
      }),
    );
    const since = op.mark();
    await op.apply(
      contactObject('watched', {
        alias: 'watched',
        displayName: 'Someone else',
        type: 'Personal',
        managementPolicy: 'Observe',
      }),
    );
    const drift = await op.waitFor(
      'Contact',
      'watched',
      (o) => condition(o, 'Synced')?.reason === 'DriftDetected',
    );
    expect(condition(drift, 'Synced')?.message).toContain('spec.displayName');
    expect(drift?.status.arn).toBe(watched.ContactArn);
    expect(op.writes(since)).toEqual([]);

    // The annotation adopts it: the spec wins, with one UpdateContact and no CreateContact.
    await op.apply({
      apiVersion: API,
      kind: 'Contact',
      metadata: {
        name: 'adopted',
        namespace: NS,
        annotations: { 'incidentmanager.gitops.dev/external-arn': watched.ContactArn as string },
      },
      spec: { alias: 'watched', displayName: 'Adopted', type: 'Personal', tags: { team: 'payments' } },
    });
    await op.waitFor('Contact', 'adopted', () => op.writes(since).length >= 2);
    await op.ready('Contact', 'adopted');
    expect(op.writes(since).map((w) => w.operation)).toEqual(['UpdateContact', 'TagResource']);
    const aws = await awsContact(watched.ContactArn as string);
    expect(aws).toMatchObject({ DisplayName: 'Adopted' });
    expect(aws.tags).toEqual({ team: 'payments' });
    // Observed-only and retained: neither removal deletes the contact from AWS.
    await op.remove('Contact', 'watched');
    await op.gone('Contact', 'watched');
    const adopted = await op.get('Contact', 'adopted');
    await op.apply({ ...adopted, spec: { ...adopted?.spec, deletionPolicy: 'Retain' } } as KubeObject);
    await op.remove('Contact', 'adopted');
    await op.gone('Contact', 'adopted');
    expect(op.calls({ operation: 'DeleteContact', since })).toEqual([]);
  });
});

describe('Contact: two objects naming one ARN', () => {
  it('refuses the second (AlreadyManaged, no AWS write); deleting it leaves the contact; deleting the first (Retain) hands it over', async () => {
    const spec = { alias: 'twice', displayName: 'Twice', type: 'Personal' };
    await op.apply(contactObject('twice-first', spec));
    const first = await op.ready('Contact', 'twice-first');
    const arn = first.status?.arn as string;
    // The first object's YAML copied under another name, annotation included.
    const copy = (): KubeObject => ({
      ...contactObject('twice-second', spec),
      metadata: {
        name: 'twice-second',
        namespace: NS,
        annotations: { 'incidentmanager.gitops.dev/external-arn': arn },
      },
    });
    const since = op.mark();
    await op.apply(copy());
    const refused = await op.waitFor(
      'Contact',
      'twice-second',
      (o) => condition(o, 'Synced')?.reason === 'AlreadyManaged',
    );
    expect(condition(refused, 'Ready')?.reason).toBe('AlreadyManaged');
    const message = condition(refused, 'Ready')?.message ?? '';
    for (const part of [`Contact ${NS}/twice-second`, `Contact ${NS}/twice-first`, arn])
      expect(message).toContain(part);
    expect((await op.events('Contact', 'twice-second')).map((e) => e.reason)).toContain('AlreadyManaged');
    expect(op.writes(since)).toEqual([]);

    await op.remove('Contact', 'twice-second');
    await op.gone('Contact', 'twice-second');
    expect(op.writes(since)).toEqual([]);
    expect((await awsContact(arn)).DisplayName).toBe('Twice');

    // Refused again; the first leaves with Retain and the second takes the contact over.
    await op.apply(copy());
    await op.waitFor('Contact', 'twice-second', (o) => condition(o, 'Synced')?.reason === 'AlreadyManaged');
    await op.apply(contactObject('twice-first', { ...spec, deletionPolicy: 'Retain' }));
    await op.remove('Contact', 'twice-first');
    await op.gone('Contact', 'twice-first');
    const took = await op.ready('Contact', 'twice-second');
    expect(took.status?.arn).toBe(arn);
    expect(op.calls({ operation: 'DeleteContact', since })).toEqual([]);
    expect(op.calls({ operation: 'CreateContact', since })).toEqual([]);
    await op.remove('Contact', 'twice-second');
    await op.gone('Contact', 'twice-second');
  });
});

describe("Contact and another account's contact of the same alias", () => {
  it('neither observes nor adopts a contact shared with us; creates its own', async () => {
    // Account 222222222222 owns a personal contact "twin" and shares it with our account.
    const theirs = await contactSharedWithUs(op, 'twin', 'PERSONAL');
    const listed = await op.sdk.contacts.send(new ListContactsCommand({ AliasPrefix: 'twin' }));
    expect(listed.Contacts?.map((c) => c.ContactArn)).toEqual([theirs]);

    await op.apply(contactObject('twin', { alias: 'twin', type: 'Personal', managementPolicy: 'Observe' }));
    await op.waitFor('Contact', 'twin', (o) => condition(o, 'Ready')?.reason === 'ExternalNotFound');
    await op.apply(contactObject('twin', { alias: 'twin', type: 'Personal' }));
    const mine = await op.ready('Contact', 'twin');
    expect(mine.status.arn).not.toBe(theirs);
    expect((await awsContact(mine.status.arn)).Alias).toBe('twin');
    await op.remove('Contact', 'twin');
    await op.gone('Contact', 'twin');
  });
});

describe('Contact (OnCallSchedule)', () => {
  it('holds the rotations in order and shows who is on call now and the next hand-offs', async () => {
    const alice = (await op.get('Contact', 'alice'))?.status.arn as string;
    await op.apply(contactObject('bob', { alias: 'bob', type: 'Personal' }));
    const bob = (await op.ready('Contact', 'bob')).status.arn as string;
    // A personal contact without an engagement plan cannot be paged: a condition, and a Warning.
    expect(condition(await op.get('Contact', 'bob'), 'Engageable')).toMatchObject({
      status: 'False',
      reason: 'NoEngagementPlan',
    });
    const warned = (await op.events('Contact', 'bob')).filter((e) => e.reason === 'NoEngagementPlan');
    expect(warned.map((e) => e.type)).toEqual(['Warning']);
    const now = op.stack.clock.now();
    const start = new Date(Math.floor(now / 86_400_000) * 86_400_000 - 86_400_000); // yesterday 00:00 UTC
    const rotation = async (name: string, contacts: string[]) =>
      (
        await op.sdk.contacts.send(
          new CreateRotationCommand({
            Name: name,
            ContactIds: contacts,
            StartTime: start,
            TimeZoneId: 'UTC',
            Recurrence: {
              NumberOfOnCalls: 1,
              RecurrenceMultiplier: 1,
              DailySettings: [{ HourOfDay: 0, MinuteOfHour: 0 }],
            },
          }),
        )
      ).RotationArn as string;
    // One rotation managed in the cluster (referenced by name), one made outside it (by ARN).
    const startIso = start.toISOString();
    await op.apply({
      apiVersion: API,
      kind: 'Rotation',
      metadata: { name: 'primary-a', namespace: NS },
      spec: {
        name: 'primary-a',
        contacts: [{ contactRef: { name: 'alice' } }, { contactRef: { name: 'bob' } }],
        startTime: startIso,
        timeZoneId: 'UTC',
        recurrence: { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: ['00:00'] },
      },
    });
    const r1 = (await op.ready('Rotation', 'primary-a')).status.arn as string;
    const r2 = await rotation('primary-b', [bob]);
    const since = op.mark();
    await op.apply(
      contactObject('primary', {
        alias: 'primary-on-call',
        displayName: 'Primary on-call',
        type: 'OnCallSchedule',
        rotations: [{ rotationRef: { name: 'primary-a' } }, { rotationArn: r2 }],
        tags: { team: 'payments' },
      }),
    );
    const obj = await op.ready('Contact', 'primary');
    expect(op.writes(since).map((w) => w.operation)).toEqual(['CreateContact']);
    const aws = await awsContact(obj.status.arn);
    expect(aws).toMatchObject({ Type: 'ONCALL_SCHEDULE', DisplayName: 'Primary on-call' });
    expect(aws.Plan?.RotationIds).toEqual([r1, r2]);
    expect(obj.status.rotationArns).toEqual([r1, r2]);
    // Daily hand-offs at 00:00 UTC since yesterday: alice yesterday, bob today in r1; bob always in r2.
    expect(obj.status.onCallNow).toEqual([
      { rotationArn: r1, contactArns: [bob], until: expect.any(String) },
      { rotationArn: r2, contactArns: [bob], until: expect.any(String) },
    ]);
    expect(obj.status.nextHandOffs).toHaveLength(3);
    expect(obj.status.nextHandOffs[0]).toMatchObject({ contactArns: [alice] });
    expect(Date.parse(obj.status.nextHandOffs[0].time)).toBeGreaterThan(now);

    // Reordering the rotations is one UpdateContact.
    const mark = op.mark();
    await op.apply(
      contactObject('primary', {
        alias: 'primary-on-call',
        displayName: 'Primary on-call',
        type: 'OnCallSchedule',
        rotations: [{ rotationArn: r2 }, { rotationRef: { name: 'primary-a' } }],
        tags: { team: 'payments' },
      }),
    );
    await op.ready('Contact', 'primary');
    expect(op.writes(mark).map((w) => ({ op: w.operation, input: w.input }))).toEqual([
      {
        op: 'UpdateContact',
        input: { ContactId: obj.status.arn, Plan: { Stages: [], RotationIds: [r2, r1] } },
      },
    ]);

    // The schedule holds the rotation: deleting the rotation waits until the schedule is gone.
    await op.remove('Rotation', 'primary-a');
    const blocked = await op.waitFor(
      'Rotation',
      'primary-a',
      (o) => condition(o, 'Ready')?.reason === 'DeleteBlocked',
    );
    expect(condition(blocked, 'Ready')?.message).toContain(`Contact ${NS}/primary`);
    await op.remove('Contact', 'primary');
    await op.gone('Contact', 'primary');
    await op.gone('Rotation', 'primary-a');
  });
});

describe('Contact (OnCallSchedule) naming a missing rotation', () => {
  it('says which entry names a rotation AWS does not have, instead of retrying', async () => {
    const missing = 'arn:aws:ssm-contacts:us-east-1:111111111111:rotation/no-such-rotation';
    await op.apply(
      contactObject('ghost-schedule', {
        alias: 'ghost-schedule',
        type: 'OnCallSchedule',
        rotations: [{ rotationArn: missing }],
      }),
    );
    const failed = await op.waitFor(
      'Contact',
      'ghost-schedule',
      (o) => condition(o, 'Synced')?.reason === 'InvalidReference',
    );
    expect(condition(failed, 'Ready')?.message).toContain(
      `spec.rotations[0]: rotation ${missing} does not exist in AWS`,
    );
    await op.remove('Contact', 'ghost-schedule');
    await op.gone('Contact', 'ghost-schedule');
  });
});

describe('Contact deletion', () => {
  it('is blocked while an escalation plan in the cluster names the contact, then deletes it from AWS', async () => {
    await op.apply(contactObject('carol', { alias: 'carol', type: 'Personal' }));
    const arn = (await op.ready('Contact', 'carol')).status.arn as string;
    await op.apply({
      apiVersion: API,
      kind: 'EscalationPlan',
      metadata: { name: 'esc', namespace: NS },
      spec: {
        alias: 'esc',
        stages: [{ durationInMinutes: 0, targets: [{ contactRef: { name: 'carol' } }] }],
      },
    });
    await op.ready('EscalationPlan', 'esc');
    await op.remove('Contact', 'carol');
    const blocked = await op.waitFor(
      'Contact',
      'carol',
      (o) => condition(o, 'Ready')?.reason === 'DeleteBlocked',
    );
    expect(condition(blocked, 'Ready')?.message).toContain(`EscalationPlan ${NS}/esc`);
    expect(
      op
        .calls({ operation: 'DeleteContact' })
        .filter((c) => (c.input as { ContactId: string }).ContactId === arn),
    ).toEqual([]);
    await op.remove('EscalationPlan', 'esc');
    await op.gone('Contact', 'carol');
    await expect(op.sdk.contacts.send(new GetContactCommand({ ContactId: arn }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('Contact samples', () => {
  it('round trip: the sample contacts and on-call schedule read back from AWS match the YAML; deleting their namespace converges', async () => {
    // The samples live in account 111122223333 (AWSAccount payments-prod, AssumeRole) in eu-west-1.
    const sts = new STSClient({
      region: 'eu-west-1',
      endpoint: op.stack.aws.url,
      credentials: { accessKeyId: op.stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'x' },
    });
    const role = await sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::111122223333:role/incident-manager-operator',
        RoleSessionName: 'test',
        ExternalId: 'payments-prod-im-operator',
      }),
    );
    const credentials = {
      accessKeyId: role.Credentials?.AccessKeyId as string,
      secretAccessKey: role.Credentials?.SecretAccessKey as string,
      sessionToken: role.Credentials?.SessionToken as string,
    };
    const aws = { region: 'eu-west-1', endpoint: op.stack.aws.url, credentials };
    await new SSMIncidentsClient(aws).send(new CreateReplicationSetCommand({ regions: { 'eu-west-1': {} } }));
    const contacts = new SSMContactsClient(aws);

    const ns = 'samples';
    await op.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await op.applyFile('config/samples/00-awsaccounts.yaml');
    await op.applyFile('config/samples/02-activation-codes-secret.yaml', ns);
    const objs = await op.applyFile('config/samples/03-contacts.yaml', ns);
    for (const o of objs) {
      const ready = await op.ready('Contact', o.metadata.name, ns);
      const got = await awsContact(ready.status.arn, contacts);
      const spec = o.spec;
      expect(got).toMatchObject({ Alias: spec.alias, DisplayName: spec.displayName, Type: 'PERSONAL' });
      expect(got.tags).toMatchObject(spec.tags);
      const arnOf = Object.fromEntries(got.channels.map((c) => [c.Name, c.ContactChannelArn]));
      expect(
        got.channels.map((c) => ({ name: c.Name, type: c.Type, address: c.DeliveryAddress?.SimpleAddress })),
      ).toEqual(
        spec.channels.map((c: { name: string; type: string; address: string }) => ({
          name: c.name,
          type: c.type.toUpperCase(),
          address: c.address,
        })),
      );
      expect(got.Plan?.Stages).toEqual(
        spec.engagementPlan.stages.map(
          (s: {
            durationInMinutes: number;
            targets: { channelName: string; retryIntervalInMinutes?: number }[];
          }) => ({
            DurationInMinutes: s.durationInMinutes,
            Targets: s.targets.map((t) => ({
              ChannelTargetInfo: {
                ContactChannelId: arnOf[t.channelName],
                ...(t.retryIntervalInMinutes === undefined
                  ? {}
                  : { RetryIntervalInMinutes: t.retryIntervalInMinutes }),
              },
            })),
          }),
        ),
      );
    }

    // The on-call schedule over the two sample rotations (made by the Rotation controller).
    const rotations = await op.applyFile('config/samples/04-rotations.yaml', ns);
    const rotationArns: string[] = [];
    for (const r of rotations)
      rotationArns.push((await op.ready('Rotation', r.metadata.name, ns)).status.arn);
    const [schedule] = await op.applyFile('config/samples/05-oncall-schedule.yaml', ns);
    const sched = await op.ready('Contact', schedule?.metadata.name as string, ns);
    const got = await awsContact(sched.status.arn, contacts);
    expect(got).toMatchObject({
      Alias: schedule?.spec.alias,
      DisplayName: schedule?.spec.displayName,
      Type: 'ONCALL_SCHEDULE',
      Plan: { RotationIds: rotationArns },
    });
    expect(got.tags).toMatchObject(schedule?.spec.tags);
    expect(sched.status.rotationArns).toEqual(rotationArns);

    // Deleting the whole namespace converges in reference order (schedule, rotations, contacts):
    // everything leaves AWS, with no AWS error on the way.
    const arns = await Promise.all(
      [...objs, schedule].map(
        async (o) => (await op.get('Contact', o?.metadata.name as string, ns))?.status.arn as string,
      ),
    );
    const since = op.mark();
    await op.remove('Namespace', ns);
    await op.gone('Namespace', ns);
    for (const arn of arns)
      await expect(contacts.send(new GetContactCommand({ ContactId: arn }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    // Reads that answer NotFound confirm a deletion; no write failed.
    expect(op.writes(since).filter((c) => c.outcome === 'error')).toEqual([]);
    expect(op.calls({ operation: 'DeleteContact', since })).toHaveLength(4);
    expect(op.calls({ operation: 'DeleteRotation', since })).toHaveLength(2);
    contacts.destroy();
  });
});

describe('Contact interrupted create', () => {
  it('a restarted controller adopts the contact its interrupted create made, and finishes it', async () => {
    await op.stop();
    op = await startOperator({
      modules: [contactModule],
      namespace: 'recovery',
      pollMs: 100,
      gateLimits: FAST_GATE,
      deferController: true,
    });
    await op.onboard();
    const obj: KubeObject = await op.apply({
      apiVersion: API,
      kind: 'Contact',
      metadata: {
        name: 'dana',
        namespace: 'recovery',
        // What a controller killed between CreateContact and storing the ARN leaves behind.
        annotations: { 'incidentmanager.gitops.dev/create-pending': 'interrupted-1' },
      },
      spec: {
        alias: 'dana',
        type: 'Personal',
        channels: [{ name: 'dana-email', type: 'Email', address: 'dana@example.com' }],
        engagementPlan: { stages: [{ durationInMinutes: 0, targets: [{ channelName: 'dana-email' }] }] },
      },
    });
    const made = await op.sdk.contacts.send(
      new CreateContactCommand({
        Alias: 'dana',
        Type: 'PERSONAL',
        Plan: { Stages: [] },
        Tags: Object.entries(
          identityTags({
            kind: 'Contact',
            metadata: { ...obj.metadata, uid: obj.metadata.uid as string },
          }),
        ).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    const since = op.mark();
    await op.stack.startController();
    const ready = await op.ready('Contact', 'dana', 'recovery');
    expect(ready.status.arn).toBe(made.ContactArn);
    expect(
      (ready.metadata.annotations as Record<string, string>)['incidentmanager.gitops.dev/external-arn'],
    ).toBe(made.ContactArn);
    expect(op.writes(since).map((w) => w.operation)).toEqual(['CreateContactChannel', 'UpdateContact']);
    const events = await op.events('Contact', 'dana', 'recovery');
    expect(events.some((e) => e.reason === 'Adopted')).toBe(true);
  });
});
