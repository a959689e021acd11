// Ready and Synced conditions with one reason enum (ARCHITECTURE.md house rule 7).
import type { Condition } from './contract.ts';

export const Reason = {
  // Ready
  Available: 'Available',
  Creating: 'Creating',
  Updating: 'Updating',
  Deleting: 'Deleting',
  DeleteBlocked: 'DeleteBlocked',
  ReferencesNotReady: 'ReferencesNotReady',
  ExternalNotFound: 'ExternalNotFound',
  Unavailable: 'Unavailable',
  /** ReplicationSet: a Region is removed only 24 h after it was added; the message names the time. */
  RegionRemovalNotYetAllowed: 'RegionRemovalNotYetAllowed',
  /** Incident Manager is not onboarded yet: the account's replication set is not ACTIVE (domain doc §7). */
  ReplicationSetNotReady: 'ReplicationSetNotReady',
  // Synced
  ReconcileSuccess: 'ReconcileSuccess',
  ReconcileError: 'ReconcileError',
  Throttled: 'Throttled',
  InvalidSpec: 'InvalidSpec',
  AccessDenied: 'AccessDenied',
  DriftDetected: 'DriftDetected',
  ObserveOnly: 'ObserveOnly',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export const ConditionType = { Ready: 'Ready', Synced: 'Synced' } as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export interface ConditionInput {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: Reason;
  message: string;
}

const ORDER: readonly string[] = [ConditionType.Ready, ConditionType.Synced];

/**
 * Returns a new list with `next` set. lastTransitionTime is kept when the status did not change
 * (Kubernetes convention), so a reason or message change is not reported as a transition.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: ConditionInput,
  observedGeneration: number,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const lastTransitionTime = prev && prev.status === next.status ? prev.lastTransitionTime : now;
  const cond: Condition = { ...next, lastTransitionTime, observedGeneration };
  if (i >= 0) list[i] = cond;
  else list.push(cond);
  return list.sort((a, b) => rank(a.type) - rank(b.type));
}

function rank(type: string): number {
  const r = ORDER.indexOf(type);
  return r < 0 ? ORDER.length : r;
}

export function getCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isReady(o: { status?: { conditions?: Condition[] } }): boolean {
  return getCondition(o.status?.conditions, ConditionType.Ready)?.status === 'True';
}
