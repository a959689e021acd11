import { describe, expect, it } from 'vitest';
import { diff } from '../../../../src/controllers/rotation/diff.ts';
import {
  createInput,
  fromAws,
  liveFromShifts,
  type RotationState,
  recurrenceFromAws,
  toDesired,
} from '../../../../src/controllers/rotation/mapping.ts';
import { ClassifiedError } from '../../../../src/engine/contract.ts';
import { ALICE, BOB, NOW, OWNER, REFS, ROTATION_ARN, rotation } from './fixtures.ts';

/** What AWS would answer for a create input (GetRotation + ListTagsForResource + ListRotationOverrides). */
function awsEcho(d: RotationState, asOf = NOW): RotationState {
  const input = createInput(d, OWNER, 'token');
  const tags = Object.fromEntries((input.Tags ?? []).map((t) => [t.Key, t.Value]));
  return fromAws({
    rotation: {
      RotationArn: ROTATION_ARN,
      Name: input.Name,
      ContactIds: input.ContactIds,
      StartTime: input.StartTime ?? new Date(asOf),
      TimeZoneId: input.TimeZoneId,
      // AWS keeps no particular order: hand it back reversed.
      Recurrence: {
        ...input.Recurrence,
        WeeklySettings: [...(input.Recurrence?.WeeklySettings ?? [])].reverse(),
      } as NonNullable<typeof input.Recurrence>,
    },
    tags: tags as Record<string, string>,
    overrides: (d.overrides ?? []).map((o, i) => ({
      RotationOverrideId: `o-${i}`,
      NewContactIds: o.contactIds,
      StartTime: new Date(o.start),
      EndTime: new Date(o.end),
      CreateTime: new Date(asOf),
    })),
    shifts: [],
    asOf,
  });
}

