// Validation, defaulting and pruning of custom resources against a structural schema, as
// apiextensions-apiserver does it: kube-openapi's SchemaValidator messages mapped to field errors by
// apiserver/validation.kubeOpenAPIResultToFieldErrors, listtype.ValidateListSetsAndMaps,
// structural/defaulting.Default, structural/pruning.Prune and cel.Validator.Validate.

import { RE2JS } from '@bufbuild/re2';
import { causes, goValue, type StatusCause } from './causes.ts';
import { type CelProgram, compileCel, optionalOf, toCel } from './cel.ts';
import { checkFormat } from './formats.ts';
import { isObject, type JSONSchemaProps, type ValidationRule } from './types.ts';

export type CompiledSchema = {
  /** Schema errors first (in document order), then CEL rule failures, as kube-apiserver lists them. */
  /** `prior`: errors found before the schema (the object's metadata); they block CEL rules too. */
  validate(obj: unknown, oldObj?: unknown, prior?: readonly StatusCause[]): StatusCause[];
  /** Sets defaults in place (structural defaulting); returns the same object. */
  applyDefaults<T>(obj: T): T;
  /** Removes unknown fields in place; returns their paths ("spec.foo", "spec.items[0].bar"). */
  prune(obj: unknown): string[];
  readonly schema: JSONSchemaProps;
};

type CompiledRule = {
  rule: ValidationRule;
  program?: CelProgram;
  message?: CelProgram;
  usesOldSelf: boolean;
  error?: string;
};

const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

const child = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const index = (path: string, i: number): string => `${path}[${i}]`;

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  // Decoded as Go does: integral numbers that fit an int64 are integers, the rest float64.
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'integer' : 'number';
  if (typeof v === 'bigint') return 'integer';
  return typeof v === 'object' ? 'object' : typeof v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** kube-openapi names the value by its path; a value validated on its own (a default) has none. */
const inBody = (name: string): string => (name ? `${name} in body` : 'in body');

/** Go's %v of a float64 bound: integral values print without a fraction. */
const num = (n: number): string => String(n);

export function usesIdentifier(ast: unknown, name: string): boolean {
  if (!ast || typeof ast !== 'object') return false;
  if (Array.isArray(ast)) return ast.some((x) => usesIdentifier(x, name));
  const node = ast as { op?: string; args?: unknown };
  if (node.op === 'id') return node.args === name;
  return usesIdentifier(node.args, name);
}

function compileRules(schema: JSONSchemaProps, cache: Map<JSONSchemaProps, CompiledRule[]>): void {
  const rules = schema['x-kubernetes-validations'];
  if (rules?.length) {
    cache.set(
      schema,
      rules.map((rule) => {
        const opts = { optionalOldSelf: rule.optionalOldSelf === true };
        const compiled = compileCel(rule.rule, ['self', 'oldSelf'], opts);
        if (!compiled.ok) return { rule, usesOldSelf: false, error: compiled.error };
        const out: CompiledRule = {
          rule,
          program: compiled.program,
          usesOldSelf: usesIdentifier(compiled.program.ast, 'oldSelf'),
        };
        if (rule.messageExpression) {
          const m = compileCel(rule.messageExpression, ['self', 'oldSelf'], opts);
          if (m.ok) out.message = m.program;
        }
        return out;
      }),
    );
  }
  for (const sub of Object.values(schema.properties ?? {})) compileRules(sub, cache);
  if (isObject(schema.additionalProperties))
    compileRules(schema.additionalProperties as JSONSchemaProps, cache);
  if (schema.items) compileRules(schema.items, cache);
}

export function compileVersionSchema(openAPIV3Schema: object): CompiledSchema {
  const root = openAPIV3Schema as JSONSchemaProps;
  const rules = new Map<JSONSchemaProps, CompiledRule[]>();
  compileRules(root, rules);
  return {
    schema: root,
    validate: (obj, oldObj, prior = []) => {
      const out: StatusCause[] = [];
      const schemaErrors: StatusCause[] = [];
      validateNode(root, obj, '', schemaErrors, true);
      validateLists(root, obj, '', schemaErrors);
      // Validation ratcheting (kube ≥ 1.30): on update, errors on values that did not change pass.
      out.push(
        ...(oldObj === undefined
          ? schemaErrors
          : schemaErrors.filter((c) => !unchanged(root, obj, oldObj, c.field))),
      );
      // customResourceStrategy.Validate: when the schema has CEL rules, type, required, enum,
      // maxLength, maxItems and maxProperties errors stop them, and one line says so.
      if (rules.size === 0) return out;
      if ([...prior, ...out].some((c) => BLOCKING.has(c.reason))) out.push(NOT_CHECKED);
      else validateCel(root, obj, oldObj, oldObj !== undefined, '', out, rules);
      return out;
    },
    applyDefaults: (obj) => {
      defaultNode(root, obj);
      return obj;
    },
    prune: (obj) => {
      const removed: string[] = [];
      pruneNode(root, obj, '', removed, true);
      return removed;
    },
  };
}

