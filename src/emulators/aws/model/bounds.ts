// Generates conformance cases from the model table: for every constrained member present in a
// valid baseline input, a value just inside and one just outside each bound (length, range, list
// size, pattern, enum, required). Used by the wire conformance suite and the validator unit tests.
import { modelPattern } from './pattern.ts';
import type { MemberDef, ModelTable, ShapeDef } from './types.ts';

export interface BoundCase {
  /** AWS member path the validator must (or must not) report, as in "at 'incidentTemplate.title'". */
  path: string;
  description: string;
  input: Record<string, unknown>;
  /** true: the value is inside its bound (no violation at `path`); false: a ValidationException naming `path`. */
  valid: boolean;
}

type Key = string | number;
const PRIMITIVE = new Set(['string', 'integer', 'number', 'boolean', 'timestamp', 'document', 'blob']);

function setAt(root: Record<string, unknown>, keys: Key[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let cur: Record<Key, unknown> = copy;
  keys.slice(0, -1).forEach((k) => {
    cur = cur[k] as Record<Key, unknown>;
  });
  const last = keys[keys.length - 1] as Key;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}

/** Lengthens (repeating the last character) or shortens `v` to exactly n characters. */
function toLength(v: string, n: number): string {
  const chars = [...v];
  if (chars.length >= n) return chars.slice(chars.length - n).join('');
  const pad = chars[chars.length - 1] ?? 'a';
  return v + pad.repeat(n - chars.length);
}

function variant(v: unknown, i: number): unknown {
  if (typeof v !== 'string') return structuredClone(v);
  return `${v}${i.toString(36)}`;
}

export function boundCases(
  table: ModelTable,
  operation: string,
  baseline: Record<string, unknown>,
): BoundCase[] {
  const op = table.operations[operation];
  if (!op?.input) return [];
  const cases: BoundCase[] = [];
  const visit = (
    target: string,
    member: MemberDef | undefined,
    value: unknown,
    keys: Key[],
    path: string,
  ) => {
    const shape: ShapeDef | undefined = PRIMITIVE.has(target) ? undefined : table.shapes[target];
    const type = shape?.type ?? target;
    const lim = { ...shape, ...member };
    const add = (description: string, v: unknown, valid: boolean) =>
      cases.push({ path, description: `${path}: ${description}`, input: setAt(baseline, keys, v), valid });
    if (member?.location === 'label') return; // the SDK itself refuses bad labels before sending
    if (type === 'string' && typeof value === 'string') {
      const re = lim.pattern ? modelPattern(lim.pattern) : undefined;
      const ok = (s: string) => !re || re.test(s);
      if (lim.maxLen !== undefined) {
        const inside = toLength(value, lim.maxLen);
        if (ok(inside)) add(`length ${lim.maxLen} (max)`, inside, true);
        add(`length ${lim.maxLen + 1} (max + 1)`, toLength(value, lim.maxLen + 1), false);
      }
      if (lim.minLen !== undefined && lim.minLen > 0) {
        const inside = toLength(value, lim.minLen);
        if (ok(inside)) add(`length ${lim.minLen} (min)`, inside, true);
        if (member?.location !== 'query' || lim.minLen > 1)
          add(`length ${lim.minLen - 1} (min - 1)`, toLength(value, lim.minLen - 1), false);
      }
      if (re) {
        const bad = [`#${value}`, `${value}#`, `${value} `, '#'].find(
          (s) =>
            !re.test(s) &&
            (lim.maxLen === undefined || [...s].length <= lim.maxLen) &&
            [...s].length >= (lim.minLen ?? 0),
        );
        if (bad !== undefined) add('does not match the pattern', bad, false);
      }
      if (lim.enum) {
        for (const e of [lim.enum[0], lim.enum[lim.enum.length - 1]])
          if (e !== undefined) add(`enum value ${e}`, e, true);
        add('not an enum value', 'NOT_AN_ENUM_VALUE', false);
      }
    } else if ((type === 'integer' || type === 'number') && typeof value === 'number') {
      if (lim.min !== undefined) {
        add(`value ${lim.min} (min)`, lim.min, true);
        add(`value ${lim.min - 1} (min - 1)`, lim.min - 1, false);
      }
      if (lim.max !== undefined) {
        add(`value ${lim.max} (max)`, lim.max, true);
        add(`value ${lim.max + 1} (max + 1)`, lim.max + 1, false);
      }
    } else if (type === 'list' && Array.isArray(value) && value.length > 0) {
      const make = (n: number) => Array.from({ length: n }, (_, i) => variant(value[0], i));
      if (lim.maxLen !== undefined && lim.maxLen < 1000) {
        add(`${lim.maxLen} items (max)`, make(lim.maxLen), true);
        add(`${lim.maxLen + 1} items (max + 1)`, make(lim.maxLen + 1), false);
      }
      if (lim.minLen !== undefined && lim.minLen > 0 && member?.location !== 'query') {
        add(`${lim.minLen} items (min)`, make(lim.minLen), true);
        add(`${lim.minLen - 1} items (min - 1)`, make(lim.minLen - 1), false);
      }
      visit(shape?.member ?? 'string', undefined, value[0], [...keys, 0], `${path}.1.member`);
    } else if (type === 'map' && value && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value as Record<string, unknown>);
      const first = entries[0];
      if (!first) return;
      const make = (n: number) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`${first[0]}${i}`, first[1]]));
      if (lim.maxLen !== undefined) {
        add(`${lim.maxLen} entries (max)`, make(lim.maxLen), true);
        add(`${lim.maxLen + 1} entries (max + 1)`, make(lim.maxLen + 1), false);
      }
      if (lim.minLen !== undefined && lim.minLen > 0) {
        add(`${lim.minLen} entries (min)`, make(lim.minLen), true);
        add(`${lim.minLen - 1} entries (min - 1)`, make(lim.minLen - 1), false);
      }
      // Key bounds: replace the whole map with one entry whose key is at / past the bound.
      const keyShape = shape?.key ? table.shapes[shape.key] : undefined;
      if (keyShape?.maxLen !== undefined) {
        const re = keyShape.pattern ? modelPattern(keyShape.pattern) : undefined;
        const inside = toLength(first[0], keyShape.maxLen);
        if (!re || re.test(inside)) {
          cases.push({
            path: `${path}.key`,
            description: `${path}.key: length ${keyShape.maxLen} (max)`,
            input: setAt(baseline, keys, { [inside]: first[1] }),
            valid: true,
          });
        }
        cases.push({
          path: `${path}.key`,
          description: `${path}.key: length ${keyShape.maxLen + 1} (max + 1)`,
          input: setAt(baseline, keys, { [toLength(first[0], keyShape.maxLen + 1)]: first[1] }),
          valid: false,
        });
      }
      visit(shape?.value ?? 'string', undefined, first[1], [...keys, first[0]], `${path}.value`);
    } else if ((type === 'structure' || type === 'union') && value && typeof value === 'object') {
      for (const [name, m] of Object.entries(shape?.members ?? {})) {
        const v = (value as Record<string, unknown>)[name];
        const p = path ? `${path}.${name}` : name;
        if (v === undefined) continue;
        if (m.required && m.location !== 'label')
          cases.push({
            path: p,
            description: `${p}: missing (required)`,
            input: setAt(baseline, [...keys, name], undefined),
            valid: false,
          });
        visit(m.target, m, v, [...keys, name], p);
      }
    }
  };
  visit(op.input, undefined, baseline, [], '');
  return cases;
}

