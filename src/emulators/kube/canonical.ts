// JSON values compared and encoded whatever the order of their object keys: clients re-encode
// objects in their own order, and Go encodes a map (a custom resource) with its keys sorted.

/** A deep copy whose object keys are in sorted order (how Go encodes a map). */
export function sortedCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedCopy);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortedCopy((v as Record<string, unknown>)[k]);
  return out;
}

/** JSON text with every object's keys sorted: equal for values equal whatever their key order. */
export function sortedJson(v: unknown): string {
  return JSON.stringify(sortedCopy(v)) ?? 'undefined';
}

/** Equal as JSON values, whatever the order of object keys. */
export function sameValue(a: unknown, b: unknown): boolean {
  return sortedJson(a) === sortedJson(b);
}
