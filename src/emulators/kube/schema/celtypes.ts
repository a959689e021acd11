// Static type checking of x-kubernetes-validations rules, as cel-go's checker does it with the
// declared types Kubernetes derives from the schema (apiserver/pkg/cel/common.SchemaDeclType):
// every object node is its own named type (`selfType<N>.spec.items.@idx`), lists and maps are typed
// from items/additionalProperties, int-or-string is dyn, formats date-time/duration/byte are
// timestamp/duration/bytes. Errors carry cel-go's wording and are positioned as cel-go positions
// them (operator, call parenthesis, selection dot), all of them, sorted by position.
import type { CelAst } from './cel.ts';
import { celPropertyName } from './fields.ts';
import { isObject, type JSONSchemaProps } from './types.ts';

export type CelType =
  | { kind: 'dyn' }
  | { kind: 'error' }
  | { kind: 'prim'; name: string }
  | { kind: 'list'; elem: CelType }
  | { kind: 'map'; key: CelType; value: CelType }
  | { kind: 'object'; name: string; fields: Map<string, CelType> }
  | { kind: 'opaque'; name: string; params: CelType[] }
  | { kind: 'param'; name: string };

const DYN: CelType = { kind: 'dyn' };
const ERR: CelType = { kind: 'error' };
const prim = (name: string): CelType => ({ kind: 'prim', name });
const INT = prim('int');
const UINT = prim('uint');
const DOUBLE = prim('double');
const STRING = prim('string');
const BOOL = prim('bool');
const BYTES = prim('bytes');
const NULL = prim('null');
const TIMESTAMP = prim('timestamp');
const DURATION = prim('duration');
const list = (elem: CelType): CelType => ({ kind: 'list', elem });
const map = (key: CelType, value: CelType): CelType => ({ kind: 'map', key, value });
const opaque = (name: string, ...params: CelType[]): CelType => ({ kind: 'opaque', name, params });
const optional = (t: CelType): CelType => opaque('optional_type', t);
const typeOf = (t: CelType): CelType => opaque('type', t);
const A: CelType = { kind: 'param', name: 'A' };
const B: CelType = { kind: 'param', name: 'B' };
const URL_T = opaque('kubernetes.URL');
const QUANTITY = opaque('kubernetes.Quantity');
const IP = opaque('net.IP');
const CIDR = opaque('net.CIDR');

export function formatType(t: CelType): string {
  switch (t.kind) {
    case 'dyn':
      return 'dyn';
    case 'error':
      return '*error*';
    case 'prim':
      return t.name;
    case 'list':
      return `list(${formatType(t.elem)})`;
    case 'map':
      return `map(${formatType(t.key)}, ${formatType(t.value)})`;
    case 'object':
      return t.name;
    case 'param':
      return t.name;
    case 'opaque':
      return t.params.length ? `${t.name}(${t.params.map(formatType).join(', ')})` : t.name;
  }
}

// ---------------------------------------------------------------- declared types from the schema

const META_VIEW: JSONSchemaProps = {
  type: 'object',
  properties: { name: { type: 'string' }, generateName: { type: 'string' } },
};

