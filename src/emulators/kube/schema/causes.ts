// Field errors worded as k8s.io/apimachinery/pkg/util/validation/field (errors.go: Error.ErrorBody,
// Required, Invalid, TypeInvalid, NotSupported, TooLong, TooMany, Duplicate, Forbidden) and turned
// into a Status as k8s.io/apimachinery/pkg/api/errors.NewInvalid does it.

export type StatusCause = { reason: string; message: string; field: string };

export type CauseReason =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound'
  | 'InternalError';

/** A value already rendered as Go prints it (see goValue). */
export class GoRendered {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/**
 * Renders a bad value as ErrorBody does: strings quoted (Go %q), scalars bare, nil as "null" (it
 * becomes the string "null" before quoting), values from goValue as Go printed them, the rest as JSON.
 */
export function renderValue(value: unknown): string {
  if (value instanceof GoRendered) return value.text;
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return '"null"';
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
}

/**
 * A decoded JSON number as Go's %v prints it: an int64 when integral and in range, otherwise a
 * float64 in %g's shortest form, with an exponent below 1e-4 or from 1e6 on (1.2345675e+06).
 */
export function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}

/**
 * An unstructured value (decoded JSON) as ErrorBody prints a map or slice: Go's %#v of
 * map[string]interface{} (keys sorted) and []interface{}. Scalars are left to renderValue.
 */
export function goValue(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? new GoRendered(goSyntax(value)) : value;
}

function goSyntax(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  const o = v as Record<string, unknown>;
  const entries = Object.keys(o)
    .sort()
    .map((k) => `${goQuote(k)}:${goSyntax(o[k])}`);
  return `map[string]interface {}{${entries.join(', ')}}`;
}

/** Go's %q for the characters a Kubernetes value can carry. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function cause(reason: CauseReason, field: string, message: string): StatusCause {
  return { reason, message, field };
}

const withDetail = (head: string, detail: string): string => (detail ? `${head}: ${detail}` : head);

export const causes = {
  required: (field: string, detail = ''): StatusCause =>
    cause('FieldValueRequired', field, withDetail('Required value', detail)),
  invalid: (field: string, value: unknown, detail: string): StatusCause =>
    cause('FieldValueInvalid', field, withDetail(`Invalid value: ${renderValue(value)}`, detail)),
  /** field.Invalid with a value already rendered (Go's %#v of a struct, for instance). */
  invalidRendered: (field: string, rendered: string, detail: string): StatusCause =>
    cause('FieldValueInvalid', field, withDetail(`Invalid value: ${rendered}`, detail)),
  typeInvalid: (field: string, value: unknown, detail: string): StatusCause =>
    cause('FieldValueTypeInvalid', field, withDetail(`Invalid value: ${renderValue(value)}`, detail)),
  notSupported: (field: string, value: unknown, supported: readonly string[]): StatusCause =>
    cause(
      'FieldValueNotSupported',
      field,
      withDetail(
        `Unsupported value: ${renderValue(value)}`,
        supported.length ? `supported values: ${supported.map(goQuote).join(', ')}` : '',
      ),
    ),
  /** field.TooLong: the value is omitted from the body. */
  tooLong: (field: string, max: number): StatusCause =>
    cause(
      'FieldValueTooLong',
      field,
      max >= 0 ? `Too long: may not be more than ${max} bytes` : 'Too long: value is too long',
    ),
  /** field.TooMany: "Too many: <actual>: must have at most <max> items". */
  tooMany: (field: string, actual: number, max: number): StatusCause =>
    cause(
      'FieldValueTooMany',
      field,
      withDetail(
        actual >= 0 ? `Too many: ${actual}` : 'Too many',
        max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items',
      ),
    ),
  duplicate: (field: string, value: unknown): StatusCause =>
    cause('FieldValueDuplicate', field, `Duplicate value: ${renderValue(value)}`),
  forbidden: (field: string, detail: string): StatusCause =>
    cause('FieldValueForbidden', field, withDetail('Forbidden', detail)),
  notFound: (field: string, value: unknown): StatusCause =>
    cause('FieldValueNotFound', field, `Not found: ${renderValue(value)}`),
  internal: (field: string, detail: string): StatusCause =>
    cause('InternalError', field, withDetail('Internal error', detail)),
};

/** field.Error.Error(): "<field>: <body>" (the body alone when there is no field). */
export function causeToString(c: StatusCause): string {
  return c.field ? `${c.field}: ${c.message}` : c.message;
}

export type InvalidStatus = {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: 'Invalid';
  details: { name: string; group: string; kind: string; causes: StatusCause[] };
  code: 422;
};

/**
 * errors.NewInvalid: message `<Kind>.<group> "<name>" is invalid: <aggregate>`; the aggregate is the
 * single error's text, or "[a, b]" for several (utilerrors.NewAggregate dedupes identical messages).
 * The core group renders the kind alone ("ConfigMap \"x\" is invalid").
 */
export function invalidStatus(
  kind: string,
  group: string,
  name: string,
  list: readonly StatusCause[],
): InvalidStatus {
  const texts = [...new Set(list.map(causeToString))];
  const aggregate = texts.length === 1 ? (texts[0] ?? '') : `[${texts.join(', ')}]`;
  const qualified = group ? `${kind}.${group}` : kind;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${qualified} ${goQuote(name)} is invalid: ${aggregate}`,
    reason: 'Invalid',
    details: {
      name,
      group,
      kind,
      causes: list.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
    },
    code: 422,
  };
}
