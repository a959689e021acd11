// CustomResourceDefinition validation after apiextensions-apiserver's
// pkg/apis/apiextensions/validation (ValidateCustomResourceDefinition, ValidateCustomResourceDefinitionOpenAPISchema)
// and pkg/apiserver/schema (structural invariants). Paths follow the internal version the server
// reports them in: a schema shared by every version is reported as spec.validation.openAPIV3Schema.

import { causes, goQuote, type StatusCause } from './causes.ts';
import { type CelAst, celError, parseCel } from './cel.ts';
import { type CelType, checkExpression, ruleVariables } from './celtypes.ts';
import { compilePattern, compileVersionSchema, usesIdentifier } from './compile.ts';
import {
  costErrorMessage,
  estimateCost,
  MAX_REQUEST_SIZE_BYTES,
  maxSize,
  PER_CRD_COST_LIMIT,
  PER_RULE_COST_LIMIT,
  UNBOUNDED,
} from './cost.ts';
import { isObject, type JSONSchemaProps, type ValidationRule } from './types.ts';

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RULE_REASONS = [
  'FieldValueDuplicate',
  'FieldValueForbidden',
  'FieldValueInvalid',
  'FieldValueRequired',
];

type CrdVersion = {
  name?: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
/** IsDNS1035Label's errors joined as kube joins them. */
function dns1035(v: string): string | undefined {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1035.test(v)) errs.push(DNS1035_MSG);
  return errs.length ? errs.join(',') : undefined;
}

/** Go's %#v of apiextensions.ValidationRule, the value kube prints for a rule that fails to compile. */
function renderRule(r: ValidationRule): string {
  const ptr = (set: boolean, type: string) => (set ? `(${type})(0xc000a1b2c0)` : `(${type})(nil)`);
  return (
    `apiextensions.ValidationRule{Rule:${goQuote(r.rule ?? '')}, Message:${goQuote(r.message ?? '')}, ` +
    `MessageExpression:${goQuote(r.messageExpression ?? '')}, Reason:${ptr(r.reason !== undefined, '*apiextensions.FieldValueErrorReason')}, ` +
    `FieldPath:${goQuote(r.fieldPath ?? '')}, OptionalOldSelf:${ptr(r.optionalOldSelf !== undefined, '*bool')}}`
  );
}

/**
 * The generic object-meta check of a CRD's name (a DNS-1123 subdomain), which the API server runs
 * for every cluster-scoped object; the kube emulator's API does it for all kinds, so validateCrd
 * leaves it out and `imctl validate` adds it.
 */
export function validateCrdName(crd: object): StatusCause[] {
  const meta = (crd as { metadata?: { name?: unknown } }).metadata;
  const name = str(meta?.name);
  if (!name || (name.length <= 253 && DNS1123_SUBDOMAIN.test(name))) return [];
  const detail = name.length > 253 ? 'must be no more than 253 characters' : SUBDOMAIN_MSG;
  return [causes.invalid('metadata.name', name, detail)];
}