/** SchemaDeclType: undefined where the schema gives CEL nothing to read (an array without items). */
export function declType(s: JSONSchemaProps, name: string, resourceRoot = false): CelType | undefined {
  if (s['x-kubernetes-int-or-string']) return DYN;
  let node = s;
  if (resourceRoot || s['x-kubernetes-embedded-resource']) {
    // apiVersion, kind and metadata.name/generateName are always readable at a resource's root.
    node = {
      ...s,
      type: 'object',
      properties: {
        ...(s.properties ?? {}),
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: META_VIEW,
      },
    };
  }
  switch (node.type) {
    case 'array':
      if (!node.items) return undefined;
      return list(declType(node.items, `${name}.@idx`) ?? DYN);
    case 'object': {
      if (isObject(node.additionalProperties)) {
        const v = declType(node.additionalProperties as JSONSchemaProps, `${name}.@elem`);
        return v ? map(STRING, v) : undefined;
      }
      const fields = new Map<string, CelType>();
      for (const [k, sub] of Object.entries(node.properties ?? {})) {
        const cel = celPropertyName(k);
        const t = declType(sub, `${name}.${k}`);
        if (cel && t) fields.set(cel, t);
        // kube 1.32 accepts a keyword-named property (namespace, if, …) under its own name as well.
        if (cel === `__${k}__` && t) fields.set(k, t);
      }
      return { kind: 'object', name, fields };
    }
    case 'string':
      if (node.format === 'byte') return BYTES;
      if (node.format === 'duration') return DURATION;
      if (node.format === 'date' || node.format === 'date-time') return TIMESTAMP;
      return STRING;
    case 'integer':
      return INT;
    case 'number':
      return DOUBLE;
    case 'boolean':
      return BOOL;
    default:
      return undefined;
  }
}

/** kube names a rule's self type selfType<nanoseconds>; the number varies per request. */
export function selfTypeName(): string {
  return `selfType${Number(process.hrtime.bigint() % 1_000_000_000n)}`;
}

// ---------------------------------------------------------------- assignability

type Bindings = Map<string, CelType>;

function substitute(t: CelType, b: Bindings): CelType {
  switch (t.kind) {
    case 'param':
      return b.has(t.name) ? substitute(b.get(t.name) as CelType, b) : DYN;
    case 'list':
      return list(substitute(t.elem, b));
    case 'map':
      return map(substitute(t.key, b), substitute(t.value, b));
    case 'opaque':
      return opaque(t.name, ...t.params.map((p) => substitute(p, b)));
    default:
      return t;
  }
}

const nullable = (t: CelType) =>
  t.kind === 'object' || t.kind === 'dyn' || (t.kind === 'prim' && t.name === 'null');

/** cel-go isAssignable: can a value of `actual` be passed where `want` is declared (binding params). */
function assignable(want: CelType, actual: CelType, b: Bindings): boolean {
  if (want.kind === 'param') {
    const bound = b.get(want.name);
    if (bound === undefined) {
      b.set(want.name, actual);
      return true;
    }
    if (assignable(bound, actual, b)) return true;
    // a more general binding (dyn) can take the place of a narrower one
    if (actual.kind === 'dyn') return true;
    return false;
  }
  if (want.kind === 'dyn' || actual.kind === 'dyn' || want.kind === 'error' || actual.kind === 'error')
    return true;
  if (actual.kind === 'param') return true;
  if (actual.kind === 'prim' && actual.name === 'null' && nullable(want)) return true;
  if (want.kind === 'prim' && want.name === 'null' && nullable(actual)) return true;
  switch (want.kind) {
    case 'prim':
      return actual.kind === 'prim' && actual.name === want.name;
    case 'list':
      return actual.kind === 'list' && assignable(want.elem, actual.elem, b);
    case 'map':
      return (
        actual.kind === 'map' &&
        assignable(want.key, actual.key, b) &&
        assignable(want.value, actual.value, b)
      );
    case 'object':
      return actual.kind === 'object' && actual.name === want.name;
    case 'opaque':
      return (
        actual.kind === 'opaque' &&
        actual.name === want.name &&
        actual.params.length === want.params.length &&
        want.params.every((p, i) => assignable(p, actual.params[i] as CelType, b))
      );
  }
}

const sameType = (a: CelType, b: CelType): boolean => formatType(a) === formatType(b);

// ---------------------------------------------------------------- function declarations

type Overload = { member: boolean; params: CelType[]; result: CelType };
const g = (params: CelType[], result: CelType): Overload => ({ member: false, params, result });
const m = (params: CelType[], result: CelType): Overload => ({ member: true, params, result });

