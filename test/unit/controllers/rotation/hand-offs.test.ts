// The next hand-offs from the shifts AWS lists: who hands over to whom, when, in the rotation's zone.
import { describe, expect, it } from 'vitest';
import { handOffsFromShifts, localTime } from '../../../../src/controllers/rotation/hand-offs.ts';
import type { ShiftState } from '../../../../src/controllers/rotation/mapping.ts';

const shift = (start: string, end: string, who: string[], overridden = false): ShiftState => ({
  start: `${start}:00.000Z`,
  end: `${end}:00.000Z`,
  contactIds: who,
  overridden,
});

describe('handOffsFromShifts', () => {
  // Weekly rotation, business hours 09:00–17:00 UTC: each day is a shift, a week per person.
  const week = (monday: number, who: string) =>
    [0, 1, 2, 3, 4].map((d) => {
      const day = String(monday + d).padStart(2, '0');
      return shift(`2027-03-${day}T09:00`, `2027-03-${day}T17:00`, [who]);
    });
  const shifts = [...week(1, 'alice'), ...week(8, 'bob'), ...week(15, 'alice'), ...week(22, 'bob')];

  it('lists changes of people, not coverage windows; outside coverage the last shift hands over', () => {
    const fridayEvening = Date.parse('2027-03-12T20:00:00Z');
    expect(handOffsFromShifts(shifts, fridayEvening, 'UTC')).toEqual([
      {
        time: '2027-03-15T09:00:00.000Z',
        localTime: '2027-03-15T09:00:00Z',
        from: ['bob'],
        to: ['alice'],
        overridden: false,
      },
      {
        time: '2027-03-22T09:00:00.000Z',
        localTime: '2027-03-22T09:00:00Z',
        from: ['alice'],
        to: ['bob'],
        overridden: false,
      },
    ]);
  });

  it('is bounded, and says nobody hands over before the first shift', () => {
    const before = Date.parse('2027-02-01T00:00:00Z');
    const out = handOffsFromShifts(shifts, before, 'UTC', 2);
    expect(out.map((h) => [h.from, h.to])).toEqual([
      [[], ['alice']],
      [['alice'], ['bob']],
    ]);
  });

  it('an override takes over and hands back', () => {
    const split = [
      shift('2027-03-01T00:00', '2027-03-01T10:00', ['alice']),
      shift('2027-03-01T10:00', '2027-03-01T12:00', ['bob'], true),
      shift('2027-03-01T12:00', '2027-03-02T00:00', ['alice']),
    ];
    const out = handOffsFromShifts(split, Date.parse('2027-03-01T08:00:00Z'), 'UTC');
    expect(out.map((h) => [h.time, h.from, h.to, h.overridden])).toEqual([
      ['2027-03-01T10:00:00.000Z', ['alice'], ['bob'], true],
      ['2027-03-01T12:00:00.000Z', ['bob'], ['alice'], true],
    ]);
  });
});

describe('localTime', () => {
  it("gives the wall time with the zone's offset on each side of a daylight-saving change", () => {
    expect(localTime(Date.parse('2027-03-12T17:00:00Z'), 'America/Los_Angeles')).toBe(
      '2027-03-12T09:00:00-08:00',
    );
    expect(localTime(Date.parse('2027-03-15T16:00:00Z'), 'America/Los_Angeles')).toBe(
      '2027-03-15T09:00:00-07:00',
    );
    expect(localTime(Date.parse('2027-07-01T08:00:00Z'), 'Asia/Kolkata')).toBe('2027-07-01T13:30:00+05:30');
    expect(localTime(Date.parse('2027-07-01T08:00:00Z'), 'No/Such_Zone')).toBe('2027-07-01T08:00:00Z');
  });
});
