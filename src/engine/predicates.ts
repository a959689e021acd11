// Which watch events enqueue a key (Crossplane's DesiredStateChanged): add, delete, generation,
// labels, annotations other than our bookkeeping ones, finalizers and deletionTimestamp; never
// status-only updates, so status writes never trigger reconciles (house rule 6).
import type { ManagedObject } from './contract.ts';
import { BOOKKEEPING_ANNOTATIONS, EXTERNAL_ARN_ANNOTATION } from './names.ts';

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

export function desiredStateChanged(old: ManagedObject | undefined, cur: ManagedObject): boolean {
  if (!old) return true;
  const a = old.metadata;
  const b = cur.metadata;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    !sameMap(a.labels, b.labels) ||
    !sameMap(a.annotations, b.annotations, BOOKKEEPING_ANNOTATIONS) ||
    (a.finalizers ?? []).join('\n') !== (b.finalizers ?? []).join('\n')
  );
}

/**
 * A change referrers care about: the object became usable (Ready with an ARN, not being deleted),
 * stopped being usable, or its ARN changed. Progress between two not-ready states wakes nobody.
 */
export function referenceStateChanged(old: ManagedObject | undefined, cur: ManagedObject): boolean {
  const usable = (o: ManagedObject | undefined) => {
    if (!o || o.metadata.deletionTimestamp) return '';
    const ready = o.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const arn = o.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION] ?? o.status?.arn;
    // AWSAccount has no ARN: Ready and the verified caller identify it, so a changed role or account
    // wakes the objects that failed with the previous one (AccessDenied waits for the account to change).
    const caller = (o.status as { callerArn?: unknown } | undefined)?.callerArn;
    return ready ? (arn ?? (typeof caller === 'string' ? caller : 'ready')) : '';
  };
  return usable(old) !== usable(cur);
}
