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

/**
 * A referenced ARN of another account: given as an ARN, or resolved from a Ref naming the object
 * of another AWSAccount in this cluster (the owner's object, whose sharing status says more).
 */
export interface ForeignReference {
  path: string;
  arn: string;
  owner: string;
  /** The owner's object a Ref named, with its label (`EscalationPlan ns/name`). */
  target?: { object: ManagedObject; label: string };
}

/** How soon a reference of another account that is lost, or has not arrived, is looked at again. */
export const REFERENCE_RECHECK_MS = 120_000;

/** Whether a Ref names an object (in the cache) of another AWSAccount than the referrer's. */
export function refOfOtherAccount(referrer: ManagedObject, f: ReferenceField, lookup: Lookup): boolean {
  const key = f.ref && !f.indexOnly ? targetKey(referrer, f) : undefined;
  const target = key ? lookup(key) : undefined;
  return (
    target !== undefined && (target.spec.accountRef?.name ?? '') !== (referrer.spec.accountRef?.name ?? '')
  );
}

/**
 * ARNs of another account than `own`: given directly, or resolved from a Ref (an owner object of
 * another AWSAccount). Pure.
 */
export function foreignReferences(
  referrer: ManagedObject,
  fields: readonly ReferenceField[],
  resolved: ReadonlyMap<string, string>,
  own: string,
  lookup: Lookup,
): ForeignReference[] {
  const out: ForeignReference[] = [];
  for (const f of fields) {
    if (f.indexOnly) continue;
    const arn = f.arn ?? (f.ref ? resolved.get(f.path) : undefined);
    const owner = arn === undefined ? undefined : accountOfArn(arn);
    if (arn === undefined || owner === undefined || owner === own) continue;
    const key = f.ref ? targetKey(referrer, f) : undefined;
    const object = key ? lookup(key) : undefined;
    out.push({
      path: f.path,
      arn,
      owner,
      ...(f.ref && object ? { target: { object, label: refLabel(referrer, f.ref) } } : {}),
    });
  }
  return out;
}

const refLabel = (referrer: ManagedObject, ref: NonNullable<ReferenceField['ref']>): string =>
  `${ref.kind} ${ref.namespace ?? referrer.metadata.namespace ?? ''}/${ref.name}`.replace(' /', ' ');

/** The consumer side of the referrer's account, from its AWSAccount (none: the controller's own). */
export interface ConsumerShares {
  /** The AWSAccount's name. */
  account?: string;
  /** spec.acceptResourceShares.accountIds: owners whose invitations the controller accepts here. */
  acceptsFrom: readonly string[];
  /** status.resourceShares.pending: invitations the controller left pending, and why. */
  pending: readonly { sender: string; message: string }[];
}

/** What the referrer's AWSAccount says about accepting shares (from the informer cache). */
export function consumerShares(referrer: ManagedObject, lookup: Lookup): ConsumerShares {
  const name = referrer.spec.accountRef?.name;
  const acct = name ? lookup(keyOf('AWSAccount', undefined, name)) : undefined;
  const spec = acct?.spec as { acceptResourceShares?: { accountIds?: string[] } } | undefined;
  const status = acct?.status as { resourceShares?: { pending?: { sender: string; message: string }[] } };
  return {
    ...(name ? { account: name } : {}),
    acceptsFrom: spec?.acceptResourceShares?.accountIds ?? [],
    pending: status?.resourceShares?.pending ?? [],
  };
}

type PrincipalSeen = { principal: string; status: string; message?: string };

/**
 * Why a reference of another account is not readable from `own` yet, and the fix: the owner does
 * not share it with this account, or the invitation waits for acceptance (spec.acceptResourceShares),
 * or RAM refused the principal. The owner's object in this cluster, when a Ref names it, says which.
 * Pure.
 */
