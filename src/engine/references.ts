// Ref/Arn resolution from the informer caches, and a reverse index (referenced key → referrers) so
// a Contact turning Ready wakes the plans that name it, and a delete can say who still points at it.
import { getCondition, Reason } from './conditions.ts';
import { ClassifiedError, keyOf, type ManagedObject, objectKey, type ReferenceField } from './contract.ts';
import { EXTERNAL_ARN_ANNOTATION } from './names.ts';
import { RetiringReferences } from './retiring.ts';

export type Lookup = (key: string) => ManagedObject | undefined;

export interface UnresolvedRef {
  path: string;
  key: string;
  why: string;
}

export type Resolution =
  | { ok: true; resolved: Map<string, string>; targets: string[] }
  | { ok: false; unresolved: UnresolvedRef[]; targets: string[] };

/** The ARN of a managed object: identity annotation first (survives restore), then status. */
export function arnOf(o: ManagedObject): string | undefined {
  return o.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION] ?? o.status?.arn;
}

/** The account id in an ARN (`arn:partition:service:region:account:…`), if it has one. */
export function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * Whether a referrer may use the object's ARN: Ready, or Ready=False/Updating, i.e. the AWS object
 * exists and AWS (or the controller's confirming read) is only catching up with a change. An update
 * of a Contact then does not take every plan that names it out of Ready for a poll interval. A
 * principal RAM refused (SharingNotEnabled) is the share's problem: the object exists and is usable.
 */
export function usableAsReference(o: ManagedObject): boolean {
  if (o.metadata.deletionTimestamp || !arnOf(o)) return false;
  const ready = getCondition(o.status?.conditions, 'Ready');
  return (
    ready?.status === 'True' ||
    ready?.reason === Reason.Updating ||
    ready?.reason === Reason.SharingNotEnabled
  );
}

export function targetKey(referrer: ManagedObject, f: ReferenceField): string | undefined {
  if (!f.ref) return undefined;
  return keyOf(f.ref.kind, f.ref.namespace ?? referrer.metadata.namespace, f.ref.name);
}

/** Resolves every reference to an ARN, or lists, in words, which ones are not usable yet and why. */
export function resolveReferences(
  referrer: ManagedObject,
  fields: readonly ReferenceField[],
  lookup: Lookup,
): Resolution {
  const resolved = new Map<string, string>();
  const unresolved: UnresolvedRef[] = [];
  const targets: string[] = [];
  for (const f of fields) {
    if (f.arn !== undefined) {
      resolved.set(f.path, f.arn);
      continue;
    }
    const key = targetKey(referrer, f);
    if (!key || !f.ref) continue;
    targets.push(key);
    if (f.indexOnly) continue;
    const label =
      `${f.ref.kind} ${f.ref.namespace ?? referrer.metadata.namespace ?? ''}/${f.ref.name}`.replace(
        ' /',
        ' ',
      );
    const target = lookup(key);
    const arn = target ? arnOf(target) : undefined;
    if (!target) unresolved.push({ path: f.path, key, why: `${label} does not exist` });
    else if (target.metadata.deletionTimestamp)
      unresolved.push({ path: f.path, key, why: `${label} is being deleted` });
    else if (!usableAsReference(target) || !arn) {
      const ready = target.status?.conditions?.find((c) => c.type === 'Ready');
      const detail = ready
        ? `${ready.reason}${ready.message ? `: ${ready.message}` : ''}`
        : 'not reconciled yet';
      unresolved.push({ path: f.path, key, why: `${label} is not Ready (${detail})` });
    } else resolved.set(f.path, arn);
  }
  return unresolved.length === 0
    ? { ok: true, resolved, targets: [...new Set(targets)] }
    : { ok: false, unresolved, targets: [...new Set(targets)] };
}

/** A referenced ARN of another account, as the spec gives it. */
export interface ForeignReference {
  path: string;
  arn: string;
  owner: string;
}

/** How soon a lost reference of another account is looked at again (its fix is outside the cluster). */
export const REFERENCE_RECHECK_MS = 120_000;

/** ARNs the spec gives directly (not Refs) that belong to another account than `own`. Pure. */
export function foreignReferences(fields: readonly ReferenceField[], own: string): ForeignReference[] {
  const out: ForeignReference[] = [];
  for (const f of fields) {
    const owner = f.arn === undefined ? undefined : accountOfArn(f.arn);
    if (f.arn !== undefined && owner !== undefined && owner !== own)
      out.push({ path: f.path, arn: f.arn, owner });
  }
  return out;
}

/**
 * Checks each ARN of another account once (one read per ARN, however many fields name it); a lost
 * one (no longer shared with `own`, or deleted by its owner) is a DependencyNotReady/ReferenceLost
 * naming the ARN and its owner, looked at again after REFERENCE_RECHECK_MS.
 */
export async function checkForeignReferences(
  refs: readonly ForeignReference[],
  own: string,
  readable: (arn: string) => Promise<boolean>,
): Promise<void> {
  const seen = new Map<string, Promise<boolean>>();
  const lost: ForeignReference[] = [];
  for (const r of refs) {
    let ok = seen.get(r.arn);
    if (!ok) {
      ok = readable(r.arn);
      seen.set(r.arn, ok);
    }
    if (!(await ok)) lost.push(r);
  }
  if (lost.length === 0) return;
  const what = lost
    .map((r) => `${r.path}: ${r.arn} of account ${r.owner} is no longer readable from account ${own}`)
    .join('; ');
  const owners = [...new Set(lost.map((r) => r.owner))].join(', ');
  throw new ClassifiedError(
    'DependencyNotReady',
    `${what} (the owner stopped sharing it or deleted it); ask account ${owners} to share it with account ${own} again, or change the reference`,
    { field: lost[0]?.path, reason: 'ReferenceLost', retryAfterMs: REFERENCE_RECHECK_MS },
  );
}

export function describeUnresolved(u: readonly UnresolvedRef[]): string {
  return u.map((x) => `${x.path}: ${x.why}`).join('; ');
}

/**
 * Reference fields plus the AWSAccount an object names: indexed (so the account turning Ready wakes
 * the object) but not resolved to an ARN. An empty namespace marks a cluster-scoped target.
 */
export function indexedFields(obj: ManagedObject, fields: readonly ReferenceField[]): ReferenceField[] {
  const account = obj.spec.accountRef?.name;
  return account
    ? [...fields, { path: 'spec.accountRef', ref: { kind: 'AWSAccount', name: account, namespace: '' } }]
    : [...fields];
}

export class ReferenceIndex {
  readonly #forward = new Map<string, Set<string>>();
  readonly #reverse = new Map<string, Set<string>>();

  /** Records the targets `referrer` names now; returns targets it no longer names (to wake them). */
  set(referrer: string, targets: Iterable<string>): string[] {
    const next = new Set(targets);
    const prev = this.#forward.get(referrer) ?? new Set<string>();
    const dropped: string[] = [];
    for (const t of prev)
      if (!next.has(t)) {
        this.#reverse.get(t)?.delete(referrer);
        if (this.#reverse.get(t)?.size === 0) this.#reverse.delete(t);
        dropped.push(t);
      }
    for (const t of next) {
      let r = this.#reverse.get(t);
      if (!r) {
        r = new Set();
        this.#reverse.set(t, r);
      }
      r.add(referrer);
    }
    if (next.size === 0) this.#forward.delete(referrer);
    else this.#forward.set(referrer, next);
    return dropped;
  }

  /** Forgets `referrer` (it was deleted); returns the targets it named. */
  remove(referrer: string): string[] {
    return this.set(referrer, []);
  }

  referrersOf(target: string): string[] {
    return [...(this.#reverse.get(target) ?? [])].sort();
  }

  /** What referrers dropped from their spec and AWS may still hold (a deletion waits for them). */
  readonly retiring = new RetiringReferences();

  /** Index `obj` from its reference fields. */
  indexObject(obj: ManagedObject, fields: readonly ReferenceField[]): string[] {
    const targets = fields.map((f) => targetKey(obj, f)).filter((k): k is string => k !== undefined);
    const dropped = this.set(objectKey(obj), targets);
    this.retiring.note(obj, dropped, targets);
    return dropped;
  }
}
