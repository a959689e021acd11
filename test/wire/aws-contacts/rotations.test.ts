// ssm-contacts rotations, overrides and shifts through @aws-sdk/client-ssm-contacts over HTTP.

import {
  AcceptResourceShareInvitationCommand,
  CreateResourceShareCommand,
  GetResourceShareInvitationsCommand,
} from '@aws-sdk/client-ram';
import {
  CreateContactCommand,
  CreateRotationCommand,
  CreateRotationOverrideCommand,
  DeleteRotationCommand,
  DeleteRotationOverrideCommand,
  GetContactCommand,
  GetRotationCommand,
  GetRotationOverrideCommand,
  ListContactsCommand,
  ListPreviewRotationShiftsCommand,
  ListRotationOverridesCommand,
  ListRotationShiftsCommand,
  ListRotationsCommand,
  ListTagsForResourceCommand,
  type RecurrenceSettings,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContactCommand,
  UpdateRotationCommand,
} from '@aws-sdk/client-ssm-contacts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BOB, type ContactsHarness, failure, startContactsHarness } from './helpers.ts';

let h: ContactsHarness;
beforeAll(async () => {
  h = await startContactsHarness();
});
afterAll(async () => {
  await h.emu.stop();
});
beforeEach(async () => {
  await h.reset();
});

const daily9: RecurrenceSettings = {
  NumberOfOnCalls: 1,
  RecurrenceMultiplier: 1,
  DailySettings: [{ HourOfDay: 9, MinuteOfHour: 0 }],
};

async function people(...aliases: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const Alias of aliases) {
    const r = await h
      .contacts()
      .send(new CreateContactCommand({ Alias, Type: 'PERSONAL', Plan: { Stages: [] } }));
    out.push(r.ContactArn as string);
  }
  return out;
}

const iso = (d: Date | undefined) => d?.toISOString();

