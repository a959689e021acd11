// Static cost estimation of x-kubernetes-validations rules, after cel-go's checker/cost.go as
// configured by k8s.io/apiserver/pkg/cel (library/cost.go) and apiextensions-apiserver's
// validation (StaticEstimatedCostLimit per rule, StaticEstimatedCRDCostLimit per CRD). Sizes come
// from the schema: maxLength/maxItems/maxProperties, or, where unbounded, what fits in the 3 MiB
// request limit — so a rule that walks an unbounded list or string is priced as enormous.
import type { CelAst } from './cel.ts';
import { isObject, type JSONSchemaProps } from './types.ts';

export const PER_RULE_COST_LIMIT = 10_000_000;
export const PER_CRD_COST_LIMIT = 100_000_000;
export const MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024;

const STRING_TRAVERSAL = 0.1;
const REGEX_FACTOR = 0.25;

/** The smallest JSON serialisation of a value of this schema (kube's estimateMinSizeJSON). */
export function minSerializedSize(s: JSONSchemaProps | undefined): number {
  if (!s) return 1;
  if (s.nullable) return 4; // null
  if (s['x-kubernetes-int-or-string']) return 1;
  switch (s.type) {
    case 'string':
      return 2 + (s.minLength ?? 0);
    case 'boolean':
      return 4;
    case 'integer':
    case 'number':
      return 1;
    default:
      return 2; // {} or []
  }
}

/** Worst-case size (characters, items, properties) of a value of this schema. */
export function maxSize(s: JSONSchemaProps | undefined): number {
  if (!s) return MAX_REQUEST_SIZE_BYTES;
  if (s.type === 'string' || s['x-kubernetes-int-or-string']) {
    if (s.maxLength !== undefined) return s.maxLength;
    if (s.format === 'date-time' || s.format === 'date') return 64;
    return MAX_REQUEST_SIZE_BYTES - 2;
  }
  if (s.type === 'array')
    return s.maxItems ?? Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (minSerializedSize(s.items) + 1));
  if (s.type === 'object' || s.properties || s.additionalProperties) {
    if (isObject(s.additionalProperties)) {
      return (
        s.maxProperties ??
        Math.floor(
          (MAX_REQUEST_SIZE_BYTES - 2) / (minSerializedSize(s.additionalProperties as JSONSchemaProps) + 4),
        )
      );
    }
    if (s.properties) return Object.keys(s.properties).length;
    return s.maxProperties ?? Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / 6);
  }
  return 1;
}

type Est = {
  cost: number;
  size: number;
  schema?: JSONSchemaProps | undefined;
  elem?: JSONSchemaProps | undefined;
};

function elementOf(s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  if (!s) return undefined;
  if (s.type === 'array') return s.items;
  if (isObject(s.additionalProperties)) return { type: 'string' }; // a map's comprehension iterates its keys
  return { type: 'string' };
}

const STRING_FUNCS = new Set([
  'contains',
  'startsWith',
  'endsWith',
  'lowerAscii',
  'upperAscii',
  'trim',
  'replace',
  'split',
  'substring',
  'indexOf',
  'lastIndexOf',
  'charAt',
  'reverse',
  'format',
  'url',
  'isURL',
  'quantity',
  'isQuantity',
  'string',
  'bytes',
]);
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** Estimated worst-case cost of one rule whose `self` is a value of `self`. */
export function estimateCost(ast: CelAst, self: JSONSchemaProps): number {
  const scope = new Map<string, JSONSchemaProps | undefined>([
    ['self', self],
    ['oldSelf', self],
  ]);
  return estimate(ast, scope).cost;
}

