// Rotation end to end: kube emulator + AWS emulator + the controller in-process (Rotation and
// Contact kinds). Every field read back through the SDK, one minimal AWS write per single-field
// change, drift corrected, a weekly rotation with business-hours coverage across the 2027 US
// daylight-saving change, an override in force and expired, references to Contacts, deletion, and
// the samples. Time moves by advancing the clock the controller shares with the AWS emulator.

import { readFileSync } from 'node:fs';
import {
  CreateContactCommand,
  CreateRotationCommand,
  DeleteRotationOverrideCommand,
  GetRotationCommand,
  ListRotationOverridesCommand,
  ListTagsForResourceCommand,
  SSMContactsClient,
  TagResourceCommand,
  UpdateRotationCommand,
} from '@aws-sdk/client-ssm-contacts';
import { CreateReplicationSetCommand, SSMIncidentsClient } from '@aws-sdk/client-ssm-incidents';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import { ROTATION_RESYNC_MS } from '../../../src/controllers/rotation/handler.ts';
import { module as rotationModule } from '../../../src/controllers/rotation/index.ts';
import { identityTags } from '../../../src/engine/identity.ts';
import { KubeClient } from '../../../src/engine/kube.ts';
import { CREATE_PENDING_ANNOTATION, EXTERNAL_ARN_ANNOTATION, FINALIZER } from '../../../src/engine/names.ts';
import { condition, type KubeObject, type Operator, startOperator, typeOf } from '../../support/operator.ts';

const NS = 'rotation-test';
const API = 'incidentmanager.gitops.dev/v1alpha1';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let op: Operator;
let ALICE: string;
let BOB: string;
let CARA: string;

const now = () => op.stack.clock.now();
const iso = (ms: number) => new Date(ms).toISOString();
/** Midnight UTC `days` days from now. */
const midnight = (days: number) => Math.floor(now() / DAY) * DAY + days * DAY;

function rot(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: API, kind: 'Rotation', metadata: { name, namespace: NS }, spec };
}

async function personal(alias: string): Promise<string> {
  const out = await op.sdk.contacts.send(
    new CreateContactCommand({ Alias: alias, DisplayName: alias, Type: 'PERSONAL', Plan: { Stages: [] } }),
  );
  return out.ContactArn as string;
}