// ---------------------------------------------------------------- schema validation

const BLOCKING = new Set([
  'FieldValueNotSupported',
  'FieldValueRequired',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'FieldValueTypeInvalid',
]);

/** field.Invalid(nil, nil, …): the path prints as "<nil>", the value as "null". */
const NOT_CHECKED: StatusCause = causes.invalid(
  '<nil>',
  null,
  'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
);

function validateNode(
  s: JSONSchemaProps,
  v: unknown,
  path: string,
  out: StatusCause[],
  isRoot = false,
): void {
  const name = path;
  if (v === null || v === undefined) {
    if (
      v === null &&
      !s.nullable &&
      (s.type || s['x-kubernetes-int-or-string']) &&
      !s['x-kubernetes-preserve-unknown-fields']
    ) {
      // kube-openapi type validator: a null where a type is required.
      out.push(
        causes.typeInvalid(path, 'null', `${inBody(name)} must be of type ${s.type ?? 'string'}: "null"`),
      );
    }
    return;
  }
  const actual = jsonType(v);
  if (s['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string') {
      out.push(
        causes.typeInvalid(
          path,
          actual,
          `${inBody(name)} must be of type integer,string: ${JSON.stringify(actual)}`,
        ),
      );
      return;
    }
  } else if (s.type) {
    const ok = s.type === actual || (s.type === 'number' && actual === 'integer');
    if (!ok) {
      out.push(
        causes.typeInvalid(
          path,
          actual,
          `${inBody(name)} must be of type ${s.type}: ${JSON.stringify(actual)}`,
        ),
      );
      // kube-openapi goes on with the validators that apply to the value's own kind (enum, and
      // maximum for a float where an integer is declared), as kube-apiserver reports.
    }
  }
  if (typeof v === 'string') validateString(s, v, path, name, out);
  if (typeof v === 'number') validateNumber(s, v, path, name, out);
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems)
      out.push(causes.tooMany(path, v.length, s.maxItems));
    if (s.minItems !== undefined && v.length < s.minItems)
      out.push(causes.invalid(path, v.length, `${inBody(name)} should have at least ${s.minItems} items`));
    if (s.uniqueItems && v.some((x, i) => v.findIndex((y) => deepEqual(x, y)) !== i))
      out.push(causes.invalid(path, v, `${inBody(name)} shouldn't contain duplicates`));
  }
  if (s.enum && !s.enum.some((e) => deepEqual(e, v))) {
    out.push(
      causes.notSupported(
        path,
        v,
        s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
      ),
    );
  }
  if (isObject(v)) validateObject(s, v, path, name, out, isRoot);
  if (Array.isArray(v) && s.items)
    v.forEach((x, i) => {
      validateNode(s.items as JSONSchemaProps, x, index(path, i), out);
    });
}

function validateString(s: JSONSchemaProps, v: string, path: string, name: string, out: StatusCause[]): void {
  const len = [...v].length;
  // kube-openapi counts characters; apiextensions reports the TooLong with the schema's maxLength.
  // kube-openapi's string validator reports the first of maxLength, minLength, pattern only.
  if (s.maxLength !== undefined && len > s.maxLength) out.push(causes.tooLong(path, s.maxLength));
  else if (s.minLength !== undefined && len < s.minLength)
    out.push(causes.invalid(path, v, `${inBody(name)} should be at least ${s.minLength} chars long`));
  else if (s.pattern !== undefined && !patternMatches(s.pattern, v))
    out.push(causes.invalid(path, v, `${inBody(name)} should match '${s.pattern}'`));
  if (s.format && !s['x-kubernetes-int-or-string']) {
    const ok = checkFormat(s.format, v);
    if (ok === false)
      out.push(
        causes.typeInvalid(path, v, `${inBody(name)} must be of type ${s.format}: ${JSON.stringify(v)}`),
      );
  }
}

type Pattern = { test(s: string): boolean } | { error: string };
const patternCache = new Map<string, Pattern>();

