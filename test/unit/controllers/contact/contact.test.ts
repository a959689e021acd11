// Contact (Personal / OnCallSchedule): mapping, diff and the plan of AWS writes, pure. Each case
// says what a user would notice.
import type { ContactChannel, GetContactCommandOutput } from '@aws-sdk/client-ssm-contacts';
import { describe, expect, it } from 'vitest';
import { ActivationMemory } from '../../../../src/controllers/contact/activation.ts';
import { contactConditions } from '../../../../src/controllers/contact/conditions.ts';
import { diff, planUpdate } from '../../../../src/controllers/contact/diff.ts';
import { references } from '../../../../src/controllers/contact/handler.ts';
import {
  type ContactState,
  fromAws,
  observedStatus,
  onCallFrom,
  toAwsPlan,
  toDesired,
} from '../../../../src/controllers/contact/mapping.ts';
import { dstSwitchDates, timeZoneAdvice } from '../../../../src/controllers/contact/time-zones.ts';
import { validate } from '../../../../src/controllers/contact/validate.ts';
import type { Contact, ContactSpec } from '../../../../src/crds/contact.ts';
import { identityTags } from '../../../../src/engine/identity.ts';

const BASE = 'arn:aws:ssm-contacts:us-east-1:111111111111';
const chArn = (n: string) => `${BASE}:contact-channel/alice/${n}`;
const rotArn = (n: string) => `${BASE}:rotation/${n}`;

function contact(spec: Partial<ContactSpec> = {}, name = 'alice'): Contact {
  return {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'Contact',
    metadata: { name, namespace: 'oncall', uid: `uid-${name}` },
    spec: { alias: 'alice', type: 'Personal', ...spec },
  };
}

const secrets = new Map<string, { data: Record<string, string> }>();
const putSecret = (name: string, data: Record<string, string>) =>
  secrets.set(`Secret/oncall/${name}`, {
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  });
const memory = () => new ActivationMemory((k) => secrets.get(k));

const alice = contact({
  displayName: 'Alice Byrne',
  channels: [
    {
      name: 'sms',
      type: 'SMS',
      address: '+353855550101',
      activationCodeSecretRef: { name: 'codes', key: 'alice-sms' },
    },
    { name: 'mail', type: 'Email', address: 'alice@example.com', deferActivation: true },
  ],
  engagementPlan: {
    stages: [
      { durationInMinutes: 5, targets: [{ channelName: 'sms', retryIntervalInMinutes: 2 }] },
      { durationInMinutes: 0, targets: [{ channelName: 'mail' }, { channelName: 'sms' }] },
    ],
  },
  tags: { team: 'payments' },
});

/** What AWS holds once the contact was written exactly as desired. */
function awsOf(d: ContactState, overrides: Partial<Record<string, Partial<ContactChannel>>> = {}) {
  const channels: ContactChannel[] = d.channels.map((c) => ({
    ContactChannelArn: chArn(c.name),
    ContactArn: `${BASE}:contact/${d.alias}`,
    Name: c.name,
    Type: c.type,
    DeliveryAddress: { SimpleAddress: c.address },
    ActivationStatus: 'NOT_ACTIVATED',
    ...overrides[c.name],
  }));
  const get: GetContactCommandOutput = {
    $metadata: {},
    ContactArn: `${BASE}:contact/${d.alias}`,
    Alias: d.alias,
    DisplayName: d.displayName,
    Type: d.type,
    Plan: toAwsPlan(d, chArn),
  };
  return { get, channels };
}

const tagsWithIdentity = (mr: Contact, tags: Record<string, string>) => ({
  ...tags,
  ...identityTags({ kind: 'Contact', metadata: { ...mr.metadata, uid: 'uid-alice' } }),
});