const NUMERIC = [INT, UINT, DOUBLE];
const ORDERED: [CelType, CelType][] = [
  [BOOL, BOOL],
  [INT, INT],
  [INT, DOUBLE],
  [INT, UINT],
  [UINT, UINT],
  [UINT, DOUBLE],
  [UINT, INT],
  [DOUBLE, DOUBLE],
  [DOUBLE, INT],
  [DOUBLE, UINT],
  [STRING, STRING],
  [BYTES, BYTES],
  [TIMESTAMP, TIMESTAMP],
  [DURATION, DURATION],
];
const TS_GETTERS = [
  'getFullYear',
  'getMonth',
  'getDayOfYear',
  'getDayOfMonth',
  'getDate',
  'getDayOfWeek',
  'getHours',
  'getMinutes',
  'getSeconds',
  'getMilliseconds',
];

const FUNCTIONS = new Map<string, Overload[]>();
function decl(name: string, ...o: Overload[]): void {
  FUNCTIONS.set(name, [...(FUNCTIONS.get(name) ?? []), ...o]);
}
decl('_==_', g([A, A], BOOL));
decl('_!=_', g([A, A], BOOL));
for (const op of ['_<_', '_<=_', '_>_', '_>=_']) decl(op, ...ORDERED.map(([x, y]) => g([x, y], BOOL)));
decl(
  '_+_',
  ...NUMERIC.map((t) => g([t, t], t)),
  g([STRING, STRING], STRING),
  g([BYTES, BYTES], BYTES),
  g([list(A), list(A)], list(A)),
  g([TIMESTAMP, DURATION], TIMESTAMP),
  g([DURATION, TIMESTAMP], TIMESTAMP),
  g([DURATION, DURATION], DURATION),
);
decl(
  '_-_',
  ...NUMERIC.map((t) => g([t, t], t)),
  g([TIMESTAMP, TIMESTAMP], DURATION),
  g([TIMESTAMP, DURATION], TIMESTAMP),
  g([DURATION, DURATION], DURATION),
);
decl('_*_', ...NUMERIC.map((t) => g([t, t], t)));
decl('_/_', ...NUMERIC.map((t) => g([t, t], t)));
decl('_%_', g([INT, INT], INT), g([UINT, UINT], UINT));
decl('-_', g([INT], INT), g([DOUBLE], DOUBLE));
decl('!_', g([BOOL], BOOL));
decl('_?_:_', g([BOOL, A, A], A));
decl('@in', g([A, list(A)], BOOL), g([A, map(A, B)], BOOL));
decl('_[_]', g([list(A), INT], A), g([map(A, B), A], B));
decl(
  'size',
  g([STRING], INT),
  g([BYTES], INT),
  g([list(A)], INT),
  g([map(A, B)], INT),
  m([STRING], INT),
  m([BYTES], INT),
  m([list(A)], INT),
  m([map(A, B)], INT),
);
for (const f of ['contains', 'startsWith', 'endsWith']) decl(f, m([STRING, STRING], BOOL));
decl('matches', g([STRING, STRING], BOOL), m([STRING, STRING], BOOL));
decl('int', g([INT], INT), g([UINT], INT), g([DOUBLE], INT), g([STRING], INT), g([TIMESTAMP], INT));
decl('uint', g([UINT], UINT), g([INT], UINT), g([DOUBLE], UINT), g([STRING], UINT));
decl('double', g([DOUBLE], DOUBLE), g([INT], DOUBLE), g([UINT], DOUBLE), g([STRING], DOUBLE));
decl('string', ...[STRING, INT, UINT, DOUBLE, BOOL, BYTES, TIMESTAMP, DURATION].map((t) => g([t], STRING)));
decl('bytes', g([BYTES], BYTES), g([STRING], BYTES));
decl('bool', g([BOOL], BOOL), g([STRING], BOOL));
decl('timestamp', g([TIMESTAMP], TIMESTAMP), g([STRING], TIMESTAMP), g([INT], TIMESTAMP));
decl('duration', g([DURATION], DURATION), g([STRING], DURATION));
decl('dyn', g([A], DYN));
decl('type', g([A], typeOf(A)));
for (const f of TS_GETTERS) decl(f, m([TIMESTAMP], INT), m([TIMESTAMP, STRING], INT));
for (const f of ['getHours', 'getMinutes', 'getSeconds', 'getMilliseconds']) decl(f, m([DURATION], INT));
// cel-go ext.Strings
decl('charAt', m([STRING, INT], STRING));
decl('indexOf', m([STRING, STRING], INT), m([STRING, STRING, INT], INT), m([list(A), A], INT));
decl('lastIndexOf', m([STRING, STRING], INT), m([STRING, STRING, INT], INT), m([list(A), A], INT));
decl('lowerAscii', m([STRING], STRING));
decl('upperAscii', m([STRING], STRING));
decl('replace', m([STRING, STRING, STRING], STRING), m([STRING, STRING, STRING, INT], STRING));
decl('split', m([STRING, STRING], list(STRING)), m([STRING, STRING, INT], list(STRING)));
decl('substring', m([STRING, INT], STRING), m([STRING, INT, INT], STRING));
decl('trim', m([STRING], STRING));
decl('join', m([list(STRING)], STRING), m([list(STRING), STRING], STRING));
decl('reverse', m([STRING], STRING));
decl('format', m([STRING, list(DYN)], STRING));
// Kubernetes lists, regex, URL, quantity, IP and CIDR libraries
decl(
  'isSorted',
  ...[INT, UINT, DOUBLE, STRING, BYTES, BOOL, TIMESTAMP, DURATION].map((t) => m([list(t)], BOOL)),
);
for (const f of ['sum', 'min', 'max'])
  decl(
    f,
    ...[INT, UINT, DOUBLE, ...(f === 'sum' ? [DURATION] : [STRING, BYTES, BOOL, TIMESTAMP, DURATION])].map(
      (t) => m([list(t)], t),
    ),
  );
