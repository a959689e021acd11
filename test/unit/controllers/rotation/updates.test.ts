// Per-field update table for Rotation (moved here from the kube tier, which keeps one update round
// trip): each single-field spec change, against AWS holding the previous spec, plans exactly one
// write carrying only what that field needs; the next visit (AWS now as the spec) plans nothing.
import type { RotationOverride } from '@aws-sdk/client-ssm-contacts';
import { describe, expect, it } from 'vitest';
import { diff, planUpdate } from '../../../../src/controllers/rotation/diff.ts';
import {
  fromAws,
  type RotationState,
  recurrenceToAws,
  toDesired,
} from '../../../../src/controllers/rotation/mapping.ts';
import type { RotationSpec } from '../../../../src/crds/rotation.ts';
import { identityTags } from '../../../../src/engine/identity.ts';
import { ALICE, BOB, NOW, OWNER, REFS, ROTATION_ARN, rotation } from './fixtures.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const midnight = (days: number) => Math.floor(NOW / DAY) * DAY + days * DAY;

const desiredOf = (spec: RotationSpec) => toDesired(rotation(spec), REFS, NOW);

/** What the controller reads back from AWS once `s` was written (through the AWS shapes). */
function awsHolding(s: RotationState): RotationState {
  const overrides: RotationOverride[] = (s.overrides ?? []).map((o, i) => ({
    RotationOverrideId: `ov-${i}`,
    NewContactIds: o.contactIds,
    StartTime: new Date(o.start),
    EndTime: new Date(o.end),
    CreateTime: new Date(NOW),
  }));
  return fromAws({
    rotation: {
      RotationArn: ROTATION_ARN,
      Name: s.name,
      ContactIds: s.contactIds,
      StartTime: s.startTime ? new Date(s.startTime) : undefined,
      TimeZoneId: s.timeZoneId,
      Recurrence: recurrenceToAws(s.recurrence),
    },
    tags: { ...s.tags, ...identityTags({ ...OWNER }) },
    overrides,
    shifts: [],
    asOf: NOW,
  });
}

const plan = (spec: RotationSpec, awsSpec: RotationSpec) => {
  const d = desiredOf(spec);
  const o = awsHolding(desiredOf(awsSpec));
  return planUpdate(ROTATION_ARN, diff(d, o), d, o);
};

// biome-ignore lint/suspicious/noExplicitAny: the steps edit arbitrary spec fields
type Step = [string, (s: Record<string, any>) => void, string, string[] | undefined];
const STEPS: Step[] = [
  [
    'contact order',
    (s) => (s.contacts = [{ contactArn: BOB }, { contactArn: ALICE }]),
    'UpdateRotation',
    ['ContactIds', 'Recurrence', 'RotationId'],
  ],
  [
    'time zone',
    (s) => (s.timeZoneId = 'Europe/Dublin'),
    'UpdateRotation',
    ['Recurrence', 'RotationId', 'TimeZoneId'],
  ],
  ['on-calls', (s) => (s.recurrence.numberOfOnCalls = 2), 'UpdateRotation', ['Recurrence', 'RotationId']],
  [
    'multiplier',
    (s) => (s.recurrence.recurrenceMultiplier = 3),
    'UpdateRotation',
    ['Recurrence', 'RotationId'],
  ],
  [
    'hand-off times',
    (s) => (s.recurrence.dailySettings = ['08:00', '20:00']),
    'UpdateRotation',
    ['Recurrence', 'RotationId'],
  ],
  [
    'monthly hand-offs',
    (s) => {
      delete s.recurrence.dailySettings;
      s.recurrence.monthlySettings = [
        { dayOfMonth: 1, handOffTime: '09:00' },
        { dayOfMonth: 15, handOffTime: '09:00' },
      ];
    },
    'UpdateRotation',
    ['Recurrence', 'RotationId'],
  ],
  [
    'coverage',
    (s) =>
      (s.recurrence.shiftCoverages = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => ({
        dayOfWeek: d,
        windows: [{ start: '06:00', end: '22:00' }],
      }))),
    'UpdateRotation',
    ['Recurrence', 'RotationId'],
  ],
  [
    'start time',
    (s) => (s.startTime = iso(midnight(3))),
    'UpdateRotation',
    ['Recurrence', 'RotationId', 'StartTime'],
  ],
  ['tag value', (s) => (s.tags = { team: 'core', env: 'prod' }), 'TagResource', undefined],
  ['tag removed', (s) => (s.tags = { team: 'core' }), 'UntagResource', undefined],
  [
    'override added',
    (s) =>
      (s.overrides = [
        {
          startTime: iso(midnight(5) + 10 * HOUR),
          endTime: iso(midnight(5) + 12 * HOUR),
          newContacts: [{ contactArn: ALICE }],
        },
      ]),
    'CreateRotationOverride',
    undefined,
  ],
  ['override removed', (s) => (s.overrides = []), 'DeleteRotationOverride', undefined],
];

describe('Rotation single-field updates', () => {
  it('each change alone is exactly one minimal AWS write; the next visit plans none', () => {
    let spec = {
      name: 'Updates',
      contacts: [{ contactArn: ALICE }, { contactArn: BOB }],
      startTime: iso(midnight(1)),
      timeZoneId: 'UTC',
      recurrence: { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: ['09:00'] },
      overrides: [] as unknown[],
      tags: { team: 'payments', env: 'prod' },
    } as RotationSpec;
    for (const [what, change, operation, keys] of STEPS) {
      const next = structuredClone(spec);
      change(next);
      const calls = plan(next, spec);
      expect(
        calls.map((c) => c.op),
        what,
      ).toEqual([operation]);
      if (keys) expect(Object.keys(calls[0]?.input as object).sort(), what).toEqual(keys);
      // AWS now holds the change: nothing more to send.
      expect(plan(next, next), what).toEqual([]);
      spec = next;
    }
  });

  it('tag and override writes carry just the changed tag, key and override', () => {
    const base: RotationSpec = {
      ...rotation().spec,
      overrides: [],
      tags: { team: 'payments', env: 'prod' },
    };
    expect(plan({ ...base, tags: { team: 'core', env: 'prod' } }, base).map((c) => c.input)).toEqual([
      { ResourceARN: ROTATION_ARN, Tags: [{ Key: 'team', Value: 'core' }] },
    ]);
    expect(plan({ ...base, tags: { team: 'payments' } }, base).map((c) => c.input)).toEqual([
      { ResourceARN: ROTATION_ARN, TagKeys: ['env'] },
    ]);
    const ov = {
      startTime: iso(midnight(5) + 10 * HOUR),
      endTime: iso(midnight(5) + 12 * HOUR),
      newContacts: [{ contactArn: ALICE }],
    };
    expect(plan({ ...base, overrides: [ov] }, base).map((c) => c.input)).toEqual([
      {
        RotationId: ROTATION_ARN,
        NewContactIds: [ALICE],
        StartTime: new Date(ov.startTime),
        EndTime: new Date(ov.endTime),
      },
    ]);
    expect(plan(base, { ...base, overrides: [ov] }).map((c) => c.input)).toEqual([
      { RotationId: ROTATION_ARN, RotationOverrideId: 'ov-0' },
    ]);
  });
});