/**
 * `pattern` is a Go (RE2) regular expression in kube: compiled with @bufbuild/re2, so that
 * ECMAScript-only syntax (lookaround, backreferences) is refused as kube-apiserver refuses it and
 * matching follows RE2 (unanchored search, as regexp.MatchString).
 */
export function compilePattern(pattern: string): Pattern {
  let p = patternCache.get(pattern);
  if (!p) {
    try {
      const re = RE2JS.compile(pattern);
      p = { test: (s: string) => re.test(s) };
    } catch (e) {
      p = { error: e instanceof Error ? e.message : String(e) };
    }
    patternCache.set(pattern, p);
  }
  return p;
}

function patternMatches(pattern: string, v: string): boolean {
  const re = compilePattern(pattern);
  return 'test' in re ? re.test(v) : true;
}

function validateNumber(s: JSONSchemaProps, v: number, path: string, name: string, out: StatusCause[]): void {
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)
      out.push(
        causes.invalid(
          path,
          v,
          `${inBody(name)} should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${num(s.maximum)}`,
        ),
      );
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)
      out.push(
        causes.invalid(
          path,
          v,
          `${inBody(name)} should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${num(s.minimum)}`,
        ),
      );
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0) {
    const q = v / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9)
      out.push(causes.invalid(path, v, `${inBody(name)} should be a multiple of ${num(s.multipleOf)}`));
  }
}

function validateObject(
  s: JSONSchemaProps,
  v: Record<string, unknown>,
  path: string,
  name: string,
  out: StatusCause[],
  isRoot: boolean,
): void {
  if (!isRoot && s['x-kubernetes-embedded-resource']) validateEmbedded(v, path, out);
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties)
    out.push(causes.tooMany(path, n, s.maxProperties));
  if (s.minProperties !== undefined && n < s.minProperties)
    out.push(causes.invalid(path, n, `${inBody(name)} should have at least ${s.minProperties} properties`));
  for (const [k, sub] of Object.entries(v)) {
    // The root's apiVersion/kind/metadata are checked by the server's object-meta validation; the
    // schema may only narrow metadata.name and metadata.generateName.
    if (isRoot && k === 'metadata') {
      const meta = s.properties?.metadata;
      if (meta && isObject(sub)) {
        for (const f of ['name', 'generateName'])
          if (meta.properties?.[f] && sub[f] !== undefined)
            validateNode(meta.properties[f], sub[f], child('metadata', f), out);
      }
      continue;
    }
    const ps =
      s.properties?.[k] ??
      (isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined);
    if (ps) validateNode(ps, sub, child(path, k), out);
  }
  // kube-openapi's object validator checks required properties after the present ones.
  for (const req of s.required ?? [])
    if (!(req in v) || v[req] === undefined) out.push(causes.required(child(path, req)));
}

// objectmeta validation of x-kubernetes-embedded-resource objects: apiVersion and kind required.
function validateEmbedded(v: Record<string, unknown>, path: string, out: StatusCause[]): void {
  for (const k of ['apiVersion', 'kind']) {
    const x = v[k];
    if (x === undefined) out.push(causes.required(child(path, k), 'must not be empty'));
    else if (typeof x !== 'string') out.push(causes.invalid(child(path, k), x, 'must be a string'));
    else if (x === '') out.push(causes.invalid(child(path, k), x, 'must not be empty'));
    else if (k === 'apiVersion' && x.split('/').length > 2)
      out.push(causes.invalid(child(path, k), x, `unexpected GroupVersion string: ${x}`));
  }
}

// listtype.ValidateListSetsAndMaps: runs as its own pass after the OpenAPI validator.
function validateLists(s: JSONSchemaProps, v: unknown, path: string, out: StatusCause[]): void {
  if (Array.isArray(v)) {
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'set') {
      v.forEach((x, i) => {
        if (v.findIndex((y) => deepEqual(x, y)) < i) out.push(causes.duplicate(index(path, i), goValue(x)));
      });
    } else if (lt === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      const keyOf = (x: unknown): Record<string, unknown> => {
        const r: Record<string, unknown> = {};
        if (isObject(x)) for (const k of keys) if (x[k] !== undefined) r[k] = x[k];
        return r;
      };
      v.forEach((x, i) => {
        if (v.findIndex((y) => deepEqual(keyOf(x), keyOf(y))) < i)
          out.push(causes.duplicate(index(path, i), goValue(keyOf(x))));
      });
    }
    if (s.items)
      v.forEach((x, i) => {
        validateLists(s.items as JSONSchemaProps, x, index(path, i), out);
      });
  } else if (isObject(v)) {
    for (const [k, sub] of Object.entries(v)) {
      const ps =
        s.properties?.[k] ??
        (isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined);
      if (ps) validateLists(ps, sub, child(path, k), out);
    }
  }
}