describe('Rotation mapping', () => {
  it('round trip: spec → create input → what AWS returns → no diff', () => {
    const d = toDesired(rotation(), REFS, NOW);
    expect(diff(d, awsEcho(d))).toEqual([]);
  });

  it('create input carries every field, the explicit token, user and identity tags', () => {
    const d = toDesired(rotation(), REFS, NOW);
    const input = createInput(d, OWNER, 'tok-1');
    expect(input).toMatchObject({
      Name: 'Payments',
      ContactIds: [ALICE, BOB],
      StartTime: new Date('2027-03-01T17:00:00.000Z'),
      TimeZoneId: 'America/Los_Angeles',
      IdempotencyToken: 'tok-1',
      Recurrence: {
        NumberOfOnCalls: 1,
        RecurrenceMultiplier: 2,
        WeeklySettings: [
          { DayOfWeek: 'MON', HandOffTime: { HourOfDay: 9, MinuteOfHour: 0 } },
          { DayOfWeek: 'THU', HandOffTime: { HourOfDay: 9, MinuteOfHour: 0 } },
        ],
        ShiftCoverages: {
          MON: [
            { Start: { HourOfDay: 9, MinuteOfHour: 0 }, End: { HourOfDay: 12, MinuteOfHour: 0 } },
            { Start: { HourOfDay: 13, MinuteOfHour: 0 }, End: { HourOfDay: 17, MinuteOfHour: 0 } },
          ],
          TUE: [{ Start: { HourOfDay: 9, MinuteOfHour: 0 }, End: { HourOfDay: 17, MinuteOfHour: 0 } }],
        },
      },
    });
    const keys = (input.Tags ?? []).map((t) => t.Key);
    expect(keys).toContain('team');
    expect(keys).toContain('incidentmanager-gitops-dev/uid');
    // ssm-contacts tag keys allow no dots.
    for (const k of keys) expect(k).toMatch(/^[\\/a-zA-Z0-9_+=-]*$/);
  });

  it('monthly hand-offs: days sorted, round trip without a diff', () => {
    const r = rotation().spec.recurrence;
    const { weeklySettings: _w, ...rest } = r;
    const d = toDesired(
      rotation({
        recurrence: {
          ...rest,
          monthlySettings: [
            { dayOfMonth: 31, handOffTime: '09:00' },
            { dayOfMonth: 1, handOffTime: '09:00' },
          ],
        },
      }),
      REFS,
      NOW,
    );
    expect(createInput(d, OWNER, 't').Recurrence?.MonthlySettings).toEqual([
      { DayOfMonth: 1, HandOffTime: { HourOfDay: 9, MinuteOfHour: 0 } },
      { DayOfMonth: 31, HandOffTime: { HourOfDay: 9, MinuteOfHour: 0 } },
    ]);
    expect(diff(d, awsEcho(d))).toEqual([]);
  });

  it('AWS listing uncovered days with no windows is the same coverage', () => {
    const d = toDesired(rotation(), REFS, NOW);
    const aws = createInput(d, OWNER, 't').Recurrence as NonNullable<
      ReturnType<typeof createInput>['Recurrence']
    >;
    const withEmptyDays = { ...aws, ShiftCoverages: { ...aws.ShiftCoverages, WED: [], SUN: [] } };
    expect(recurrenceFromAws(withEmptyDays)).toEqual(d.recurrence);
  });

  it('contacts keep their order; refs and ARNs mix', () => {
    const d = toDesired(
      rotation({ contacts: [{ contactArn: BOB }, { contactRef: { name: 'alice' } }] }),
      new Map([['spec.contacts[1].contactRef', ALICE]]),
      NOW,
    );
    expect(d.contactIds).toEqual([BOB, ALICE]);
  });

  it('an unresolved reference is DependencyNotReady, a contact listed twice (ref and ARN) InvalidSpec', () => {
    expect(() => toDesired(rotation(), new Map(), NOW)).toThrow(ClassifiedError);
    try {
      toDesired(
        rotation({ contacts: [{ contactRef: { name: 'alice' } }, { contactArn: ALICE }] }),
        REFS,
        NOW,
      );
      expect.unreachable();
    } catch (e) {
      expect((e as ClassifiedError).errorClass).toBe('InvalidSpec');
      expect((e as ClassifiedError).field).toBe('spec.contacts');
    }
  });

  it('times in any RFC 3339 offset compare equal to the UTC instant AWS returns', () => {
    const d = toDesired(rotation(), REFS, NOW);
    expect(d.startTime).toBe('2027-03-01T17:00:00.000Z');
    expect(d.overrides?.[0]?.start).toBe('2027-03-10T17:00:00.000Z');
  });

  it('no shiftCoverages and an empty list are both round-the-clock coverage', () => {
    const base = rotation().spec.recurrence;
    const { shiftCoverages: _omit, ...without } = base;
    const a = toDesired(rotation({ recurrence: without }), REFS, NOW);
    const b = toDesired(rotation({ recurrence: { ...base, shiftCoverages: [] } }), REFS, NOW);
    expect(a.recurrence.coverage).toBeUndefined();
    expect(b.recurrence.coverage).toBeUndefined();
    expect(createInput(a, OWNER, 't').Recurrence?.ShiftCoverages).toBeUndefined();
  });

  it('overrides that have ended are pruned from the desired state (never re-created)', () => {
    const r = rotation({
      overrides: [
        {
          startTime: '2027-02-01T00:00:00Z',
          endTime: '2027-02-01T08:00:00Z',
          newContacts: [{ contactArn: BOB }],
        },
        {
          startTime: '2027-03-01T08:00:00Z',
          endTime: '2027-03-01T20:00:00Z',
          newContacts: [{ contactArn: BOB }],
        },
      ],
    });
    const d = toDesired(r, REFS, NOW);
    // The first ended before NOW; the second is in force at NOW.
    expect(d.overrides?.map((o) => o.start)).toEqual(['2027-03-01T08:00:00.000Z']);
  });

  it('an override listed twice is wanted once', () => {
    const o = {
      startTime: '2027-03-10T17:00:00Z',
      endTime: '2027-03-10T21:00:00Z',
      newContacts: [{ contactArn: BOB }],
    };
    expect(toDesired(rotation({ overrides: [o, { ...o }] }), REFS, NOW).overrides).toHaveLength(1);
  });

  it('no overrides field: AWS overrides are not managed; an empty list manages them (none wanted)', () => {
    const { overrides: _o, ...spec } = rotation().spec;
    expect(
      toDesired(rotation({ ...spec, overrides: undefined as never }), REFS, NOW).overrides,
    ).toBeUndefined();
    expect(toDesired(rotation({ overrides: [] }), REFS, NOW).overrides).toEqual([]);
  });

  it('identity tags are not user tags; ended overrides listed by AWS are ignored', () => {
    const d = toDesired(rotation(), REFS, NOW);
    const o = awsEcho(d);
    expect(Object.keys(o.tags)).toEqual(['team']);
    const past = fromAws({
      rotation: {
        RotationArn: ROTATION_ARN,
        StartTime: new Date(NOW),
        Name: 'Payments',
        ContactIds: [ALICE],
        TimeZoneId: 'UTC',
        Recurrence: {
          NumberOfOnCalls: 1,
          RecurrenceMultiplier: 1,
          DailySettings: [{ HourOfDay: 9, MinuteOfHour: 0 }],
        },
      },
      tags: {},
      overrides: [
        {
          RotationOverrideId: 'x',
          NewContactIds: [ALICE],
          StartTime: new Date(NOW - 7_200_000),
          EndTime: new Date(NOW - 3_600_000),
          CreateTime: new Date(0),
        },
      ],
      shifts: [],
      asOf: NOW,
    });
    expect(past.overrides).toEqual([]);
  });
});