export function validateCrd(crd: object, oldCrd?: object): StatusCause[] {
  const out: StatusCause[] = [];
  const c = crd as Record<string, unknown>;
  const meta = (isObject(c.metadata) ? c.metadata : {}) as Record<string, unknown>;
  const spec = (isObject(c.spec) ? c.spec : {}) as Record<string, unknown>;
  const names = (isObject(spec.names) ? spec.names : {}) as Record<string, unknown>;
  const group = str(spec.group);
  const plural = str(names.plural);

  if (str(meta.name) !== `${plural}.${group}`)
    out.push(causes.invalid('metadata.name', str(meta.name), 'must be spec.names.plural+"."+spec.group'));

  if (!group) out.push(causes.required('spec.group', ''));
  else if (!group.includes('.'))
    out.push(causes.invalid('spec.group', group, 'should be a domain with at least one dot'));
  else if (!DNS1123_SUBDOMAIN.test(group))
    out.push(
      causes.invalid(
        'spec.group',
        group,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    );

  const scope = str(spec.scope);
  if (!scope) out.push(causes.required('spec.scope', ''));
  else if (scope !== 'Cluster' && scope !== 'Namespaced')
    out.push(causes.notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));

  validateNames(names, out);

  const versions = (Array.isArray(spec.versions) ? spec.versions : []) as CrdVersion[];
  if (versions.length === 0)
    out.push(causes.required('spec.versions', 'must have exactly one version marked as storage version'));
  const storage = versions.filter((v) => v.storage === true).length;
  if (versions.length > 0 && storage !== 1)
    out.push(
      causes.invalid(
        'spec.versions',
        versions.map((v) => v.name),
        'must have exactly one version marked as storage version',
      ),
    );
  const seen = new Set<string>();
  const firstName = str(versions[0]?.name);
  versions.forEach((v, i) => {
    const name = str(v.name);
    if (!name) out.push(causes.required(`spec.versions[${i}].name`));
    else if (!DNS1035.test(name))
      out.push(
        causes.invalid(
          `spec.versions[${i}].name`,
          name,
          "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        ),
      );
    if (seen.has(name)) out.push(causes.duplicate(`spec.versions[${i}].name`, name));
    seen.add(name);
  });
  // the internal version's spec.version is the first version's name
  if (firstName && !DNS1035.test(firstName)) out.push(causes.invalid('spec.version', firstName, DNS1035_MSG));

  // Identical per-version schemas are hoisted to spec.validation by the internal conversion.
  const schemas = versions.map((v) => v.schema?.openAPIV3Schema);
  const shared =
    schemas.length > 0 &&
    schemas.every((s) => isObject(s) && JSON.stringify(s) === JSON.stringify(schemas[0]));
  validateColumnsAndSubresources(versions, out);
  versions.forEach((v, i) => {
    if (shared && i > 0) return;
    const path = shared ? 'spec.validation.openAPIV3Schema' : `spec.versions[${i}].schema.openAPIV3Schema`;
    const schema = v.schema?.openAPIV3Schema;
    if (!isObject(schema)) {
      out.push(causes.required(path, 'schemas are required'));
      return;
    }
    validateVersionSchema(schema, path, out);
  });
  if (oldCrd) validateUpdate(crd, oldCrd, out);
  return out;
}

/**
 * One version's schema, in kube's order: structural invariants and schema errors; defaults only
 * when those pass; CEL rules (compilation, per-rule and per-CRD cost) only when the schema is clean,
 * because kube builds the CEL type information from a valid structural schema.
 */
function validateVersionSchema(schema: JSONSchemaProps, path: string, out: StatusCause[]): void {
  const schemaErrors: StatusCause[] = [];
  validateSchemaRoot(schema, path, schemaErrors);
  out.push(...schemaErrors);
  if (schemaErrors.length > 0) return;
  const defaultErrors: StatusCause[] = [];
  validateDefaults(schema, path, defaultErrors);
  out.push(...defaultErrors);
  if (defaultErrors.length > 0) return;
  const costs: { path: string; cost: number }[] = [];
  walkRules(schema, path, 1, undefined, out, costs, true);
  const total = costs.reduce((a, b) => a + b.cost, 0);
  if (total > PER_CRD_COST_LIMIT) {
    // kube names the most expensive expressions (TotalCost.MostExpensive: at most 4 of those costing
    // at least 1% of the per-rule limit, in the order observed until a fifth forces a sort), then the total.
    const most: { path: string; cost: number }[] = [];
    for (const r of costs) {
      if (r.cost < PER_RULE_COST_LIMIT / 100) continue;
      if (most.length < 4) {
        most.push(r);
        continue;
      }
      most.sort((a, b) => b.cost - a.cost);
      if (r.cost > (most[3]?.cost ?? 0)) most[3] = r;
    }
    for (const r of most) {
      out.push(
        causes.forbidden(
          r.path,
          'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema',
        ),
      );
    }
    out.push(
      causes.forbidden(
        path,
        costErrorMessage(
          'x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema',
          total,
          PER_CRD_COST_LIMIT,
        ),
      ),
    );
  }
}

// ValidateCustomResourceDefinitionNames: DNS-1035 labels; kind and listKind in mixed case.
function validateNames(names: Record<string, unknown>, out: StatusCause[]): void {
  const plural = str(names.plural);
  const label = (field: string, v: string) => {
    const e = dns1035(v);
    if (e) out.push(causes.invalid(`spec.names.${field}`, v, e));
  };
  const mixed = (field: string, v: string) => {
    const e = dns1035(v.toLowerCase());
    if (e)
      out.push(
        causes.invalid(`spec.names.${field}`, v, `may have mixed case, but should otherwise match: ${e}`),
      );
  };
  if (plural) label('plural', plural);
  const singular = str(names.singular);
  if (singular) label('singular', singular);
  const kind = str(names.kind);
  if (kind) mixed('kind', kind);
  const listKind = str(names.listKind);
  if (listKind) mixed('listKind', listKind);
  const shortNames = Array.isArray(names.shortNames) ? names.shortNames : [];
  shortNames.forEach((x, i) => {
    label(`shortNames[${i}]`, str(x));
  });
  if (kind && listKind === kind)
    out.push(causes.invalid('spec.names.listKind', listKind, 'kind and listKind may not be the same'));
  const categories = Array.isArray(names.categories) ? names.categories : [];
  categories.forEach((x, i) => {
    label(`categories[${i}]`, str(x));
  });
  if (!plural) out.push(causes.required('spec.names.plural', ''));
  if (!kind) out.push(causes.required('spec.names.kind', ''));
}

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'name', 'password'];

