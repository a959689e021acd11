// The CEL environment Kubernetes gives x-kubernetes-validations rules, on top of
// @marcbachmann/cel-js (see FIDELITY.md for why this library): the standard library and macros come
// from it; the Kubernetes extension libraries (k8s.io/apiserver/pkg/cel/library: lists, regex, urls,
// quantity, and the cel-go strings extension) are added here.
import { RE2JS } from '@bufbuild/re2';
import { Environment } from '@marcbachmann/cel-js';
import { celPropertyName } from './fields.ts';

type CelValue = unknown;

// ---- Kubernetes URL library (library/urls.go) ----
export class KubeURL {
  readonly url: URL;
  constructor(url: URL) {
    this.url = url;
  }
}

function parseUrl(s: string): URL | undefined {
  // Go's url.ParseRequestURI: absolute URI or absolute path; no fragments.
  if (s.includes('#')) return undefined;
  try {
    if (s.startsWith('/')) return new URL(s, 'http://path-only.invalid');
    const u = new URL(s);
    return u.protocol ? u : undefined;
  } catch {
    return undefined;
  }
}

// ---- Kubernetes quantity library (library/quantity.go) ----
const SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

export class KubeQuantity {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

export function parseQuantity(s: string): KubeQuantity | undefined {
  const m = QUANTITY.exec(s);
  if (!m) return undefined;
  const base = Number(m[1]);
  const factor = m[3] !== undefined ? 10 ** Number(m[3]) : (SUFFIX[m[2] ?? ''] ?? 1);
  return new KubeQuantity(base * factor);
}

function quantityOf(s: string): KubeQuantity {
  const q = parseQuantity(s);
  if (!q)
    throw new Error(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  return q;
}

// ---- helpers ----
function cmp(a: CelValue, b: CelValue): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new Error('no such overload');
}

function celEquals(a: CelValue, b: CelValue): boolean {
  if (typeof a === 'bigint' || typeof a === 'number')
    return (typeof b === 'bigint' || typeof b === 'number') && Number(a) === Number(b);
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (a && typeof a === 'object' && b && typeof b === 'object' && !(a instanceof Date)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return ka.length === kb.length && ka.every((k) => k in rb && celEquals(ra[k], rb[k]));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

/**
 * find/findAll need match positions, which @bufbuild/re2 does not give: the expression must be
 * valid RE2 (checked first, so ECMAScript-only syntax fails as in kube), then an equivalent
 * ECMAScript expression finds the matches. RE2's leading flag group (?i)/(?s)/(?m) becomes JS flags.
 */
export function re2ToEcma(pattern: string): RegExp {
  RE2JS.compile(pattern);
  let flags = 'u';
  let p = pattern;
  const m = /^\(\?([imsU]+)\)/.exec(p);
  if (m) {
    p = p.slice(m[0].length);
    for (const f of m[1] ?? '') if (f === 'i' || f === 'm' || f === 's') flags += f;
  }
  p = p.replace(/\\z/g, '$');
  try {
    return new RegExp(p, flags);
  } catch {
    return new RegExp(p, flags.replace('u', ''));
  }
}

function formatString(fmt: string, args: readonly CelValue[]): string {
  let i = 0;
  return fmt.replace(/%(\.\d+)?([sdfexXobS%])/g, (_m, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const v = args[i++];
    switch (verb) {
      case 'd':
        return String(typeof v === 'bigint' ? v : Math.trunc(Number(v)));
      case 'f':
        return Number(v).toFixed(prec ? Number(prec.slice(1)) : 6);
      case 'e':
        return Number(v).toExponential(prec ? Number(prec.slice(1)) : 6);
      case 'x':
        return typeof v === 'string' ? Buffer.from(v).toString('hex') : BigInt(v as bigint).toString(16);
      case 'X':
        return (
          typeof v === 'string' ? Buffer.from(v).toString('hex') : BigInt(v as bigint).toString(16)
        ).toUpperCase();
      case 'o':
        return BigInt(v as bigint).toString(8);
      case 'b':
        return typeof v === 'boolean' ? String(v) : BigInt(v as bigint).toString(2);
      default:
        return celToString(v);
    }
  });
}

function celToString(v: CelValue): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(celToString).join(', ')}]`;
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (v && typeof v === 'object')
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
  return String(v);
}

function replaceN(s: string, from: string, to: string, n: bigint): string {
  if (n < 0n) return s.split(from).join(to);
  let out = '';
  let rest = s;
  let count = 0n;
  while (count < n) {
    const at = rest.indexOf(from);
    if (at < 0) break;
    out += rest.slice(0, at) + to;
    rest = rest.slice(at + from.length);
    count++;
    if (from === '') {
      out += rest.slice(0, 1);
      rest = rest.slice(1);
      if (!rest) break;
    }
  }
  return out + rest;
}

function sumOf(list: readonly CelValue[]): CelValue {
  if (list.length === 0) return 0n;
  if (list.every((x) => typeof x === 'bigint')) return (list as bigint[]).reduce((a, b) => a + b, 0n);
  return list.reduce<number>((a, b) => a + Number(b), 0);
}

function extreme(list: readonly CelValue[], sign: 1 | -1): CelValue {
  if (list.length === 0) throw new Error('min/max called on an empty list');
  let best = list[0];
  for (const x of list.slice(1)) if (cmp(x, best) * sign > 0) best = x;
  return best;
}

let optionalFactory: { some(v: CelValue): CelValue; none(): CelValue } | undefined;

/** The receiver of cel-go's ext.Sets functions (`sets.contains(a, b)`). */
class SetsNamespace {}

function buildEnvironment(): Environment {
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false })
    .registerType('SetsNamespace', SetsNamespace)
    .registerConstant('sets', 'SetsNamespace', new SetsNamespace())
    // cel-go ext.Sets, enabled for CRD rules
    .registerFunction(
      'SetsNamespace.contains(list, list): bool',
      (_n: SetsNamespace, a: CelValue[], b: CelValue[]) => b.every((x) => a.some((y) => celEquals(x, y))),
    )
    .registerFunction(
      'SetsNamespace.equivalent(list, list): bool',
      (_n: SetsNamespace, a: CelValue[], b: CelValue[]) =>
        b.every((x) => a.some((y) => celEquals(x, y))) && a.every((x) => b.some((y) => celEquals(x, y))),
    )
    .registerFunction(
      'SetsNamespace.intersects(list, list): bool',
      (_n: SetsNamespace, a: CelValue[], b: CelValue[]) => a.some((x) => b.some((y) => celEquals(x, y))),
    )
    .registerType('kubernetes.URL', KubeURL)
    .registerType('kubernetes.Quantity', KubeQuantity)
    // cel-go strings extension (ext.Strings) beyond cel-js's built-ins
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) =>
      replaceN(s, a, b, -1n),
    )
    .registerFunction(
      'string.replace(string, string, int): string',
      (s: string, a: string, b: string, n: bigint) => replaceN(s, a, b, n),
    )
    .registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
      const chars = [...s];
      if (i < 0n || i > BigInt(chars.length)) throw new Error(`index out of range: ${i}`);
      return chars[Number(i)] ?? '';
    })
    .registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''))
    .registerFunction('string.format(list): string', (s: string, args: CelValue[]) => formatString(s, args))
    // Kubernetes regex library
    .registerFunction(
      'string.find(string): string',
      (s: string, re: string) => re2ToEcma(re).exec(s)?.[0] ?? '',
    )
    .registerFunction('string.findAll(string): list<string>', (s: string, re: string) =>
      [...s.matchAll(new RegExp(re2ToEcma(re).source, `${re2ToEcma(re).flags}g`))].map((m) => m[0]),
    )
    .registerFunction('string.findAll(string, int): list<string>', (s: string, re: string, n: bigint) => {
      const all = [...s.matchAll(new RegExp(re2ToEcma(re).source, `${re2ToEcma(re).flags}g`))].map(
        (m) => m[0],
      );
      return n < 0n ? all : all.slice(0, Number(n));
    })
    // Kubernetes lists library
    .registerFunction('list.isSorted(): bool', (l: CelValue[]) =>
      l.every((x, i) => i === 0 || cmp(l[i - 1], x) <= 0),
    )
    .registerFunction('list.sum(): dyn', (l: CelValue[]) => sumOf(l))
    .registerFunction('list.min(): dyn', (l: CelValue[]) => extreme(l, -1))
    .registerFunction('list.max(): dyn', (l: CelValue[]) => extreme(l, 1))
    .registerFunction('list.indexOf(dyn): int', (l: CelValue[], v: CelValue) =>
      BigInt(l.findIndex((x) => celEquals(x, v))),
    )
    .registerFunction('list.lastIndexOf(dyn): int', (l: CelValue[], v: CelValue) => {
      for (let i = l.length - 1; i >= 0; i--) if (celEquals(l[i], v)) return BigInt(i);
      return -1n;
    })
    // Kubernetes URL library
    .registerFunction('isURL(string): bool', (s: string) => parseUrl(s) !== undefined)
    .registerFunction('url(string): kubernetes.URL', (s: string) => {
      const u = parseUrl(s);
      if (!u)
        throw new Error(
          `URL parse error during conversion from string: parse "${s}": invalid URI for request`,
        );
      return new KubeURL(u);
    })
    .registerFunction('kubernetes.URL.getScheme(): string', (u: KubeURL) =>
      u.url.hostname === 'path-only.invalid' ? '' : u.url.protocol.replace(/:$/, ''),
    )
    .registerFunction('kubernetes.URL.getHost(): string', (u: KubeURL) =>
      u.url.hostname === 'path-only.invalid' ? '' : u.url.host,
    )
    .registerFunction('kubernetes.URL.getHostname(): string', (u: KubeURL) =>
      u.url.hostname === 'path-only.invalid' ? '' : u.url.hostname.replace(/^\[(.*)\]$/, '$1'),
    )
    .registerFunction('kubernetes.URL.getPort(): string', (u: KubeURL) => u.url.port)
    .registerFunction('kubernetes.URL.getEscapedPath(): string', (u: KubeURL) => u.url.pathname)
    .registerFunction('kubernetes.URL.getQuery(): map<string, list<string>>', (u: KubeURL) => {
      const out: Record<string, string[]> = {};
      for (const [k, v] of u.url.searchParams) {
        out[k] ??= [];
        out[k].push(v);
      }
      return out;
    })
    // Kubernetes quantity library
    .registerFunction('isQuantity(string): bool', (s: string) => parseQuantity(s) !== undefined)
    .registerFunction('quantity(string): kubernetes.Quantity', (s: string) => quantityOf(s))
    .registerFunction('kubernetes.Quantity.isInteger(): bool', (q: KubeQuantity) => Number.isInteger(q.value))
    .registerFunction('kubernetes.Quantity.asInteger(): int', (q: KubeQuantity) => {
      if (!Number.isInteger(q.value) || !Number.isSafeInteger(q.value))
        throw new Error('cannot convert value to integer');
      return BigInt(q.value);
    })
    .registerFunction('kubernetes.Quantity.asApproximateFloat(): double', (q: KubeQuantity) => q.value)
    .registerFunction('kubernetes.Quantity.sign(): int', (q: KubeQuantity) => BigInt(Math.sign(q.value)))
    .registerFunction(
      'kubernetes.Quantity.add(kubernetes.Quantity): kubernetes.Quantity',
      (a: KubeQuantity, b: KubeQuantity) => new KubeQuantity(a.value + b.value),
    )
    .registerFunction(
      'kubernetes.Quantity.add(int): kubernetes.Quantity',
      (a: KubeQuantity, b: bigint) => new KubeQuantity(a.value + Number(b)),
    )
    .registerFunction(
      'kubernetes.Quantity.sub(kubernetes.Quantity): kubernetes.Quantity',
      (a: KubeQuantity, b: KubeQuantity) => new KubeQuantity(a.value - b.value),
    )
    .registerFunction(
      'kubernetes.Quantity.sub(int): kubernetes.Quantity',
      (a: KubeQuantity, b: bigint) => new KubeQuantity(a.value - Number(b)),
    )
    .registerFunction(
      'kubernetes.Quantity.isGreaterThan(kubernetes.Quantity): bool',
      (a: KubeQuantity, b: KubeQuantity) => a.value > b.value,
    )
    .registerFunction(
      'kubernetes.Quantity.isLessThan(kubernetes.Quantity): bool',
      (a: KubeQuantity, b: KubeQuantity) => a.value < b.value,
    )
    .registerFunction(
      'kubernetes.Quantity.compareTo(kubernetes.Quantity): int',
      (a: KubeQuantity, b: KubeQuantity) => BigInt(Math.sign(a.value - b.value)),
    );
  return env;
}

let plain: Environment | undefined;
let withOptionalOldSelf: Environment | undefined;

/** `self` and `oldSelf` are dyn; with optionalOldSelf, oldSelf is an optional (optional<dyn>). */
export function celEnvironment(optionalOldSelf = false): Environment {
  if (!plain || !withOptionalOldSelf) {
    const base = buildEnvironment();
    plain = base.clone().registerVariable('self', 'dyn').registerVariable('oldSelf', 'dyn');
    withOptionalOldSelf = base
      .clone()
      .registerVariable('self', 'dyn')
      .registerVariable('oldSelf', 'optional<dyn>');
  }
  return optionalOldSelf ? withOptionalOldSelf : plain;
}

/** Optional values for `optionalOldSelf` rules, made by the library itself. */
export function optionalOf(value: CelValue | undefined): CelValue {
  if (!optionalFactory) {
    const env = celEnvironment();
    optionalFactory = {
      some: (v) => env.evaluate('optional.of(self)', { self: v }),
      none: () => env.evaluate('optional.none()'),
    };
  }
  return value === undefined ? optionalFactory.none() : optionalFactory.some(value);
}

export type CelProgram = { ast: CelAst; run(vars: Record<string, unknown>): unknown };
export type CelAst = { op: string; args: unknown; pos?: number; start?: number; end?: number };

export type CelCompileResult = { ok: true; program: CelProgram } | { ok: false; error: string };

/** Parses only (syntax errors in cel-go's form); type checking against the schema is celtypes.ts. */
export function parseCel(expression: string): { ok: true; ast: CelAst } | { ok: false; error: string } {
  try {
    return { ok: true, ast: celEnvironment().parse(expression).ast as unknown as CelAst };
  } catch (e) {
    return { ok: false, error: celError(expression, errorPos(e), `Syntax error: ${firstLine(e)}`) };
  }
}

/** Parses and type-checks; on failure returns cel-go's "ERROR: <input>:L:C: msg\n | src\n | ..^" form. */
export function compileCel(
  expression: string,
  vars: readonly string[] = ['self'],
  options: { optionalOldSelf?: boolean } = {},
): CelCompileResult {
  const env = celEnvironment(options.optionalOldSelf === true);
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(expression);
  } catch (e) {
    return { ok: false, error: celError(expression, errorPos(e), `Syntax error: ${firstLine(e)}`) };
  }
  const unknown = undeclared(parsed.ast as unknown as CelAst, new Set(vars));
  if (unknown)
    return {
      ok: false,
      error: celError(expression, unknown.pos, `undeclared reference to '${unknown.name}' (in container '')`),
    };
  const checked = env.check(expression);
  if (!checked.valid) {
    const msg = firstLine(checked.error);
    // cel-go reports a function no overload is declared for as an undeclared reference.
    const fn = /found no matching overload for '(?:[\w]+\.)?(\w+)\(?/.exec(msg);
    const text = fn ? `undeclared reference to '${fn[1]}' (in container '')` : msg;
    return { ok: false, error: celError(expression, errorPos(checked.error), text) };
  }
  const run = (vars: Record<string, unknown>) => parsed(vars);
  return { ok: true, program: { ast: parsed.ast as unknown as CelAst, run } };
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return (m.split('\n')[0] ?? '').trim();
}

function errorPos(e: unknown): number {
  const p =
    (e as { node?: { pos?: number }; pos?: number } | undefined)?.node?.pos ??
    (e as { pos?: number } | undefined)?.pos;
  if (typeof p === 'number') return p;
  const m = /\|\s*\n\s*\^?/.exec(e instanceof Error ? e.message : '');
  return m ? 0 : 0;
}

export function celError(expression: string, pos: number, message: string): string {
  const before = expression.slice(0, pos);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const col = pos - lineStart;
  const src = expression.split('\n')[line - 1] ?? '';
  return `ERROR: <input>:${line}:${col + 1}: ${message}\n | ${src}\n | ${'.'.repeat(col)}^`;
}

const GLOBALS = new Set([
  'optional',
  'sets',
  'cel',
  'int',
  'uint',
  'double',
  'string',
  'bool',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'timestamp',
  'duration',
  'dyn',
]);

/** Finds an identifier that is neither a rule variable, a macro's loop variable, nor a known global. */
function undeclared(node: CelAst, scope: Set<string>): { name: string; pos: number } | undefined {
  const visit = (n: unknown, vars: Set<string>): { name: string; pos: number } | undefined => {
    if (!n || typeof n !== 'object') return undefined;
    if (Array.isArray(n)) {
      for (const x of n) {
        const r = visit(x, vars);
        if (r) return r;
      }
      return undefined;
    }
    const a = n as CelAst;
    if (a.op === 'id') {
      const name = a.args as string;
      return vars.has(name) || GLOBALS.has(name) ? undefined : { name, pos: a.pos ?? 0 };
    }
    if (a.op === 'value') return undefined;
    if (a.op === 'rcall') {
      const [fn, target, args] = a.args as [string, unknown, unknown[]];
      if (fn === 'bind' && (target as CelAst | undefined)?.op === 'id' && (target as CelAst).args === 'cel') {
        const v = args[0] as CelAst | undefined;
        const r = visit(args[1], vars);
        if (r) return r;
        return visit(args[2], v?.op === 'id' ? new Set(vars).add(v.args as string) : vars);
      }
      const r = visit(target, vars);
      if (r) return r;
      const first = args[0] as CelAst | undefined;
      if (MACROS.has(fn) && first?.op === 'id') {
        const inner = new Set(vars).add(first.args as string);
        if (fn !== 'map' || args.length === 2 || args.length === 3) {
          for (const x of args.slice(1)) {
            const rr = visit(x, inner);
            if (rr) return rr;
          }
          return undefined;
        }
      }
      return visit(args, vars);
    }
    if (a.op === 'call') {
      const [fn, args] = a.args as [string, unknown[]];
      if (fn === 'cel.bind' || fn === 'bind') {
        const v = args[0] as CelAst | undefined;
        const r = visit(args[1], vars);
        if (r) return r;
        return visit(args[2], v?.op === 'id' ? new Set(vars).add(v.args as string) : vars);
      }
      return visit(args, vars);
    }
    if (a.op === '.' || a.op === '.?') return visit((a.args as [unknown, string])[0], vars);
    return visit(a.args, vars);
  };
  return visit(node, scope);
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** JSON (as stored) → CEL values: integers as BigInt where the schema says integer. */
export type CelSchemaView = {
  type?: string;
  format?: string;
  properties?: Record<string, CelSchemaView>;
  additionalProperties?: CelSchemaView | boolean;
  items?: CelSchemaView;
  'x-kubernetes-int-or-string'?: boolean;
};

export function toCel(value: unknown, schema: CelSchemaView | undefined): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((x) => toCel(x, schema?.items));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const prop = schema?.properties?.[k];
      if (prop) {
        // Declared properties are exposed under Kubernetes' CEL name escaping (x-y → x__dash__y).
        const converted = toCel(v, prop);
        out[celPropertyName(k) ?? k] = converted;
        // kube 1.32 also reads a keyword-named property (namespace, if, …) under its own name.
        if (celPropertyName(k) === `__${k}__`) out[k] = converted;
        continue;
      }
      const sub = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
      out[k] = toCel(v, sub);
    }
    return out;
  }
  if (typeof value === 'number') {
    if (schema?.type === 'number') return value;
    if (Number.isInteger(value)) return BigInt(value);
    return value;
  }
  if (typeof value === 'string' && schema?.type === 'string') {
    if (schema.format === 'date-time') {
      const d = new Date(value);
      if (!Number.isNaN(d.getTime())) return d;
    }
    if (schema.format === 'byte') return new Uint8Array(Buffer.from(value, 'base64'));
  }
  return value;
}
