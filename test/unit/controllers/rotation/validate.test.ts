import { describe, expect, it } from 'vitest';
import { timeZoneProblem, validateRotation } from '../../../../src/controllers/rotation/validate.ts';
import type { RotationSpec } from '../../../../src/crds/rotation.ts';
import { ALICE, BOB, CARA, NOW, rotation } from './fixtures.ts';

type Lookup = NonNullable<Parameters<typeof validateRotation>[1]['lookup']>;
const rules = (spec: Partial<RotationSpec>, lookup?: Lookup) =>
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
      ['spec.tags.incidentmanager-gitops-dev/uid', 'ReservedTagKey'],
    ]);
  });

  it('override contacts must be members: by ARN, by ref (namespaces compared), or a ref and its ARN', () => {
    const over = (newContacts: RotationSpec['contacts']) => ({
      overrides: [{ startTime: '2027-03-10T09:00:00Z', endTime: '2027-03-10T17:00:00Z', newContacts }],
    });
    expect(rules(over([{ contactArn: BOB }, { contactRef: { name: 'alice', namespace: 'team' } }]))).toEqual(
      [],
    );
    expect(
      rules(over([{ contactArn: CARA }, { contactRef: { name: 'alice', namespace: 'other' } }])),
    ).toEqual([
      ['spec.overrides[0].newContacts[0]', 'OverrideMembers'],
      ['spec.overrides[0].newContacts[1]', 'OverrideMembers'],
    ]);
    // alice is listed by ref; an override may name her ARN once her Contact has one.
    expect(rules(over([{ contactArn: ALICE }]))).toEqual([
      ['spec.overrides[0].newContacts[0]', 'OverrideMembers'],
    ]);
    const lookup: Lookup = (k) =>
      k === 'Contact/team/alice'
        ? {
            spec: { type: 'Personal' },
            metadata: { annotations: { 'incidentmanager.gitops.dev/external-arn': ALICE } },
          }
        : undefined;
    expect(rules(over([{ contactArn: ALICE }]), lookup)).toEqual([]);
    const [e] = validateRotation(rotation(over([{ contactArn: CARA }])), { nowMs: NOW });
    expect(e?.message).toContain(`${CARA} is not a member of the rotation`);
  });

  it('more overrides than the 10 CEL once allowed are checked one by one', () => {
    const overrides = Array.from({ length: 150 }, (_, i) => ({
      startTime: new Date(NOW + (i + 1) * 86_400_000).toISOString(),
      endTime: new Date(NOW + (i + 1) * 86_400_000 + 3_600_000).toISOString(),
      newContacts: [{ contactArn: i === 120 ? CARA : BOB }],
    }));
    expect(rules({ overrides })).toEqual([['spec.overrides[120].newContacts[0]', 'OverrideMembers']]);
  });
});