describe('Contact mapping', () => {
  it('keeps channels in spec order and the plan by channel name until ARNs exist', () => {
    const d = toDesired(alice, new Map(), memory(), true);
    expect(d.type).toBe('PERSONAL');
    expect(d.channels.map((c) => [c.name, c.type, c.deferActivation])).toEqual([
      ['sms', 'SMS', false],
      ['mail', 'EMAIL', true],
    ]);
    expect(d.stages[0]?.targets).toEqual([{ type: 'channel', arn: 'sms', retryIntervalInMinutes: 2 }]);
    expect(toAwsPlan(d, chArn).Stages?.[1]?.Targets).toEqual([
      { ChannelTargetInfo: { ContactChannelId: chArn('mail') } },
      { ChannelTargetInfo: { ContactChannelId: chArn('sms') } },
    ]);
  });

  it('round trip: what AWS holds after a faithful write shows no difference (identity tags ignored)', () => {
    const d = toDesired(alice, new Map(), memory(), true);
    const { get, channels } = awsOf(d);
    const o = fromAws(get, channels, tagsWithIdentity(alice, { team: 'payments' }));
    expect(diff(d, o)).toEqual([]);
    expect(planUpdate(d, o)).toEqual([]);
  });

  it('an on-call schedule writes its rotations in order and no stages', () => {
    const sched = contact({
      alias: 'primary',
      type: 'OnCallSchedule',
      rotations: [{ rotationRef: { name: 'emea' } }, { rotationArn: rotArn('external') }],
    });
    const refs = new Map([
      ['spec.rotations[0]', rotArn('emea')],
      ['spec.rotations[1]', rotArn('external')],
    ]);
    const d = toDesired(sched, refs, memory(), true);
    expect(toAwsPlan(d, () => undefined)).toEqual({
      Stages: [],
      RotationIds: [rotArn('emea'), rotArn('external')],
    });
    const o = fromAws(
      {
        $metadata: {},
        ContactArn: `${BASE}:contact/primary`,
        Alias: 'primary',
        Type: 'ONCALL_SCHEDULE',
        Plan: { Stages: [], RotationIds: [rotArn('emea')] },
      },
      [],
      {},
    );
    expect(diff(d, o).map((x) => x.path)).toEqual(['spec.rotations']);
    expect(planUpdate(d, o)).toEqual([{ op: 'UpdateContact', plan: true }]);
  });

  it('declares rotation references and the activation Secrets (watched, not resolved)', () => {
    expect(references(alice)).toEqual([
      {
        path: 'spec.channels[0].activationCodeSecretRef',
        ref: { kind: 'Secret', name: 'codes' },
        indexOnly: true,
      },
    ]);
    const sched = contact({
      type: 'OnCallSchedule',
      rotations: [{ rotationRef: { name: 'emea', namespace: 'ops' } }, { rotationArn: rotArn('x') }],
    });
    expect(references(sched)).toEqual([
      { path: 'spec.rotations[0]', ref: { kind: 'Rotation', name: 'emea', namespace: 'ops' } },
      { path: 'spec.rotations[1]', arn: rotArn('x') },
    ]);
  });

  it('rejects a schedule that lists the same rotation twice', () => {
    const sched = contact({
      type: 'OnCallSchedule',
      rotations: [{ rotationRef: { name: 'emea' } }, { rotationRef: { name: 'emea', namespace: 'oncall' } }],
    });
    expect(validate(sched)).toEqual([
      expect.objectContaining({ path: 'spec.rotations[1]', rule: 'UniqueRotations' }),
    ]);
  });

  it('refuses tag keys the controller or AWS reserve, and more tags than leave room for ownership tags', () => {
    const tagged = (tags: Record<string, string>) => contact({ ...alice.spec, tags });
    expect(
      validate(tagged({ 'incidentmanager-gitops-dev/team': 'x', 'aws:cost': 'y', team: 'ok' })).map((e) => [
        e.path,
        e.rule,
      ]),
    ).toEqual([
      ['spec.tags.incidentmanager-gitops-dev/team', 'ReservedTagKey'],
      ['spec.tags.aws:cost', 'ReservedTagKey'],
    ]);
    expect(validate(tagged({ 'incidentmanager.gitops.dev/uid': 'x' }))[0]?.rule).toBe('ReservedTagKey');
    const many = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v']));
    expect(validate(tagged(many)).map((e) => e.rule)).toEqual(['TagQuota']);
    expect(validate(tagged({ team: 'payments' }))).toEqual([]);
  });
});

