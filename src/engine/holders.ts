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

/** One object or several claiming an identity (one, nearly always). */
type Claims = ManagedObject | ManagedObject[];

const same = (a: ManagedObject, b: ManagedObject): boolean =>
  a.metadata.name === b.metadata.name && a.metadata.namespace === b.metadata.namespace;

function others(c: Claims | undefined, obj: ManagedObject): ManagedObject[] {
  if (c === undefined) return [];
  return (Array.isArray(c) ? c : [c]).filter((o) => !same(o, obj));
}

/**
 * kind → identity → the objects claiming it. It keeps the cache's own copies (the informer hands
 * the one it stores), each replaced by the next event: no key strings, no second copy kept alive.
 */
export class IdentityHolders {
  readonly #byKind = new Map<string, Map<string, Claims>>();

  /**
   * Takes a watch event (`obj` undefined: deleted). Returns the keys of the other claimants of each
   * identity whose claim came or went: a holder going away lets the next one take over, and a
   * claim that comes may outrank the current holder (an object restored with its old
   * creationTimestamp).
   */
  update(obj: ManagedObject | undefined, old: ManagedObject | undefined): string[] {
    const subject = obj ?? old;
    const before = claimOf(old);
    const after = claimOf(obj);
    if (!subject || (before === undefined && after === undefined)) return [];
    const ids = this.#byKind.get(subject.kind) ?? new Map<string, Claims>();
    this.#byKind.set(subject.kind, ids);
    if (obj && after !== undefined && before === after) {
      // The same claim: the newer copy replaces the older one.
      const c = ids.get(after);
      ids.set(after, c === undefined || (!Array.isArray(c) && same(c, obj)) ? obj : [...others(c, obj), obj]);
      return [];
    }
    const wake: ManagedObject[] = [];
    if (before !== undefined) {
      const rest = others(ids.get(before), subject);
      wake.push(...rest);
      if (rest.length === 0) ids.delete(before);
      else ids.set(before, rest.length === 1 ? (rest[0] as ManagedObject) : rest);
    }
    if (obj && after !== undefined) {
      const rest = others(ids.get(after), obj);
      wake.push(...rest);
      ids.set(after, rest.length === 0 ? obj : [...rest, obj]);
    }
    return wake.map(objectKey);
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
    let first = claimOf(obj) === identity ? obj : undefined;
    for (const other of others(this.#byKind.get(obj.kind)?.get(identity), obj))
      if (!first || claimOrder(other, first, identity) < 0) first = other;
    return first === obj ? undefined : first;
  }
}

/** Why `obj` writes nothing: `holder`'s claim on `arn` came first (the engine and imctl plan say the same). */
export function alreadyManagedMessage(obj: ManagedObject, holder: ManagedObject, arn: string): string {
  const other = objectLabel(holder);
  return `${objectLabel(obj)} names ${arn}, which is already managed by ${other} (its claim came first); this object writes nothing to AWS. Delete this object with deletionPolicy: Retain (the AWS object stays with ${other}), or set spec.managementPolicy: Observe to report it read-only; it takes over if ${other} is deleted or turns to Observe`;
}