decl('find', m([STRING, STRING], STRING));
decl('findAll', m([STRING, STRING], list(STRING)), m([STRING, STRING, INT], list(STRING)));
decl('url', g([STRING], URL_T));
decl('isURL', g([STRING], BOOL));
for (const f of ['getScheme', 'getHost', 'getHostname', 'getPort', 'getEscapedPath'])
  decl(f, m([URL_T], STRING));
decl('getQuery', m([URL_T], map(STRING, list(STRING))));
decl('quantity', g([STRING], QUANTITY));
decl('isQuantity', g([STRING], BOOL));
decl('isInteger', m([QUANTITY], BOOL));
decl('asInteger', m([QUANTITY], INT));
decl('asApproximateFloat', m([QUANTITY], DOUBLE));
decl('sign', m([QUANTITY], INT));
decl('add', m([QUANTITY, QUANTITY], QUANTITY), m([QUANTITY, INT], QUANTITY));
decl('sub', m([QUANTITY, QUANTITY], QUANTITY), m([QUANTITY, INT], QUANTITY));
decl('isGreaterThan', m([QUANTITY, QUANTITY], BOOL));
decl('isLessThan', m([QUANTITY, QUANTITY], BOOL));
decl('compareTo', m([QUANTITY, QUANTITY], INT));
decl('ip', g([STRING], IP), g([CIDR], IP), m([CIDR], IP));
decl('isIP', g([STRING], BOOL));
decl('cidr', g([STRING], CIDR));
decl('isCIDR', g([STRING], BOOL));
decl('family', m([IP], INT));
for (const f of [
  'isUnspecified',
  'isLoopback',
  'isLinkLocalMulticast',
  'isLinkLocalUnicast',
  'isGlobalUnicast',
])
  decl(f, m([IP], BOOL));
