// Status is derived from the last observation and outcome, compared with the cached status and
// written through /status only when something a user can see changed (house rule 6).
import { type ConditionInput, setCondition } from './conditions.ts';
import type { ManagedObject, ManagedStatusBase } from './contract.ts';

export interface StatusPort {
  /**
   * Merge-patch the /status subresource. No resourceVersion: the leader is the sole status writer.
   * Returns the object as stored, when the port knows it (its new resourceVersion).
   */
  patchStatus(obj: ManagedObject, status: Record<string, unknown>): Promise<ManagedObject | undefined>;
}

export interface StatusChange {
  ready?: ConditionInput;
  synced?: ConditionInput;
  /** ARN to show; null removes it. */
  arn?: string | null;
  /** The kind's observed status fields, merged at the top of status. */
  observed?: Record<string, unknown>;
  /** The kind's own conditions, the whole set: types not listed (besides Ready and Synced) are removed. */
  kind?: readonly ConditionInput[];
  /** True when this visit confirmed AWS matches the spec (moves lastSyncTime). */
  syncedNow?: boolean;
}

/** Status fields the engine owns; every other top-level field comes from the kind's observedStatus. */
const COMMON_STATUS: ReadonlySet<string> = new Set([
  'arn',
  'conditions',
  'observedGeneration',
  'lastSyncTime',
]);

/** The next status from the current one and a change; timestamps move only on transitions. */
export function deriveStatus(obj: ManagedObject, change: StatusChange, now: string): ManagedStatusBase {
  const prev: ManagedStatusBase = { ...(obj.status ?? {}) };
  const gen = obj.metadata.generation ?? 0;
  let conditions = prev.conditions;
  if (change.ready) conditions = setCondition(conditions, change.ready, gen, now);
  if (change.synced) conditions = setCondition(conditions, change.synced, gen, now);
  if (change.kind) {
    const keep = new Set(['Ready', 'Synced', ...change.kind.map((c) => c.type)]);
    for (const c of change.kind) conditions = setCondition(conditions, c, gen, now);
    conditions = conditions?.filter((c) => keep.has(c.type));
  }
  const next: ManagedStatusBase = { ...prev, observedGeneration: gen };
  if (conditions) next.conditions = conditions;
  if (change.arn === null) delete next.arn;
  else if (change.arn !== undefined) next.arn = change.arn;
  if (change.observed) {
    // The observed fields are the kind's whole view: one it no longer reports (undefined or absent,
    // e.g. a rotation with no next hand-off) is removed, so the merge patch sends null for it.
    for (const k of Object.keys(next)) if (!COMMON_STATUS.has(k)) delete next[k];
    for (const [k, v] of Object.entries(change.observed)) if (v !== undefined) next[k] = v;
  }
  if (change.syncedNow) next.lastSyncTime = now;
  return next;
}

/**
 * Equal for the purpose of writing: lastSyncTime alone never causes a write, so a steady-state
 * resync costs no Kubernetes write either. Condition timestamps are preserved by setCondition.
 */
export function statusEqual(a: object | undefined, b: object | undefined): boolean {
  const strip = (s: (object & { lastSyncTime?: string }) | undefined) => {
    const { lastSyncTime: _ignored, ...rest } = s ?? {};
    return canonicalJson(rest);
  };
  return strip(a) === strip(b);
}

function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(
          Object.entries(val as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)),
        )
      : val,
  );
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Merge patch that turns `prev` into `next` (RFC 7386: removed keys become null). Objects on both
 * sides are patched key by key, since the server merges them: sending the new object whole would
 * keep a key it no longer has.
 */
export function mergePatch(
  prev: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(prev)) if (!(k in next)) patch[k] = null;
  for (const [k, v] of Object.entries(next)) {
    const before = prev[k];
    if (canonicalJson(before) === canonicalJson(v)) continue;
    patch[k] = isPlainObject(before) && isPlainObject(v) ? mergePatch(before, v) : v;
  }
  return patch;
}

export class StatusWriter {
  readonly #port: StatusPort;
  constructor(port: StatusPort) {
    this.#port = port;
  }

  /** Writes `next` if it differs from the object's status; returns whether a write happened. */
  async write(obj: ManagedObject, next: ManagedStatusBase): Promise<boolean> {
    if (statusEqual(obj.status, next)) return false;
    const patch = mergePatch((obj.status ?? {}) as Record<string, unknown>, next as Record<string, unknown>);
    const stored = await this.#port.patchStatus(obj, patch);
    obj.status = next as NonNullable<typeof obj.status>;
    // Later guarded patches in the same reconcile must carry the version this write produced.
    const rv = stored ? stored.metadata.resourceVersion : undefined;
    if (rv !== undefined) obj.metadata.resourceVersion = rv;
    return true;
  }
}
