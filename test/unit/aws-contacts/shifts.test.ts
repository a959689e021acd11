// Hand-worked rotation shift cases (see src/emulators/aws/services/ssm-contacts/SHIFTS.md).
import { describe, expect, it } from 'vitest';
import {
  computeShifts,
  type OverrideSpec,
  type Recurrence,
  type RotationSpec,
} from '../../../src/emulators/aws/services/ssm-contacts/shifts.ts';

const ms = (iso: string) => Date.parse(iso);
const t = (HourOfDay: number, MinuteOfHour = 0) => ({ HourOfDay, MinuteOfHour });

function spec(
  contactIds: string[],
  start: string,
  timeZone: string,
  recurrence: Partial<Recurrence>,
): RotationSpec {
  return {
    contactIds,
    startMs: ms(start),
    timeZone,
    recurrence: { NumberOfOnCalls: 1, RecurrenceMultiplier: 1, ...recurrence },
  };
}

function run(s: RotationSpec, from: string, to: string, overrides: OverrideSpec[] = []) {
  return computeShifts(s, overrides, ms(from), ms(to)).map((x) => ({
    who: x.contactIds.join('+'),
    from: new Date(x.startMs).toISOString(),
    to: new Date(x.endMs).toISOString(),
    type: x.type,
    ...(x.overriddenContactIds ? { replaced: x.overriddenContactIds.join('+') } : {}),
  }));
}

const R = (who: string, from: string, to: string) => ({ who, from, to, type: 'REGULAR' });

describe('weekly hand-off across a DST change', () => {
  it('Europe/Dublin spring forward: Monday 09:00 local moves from 09:00Z to 08:00Z', () => {
    // Irish summer time starts Sunday 2026-03-29 01:00Z.
    const s = spec(['A', 'B', 'C'], '2026-03-23T09:00:00Z', 'Europe/Dublin', {
      WeeklySettings: [{ DayOfWeek: 'MON', HandOffTime: t(9) }],
    });
    expect(run(s, '2026-03-23T09:00:00Z', '2026-04-10T00:00:00Z')).toEqual([
      R('A', '2026-03-23T09:00:00.000Z', '2026-03-30T08:00:00.000Z'),
      R('B', '2026-03-30T08:00:00.000Z', '2026-04-06T08:00:00.000Z'),
      R('C', '2026-04-06T08:00:00.000Z', '2026-04-13T08:00:00.000Z'),
    ]);
  });

  it('Europe/Dublin fall back: the shift spanning the change lasts 169 hours', () => {
    // Irish standard time resumes Sunday 2026-10-25 01:00Z.
    const s = spec(['A', 'B'], '2026-10-19T08:00:00Z', 'Europe/Dublin', {
      WeeklySettings: [{ DayOfWeek: 'MON', HandOffTime: t(9) }],
    });
    expect(run(s, '2026-10-19T00:00:00Z', '2026-10-27T00:00:00Z')).toEqual([
      R('A', '2026-10-19T08:00:00.000Z', '2026-10-26T09:00:00.000Z'),
      R('B', '2026-10-26T09:00:00.000Z', '2026-11-02T09:00:00.000Z'),
    ]);
  });

  it('America/Los_Angeles March and November', () => {
    // PDT starts Sunday 2026-03-08; PST resumes Sunday 2026-11-01.
    const weekly: Partial<Recurrence> = { WeeklySettings: [{ DayOfWeek: 'MON', HandOffTime: t(8) }] };
    const march = spec(['A', 'B'], '2026-03-02T16:00:00Z', 'America/Los_Angeles', weekly);
    expect(run(march, '2026-03-02T16:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      R('A', '2026-03-02T16:00:00.000Z', '2026-03-09T15:00:00.000Z'),
      R('B', '2026-03-09T15:00:00.000Z', '2026-03-16T15:00:00.000Z'),
    ]);
    const november = spec(['A', 'B'], '2026-10-26T15:00:00Z', 'America/Los_Angeles', weekly);
    expect(run(november, '2026-10-26T15:00:00Z', '2026-11-03T00:00:00Z')).toEqual([
      R('A', '2026-10-26T15:00:00.000Z', '2026-11-02T16:00:00.000Z'),
      R('B', '2026-11-02T16:00:00.000Z', '2026-11-09T16:00:00.000Z'),
    ]);
  });

  it('a daily hand-off inside the spring-forward gap happens when the clock reaches it (03:30 PDT)', () => {
    const s = spec(['A', 'B'], '2026-03-07T10:30:00Z', 'America/Los_Angeles', { DailySettings: [t(2, 30)] });
    expect(run(s, '2026-03-07T10:30:00Z', '2026-03-08T12:00:00Z')).toEqual([
      R('A', '2026-03-07T10:30:00.000Z', '2026-03-08T10:30:00.000Z'),
      R('B', '2026-03-08T10:30:00.000Z', '2026-03-09T09:30:00.000Z'),
    ]);
  });
});

