// Pure diff and update plan for Rotation. Paths are in spec terms so they go straight into Events.
// AWS has no update for overrides: a changed override is a delete plus a create.
import type {
  CreateRotationOverrideRequest,
  DeleteRotationOverrideRequest,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateRotationRequest,
} from '@aws-sdk/client-ssm-contacts';
import { ClassifiedError, changedAt, type FieldDiff } from '../../engine/contract.ts';
import { diffTags, tagDelta, tagsToAws } from '../shared/contacts-tags.ts';
import {
  type OverrideState,
  overrideKey,
  type RecurrenceState,
  type RotationState,
  recurrenceToAws,
} from './mapping.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const RECURRENCE_FIELDS: readonly [keyof RecurrenceState, string][] = [
  ['numberOfOnCalls', 'numberOfOnCalls'],
  ['recurrenceMultiplier', 'recurrenceMultiplier'],
  ['daily', 'dailySettings'],
  ['weekly', 'weeklySettings'],
  ['monthly', 'monthlySettings'],
  ['coverage', 'shiftCoverages'],
];

export function diff(desired: RotationState, observed: RotationState): FieldDiff[] {
  const out: FieldDiff[] = [];
  const add = (path: string, d: unknown, o: unknown, updatable = true) => {
    if (!same(d, o)) out.push({ path, desired: d, observed: o, updatable });
  };
  add('spec.name', desired.name, observed.name, false);
  add('spec.contacts', desired.contactIds, observed.contactIds);
  // Without a startTime in the spec AWS keeps the one it chose at creation.
  if (desired.startTime !== undefined) add('spec.startTime', desired.startTime, observed.startTime);
  add('spec.timeZoneId', desired.timeZoneId, observed.timeZoneId);
  for (const [field, specName] of RECURRENCE_FIELDS)
    add(`spec.recurrence.${specName}`, desired.recurrence[field], observed.recurrence[field]);
  out.push(...diffTags(desired.tags, observed.tags));
  if (desired.overrides !== undefined) out.push(...overrideDiff(desired.overrides, observed.overrides ?? []));
  return out;
}

/**
 * Overrides are matched by start, end and contacts. A desired one AWS lacks is
 * `spec.overrides[i]` (to create); one AWS has that the spec does not is `spec.overrides` with
 * only `observed` set (to delete).
 */
function overrideDiff(desired: readonly OverrideState[], observed: readonly OverrideState[]): FieldDiff[] {
  const out: FieldDiff[] = [];
  const left = [...observed];
  desired.forEach((d, i) => {
    const at = left.findIndex((o) => overrideKey(o) === overrideKey(d));
    if (at >= 0) left.splice(at, 1);
    else out.push({ path: `spec.overrides[${i}]`, desired: d, observed: undefined, updatable: true });
  });
  for (const o of left)
    out.push({ path: 'spec.overrides', desired: undefined, observed: o, updatable: true });
  return out;
}

export type AwsCall =
  | { op: 'DeleteRotationOverride'; input: DeleteRotationOverrideRequest }
  | { op: 'UpdateRotation'; input: UpdateRotationRequest }
  | { op: 'UntagResource'; input: UntagResourceRequest }
  | { op: 'TagResource'; input: TagResourceRequest }
  | { op: 'CreateRotationOverride'; input: CreateRotationOverrideRequest; override: OverrideState };

/**
 * The AWS writes for a diff, in order: stale overrides go first (they may name a contact the update
 * removes), then the rotation, then tags, then new overrides (they may name a contact the update
 * adds). Override creates carry no token here; the client adds one per override.
 */
export function planUpdate(
  arn: string,
  changes: readonly FieldDiff[],
  desired: RotationState,
  observed: RotationState,
): AwsCall[] {
  const calls: AwsCall[] = [];
  for (const d of changes)
    if (d.path === 'spec.overrides' && d.observed)
      calls.push({
        op: 'DeleteRotationOverride',
        input: { RotationId: arn, RotationOverrideId: (d.observed as OverrideState).id ?? '' },
      });

  const rotationPaths = ['spec.contacts', 'spec.startTime', 'spec.timeZoneId', 'spec.recurrence'];
  if (rotationPaths.some((p) => changedAt(changes, p))) {
    if (changedAt(changes, 'spec.startTime') && desired.startTime !== undefined) {
      if (Date.parse(desired.startTime) < desired.asOf)
        throw new ClassifiedError(
          'InvalidSpec',
          `spec.startTime: ${desired.startTime} is in the past; the controller never moves a rotation's start into the past (it would rewrite past shifts and how overrides apply). AWS has ${observed.startTime ?? 'none'}: restore it or choose a future time`,
          { field: 'spec.startTime', rule: 'StartTimeInPast' },
        );
    }
    // Recurrence is required by UpdateRotation: it is always sent whole; the rest only when changed.
    const input: UpdateRotationRequest = { RotationId: arn, Recurrence: recurrenceToAws(desired.recurrence) };
    if (changedAt(changes, 'spec.contacts')) input.ContactIds = desired.contactIds;
    if (changedAt(changes, 'spec.startTime') && desired.startTime !== undefined)
      input.StartTime = new Date(desired.startTime);
    if (changedAt(changes, 'spec.timeZoneId')) input.TimeZoneId = desired.timeZoneId;
    calls.push({ op: 'UpdateRotation', input });
  }

  if (changedAt(changes, 'spec.tags')) {
    const { set, remove } = tagDelta(desired.tags, observed.tags);
    if (remove.length > 0) calls.push({ op: 'UntagResource', input: { ResourceARN: arn, TagKeys: remove } });
    if (Object.keys(set).length > 0)
      calls.push({ op: 'TagResource', input: { ResourceARN: arn, Tags: tagsToAws(set) } });
  }

  for (const d of changes)
    if (d.path.startsWith('spec.overrides[') && d.desired) {
      const o = d.desired as OverrideState;
      calls.push({
        op: 'CreateRotationOverride',
        input: {
          RotationId: arn,
          NewContactIds: o.contactIds,
          StartTime: new Date(o.start),
          EndTime: new Date(o.end),
        },
        override: o,
      });
    }
  return calls;
}
