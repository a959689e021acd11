// Static cost estimation of x-kubernetes-validations rules, after cel-go's checker/cost.go as
// configured by k8s.io/apiserver/pkg/cel (library/cost.go) and apiextensions-apiserver's
// validation (StaticEstimatedCostLimit per rule, StaticEstimatedCRDCostLimit per CRD). Sizes come
// from the schema: maxLength/maxItems/maxProperties, or, where unbounded, what fits in the 3 MiB
// request limit — so a rule that walks an unbounded list or string is priced as enormous.
import type { CelAst } from './cel.ts';
import type { CelType } from './celtypes.ts';
import { celPropertyName } from './fields.ts';
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

/** math.MaxUint64 (as a double): no size known. */
export const UNBOUNDED = 2 ** 64 - 1;
const sat = (n: number) => Math.min(n, UNBOUNDED);
/** cel-go CostEstimate.MultiplyByCostFactor: ceil(size × factor). */
const factor = (size: number, costPerUnit: number): number => sat(Math.ceil(size * costPerUnit));

/** The sizes kube's DeclTypes carry (MaxElements), keyed as cel-go's cost paths walk them. */
type SizeNode = {
  max: number;
  fields?: Map<string, SizeNode> | undefined;
  elem?: SizeNode | undefined;
  key?: SizeNode | undefined;
};

function stringMax(s: JSONSchemaProps): number {
  // kube sizes strings in bytes: maxLength counts code points of up to 4 bytes each.
  if (s.maxLength !== undefined) return s.format === 'byte' ? s.maxLength : s.maxLength * 4;
  if (s.format === 'date-time' || s.format === 'date') return 64;
  if (s.format === 'duration') return 32;
  return MAX_REQUEST_SIZE_BYTES - 2;
}

function sizeNode(s: JSONSchemaProps, resourceRoot = false): SizeNode | undefined {
  if (s['x-kubernetes-int-or-string']) return { max: MAX_REQUEST_SIZE_BYTES - 2 };
  let node = s;
  if (resourceRoot || s['x-kubernetes-embedded-resource'])
    node = {
      ...s,
      type: 'object',
      properties: {
        ...(s.properties ?? {}),
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: {
          type: 'object',
          properties: { name: { type: 'string' }, generateName: { type: 'string' } },
        },
      },
    };
  switch (node.type) {
    case 'string':
      return { max: stringMax(node) };
    case 'array': {
      if (!node.items) return undefined;
      return { max: maxSize(node), elem: sizeNode(node.items) };
    }
    case 'object': {
      if (isObject(node.additionalProperties))
        return {
          max: maxSize(node),
          elem: sizeNode(node.additionalProperties as JSONSchemaProps),
          key: { max: 0 },
        };
      const fields = new Map<string, SizeNode>();
      for (const [k, sub] of Object.entries(node.properties ?? {})) {
        const name = celPropertyName(k);
        const n = sizeNode(sub);
        if (name && n) fields.set(name, n);
      }
      return { max: 0, fields };
    }
    case 'integer':
    case 'number':
    case 'boolean':
      return { max: 0 };
    default:
      return undefined;
  }
}

type Est = { cost: number; size?: number | undefined; path?: string[] | undefined };

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const SCALARS = new Set(['bool', 'double', 'duration', 'int', 'timestamp', 'uint', 'null']);
const isScalar = (t: CelType | undefined) => t?.kind === 'prim' && SCALARS.has(t.name);
const isStringy = (t: CelType | undefined) =>
  t?.kind === 'prim' && (t.name === 'string' || t.name === 'bytes');

/**
 * Worst-case cost of one expression on node `self`, as cel-go's checker.Cost estimates it with
 * Kubernetes' size estimator (sizes by schema path: maxLength/maxItems/maxProperties or what fits
 * in a request) and call estimator (library/cost.go). Returns math.MaxUint64 when unbounded.
 */
