// The paging chain survives a channel problem (issue 13 items 1–5): a wrong activation code, a
// missing Secret or an opted-out channel is reported on the channel (status.channels and the
// ChannelsActivated condition) while the contact stays Ready and everything that engages it goes on;
// warnings a user must not miss are conditions (Engageable, TimeZonesAligned).

import { CreateRotationCommand, DeactivateContactChannelCommand } from '@aws-sdk/client-ssm-contacts';
import { GetResponsePlanCommand } from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import { module as escalationPlanModule } from '../../../src/controllers/escalation-plan/index.ts';
import { module as responsePlanModule } from '../../../src/controllers/response-plan/index.ts';
import { module as rotationModule } from '../../../src/controllers/rotation/index.ts';
import { KubeClient } from '../../../src/engine/kube.ts';
import { condition, type KubeObject, type Operator, startOperator, typeOf } from '../../support/operator.ts';

const NS = 'channels-test';
const API = 'incidentmanager.gitops.dev/v1alpha1';
const FAST_GATE = { 'ssm-contacts': { concurrency: 10, intervalCap: 50, intervalMs: 1_000 } };
let op: Operator;

const obj = (kind: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: API,
  kind,
  metadata: { name, namespace: NS },
  spec,
});

const secret = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: NS },
  type: 'Opaque',
  stringData: data,
});

type Channel = { name: string; arn?: string; activationStatus?: string };
const channelOf = (o: KubeObject | undefined, name: string): Channel | undefined =>
  (o?.status?.channels as Channel[] | undefined)?.find((c) => c.name === name);

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

function personal(name: string, channels: Record<string, unknown>[], planned = channels): KubeObject {
  return obj('Contact', name, {
    alias: name,
    type: 'Personal',
    channels,
    engagementPlan: {
      stages: [{ durationInMinutes: 0, targets: planned.map((c) => ({ channelName: c.name })) }],
    },
  });
}

const bobChannels = [
  {
    name: 'bob-email',
    type: 'Email',
    address: 'bob@example.com',
    activationCodeSecretRef: { name: 'bob-codes', key: 'email' },
  },
  {
    name: 'bob-sms',
    type: 'SMS',
    address: '+353855550111',
    activationCodeSecretRef: { name: 'bob-codes', key: 'sms' },
  },
];

function plan(impact: number): KubeObject {
  return obj('ResponsePlan', 'checkout', {
    name: 'checkout',
    incidentTemplate: { title: 'Checkout down', impact },
    engagements: [{ contactRef: { name: 'bob' } }, { escalationPlanRef: { name: 'bob-esc' } }],
  });
}

let pokes = 0;
/**
 * One whole visit of a contact after now: a label change enqueues it as a resync would; the second
 * poke's GetContact means the first visit (and any write it made) is over.
 */
async function fullVisit(name: string, arn: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const since = op.mark();
    await op.client.request(
      'PATCH',
      KubeClient.objectPath(typeOf('Contact'), name, NS),
      { metadata: { labels: { 'test/poke': String(++pokes) } } },
      'application/merge-patch+json',
    );
    await op.nextCall(
      (c) => c.operation === 'GetContact' && (c.input as { ContactId?: string }).ContactId === arn,
      { since },
    );
  }
}

beforeAll(async () => {
  op = await startOperator({
    modules: [contactModule, escalationPlanModule, responsePlanModule, rotationModule],
    namespace: NS,
    pollMs: 100,
    gateLimits: FAST_GATE,
  });
  await op.onboard();
}, 60_000);

afterAll(async () => {
  await op?.stop();
});