/** A daily 09:00 UTC rotation made straight through the SDK (not by the controller). */
async function awsRotation(
  name: string,
  contactIds: string[],
  tags?: Record<string, string>,
): Promise<string> {
  const out = await op.sdk.contacts.send(
    new CreateRotationCommand({
      Name: name,
      ContactIds: contactIds,
      TimeZoneId: 'UTC',
      Recurrence: {
        NumberOfOnCalls: 1,
        RecurrenceMultiplier: 1,
        DailySettings: [{ HourOfDay: 9, MinuteOfHour: 0 }],
      },
      ...(tags ? { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
    }),
  );
  return out.RotationArn as string;
}

/** The spec of a daily 09:00 UTC rotation. */
const daily = (name: string, contacts: unknown[]) => ({
  name,
  contacts,
  timeZoneId: 'UTC',
  recurrence: { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: ['09:00'] },
});

let ticks = 0;
/** Wakes the object (an annotation change) so a visit runs after the clock moved. */
async function touch(name: string): Promise<void> {
  const path = KubeClient.objectPath(typeOf('Rotation'), name, NS);
  await op.client.request(
    'PATCH',
    path,
    { metadata: { annotations: { 'test/tick': String(++ticks) } } },
    'application/merge-patch+json',
  );
}

/**
 * Moves time past the rotation's next hand-off and waits for the status to show the one after:
 * proof that a whole visit ran (its status write comes after any AWS write it makes).
 */
async function passHandOff(name: string): Promise<KubeObject> {
  const cur = (await op.get('Rotation', name)) as KubeObject;
  const next = Date.parse(cur.status.nextHandOffTime);
  op.stack.clock.advance(Math.max(next + 60_000 - now(), 0));
  await touch(name);
  return (await op.waitFor(
    'Rotation',
    name,
    (o) => o?.status?.nextHandOffTime !== cur.status.nextHandOffTime,
  )) as KubeObject;
}

/** Applies `obj` and waits until it is Ready for its new generation. */
async function applyReady(obj: KubeObject): Promise<KubeObject> {
  await op.apply(obj);
  return op.ready('Rotation', obj.metadata.name);
}

const writeOps = (since: number) => op.writes(since, 'ssm-contacts').map((c) => c.operation);

beforeAll(async () => {
  op = await startOperator({ modules: [rotationModule, contactModule], namespace: NS, pollMs: 100 });
  await op.onboard();
  ALICE = await personal('alice');
  BOB = await personal('bob');
  CARA = await personal('cara');
});

afterAll(async () => {
  await op?.stop();
});

describe('Rotation', () => {
  it('creates a rotation with every field; AWS reads back the same and status shows the shifts', async () => {
    const start = midnight(2) + 9 * HOUR;
    const overrideStart = start + DAY;
    const spec = {
      name: 'Payments EMEA',
      contacts: [{ contactArn: ALICE }, { contactArn: BOB }, { contactArn: CARA }],
      startTime: iso(start),
      timeZoneId: 'Europe/Dublin',
      recurrence: {
        numberOfOnCalls: 2,
        recurrenceMultiplier: 2,
        weeklySettings: [
          { dayOfWeek: 'Mon', handOffTime: '09:00' },
          { dayOfWeek: 'Thu', handOffTime: '09:00' },
        ],
        shiftCoverages: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].map((d) => ({
          dayOfWeek: d,
          windows: [{ start: '08:00', end: '18:00' }],
        })),
      },
      overrides: [
        {
          startTime: iso(overrideStart),
          endTime: iso(overrideStart + 4 * HOUR),
          newContacts: [{ contactArn: CARA }],
        },
      ],
      tags: { team: 'payments', tier: 'gold' },
    };
    const mark = op.mark();
    await applyReady(rot('full', spec));
    // The override is created on the visit after the rotation; the next one lists it in status.
    const ready = (await op.waitFor(
      'Rotation',
      'full',
      (x) => x?.status?.overrides?.length === 1,
    )) as KubeObject;
    const arn = ready.status.arn as string;

    const got = await op.sdk.contacts.send(new GetRotationCommand({ RotationId: arn }));
    expect(got.Name).toBe('Payments EMEA');
    expect(got.ContactIds).toEqual([ALICE, BOB, CARA]);
    expect(got.StartTime?.toISOString()).toBe(iso(start));
    expect(got.TimeZoneId).toBe('Europe/Dublin');
    expect(got.Recurrence?.NumberOfOnCalls).toBe(2);
    expect(got.Recurrence?.RecurrenceMultiplier).toBe(2);
    expect(got.Recurrence?.WeeklySettings).toEqual([
      { DayOfWeek: 'MON', HandOffTime: { HourOfDay: 9, MinuteOfHour: 0 } },
      { DayOfWeek: 'THU', HandOffTime: { HourOfDay: 9, MinuteOfHour: 0 } },
    ]);
    expect(Object.keys(got.Recurrence?.ShiftCoverages ?? {}).sort()).toEqual([
      'FRI',
      'MON',
      'THU',
      'TUE',
      'WED',
    ]);
    expect(got.Recurrence?.ShiftCoverages?.MON).toEqual([
      { Start: { HourOfDay: 8, MinuteOfHour: 0 }, End: { HourOfDay: 18, MinuteOfHour: 0 } },
    ]);
    const tags = await op.sdk.contacts.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    const tagMap = Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tagMap).toMatchObject({ team: 'payments', tier: 'gold' });
    expect(tagMap['incidentmanager-gitops-dev/uid']).toBe(ready.metadata.uid);
    const overrides = await op.sdk.contacts.send(
      new ListRotationOverridesCommand({
        RotationId: arn,
        StartTime: new Date(now()),
        EndTime: new Date(now() + 30 * DAY),
      }),
    );
    expect(
      overrides.RotationOverrides?.map((o) => [
        o.NewContactIds,
        o.StartTime?.toISOString(),
        o.EndTime?.toISOString(),
      ]),
    ).toEqual([[[CARA], iso(overrideStart), iso(overrideStart + 4 * HOUR)]]);

    // Creates carry explicit idempotency tokens (the SDK fills none for these two operations).
    const creates = op
      .calls({ since: mark, service: 'ssm-contacts' })
      .filter((c) => c.operation.startsWith('Create'));
    expect(creates.map((c) => c.operation)).toEqual(['CreateRotation', 'CreateRotationOverride']);
    for (const c of creates) expect(c.token).toMatch(/^[0-9a-f]{64}$/);

    expect(ready.status.contactArns).toEqual([ALICE, BOB, CARA]);
    expect(ready.status.overrides).toEqual([
      {
        id: overrides.RotationOverrides?.[0]?.RotationOverrideId,
        startTime: iso(overrideStart),
        endTime: iso(overrideStart + 4 * HOUR),
        contactArns: [CARA],
      },
    ]);
    // Not started yet: nobody on call; the first shift starts at the start time (two people at once).
    expect(ready.status.onCallNow).toEqual([]);
    expect(ready.status.nextHandOffs.length).toBeGreaterThan(1);
    expect(ready.status.nextHandOffs.length).toBeLessThanOrEqual(5);
    expect(ready.status.nextHandOffs[0]).toMatchObject({
      time: iso(start),
      fromContactArns: [],
      toContactArns: [ALICE, BOB],
    });
    expect(ready.status.nextHandOffTime).toBe(iso(start));
    expect(condition(ready, 'Synced')?.status).toBe('True');
  });

  // Each field's own minimal write is the unit tier's table (test/unit/controllers/rotation/updates.test.ts);
  // here one update round trip: AWS reads back the change and the next visit sends nothing.
  it('an update is one UpdateRotation that AWS reads back, and nothing more on the next visit', async () => {
    const base = {
      name: 'Updates',
      contacts: [{ contactArn: ALICE }, { contactArn: BOB }],
      startTime: iso(midnight(1)),
      timeZoneId: 'UTC',
      recurrence: { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: ['09:00'] },
      overrides: [] as unknown[],
      tags: { team: 'payments', env: 'prod' },
    };
    await applyReady(rot('upd', base));
    const spec = {
      ...base,
      contacts: [{ contactArn: BOB }, { contactArn: ALICE }],
      timeZoneId: 'Europe/Dublin',
      startTime: iso(midnight(3)),
      recurrence: {
        numberOfOnCalls: 2,
        recurrenceMultiplier: 3,
        monthlySettings: [
          { dayOfMonth: 1, handOffTime: '09:00' },
          { dayOfMonth: 15, handOffTime: '09:00' },
        ],
      },
    };
    const mark = op.mark();
    await applyReady(rot('upd', spec));
    // One more visit after the change: it writes nothing.
    await passHandOff('upd');
    const writes = op.writes(mark, 'ssm-contacts');
    expect(writes.map((w) => w.operation)).toEqual(['UpdateRotation']);
    expect(Object.keys(writes[0]?.input as object).sort()).toEqual([
      'ContactIds',
      'Recurrence',
      'RotationId',
      'StartTime',
      'TimeZoneId',
    ]);
    const aws = await op.sdk.contacts.send(
      new GetRotationCommand({ RotationId: (await op.get('Rotation', 'upd'))?.status.arn }),
    );
    expect(aws).toMatchObject({
      ContactIds: [BOB, ALICE],
      TimeZoneId: 'Europe/Dublin',
      StartTime: new Date(spec.startTime),
    });
    expect(aws.Recurrence).toMatchObject({ NumberOfOnCalls: 2, RecurrenceMultiplier: 3 });
    expect(aws.Recurrence?.DailySettings ?? []).toEqual([]);
    expect(aws.Recurrence?.MonthlySettings).toEqual([
      { DayOfMonth: 1, HandOffTime: { HourOfDay: 9, MinuteOfHour: 0 } },
      { DayOfMonth: 15, HandOffTime: { HourOfDay: 9, MinuteOfHour: 0 } },
    ]);
  });

  it('drift made in AWS is put back at the next visit, in one write per drifted resource part', async () => {
    const o = (await op.get('Rotation', 'upd')) as KubeObject;
    const arn = o.status.arn as string;
    const startOv = now() + 2 * DAY;
    await applyReady(
      rot('upd', {
        ...o.spec,
        overrides: [
          { startTime: iso(startOv), endTime: iso(startOv + 2 * HOUR), newContacts: [{ contactArn: ALICE }] },
        ],
      }),
    );
    const withOverride = (await op.waitFor(
      'Rotation',
      'upd',
      (x) => x?.status?.overrides?.length === 1,
    )) as KubeObject;
    const overrideId = withOverride.status.overrides[0].id as string;
    const before = await op.sdk.contacts.send(new GetRotationCommand({ RotationId: arn }));

    await op.sdk.contacts.send(
      new UpdateRotationCommand({
        RotationId: arn,
        ContactIds: [ALICE, BOB],
        TimeZoneId: 'Asia/Seoul',
        Recurrence: before.Recurrence,
      }),
    );
    await op.sdk.contacts.send(
      new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'team', Value: 'someone-else' }] }),
    );
    await op.sdk.contacts.send(
      new DeleteRotationOverrideCommand({ RotationId: arn, RotationOverrideId: overrideId }),
    );

    const mark = op.mark();
    op.stack.clock.advance(ROTATION_RESYNC_MS * 1.2); // the periodic drift check is due
    await touch('upd');
    const fixed = await op.waitFor(
      'Rotation',
      'upd',
      (x) =>
        x?.status?.overrides?.length === 1 &&
        x.status.overrides[0].id !== overrideId &&
        x.status.contactArns?.[0] === BOB,
    );
    expect(writeOps(mark).sort()).toEqual(['CreateRotationOverride', 'TagResource', 'UpdateRotation']);
    const after = await op.sdk.contacts.send(new GetRotationCommand({ RotationId: arn }));
    expect(after.ContactIds).toEqual([BOB, ALICE]);
    expect(after.TimeZoneId).toBe('Europe/Dublin');
    const tags = await op.sdk.contacts.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    expect(tags.Tags?.find((t) => t.Key === 'team')?.Value).toBe('payments');
    const events = await op.events('Rotation', 'upd');
    const updated = events.filter((e) => e.reason === 'Updated').map((e) => e.message as string);
    expect(
      updated.some(
        (m) =>
          m.includes('spec.contacts') &&
          m.includes('spec.timeZoneId') &&
          m.includes('spec.tags.team') &&
          m.includes('spec.overrides[0]'),
      ),
    ).toBe(true);
    // The spec's milliseconds are not part of AWS's answer (whole seconds), nor a reason to re-create.
    expect(fixed?.status.overrides[0].startTime).toBe(iso(Math.floor(startOv / 1000) * 1000));
  });

  it('weekly business-hours coverage across the US daylight-saving change shows the right shifts', async () => {
    // Mon 1 March 2027 09:00 PST; Los Angeles moves to PDT on Sunday 14 March.
    const start = Date.parse('2027-03-01T17:00:00Z');
    expect(now()).toBeLessThan(start);
    await applyReady(
      rot('dst', {
        name: 'Seattle business hours',
        contacts: [{ contactArn: ALICE }, { contactArn: BOB }],
        startTime: iso(start),
        timeZoneId: 'America/Los_Angeles',
        recurrence: {
          numberOfOnCalls: 1,
          recurrenceMultiplier: 1,
          weeklySettings: [{ dayOfWeek: 'Mon', handOffTime: '09:00' }],
          shiftCoverages: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].map((d) => ({
            dayOfWeek: d,
            windows: [{ start: '09:00', end: '17:00' }],
          })),
        },
        tags: { team: 'payments' },
      }),
    );
    // Friday 12 March, 10:00 PST: Bob's week (the second), the last weekday before the change.
    op.stack.clock.advance(Date.parse('2027-03-12T18:00:00Z') - now());
    await touch('dst');
    const o = (await op.waitFor('Rotation', 'dst', (x) => x?.status?.onCallNow?.[0] === BOB)) as KubeObject;
    expect(o.status.onCallNow).toEqual([BOB]);
    // Coverage ends at 17:00 PST = 01:00Z; after the weekend Alice starts at 09:00 PDT = 16:00Z, not 17:00Z.
    expect(o.status.nextHandOffTime).toBe('2027-03-13T01:00:00.000Z');
    // The next hand-offs, not the next coverage windows: Bob hands over to Alice on Monday 09:00 PDT
    // (the weekend and each evening are gaps, not hand-offs), then weekly, in Los Angeles time.
    const handOff = (day: string, from: string, to: string) => ({
      time: `2027-${day}T16:00:00.000Z`,
      localTime: `2027-${day}T09:00:00-07:00`,
      fromContactArns: [from],
      toContactArns: [to],
    });
    expect(o.status.nextHandOffs).toEqual([
      handOff('03-15', BOB, ALICE),
      handOff('03-22', ALICE, BOB),
      handOff('03-29', BOB, ALICE),
      handOff('04-05', ALICE, BOB),
      handOff('04-12', BOB, ALICE),
    ]);
    // Over the weekend nobody is on call; Monday at 09:00 PDT it is Alice.
    const weekend = await passHandOff('dst');
    expect(weekend.status.onCallNow).toEqual([]);
    expect(weekend.status.nextHandOffTime).toBe('2027-03-15T16:00:00.000Z');
    const monday = await passHandOff('dst');
    expect(monday.status.onCallNow).toEqual([ALICE]);
    expect(monday.status.nextHandOffTime).toBe('2027-03-16T00:00:00.000Z');
  });

  it('an override shows as the next shift, is in force, then expires and is not re-created', async () => {
    // 08:00 tomorrow; the override runs 10:00–12:00, well inside the day's shift (hand-off 00:00).
    const t0 = midnight(1) + 8 * HOUR;
    await applyReady(
      rot('ovr', {
        name: 'Override demo',
        contacts: [{ contactArn: ALICE }, { contactArn: BOB }],
        startTime: iso(t0),
        timeZoneId: 'UTC',
        recurrence: { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: ['00:00'] },
        overrides: [
          { startTime: iso(t0 + 2 * HOUR), endTime: iso(t0 + 4 * HOUR), newContacts: [{ contactArn: BOB }] },
        ],
      }),
    );
    const mark = op.mark();
    // In Alice's first shift: Bob's override is the next thing that happens.
    op.stack.clock.advance(t0 + HOUR - now());
    await touch('ovr');
    const before = (await op.waitFor(
      'Rotation',
      'ovr',
      (x) => x?.status?.onCallNow?.[0] === ALICE,
    )) as KubeObject;
    expect(before.status.nextHandOffTime).toBe(iso(t0 + 2 * HOUR));
    // Bob takes over from Alice for the override, and hands back when it ends.
    expect(before.status.nextHandOffs.slice(0, 2)).toEqual([
      {
        time: iso(t0 + 2 * HOUR),
        localTime: iso(t0 + 2 * HOUR).replace('.000Z', 'Z'),
        fromContactArns: [ALICE],
        toContactArns: [BOB],
        overridden: true,
      },
      {
        time: iso(t0 + 4 * HOUR),
        localTime: iso(t0 + 4 * HOUR).replace('.000Z', 'Z'),
        fromContactArns: [BOB],
        toContactArns: [ALICE],
        overridden: true,
      },
    ]);
    // In force.
    const during = await passHandOff('ovr');
    expect(during.status.onCallNow).toEqual([BOB]);
    expect(during.status.overrides).toHaveLength(1);
    // Ended: gone from status, Alice back, and no AWS write (the spec still lists it: pruned, not re-created).
    const after = await passHandOff('ovr');
    expect(after.status.onCallNow).toEqual([ALICE]);
    expect(after.status.overrides).toEqual([]);
    op.stack.clock.advance(ROTATION_RESYNC_MS * 1.2);
    await passHandOff('ovr');
    expect(writeOps(mark)).toEqual([]);
    expect(condition(after, 'Ready')?.status).toBe('True');
  });

  it('who is on call follows a hand-off by itself, before the five-minute resync', async () => {
    // The first shift starts at the next whole minute at least a minute away; hand-off the minute after.
    const start = Math.ceil((now() + 60_000) / 60_000) * 60_000;
    const hhmm = iso(start + 60_000).slice(11, 16);
    const created = await applyReady(
      rot('handoff', {
        name: 'Hand-off follower',
        contacts: [{ contactArn: ALICE }, { contactArn: BOB }],
        startTime: iso(start),
        timeZoneId: 'UTC',
        recurrence: { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: [hhmm] },
      }),
    );
    expect(created.status.onCallNow).toEqual([]);
    expect(created.status.nextHandOffTime).toBe(iso(start));
    // No touch: only the controller's own timer (hand-off + 1 s, well before the resync) visits it.
    op.stack.clock.advance(start + 2_000 - now());
    const on = (await op.waitFor(
      'Rotation',
      'handoff',
      (o) => o?.status?.onCallNow?.[0] === ALICE,
    )) as KubeObject;
    expect(on.status.nextHandOffTime).toBe(iso(start + 60_000));
  });

  it('contactRef: waits for the Contact, uses its ARN; the Contact is not deleted while the rotation names it', async () => {
    await op.apply(
      rot('refs', daily('With references', [{ contactRef: { name: 'dana' } }, { contactArn: ALICE }])),
    );
    const waiting = await op.waitFor(
      'Rotation',
      'refs',
      (x) => condition(x, 'Ready')?.reason === 'ReferencesNotReady',
    );
    expect(condition(waiting, 'Ready')?.message).toContain('dana');
    await op.apply({
      apiVersion: API,
      kind: 'Contact',
      metadata: { name: 'dana', namespace: NS },
      spec: { alias: 'dana', displayName: 'Dana', type: 'Personal' },
    });
    const dana = await op.ready('Contact', 'dana');
    const r = await op.ready('Rotation', 'refs');
    expect(r.status.contactArns).toEqual([dana.status.arn, ALICE]);

    await op.remove('Contact', 'dana');
    const blocked = await op.waitFor(
      'Contact',
      'dana',
      (x) => condition(x, 'Ready')?.reason === 'DeleteBlocked',
    );
    expect(condition(blocked, 'Ready')?.message).toContain('Rotation');
    await op.remove('Rotation', 'refs');
    await op.gone('Rotation', 'refs');
    await op.gone('Contact', 'dana');
  });

  it('a rotation an on-call schedule names is not deleted from AWS until the schedule lets go', async () => {
    const r = await applyReady(rot('sched-rot', daily('Scheduled', [{ contactArn: ALICE }])));
    await op.apply({
      apiVersion: API,
      kind: 'Contact',
      metadata: { name: 'primary', namespace: NS },
      spec: {
        alias: 'primary-on-call',
        type: 'OnCallSchedule',
        rotations: [{ rotationRef: { name: 'sched-rot' } }],
      },
    });
    await op.ready('Contact', 'primary');
    const mark = op.mark();
    await op.remove('Rotation', 'sched-rot');
    const blocked = await op.waitFor(
      'Rotation',
      'sched-rot',
      (x) => condition(x, 'Ready')?.reason === 'DeleteBlocked',
    );
    expect(condition(blocked, 'Ready')?.message).toContain('primary');
    expect(op.calls({ since: mark, operation: 'DeleteRotation' })).toEqual([]);
    await op.remove('Contact', 'primary');
    await op.gone('Rotation', 'sched-rot');
    await op.gone('Contact', 'primary');
    await expect(
      op.sdk.contacts.send(new GetRotationCommand({ RotationId: r.status.arn })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('an abbreviation time zone is refused before any AWS call, naming the field', async () => {
    const mark = op.mark();
    await op.apply(
      rot('pst', {
        name: 'Bad zone',
        contacts: [{ contactArn: ALICE }],
        timeZoneId: 'PST',
        recurrence: { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: ['09:00'] },
      }),
    );
    const o = await op.waitFor('Rotation', 'pst', (x) => condition(x, 'Synced')?.reason === 'InvalidSpec');
    expect(condition(o, 'Synced')?.message).toContain('spec.timeZoneId');
    expect(op.calls({ since: mark, operation: 'CreateRotation' })).toEqual([]);
    await op.remove('Rotation', 'pst');
    await op.gone('Rotation', 'pst');
  });

  it('25 overrides (past the 10 CEL once allowed): a non-member is refused naming the entry, nothing written; fixed, AWS has all 25', async () => {
    const t0 = midnight(2);
    const overrides = (outsider?: number) =>
      Array.from({ length: 25 }, (_, i) => ({
        startTime: iso(t0 + i * DAY + 10 * HOUR),
        endTime: iso(t0 + i * DAY + 12 * HOUR),
        newContacts: [{ contactArn: i === outsider ? CARA : BOB }],
      }));
    const spec = (outsider?: number) => ({
      ...daily('Many overrides', [{ contactArn: ALICE }, { contactArn: BOB }]),
      overrides: overrides(outsider),
    });
    const mark = op.mark();
    await op.apply(rot('many', spec(17)));
    const refused = await op.waitFor(
      'Rotation',
      'many',
      (x) => condition(x, 'Ready')?.reason === 'InvalidSpec',
    );
    expect(condition(refused, 'Ready')?.status).toBe('False');
    expect(condition(refused, 'Synced')?.message).toContain(
      `spec.overrides[17].newContacts[0]: ${CARA} is not a member of the rotation`,
    );
    expect(writeOps(mark)).toEqual([]);

    const ready = await applyReady(rot('many', spec()));
    expect(ready.status.overrides).toHaveLength(25);
    const listed = await op.sdk.contacts.send(
      new ListRotationOverridesCommand({
        RotationId: (ready.metadata.annotations as Record<string, string>)[EXTERNAL_ARN_ANNOTATION],
        StartTime: new Date(now()),
        EndTime: new Date(now() + 60 * DAY),
      }),
    );
    expect(listed.RotationOverrides).toHaveLength(25);
    await op.remove('Rotation', 'many');
    await op.gone('Rotation', 'many');
  });

  it('a rotation of the same name that this object did not create is never taken over', async () => {
    await awsRotation('Taken', [ALICE]);
    const mark = op.mark();
    await op.apply(rot('taken', daily('Taken', [{ contactArn: BOB }])));
    const o = await op.waitFor(
      'Rotation',
      'taken',
      (x) => condition(x, 'Synced')?.reason === 'AlreadyExists',
    );
    expect(condition(o, 'Ready')?.reason).toBe('AlreadyExists');
    expect(condition(o, 'Synced')?.message).toContain('spec.name');
    expect(condition(o, 'Synced')?.message).toContain(EXTERNAL_ARN_ANNOTATION);
    expect(writeOps(mark)).toEqual([]);
    await op.remove('Rotation', 'taken');
    await op.gone('Rotation', 'taken');
  });

  it('a not-found right after our own update is read lag: no create, Ready waits until AWS shows it', async () => {
    const spec = daily('Lagging', [{ contactArn: ALICE }]);
    await applyReady(rot('lagging', spec));
    op.stack.clock.advance(20_000); // the create is long visible
    const mark = op.mark();
    // AWS answers GetRotation with not-found for 15 s after each write (read-after-write lag).
    op.stack.aws.admin.setFaults({ 'ssm-contacts:GetRotation': { staleReadMs: 15_000 } });
    try {
      await op.apply(rot('lagging', { ...spec, contacts: [{ contactArn: ALICE }, { contactArn: BOB }] }));
      const lagging = await op.waitFor('Rotation', 'lagging', (x) =>
        /does not show it yet/.test(condition(x, 'Ready')?.message ?? ''),
      );
      expect(condition(lagging, 'Ready')?.reason).toBe('Updating');
      expect(condition(lagging, 'Synced')?.status).toBe('True');
      expect(writeOps(mark)).toEqual(['UpdateRotation']);
    } finally {
      op.stack.aws.admin.setFaults({});
    }
    await touch('lagging');
    const ready = await op.waitFor('Rotation', 'lagging', (x) => condition(x, 'Ready')?.status === 'True');
    expect(ready?.status.contactArns).toEqual([ALICE, BOB]);
    expect(writeOps(mark)).toEqual(['UpdateRotation']);
  });

  it('waiting for a missing AWSAccount still carries both Ready and Synced', async () => {
    await op.apply(
      rot('no-account', { ...daily('NoAccount', [{ contactArn: ALICE }]), accountRef: { name: 'absent' } }),
    );
    const o = await op.waitFor(
      'Rotation',
      'no-account',
      (x) => condition(x, 'Ready')?.reason === 'ReferencesNotReady',
    );
    expect(condition(o, 'Ready')?.message).toContain('AWSAccount absent');
    expect(condition(o, 'Synced')).toMatchObject({ status: 'False', reason: 'ReferencesNotReady' });
    await op.remove('Rotation', 'no-account', NS);
    await op.gone('Rotation', 'no-account', NS);
  });

  it('managementPolicy Observe finds the rotation by name, reports drift and never writes', async () => {
    const mark = op.mark();
    await op.apply(
      rot('watch', {
        ...daily('Taken', [{ contactArn: BOB }]),
        managementPolicy: 'Observe',
        deletionPolicy: 'Delete',
      }),
    );
    const o = await op.waitFor(
      'Rotation',
      'watch',
      (x) => condition(x, 'Synced')?.reason === 'DriftDetected',
    );
    expect(condition(o, 'Synced')?.message).toContain('spec.contacts');
    expect(o?.status.contactArns).toEqual([ALICE]);
    await op.remove('Rotation', 'watch');
    await op.gone('Rotation', 'watch');
    expect(writeOps(mark)).toEqual([]);
  });

  it('a create interrupted before its ARN was recorded is found again by name and uid tag, not repeated', async () => {
    await op.stack.stopController();
    const applied = await op.apply(rot('crash', daily('Interrupted', [{ contactArn: ALICE }])));
    // What the killed controller left behind: the pending mark, and the rotation it created in AWS.
    const owner = {
      kind: 'Rotation',
      metadata: { name: 'crash', namespace: NS, uid: applied.metadata.uid as string },
    };
    const madeArn = await awsRotation('Interrupted', [ALICE], identityTags(owner));
    const path = KubeClient.objectPath(typeOf('Rotation'), 'crash', NS);
    await op.client.request(
      'PATCH',
      path,
      { metadata: { annotations: { [CREATE_PENDING_ANNOTATION]: 'lost-1' }, finalizers: [FINALIZER] } },
      'application/merge-patch+json',
    );
    const mark = op.mark();
    await op.stack.startController();
    const o = await op.ready('Rotation', 'crash');
    const annotations = (o.metadata.annotations ?? {}) as Record<string, string>;
    expect(annotations[EXTERNAL_ARN_ANNOTATION]).toBe(madeArn);
    expect(annotations[CREATE_PENDING_ANNOTATION]).toBeUndefined();
    expect(op.calls({ since: mark, operation: 'CreateRotation' })).toEqual([]);
    const events = await op.events('Rotation', 'crash');
    expect(events.some((e) => e.reason === 'Adopted')).toBe(true);
    await op.remove('Rotation', 'crash');
    await op.gone('Rotation', 'crash');
  });

  it('setting the external-arn annotation adopts an existing rotation and brings it to the spec', async () => {
    const legacyArn = await awsRotation('Legacy', [ALICE, BOB]);
    const mark = op.mark();
    const obj = rot('legacy', {
      ...daily('Legacy', [{ contactArn: ALICE }, { contactArn: BOB }]),
      tags: { team: 'payments' },
    });
    obj.metadata.annotations = { [EXTERNAL_ARN_ANNOTATION]: legacyArn };
    const o = await applyReady(obj);
    expect(o.status.arn).toBe(legacyArn);
    expect(writeOps(mark)).toEqual(['TagResource']);
    await op.remove('Rotation', 'legacy');
    await op.gone('Rotation', 'legacy');
  });

  it("moving a rotation's start into the past is refused, naming the field; nothing is written", async () => {
    const full = (await op.get('Rotation', 'full')) as KubeObject;
    const mark = op.mark();
    await op.apply(rot('full', { ...full.spec, startTime: iso(Math.floor(now() / 1000) * 1000 - DAY) }));
    const o = await op.waitFor('Rotation', 'full', (x) => condition(x, 'Synced')?.reason === 'InvalidSpec');
    expect(condition(o, 'Synced')?.message).toContain('spec.startTime');
    expect(condition(o, 'Synced')?.message).toContain('past');
    expect(writeOps(mark)).toEqual([]);
  });

  it('delete removes the rotation from AWS', async () => {
    const o = (await op.get('Rotation', 'upd')) as KubeObject;
    const mark = op.mark();
    await op.remove('Rotation', 'upd');
    await op.gone('Rotation', 'upd');
    expect(writeOps(mark)).toEqual(['DeleteRotation']);
    await expect(
      op.sdk.contacts.send(new GetRotationCommand({ RotationId: o.status.arn })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('Rotation samples', () => {
  let samples: Operator;
  afterAll(async () => {
    await samples?.stop();
  });

  it('round trip: the sample rotations read back from AWS match the YAML', async () => {
    // Its own stack, so that its clock is today's (the other tests moved theirs into 2027).
    samples = await startOperator({
      modules: [rotationModule, contactModule],
      namespace: 'samples',
      pollMs: 100,
    });
    const base = { region: 'eu-west-1', endpoint: samples.stack.aws.url };
    const sts = new STSClient({
      ...base,
      credentials: { accessKeyId: samples.stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'x' },
    });
    const role = await sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::111122223333:role/incident-manager-operator',
        RoleSessionName: 'test',
        ExternalId: 'payments-prod-im-operator',
      }),
    );
    sts.destroy();
    const credentials = {
      accessKeyId: role.Credentials?.AccessKeyId as string,
      secretAccessKey: role.Credentials?.SecretAccessKey as string,
      sessionToken: role.Credentials?.SessionToken as string,
    };
    const incidents = new SSMIncidentsClient({ ...base, credentials });
    await incidents.send(new CreateReplicationSetCommand({ regions: { 'eu-west-1': {} } }));
    incidents.destroy();
    const contacts = new SSMContactsClient({ ...base, credentials });

    const ns = 'samples';
    await samples.applyFile('config/samples/00-awsaccounts.yaml');
    await samples.applyFile('config/samples/02-activation-codes-secret.yaml', ns);
    const people = await samples.applyFile('config/samples/03-contacts.yaml', ns);
    const arnOf: Record<string, string> = {};
    for (const p of people)
      arnOf[p.metadata.name] = (await samples.ready('Contact', p.metadata.name, ns)).status.arn;

    const docs = parseAllDocuments(readFileSync('config/samples/04-rotations.yaml', 'utf8')).map(
      (d) => d.toJS() as KubeObject,
    );
    await samples.applyFile('config/samples/04-rotations.yaml', ns);
    for (const doc of docs) {
      const s = doc.spec;
      const ready = await samples.ready('Rotation', doc.metadata.name, ns);
      const arn = ready.status.arn as string;
      const got = await contacts.send(new GetRotationCommand({ RotationId: arn }));
      expect(got.Name).toBe(s.name);
      expect(got.ContactIds).toEqual(
        s.contacts.map((c: { contactRef: { name: string } }) => arnOf[c.contactRef.name]),
      );
      expect(got.StartTime?.toISOString()).toBe(new Date(s.startTime).toISOString());
      expect(got.TimeZoneId).toBe(s.timeZoneId);
      const hm = (t: string) => ({ HourOfDay: Number(t.slice(0, 2)), MinuteOfHour: Number(t.slice(3)) });
      expect(got.Recurrence).toEqual({
        NumberOfOnCalls: s.recurrence.numberOfOnCalls,
        RecurrenceMultiplier: s.recurrence.recurrenceMultiplier,
        WeeklySettings: s.recurrence.weeklySettings.map((w: { dayOfWeek: string; handOffTime: string }) => ({
          DayOfWeek: w.dayOfWeek.toUpperCase(),
          HandOffTime: hm(w.handOffTime),
        })),
        ShiftCoverages: Object.fromEntries(
          s.recurrence.shiftCoverages.map(
            (c: { dayOfWeek: string; windows: { start: string; end: string }[] }) => [
              c.dayOfWeek.toUpperCase(),
              c.windows.map((w) => ({ Start: hm(w.start), End: hm(w.end) })),
            ],
          ),
        ),
      });
      const tags = await contacts.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
      const tagMap = Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key, t.Value]));
      expect(tagMap).toMatchObject(s.tags);
      // Overrides that have not ended yet (an ended one is history: never created).
      const listed = await contacts.send(
        new ListRotationOverridesCommand({
          RotationId: arn,
          StartTime: new Date(samples.stack.clock.now()),
          EndTime: new Date(samples.stack.clock.now() + 200 * DAY),
        }),
      );
      const want = (s.overrides ?? [])
        .filter((x: { endTime: string }) => Date.parse(x.endTime) > samples.stack.clock.now())
        .map(
          (x: { startTime: string; endTime: string; newContacts: { contactRef: { name: string } }[] }) => ({
            start: new Date(x.startTime).toISOString(),
            end: new Date(x.endTime).toISOString(),
            contacts: x.newContacts.map((c) => arnOf[c.contactRef.name]),
          }),
        );
      expect(
        (listed.RotationOverrides ?? []).map((x) => ({
          start: x.StartTime?.toISOString(),
          end: x.EndTime?.toISOString(),
          contacts: x.NewContactIds,
        })),
      ).toEqual(want);
    }
    contacts.destroy();
  });
});
