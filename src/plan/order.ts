// Dependency order: an object comes after everything it references in the same set, and every
// object of an account after that account's ReplicationSet (nothing exists in AWS before it). Ties
// are broken by the order of the domain's creation steps, then by namespace and name, so the
// order is stable from run to run.
import { keyOf, type ManagedObject, objectKey } from '../engine/contract.ts';
import type { KindOps } from './kinds.ts';

/** Creation steps (domain doc §3.2): set, people, rotations, schedules, escalation, response. */
export function kindRank(o: ManagedObject): number {
  switch (o.kind) {
    case 'ReplicationSet':
      return 0;
    case 'Contact':
      return (o.spec as { type?: string }).type === 'OnCallSchedule' ? 3 : 1;
    case 'Rotation':
      return 2;
    case 'EscalationPlan':
      return 4;
    case 'ResponsePlan':
      return 5;
    default:
      return 6;
  }
}

export const accountOf = (o: ManagedObject): string => o.spec.accountRef?.name ?? 'default';

/** Keys of the objects `o` references (refs only, not raw ARNs or watched-only Secrets). */
export function referencedKeys(o: ManagedObject, ops: KindOps | undefined): string[] {
  return (ops?.references(o) ?? [])
    .filter((f) => f.ref && !f.indexOnly)
    .map((f) => keyOf(f.ref?.kind ?? '', f.ref?.namespace ?? o.metadata.namespace, f.ref?.name ?? ''));
}

function compare(a: ManagedObject, b: ManagedObject): number {
  return (
    kindRank(a) - kindRank(b) ||
    (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
    a.metadata.name.localeCompare(b.metadata.name)
  );
}

export function dependencyOrder(
  objects: readonly ManagedObject[],
  ops: Map<string, KindOps>,
): ManagedObject[] {
  const byKey = new Map(objects.map((o) => [objectKey(o), o]));
  const deps = new Map<string, Set<string>>();
  for (const o of objects) {
    const mine = new Set(referencedKeys(o, ops.get(o.kind)).filter((k) => byKey.has(k)));
    if (o.kind !== 'ReplicationSet')
      for (const rs of objects)
        if (rs.kind === 'ReplicationSet' && accountOf(rs) === accountOf(o)) mine.add(objectKey(rs));
    deps.set(objectKey(o), mine);
  }
  const out: ManagedObject[] = [];
  const done = new Set<string>();
  const left = [...objects].sort(compare);
  while (left.length > 0) {
    // The first object (in tie-break order) whose dependencies are all placed; on a cycle, the
    // first object left (the controller reports the cycle on that object itself).
    let i = left.findIndex((o) => [...(deps.get(objectKey(o)) ?? [])].every((k) => done.has(k)));
    if (i < 0) i = 0;
    const [next] = left.splice(i, 1) as [ManagedObject];
    done.add(objectKey(next));
    out.push(next);
  }
  return out;
}