decl('isCanonical', g([STRING], BOOL));
decl('containsIP', m([CIDR, IP], BOOL), m([CIDR, STRING], BOOL));
decl('containsCIDR', m([CIDR, CIDR], BOOL), m([CIDR, STRING], BOOL));
decl('masked', m([CIDR], CIDR));
decl('prefixLength', m([CIDR], INT));
// optionals
decl('value', m([optional(A)], A));
decl('hasValue', m([optional(A)], BOOL));
decl('orValue', m([optional(A), A], A));
decl('or', m([optional(A), optional(A)], optional(A)));
// namespaced functions, keyed by their qualified name
decl('optional.of', g([A], optional(A)));
decl('optional.ofNonZeroValue', g([A], optional(A)));
decl('optional.none', g([], optional(DYN)));
decl('sets.contains', g([list(A), list(A)], BOOL));
decl('sets.equivalent', g([list(A), list(A)], BOOL));
decl('sets.intersects', g([list(A), list(A)], BOOL));
decl('strings.quote', g([STRING], STRING));

const NAMESPACES = new Set(['optional', 'sets', 'strings']);
const TYPE_IDENTS = new Map<string, CelType>([
  ['int', typeOf(INT)],
  ['uint', typeOf(UINT)],
  ['double', typeOf(DOUBLE)],
  ['string', typeOf(STRING)],
  ['bool', typeOf(BOOL)],
  ['bytes', typeOf(BYTES)],
  ['list', typeOf(list(DYN))],
  ['map', typeOf(map(DYN, DYN))],
  ['null_type', typeOf(NULL)],
  ['type', typeOf(typeOf(DYN))],
  ['dyn', typeOf(DYN)],
]);
const OPERATORS: Record<string, string> = {
  '==': '_==_',
  '!=': '_!=_',
  '<': '_<_',
  '<=': '_<=_',
  '>': '_>_',
  '>=': '_>=_',
  '+': '_+_',
  '-': '_-_',
  '*': '_*_',
  '/': '_/_',
  '%': '_%_',
  in: '@in',
};
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

// ---------------------------------------------------------------- the checker

export type CheckError = { pos: number; message: string };

export type CheckResult = { errors: CheckError[]; type: CelType; types: Map<CelAst, CelType> };

/**
 * Checks one expression whose `self` has type `self` (and `oldSelf`, optional_type(self) when the
 * rule sets optionalOldSelf). Returns every error, sorted by position as cel-go prints them.
 */
