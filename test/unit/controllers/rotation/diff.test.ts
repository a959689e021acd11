import { describe, expect, it } from 'vitest';
import { diff, planUpdate } from '../../../../src/controllers/rotation/diff.ts';
import { type RotationState, toDesired } from '../../../../src/controllers/rotation/mapping.ts';
import { ClassifiedError } from '../../../../src/engine/contract.ts';
import { ALICE, BOB, CARA, NOW, REFS, ROTATION_ARN, rotation } from './fixtures.ts';

const desired = () => toDesired(rotation(), REFS, NOW);
/** AWS as it is after creating `desired()` (with override ids). */
const inAws = (): RotationState => {
  const d = desired();
  return { ...d, arn: ROTATION_ARN, overrides: (d.overrides ?? []).map((o, i) => ({ ...o, id: `o-${i}` })) };
};
const plan = (d: RotationState, o: RotationState) => planUpdate(ROTATION_ARN, diff(d, o), d, o);

describe('Rotation diff', () => {
  it('one path per changed field, in spec terms; name is immutable', () => {
    const o = inAws();
    const cases: [string, (s: RotationState) => void][] = [
      ['spec.name', (s) => (s.name = 'Other')],
      ['spec.contacts', (s) => (s.contactIds = [BOB, ALICE])],
      ['spec.startTime', (s) => (s.startTime = '2027-04-01T00:00:00.000Z')],
      ['spec.timeZoneId', (s) => (s.timeZoneId = 'Europe/Dublin')],
      ['spec.recurrence.numberOfOnCalls', (s) => (s.recurrence.numberOfOnCalls = 2)],
      ['spec.recurrence.recurrenceMultiplier', (s) => (s.recurrence.recurrenceMultiplier = 1)],
      ['spec.recurrence.shiftCoverages', (s) => (s.recurrence.coverage = undefined as never)],
      ['spec.tags.team', (s) => (s.tags = { team: 'other' })],
    ];
    for (const [path, change] of cases) {
      const d = desired();
      change(d);
      const got = diff(d, o);
      expect(
        got.map((x) => x.path),
        path,
      ).toEqual([path]);
      expect(got[0]?.updatable, path).toBe(path !== 'spec.name');
    }
  });

  it('switching weekly to daily hand-offs shows both settings', () => {
    const d = desired();
    d.recurrence = { ...d.recurrence, daily: ['09:00'] };
    delete d.recurrence.weekly;
    expect(diff(d, inAws()).map((x) => x.path)).toEqual([
      'spec.recurrence.dailySettings',
      'spec.recurrence.weeklySettings',
    ]);
  });

  it('no startTime in the spec: the one AWS chose is kept', () => {
    const d = desired();
    delete d.startTime;
    expect(diff(d, inAws())).toEqual([]);
  });

  it('overrides: a new one is spec.overrides[i], one only AWS has is spec.overrides (delete)', () => {
    const d = desired();
    const extra = {
      id: 'o-x',
      start: '2027-03-20T00:00:00.000Z',
      end: '2027-03-20T08:00:00.000Z',
      contactIds: [ALICE],
    };
    const o = { ...inAws(), overrides: [...(inAws().overrides ?? []), extra] };
    d.overrides = [
      ...(d.overrides ?? []),
      { start: '2027-03-21T00:00:00.000Z', end: '2027-03-21T08:00:00.000Z', contactIds: [BOB] },
    ];
    expect(diff(d, o).map((x) => [x.path, x.desired === undefined ? 'delete' : 'create'])).toEqual([
      ['spec.overrides[1]', 'create'],
      ['spec.overrides', 'delete'],
    ]);
  });

  it('unmanaged overrides (no overrides field) are never diffed', () => {
    const d = desired();
    delete d.overrides;
    expect(diff(d, inAws())).toEqual([]);
  });
});

describe('Rotation update plan', () => {
  it('a contacts change is one UpdateRotation with ContactIds and the (required) Recurrence only', () => {
    const d = desired();
    d.contactIds = [BOB, ALICE];
    const calls = plan(d, inAws());
    expect(calls.map((c) => c.op)).toEqual(['UpdateRotation']);
    const input = (calls[0]?.input ?? {}) as object;
    expect(Object.keys(input).sort()).toEqual(['ContactIds', 'Recurrence', 'RotationId']);
  });

  it('a time-zone change sends TimeZoneId, a start change StartTime, nothing else optional', () => {
    const d = desired();
    d.timeZoneId = 'Europe/Dublin';
    expect(Object.keys(plan(d, inAws())[0]?.input ?? {}).sort()).toEqual([
      'Recurrence',
      'RotationId',
      'TimeZoneId',
    ]);
    const e = desired();
    e.startTime = '2027-04-05T16:00:00.000Z';
    const input = plan(e, inAws())[0]?.input as { StartTime?: Date };
    expect(input.StartTime).toEqual(new Date('2027-04-05T16:00:00.000Z'));
  });

  it('a start time moved into the past is refused (InvalidSpec), never sent', () => {
    const d = desired();
    d.startTime = '2027-02-01T00:00:00.000Z'; // before NOW
    try {
      plan(d, inAws());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ClassifiedError);
      expect((e as ClassifiedError).rule).toBe('StartTimeInPast');
      expect((e as ClassifiedError).field).toBe('spec.startTime');
    }
  });

  it('tags: a changed value is one TagResource, a removed key one UntagResource; identity tags stay', () => {
    const d = desired();
    d.tags = { team: 'core' };
    expect(plan(d, inAws()).map((c) => [c.op, c.input])).toEqual([
      ['TagResource', { ResourceARN: ROTATION_ARN, Tags: [{ Key: 'team', Value: 'core' }] }],
    ]);
    const e = desired();
    e.tags = {};
    const o = { ...inAws(), tags: { team: 'payments', 'incidentmanager-gitops-dev/uid': 'uid-1' } };
    expect(plan(e, o).map((c) => [c.op, c.input])).toEqual([
      ['UntagResource', { ResourceARN: ROTATION_ARN, TagKeys: ['team'] }],
    ]);
  });

  it('a changed override is a delete then a create (AWS has no update); order around UpdateRotation', () => {
    const d = desired();
    d.contactIds = [ALICE, BOB, CARA];
    d.overrides = [
      { start: '2027-03-10T17:00:00.000Z', end: '2027-03-11T01:00:00.000Z', contactIds: [CARA] },
    ];
    const calls = plan(d, inAws());
    expect(calls.map((c) => c.op)).toEqual([
      'DeleteRotationOverride',
      'UpdateRotation',
      'CreateRotationOverride',
    ]);
    expect(calls[0]?.input).toEqual({ RotationId: ROTATION_ARN, RotationOverrideId: 'o-0' });
    expect(calls[2]?.input).toEqual({
      RotationId: ROTATION_ARN,
      NewContactIds: [CARA],
      StartTime: new Date('2027-03-10T17:00:00.000Z'),
      EndTime: new Date('2027-03-11T01:00:00.000Z'),
    });
  });

  it('nothing changed: no calls', () => {
    expect(plan(desired(), inAws())).toEqual([]);
  });
});
