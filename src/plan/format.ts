// Pure rendering of field differences for people: references shown by name instead of ARN,
// secrets redacted, json-diff for structured values (colours only when asked, i.e. on a TTY), and
// a bounded one-line before/after for Events (`describeChange`).
import jsonDiff from 'json-diff';
import type { FieldDiff } from '../engine/contract.ts';

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

const isScalar = (v: unknown) => v === null || v === undefined || typeof v !== 'object';
const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));

/**
 * One difference as text lines: `path: observed → desired` for scalars, else json-diff's rendering
 * of observed against desired (`-` what AWS has, `+` what the spec asks for).
 */
export function renderFieldDiff(d: FieldDiff, color: boolean): string[] {
  const head = `${d.path}${d.updatable ? '' : ' (immutable)'}`;
  if (isScalar(d.desired) && isScalar(d.observed))
    return [`${head}: ${show(d.observed)} → ${show(d.desired)}`];
  if (d.observed === undefined || d.desired === undefined) {
    const sign = d.observed === undefined ? '+' : '-';
    const body = JSON.stringify(d.observed === undefined ? d.desired : d.observed, null, 2).split('\n');
    return [`${head}:`, ...body.map((l) => `${sign} ${l}`)];
  }
  const text = jsonDiff.diffString(d.observed, d.desired, { color, full: false }).trimEnd();
  return [`${head}:`, ...(text ? text.split('\n') : ['(differs only in order or type)'])];
}

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
