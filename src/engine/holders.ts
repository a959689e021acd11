// One managing object per AWS resource (issue 12). Among the objects of one kind that manage AWS
// and are not being deleted, the one that holds an identity (the external-arn annotation) first
// keeps it: earliest metadata.creationTimestamp, then namespace/name (claimOrder). The index is
// fed by the watch events, so a reconcile asks a Map, never scans a cache.

import { type ManagedObject, objectKey } from './contract.ts';
import { EXTERNAL_ARN_ANNOTATION } from './names.ts';
import { managesAws } from './policy.ts';

/** The identity `obj` claims: its annotation, while it manages AWS and is not being deleted. */
export function claimOf(obj: ManagedObject | undefined): string | undefined {
  if (!obj || obj.metadata.deletionTimestamp || !managesAws(obj)) return undefined;
  return obj.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION];
}

/**
 * Earlier-created first. creationTimestamp has whole seconds, so two objects applied together tie:
 * the one that already shows the identity in status.arn (it manages it now) goes first, so a
 * newcomer of the same second never takes over; then namespace/name.
 */
export function claimOrder(a: ManagedObject, b: ManagedObject, identity: string): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ma = a.status?.arn === identity;
  if (ma !== (b.status?.arn === identity)) return ma ? -1 : 1;
  const ka = objectKey(a);
  const kb = objectKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** How messages name an object: `Kind namespace/name`. */
export function objectLabel(obj: ManagedObject): string {
  const ns = obj.metadata.namespace;
  return `${obj.kind} ${ns ? `${ns}/` : ''}${obj.metadata.name}`;
}

/** kind → identity → the keys of the objects claiming it (a lone key, nearly always). */
export class IdentityHolders {
  readonly #byKind = new Map<string, Map<string, string | string[]>>();
  readonly #lookup: (key: string) => ManagedObject | undefined;

  constructor(lookup: (key: string) => ManagedObject | undefined) {
    this.#lookup = lookup;
  }

  /**
   * Takes a watch event (`obj` undefined: deleted). Returns the other claimants of each identity
   * whose claim came or went: a holder going away lets the next one take over, and a claim that
   * comes may outrank the current holder (an object restored with its old creationTimestamp).
   */
  update(obj: ManagedObject | undefined, old: ManagedObject | undefined): string[] {
    const subject = obj ?? old;
    const before = claimOf(old);
    const after = claimOf(obj);
    if (!subject || before === after) return [];
    const key = objectKey(subject);
    const ids = this.#byKind.get(subject.kind) ?? new Map<string, string | string[]>();
    this.#byKind.set(subject.kind, ids);
    const wake: string[] = [];
    if (before !== undefined) {
      const rest = keysOf(ids.get(before)).filter((k) => k !== key);
      if (rest.length === 0) ids.delete(before);
      else ids.set(before, rest.length === 1 ? (rest[0] as string) : rest);
      wake.push(...rest);
    }
    if (after !== undefined) {
      const others = keysOf(ids.get(after)).filter((k) => k !== key);
      ids.set(after, others.length === 0 ? key : [...others, key]);
      wake.push(...others);
    }
    return wake;
  }

  /**
   * The other object that manages `identity` (default: `obj`'s annotation), undefined when `obj`
   * may: an object claiming it yields to an earlier claim; one that does not claim it (being
   * deleted, Observe, or about to adopt it by name) yields to any live claim.
   */
  holderOf(
    obj: ManagedObject,
    identity = obj.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION],
  ): ManagedObject | undefined {
    if (identity === undefined) return undefined;
    const key = objectKey(obj);
    let first = claimOf(obj) === identity ? obj : undefined;
    for (const k of keysOf(this.#byKind.get(obj.kind)?.get(identity))) {
      if (k === key) continue;
      const other = this.#lookup(k);
      // The cache may already show the claim gone (a newer copy than the last event).
      if (!other || claimOf(other) !== identity) continue;
      if (!first || claimOrder(other, first, identity) < 0) first = other;
    }
    return first === obj ? undefined : first;
  }
}

function keysOf(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}