describe('rotations', () => {
  it('create, get, list, update and delete', async () => {
    const c = h.contacts();
    const [a, b] = await people('alice', 'bob');
    const start = new Date('2026-01-05T09:00:00Z');
    const { RotationArn } = await c.send(
      new CreateRotationCommand({
        Name: 'primary',
        ContactIds: [a as string, b as string],
        StartTime: start,
        TimeZoneId: 'Europe/Dublin',
        Recurrence: daily9,
        Tags: [{ Key: 'team', Value: 'sre' }],
      }),
    );
    expect(RotationArn).toBe('arn:aws:ssm-contacts:us-east-1:111111111111:rotation/primary');
    const got = await c.send(new GetRotationCommand({ RotationId: RotationArn }));
    expect(got).toMatchObject({
      Name: 'primary',
      ContactIds: [a, b],
      TimeZoneId: 'Europe/Dublin',
      Recurrence: daily9,
    });
    expect(iso(got.StartTime)).toBe('2026-01-05T09:00:00.000Z');

    await c.send(
      new UpdateRotationCommand({
        RotationId: RotationArn,
        ContactIds: [b as string, a as string],
        Recurrence: { ...daily9, RecurrenceMultiplier: 2 },
      }),
    );
    const updated = await c.send(new GetRotationCommand({ RotationId: RotationArn }));
    expect(updated.ContactIds).toEqual([b, a]);
    expect(updated.Recurrence?.RecurrenceMultiplier).toBe(2);

    await c.send(
      new CreateRotationCommand({
        Name: 'secondary',
        ContactIds: [a as string],
        TimeZoneId: 'UTC',
        Recurrence: daily9,
      }),
    );
    const page1 = await c.send(new ListRotationsCommand({ MaxResults: 1 }));
    expect(page1.Rotations?.map((r) => r.Name)).toEqual(['primary']);
    const page2 = await c.send(
      new ListRotationsCommand({ MaxResults: 1, NextToken: page1.NextToken as string }),
    );
    expect(page2.Rotations?.map((r) => r.Name)).toEqual(['secondary']);
    expect(page2.NextToken).toBeUndefined();
    expect((await c.send(new ListRotationsCommand({ RotationNamePrefix: 'sec' }))).Rotations).toHaveLength(1);

    await c.send(new DeleteRotationCommand({ RotationId: RotationArn }));
    const gone = await failure(() => c.send(new GetRotationCommand({ RotationId: RotationArn })));
    expect([gone.name, gone.error.ResourceType]).toEqual(['ResourceNotFoundException', 'ROTATION']);
  });

  it('replays CreateRotation by IdempotencyToken and conflicts on reuse', async () => {
    const c = h.contacts();
    const [a] = await people('alice');
    const req = {
      Name: 'r',
      ContactIds: [a as string],
      TimeZoneId: 'UTC',
      Recurrence: daily9,
      IdempotencyToken: 'tok',
    };
    const one = await c.send(new CreateRotationCommand(req));
    const two = await c.send(new CreateRotationCommand(req));
    expect(two.RotationArn).toBe(one.RotationArn);
    const other = await failure(() => c.send(new CreateRotationCommand({ ...req, Name: 'r2' })));
    expect(other.name).toBe('ConflictException');
  });

  it('tags a rotation: Tags on create, TagResource, UntagResource, ListTagsForResource', async () => {
    const c = h.contacts();
    const [a] = await people('alice');
    const { RotationArn } = await c.send(
      new CreateRotationCommand({
        Name: 'tagged',
        ContactIds: [a as string],
        TimeZoneId: 'UTC',
        Recurrence: daily9,
        Tags: [{ Key: 'team', Value: 'sre' }],
      }),
    );
    await c.send(new TagResourceCommand({ ResourceARN: RotationArn, Tags: [{ Key: 'tier', Value: 'one' }] }));
    await c.send(new UntagResourceCommand({ ResourceARN: RotationArn, TagKeys: ['team'] }));
    expect((await c.send(new ListTagsForResourceCommand({ ResourceARN: RotationArn }))).Tags).toEqual([
      { Key: 'tier', Value: 'one' },
    ]);
  });

  it('accepts only PERSONAL contacts of the caller’s account, a known time zone and one kind of settings', async () => {
    const c = h.contacts();
    const [a] = await people('alice');
    const { ContactArn: esc } = await c.send(
      new CreateContactCommand({
        Alias: 'esc',
        Type: 'ESCALATION',
        Plan: {
          Stages: [
            {
              DurationInMinutes: 1,
              Targets: [{ ContactTargetInfo: { ContactId: a as string, IsEssential: false } }],
            },
          ],
        },
      }),
    );
    const bad = async (over: Record<string, unknown>) =>
      failure(() =>
        c.send(
          new CreateRotationCommand({
            Name: 'r',
            ContactIds: [a as string],
            TimeZoneId: 'UTC',
            Recurrence: daily9,
            ...over,
          }),
        ),
      );
    expect((await bad({ ContactIds: [esc] })).name).toBe('ValidationException');
    expect((await bad({ ContactIds: ['arn:aws:ssm-contacts:us-east-1:222222222222:contact/x'] })).name).toBe(
      'ValidationException',
    );
    const missing = await bad({ ContactIds: ['arn:aws:ssm-contacts:us-east-1:111111111111:contact/ghost'] });
    expect(missing.name).toBe('ResourceNotFoundException');
    expect((await bad({ TimeZoneId: 'Mars/Olympus' })).name).toBe('ValidationException');
    // Zone designators without DST rules, and names not spelled as the tz database spells them.
    for (const zone of ['PST', 'EST', 'GMT', 'europe/dublin', 'America/los_angeles'])
      expect((await bad({ TimeZoneId: zone })).name, zone).toBe('ValidationException');
    expect(
      (
        await bad({
          Recurrence: {
            ...daily9,
            WeeklySettings: [{ DayOfWeek: 'MON', HandOffTime: { HourOfDay: 9, MinuteOfHour: 0 } }],
          },
        })
      ).name,
    ).toBe('ValidationException');
    expect((await bad({ Recurrence: { NumberOfOnCalls: 1, RecurrenceMultiplier: 1 } })).name).toBe(
      'ValidationException',
    );
  });

  it('UpdateRotation without Recurrence is a validation error', async () => {
    const c = h.contacts();
    const [a] = await people('alice');
    const { RotationArn } = await c.send(
      new CreateRotationCommand({
        Name: 'r',
        ContactIds: [a as string],
        TimeZoneId: 'UTC',
        Recurrence: daily9,
      }),
    );
    const err = await failure(() =>
      c.send(
        new UpdateRotationCommand({
          RotationId: RotationArn,
          TimeZoneId: 'UTC',
        } as unknown as UpdateRotationCommand['input']),
      ),
    );
    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain("'Recurrence'");
  });

  it('deleting a rotation silently removes it from the on-call schedules that use it', async () => {
    const c = h.contacts();
    const [a] = await people('alice');
    const { RotationArn } = await c.send(
      new CreateRotationCommand({
        Name: 'r',
        ContactIds: [a as string],
        TimeZoneId: 'UTC',
        Recurrence: daily9,
      }),
    );
    const { RotationArn: other } = await c.send(
      new CreateRotationCommand({
        Name: 'r2',
        ContactIds: [a as string],
        TimeZoneId: 'UTC',
        Recurrence: daily9,
      }),
    );
    const { ContactArn } = await c.send(
      new CreateContactCommand({
        Alias: 'sched',
        Type: 'ONCALL_SCHEDULE',
        Plan: { Stages: [], RotationIds: [RotationArn as string, other as string] },
      }),
    );
    await c.send(new DeleteRotationCommand({ RotationId: RotationArn }));
    expect((await c.send(new GetContactCommand({ ContactId: ContactArn }))).Plan?.RotationIds).toEqual([
      other,
    ]);
  });

  it('ListRotationShifts needs a window of at least 30 minutes', async () => {
    const c = h.contacts();
    const [a] = await people('alice');
    const { RotationArn } = await c.send(
      new CreateRotationCommand({
        Name: 'r',
        ContactIds: [a as string],
        TimeZoneId: 'UTC',
        Recurrence: daily9,
      }),
    );
    const list = (end: string) =>
      c.send(
        new ListRotationShiftsCommand({
          RotationId: RotationArn,
          StartTime: new Date('2026-01-02T00:00:00Z'),
          EndTime: new Date(end),
        }),
      );
    expect((await failure(() => list('2026-01-02T00:29:00Z'))).name).toBe('ValidationException');
    expect((await list('2026-01-02T00:30:00Z')).RotationShifts).toHaveLength(1);
  });
});