describe('DST fall-back overlap', () => {
  it('a daily 01:30 hand-off on the fall-back day uses the first 01:30 (PDT), so that shift lasts 25 hours', () => {
    const s = spec(['A', 'B'], '2026-10-31T08:30:00Z', 'America/Los_Angeles', { DailySettings: [t(1, 30)] });
    expect(run(s, '2026-10-31T08:30:00Z', '2026-11-02T00:00:00Z')).toEqual([
      R('A', '2026-10-31T08:30:00.000Z', '2026-11-01T08:30:00.000Z'),
      R('B', '2026-11-01T08:30:00.000Z', '2026-11-02T09:30:00.000Z'),
    ]);
  });
});

describe('weekly with several hand-off days', () => {
  it('multiplier 2 hands off at every second listed day', () => {
    // 2026-06-01 is a Monday. Hand-offs Mon and Thu 09:00; every second one is a boundary.
    const s = spec(['A', 'B'], '2026-06-01T09:00:00Z', 'UTC', {
      WeeklySettings: [
        { DayOfWeek: 'THU', HandOffTime: t(9) },
        { DayOfWeek: 'MON', HandOffTime: t(9) },
      ],
      RecurrenceMultiplier: 2,
    });
    expect(run(s, '2026-06-01T09:00:00Z', '2026-06-10T00:00:00Z')).toEqual([
      R('A', '2026-06-01T09:00:00.000Z', '2026-06-08T09:00:00.000Z'),
      R('B', '2026-06-08T09:00:00.000Z', '2026-06-15T09:00:00.000Z'),
    ]);
  });

  it('NumberOfOnCalls above the number of contacts puts everyone on call once', () => {
    const s = spec(['A', 'B'], '2026-06-01T09:00:00Z', 'UTC', { DailySettings: [t(9)], NumberOfOnCalls: 3 });
    expect(run(s, '2026-06-01T09:00:00Z', '2026-06-02T00:00:00Z')).toEqual([
      R('A+B', '2026-06-01T09:00:00.000Z', '2026-06-02T09:00:00.000Z'),
    ]);
  });
});

