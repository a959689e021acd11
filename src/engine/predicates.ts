// Which watch events enqueue a key (Crossplane's DesiredStateChanged): add, delete, generation,
// labels, annotations other than our bookkeeping ones, finalizers and deletionTimestamp; never
// status-only updates, so status writes never trigger reconciles (house rule 6). The controller's
// own metadata writes (our finalizer added, the identity annotation it set) never trigger one
// either: the visit that wrote them carries on, and a second immediate visit would repeat a failed
// AWS write without backoff.
import type { ManagedObject } from './contract.ts';
import { BOOKKEEPING_ANNOTATIONS, EXTERNAL_ARN_ANNOTATION, FINALIZER } from './names.ts';
import { arnOf, usableAsReference } from './references.ts';

function sameMap(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
  ignore: readonly string[] = [],
): boolean {
  const ka = Object.keys(a ?? {}).filter((k) => !ignore.includes(k));
  const kb = Object.keys(b ?? {}).filter((k) => !ignore.includes(k));
  if (ka.length !== kb.length) return false;
  return ka.every((k) => a?.[k] === b?.[k]);
}

/**
 * Finalizers changed in a way the controller did not make itself: another finalizer came or went,
 * or ours was removed from a live object (someone took it off: put it back).
 */
function finalizersChanged(a: ManagedObject['metadata'], b: ManagedObject['metadata']): boolean {
  const others = (f: string[] | undefined) => (f ?? []).filter((x) => x !== FINALIZER).join('\n');
  if (others(a.finalizers) !== others(b.finalizers)) return true;
  const ours = (m: ManagedObject['metadata']) => (m.finalizers ?? []).includes(FINALIZER);
  return ours(a) && !ours(b) && !b.deletionTimestamp;
}

/**
 * The identity annotation changed to a value the controller did not write: a user adopting an AWS
 * object (or clearing the annotation). `ownIdentity` is the value this controller last wrote for
 * the object (null: it removed the annotation; undefined: it never wrote one).
 */
function identitySetByOthers(
  a: ManagedObject['metadata'],
  b: ManagedObject['metadata'],
  ownIdentity: string | null | undefined,
): boolean {
  const before = a.annotations?.[EXTERNAL_ARN_ANNOTATION];
  const after = b.annotations?.[EXTERNAL_ARN_ANNOTATION];
  if (before === after) return false;
  return ownIdentity === undefined || (ownIdentity ?? undefined) !== after;
}

export function desiredStateChanged(
  old: ManagedObject | undefined,
  cur: ManagedObject,
  ownIdentity?: string | null,
): boolean {
  if (!old) return true;
  const a = old.metadata;
  const b = cur.metadata;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    !sameMap(a.labels, b.labels) ||
    !sameMap(a.annotations, b.annotations, BOOKKEEPING_ANNOTATIONS) ||
    identitySetByOthers(a, b, ownIdentity) ||
    finalizersChanged(a, b)
  );
}

/**
 * A change referrers care about: the object became usable as a reference (Ready, or Updating, with
 * an ARN, not being deleted), stopped being usable, or its ARN changed; or what it shares through
 * AWS RAM changed (a referrer in another account waits for the share, or loses it), or what an
 * AWSAccount has accepted. Progress between two unusable states wakes nobody.
 */
export function referenceStateChanged(old: ManagedObject | undefined, cur: ManagedObject): boolean {
  const usable = (o: ManagedObject | undefined) => {
    const arn = o ? arnOf(o) : undefined;
    // Without an ARN (an AWSAccount) only Ready and the verified caller count.
    if (o && arn === undefined) return readyState(o);
    return o && usableAsReference(o) ? (arn ?? '') : '';
  };
  return usable(old) !== usable(cur) || sharesState(old) !== sharesState(cur);
}

/** The principals of an object's share with their status, or the resources an AWSAccount accepted. */
function sharesState(o: ManagedObject | undefined): string {
  const s = o?.status as
    | {
        sharing?: { principals?: { principal: string; status: string }[] };
        resourceShares?: { accepted?: { resources?: { arn: string }[] }[] };
      }
    | undefined;
  const principals = (s?.sharing?.principals ?? []).map((p) => `${p.principal}=${p.status}`);
  const accepted = (s?.resourceShares?.accepted ?? []).flatMap((a) => (a.resources ?? []).map((r) => r.arn));
  return [...principals, ...accepted].join(',');
}

/**
 * Ready itself changed (or the ARN or verified caller of a Ready object): for objects waiting on
 * any object of a kind (onboarding waits for a Ready ReplicationSet, AWS refuses work while it is
 * updating) and for AWSAccounts, which have no ARN.
 */
export function readyStateChanged(old: ManagedObject | undefined, cur: ManagedObject): boolean {
  return readyState(old) !== readyState(cur);
}

/**
 * What objects waiting on any object of a kind look at: Ready itself (above), or the reason of its
 * Ready or Synced condition, so a waiter also learns that the awaited object was refused (and will
 * not turn Ready by itself) instead of waiting for the next resync.
 */
export function awaitedStateChanged(old: ManagedObject | undefined, cur: ManagedObject): boolean {
  const reasons = (o: ManagedObject | undefined) =>
    (o?.status?.conditions ?? [])
      .filter((c) => c.type === 'Ready' || c.type === 'Synced')
      .map((c) => `${c.type}=${c.status}/${c.reason}`)
      .sort()
      .join(',');
  return readyStateChanged(old, cur) || reasons(old) !== reasons(cur);
}

function readyState(o: ManagedObject | undefined): string {
  if (!o || o.metadata.deletionTimestamp) return '';
  const ready = o.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const arn = o.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION] ?? o.status?.arn;
  // AWSAccount has no ARN: Ready and the verified caller identify it, so a changed role or account
  // wakes the objects that failed with the previous one (AccessDenied waits for the account to change).
  const caller = (o.status as { callerArn?: unknown } | undefined)?.callerArn;
  return ready ? (arn ?? (typeof caller === 'string' ? caller : 'ready')) : '';
}

/**
 * First sight of an object that a previous controller (or leader) already brought to Ready for its
 * current generation: its visit is only a re-check, and waits behind new and edited objects.
 */
export function settledOnFirstSight(old: ManagedObject | undefined, cur: ManagedObject): boolean {
  if (old || cur.metadata.deletionTimestamp) return false;
  const ready = cur.status?.conditions?.find((c) => c.type === 'Ready');
  const generation = cur.metadata.generation;
  return (
    ready?.status === 'True' &&
    generation !== undefined &&
    (ready.observedGeneration ?? cur.status?.observedGeneration) === generation
  );
}