function estimate(node: unknown, scope: Map<string, JSONSchemaProps | undefined>): Est {
  if (!node || typeof node !== 'object') return { cost: 0, size: 0 };
  const n = node as CelAst;
  switch (n.op) {
    case 'value': {
      const v = n.args;
      if (typeof v === 'string')
        return { cost: 0, size: v.length, schema: { type: 'string', maxLength: v.length } };
      return { cost: 0, size: 1 };
    }
    case 'id': {
      const s = scope.get(n.args as string);
      return { cost: 1, size: maxSize(s), schema: s };
    }
    case '.':
    case '.?': {
      const [target, field] = n.args as [unknown, string];
      const t = estimate(target, scope);
      const sub =
        t.schema?.properties?.[field] ??
        (isObject(t.schema?.additionalProperties)
          ? (t.schema?.additionalProperties as JSONSchemaProps)
          : undefined);
      return { cost: t.cost + 1, size: maxSize(sub), schema: sub };
    }
    case '[]':
    case '[?]': {
      const [target, idx] = n.args as [unknown, unknown];
      const t = estimate(target, scope);
      const i = estimate(idx, scope);
      const sub =
        t.schema?.items ??
        (isObject(t.schema?.additionalProperties)
          ? (t.schema?.additionalProperties as JSONSchemaProps)
          : undefined);
      return { cost: t.cost + i.cost + 1, size: maxSize(sub), schema: sub };
    }
    case 'list': {
      const items = (n.args as unknown[]).map((x) => estimate(x, scope));
      return { cost: 1 + items.reduce((a, b) => a + b.cost, 0), size: items.length, elem: items[0]?.schema };
    }
    case 'map': {
      const entries = (n.args as [unknown, unknown][]).flatMap(([k, v]) => [
        estimate(k, scope),
        estimate(v, scope),
      ]);
      return { cost: 1 + entries.reduce((a, b) => a + b.cost, 0), size: entries.length / 2 };
    }
    case '?:': {
      const [c, a, b] = (n.args as unknown[]).map((x) => estimate(x, scope)) as [Est, Est, Est];
      const big = a.cost >= b.cost ? a : b;
      return { cost: c.cost + big.cost, size: Math.max(a.size, b.size), schema: big.schema };
    }
    case 'call':
      return estimateCall(
        (n.args as [string, unknown[]])[0],
        undefined,
        (n.args as [string, unknown[]])[1],
        scope,
      );
    case 'rcall': {
      const [fn, target, args] = n.args as [string, unknown, unknown[]];
      return estimateCall(fn, target, args, scope);
    }
    case '!_':
    case '-_': {
      const a = estimate(n.args, scope);
      return { cost: a.cost + 1, size: 1 };
    }
    default: {
      const args = Array.isArray(n.args) ? (n.args as unknown[]).map((x) => estimate(x, scope)) : [];
      const [a, b] = args;
      const base = args.reduce((acc, x) => acc + x.cost, 0);
      if (n.op === '&&' || n.op === '||') return { cost: base, size: 1 };
      // Equality, ordering, concatenation and `in` over strings/lists traverse their operands.
      const traversed =
        n.op === '+' ||
        n.op === '==' ||
        n.op === '!=' ||
        n.op === 'in' ||
        n.op === '<' ||
        n.op === '>' ||
        n.op === '<=' ||
        n.op === '>=';
      const sizeA = a?.size ?? 0;
      const sizeB = b?.size ?? 0;
      const sized = (e: Est | undefined) =>
        e?.schema?.type === 'string' || e?.schema?.type === 'array' || e?.schema?.type === 'object';
      let extra = 1;
      if (traversed && (sized(a) || sized(b))) {
        if (n.op === 'in')
          extra = b?.schema?.type === 'array' ? Math.max(1, sizeB) : 1; // map membership is a lookup
        else if (n.op === '+') extra = 1 + factor(sizeA + sizeB, STRING_TRAVERSAL);
        // cel-go: comparing two sized values is bounded by the smaller one.
        else extra = Math.max(1, factor(Math.min(sizeA, sizeB), STRING_TRAVERSAL));
      }
      return {
        cost: base + extra,
        size: n.op === '+' ? sizeA + sizeB : 1,
        schema: n.op === '+' ? a?.schema : undefined,
      };
    }
  }
}