export function missingShareMessage(r: ForeignReference, own: string, consumer: ConsumerShares): string {
  const what = r.target
    ? `${r.target.label} (${r.arn}) belongs to account ${r.owner} and`
    : `${r.arn} of account ${r.owner}`;
  const acct = consumer.account
    ? `AWSAccount ${consumer.account}`
    : `an AWSAccount of account ${own} (this object has no spec.accountRef)`;
  const sharing = (r.target?.object.status as { sharing?: { principals?: PrincipalSeen[] } } | undefined)
    ?.sharing;
  const seen = sharing?.principals?.find((p) => p.principal === own);
  const left = consumer.pending.find((p) => p.sender === r.owner);
  const accept = consumer.acceptsFrom.includes(r.owner)
    ? `${acct} accepts invitations from account ${r.owner} (spec.acceptResourceShares) ${left ? `but left this one pending: ${left.message}` : 'and will on its next look'}`
    : `add "${r.owner}" to spec.acceptResourceShares.accountIds of ${acct}, or accept it in the AWS RAM console of account ${own}`;
  if (seen?.status === 'Refused' || seen?.status === 'Failed')
    return `${what} is not shared with account ${own}: AWS RAM refused the principal${seen.message ? ` (${seen.message})` : ''}; see status.sharing of ${r.target?.label}`;
  if (seen?.status === 'Associating' || left)
    return `${what} is shared with account ${own}, but the AWS RAM invitation from account ${r.owner} is pending acceptance: ${accept}`;
  if (seen) return `${what} is shared with account ${own} (${seen.status}) but not readable from it yet`;
  if (r.target) {
    const spec = r.target.object.spec as { sharing?: { principals?: string[] } };
    const principals = spec.sharing?.principals ?? [];
    if (principals.includes(own))
      return `${what} its spec.sharing names account ${own}, but its share does not include the account yet (see its status.sharing)`;
    const others = principals.filter((p) => !/^\d{12}$/.test(p));
    return `${what} is not shared with account ${own}: add "${own}" to spec.sharing.principals of ${r.target.label} (with spec.sharing.allowExternalPrincipals: true if account ${own} is outside the owner's organization)${others.length ? `; its principals ${others.join(', ')} do not give account ${own} access (outside that organization, or AWS RAM sharing with AWS Organizations not enabled)` : ''}`;
  }
  return `${what} is not readable from account ${own}: account ${r.owner} does not share it with this account, or the AWS RAM invitation is not accepted yet (${accept})`;
}

/**
 * Checks each ARN of another account once (one read per ARN, however many fields name it). One
 * the referrer's AWS object uses (`inUse`) and cannot read any more (no longer shared with `own`,
 * or deleted by its owner) is a DependencyNotReady/ReferenceLost naming the ARN and its owner; one
 * not used yet whose share has not arrived is ReferencesNotReady saying what is missing. Both are
 * looked at again after REFERENCE_RECHECK_MS, and sooner when the owner's object or the referrer's
 * AWSAccount changes its shares.
 */
export async function checkForeignReferences(
  refs: readonly ForeignReference[],
  own: string,
  readable: (arn: string) => Promise<boolean>,
  opts: { inUse?: ReadonlySet<string>; consumer?: ConsumerShares } = {},
): Promise<void> {
  const seen = new Map<string, Promise<boolean>>();
  const lost: ForeignReference[] = [];
  const missing: ForeignReference[] = [];
  for (const r of refs) {
    let ok = seen.get(r.arn);
    if (!ok) {
      ok = readable(r.arn);
      seen.set(r.arn, ok);
    }
    if (await ok) continue;
    // A reference given as an ARN counts as used unless the kind says what its AWS object uses.
    const used = opts.inUse ? opts.inUse.has(r.arn) : r.target === undefined;
    (used ? lost : missing).push(r);
  }
  const waitsOn = (rs: ForeignReference[]) =>
    rs.flatMap((r) => (r.target ? [objectKey(r.target.object)] : []));
  if (lost.length > 0) {
    const what = lost
      .map(
        (r) =>
          `${r.path}: ${r.target ? `${r.target.label} (${r.arn})` : r.arn} of account ${r.owner} is no longer readable from account ${own}`,
      )
      .join('; ');
    const owners = [...new Set(lost.map((r) => r.owner))].join(', ');
    throw new ClassifiedError(
      'DependencyNotReady',
      `${what} (the owner stopped sharing it or deleted it); ask account ${owners} to share it with account ${own} again, or change the reference`,
      {
        field: lost[0]?.path,
        reason: 'ReferenceLost',
        retryAfterMs: REFERENCE_RECHECK_MS,
        dependencies: waitsOn(lost),
      },
    );
  }
  if (missing.length === 0) return;
  const consumer = opts.consumer ?? { acceptsFrom: [], pending: [] };
  throw new ClassifiedError(
    'DependencyNotReady',
    `Waiting for references: ${missing.map((r) => `${r.path}: ${missingShareMessage(r, own, consumer)}`).join('; ')}`,
    {
      field: missing[0]?.path,
      reason: 'ReferencesNotReady',
      retryAfterMs: REFERENCE_RECHECK_MS,
      dependencies: waitsOn(missing),
    },
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