export function checkExpression(ast: CelAst, expression: string, vars: Map<string, CelType>): CheckResult {
  const errors: CheckError[] = [];
  const err = (pos: number, message: string) => {
    errors.push({ pos, message });
    return ERR;
  };
  // Positions cel-go reports: the operator of a binary expression, the parenthesis of a call, the
  // dot of a selection. cel-js keeps start/end offsets, so they are found in the source text.
  const after = (from: number, token: string): number => {
    let i = from;
    while (i < expression.length) {
      if (expression.startsWith(token, i)) return i;
      i++;
    }
    return from;
  };
  const posOf = (n: CelAst): number => {
    switch (n.op) {
      case '.':
      case '.?':
        return after((n.args as [CelAst])[0].end ?? 0, '.');
      case '[]':
      case '[?]':
        return after((n.args as [CelAst])[0].end ?? 0, '[');
      case 'rcall':
        return after((n.args as [string, CelAst])[1].end ?? 0, '(');
      case 'call':
        return after(n.start ?? n.pos ?? 0, '(');
      case '?:':
        return after((n.args as CelAst[])[0]?.end ?? 0, '?');
      case '!_':
      case '-_':
        return n.pos ?? n.start ?? 0;
      default:
        if (OPERATORS[n.op] || n.op === '&&' || n.op === '||') {
          const [l] = n.args as CelAst[];
          return after(l?.end ?? 0, n.op);
        }
        return n.pos ?? n.start ?? 0;
    }
  };

  const resolve = (name: string, pos: number, args: CelType[], member: boolean): CelType => {
    const overloads = FUNCTIONS.get(name);
    if (!overloads) return err(pos, `undeclared reference to '${name}' (in container '')`);
    if (args.some((a) => a.kind === 'error')) return ERR;
    let result: CelType | undefined;
    for (const o of overloads) {
      if (o.member !== member || o.params.length !== args.length) continue;
      const b: Bindings = new Map();
      if (!o.params.every((p, i) => assignable(p, args[i] as CelType, b))) continue;
      const r = substitute(o.result, b);
      if (!result) result = r;
      else if (result.kind !== 'dyn' && !sameType(result, r)) result = DYN;
    }
    if (result) return result;
    const shown = member
      ? `${formatType(args[0] as CelType)}.(${args.slice(1).map(formatType).join(', ')})`
      : `(${args.map(formatType).join(', ')})`;
    return err(pos, `found no matching overload for '${name}' applied to '${shown}'`);
  };

  const select = (t: CelType, field: string, pos: number, opt: boolean): CelType => {
    const inner = t.kind === 'opaque' && t.name === 'optional_type' ? (t.params[0] as CelType) : t;
    const wrap = (r: CelType) => ((opt || inner !== t) && r.kind !== 'error' ? optional(r) : r);
    switch (inner.kind) {
      case 'dyn':
        return wrap(DYN);
      case 'error':
        return ERR;
      case 'map':
        return wrap(inner.value);
      case 'object': {
        const f = inner.fields.get(field);
        return f ? wrap(f) : err(pos, `undefined field '${field}'`);
      }
      default:
        return err(pos, `type '${formatType(inner)}' does not support field selection`);
    }
  };

  const expectBool = (n: CelAst, t: CelType) => {
    if (t.kind !== 'error' && !assignable(BOOL, t, new Map()))
      err(posOf(n), `expected type 'bool' but found '${formatType(t)}'`);
  };

  const types = new Map<CelAst, CelType>();
  const visit = (n: CelAst, scope: Map<string, CelType>): CelType => {
    const t = visitNode(n, scope);
    types.set(n, t);
    return t;
  };
  const visitNode = (n: CelAst, scope: Map<string, CelType>): CelType => {
    switch (n.op) {
      case 'value': {
        const v = n.args;
        if (typeof v === 'bigint') return INT;
        if (typeof v === 'number') return DOUBLE;
        if (typeof v === 'string') return STRING;
        if (typeof v === 'boolean') return BOOL;
        if (v === null) return NULL;
        if (v instanceof Uint8Array) return BYTES;
        return UINT;
      }
      case 'id': {
        const name = n.args as string;
        const t = scope.get(name) ?? TYPE_IDENTS.get(name);
        if (t) return t;
        return err(n.pos ?? 0, `undeclared reference to '${name}' (in container '')`);
      }
      case '.':
      case '.?': {
        const [target, field] = n.args as [CelAst, string];
        return select(visit(target, scope), field, posOf(n), n.op === '.?');
      }
      case '[]':
      case '[?]': {
        const [target, idx] = n.args as [CelAst, CelAst];
        const t = visit(target, scope);
        const i = visit(idx, scope);
        const inner = t.kind === 'opaque' && t.name === 'optional_type' ? (t.params[0] as CelType) : t;
        const r = resolve('_[_]', posOf(n), [inner, i], false);
        return (n.op === '[?]' || inner !== t) && r.kind !== 'error' ? optional(r) : r;
      }
      case 'list': {
        const items = (n.args as CelAst[]).map((x) => [x, visit(x, scope)] as const);
        let elem: CelType | undefined;
        for (const [x, t] of items) {
          if (t.kind === 'error') continue;
          // kube enables homogeneous aggregate literals: every element has the first one's type
          if (!elem) elem = t;
          else if (!sameType(elem, t))
            err(posOf(x), `expected type '${formatType(elem)}' but found '${formatType(t)}'`);
        }
        return list(elem ?? DYN);
      }
      case 'map': {
        let key: CelType | undefined;
        let value: CelType | undefined;
        for (const [k, v] of n.args as [CelAst, CelAst][]) {
          const kt = visit(k, scope);
          const vt = visit(v, scope);
          if (!key) key = kt;
          else if (kt.kind !== 'error' && !sameType(key, kt))
            err(posOf(k), `expected type '${formatType(key)}' but found '${formatType(kt)}'`);
          if (!value) value = vt;
          else if (vt.kind !== 'error' && !sameType(value, vt))
            err(posOf(v), `expected type '${formatType(value)}' but found '${formatType(vt)}'`);
        }
        return map(key ?? DYN, value ?? DYN);
      }
      case '&&':
      case '||': {
        for (const x of n.args as CelAst[]) expectBool(x, visit(x, scope));
        return BOOL;
      }
      case '!_':
      case '-_':
        return resolve(n.op, posOf(n), [visit(n.args as CelAst, scope)], false);
      case '?:': {
        const args = (n.args as CelAst[]).map((x) => visit(x, scope));
        return resolve('_?_:_', posOf(n), args, false);
      }
      case 'call': {
        const [fn, args] = n.args as [string, CelAst[]];
        if (fn === 'has') {
          const inner = args[0];
          if (inner && (inner.op === '.' || inner.op === '.?')) {
            const [target, field] = inner.args as [CelAst, string];
            const t = visit(target, scope);
            select(t, field, posOf(n), false);
          }
          return BOOL;
        }
        return resolve(
          fn,
          posOf(n),
          args.map((x) => visit(x, scope)),
          false,
        );
      }
      case 'rcall': {
        const [fn, target, args] = n.args as [string, CelAst, CelAst[]];
        if (target.op === 'id' && NAMESPACES.has(target.args as string) && !scope.has(target.args as string))
          return resolve(
            `${target.args}.${fn}`,
            posOf(n),
            args.map((x) => visit(x, scope)),
            false,
          );
        const first = args[0];
        if (
          MACROS.has(fn) &&
          first?.op === 'id' &&
          (args.length === 2 || (fn === 'map' && args.length === 3))
        ) {
          const range = visit(target, scope);
          let elem: CelType;
          if (range.kind === 'list') elem = range.elem;
          else if (range.kind === 'map') elem = range.key;
          else if (range.kind === 'dyn' || range.kind === 'error') elem = DYN;
          else {
            err(
              posOf(target),
              `expression of type '${formatType(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`,
            );
            elem = DYN;
          }
          const inner = new Map(scope).set(first.args as string, elem);
          const bodies = args.slice(1).map((x) => [x, visit(x, inner)] as const);
          if (fn === 'map') {
            if (bodies.length === 2) expectBool(bodies[0]?.[0] as CelAst, bodies[0]?.[1] as CelType);
            const last = bodies[bodies.length - 1]?.[1] ?? DYN;
            return list(last.kind === 'error' ? DYN : last);
          }
          expectBool(bodies[0]?.[0] as CelAst, bodies[0]?.[1] as CelType);
          if (fn === 'filter') return list(elem);
          return BOOL;
        }
        const t = visit(target, scope);
        return resolve(fn, posOf(n), [t, ...args.map((x) => visit(x, scope))], true);
      }
      default: {
        const name = OPERATORS[n.op];
        const args = (Array.isArray(n.args) ? (n.args as CelAst[]) : []).map((x) => visit(x, scope));
        if (!name) return DYN;
        return resolve(name, posOf(n), args, false);
      }
    }
  };

  const type = visit(ast, vars);
  errors.sort((a, b) => a.pos - b.pos);
  return { errors, type, types };
}

/** The variables of a rule on node `s`: self, and oldSelf (optional_type(self) with optionalOldSelf). */
export function ruleVariables(
  s: JSONSchemaProps,
  resourceRoot: boolean,
  optionalOldSelf: boolean,
): Map<string, CelType> {
  const self = declType(s, selfTypeName(), resourceRoot) ?? DYN;
  return new Map([
    ['self', self],
    ['oldSelf', optionalOldSelf ? optional(self) : self],
  ]);
}