describe('Rotation live state from shifts', () => {
  const shift = (start: string, end: string, contacts: string[], overridden = false) => ({
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    contactIds: contacts,
    overridden,
  });

  it('on call now, the next three shifts and the next hand-off (end of the current shift)', () => {
    const shifts = [
      shift('2027-03-01T08:00:00Z', '2027-03-01T16:00:00Z', [ALICE]),
      shift('2027-03-02T08:00:00Z', '2027-03-02T16:00:00Z', [BOB]),
      shift('2027-03-03T08:00:00Z', '2027-03-03T16:00:00Z', [ALICE], true),
      shift('2027-03-04T08:00:00Z', '2027-03-04T16:00:00Z', [BOB]),
      shift('2027-03-05T08:00:00Z', '2027-03-05T16:00:00Z', [ALICE]),
    ];
    const live = liveFromShifts(shifts, NOW);
    expect(live.onCallNow).toEqual([ALICE]);
    expect(live.upcoming.map((s) => s.start.slice(0, 10))).toEqual([
      '2027-03-02',
      '2027-03-03',
      '2027-03-04',
    ]);
    expect(live.upcoming[1]?.overridden).toBe(true);
    expect(live.nextHandOff).toBe('2027-03-01T16:00:00.000Z');
  });

  it('outside coverage nobody is on call and the next hand-off is the next shift start', () => {
    const live = liveFromShifts([shift('2027-03-02T08:00:00Z', '2027-03-02T16:00:00Z', [BOB])], NOW);
    expect(live.onCallNow).toEqual([]);
    expect(live.nextHandOff).toBe('2027-03-02T08:00:00.000Z');
  });
});

describe('Rotation times', () => {
  it('sub-second parts are dropped on both sides (epoch seconds on the wire lose them)', () => {
    const spec = rotation({
      overrides: [
        {
          startTime: '2027-03-10T17:00:00.123Z',
          endTime: '2027-03-10T21:00:00.999Z',
          newContacts: [{ contactArn: BOB }],
        },
      ],
    });
    const d = toDesired(spec, REFS, NOW);
    const o = fromAws({
      rotation: {
        RotationArn: ROTATION_ARN,
        Name: 'Payments',
        ContactIds: [ALICE, BOB],
        StartTime: new Date('2027-03-01T17:00:00Z'),
        TimeZoneId: 'America/Los_Angeles',
        Recurrence: createInput(d, OWNER, 't').Recurrence as NonNullable<
          ReturnType<typeof createInput>['Recurrence']
        >,
      },
      tags: { team: 'payments' },
      overrides: [
        {
          RotationOverrideId: 'o',
          NewContactIds: [BOB],
          // What a float epoch-seconds round trip can give back.
          StartTime: new Date(1804698000122.9998),
          EndTime: new Date(Date.parse('2027-03-10T21:00:00.998Z')),
          CreateTime: new Date(NOW),
        },
      ],
      shifts: [],
      asOf: NOW,
    });
    expect(d.overrides?.[0]?.start).toBe('2027-03-10T17:00:00.000Z');
    expect(diff(d, o)).toEqual([]);
  });
});