describe('daily rotations', () => {
  it('two hand-off times a day alternate contacts at each', () => {
    const s = spec(['A', 'B'], '2026-05-01T08:00:00Z', 'UTC', { DailySettings: [t(8), t(20)] });
    expect(run(s, '2026-05-01T08:00:00Z', '2026-05-02T12:00:00Z')).toEqual([
      R('A', '2026-05-01T08:00:00.000Z', '2026-05-01T20:00:00.000Z'),
      R('B', '2026-05-01T20:00:00.000Z', '2026-05-02T08:00:00.000Z'),
      R('A', '2026-05-02T08:00:00.000Z', '2026-05-02T20:00:00.000Z'),
    ]);
  });

  it('three unordered hand-off times; the first shift runs from the rotation start to the next hand-off', () => {
    const s = spec(['A', 'B', 'C'], '2026-05-01T10:00:00Z', 'UTC', { DailySettings: [t(16), t(0), t(8)] });
    expect(run(s, '2026-05-01T00:00:00Z', '2026-05-02T09:00:00Z')).toEqual([
      R('A', '2026-05-01T10:00:00.000Z', '2026-05-01T16:00:00.000Z'),
      R('B', '2026-05-01T16:00:00.000Z', '2026-05-02T00:00:00.000Z'),
      R('C', '2026-05-02T00:00:00.000Z', '2026-05-02T08:00:00.000Z'),
      R('A', '2026-05-02T08:00:00.000Z', '2026-05-02T16:00:00.000Z'),
    ]);
  });

  it('returns whole shifts overlapping the window, nothing before the rotation starts', () => {
    const s = spec(['A', 'B'], '2026-05-01T08:00:00Z', 'UTC', { DailySettings: [t(8)] });
    expect(run(s, '2026-05-02T12:00:00Z', '2026-05-02T13:00:00Z')).toEqual([
      R('B', '2026-05-02T08:00:00.000Z', '2026-05-03T08:00:00.000Z'),
    ]);
    expect(run(s, '2026-04-01T00:00:00Z', '2026-05-01T08:00:00Z')).toEqual([]);
  });

  it('multiplier 2 keeps each contact on call for two days', () => {
    const s = spec(['A', 'B', 'C'], '2026-07-01T09:00:00Z', 'UTC', {
      DailySettings: [t(9)],
      RecurrenceMultiplier: 2,
    });
    expect(run(s, '2026-07-01T00:00:00Z', '2026-07-06T00:00:00Z')).toEqual([
      R('A', '2026-07-01T09:00:00.000Z', '2026-07-03T09:00:00.000Z'),
      R('B', '2026-07-03T09:00:00.000Z', '2026-07-05T09:00:00.000Z'),
      R('C', '2026-07-05T09:00:00.000Z', '2026-07-07T09:00:00.000Z'),
    ]);
  });
});

describe('monthly rotations', () => {
  it('day 31 hands off on the last day of shorter months', () => {
    const s = spec(['A', 'B'], '2026-01-31T09:00:00Z', 'UTC', {
      MonthlySettings: [{ DayOfMonth: 31, HandOffTime: t(9) }],
    });
    expect(run(s, '2026-01-31T09:00:00Z', '2026-04-15T00:00:00Z')).toEqual([
      R('A', '2026-01-31T09:00:00.000Z', '2026-02-28T09:00:00.000Z'),
      R('B', '2026-02-28T09:00:00.000Z', '2026-03-31T09:00:00.000Z'),
      R('A', '2026-03-31T09:00:00.000Z', '2026-04-30T09:00:00.000Z'),
    ]);
  });

  it('day 31 in a leap-year February is the 29th', () => {
    const s = spec(['A', 'B'], '2028-01-31T09:00:00Z', 'UTC', {
      MonthlySettings: [{ DayOfMonth: 31, HandOffTime: t(9) }],
    });
    expect(run(s, '2028-02-01T00:00:00Z', '2028-02-02T00:00:00Z')).toEqual([
      R('A', '2028-01-31T09:00:00.000Z', '2028-02-29T09:00:00.000Z'),
    ]);
  });
});