/**
 * Every member path of an operation's input that carries a constraint, walked from the model (not
 * from a value): the conformance suites check their baselines reach each of them.
 */
export function constrainedPaths(table: ModelTable, operation: string): string[] {
  const op = table.operations[operation];
  if (!op?.input) return [];
  const out = new Set<string>();
  const walk = (target: string, member: MemberDef | undefined, path: string, depth: number) => {
    if (depth > 12) return;
    const shape: ShapeDef | undefined = PRIMITIVE.has(target) ? undefined : table.shapes[target];
    const lim = { ...shape, ...member };
    if (member?.location === 'label') return;
    const constrained =
      lim.minLen !== undefined ||
      lim.maxLen !== undefined ||
      lim.min !== undefined ||
      lim.max !== undefined ||
      lim.pattern !== undefined ||
      (lim.enum?.length ?? 0) > 0;
    if (constrained && path) out.add(path);
    if (shape?.type === 'list') walk(shape.member ?? 'string', undefined, `${path}.1.member`, depth + 1);
    if (shape?.type === 'map') {
      walk(shape.key ?? 'string', undefined, `${path}.key`, depth + 1);
      walk(shape.value ?? 'string', undefined, `${path}.value`, depth + 1);
    }
    if (shape?.type === 'structure' || shape?.type === 'union') {
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const p = path ? `${path}.${name}` : name;
        if (m.required && m.location !== 'label') out.add(p);
        walk(m.target, m, p, depth + 1);
      }
    }
  };
  walk(op.input, undefined, '', 0);
  return [...out].sort();
}