function estimateCall(
  fn: string,
  target: unknown,
  args: unknown[],
  scope: Map<string, JSONSchemaProps | undefined>,
): Est {
  if (target !== undefined && MACROS.has(fn)) {
    const range = estimate(target, scope);
    const first = args[0] as CelAst | undefined;
    const inner = new Map(scope);
    const elem = range.schema ? elementOf(range.schema) : range.elem;
    if (first?.op === 'id') inner.set(first.args as string, elem);
    const bodies = args.slice(1).map((x) => estimate(x, inner));
    // cel-go's expanded comprehension: loop condition and accumulator step around the predicate.
    const perIteration = bodies.reduce((a, b) => a + b.cost, 0) + 3;
    const iterations = range.size;
    const cost = range.cost + iterations * perIteration;
    const out: Est = { cost, size: fn === 'map' || fn === 'filter' ? iterations : 1 };
    if (fn === 'filter') out.schema = range.schema;
    if (fn === 'map') out.elem = bodies[bodies.length - 1]?.schema;
    return out;
  }
  if (fn === 'has' && target === undefined) {
    const inner = args[0] as CelAst | undefined;
    const sel =
      inner && (inner.op === '.' || inner.op === '.?') ? (inner.args as [unknown, string])[0] : inner;
    return { cost: estimate(sel, scope).cost + 1, size: 1 };
  }
  const a = args.map((x) => estimate(x, scope));
  if ((target as CelAst | undefined)?.op === 'id' && (target as CelAst).args === 'sets') {
    // ext.Sets compares every element of one list with every element of the other.
    return {
      cost: a.reduce((acc, x) => acc + x.cost, 0) + 1 + (a[0]?.size ?? 0) * (a[1]?.size ?? 0),
      size: 1,
    };
  }
  const t = target !== undefined ? estimate(target, scope) : undefined;
  const base = (t?.cost ?? 0) + a.reduce((acc, x) => acc + x.cost, 0);
  const subject = t ?? a[0];
  const subjectSize = subject?.size ?? 0;
  const argSize = (t ? a[0]?.size : a[1]?.size) ?? 0;
  const str: JSONSchemaProps = { type: 'string' };
  const strList: JSONSchemaProps = { type: 'array', items: str };
  switch (fn) {
    case 'size':
      return { cost: base + 1, size: 1 };
    case 'startsWith':
    case 'endsWith':
      // cel-go prices these by the prefix/suffix only.
      return { cost: base + factor(argSize, STRING_TRAVERSAL), size: 1 };
    case 'contains':
      return {
        cost: base + factor(subjectSize, STRING_TRAVERSAL) * factor(argSize, STRING_TRAVERSAL),
        size: 1,
      };
    case 'matches':
    case 'find':
    case 'findAll': {
      const cost = factor(subjectSize, STRING_TRAVERSAL) * factor(argSize, REGEX_FACTOR);
      return {
        cost: base + cost,
        size: fn === 'matches' ? 1 : subjectSize,
        schema: fn === 'findAll' ? strList : str,
      };
    }
    case 'isSorted':
    case 'sum':
    case 'min':
    case 'max':
    case 'indexOf':
    case 'lastIndexOf':
    case 'join':
      if (subject?.schema?.type === 'array' || fn !== 'indexOf')
        return {
          cost: base + 1 + subjectSize,
          size: fn === 'join' ? subjectSize : 1,
          schema: fn === 'join' ? str : undefined,
        };
      return { cost: base + factor(subjectSize, STRING_TRAVERSAL), size: 1 };
    default:
      if (STRING_FUNCS.has(fn)) {
        return {
          cost: base + 1 + factor(subjectSize, STRING_TRAVERSAL),
          size: subjectSize,
          schema: fn === 'split' ? strList : str,
        };
      }
      return { cost: base + 1, size: 1 };
  }
}

/** cel-go's CostEstimate.MultiplyByCostFactor: ceil(size × factor). */
function factor(size: number, costPerUnit: number): number {
  return Math.ceil(size * costPerUnit);
}

/** getCostErrorMessage of apiextensions validation. */
export function costErrorMessage(costName: string, cost: number, limit: number): string {
  const factor = cost / limit;
  const text =
    factor > 100 ? 'more than 100x' : factor < 1.5 ? `${factor.toFixed(6)}x` : `${factor.toFixed(1)}x`;
  return `${costName} exceeds budget by factor of ${text} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}