describe('coverage windows', () => {
  it('Mon–Fri 09:00–17:00: shifts are clipped to coverage and weekends have none', () => {
    const workdays = Object.fromEntries(
      (['MON', 'TUE', 'WED', 'THU', 'FRI'] as const).map((d) => [d, [{ Start: t(9), End: t(17) }]]),
    );
    // 2026-06-05 is a Friday; New York is on EDT (UTC-4).
    const s = spec(['A', 'B'], '2026-06-05T13:00:00Z', 'America/New_York', {
      DailySettings: [t(9)],
      ShiftCoverages: workdays,
    });
    expect(run(s, '2026-06-05T00:00:00Z', '2026-06-10T00:00:00Z')).toEqual([
      R('A', '2026-06-05T13:00:00.000Z', '2026-06-05T21:00:00.000Z'),
      R('B', '2026-06-08T13:00:00.000Z', '2026-06-08T21:00:00.000Z'),
      R('A', '2026-06-09T13:00:00.000Z', '2026-06-09T21:00:00.000Z'),
    ]);
  });

  it('a weekly shift under weekday coverage becomes one piece per covered day', () => {
    const s = spec(['A', 'B'], '2026-06-08T09:00:00Z', 'UTC', {
      WeeklySettings: [{ DayOfWeek: 'MON', HandOffTime: t(9) }],
      ShiftCoverages: { MON: [{ Start: t(9), End: t(17) }], WED: [{ Start: t(22), End: t(0) }] },
    });
    expect(run(s, '2026-06-08T00:00:00Z', '2026-06-15T00:00:00Z')).toEqual([
      R('A', '2026-06-08T09:00:00.000Z', '2026-06-08T17:00:00.000Z'),
      R('A', '2026-06-10T22:00:00.000Z', '2026-06-11T00:00:00.000Z'),
    ]);
  });
});

describe('several contacts on call', () => {
  it('NumberOfOnCalls 2 takes contacts in pairs, wrapping around', () => {
    const s = spec(['A', 'B', 'C'], '2026-07-06T09:00:00Z', 'UTC', {
      WeeklySettings: [{ DayOfWeek: 'MON', HandOffTime: t(9) }],
      NumberOfOnCalls: 2,
    });
    expect(run(s, '2026-07-06T09:00:00Z', '2026-07-21T00:00:00Z')).toEqual([
      R('A+B', '2026-07-06T09:00:00.000Z', '2026-07-13T09:00:00.000Z'),
      R('C+A', '2026-07-13T09:00:00.000Z', '2026-07-20T09:00:00.000Z'),
      R('B+C', '2026-07-20T09:00:00.000Z', '2026-07-27T09:00:00.000Z'),
    ]);
  });
});

describe('overrides', () => {
  const daily = spec(['A', 'B'], '2026-08-01T09:00:00Z', 'UTC', { DailySettings: [t(9)] });

  it('an override replacing part of a shift splits it in three', () => {
    const o = [
      { newContactIds: ['X'], startMs: ms('2026-08-01T12:00:00Z'), endMs: ms('2026-08-01T15:00:00Z') },
    ];
    expect(run(daily, '2026-08-01T09:00:00Z', '2026-08-02T00:00:00Z', o)).toEqual([
      R('A', '2026-08-01T09:00:00.000Z', '2026-08-01T12:00:00.000Z'),
      {
        who: 'X',
        from: '2026-08-01T12:00:00.000Z',
        to: '2026-08-01T15:00:00.000Z',
        type: 'OVERRIDDEN',
        replaced: 'A',
      },
      R('A', '2026-08-01T15:00:00.000Z', '2026-08-02T09:00:00.000Z'),
    ]);
  });

  it('an override spanning a hand-off yields one overridden shift per replaced shift', () => {
    const o = [
      { newContactIds: ['Y'], startMs: ms('2026-08-02T06:00:00Z'), endMs: ms('2026-08-02T12:00:00Z') },
    ];
    expect(run(daily, '2026-08-01T09:00:00Z', '2026-08-02T20:00:00Z', o)).toEqual([
      R('A', '2026-08-01T09:00:00.000Z', '2026-08-02T06:00:00.000Z'),
      {
        who: 'Y',
        from: '2026-08-02T06:00:00.000Z',
        to: '2026-08-02T09:00:00.000Z',
        type: 'OVERRIDDEN',
        replaced: 'A',
      },
      {
        who: 'Y',
        from: '2026-08-02T09:00:00.000Z',
        to: '2026-08-02T12:00:00.000Z',
        type: 'OVERRIDDEN',
        replaced: 'B',
      },
      R('B', '2026-08-02T12:00:00.000Z', '2026-08-03T09:00:00.000Z'),
    ]);
  });
});