function simpleJsonPath(path: string, field: string, s: string, out: StatusCause[]): boolean {
  if (s.length === 0) out.push(causes.invalid(field, s, 'must not be empty'));
  else if (s[0] !== '.') out.push(causes.invalid(field, s, 'must be a simple json path starting with .'));
  else return true;
  void path;
  return false;
}

/**
 * Printer columns and subresources, reported at spec.* when every version has the same ones (the
 * internal version hoists them), else per version.
 */
function validateColumnsAndSubresources(versions: Record<string, unknown>[], out: StatusCause[]): void {
  for (const key of ['additionalPrinterColumns', 'subresources'] as const) {
    const all = versions.map((v) => v[key]);
    const hoisted = all.length > 0 && all.every((x) => JSON.stringify(x) === JSON.stringify(all[0]));
    all.forEach((x, i) => {
      if (x === undefined || (hoisted && i > 0)) return;
      const base = hoisted ? `spec.${key}` : `spec.versions[${i}].${key}`;
      if (key === 'additionalPrinterColumns' && Array.isArray(x))
        x.forEach((col: Record<string, unknown>, j) => {
          const p = `${base}[${j}]`;
          const t = str(col.type);
          if (!str(col.name)) out.push(causes.required(`${p}.name`, ''));
          if (!t) out.push(causes.required(`${p}.type`, `must be one of ${COLUMN_TYPES.join(',')}`));
          else if (!COLUMN_TYPES.includes(t))
            out.push(causes.invalid(`${p}.type`, t, `must be one of ${COLUMN_TYPES.join(',')}`));
          const f = str(col.format);
          if (f && !COLUMN_FORMATS.includes(f))
            out.push(causes.invalid(`${p}.format`, f, `must be one of ${COLUMN_FORMATS.join(',')}`));
          const jp = str(col.jsonPath);
          if (!jp) out.push(causes.required(`${p}.JSONPath`, ''));
          else simpleJsonPath(p, `${p}.JSONPath`, jp, out);
        });
      if (key === 'subresources' && isObject(x) && isObject(x.scale)) {
        const scale = x.scale;
        for (const [k, under] of [
          ['specReplicasPath', '.spec.'],
          ['statusReplicasPath', '.status.'],
        ] as const) {
          const v = str(scale[k]);
          const f = `${base}.scale.${k}`;
          if (!v) out.push(causes.required(f, ''));
          else if (simpleJsonPath(base, f, v, out) && !v.startsWith(under))
            out.push(causes.invalid(f, v, `should be a json path under ${under.slice(0, -1)}`));
        }
        const sel = str(scale.labelSelectorPath);
        const f = `${base}.scale.labelSelectorPath`;
        if (sel && simpleJsonPath(base, f, sel, out) && !sel.startsWith('.status.'))
          out.push(causes.invalid(f, sel, 'should be a json path under .status'));
      }
    });
  }
}

function validateUpdate(crd: object, oldCrd: object, out: StatusCause[]): void {
  const spec = (crd as { spec?: Record<string, unknown> }).spec ?? {};
  const old = (oldCrd as { spec?: Record<string, unknown> }).spec ?? {};
  if (old.group !== undefined && spec.group !== old.group)
    out.push(causes.invalid('spec.group', spec.group, 'field is immutable'));
  const oldNames = (old.names ?? {}) as Record<string, unknown>;
  const names = (spec.names ?? {}) as Record<string, unknown>;
  if (oldNames.plural !== undefined && names.plural !== oldNames.plural)
    out.push(causes.invalid('spec.names.plural', names.plural, 'field is immutable'));
}

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function validateSchemaRoot(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  validateSchemaNode(s, path, out, { level: 'root', insideMeta: false, defaultsForbidden: undefined });
}

type Ctx = { level: 'root' | 'field' | 'item'; insideMeta: boolean; defaultsForbidden: string | undefined };