describe('Contact diff and update plan: one minimal write per single-field change', () => {
  const d = toDesired(alice, new Map(), memory(), true);
  const observedAs = (mr: Contact, channels: Partial<Record<string, Partial<ContactChannel>>> = {}) => {
    const { get, channels: ch } = awsOf(toDesired(mr, new Map(), memory(), true), channels);
    return fromAws(get, ch, { team: 'payments', ...(mr.spec.tags ?? {}) });
  };

  const cases: { why: string; aws: ContactState; paths: string[]; ops: string[] }[] = [
    {
      why: 'display name changed in AWS → one UpdateContact with the name only',
      aws: observedAs(contact({ ...alice.spec, displayName: 'Someone else' })),
      paths: ['spec.displayName'],
      ops: ['UpdateContact'],
    },
    {
      why: 'an address changed → one UpdateContactChannel (plus one code to the new device)',
      aws: observedAs(alice, { sms: { DeliveryAddress: { SimpleAddress: '+353855559999' } } }),
      paths: ['spec.channels[0].address'],
      ops: ['UpdateContactChannel'],
    },
    {
      why: 'a tag removed in AWS → one TagResource',
      aws: { ...observedAs(alice), tags: {} },
      paths: ['spec.tags.team'],
      ops: ['TagResource'],
    },
    {
      why: 'a tag added in AWS → one UntagResource',
      aws: { ...observedAs(alice), tags: { team: 'payments', extra: 'x' } },
      paths: ['spec.tags.extra'],
      ops: ['UntagResource'],
    },
    {
      why: 'a stage duration changed → one UpdateContact with the plan',
      aws: observedAs(
        contact({
          ...alice.spec,
          engagementPlan: {
            stages: [
              { durationInMinutes: 7, targets: [{ channelName: 'sms', retryIntervalInMinutes: 2 }] },
              { durationInMinutes: 0, targets: [{ channelName: 'mail' }, { channelName: 'sms' }] },
            ],
          },
        }),
      ),
      paths: ['spec.engagementPlan.stages[0].durationInMinutes'],
      ops: ['UpdateContact'],
    },
    {
      why: 'a channel deleted out of band (and not in the plan) → one CreateContactChannel',
      aws: observedAs(
        contact({
          ...alice.spec,
          channels: alice.spec.channels?.slice(0, 1) ?? [],
          engagementPlan: {
            stages: [{ durationInMinutes: 5, targets: [{ channelName: 'sms', retryIntervalInMinutes: 2 }] }],
          },
        }),
      ),
      paths: ['spec.channels[1]', 'spec.engagementPlan.stages[1]'],
      ops: ['CreateContactChannel', 'UpdateContact'],
    },
    {
      why: 'an extra channel in AWS → deleted after the plan no longer names it',
      aws: observedAs(
        contact({
          ...alice.spec,
          channels: [
            ...(alice.spec.channels ?? []),
            { name: 'old', type: 'Voice', address: '+353855550000' },
          ],
        }),
      ),
      paths: ['spec.channels[name=old]'],
      ops: ['DeleteContactChannel'],
    },
  ];
  for (const c of cases)
    it(c.why, () => {
      expect(diff(d, c.aws).map((x) => x.path)).toEqual(c.paths);
      expect(diff(d, c.aws).every((x) => x.updatable)).toBe(true);
      expect(planUpdate(d, c.aws).map((x) => x.op)).toEqual(c.ops);
    });

  it('a channel whose type differs in AWS is replaced (delete, create) and the plan rewritten with the new ARN', () => {
    const aws = observedAs(alice, { sms: { Type: 'VOICE' } });
    const paths = diff(d, aws).map((x) => x.path);
    expect(paths).toContain('spec.channels[0].type');
    const plan = planUpdate(d, aws);
    expect(plan.map((x) => x.op)).toEqual(['DeleteContactChannel', 'CreateContactChannel', 'UpdateContact']);
    expect(plan[1]).toMatchObject({ op: 'CreateContactChannel', replaces: 'VOICE' });
    expect(plan[2]).toEqual({ op: 'UpdateContact', plan: true });
  });

  it('a removed channel named by the plan: the plan is written before the channel is deleted', () => {
    const fewer = toDesired(
      contact({
        ...alice.spec,
        channels: alice.spec.channels?.slice(0, 1) ?? [],
        engagementPlan: { stages: [{ durationInMinutes: 0, targets: [{ channelName: 'sms' }] }] },
      }),
      new Map(),
      memory(),
      true,
    );
    expect(planUpdate(fewer, observedAs(alice)).map((x) => x.op)).toEqual([
      'UpdateContact',
      'DeleteContactChannel',
    ]);
  });

  it('alias and type are immutable: never an in-place update', () => {
    const aws = { ...observedAs(alice), alias: 'other', type: 'ESCALATION' as const };
    const fields = diff(d, aws).filter((x) => !x.updatable);
    expect(fields.map((x) => x.path)).toEqual(['spec.alias', 'spec.type']);
  });
});

