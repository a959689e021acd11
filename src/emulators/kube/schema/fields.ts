// Static field checking of CEL rules against the structural schema, as cel-go's checker does with
// the declared types Kubernetes derives from a CRD schema (apiserver/pkg/cel/common): selecting a
// field an object does not declare is "undefined field 'x'", unless the object preserves unknown
// fields or is a map. Property names are exposed under Kubernetes' CEL escaping
// (library: `__dash__`, `__dot__`, `__slash__`, `__underscores__`, `__<keyword>__`).
import type { CelAst } from './cel.ts';
import { isObject, type JSONSchemaProps } from './types.ts';

const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** The name a property has in CEL (kube's escaping), or undefined when it cannot be accessed. */
export function celPropertyName(name: string): string | undefined {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  if (!/^[A-Za-z_.\-/][A-Za-z0-9_.\-/]*$/.test(name)) return undefined;
  return name
    .replace(/__/g, '__underscores__')
    .replace(/\./g, '__dot__')
    .replace(/-/g, '__dash__')
    .replace(/\//g, '__slash__');
}

/** The property a CEL field name refers to (inverse of celPropertyName). */
export function propertyForCelName(s: JSONSchemaProps, celName: string): string | undefined {
  for (const k of Object.keys(s.properties ?? {})) if (celPropertyName(k) === celName) return k;
  return undefined;
}

type Found = { field: string; pos: number };

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

function isOpaque(s: JSONSchemaProps | undefined): boolean {
  return !s || s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-int-or-string'] === true;
}

/** First select of a field the schema does not declare, with the source offset of its dot. */
export function undefinedField(
  ast: CelAst,
  self: JSONSchemaProps,
  root: boolean,
  oldSelfOptional: boolean,
): Found | undefined {
  const scope = new Map<string, JSONSchemaProps | undefined>([['self', rootView(self, root)]]);
  if (!oldSelfOptional) scope.set('oldSelf', rootView(self, root));
  let found: Found | undefined;

  const visit = (n: unknown, vars: Map<string, JSONSchemaProps | undefined>): JSONSchemaProps | undefined => {
    if (found || !n || typeof n !== 'object') return undefined;
    if (Array.isArray(n)) {
      for (const x of n) visit(x, vars);
      return undefined;
    }
    const node = n as CelAst;
    switch (node.op) {
      case 'id':
        return vars.get(node.args as string);
      case 'value':
        return undefined;
      case '.':
      case '.?': {
        const [target, name] = node.args as [unknown, string];
        const s = visit(target, vars);
        return select(s, name, node);
      }
      case '[]':
      case '[?]': {
        const [target, idx] = node.args as [unknown, unknown];
        const s = visit(target, vars);
        visit(idx, vars);
        if (!s || isOpaque(s)) return undefined;
        if (s.type === 'array') return s.items;
        if (isObject(s.additionalProperties)) return s.additionalProperties as JSONSchemaProps;
        return undefined;
      }
      case 'rcall': {
        const [fn, target, args] = node.args as [string, unknown, unknown[]];
        const range = visit(target, vars);
        const first = args[0] as CelAst | undefined;
        if (MACROS.has(fn) && first?.op === 'id') {
          const inner = new Map(vars);
          const elem = range?.type === 'array' ? range.items : range ? { type: 'string' } : undefined;
          inner.set(first.args as string, elem);
          for (const x of args.slice(1)) visit(x, inner);
          return fn === 'filter' ? range : undefined;
        }
        visit(args, vars);
        return undefined;
      }
      case 'call': {
        const [fn, args] = node.args as [string, unknown[]];
        if (fn === 'has') {
          const inner = args[0] as CelAst | undefined;
          if (inner && (inner.op === '.' || inner.op === '.?')) {
            const [target, name] = inner.args as [unknown, string];
            select(visit(target, vars), name, inner);
            return undefined;
          }
        }
        visit(args, vars);
        return undefined;
      }
      default:
        visit(node.args, vars);
        return undefined;
    }
  };

  const select = (
    s: JSONSchemaProps | undefined,
    name: string,
    node: CelAst,
  ): JSONSchemaProps | undefined => {
    if (!s || isOpaque(s) || s.type !== 'object') return undefined;
    if (isObject(s.additionalProperties)) return s.additionalProperties as JSONSchemaProps;
    if (!s.properties) return undefined;
    const prop = propertyForCelName(s, name);
    if (prop === undefined) {
      found ??= { field: name, pos: Math.max(0, (node.pos ?? 1) - (node.op === '.?' ? 2 : 1)) };
      return undefined;
    }
    return s.properties[prop];
  };

  visit(ast, scope);
  return found;
}

/** At the root (and in embedded resources) rules see apiVersion, kind and metadata.name/generateName. */
function rootView(s: JSONSchemaProps, root: boolean): JSONSchemaProps {
  if (!root && !s['x-kubernetes-embedded-resource']) return s;
  const meta: JSONSchemaProps = {
    type: 'object',
    properties: { name: { type: 'string' }, generateName: { type: 'string' } },
  };
  return {
    ...s,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      ...(s.properties ?? {}),
      metadata: meta,
    },
  };
}

type Scalar = 'string' | 'int' | 'double' | 'bool';
const OPS: Record<string, string> = {
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
};

function scalarOf(s: JSONSchemaProps | undefined): Scalar | undefined {
  if (!s || isOpaque(s)) return undefined;
  if (s.type === 'string' && !s.format) return 'string';
  if (s.type === 'integer') return 'int';
  if (s.type === 'number') return 'double';
  if (s.type === 'boolean') return 'bool';
  return undefined;
}

/**
 * First operator applied to two scalars of kinds cel-go has no overload for (a string compared
 * with a number, a bool added to an int, …): "found no matching overload for '_>_' applied to
 * '(string, int)'". Numeric mixes are left alone (cel-go compares int and double).
 */
export function overloadMismatch(
  ast: CelAst,
  self: JSONSchemaProps,
  root: boolean,
  expression: string,
): { message: string; pos: number } | undefined {
  const scope = new Map<string, JSONSchemaProps | undefined>([
    ['self', rootView(self, root)],
    ['oldSelf', rootView(self, root)],
  ]);
  let found: { message: string; pos: number } | undefined;
  const schemaOf = (
    n: unknown,
    vars: Map<string, JSONSchemaProps | undefined>,
  ): JSONSchemaProps | undefined => {
    if (!n || typeof n !== 'object' || Array.isArray(n)) return undefined;
    const node = n as CelAst;
    if (node.op === 'id') return vars.get(node.args as string);
    if (node.op === '.' || node.op === '.?') {
      const [target, name] = node.args as [unknown, string];
      const t = schemaOf(target, vars);
      if (!t || isOpaque(t)) return undefined;
      if (isObject(t.additionalProperties)) return t.additionalProperties as JSONSchemaProps;
      const prop = propertyForCelName(t, name);
      return prop === undefined ? undefined : t.properties?.[prop];
    }
    return undefined;
  };
  const typeOf = (n: unknown, vars: Map<string, JSONSchemaProps | undefined>): Scalar | undefined => {
    if (!n || typeof n !== 'object' || Array.isArray(n)) return undefined;
    const node = n as CelAst;
    if (node.op === 'value') {
      const v = node.args;
      return typeof v === 'string'
        ? 'string'
        : typeof v === 'bigint'
          ? 'int'
          : typeof v === 'number'
            ? 'double'
            : typeof v === 'boolean'
              ? 'bool'
              : undefined;
    }
    if (node.op === '.') return scalarOf(schemaOf(node, vars));
    if (node.op === 'id') return scalarOf(vars.get(node.args as string));
    return undefined;
  };
  const visit = (n: unknown, vars: Map<string, JSONSchemaProps | undefined>): void => {
    if (found || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x, vars);
      return;
    }
    const node = n as CelAst;
    if (node.op === 'rcall') {
      const [fn, target, args] = node.args as [string, unknown, unknown[]];
      visit(target, vars);
      const first = args[0] as CelAst | undefined;
      if (MACROS.has(fn) && first?.op === 'id') {
        const range = schemaOf(target, vars);
        const inner = new Map(vars).set(
          first.args as string,
          range?.type === 'array' ? range.items : undefined,
        );
        for (const x of args.slice(1)) visit(x, inner);
        return;
      }
      visit(args, vars);
      return;
    }
    const name = OPS[node.op];
    if (name && Array.isArray(node.args) && node.args.length === 2) {
      const [l, r] = node.args as [CelAst, CelAst];
      const a = typeOf(l, vars);
      const b = typeOf(r, vars);
      const numeric = (t: Scalar) => t === 'int' || t === 'double';
      if (a && b && a !== b && !(numeric(a) && numeric(b))) {
        const from = l.end ?? 0;
        const at = expression.indexOf(node.op, from);
        found = {
          message: `found no matching overload for '${name}' applied to '(${a}, ${b})'`,
          pos: at >= 0 ? at : (node.pos ?? 0),
        };
        return;
      }
    }
    if (node.op !== 'value' && node.op !== 'id') visit(node.args, vars);
  };
  visit(ast, scope);
  return found;
}
