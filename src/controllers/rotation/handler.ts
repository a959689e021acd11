// The Rotation kind for the engine: references, status and next visit from the observed rotation,
// and the wiring of validation, mapping, diff and the client.
import type { Rotation } from '../../crds/rotation.ts';
import { MAX_OVERRIDES } from '../../crds/values.ts';
import type { KindHandler, ReferenceField } from '../../engine/contract.ts';
import type { KindDeps } from '../../engine/plugin.ts';
import { waitsForOnboarding } from '../shared/onboarding.ts';
import { targetReference } from '../shared/targets.ts';
import { diff } from './diff.ts';
import { RotationClient } from './external.ts';
import { type RotationState, toDesired } from './mapping.ts';
import { validateRotation } from './validate.ts';

/**
 * Who is on call changes with time, not with the spec: rotations are re-read every five minutes
 * (a few reads per rotation) so status.onCallNow and the next shifts are never stale for long.
 */
export const ROTATION_RESYNC_MS = 300_000;

export function references(mr: Rotation): ReferenceField[] {
  const out: ReferenceField[] = [];
  mr.spec.contacts.forEach((c, i) => {
    const r = targetReference(c, `spec.contacts[${i}]`);
    if (r) out.push(r);
  });
  (mr.spec.overrides ?? []).forEach((o, j) => {
    o.newContacts.forEach((c, k) => {
      const r = targetReference(c, `spec.overrides[${j}].newContacts[${k}]`);
      if (r) out.push(r);
    });
  });
  return out;
}

export function observedStatus(o: RotationState): Record<string, unknown> {
  const live = o.live ?? { onCallNow: [], upcoming: [] };
  return {
    contactArns: o.contactIds,
    // Console-made overrides are not bounded by the spec's list: status holds as many as the schema.
    overrides: (o.overrides ?? []).slice(0, MAX_OVERRIDES).map((x) => ({
      id: x.id ?? '',
      startTime: x.start,
      endTime: x.end,
      contactArns: x.contactIds,
    })),
    onCallNow: live.onCallNow,
    nextHandOffs: (live.handOffs ?? []).map((h) => ({
      time: h.time,
      localTime: h.localTime,
      fromContactArns: h.from,
      toContactArns: h.to,
      ...(h.overridden ? { overridden: true } : {}),
    })),
    ...(live.nextHandOff !== undefined ? { nextHandOffTime: live.nextHandOff } : {}),
  };
}

/** Back one second after the next hand-off, so status.onCallNow changes when the shift does. */
export function nextVisitMs(o: RotationState, nowMs: number): number | undefined {
  const at = o.live?.nextHandOff === undefined ? Number.NaN : Date.parse(o.live.nextHandOff);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs) + 1_000;
}

export function createRotationHandler(deps: KindDeps): KindHandler<Rotation, RotationState> {
  const now = () => (deps.clock ?? { now: Date.now }).now();
  return {
    kind: 'Rotation',
    resyncMs: ROTATION_RESYNC_MS,
    validate: (mr) => validateRotation(mr, { nowMs: now(), lookup: deps.lookup }),
    references,
    toDesired: (mr, refs) => toDesired(mr, refs, now()),
    diff,
    observedStatus,
    nextVisitMs,
    createWaitsFor: waitsForOnboarding(deps, 'rotation'),
    client: (clients) => new RotationClient({ clients }, now),
  };
}
