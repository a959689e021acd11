// Ready and Synced conditions; reasons come from the catalogue in reasons.ts (ARCHITECTURE.md house rule 7).
import type { Condition } from './contract.ts';
import { REASONS, type ReasonName } from './reasons.ts';

/** Each catalogued reason named after itself: code names reasons through this, never as loose strings. */
export const Reason = Object.fromEntries(Object.keys(REASONS).map((k) => [k, k])) as {
  readonly [K in ReasonName]: K;
};
export type Reason = ReasonName;

export const ConditionType = { Ready: 'Ready', Synced: 'Synced' } as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export interface ConditionInput {
  /** Ready, Synced, or a kind's own condition type (contract.ts KindCondition). */
  type: ConditionType | (string & {});
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