describe('one wrong activation code', () => {
  it("is bob's email channel's problem: bob, his escalation plan and the response plan stay Ready, and a plan edit reaches AWS", async () => {
    await op.apply(secret('bob-codes', { email: 'PLACEHOLDER', sms: 'PLACEHOLDER' }));
    await op.apply(personal('bob', bobChannels));
    const created = await op.ready('Contact', 'bob');
    const sms = channelOf(created, 'bob-sms')?.arn as string;
    const email = channelOf(created, 'bob-email')?.arn as string;
    await op.apply(
      obj('EscalationPlan', 'bob-esc', {
        alias: 'bob-esc',
        stages: [{ durationInMinutes: 0, targets: [{ contactRef: { name: 'bob' } }] }],
      }),
    );
    await op.ready('EscalationPlan', 'bob-esc');

    // The SMS code is right, the email code is wrong.
    const since = op.mark();
    await op.apply(secret('bob-codes', { email: '000000', sms: inbox(sms) as string }));
    const bob = await op.waitFor(
      'Contact',
      'bob',
      (o) =>
        condition(o, 'ChannelsActivated')?.reason === 'ActivationCodeRejected' &&
        channelOf(o, 'bob-sms')?.activationStatus === 'Activated',
    );
    // Observed state is written although a channel is refused: the SMS channel shows Activated.
    expect(channelOf(bob, 'bob-email')?.activationStatus).toBe('NotActivated');
    expect(condition(bob, 'ChannelsActivated')?.message).toContain(
      `spec.channels[0] bob-email: AWS rejected the activation code in Secret ${NS}/bob-codes key email`,
    );
    expect(condition(bob, 'Engageable')?.status).toBe('True');
    expect(op.calls({ operation: 'ActivateContactChannel', since })).toHaveLength(2);
    const ready = await op.ready('Contact', 'bob');
    expect(condition(ready, 'Synced')?.status).toBe('True');

    // Referrers are not blocked: a response plan engaging bob becomes Ready, and its edit reaches AWS.
    await op.apply(plan(2));
    const rp = await op.ready('ResponsePlan', 'checkout');
    await op.ready('EscalationPlan', 'bob-esc');
    const edit = op.mark();
    await op.apply(plan(1));
    await op.nextCall((c) => c.operation === 'UpdateResponsePlan', { since: edit });
    const aws = await op.sdk.incidents.send(new GetResponsePlanCommand({ arn: rp.status.arn }));
    expect(aws.incidentTemplate?.impact).toBe(1);
    // Nothing sent the rejected code again.
    expect(op.calls({ operation: 'ActivateContactChannel', since })).toHaveLength(2);
    expect(inbox(email)).not.toBe('000000');
  });

  it('a channel the recipient opted out of shows NotActivated, the used code is not resent, and the condition says what to do', async () => {
    const bob = await op.get('Contact', 'bob');
    const sms = channelOf(bob, 'bob-sms')?.arn as string;
    const since = op.mark();
    await op.sdk.contacts.send(new DeactivateContactChannelCommand({ ContactChannelId: sms }));
    await fullVisit('bob', bob?.status.arn);
    const after = await op.waitFor(
      'Contact',
      'bob',
      (o) =>
        condition(o, 'ChannelsActivated')?.reason === 'ActivationCodeRejected' &&
        channelOf(o, 'bob-sms')?.activationStatus === 'NotActivated',
    );
    const message = condition(after, 'ChannelsActivated')?.message ?? '';
    expect(message).toContain('spec.channels[1] bob-sms: was activated and is not any more');
    expect(message).toContain('replies START');
    // No channel is activated now: bob cannot be engaged, which is a condition, not Ready=False.
    expect(condition(after, 'Engageable')).toMatchObject({ status: 'False', reason: 'NoActivatedChannel' });
    expect(condition(after, 'Ready')?.status).toBe('True');
    const events = await op.events('Contact', 'bob');
    expect(events.find((e) => e.reason === 'NoActivatedChannel')).toMatchObject({ type: 'Warning' });
    await fullVisit('bob', bob?.status.arn);
    expect(op.writes(since).map((w) => w.operation)).toEqual(['DeactivateContactChannel']);
  });
});