export function estimateCost(
  ast: CelAst,
  self: JSONSchemaProps,
  types: Map<CelAst, CelType>,
  resourceRoot = false,
): number {
  const root = sizeNode(self, resourceRoot);
  const iterRanges = new Map<string, { path?: string[] | undefined; type?: CelType | undefined }>();
  // kube's sizeEstimator: the first path element (self, oldSelf, a loop variable…) is the root.
  const byPath = (path: string[] | undefined): number | undefined => {
    if (!path || path.length === 0 || !root) return undefined;
    let n: SizeNode | undefined = root;
    for (const p of path.slice(1)) {
      if (!n) return undefined;
      if (p === '@items' || p === '@values') n = n.elem;
      else if (p === '@keys') n = n.key;
      else n = n.fields?.get(p);
    }
    return n?.max;
  };
  // kube's l.sizeEstimate: computed, then by path, else unbounded.
  const kubeSize = (e: Est): number => e.size ?? byPath(e.path) ?? UNBOUNDED;
  // cel-go's c.sizeEstimate: the same, but scalars are 1.
  const celSize = (e: Est, t: CelType | undefined): number =>
    e.size ?? byPath(e.path) ?? (isScalar(t) ? 1 : UNBOUNDED);
  const itemsPath = (e: { path?: string[] | undefined }, t: CelType | undefined): string[] | undefined => {
    if (t?.kind === 'list') return [...(e.path ?? []), '@items'];
    if (t?.kind === 'map') return [...(e.path ?? []), '@keys'];
    return undefined;
  };

  const walk = (n: CelAst): Est => {
    switch (n.op) {
      case 'value': {
        const v = n.args;
        if (typeof v === 'string') return { cost: 0, size: [...v].length };
        if (v instanceof Uint8Array) return { cost: 0, size: v.length };
        return { cost: 0, size: 1 };
      }
      case 'id': {
        const name = n.args as string;
        const range = iterRanges.get(name);
        if (range) return { cost: 1, path: itemsPath(range, range.type) };
        return { cost: 1, path: [name] };
      }
      case '.': {
        const [target, field] = n.args as [CelAst, string];
        const e = walk(target);
        const tt = types.get(target);
        const inner = tt?.kind === 'opaque' && tt.name === 'optional_type' ? tt.params[0] : tt;
        const extra = inner?.kind === 'object' || inner?.kind === 'map' ? 1 : 0;
        return { cost: sat(e.cost + extra), path: [...(e.path ?? []), field] };
      }
      case '.?': {
        const [target] = n.args as [CelAst, string];
        return { cost: sat(walk(target).cost + 1) };
      }
      case '[]':
      case '[?]': {
        const [target, idx] = n.args as [CelAst, CelAst];
        const e = walk(target);
        const i = walk(idx);
        const tt = types.get(target);
        const path =
          n.op === '[?]'
            ? undefined
            : tt?.kind === 'list'
              ? [...(e.path ?? []), '@items']
              : tt?.kind === 'map'
                ? [...(e.path ?? []), '@values']
                : undefined;
        return { cost: sat(e.cost + i.cost + 1), path };
      }
      case 'list': {
        const items = (n.args as CelAst[]).map(walk);
        return { cost: sat(10 + items.reduce((a, b) => a + b.cost, 0)), size: items.length };
      }
      case 'map': {
        const entries = n.args as [CelAst, CelAst][];
        const cost = entries.reduce((a, [k, v]) => a + walk(k).cost + walk(v).cost, 0);
        return { cost: sat(30 + cost), size: entries.length };
      }
      case '&&':
      case '||': {
        const [a, b] = (n.args as CelAst[]).map(walk);
        return { cost: sat((a?.cost ?? 0) + (b?.cost ?? 0)) };
      }
      case '!_':
      case '-_':
        return { cost: sat(walk(n.args as CelAst).cost + 1) };
      case '?:': {
        const [c, a, b] = n.args as [CelAst, CelAst, CelAst];
        const ec = walk(c);
        const ea = walk(a);
        const eb = walk(b);
        return {
          cost: sat(ec.cost + Math.max(ea.cost, eb.cost)),
          size: Math.max(celSize(ea, types.get(a)), celSize(eb, types.get(b))),
        };
      }
      case 'call': {
        const [fn, args] = n.args as [string, CelAst[]];
        if (fn === 'has') {
          const inner = args[0];
          const operand =
            inner && (inner.op === '.' || inner.op === '.?') ? (inner.args as [CelAst])[0] : inner;
          // kube prices a presence test as its operand alone (no cost for the test itself).
          return { cost: sat(operand ? walk(operand).cost : 0) };
        }
        return call(fn, undefined, args);
      }
      case 'rcall': {
        const [fn, target, args] = n.args as [string, CelAst, CelAst[]];
        const first = args[0];
        if (
          MACROS.has(fn) &&
          first?.op === 'id' &&
          (args.length === 2 || (fn === 'map' && args.length === 3))
        )
          return comprehension(fn, target, first.args as string, args.slice(1));
        if (target.op === 'id' && ['sets', 'optional', 'strings'].includes(target.args as string))
          return call(`${target.args}.${fn}`, undefined, args);
        return call(fn, target, args);
      }
      default: {
        const args = Array.isArray(n.args) ? (n.args as CelAst[]) : [];
        const es = args.map(walk);
        const argCost = es.reduce((a, b) => a + b.cost, 0);
        const [l, r] = args;
        const [el, er] = es as [Est, Est];
        const tl = l ? types.get(l) : undefined;
        const tr = r ? types.get(r) : undefined;
        switch (n.op) {
          case '==':
          case '!=':
            return {
              cost: sat(factor(Math.min(celSize(el, tl), celSize(er, tr)), STRING_TRAVERSAL) + argCost),
            };
          case '<':
          case '<=':
          case '>':
          case '>=':
            if (isStringy(tl) && isStringy(tr))
              return {
                cost: sat(factor(Math.min(celSize(el, tl), celSize(er, tr)), STRING_TRAVERSAL) + argCost),
              };
            return { cost: sat(1 + argCost) };
          case '+': {
            if (isStringy(tl) || tl?.kind === 'list') {
              const size = sat(celSize(el, tl) + celSize(er, tr));
              if (tl?.kind === 'list') return { cost: sat(1 + argCost), size };
              return { cost: sat(factor(size, STRING_TRAVERSAL) + argCost), size };
            }
            return { cost: sat(1 + argCost) };
          }
          case 'in':
            if (tr?.kind === 'list') return { cost: sat(celSize(er, tr) + argCost) };
            return { cost: sat(1 + argCost) };
          default:
            return { cost: sat(1 + argCost) };
        }
      }
    }
  };

  const comprehension = (fn: string, target: CelAst, v: string, bodies: CelAst[]): Est => {
    const range = walk(target);
    const rt = types.get(target);
    const saved = iterRanges.get(v);
    iterRanges.set(v, { ...range, type: rt });
    const costs = bodies.map((b) => walk(b).cost);
    if (saved) iterRanges.set(v, saved);
    else iterRanges.delete(v);
    const n = celSize(range, rt);
    const p = costs[0] ?? 0;
    // cel-go's macro expansions: accumulator init, loop condition, step and result.
    let init = 0;
    let step: number;
    let result = 1;
    if (fn === 'all') step = 2 + 1 + p;
    else if (fn === 'exists') step = 3 + 1 + p;
    else if (fn === 'exists_one') {
      step = p + 2;
      result = 1 + (Math.min(byPath(['__result__']) ?? 1, 1) > 0 ? 1 : 0);
    } else if (fn === 'filter') {
      init = 10;
      step = p + 13;
    } else {
      init = 10;
      step = bodies.length === 2 ? p + 12 + (costs[1] ?? 0) : 12 + p;
    }
    return { cost: sat(range.cost + init + result + n * step), size: n };
  };

  const call = (fn: string, target: CelAst | undefined, args: CelAst[]): Est => {
    const es = args.map(walk);
    const argCost = es.reduce((a, b) => a + b.cost, 0);
    const te = target ? walk(target) : undefined;
    const tt = target ? types.get(target) : undefined;
    const base = (te?.cost ?? 0) + argCost;
    const arg = (i: number) => kubeSize(es[i] as Est);
    const argCel = (i: number) => celSize(es[i] as Est, types.get(args[i] as CelAst));
    const targetSize = te ? kubeSize(te) : 0;
    switch (fn) {
      // kube library/cost.go
      case 'isSorted':
      case 'sum':
      case 'max':
      case 'min':
      case 'indexOf':
      case 'lastIndexOf':
        if (te && tt?.kind === 'list') {
          let el = 1;
          if (isStringy(tt.elem))
            el += factor(byPath(te.path ? [...te.path, '@items'] : undefined) ?? UNBOUNDED, STRING_TRAVERSAL);
          return { cost: sat(targetSize * el + base) };
        }
        if (te) return { cost: sat(factor(targetSize, STRING_TRAVERSAL) + base) };
        break;
      case 'url':
      case 'quantity':
      case 'isQuantity':
        if (!te && args.length === 1) return { cost: sat(factor(arg(0), STRING_TRAVERSAL) + base) };
        break;
      case 'lowerAscii':
      case 'upperAscii':
      case 'substring':
      case 'trim':
        if (te) return { cost: sat(factor(targetSize, STRING_TRAVERSAL) + base), size: targetSize };
        break;
      case 'replace':
        if (te && args.length >= 2) {
          // worst case: every possible occurrence replaced, and the whole target retained
          const from = (es[0] as Est).size ?? 0;
          const count = from === 0 ? sat(targetSize + 1) : Math.floor(targetSize / from);
          const size = sat(count * arg(1) + targetSize);
          return { cost: sat(factor(targetSize, 2 * STRING_TRAVERSAL) + base), size };
        }
        break;
      case 'split':
        if (te) {
          const limit =
            args[1]?.op === 'value' && typeof args[1].args === 'bigint' ? Number(args[1].args) : targetSize;
          return { cost: sat(factor(targetSize, 2 * STRING_TRAVERSAL) + base), size: limit };
        }
        break;
      case 'join':
        if (te) {
          const elem = byPath(te.path ? [...te.path, '@items'] : undefined) ?? UNBOUNDED;
          let size = sat(targetSize * elem);
          if (args.length > 0) size = sat(size + arg(0) * Math.max(0, targetSize - 1));
          return { cost: sat(factor(size, STRING_TRAVERSAL) + base), size };
        }
        break;
      case 'find':
      case 'findAll':
        if (te && args.length >= 1) {
          const cost = factor(targetSize + 1, STRING_TRAVERSAL) * factor(arg(0), REGEX_FACTOR);
          return { cost: sat(cost + base), size: targetSize };
        }
        break;
      // cel-go checker/cost.go
      case 'startsWith':
      case 'endsWith':
        if (te && args.length === 1) return { cost: sat(factor(argCel(0), STRING_TRAVERSAL) + base) };
        break;
      case 'contains':
        if (te && args.length === 1)
          return {
            cost: sat(factor(celSize(te, tt), STRING_TRAVERSAL) * factor(argCel(0), STRING_TRAVERSAL) + base),
          };
        break;
      case 'matches':
        if (te && args.length === 1)
          return {
            cost: sat(factor(celSize(te, tt) + 1, STRING_TRAVERSAL) * factor(argCel(0), REGEX_FACTOR) + base),
          };
        break;
      case 'sets.contains':
      case 'sets.equivalent':
      case 'sets.intersects':
        return { cost: sat(argCel(0) * argCel(1) + 1 + argCost) };
    }
    return { cost: sat(1 + base) };
  };

  return walk(ast).cost;
}

/** getCostErrorMessage of apiextensions validation. */
export function costErrorMessage(costName: string, cost: number, limit: number): string {
  const factor = cost / limit;
  const text =
    factor > 100 ? 'more than 100x' : factor < 1.5 ? `${factor.toFixed(6)}x` : `${factor.toFixed(1)}x`;
  return `${costName} exceeds budget by factor of ${text} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}