// ValidateCustomResourceDefinitionOpenAPISchema + specStandardValidatorV3.validate +
// structuralschema.validateStructuralInvariants, merged into one walk.
function validateSchemaNode(s: JSONSchemaProps, path: string, out: StatusCause[], ctx: Ctx): void {
  const raw = s as Record<string, unknown>;
  if (s.type && !OPENAPI_TYPES.includes(s.type)) {
    out.push(causes.notSupported(`${path}.type`, s.type, OPENAPI_TYPES));
    if (s.type === 'null')
      out.push(
        causes.forbidden(`${path}.type`, 'type cannot be set to null, use nullable as an alternative'),
      );
  }
  if (s.default !== undefined && ctx.defaultsForbidden !== undefined)
    out.push(causes.forbidden(`${path}.default`, `must not be set ${ctx.defaultsForbidden}`.trim()));
  if (raw.id !== undefined) out.push(causes.forbidden(`${path}.id`, 'id is not supported'));
  if (raw.additionalItems !== undefined)
    out.push(causes.forbidden(`${path}.additionalItems`, 'additionalItems is not supported'));
  if (raw.patternProperties !== undefined)
    out.push(causes.forbidden(`${path}.patternProperties`, 'patternProperties is not supported'));
  if (raw.definitions !== undefined)
    out.push(causes.forbidden(`${path}.definitions`, 'definitions is not supported'));
  if (raw.dependencies !== undefined)
    out.push(causes.forbidden(`${path}.dependencies`, 'dependencies is not supported'));
  if (s.$ref !== undefined) out.push(causes.forbidden(`${path}.$ref`, '$ref is not supported'));
  if (Array.isArray(raw.items))
    out.push(causes.forbidden(`${path}.items`, 'items must be a schema object and not an array'));
  if (ctx.insideMeta && s['x-kubernetes-embedded-resource'])
    out.push(
      causes.forbidden(`${path}.x-kubernetes-embedded-resource`, 'must not be used inside of resource meta'),
    );
  if (s.uniqueItems === true)
    out.push(
      causes.forbidden(
        `${path}.uniqueItems`,
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  if (s.additionalProperties !== undefined && s.properties && Object.keys(s.properties).length > 0) {
    if (s.additionalProperties === false || isObject(s.additionalProperties))
      out.push(
        causes.forbidden(
          `${path}.additionalProperties`,
          'additionalProperties and properties are mutual exclusive',
        ),
      );
  }
  if (s.additionalProperties !== undefined && ctx.level === 'root')
    out.push(causes.forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
  if (s['x-kubernetes-preserve-unknown-fields'] === false)
    out.push(
      causes.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'),
    );
  if (s['x-kubernetes-int-or-string'] && s['x-kubernetes-preserve-unknown-fields'])
    out.push(
      causes.invalid(
        `${path}.x-kubernetes-preserve-unknown-fields`,
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  if (s['x-kubernetes-int-or-string'] && s['x-kubernetes-embedded-resource'])
    out.push(
      causes.invalid(
        `${path}.x-kubernetes-embedded-resource`,
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && s.type !== 'object')
    out.push(
      s.type
        ? causes.invalid(`${path}.type`, s.type, 'must be object if x-kubernetes-map-type is specified')
        : causes.required(`${path}.type`, 'must be object if x-kubernetes-map-type is specified'),
    );
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular')
    out.push(causes.notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  validateListExtensions(s, path, out);
  if (s.pattern !== undefined) {
    const compiled = compilePattern(s.pattern);
    if ('error' in compiled)
      out.push(
        causes.invalid(
          `${path}.pattern`,
          s.pattern,
          `must be a valid regular expression, but isn't: ${compiled.error}`,
        ),
      );
  }
  validateRuleShapes(s, path, out);

  // structural invariants (the real server checks these after the walk above)
  if (
    s['x-kubernetes-embedded-resource'] &&
    !s['x-kubernetes-preserve-unknown-fields'] &&
    Object.keys(s.properties ?? {}).length === 0
  )
    out.push(
      causes.required(
        `${path}.properties`,
        'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      ),
    );
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object') {
    out.push(
      s.type
        ? causes.invalid(`${path}.type`, s.type, 'must be object if x-kubernetes-embedded-resource is true')
        : causes.required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'),
    );
  } else if (
    !s.type &&
    s.$ref === undefined &&
    !s['x-kubernetes-int-or-string'] &&
    !s['x-kubernetes-preserve-unknown-fields']
  ) {
    const detail = {
      root: 'must not be empty at the root',
      item: 'must not be empty for specified array items',
      field: 'must not be empty for specified object fields',
    }[ctx.level];
    out.push(causes.required(`${path}.type`, detail));
  }
  if (s['x-kubernetes-embedded-resource'] && s.additionalProperties !== undefined)
    out.push(
      causes.forbidden(
        `${path}.additionalProperties`,
        'must not be used if x-kubernetes-embedded-resource is set',
      ),
    );
  if (ctx.level === 'root' && s.type && s.type !== 'object')
    out.push(causes.invalid(`${path}.type`, s.type, 'must be object at the root'));
  const checkMeta = ctx.level === 'root' || s['x-kubernetes-embedded-resource'] === true;
  if (checkMeta) {
    const kind = s.properties?.kind;
    if (kind && kind.type !== 'string')
      out.push(causes.invalid(`${path}.properties[kind].type`, kind.type ?? '', 'must be string'));
    const apiVersion = s.properties?.apiVersion;
    if (apiVersion && apiVersion.type !== 'string')
      out.push(
        causes.invalid(`${path}.properties[apiVersion].type`, apiVersion.type ?? '', 'must be string'),
      );
    const meta = s.properties?.metadata;
    if (meta && meta.type !== 'object')
      out.push(causes.invalid(`${path}.properties[metadata].type`, meta.type ?? '', 'must be object'));
  }
  if (ctx.level === 'root' && s.properties?.metadata) {
    const meta = s.properties.metadata;
    const props = Object.keys(meta.properties ?? {});
    const onlyNames = props.every((k) => k === 'name' || k === 'generateName');
    const extra = Object.keys(meta).filter((k) => !['type', 'properties', 'default'].includes(k));
    if (!onlyNames || extra.length > 0)
      out.push(
        causes.forbidden(
          `${path}.properties[metadata]`,
          'must not specify anything other than name and generateName, but metadata is implicitly specified',
        ),
      );
  }
  if (s.type === 'array' && !s.items) out.push(causes.required(`${path}.items`, 'must be specified'));

  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    const meta =
      (ctx.level === 'root' || s['x-kubernetes-embedded-resource'] === true) &&
      ['metadata', 'kind', 'apiVersion'].includes(k);
    validateSchemaNode(sub, `${path}.properties[${k}]`, out, {
      level: 'field',
      insideMeta: ctx.insideMeta || meta,
      defaultsForbidden: meta && ctx.level === 'root' ? `in top-level ${k}` : ctx.defaultsForbidden,
    });
  }
  if (isObject(s.additionalProperties))
    validateSchemaNode(s.additionalProperties as JSONSchemaProps, `${path}.additionalProperties`, out, {
      level: 'field',
      insideMeta: ctx.insideMeta,
      defaultsForbidden: ctx.insideMeta
        ? 'inside additionalProperties applying to object metadata'
        : ctx.defaultsForbidden,
    });
  if (isObject(s.items)) validateSchemaNode(s.items, `${path}.items`, out, { ...ctx, level: 'item' });
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    (s[junctor] ?? []).forEach((j, i) => {
      validateJunctor(j, `${path}.${junctor}[${i}]`, out);
    });
  }
  if (s.not) validateJunctor(s.not, `${path}.not`, out);
}

// validateNestedValueValidation: inside allOf/anyOf/oneOf/not only value validations may appear.
function validateJunctor(j: JSONSchemaProps, path: string, out: StatusCause[]): void {
  const forbid = (key: string, detail: string) => out.push(causes.forbidden(`${path}.${key}`, detail));
  if (j.type) forbid('type', 'must be empty to be structural');
  if (j.additionalProperties !== undefined)
    forbid('additionalProperties', 'must be undefined to be structural');
  if (j.default !== undefined) forbid('default', 'must be undefined to be structural');
  if ((j as { title?: string }).title) forbid('title', 'must be empty to be structural');
  if (j.description) forbid('description', 'must be empty to be structural');
  if (j.nullable) forbid('nullable', 'must be false to be structural');
  if (j['x-kubernetes-preserve-unknown-fields'])
    forbid('x-kubernetes-preserve-unknown-fields', 'must be false to be structural');
  if (j['x-kubernetes-embedded-resource'])
    forbid('x-kubernetes-embedded-resource', 'must be false to be structural');
  if (j['x-kubernetes-int-or-string']) forbid('x-kubernetes-int-or-string', 'must be false to be structural');
  if (j['x-kubernetes-list-map-keys']?.length)
    forbid('x-kubernetes-list-map-keys', 'must be empty to be structural');
  if (j['x-kubernetes-list-type'] !== undefined)
    forbid('x-kubernetes-list-type', 'must be undefined to be structural');
  if (j.properties?.metadata)
    out.push(causes.forbidden(`${path}.properties[metadata]`, 'must not be specified in a nested context'));
  for (const [k, sub] of Object.entries(j.properties ?? {}))
    validateJunctor(sub, `${path}.properties[${k}]`, out);
  if (j.items) validateJunctor(j.items, `${path}.items`, out);
}

function validateListExtensions(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  const lt = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (lt !== undefined && s.type !== 'array')
    out.push(
      s.type
        ? causes.invalid(`${path}.type`, s.type, 'must be array if x-kubernetes-list-type is specified')
        : causes.required(`${path}.type`, 'must be array if x-kubernetes-list-type is specified'),
    );
  if (lt !== undefined && !['atomic', 'set', 'map'].includes(lt))
    out.push(causes.notSupported(`${path}.x-kubernetes-list-type`, lt, ['atomic', 'set', 'map']));
  if (keys.length > 0) {
    if (lt === undefined)
      out.push(
        causes.required(
          `${path}.x-kubernetes-list-type`,
          'must be map if x-kubernetes-list-map-keys is non-empty',
        ),
      );
    else if (lt !== 'map')
      out.push(
        causes.invalid(
          `${path}.x-kubernetes-list-type`,
          lt,
          'must be map if x-kubernetes-list-map-keys is non-empty',
        ),
      );
  }
  if (lt !== 'map' && lt !== 'set') return;
  const items = s.items;
  if (lt === 'map') {
    if (keys.length === 0)
      out.push(
        causes.required(
          `${path}.x-kubernetes-list-map-keys`,
          'must not be empty if x-kubernetes-list-type is map',
        ),
      );
    if (!items) {
      out.push(causes.required(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map'));
      return;
    }
    if (items.type !== 'object') {
      out.push(
        causes.invalid(
          `${path}.items.type`,
          items.type ?? '',
          "must be object if parent array's x-kubernetes-list-type is map",
        ),
      );
      return;
    }
    const seen = new Set<string>();
    for (const k of keys) {
      const ks = items.properties?.[k];
      if (!ks)
        out.push(
          causes.invalidRendered(
            `${path}.x-kubernetes-list-map-keys`,
            `[]string{${keys.map(goQuote).join(', ')}}`,
            'entries must all be names of item properties',
          ),
        );
      else {
        if (ks.type === 'array' || ks.type === 'object')
          out.push(
            causes.invalid(
              `${path}.items.properties[${k}].type`,
              items.type,
              "must be a scalar type if parent array's x-kubernetes-list-type is map",
            ),
          );
        // validateMapListKeysMapSet
        if (!items.required?.includes(k) && ks.default === undefined)
          out.push(
            causes.required(
              `${path}.items.properties[${k}].default`,
              'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
            ),
          );
        if (ks.nullable)
          out.push(
            causes.forbidden(
              `${path}.items.properties[${k}].nullable`,
              'this property is in x-kubernetes-list-map-keys, so it cannot be nullable',
            ),
          );
      }
      if (seen.has(k))
        out.push(
          causes.invalidRendered(
            `${path}.x-kubernetes-list-map-keys`,
            `[]string{${keys.map(goQuote).join(', ')}}`,
            'must not contain duplicate entries',
          ),
        );
      seen.add(k);
    }
  }
  if (items?.nullable)
    out.push(
      causes.forbidden(`${path}.items.nullable`, `cannot be nullable when x-kubernetes-list-type is ${lt}`),
    );
  // a set compares whole items: object or list items must be atomic
  if (lt === 'set' && items?.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic')
    out.push(
      causes.invalid(
        `${path}.items.x-kubernetes-map-type`,
        items['x-kubernetes-map-type'] ?? 'null',
        'must be atomic as item of a list with x-kubernetes-list-type=set',
      ),
    );
  if (lt === 'set' && items?.type === 'array' && (items['x-kubernetes-list-type'] ?? 'atomic') !== 'atomic')
    out.push(
      causes.invalid(
        `${path}.items.x-kubernetes-list-type`,
        items['x-kubernetes-list-type'],
        'must be atomic as item of a list with x-kubernetes-list-type=set',
      ),
    );
}

/** Go's %#v of a decoded JSON value, as kube prints an invalid default or key list. */
function goValue(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (Array.isArray(v)) return `[]interface {}{${v.map(goValue).join(', ')}}`;
  if (isObject(v))
    return `map[string]interface {}{${Object.keys(v)
      .sort()
      .map((k) => `${goQuote(k)}:${goValue(v[k])}`)
      .join(', ')}}`;
  return String(v);
}

function validateRuleShapes(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const rpath = `${path}.x-kubernetes-validations[${i}]`;
    const trimmedRule = (rule.rule ?? '').trim();
    const msg = rule.message ?? '';
    if (!trimmedRule) out.push(causes.required(`${rpath}.rule`, 'rule is not specified'));
    else if (msg.length > 0 && msg.trim() === '')
      out.push(causes.invalid(`${rpath}.message`, msg, 'message must be non-empty if specified'));
    else if (/[\n\r]/.test(msg.trim()))
      out.push(causes.invalid(`${rpath}.message`, msg, 'message must not contain line breaks'));
    else if (/[\n\r]/.test(trimmedRule) && msg.trim() === '')
      out.push(causes.required(`${rpath}.message`, 'message must be specified if rule contains line breaks'));
    if (
      rule.messageExpression !== undefined &&
      rule.messageExpression.length > 0 &&
      rule.messageExpression.trim() === ''
    )
      out.push(
        causes.required(`${rpath}.messageExpression`, 'messageExpression must be non-empty if specified'),
      );
    if (rule.reason !== undefined && !RULE_REASONS.includes(rule.reason))
      out.push(causes.notSupported(`${rpath}.reason`, rule.reason, RULE_REASONS));
    const fp = rule.fieldPath;
    if (fp !== undefined && fp.length > 0) {
      if (fp.trim() === '')
        out.push(causes.invalid(`${rpath}.fieldPath`, fp, 'fieldPath must be non-empty if specified'));
      if (/[\n\r]/.test(fp))
        out.push(causes.invalid(`${rpath}.fieldPath`, fp, 'fieldPath must not contain line breaks'));
      if (!fieldPathResolves(s, fp))
        out.push(causes.invalid(`${rpath}.fieldPath`, fp, 'fieldPath must be a valid path'));
    }
  });
}

// structuraldefaulting.ValidateDefaults: each default validates against its own node and survives pruning.
function validateDefaults(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  if (s.default !== undefined) {
    const compiled = compileVersionSchema({ ...s, default: undefined });
    const value = structuredClone(s.default);
    // schema errors only; kube names the value "" so its messages read ":  in body …"
    const errors = compiled
      .validate(value)
      .filter((e) => !e.message.includes('some validation rules were not checked'));
    for (const e of errors)
      out.push({
        ...e,
        field: e.field ? `${path}.default.${e.field}` : `${path}.default`,
        message: e.field ? e.message : e.message.replace(/^(Invalid value: .*?): in body /, '$1:  in body '),
      });
    if (errors.length === 0) {
      const pruned = structuredClone(s.default);
      const removed = compiled.prune(pruned);
      if (removed.length > 0)
        out.push(
          causes.invalidRendered(`${path}.default`, goValue(s.default), 'must not have unknown fields'),
        );
    }
  }
  for (const [k, sub] of Object.entries(s.properties ?? {}))
    validateDefaults(sub, `${path}.properties[${k}]`, out);
  if (isObject(s.additionalProperties))
    validateDefaults(s.additionalProperties as JSONSchemaProps, `${path}.additionalProperties`, out);
  if (s.items) validateDefaults(s.items, `${path}.items`, out);
}

/**
 * Compiles every rule and prices it. `uncorrelatable` is the schema path below which oldSelf has
 * nothing to compare with (items of non-map lists, fields of atomic maps).
 */
function walkRules(
  s: JSONSchemaProps,
  path: string,
  cardinality: number,
  uncorrelatable: string | undefined,
  out: StatusCause[],
  costs: { path: string; cost: number }[],
  isRoot = false,
): void {
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const rpath = `${path}.x-kubernetes-validations[${i}]`;
    const optionalOldSelf = rule.optionalOldSelf === true;
    const compiled = compileRule(rule.rule, s, isRoot, optionalOldSelf, 'bool');
    // kube observes the messageExpression's cost before the rule's
    let ruleCost: { path: string; cost: number } | undefined;
    if (compiled.ok) {
      // getExpressionCost: the rule's cost times how often the node can occur.
      const cost = Math.min(estimateCost(compiled.ast, s, compiled.types, isRoot) * cardinality, UNBOUNDED);
      if (cost > PER_RULE_COST_LIMIT)
        out.push(
          causes.forbidden(
            `${rpath}.rule`,
            costErrorMessage('estimated rule cost', cost, PER_RULE_COST_LIMIT),
          ),
        );
      ruleCost = { path: `${rpath}.rule`, cost };
    } else {
      out.push(
        causes.invalidRendered(
          `${rpath}.rule`,
          renderRule(rule),
          compiled.plain ? compiled.error : `compilation failed: ${compiled.error}`,
        ),
      );
    }
    if (rule.messageExpression?.trim()) {
      const m = compileRule(rule.messageExpression, s, isRoot, optionalOldSelf, 'string');
      if (!m.ok)
        out.push(
          causes.invalidRendered(
            `${rpath}.messageExpression`,
            renderRule(rule),
            m.plain ? m.error : `messageExpression compilation failed: ${m.error}`,
          ),
        );
      else {
        const mcost = Math.min(estimateCost(m.ast, s, m.types, isRoot) * cardinality, UNBOUNDED);
        if (mcost > PER_RULE_COST_LIMIT)
          out.push(
            causes.forbidden(
              `${rpath}.messageExpression`,
              costErrorMessage('estimated messageExpression cost', mcost, PER_RULE_COST_LIMIT),
            ),
          );
        costs.push({ path: `${rpath}.messageExpression`, cost: mcost });
      }
    }
    if (ruleCost) costs.push(ruleCost);
    if (!compiled.ok) return;
    const usesOld = usesIdentifier(compiled.ast, 'oldSelf');
    if (usesOld && uncorrelatable !== undefined)
      out.push(
        causes.invalid(
          `${rpath}.rule`,
          rule.rule,
          `oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}`,
        ),
      );
    else if (!usesOld && rule.optionalOldSelf !== undefined)
      out.push(
        causes.invalid(
          `${rpath}.optionalOldSelf`,
          rule.optionalOldSelf,
          'may not be set if oldSelf is not used in rule',
        ),
      );
  });
  const atomicMap = s['x-kubernetes-map-type'] === 'atomic';
  for (const [k, sub] of Object.entries(s.properties ?? {}))
    walkRules(
      sub,
      `${path}.properties[${k}]`,
      cardinality,
      uncorrelatable ?? (atomicMap ? path : undefined),
      out,
      costs,
    );
  if (isObject(s.additionalProperties))
    walkRules(
      s.additionalProperties as JSONSchemaProps,
      `${path}.additionalProperties`,
      cardinality * maxSize(s),
      uncorrelatable ?? (atomicMap ? path : undefined),
      out,
      costs,
    );
  if (s.items)
    walkRules(
      s.items,
      `${path}.items`,
      cardinality * maxSize(s),
      uncorrelatable ?? (s['x-kubernetes-list-type'] === 'map' ? undefined : path),
      out,
      costs,
    );
}

/** Parses a rule and type-checks it against the declared types of its node, as cel-go reports it. */
function compileRule(
  expression: string,
  s: JSONSchemaProps,
  isRoot: boolean,
  optionalOldSelf: boolean,
  want: 'bool' | 'string',
): { ok: true; ast: CelAst; types: Map<CelAst, CelType> } | { ok: false; error: string; plain?: boolean } {
  const parsed = parseCel(expression);
  if (!parsed.ok) return parsed;
  const vars = ruleVariables(s, isRoot, optionalOldSelf);
  const { errors, types, type } = checkExpression(parsed.ast, expression, vars);
  if (errors.length === 0) {
    const t = type.kind === 'prim' ? type.name : type.kind;
    if (want === 'bool' && t !== 'bool' && t !== 'dyn')
      return { ok: false, error: 'cel expression must evaluate to a bool', plain: true };
    if (want === 'string' && t !== 'string' && t !== 'dyn')
      return { ok: false, error: 'messageExpression must evaluate to a string', plain: true };
    return { ok: true, ast: parsed.ast, types };
  }
  return { ok: false, error: errors.map((e) => celError(expression, e.pos, e.message)).join('\n') };
}

function fieldPathResolves(s: JSONSchemaProps, fieldPath: string): boolean {
  let node: JSONSchemaProps | undefined = s;
  const re = /\.([A-Za-z_][\w-]*)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/gy;
  let consumed = 0;
  for (let m = re.exec(fieldPath); m; m = re.exec(fieldPath)) {
    consumed = re.lastIndex;
    if (!node) return false;
    if (m[3] !== undefined) node = node.items;
    else {
      const key: string = m[1] ?? m[2] ?? '';
      node =
        node.properties?.[key] ??
        (isObject(node.additionalProperties) ? (node.additionalProperties as JSONSchemaProps) : undefined);
    }
  }
  return consumed === fieldPath.length && node !== undefined;
}

export { MAX_REQUEST_SIZE_BYTES };
