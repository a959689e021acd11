// CustomResourceDefinition validation after apiextensions-apiserver's
// pkg/apis/apiextensions/validation (ValidateCustomResourceDefinition, ValidateCustomResourceDefinitionOpenAPISchema)
// and pkg/apiserver/schema (structural invariants). Paths follow the internal version the server
// reports them in: a schema shared by every version is reported as spec.validation.openAPIV3Schema.

import { causes, goQuote, type StatusCause } from './causes.ts';
import { compileCel } from './cel.ts';
import { compilePattern, compileVersionSchema, usesIdentifier } from './compile.ts';
import {
  costErrorMessage,
  estimateCost,
  MAX_REQUEST_SIZE_BYTES,
  maxSize,
  PER_CRD_COST_LIMIT,
  PER_RULE_COST_LIMIT,
} from './cost.ts';
import { isObject, type JSONSchemaProps, type ValidationRule } from './types.ts';

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
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

/** Go's %#v of apiextensions.ValidationRule, the value kube prints for a rule that fails to compile. */
function renderRule(r: ValidationRule): string {
  const ptr = (set: boolean, type: string) => (set ? `(${type})(0xc000a1b2c0)` : `(${type})(nil)`);
  return (
    `apiextensions.ValidationRule{Rule:${goQuote(r.rule ?? '')}, Message:${goQuote(r.message ?? '')}, ` +
    `MessageExpression:${goQuote(r.messageExpression ?? '')}, Reason:${ptr(r.reason !== undefined, '*apiextensions.FieldValueErrorReason')}, ` +
    `FieldPath:${goQuote(r.fieldPath ?? '')}, OptionalOldSelf:${ptr(r.optionalOldSelf !== undefined, '*bool')}}`
  );
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
  if (versions.length > 0 && !versions.some((v) => v.served))
    out.push(
      causes.invalid(
        'spec.versions',
        versions.map((v) => v.name),
        'must have at least one version marked as served',
      ),
    );
  const seen = new Set<string>();
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

  // Identical per-version schemas are hoisted to spec.validation by the internal conversion.
  const schemas = versions.map((v) => v.schema?.openAPIV3Schema);
  const shared = schemas.length > 0 && schemas.every((s) => JSON.stringify(s) === JSON.stringify(schemas[0]));
  let totalCost = 0;
  const ruleCosts: { path: string; cost: number }[] = [];
  let costRoot = 'spec.validation.openAPIV3Schema';
  versions.forEach((v, i) => {
    if (shared && i > 0) return;
    const path = shared ? 'spec.validation.openAPIV3Schema' : `spec.versions[${i}].schema.openAPIV3Schema`;
    const schema = v.schema?.openAPIV3Schema;
    if (!isObject(schema)) {
      out.push(causes.required(path, 'schemas are required'));
      return;
    }
    costRoot = path;
    validateSchemaRoot(schema, path, out);
    walkRules(schema, path, 1, out, ruleCosts);
  });
  totalCost = ruleCosts.reduce((a, b) => a + b.cost, 0);
  if (totalCost > PER_CRD_COST_LIMIT) {
    // The rules that push the total over the limit, most expensive first.
    let remaining = totalCost;
    for (const r of [...ruleCosts].sort((a, b) => b.cost - a.cost)) {
      if (remaining <= PER_CRD_COST_LIMIT) break;
      out.push(
        causes.forbidden(
          r.path,
          'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema',
        ),
      );
      remaining -= r.cost;
    }
    out.push(
      causes.forbidden(
        costRoot,
        costErrorMessage(
          'x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema',
          totalCost,
          PER_CRD_COST_LIMIT,
        ),
      ),
    );
  }
  if (oldCrd) validateUpdate(crd, oldCrd, out);
  return out;
}

