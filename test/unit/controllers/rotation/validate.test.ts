import { describe, expect, it } from 'vitest';
import { timeZoneProblem, validateRotation } from '../../../../src/controllers/rotation/validate.ts';
import type { RotationSpec } from '../../../../src/crds/rotation.ts';
import { ALICE, BOB, NOW, rotation } from './fixtures.ts';

const rules = (spec: Partial<RotationSpec>, lookup?: (k: string) => { spec?: unknown } | undefined) =>
  validateRotation(rotation(spec), { nowMs: NOW, ...(lookup ? { lookup } : {}) }).map((e) => [
    e.path,
    e.rule,
  ]);

describe('Rotation validation', () => {
  it('the full sample spec is valid', () => {
    expect(rules({})).toEqual([]);
  });

  it.each([
    ['UTC', true],
    ['GMT', true],
    ['Europe/Dublin', true],
    ['America/Los_Angeles', true],
    ['Asia/Seoul', true],
    ['PST', false],
    ['EST', false],
    ['europe/dublin', false],
    ['Mars/Olympus_Mons', false],
  ])('time zone %s accepted: %s', (zone, ok) => {
    expect(timeZoneProblem(zone) === undefined).toBe(ok);
  });

  it('PST is refused with the field, the rule and an example of a valid name', () => {
    const [e] = validateRotation(rotation({ timeZoneId: 'PST' }), { nowMs: NOW });
    expect(e).toMatchObject({ path: 'spec.timeZoneId', rule: 'IanaTimeZone' });
    expect(e?.message).toContain('America/Los_Angeles');
  });

  it('a contact listed twice', () => {
    expect(rules({ contacts: [{ contactArn: ALICE }, { contactArn: BOB }, { contactArn: ALICE }] })).toEqual([
      ['spec.contacts[2]', 'UniqueContacts'],
    ]);
  });

  it('a referenced contact that is an on-call schedule', () => {
    const lookup = (k: string) =>
      k === 'Contact/team/alice' ? { spec: { type: 'OnCallSchedule' } } : undefined;
    expect(rules({}, lookup)).toEqual([['spec.contacts[0].contactRef', 'PersonalContactsOnly']]);
  });

  it('more people on call at once than contacts', () => {
    const r = rotation().spec.recurrence;
    expect(rules({ recurrence: { ...r, numberOfOnCalls: 3 } })).toEqual([
      ['spec.recurrence.numberOfOnCalls', 'OnCallsWithinContacts'],
    ]);
  });

  it('duplicate hand-offs and overlapping coverage windows (including past midnight)', () => {
    const r = rotation().spec.recurrence;
    expect(
      rules({
        recurrence: {
          ...r,
          weeklySettings: [
            { dayOfWeek: 'Mon', handOffTime: '09:00' },
            { dayOfWeek: 'Mon', handOffTime: '09:00' },
          ],
          shiftCoverages: [
            {
              dayOfWeek: 'Fri',
              windows: [
                { start: '22:00', end: '06:00' },
                { start: '23:00', end: '23:30' },
              ],
            },
          ],
        },
      }),
    ).toEqual([
      ['spec.recurrence.weeklySettings', 'UniqueHandOffs'],
      ['spec.recurrence.shiftCoverages[0].windows[1]', 'NonOverlappingWindows'],
    ]);
  });

  it('an override ending more than 6 months ahead is refused; one ending within is fine', () => {
    const o = (end: string) => [
      { startTime: '2027-08-01T00:00:00Z', endTime: end, newContacts: [{ contactArn: BOB }] },
    ];
    expect(rules({ overrides: o('2027-09-02T00:00:00Z') })).toEqual([
      ['spec.overrides[0].endTime', 'OverrideHorizon'],
    ]);
    expect(rules({ overrides: o('2027-08-31T00:00:00Z') })).toEqual([]);
  });

  it('tags: at most 46 (identity tags take the rest of AWS 50); the controller prefix is reserved', () => {
    const many = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v']));
    expect(rules({ tags: many })).toEqual([['spec.tags', 'TagQuota']]);
    expect(rules({ tags: { 'incidentmanager-gitops-dev/uid': 'x' } })).toEqual([
      ['spec.tags.incidentmanager-gitops-dev/uid', 'ReservedTag'],
    ]);
  });
});
