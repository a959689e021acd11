// Walks an operation's input against the generated constraint table and reports every violation
// in AWS's wording ("Value 'x' at 'a.b' failed to satisfy constraint: Member must …").
import { modelPattern } from './pattern.ts';
import type { MemberDef, ModelTable, ShapeDef } from './types.ts';

export interface Violation {
  /** Member path as AWS prints it: `incidentTemplate.title`, `engagements.1.member`, `tags.key`. */
  path: string;
  rule: 'required' | 'length' | 'range' | 'pattern' | 'enum' | 'type' | 'union' | 'unique';
  message: string;
}

const PRIMITIVES = new Set(['string', 'integer', 'number', 'boolean', 'timestamp', 'document', 'blob']);
function show(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'object') return "'[object]'";
  return `'${String(v)}'`;
}

type Limits = Pick<ShapeDef, 'minLen' | 'maxLen' | 'min' | 'max' | 'pattern' | 'enum' | 'unique'>;

function merge(shape: ShapeDef | undefined, member: MemberDef | undefined): Limits {
  const l: Limits = {};
  for (const src of [shape, member]) {
    if (!src) continue;
    if (src.minLen !== undefined) l.minLen = src.minLen;
    if (src.maxLen !== undefined) l.maxLen = src.maxLen;
    if (src.min !== undefined) l.min = src.min;
    if (src.max !== undefined) l.max = src.max;
    if (src.pattern !== undefined) l.pattern = src.pattern;
    if ('enum' in src && src.enum) l.enum = src.enum;
    if ('unique' in src && src.unique) l.unique = true;
  }
  return l;
}

export function validateInput(table: ModelTable, operation: string, input: unknown): Violation[] {
  const op = table.operations[operation];
  if (!op?.input) return [];
  const out: Violation[] = [];
  walk(table, op.input, undefined, input, '', out);
  return out;
}

function walk(
  table: ModelTable,
  target: string,
  member: MemberDef | undefined,
  value: unknown,
  path: string,
  out: Violation[],
): void {
  const shape = PRIMITIVES.has(target) ? undefined : table.shapes[target];
  const type = shape?.type ?? (target as ShapeDef['type']);
  const limits = merge(shape, member);
  const at = path || 'input';
  const fail = (rule: Violation['rule'], constraint: string): void => {
    out.push({
      path: at,
      rule,
      message: `Value ${show(value)} at '${at}' failed to satisfy constraint: ${constraint}`,
    });
  };

  switch (type) {
    case 'string': {
      if (typeof value !== 'string') {
        fail('type', 'Member must be a string');
        return;
      }
      const n = [...value].length;
      if (limits.minLen !== undefined && n < limits.minLen)
        fail('length', `Member must have length greater than or equal to ${limits.minLen}`);
      if (limits.maxLen !== undefined && n > limits.maxLen)
        fail('length', `Member must have length less than or equal to ${limits.maxLen}`);
      if (limits.pattern !== undefined && !modelPattern(limits.pattern).test(value))
        fail('pattern', `Member must satisfy regular expression pattern: ${limits.pattern}`);
      if (limits.enum && !limits.enum.includes(value))
        fail('enum', `Member must satisfy enum value set: [${limits.enum.join(', ')}]`);
      return;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || (type === 'integer' && !Number.isInteger(value))) {
        fail('type', `Member must be ${type === 'integer' ? 'an integer' : 'a number'}`);
        return;
      }
      if (limits.min !== undefined && value < limits.min)
        fail('range', `Member must have value greater than or equal to ${limits.min}`);
      if (limits.max !== undefined && value > limits.max)
        fail('range', `Member must have value less than or equal to ${limits.max}`);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail('type', 'Member must be a boolean');
      return;
    case 'timestamp':
      if (typeof value !== 'number' && typeof value !== 'string') fail('type', 'Member must be a timestamp');
      return;
    case 'document':
    case 'blob':
      return;
    case 'list': {
      if (!Array.isArray(value)) {
        fail('type', 'Member must be a list');
        return;
      }
      if (limits.minLen !== undefined && value.length < limits.minLen)
        fail('length', `Member must have length greater than or equal to ${limits.minLen}`);
      if (limits.maxLen !== undefined && value.length > limits.maxLen)
        fail('length', `Member must have length less than or equal to ${limits.maxLen}`);
      if (limits.unique && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
        fail('unique', 'Member must have unique items');
      value.forEach((v, i) => {
        walk(table, shape?.member ?? 'string', undefined, v, `${at}.${i + 1}.member`, out);
      });
      return;
    }
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        fail('type', 'Member must be a map');
        return;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      if (limits.minLen !== undefined && entries.length < limits.minLen)
        fail('length', `Member must have length greater than or equal to ${limits.minLen}`);
      if (limits.maxLen !== undefined && entries.length > limits.maxLen)
        fail('length', `Member must have length less than or equal to ${limits.maxLen}`);
      for (const [k, v] of entries) {
        walk(table, shape?.key ?? 'string', undefined, k, `${at}.key`, out);
        walk(table, shape?.value ?? 'string', undefined, v, `${at}.value`, out);
      }
      return;
    }
    case 'structure':
    case 'union': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        fail('type', 'Member must be a structure');
        return;
      }
      const obj = value as Record<string, unknown>;
      const members = shape?.members ?? {};
      if (type === 'union') {
        const set = Object.keys(members).filter((k) => obj[k] !== undefined && obj[k] !== null);
        if (set.length !== 1) fail('union', 'Member must have exactly one member set');
      }
      for (const [name, m] of Object.entries(members)) {
        const v = obj[name];
        const p = path ? `${path}.${name}` : name;
        if (v === undefined || v === null) {
          if (m.required)
            out.push({
              path: p,
              rule: 'required',
              message: `Value null at '${p}' failed to satisfy constraint: Member must not be null`,
            });
          continue;
        }
        walk(table, m.target, m, v, p, out);
      }
      return;
    }
  }
}

/** AWS's summary sentence: "2 validation errors detected: A; B". */
export function summarise(violations: Violation[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.map((v) => v.message).join('; ')}`;
}

/** The generated table of one service; throws when the generator did not produce it. */
export function modelOf(models: Record<string, ModelTable>, service: string): ModelTable {
  const m = models[service];
  if (!m) throw new Error(`no generated model for ${service}`);
  return m;
}