function validateNames(names: Record<string, unknown>, out: StatusCause[]): void {
  const plural = str(names.plural);
  if (!plural) out.push(causes.required('spec.names.plural', ''));
  else if (!DNS1123_LABEL.test(plural))
    out.push(
      causes.invalid(
        'spec.names.plural',
        plural,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ),
    );
  const singular = str(names.singular);
  if (singular && !DNS1123_LABEL.test(singular))
    out.push(
      causes.invalid(
        'spec.names.singular',
        singular,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ),
    );
  const kind = str(names.kind);
  if (!kind) out.push(causes.required('spec.names.kind', ''));
  else if (kind !== kind.replace(/[^A-Za-z0-9]/g, '') || !/^[A-Za-z]/.test(kind))
    out.push(
      causes.invalid(
        'spec.names.kind',
        kind,
        'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?',
      ),
    );
  const listKind = str(names.listKind);
  if (listKind && listKind === kind)
    out.push(causes.invalid('spec.names.listKind', listKind, 'kind and listKind may not be the same'));
  for (const [field, list] of [
    ['shortNames', names.shortNames],
    ['categories', names.categories],
  ] as const) {
    if (!Array.isArray(list)) continue;
    list.forEach((x, i) => {
      if (typeof x !== 'string' || !DNS1123_LABEL.test(x))
        out.push(
          causes.invalid(
            `spec.names.${field}[${i}]`,
            x,
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
          ),
        );
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

function validateSchemaRoot(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  if (!s.type) out.push(causes.required(`${path}.type`, 'must not be empty at the root'));
  else if (s.type !== 'object')
    out.push(causes.invalid(`${path}.type`, s.type, 'must be object at the root'));
  const meta = s.properties?.metadata;
  if (meta) {
    const mpath = `${path}.properties[metadata]`;
    if (meta.type && meta.type !== 'object')
      out.push(causes.invalid(`${mpath}.type`, meta.type, 'must be object'));
    for (const k of Object.keys(meta.properties ?? {}))
      if (k !== 'name' && k !== 'generateName')
        out.push(
          causes.forbidden(`${mpath}.properties[${k}]`, 'must not be specified for metadata at the root'),
        );
    for (const k of Object.keys(meta) as (keyof JSONSchemaProps)[])
      if (k !== 'type' && k !== 'properties' && k !== 'description')
        out.push(causes.forbidden(`${mpath}.${k}`, 'must not be specified'));
  }
  validateSchemaNode(s, path, out, { root: true, inItems: false });
}

type Ctx = { root: boolean; inItems: boolean };

function validateSchemaNode(s: JSONSchemaProps, path: string, out: StatusCause[], ctx: Ctx): void {
  if (s.$ref !== undefined) out.push(causes.forbidden(`${path}.$ref`, '$ref is not supported'));
  if (s.uniqueItems === true)
    out.push(
      causes.forbidden(
        `${path}.uniqueItems`,
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  if (s.additionalProperties === false)
    out.push(causes.forbidden(`${path}.additionalProperties`, 'additionalProperties cannot be set to false'));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false)
    out.push(
      causes.forbidden(
        `${path}.additionalProperties`,
        'additionalProperties and properties are mutual exclusive',
      ),
    );
  if (s['x-kubernetes-int-or-string'] && s.type)
    out.push(causes.invalid(`${path}.type`, s.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (s['x-kubernetes-preserve-unknown-fields'] === false)
    out.push(
      causes.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'),
    );
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object')
    out.push(
      causes.invalid(
        `${path}.type`,
        s.type ?? '',
        'must be object if x-kubernetes-embedded-resource is true',
      ),
    );
  if (s.type && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(s.type))
    out.push(
      causes.notSupported(`${path}.type`, s.type, [
        'array',
        'boolean',
        'integer',
        'number',
        'object',
        'string',
      ]),
    );
  if (s.pattern !== undefined && compilePattern(s.pattern) === null)
    out.push(causes.invalid(`${path}.pattern`, s.pattern, 'must be a valid regular expression'));
  if (s.type === 'array' && !s.items) out.push(causes.required(`${path}.items`, 'must be specified'));
  const lt = s['x-kubernetes-list-type'];
  if (lt !== undefined && !['atomic', 'set', 'map'].includes(lt))
    out.push(causes.notSupported(`${path}.x-kubernetes-list-type`, lt, ['atomic', 'set', 'map']));
  if (lt === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    if (keys.length === 0)
      out.push(
        causes.required(
          `${path}.x-kubernetes-list-map-keys`,
          'must not be empty if x-kubernetes-list-type is map',
        ),
      );
    for (const k of keys) {
      const ks = s.items?.properties?.[k];
      if (!ks)
        out.push(
          causes.required(
            `${path}.items.properties`,
            `entries for all x-kubernetes-list-map-keys must be specified, missing ${goQuote(k)}`,
          ),
        );
      else if (!s.items?.required?.includes(k) && ks.default === undefined)
        out.push(
          causes.required(
            `${path}.items.required`,
            `all map keys must be required or have a default value, missing ${goQuote(k)}`,
          ),
        );
    }
  }
  if (s['x-kubernetes-list-map-keys'] && lt !== 'map')
    out.push(
      causes.forbidden(
        `${path}.x-kubernetes-list-map-keys`,
        'must not be specified if x-kubernetes-list-type is not map',
      ),
    );

  const typed = s.type || s['x-kubernetes-int-or-string'] || s['x-kubernetes-preserve-unknown-fields'];
  if (!typed && !ctx.root) {
    out.push(
      causes.required(
        `${path}.type`,
        ctx.inItems
          ? 'must not be empty for specified array items'
          : 'must not be empty for specified object fields',
      ),
    );
  }

  if (s.default !== undefined) validateDefault(s, path, out);

  for (const [k, sub] of Object.entries(s.properties ?? {}))
    validateSchemaNode(sub, `${path}.properties[${k}]`, out, { root: false, inItems: false });
  if (isObject(s.additionalProperties))
    validateSchemaNode(s.additionalProperties as JSONSchemaProps, `${path}.additionalProperties`, out, {
      root: false,
      inItems: false,
    });
  if (s.items) validateSchemaNode(s.items, `${path}.items`, out, { root: false, inItems: true });
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    (s[junctor] ?? []).forEach((j, i) => {
      if (j.default !== undefined)
        out.push(
          causes.forbidden(
            `${path}.${junctor}[${i}].default`,
            'must not be set inside of allOf, anyOf, oneOf or not',
          ),
        );
      if (j['x-kubernetes-validations'])
        out.push(
          causes.forbidden(
            `${path}.${junctor}[${i}].x-kubernetes-validations`,
            'must not be set inside of allOf, anyOf, oneOf or not',
          ),
        );
    });
  }
}

function validateDefault(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  // Defaults must validate against their own node and must survive pruning unchanged.
  const value = structuredClone(s.default);
  const wrapper = { type: 'object', properties: { default: s } } as JSONSchemaProps;
  const compiled = compileVersionSchema(wrapper);
  const pruned = { default: structuredClone(value) } as Record<string, unknown>;
  const removed = compiled.prune(pruned);
  for (const r of removed) out.push(causes.invalid(`${path}.${r}`, '', 'must not have unknown fields'));
  for (const e of compiled.validate({ default: value })) out.push({ ...e, field: `${path}.${e.field}` });
}

function walkRules(
  s: JSONSchemaProps,
  path: string,
  cardinality: number,
  out: StatusCause[],
  costs: { path: string; cost: number }[],
): void {
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const rpath = `${path}.x-kubernetes-validations[${i}]`;
    if (!rule.rule?.trim()) {
      out.push(causes.required(`${rpath}.rule`, ''));
      return;
    }
    const compiled = compileCel(rule.rule, ['self', 'oldSelf']);
    if (!compiled.ok) {
      out.push(
        causes.invalidRendered(`${rpath}.rule`, renderRule(rule), `compilation failed: ${compiled.error}`),
      );
      return;
    }
    const usesOld = usesIdentifier(compiled.program.ast, 'oldSelf');
    if (rule.optionalOldSelf && !usesOld)
      out.push(
        causes.invalid(`${rpath}.optionalOldSelf`, true, 'may not be set if oldSelf is not used in rule'),
      );
    if (rule.message !== undefined && (rule.message.trim() === '' || /[\n\r]/.test(rule.message)))
      out.push(
        rule.message.trim() === ''
          ? causes.required(`${rpath}.message`, 'message must be non-empty if specified')
          : causes.forbidden(`${rpath}.message`, 'message must not contain line breaks'),
      );
    if (rule.reason !== undefined && !RULE_REASONS.includes(rule.reason))
      out.push(causes.notSupported(`${rpath}.reason`, rule.reason, RULE_REASONS));
    if (rule.fieldPath !== undefined && !fieldPathResolves(s, rule.fieldPath))
      out.push(causes.invalid(`${rpath}.fieldPath`, rule.fieldPath, 'fieldPath must be a valid path'));
    const cost = estimateCost(compiled.program.ast, s);
    if (cost > PER_RULE_COST_LIMIT)
      out.push(
        causes.forbidden(`${rpath}.rule`, costErrorMessage('estimated rule cost', cost, PER_RULE_COST_LIMIT)),
      );
    costs.push({ path: `${rpath}.rule`, cost: cost * cardinality });
    if (rule.messageExpression !== undefined) {
      const m = compileCel(rule.messageExpression, ['self', 'oldSelf']);
      if (!m.ok)
        out.push(
          causes.invalidRendered(
            `${rpath}.messageExpression`,
            renderRule(rule),
            `messageExpression compilation failed: ${m.error}`,
          ),
        );
      else {
        const mcost = estimateCost(m.program.ast, s);
        if (mcost > PER_RULE_COST_LIMIT)
          out.push(
            causes.forbidden(
              `${rpath}.messageExpression`,
              costErrorMessage('estimated messageExpression cost', mcost, PER_RULE_COST_LIMIT),
            ),
          );
        costs.push({ path: `${rpath}.messageExpression`, cost: mcost * cardinality });
      }
    }
  });
  for (const [k, sub] of Object.entries(s.properties ?? {}))
    walkRules(sub, `${path}.properties[${k}]`, cardinality, out, costs);
  if (isObject(s.additionalProperties))
    walkRules(
      s.additionalProperties as JSONSchemaProps,
      `${path}.additionalProperties`,
      cardinality * maxSize(s),
      out,
      costs,
    );
  if (s.items) walkRules(s.items, `${path}.items`, cardinality * maxSize(s), out, costs);
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
