// A change said for people, the same in an Event and in `imctl plan`: values in spec terms
// (references by name instead of ARN, secret-named keys redacted at any depth) and a bounded
// one-line before/after for Event messages. Pure.
import type { FieldDiff, ReferenceField } from './contract.ts';

/** Keys whose values never leave the process (activation codes, credentials, code fingerprints). */
const SECRET_KEYS = /^(activationCode|code|fingerprint|secretAccessKey|sessionToken|password|token)$/i;

/** Deep copy with secret-named keys replaced, and every string that is a known ARN replaced by its name. */
export function present(value: unknown, names: ReadonlyMap<string, string> = new Map()): unknown {
  if (typeof value === 'string') return names.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => present(v, names));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = SECRET_KEYS.test(k) ? '(redacted)' : present(v, names);
    return out;
  }
  return value;
}

/** The diff with values in spec terms: references by name, secrets redacted. */
export function presentDiff(diff: readonly FieldDiff[], names: ReadonlyMap<string, string>): FieldDiff[] {
  return diff.map((d) => ({
    path: d.path,
    desired: present(d.desired, names),
    observed: present(d.observed, names),
    updatable: d.updatable,
    ...(d.remedy ? { remedy: d.remedy } : {}),
  }));
}

/** ARN → "Kind namespace/name" for the references an object resolved, so a change names objects. */
export function referenceNames(
  fields: readonly ReferenceField[],
  resolved: ReadonlyMap<string, string>,
  namespace: string | undefined,
): Map<string, string> {
  const names = new Map<string, string>();
  for (const f of fields) {
    const arn = resolved.get(f.path);
    if (!f.ref || arn === undefined) continue;
    const ns = f.ref.namespace ?? namespace;
    names.set(arn, `${f.ref.kind} ${ns ? `${ns}/` : ''}${f.ref.name}`);
  }
  return names;
}

export const show = (v: unknown): string => (v === undefined ? '(none)' : JSON.stringify(v));

/** Default bound for an Event message (the API server caps `message` well above this). */
export const EVENT_MESSAGE_MAX = 1024;

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`);

/**
 * Readable before/after for an Update Event: `spec.displayName: "Al" → "Alice"; spec.tags.team:
 * (none) → "payments"`, values redacted and clipped, the whole bounded to `max` characters with
 * the number of changes left out said at the end.
 */
export function describeChange(
  diff: readonly FieldDiff[],
  opts: { names?: ReadonlyMap<string, string>; max?: number; valueMax?: number } = {},
): string {
  const max = opts.max ?? EVENT_MESSAGE_MAX;
  const valueMax = opts.valueMax ?? 120;
  const parts = presentDiff(diff, opts.names ?? new Map()).map(
    (d) => `${d.path}: ${clip(show(d.observed), valueMax)} → ${clip(show(d.desired), valueMax)}`,
  );
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const more = parts.length - i - 1;
    const next = `${out ? `${out}; ` : ''}${parts[i]}`;
    const tail = more > 0 ? `; and ${more} more` : '';
    if (next.length + tail.length > max) {
      const left = parts.length - i;
      return clip(
        `${out}${out ? '; ' : ''}and ${left} more (${diff
          .slice(i)
          .map((d) => d.path)
          .join(', ')})`,
        max,
      );
    }
    out = next;
  }
  return out;
}
