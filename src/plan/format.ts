// Pure rendering of field differences for people: json-diff for structured values (colours only
// when asked, i.e. on a TTY). Values in spec terms (references by name, secrets redacted) and the
// bounded before/after of an Event come from the engine (src/engine/change.ts), so plan and the
// controller say a change the same way.
import jsonDiff from 'json-diff';
import { show } from '../engine/change.ts';
import type { FieldDiff } from '../engine/contract.ts';

export { describeChange, EVENT_MESSAGE_MAX, present, presentDiff } from '../engine/change.ts';

const isScalar = (v: unknown) => v === null || v === undefined || typeof v !== 'object';

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
    return [`${head}:`, ...body.map((l) => paint(`${sign} ${l}`, color))];
  }
  // json-diff's own colours follow the `colors` package's TTY detection, which says no on a pipe
  // even when the caller asked for colour; we render plain and paint the +/- lines ourselves.
  const text = jsonDiff.diffString(d.observed, d.desired, { color: false, full: false }).trimEnd();
  if (!text) return [`${head}:`, '(differs only in order or type)'];
  return [`${head}:`, ...text.split('\n').map((l) => paint(l, color))];
}

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const RESET = '\u001b[39m';

function paint(line: string, color: boolean): string {
  if (!color) return line;
  if (line.startsWith('+')) return `${GREEN}${line}${RESET}`;
  if (line.startsWith('-')) return `${RED}${line}${RESET}`;
  return line;
}