/**
 * Whether the value at `path` (or one of its ancestors) is unchanged from the old object, following
 * kube's correlation: object fields by name, map-list items by key, set items by value; items of
 * atomic lists do not correlate.
 */
function unchanged(root: JSONSchemaProps, obj: unknown, old: unknown, path: string): boolean {
  const segments = path.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let s: JSONSchemaProps | undefined = root;
  let cur: unknown = obj;
  let prev: unknown = old;
  for (const seg of segments) {
    if (deepEqual(cur, prev)) return true;
    if (seg.startsWith('[')) {
      if (!Array.isArray(cur) || !Array.isArray(prev) || !s) return false;
      const item: unknown = cur[Number(seg.slice(1, -1))];
      const lt = s['x-kubernetes-list-type'];
      if (lt === 'map') {
        const keys = s['x-kubernetes-list-map-keys'] ?? [];
        prev = prev.find((o) => isObject(o) && isObject(item) && keys.every((k) => deepEqual(o[k], item[k])));
      } else if (lt === 'set') {
        prev = prev.find((o) => deepEqual(o, item));
      } else return false;
      cur = item;
      s = s.items;
    } else {
      if (!isObject(cur) || !isObject(prev)) return false;
      cur = cur[seg];
      prev = prev[seg];
      s =
        s?.properties?.[seg] ??
        (isObject(s?.additionalProperties) ? (s?.additionalProperties as JSONSchemaProps) : undefined);
    }
  }
  return prev !== undefined && deepEqual(cur, prev);
}

// ---------------------------------------------------------------- CEL

function schemaTypeName(s: JSONSchemaProps): string {
  if (s['x-kubernetes-int-or-string']) return '';
  return s.type ?? 'object';
}

function fieldErrorForReason(
  reason: string | undefined,
  path: string,
  s: JSONSchemaProps,
  detail: string,
): StatusCause {
  switch (reason) {
    case 'FieldValueForbidden':
      return causes.forbidden(path, detail);
    case 'FieldValueRequired':
      return causes.required(path, detail);
    case 'FieldValueDuplicate':
      return causes.duplicate(path, schemaTypeName(s));
    default:
      return causes.invalid(path, schemaTypeName(s), detail);
  }
}

/** fieldPath is a JSONPath relative to the node: ".spec.x", ".m['key']", ".l[0]". */
export function joinFieldPath(path: string, fieldPath: string): string {
  let out = path;
  const re = /\.([A-Za-z_][\w-]*)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/gy;
  for (let m = re.exec(fieldPath); m; m = re.exec(fieldPath)) {
    if (m[1] !== undefined) out = child(out, m[1]);
    else if (m[2] !== undefined) out = child(out, m[2]);
    else out = `${out}[${m[3]}]`;
  }
  return out;
}

function validateCel(
  s: JSONSchemaProps,
  v: unknown,
  old: unknown,
  hasOld: boolean,
  path: string,
  out: StatusCause[],
  rules: Map<JSONSchemaProps, CompiledRule[]>,
): void {
  if (v === undefined || v === null) return;
  const nodeRules = rules.get(s);
  if (nodeRules) {
    const self = toCel(v, s);
    for (const r of nodeRules) {
      if (!r.program) continue;
      const optional = r.rule.optionalOldSelf === true;
      if (r.usesOldSelf && !hasOld && !optional) continue;
      // Ratcheting: a rule without oldSelf is not re-checked on a value the update left unchanged.
      if (!r.usesOldSelf && hasOld && deepEqual(v, old)) continue;
      const oldSelf = optional
        ? optionalOf(hasOld ? toCel(old, s) : undefined)
        : hasOld
          ? toCel(old, s)
          : null;
      const target = r.rule.fieldPath ? joinFieldPath(path, r.rule.fieldPath) : path;
      let result: unknown;
      try {
        result = r.program.run({ self, oldSelf });
      } catch (e) {
        const msg = celGoError(e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e));
        // cel.Validator: ruleErrorString names the rule by its message when it has one.
        const ruleName = r.rule.message?.trim() || r.rule.rule.trim();
        const detail = /^(no such overload|found no matching overload)/.test(msg)
          ? `'${msg}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleName}`
          : `${msg} evaluating rule: ${ruleName}`;
        out.push(causes.invalid(target, schemaTypeName(s), detail));
        continue;
      }
      if (result === true) continue;
      out.push(fieldErrorForReason(r.rule.reason, target, s, ruleMessage(r, self, oldSelf)));
    }
  }
  if (Array.isArray(v) && s.items) {
    const items = s.items;
    const keys = s['x-kubernetes-list-type'] === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : undefined;
    v.forEach((x, i) => {
      // Only map-list items correlate with their old selves (by key); other list items are new.
      let oldItem: unknown;
      let found = false;
      if (keys && Array.isArray(old) && isObject(x)) {
        oldItem = old.find((o) => isObject(o) && keys.every((k) => deepEqual(o[k], x[k])));
        found = oldItem !== undefined;
      }
      validateCel(items, x, oldItem, found, index(path, i), out, rules);
    });
  } else if (isObject(v)) {
    for (const [k, sub] of Object.entries(v)) {
      const ps =
        s.properties?.[k] ??
        (isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined);
      if (!ps) continue;
      const oldSub = hasOld && isObject(old) ? old[k] : undefined;
      validateCel(ps, sub, oldSub, oldSub !== undefined, child(path, k), out, rules);
    }
  }
}