describe('activationCodeSecretRef naming what does not exist', () => {
  it('says which Secret and key, in a condition and a Warning Event; the contact is otherwise Ready', async () => {
    await op.apply(secret('erin-codes', { other: 'PLACEHOLDER' }));
    await op.apply(
      personal('erin', [
        {
          name: 'erin-email',
          type: 'Email',
          address: 'erin@example.com',
          activationCodeSecretRef: { name: 'no-such-secret' },
        },
        {
          name: 'erin-sms',
          type: 'SMS',
          address: '+353855550112',
          activationCodeSecretRef: { name: 'erin-codes', key: 'sms' },
        },
      ]),
    );
    const erin = await op.waitFor(
      'Contact',
      'erin',
      (o) => condition(o, 'ChannelsActivated')?.reason === 'ActivationSecretNotFound',
    );
    const message = condition(erin, 'ChannelsActivated')?.message ?? '';
    expect(message).toContain(
      `spec.channels[0] erin-email: activationCodeSecretRef names Secret ${NS}/no-such-secret, which does not exist`,
    );
    expect(message).toContain(
      `spec.channels[1] erin-sms: activationCodeSecretRef names key sms that Secret ${NS}/erin-codes does not have`,
    );
    await op.ready('Contact', 'erin');
    const warning = (await op.events('Contact', 'erin')).find((e) => e.reason === 'ActivationSecretNotFound');
    expect(warning).toMatchObject({ type: 'Warning' });
    expect(warning?.message).toContain(`Secret ${NS}/no-such-secret`);

    // Creating the Secret is the fix: the condition moves on to waiting for the code.
    await op.apply(secret('no-such-secret', { activationCode: 'PLACEHOLDER' }));
    await op.apply(secret('erin-codes', { sms: 'PLACEHOLDER' }));
    const fixed = await op.waitFor(
      'Contact',
      'erin',
      (o) => condition(o, 'ChannelsActivated')?.reason === 'ChannelNotActivated',
    );
    expect(condition(fixed, 'ChannelsActivated')?.message).toContain(
      `put it in Secret ${NS}/no-such-secret key activationCode`,
    );
  });
});

describe('warnings as conditions', () => {
  it('a personal contact without an engagement plan is not Engageable', async () => {
    await op.apply(obj('Contact', 'frank', { alias: 'frank', type: 'Personal' }));
    const frank = await op.ready('Contact', 'frank');
    expect(condition(frank, 'Engageable')).toMatchObject({ status: 'False', reason: 'NoEngagementPlan' });
    expect(condition(frank, 'Engageable')?.message).toContain('spec.engagementPlan');
  });

  it('an on-call schedule whose rotations switch daylight saving time on different dates names the dates and one zone', async () => {
    const frank = (await op.get('Contact', 'frank'))?.status.arn as string;
    const start = new Date(Math.floor(op.stack.clock.now() / 86_400_000) * 86_400_000);
    const rotation = async (name: string, zone: string) =>
      (
        await op.sdk.contacts.send(
          new CreateRotationCommand({
            Name: name,
            ContactIds: [frank],
            StartTime: start,
            TimeZoneId: zone,
            Recurrence: {
              NumberOfOnCalls: 1,
              RecurrenceMultiplier: 1,
              DailySettings: [{ HourOfDay: 9, MinuteOfHour: 0 }],
            },
          }),
        )
      ).RotationArn as string;
    const dublin = await rotation('emea', 'Europe/Dublin');
    const newYork = await rotation('amer', 'America/New_York');
    const dublin2 = await rotation('emea-2', 'Europe/Dublin');
    await op.apply(
      obj('Contact', 'follow-the-sun', {
        alias: 'follow-the-sun',
        type: 'OnCallSchedule',
        rotations: [{ rotationArn: dublin }, { rotationArn: newYork }, { rotationArn: dublin2 }],
      }),
    );
    const schedule = await op.ready('Contact', 'follow-the-sun');
    const tz = condition(schedule, 'TimeZonesAligned');
    expect(tz).toMatchObject({ status: 'False', reason: 'DaylightSavingMismatch' });
    const year = new Date(op.stack.clock.now()).getUTCFullYear();
    // EU switches on the last Sundays of March and October, the US on the second Sunday of March
    // and the first of November.
    const lastSunday = (month: number) => {
      const d = new Date(Date.UTC(year, month + 1, 0));
      d.setUTCDate(d.getUTCDate() - d.getUTCDay());
      return d.toISOString().slice(0, 10);
    };
    expect(tz?.message).toContain(`emea (Europe/Dublin) on ${lastSunday(2)}, ${lastSunday(9)}`);
    expect(tz?.message).toMatch(
      new RegExp(`amer \\(America/New_York\\) on ${year}-03-(0[89]|1[0-4]), ${year}-11-0[1-7]`),
    );
    expect(tz?.message).toContain('e.g. Europe/Dublin');

    // One zone for all: aligned.
    await op.apply(
      obj('Contact', 'follow-the-sun', {
        alias: 'follow-the-sun',
        type: 'OnCallSchedule',
        rotations: [{ rotationArn: dublin }, { rotationArn: dublin2 }],
      }),
    );
    await op.waitFor('Contact', 'follow-the-sun', (o) => condition(o, 'TimeZonesAligned')?.status === 'True');
  });
});