describe('Contact activation codes', () => {
  it('reads a 6–10 digit code from the Secret; a placeholder is no code', () => {
    putSecret('codes', { 'alice-sms': '123456', other: 'PLACEHOLDER-replace-with-the-code-you-received' });
    const m = memory();
    expect(m.read('oncall', { name: 'codes', key: 'alice-sms' })).toBe('123456');
    expect(m.read('oncall', { name: 'codes', key: 'other' })).toBeUndefined();
    expect(m.read('oncall', { name: 'missing', key: 'x' })).toBeUndefined();
  });

  it('an unactivated channel with a new code in its Secret is due for activation; the code never shows', () => {
    putSecret('codes', { 'alice-sms': '123456' });
    const m = memory();
    const d = toDesired(alice, new Map(), m, true);
    const { get, channels } = awsOf(d);
    const o = fromAws(get, channels, { team: 'payments' });
    const changes = diff(d, o);
    expect(changes.map((x) => x.path)).toEqual(['spec.channels[0].activationCodeSecretRef']);
    expect(JSON.stringify(changes)).not.toContain('123456');
    expect(JSON.stringify(d)).not.toContain('123456');
    expect(planUpdate(d, o).map((x) => x.op)).toEqual(['ActivateContactChannel']);
  });

  it('a code that was in the Secret before the channel existed, or already used, is not tried', () => {
    putSecret('codes', { 'alice-sms': '123456' });
    const m = memory();
    const fp = m.fingerprint('123456');
    m.settle(alice, 'sms', fp, 'predates');
    const d = toDesired(alice, new Map(), m, true);
    const { get, channels } = awsOf(d);
    expect(diff(d, fromAws(get, channels, { team: 'payments' }))).toEqual([]);
    m.settle(alice, 'sms', fp, 'used');
    expect(diff(toDesired(alice, new Map(), m, true), fromAws(get, channels, { team: 'payments' }))).toEqual(
      [],
    );
  });

  it('a rejected code is not due (ChannelsActivated says so) until the Secret changes', () => {
    putSecret('codes', { 'alice-sms': '123456' });
    const m = memory();
    m.settle(alice, 'sms', m.fingerprint('123456'), 'rejected');
    const d1 = toDesired(alice, new Map(), m, true);
    expect(d1.channels[0]?.code?.settled).toBe('rejected');
    const { get, channels } = awsOf(d1);
    const o = fromAws(get, channels, { team: 'payments' });
    expect(diff(d1, o)).toEqual([]);
    expect(contactConditions(d1, o).find((c) => c.type === 'ChannelsActivated')).toMatchObject({
      status: 'False',
      reason: 'ActivationCodeRejected',
    });
    putSecret('codes', { 'alice-sms': '654321' });
    expect(toDesired(alice, new Map(), m, true).channels[0]?.code?.settled).toBeUndefined();
  });

  it('after a restart, the code the Secret held when the channel was last seen activated counts as used', () => {
    putSecret('codes', { 'alice-sms': '123456' });
    const versioned = secrets.get('Secret/oncall/codes') as { metadata?: { resourceVersion: string } };
    versioned.metadata = { resourceVersion: '41' };
    const seen = (version: string): Contact => ({
      ...alice,
      status: {
        channels: [{ name: 'sms', activationStatus: 'NotActivated', activationCodeVersion: version }],
      },
    });
    // A fresh process (empty memory): the status speaks for the code in use then.
    expect(toDesired(seen('41'), new Map(), memory(), true).channels[0]?.code?.settled).toBe('used');
    // The Secret changed since: its code is new and tried.
    expect(toDesired(seen('40'), new Map(), memory(), true).channels[0]?.code?.settled).toBeUndefined();
    delete versioned.metadata;
  });

  it('names the daylight saving switch dates of rotations in different zones, and suggests one zone', () => {
    expect(dstSwitchDates('Europe/Dublin', 2026)).toEqual(['2026-03-29', '2026-10-25']);
    expect(dstSwitchDates('America/New_York', 2026)).toEqual(['2026-03-08', '2026-11-01']);
    expect(dstSwitchDates('Australia/Sydney', 2026)).toEqual(['2026-04-05', '2026-10-04']);
    expect(dstSwitchDates('UTC', 2026)).toEqual([]);
    const rotations = [
      { rotationArn: rotArn('emea'), timeZone: 'Europe/Dublin' },
      { rotationArn: rotArn('uk'), timeZone: 'Europe/London' },
      { rotationArn: rotArn('amer'), timeZone: 'America/New_York' },
      { rotationArn: rotArn('emea-2'), timeZone: 'Europe/Dublin' },
    ];
    const mismatch = timeZoneAdvice({ year: 2026, rotations });
    expect(mismatch).toMatchObject({ status: 'False', reason: 'DaylightSavingMismatch' });
    expect(mismatch.message).toContain(
      'amer (America/New_York) on 2026-03-08, 2026-11-01, 2027-03-14, 2027-11-07',
    );
    expect(mismatch.message).toContain('e.g. Europe/Dublin');
    // Dublin and London switch together: aligned although the names differ.
    expect(
      timeZoneAdvice({ year: 2026, rotations: rotations.filter((r) => r.timeZone !== 'America/New_York') }),
    ).toMatchObject({ status: 'True', reason: 'TimeZonesAligned' });
  });

  it('in a pass that only reads (Observe) a code in the Secret is not drift (activating would be a write)', () => {
    putSecret('codes', { 'alice-sms': '123456' });
    const observeOnly = contact({ ...alice.spec, managementPolicy: 'Observe' });
    const d = toDesired(observeOnly, new Map(), memory(), false);
    const { get, channels } = awsOf(d);
    expect(diff(d, fromAws(get, channels, { team: 'payments' }))).toEqual([]);
  });

  it('an activated channel is left alone whatever the Secret holds', () => {
    putSecret('codes', { 'alice-sms': '123456' });
    const d = toDesired(alice, new Map(), memory(), true);
    const { get, channels } = awsOf(d, { sms: { ActivationStatus: 'ACTIVATED' } });
    expect(diff(d, fromAws(get, channels, { team: 'payments' }))).toEqual([]);
  });
});