/** cel-js runtime errors in cel-go's words (types.Err), which kube embeds in its messages. */
export function celGoError(msg: string): string {
  const index = /^No such key: index out of bounds, index (-?\d+)/.exec(msg);
  if (index) return `index out of bounds: ${index[1]}`;
  const key = /^No such key: (.*)$/.exec(msg);
  if (key) return `no such key: ${key[1]}`;
  if (msg.startsWith('integer overflow')) return 'integer overflow';
  if (msg.startsWith('no such overload')) return 'no such overload';
  return msg;
}

function ruleMessage(r: CompiledRule, self: unknown, oldSelf: unknown): string {
  if (r.message) {
    try {
      const m = r.message.run({ self, oldSelf });
      if (typeof m === 'string' && m.trim() !== '' && !/[\n\r]/.test(m)) return m;
    } catch {
      // kube falls back to message (or the default) when messageExpression fails
    }
  }
  if (r.rule.message) return r.rule.message;
  return `failed rule: ${r.rule.rule.trim()}`;
}

// ---------------------------------------------------------------- defaulting

function defaultNode(s: JSONSchemaProps, v: unknown): void {
  if (Array.isArray(v)) {
    if (s.items) for (const x of v) defaultNode(s.items, x);
    return;
  }
  if (!isObject(v)) return;
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    if (ps.default !== undefined && (v[k] === undefined || (v[k] === null && !ps.nullable)))
      v[k] = structuredClone(ps.default);
    // PruneNonNullableNullsWithoutDefaults: a null where null is not allowed is as if absent.
    else if (v[k] === null && !ps.nullable) delete v[k];
  }
  const values = isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
  if (values && !s.properties && !values.nullable)
    for (const k of Object.keys(v)) {
      if (v[k] !== null) continue;
      if (values.default !== undefined) v[k] = structuredClone(values.default);
      else delete v[k];
    }
  for (const [k, sub] of Object.entries(v)) {
    const ps =
      s.properties?.[k] ??
      (isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined);
    if (ps) defaultNode(ps, sub);
  }
}

// ---------------------------------------------------------------- pruning

function pruneMeta(meta: unknown, path: string, removed: string[]): void {
  if (!isObject(meta)) return;
  for (const k of Object.keys(meta))
    if (!OBJECT_META_FIELDS.has(k)) {
      delete meta[k];
      removed.push(child(path, k));
    }
}

function pruneNode(s: JSONSchemaProps, v: unknown, path: string, removed: string[], isRoot = false): void {
  if (Array.isArray(v)) {
    if (s.items)
      v.forEach((x, i) => {
        pruneNode(s.items as JSONSchemaProps, x, index(path, i), removed);
      });
    return;
  }
  if (!isObject(v)) return;
  const embedded = isRoot || s['x-kubernetes-embedded-resource'] === true;
  for (const k of Object.keys(v)) {
    if (embedded && (k === 'apiVersion' || k === 'kind')) continue;
    if (embedded && k === 'metadata') {
      pruneMeta(v[k], child(path, k), removed);
      continue;
    }
    const ps = s.properties?.[k];
    if (ps) {
      pruneNode(ps, v[k], child(path, k), removed);
    } else if (isObject(s.additionalProperties)) {
      pruneNode(s.additionalProperties as JSONSchemaProps, v[k], child(path, k), removed);
    } else if (!s['x-kubernetes-preserve-unknown-fields'] && s.additionalProperties !== true) {
      delete v[k];
      removed.push(child(path, k));
    }
  }
}