describe('overrides and shifts', () => {
  it('lists shifts with an override replacing part of a shift', async () => {
    const c = h.contacts();
    const [a, b, x] = await people('alice', 'bob', 'xavier');
    const { RotationArn } = await c.send(
      new CreateRotationCommand({
        Name: 'r',
        ContactIds: [a as string, b as string, x as string],
        StartTime: new Date('2026-01-05T09:00:00Z'),
        TimeZoneId: 'UTC',
        Recurrence: daily9,
      }),
    );
    const { RotationOverrideId } = await c.send(
      new CreateRotationOverrideCommand({
        RotationId: RotationArn,
        NewContactIds: [x as string],
        StartTime: new Date('2026-01-05T12:00:00Z'),
        EndTime: new Date('2026-01-05T15:00:00Z'),
        IdempotencyToken: 'o-1',
      }),
    );
    const replay = await c.send(
      new CreateRotationOverrideCommand({
        RotationId: RotationArn,
        NewContactIds: [x as string],
        StartTime: new Date('2026-01-05T12:00:00Z'),
        EndTime: new Date('2026-01-05T15:00:00Z'),
        IdempotencyToken: 'o-1',
      }),
    );
    expect(replay.RotationOverrideId).toBe(RotationOverrideId);

    const got = await c.send(new GetRotationOverrideCommand({ RotationId: RotationArn, RotationOverrideId }));
    expect(got).toMatchObject({ RotationArn, NewContactIds: [x] });
    const listed = await c.send(
      new ListRotationOverridesCommand({
        RotationId: RotationArn,
        StartTime: new Date('2026-01-05T00:00:00Z'),
        EndTime: new Date('2026-01-06T00:00:00Z'),
      }),
    );
    expect(listed.RotationOverrides?.map((o) => o.RotationOverrideId)).toEqual([RotationOverrideId]);

    const shifts = await c.send(
      new ListRotationShiftsCommand({
        RotationId: RotationArn,
        StartTime: new Date('2026-01-05T09:00:00Z'),
        EndTime: new Date('2026-01-06T10:00:00Z'),
      }),
    );
    expect(
      shifts.RotationShifts?.map((s) => [
        s.ContactIds,
        iso(s.StartTime),
        iso(s.EndTime),
        s.Type,
        s.ShiftDetails?.OverriddenContactIds,
      ]),
    ).toEqual([
      [[a], '2026-01-05T09:00:00.000Z', '2026-01-05T12:00:00.000Z', 'REGULAR', undefined],
      [[x], '2026-01-05T12:00:00.000Z', '2026-01-05T15:00:00.000Z', 'OVERRIDDEN', [a]],
      [[a], '2026-01-05T15:00:00.000Z', '2026-01-06T09:00:00.000Z', 'REGULAR', undefined],
      [[b], '2026-01-06T09:00:00.000Z', '2026-01-07T09:00:00.000Z', 'REGULAR', undefined],
    ]);

    const paged = await c.send(
      new ListRotationShiftsCommand({
        RotationId: RotationArn,
        StartTime: new Date('2026-01-05T09:00:00Z'),
        EndTime: new Date('2026-01-06T10:00:00Z'),
        MaxResults: 3,
      }),
    );
    expect(paged.RotationShifts).toHaveLength(3);
    const rest = await c.send(
      new ListRotationShiftsCommand({
        RotationId: RotationArn,
        StartTime: new Date('2026-01-05T09:00:00Z'),
        EndTime: new Date('2026-01-06T10:00:00Z'),
        MaxResults: 3,
        NextToken: paged.NextToken as string,
      }),
    );
    expect(rest.RotationShifts?.map((s) => s.ContactIds)).toEqual([[b]]);

    await c.send(new DeleteRotationOverrideCommand({ RotationId: RotationArn, RotationOverrideId }));
    const gone = await failure(() =>
      c.send(new GetRotationOverrideCommand({ RotationId: RotationArn, RotationOverrideId })),
    );
    expect([gone.name, gone.error.ResourceType]).toEqual(['ResourceNotFoundException', 'ROTATION_OVERRIDE']);
  });

  it('rejects overrides by non-members, shorter than 30 minutes, or ending more than 6 months ahead', async () => {
    const c = h.contacts();
    const [a, stranger] = await people('alice', 'stranger');
    const { RotationArn } = await c.send(
      new CreateRotationCommand({
        Name: 'r',
        ContactIds: [a as string],
        TimeZoneId: 'UTC',
        Recurrence: daily9,
      }),
    );
    const make = (who: string, start: string, end: string) =>
      c.send(
        new CreateRotationOverrideCommand({
          RotationId: RotationArn,
          NewContactIds: [who],
          StartTime: new Date(start),
          EndTime: new Date(end),
        }),
      );
    // The emulator clock starts at 2026-01-01T00:00Z.
    expect(
      (await failure(() => make(stranger as string, '2026-01-02T00:00:00Z', '2026-01-02T01:00:00Z'))).name,
    ).toBe('ValidationException');
    expect(
      (await failure(() => make(a as string, '2026-01-02T00:00:00Z', '2026-01-02T00:29:00Z'))).name,
    ).toBe('ValidationException');
    await make(a as string, '2026-01-02T00:00:00Z', '2026-01-02T00:30:00Z');
    await make(a as string, '2026-06-30T00:00:00Z', '2026-07-01T00:00:00Z');
    expect(
      (await failure(() => make(a as string, '2026-06-30T00:00:00Z', '2026-07-01T00:01:00Z'))).name,
    ).toBe('ValidationException');
  });

  it('previews shifts for members and overrides not yet saved, across a DST change', async () => {
    const res = await h.contacts().send(
      new ListPreviewRotationShiftsCommand({
        RotationStartTime: new Date('2026-03-02T16:00:00Z'),
        StartTime: new Date('2026-03-02T16:00:00Z'),
        EndTime: new Date('2026-03-10T00:00:00Z'),
        Members: ['alice', 'bob'],
        TimeZoneId: 'America/Los_Angeles',
        Recurrence: {
          NumberOfOnCalls: 1,
          RecurrenceMultiplier: 1,
          WeeklySettings: [{ DayOfWeek: 'MON', HandOffTime: { HourOfDay: 8, MinuteOfHour: 0 } }],
        },
        Overrides: [
          {
            NewMembers: ['bob'],
            StartTime: new Date('2026-03-03T16:00:00Z'),
            EndTime: new Date('2026-03-03T20:00:00Z'),
          },
        ],
      }),
    );
    expect(res.RotationShifts?.map((s) => [s.ContactIds, iso(s.StartTime), iso(s.EndTime), s.Type])).toEqual([
      [['alice'], '2026-03-02T16:00:00.000Z', '2026-03-03T16:00:00.000Z', 'REGULAR'],
      [['bob'], '2026-03-03T16:00:00.000Z', '2026-03-03T20:00:00.000Z', 'OVERRIDDEN'],
      [['alice'], '2026-03-03T20:00:00.000Z', '2026-03-09T15:00:00.000Z', 'REGULAR'],
      [['bob'], '2026-03-09T15:00:00.000Z', '2026-03-16T15:00:00.000Z', 'REGULAR'],
    ]);
  });
});