describe('Contact status', () => {
  it('shows channels with ARN, type and activation in Kubernetes spelling, once per name', () => {
    const d = toDesired(alice, new Map(), memory(), true);
    const { get, channels } = awsOf(d, { sms: { ActivationStatus: 'ACTIVATED' } });
    channels.push({ ...channels[0], ContactChannelArn: chArn('dup') } as ContactChannel);
    expect(observedStatus(fromAws(get, channels, {}))).toEqual({
      channels: [
        { name: 'mail', arn: chArn('mail'), type: 'Email', activationStatus: 'NotActivated' },
        { name: 'sms', arn: chArn('sms'), type: 'SMS', activationStatus: 'Activated' },
      ],
    });
  });

  it('an on-call schedule shows who is on call now and the next three hand-offs', () => {
    const h = (iso: string) => `2026-12-07T${iso}:00.000Z`;
    const shifts = [
      { rotationArn: rotArn('emea'), contactArns: ['a'], start: h('07:00'), end: h('15:00') },
      { rotationArn: rotArn('amer'), contactArns: ['b'], start: h('15:00'), end: h('23:00') },
      {
        rotationArn: rotArn('emea'),
        contactArns: ['c'],
        start: '2026-12-08T07:00:00.000Z',
        end: '2026-12-08T15:00:00.000Z',
      },
      {
        rotationArn: rotArn('amer'),
        contactArns: ['b'],
        start: '2026-12-08T15:00:00.000Z',
        end: '2026-12-08T23:00:00.000Z',
      },
      {
        rotationArn: rotArn('emea'),
        contactArns: ['c'],
        start: '2026-12-09T07:00:00.000Z',
        end: '2026-12-09T15:00:00.000Z',
      },
    ];
    const s = onCallFrom(shifts, Date.parse(h('10:00')));
    expect(s.now).toEqual([{ rotationArn: rotArn('emea'), contactArns: ['a'], until: h('15:00') }]);
    expect(s.next.map((x) => [x.time, x.contactArns])).toEqual([
      [h('15:00'), ['b']],
      ['2026-12-08T07:00:00.000Z', ['c']],
      ['2026-12-08T15:00:00.000Z', ['b']],
    ]);
    const status = observedStatus({
      alias: 'p',
      type: 'ONCALL_SCHEDULE',
      displayName: '',
      tags: {},
      channels: [],
      stages: [],
      rotationIds: [rotArn('emea'), rotArn('amer')],
      onCall: s,
    });
    expect(status).toMatchObject({
      rotationArns: [rotArn('emea'), rotArn('amer')],
      onCallNow: s.now,
      nextHandOffs: s.next,
    });
  });
});
