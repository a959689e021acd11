// Builders for the CRD schemas. Each one yields a TypeBox schema that is also a legal Kubernetes
// *structural* schema: every node typed, no $ref, no properties+additionalProperties together, no
// uniqueItems, list types declared, and every string/list a CEL rule may walk bounded, so the
// API server's CEL cost estimate stays within budget. Kind files use only these builders.
import Type, { type Static, type TProperties, type TSchema } from 'typebox';

export type { Static, TSchema };

/**
 * A CEL rule as stored in `x-kubernetes-validations`. Only `rule` and `message`: `fieldPath` and
 * `reason` need Kubernetes 1.28 and a 1.25 API server rejects them under strict field validation, so
 * each rule sits on the narrowest object that can express it and its message names the field.
 */
export interface CelRule {
  rule: string;
  message: string;
}

export function celRule(rule: string, message: string): CelRule {
  return { rule, message };
}

/** Transition rule: the field may be set once and never changed afterwards. */
export function immutable(field: string): CelRule {
  return celRule(
    'self == oldSelf',
    `${field} is immutable: changing it replaces the AWS resource; delete and recreate the object instead`,
  );
}

interface Common {
  description: string;
  rules?: CelRule[];
}

function extras(o: Common): Record<string, unknown> {
  const out: Record<string, unknown> = { description: o.description };
  if (o.rules && o.rules.length > 0) out['x-kubernetes-validations'] = o.rules;
  return out;
}

export interface StringOptions extends Common {
  maxLength: number;
  minLength?: number;
  pattern?: string;
  format?: 'date-time';
  default?: string;
}

/** A bounded string. `maxLength` is mandatory so CEL cost estimation stays finite. */
export function str(o: StringOptions) {
  const s: Record<string, unknown> = { ...extras(o), maxLength: o.maxLength };
  if (o.minLength !== undefined) s.minLength = o.minLength;
  if (o.pattern !== undefined) s.pattern = o.pattern;
  if (o.format !== undefined) s.format = o.format;
  if (o.default !== undefined) s.default = o.default;
  return Type.String(s);
}

/** RFC 3339 timestamp string. */
export function timestamp(description: string, rules?: CelRule[]) {
  return str({ description, maxLength: 64, format: 'date-time', ...(rules ? { rules } : {}) });
}

/** A string restricted to a fixed set of values (a structural `enum`, not an `anyOf` of literals). */
export function enumOf<const T extends readonly string[]>(values: T, o: Common & { default?: T[number] }) {
  const s: Record<string, unknown> = { ...extras(o), type: 'string', enum: [...values] };
  if (o.default !== undefined) s.default = o.default;
  return Type.Unsafe<T[number]>(s);
}

export interface IntegerOptions extends Common {
  minimum: number;
  maximum: number;
  default?: number;
}

export function int(o: IntegerOptions) {
  const s: Record<string, unknown> = { ...extras(o), minimum: o.minimum, maximum: o.maximum };
  if (o.default !== undefined) s.default = o.default;
  return Type.Integer(s);
}

export function bool(o: Common & { default?: boolean }) {
  const s: Record<string, unknown> = { ...extras(o) };
  if (o.default !== undefined) s.default = o.default;
  return Type.Boolean(s);
}

/** An object with known properties (never additionalProperties). */
export function obj<P extends TProperties>(properties: P, o: Common) {
  return Type.Object(properties, extras(o));
}

export interface ListOptions extends Common {
  maxItems: number;
  minItems?: number;
  /** `atomic` (ordered, replaced whole), `set` (scalars, unique) or `map` (objects keyed by `mapKeys`). */
  listType: 'atomic' | 'set' | 'map';
  mapKeys?: readonly string[];
}

export function list<T extends TSchema>(items: T, o: ListOptions) {
  const s: Record<string, unknown> = {
    ...extras(o),
    maxItems: o.maxItems,
    'x-kubernetes-list-type': o.listType,
  };
  if (o.minItems !== undefined) s.minItems = o.minItems;
  if (o.listType === 'map') {
    if (!o.mapKeys || o.mapKeys.length === 0) throw new Error('list: listType map needs mapKeys');
    s['x-kubernetes-list-map-keys'] = [...o.mapKeys];
  }
  return Type.Array(items, s);
}

export interface MapOptions extends Common {
  maxProperties: number;
  minProperties?: number;
  /**
   * Pattern every key must match. Structural schemas cannot constrain keys, so this is kept beside the
   * schema (see `mapKeyPattern`) for local validation, never emitted into the CRD.
   */
  keyPattern?: string;
}

const keyPatterns = new WeakMap<object, string>();

/** The key pattern a `map()` node was built with, if any. */
export function mapKeyPattern(node: object): string | undefined {
  return keyPatterns.get(node);
}

/** A string-keyed map (`additionalProperties` only). Key rules go into CEL via `rules`. */
export function map<V extends TSchema>(value: V, o: MapOptions) {
  const s: Record<string, unknown> = {
    ...extras(o),
    type: 'object',
    additionalProperties: value,
    maxProperties: o.maxProperties,
  };
  if (o.minProperties !== undefined) s.minProperties = o.minProperties;
  const node = Type.Unsafe<Record<string, Static<V>>>(s);
  if (o.keyPattern !== undefined) keyPatterns.set(node, o.keyPattern);
  return node;
}

/** An opaque object (only `metadata`, which the API server validates itself; no description allowed there). */
export function opaqueObject<T>(description?: string) {
  return Type.Unsafe<T>(description === undefined ? { type: 'object' } : { type: 'object', description });
}

/** Marks a property optional (keeps a map's key pattern attached to the new node). */
export function optional<T extends TSchema>(schema: T) {
  const node = Type.Optional(schema);
  const pattern = keyPatterns.get(schema);
  if (pattern !== undefined) keyPatterns.set(node, pattern);
  return node;
}