describe('sharing through RAM', () => {
  it('a contact shared with another account is readable by ARN and listed there once accepted, in its own Region only', async () => {
    const [a] = await people('alice');
    const bob = h.contacts(BOB);
    const before = await failure(() => bob.send(new GetContactCommand({ ContactId: a })));
    expect(before.name).toBe('AccessDeniedException');

    await h.ram().send(
      new CreateResourceShareCommand({
        name: 'contacts',
        resourceArns: [a as string],
        principals: [BOB.account],
      }),
    );
    const inv = (await h.ram(BOB).send(new GetResourceShareInvitationsCommand({})))
      .resourceShareInvitations?.[0];
    await h.ram(BOB).send(
      new AcceptResourceShareInvitationCommand({
        resourceShareInvitationArn: inv?.resourceShareInvitationArn as string,
      }),
    );
    h.clock.advance(5000);
    expect((await bob.send(new GetContactCommand({ ContactId: a }))).Alias).toBe('alice');
    expect((await bob.send(new ListContactsCommand({}))).Contacts?.map((x) => x.ContactArn)).toEqual([a]);
    // The share is regional: another Region's endpoint neither lists nor finds it.
    const west = h.contacts(BOB, 'us-west-2');
    expect((await west.send(new ListContactsCommand({}))).Contacts).toEqual([]);
    const elsewhere = await failure(() => west.send(new GetContactCommand({ ContactId: a })));
    expect([elsewhere.name, elsewhere.error.ResourceType]).toEqual(['ResourceNotFoundException', 'CONTACT']);
    // The consumer reads; it does not write.
    const write = await failure(() => bob.send(new UpdateContactCommand({ ContactId: a, DisplayName: 'x' })));
    expect(write.name).toBe('AccessDeniedException');
  });
});
