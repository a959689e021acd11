import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../../src/crds/generate.ts';
import { crdFor, KINDS } from '../../../src/crds/registry.ts';
import {
  compileVersionSchema,
  type JSONSchemaProps,
  type StatusCause,
  validateCrd,
} from '../../../src/emulators/kube/schema/index.ts';

const SCHEMA = 'spec.validation.openAPIV3Schema';

type Version = {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema: { type: string; properties: Record<string, JSONSchemaProps> } };
};
type Crd = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { plural: string; singular: string; kind: string; listKind: string };
    versions: Version[];
  };
};
const first = (c: Crd): Version => c.spec.versions[0] as Version;

function crd(spec: JSONSchemaProps, patch: (c: Crd) => void = () => {}): Crd {
  const c: Crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec } } },
        },
      ],
    },
  };
  patch(c);
  return c;
}
const fields = (causes: StatusCause[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('validateCrd: names, group, scope and versions', () => {
  it('accepts a minimal well-formed CRD', () => {
    expect(validateCrd(crd({ type: 'object' }))).toEqual([]);
  });

  const cases: { reason: string; patch: (c: Crd) => void; want: string }[] = [
    {
      reason: 'metadata.name must be <plural>.<group>',
      patch: (c) => {
        c.metadata.name = 'widget.example.com';
      },
      want: 'metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group',
    },
    {
      reason: 'the group needs a dot',
      patch: (c) => {
        c.spec.group = 'example';
        c.metadata.name = 'widgets.example';
      },
      want: 'spec.group: Invalid value: "example": should be a domain with at least one dot',
    },
    {
      reason: 'the scope is Cluster or Namespaced',
      patch: (c) => {
        c.spec.scope = 'Global';
      },
      want: 'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    },
    {
      reason: 'exactly one version is the storage version',
      patch: (c) => {
        c.spec.versions.push({ ...first(c), name: 'v2' });
      },
      want: 'spec.versions: Invalid value: ["v1","v2"]: must have exactly one version marked as storage version',
    },
    {
      reason: 'the kind is required',
      patch: (c) => {
        c.spec.names.kind = '';
      },
      want: 'spec.names.kind: Required value',
    },
    {
      reason: 'each version carries a schema',
      patch: (c) => {
        delete first(c).schema;
      },
      want: 'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
    },
  ];
  it.each(cases)('$reason', ({ patch, want }) => {
    expect(fields(validateCrd(crd({ type: 'object' }, patch)))).toContain(want);
  });

  it('refuses a change of group on update', () => {
    const old = crd({ type: 'object' });
    const next = crd({ type: 'object' }, (c) => {
      c.spec.group = 'other.com';
      c.metadata.name = 'widgets.other.com';
    });
    expect(fields(validateCrd(next, old))).toContain(
      'spec.group: Invalid value: "other.com": field is immutable',
    );
  });

  it('reports per-version paths when versions have different schemas', () => {
    const c = crd({ type: 'object' }, (c) => {
      c.spec.versions.push({
        name: 'v2',
        served: true,
        storage: false,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: {} } } } },
      });
    });
    expect(fields(validateCrd(c))).toEqual([
      'spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    ]);
  });
});

// apiextensions' structural-schema rules, with kube-apiserver's wording.
const structural: { reason: string; spec: JSONSchemaProps; want: string }[] = [
  {
    reason: 'every field has a type',
    spec: { type: 'object', properties: { x: { description: 'untyped' } } },
    want: `${SCHEMA}.properties[spec].properties[x].type: Required value: must not be empty for specified object fields`,
  },
  {
    reason: 'every list item has a type',
    spec: { type: 'object', properties: { l: { type: 'array', items: {} } } },
    want: `${SCHEMA}.properties[spec].properties[l].items.type: Required value: must not be empty for specified array items`,
  },
  {
    reason: 'properties and additionalProperties are mutually exclusive',
    spec: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
    want: `${SCHEMA}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
  },
  {
    reason: 'additionalProperties: false beside properties is refused',
    spec: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
    want: `${SCHEMA}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
  },
  {
    reason: 'uniqueItems: true is refused',
    spec: {
      type: 'object',
      properties: { l: { type: 'array', uniqueItems: true, items: { type: 'string' } } },
    },
    want: `${SCHEMA}.properties[spec].properties[l].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
  },
  {
    reason: '$ref is refused',
    spec: { type: 'object', properties: { a: { type: 'object', $ref: '#/definitions/A' } } },
    want: `${SCHEMA}.properties[spec].properties[a].$ref: Forbidden: $ref is not supported`,
  },
  {
    reason: 'type null is refused',
    spec: { type: 'object', properties: { a: { type: 'null' } } },
    want: `${SCHEMA}.properties[spec].properties[a].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
  },
  {
    reason: 'a junctor may not carry a type',
    spec: { type: 'object', anyOf: [{ type: 'object' }] },
    want: `${SCHEMA}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`,
  },
  {
    reason: 'a map list needs keys',
    spec: {
      type: 'object',
      properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object' } } },
    },
    want: `${SCHEMA}.properties[spec].properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`,
  },
  {
    reason: 'a map-list key must be required or defaulted',
    spec: {
      type: 'object',
      properties: {
        l: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' } } },
        },
      },
    },
    want: `${SCHEMA}.properties[spec].properties[l].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
  },
  {
    reason: 'an unknown list type is refused',
    spec: {
      type: 'object',
      properties: { l: { type: 'array', 'x-kubernetes-list-type': 'bag', items: { type: 'string' } } },
    },
    want: `${SCHEMA}.properties[spec].properties[l].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`,
  },
  {
    reason: 'a default must match its own schema',
    spec: { type: 'object', properties: { n: { type: 'integer', default: 'three' } } },
    want: `${SCHEMA}.properties[spec].properties[n].default: Invalid value: "string":  in body must be of type integer: "string"`,
  },
  {
    reason: 'an embedded resource must be an object',
    spec: { type: 'object', properties: { t: { type: 'string', 'x-kubernetes-embedded-resource': true } } },
    want: `${SCHEMA}.properties[spec].properties[t].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
  },
  {
    reason: 'a pattern must be RE2: ECMAScript lookahead is refused with Go regexp wording',
    spec: { type: 'object', properties: { a: { type: 'string', pattern: '(?=a)b' } } },
    want: `${SCHEMA}.properties[spec].properties[a].pattern: Invalid value: "(?=a)b": must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: \`(?=\``,
  },
  {
    reason: 'a rule needs text',
    spec: { type: 'object', 'x-kubernetes-validations': [{ rule: ' ' }] },
    want: `${SCHEMA}.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified`,
  },
  {
    reason: 'a rule reason comes from the supported set',
    spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'true', reason: 'Nope' }] },
    want: `${SCHEMA}.properties[spec].x-kubernetes-validations[0].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
  },
  {
    reason: 'a fieldPath must resolve in the schema',
    spec: {
      type: 'object',
      properties: { a: { type: 'string' } },
      'x-kubernetes-validations': [{ rule: 'true', fieldPath: '.b' }],
    },
    want: `${SCHEMA}.properties[spec].x-kubernetes-validations[0].fieldPath: Invalid value: ".b": fieldPath must be a valid path`,
  },
];

describe('validateCrd: structural schemas', () => {
  it.each(structural)('$reason', ({ spec, want }) => {
    expect(fields(validateCrd(crd(spec)))).toContain(want);
  });

  it('refuses metadata properties other than name and generateName at the root', () => {
    const c = crd({ type: 'object' }, (c) => {
      const schema = first(c).schema;
      if (schema)
        schema.openAPIV3Schema.properties.metadata = {
          type: 'object',
          properties: { labels: { type: 'object' } },
        };
    });
    expect(fields(validateCrd(c))).toContain(
      `${SCHEMA}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    );
  });
});

describe('validateCrd: CEL rules', () => {
  it('refuses a rule that does not compile, naming the rule and the CEL error', () => {
    const causes = validateCrd(
      crd({
        type: 'object',
        properties: { a: { type: 'string' } },
        'x-kubernetes-validations': [{ rule: 'self.a == nosuch' }],
      }),
    );
    expect(causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: `${SCHEMA}.properties[spec].x-kubernetes-validations[0].rule`,
        message:
          'Invalid value: apiextensions.ValidationRule{Rule:"self.a == nosuch", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: ' +
          "compilation failed: ERROR: <input>:1:11: undeclared reference to 'nosuch' (in container '')\n | self.a == nosuch\n | ..........^",
      },
    ]);
  });

  it('refuses a rule selecting a field the schema does not declare, as cel-go reports undefined fields', () => {
    const c = crd({
      type: 'object',
      properties: { name: { type: 'string' } },
      'x-kubernetes-validations': [{ rule: 'self.nmae == "x"' }],
    });
    expect(fields(validateCrd(c))[0]).toBe(
      `${SCHEMA}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.nmae == \\"x\\"", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: ` +
        'compilation failed: ERROR: <input>:1:5: undefined field \'nmae\'\n | self.nmae == "x"\n | ....^',
    );
  });

  it('refuses comparing a string field with a number, as cel-go finds no overload', () => {
    const c = crd({
      type: 'object',
      properties: { name: { type: 'string' } },
      'x-kubernetes-validations': [{ rule: 'self.name > 1' }],
    });
    expect(fields(validateCrd(c))[0]).toMatch(
      /compilation failed: ERROR: <input>:1:11: found no matching overload for '_>_' applied to '\(string, int\)'\n \| self\.name > 1\n \| \.{10}\^$/,
    );
  });

  it('allows comparing an integer field with a double and a string field with a string', () => {
    const c = crd({
      type: 'object',
      properties: { n: { type: 'integer' }, name: { type: 'string' } },
      'x-kubernetes-validations': [{ rule: "self.n > 1.5 && self.name == 'x'" }],
    });
    expect(validateCrd(c)).toEqual([]);
  });

  it('refuses selecting a field under x-kubernetes-preserve-unknown-fields (kube declares no fields there)', () => {
    const c = crd({
      type: 'object',
      properties: { free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      'x-kubernetes-validations': [{ rule: 'self.free.any == 1' }],
    });
    expect(fields(validateCrd(c))[0]).toMatch(
      /compilation failed: ERROR: <input>:1:10: undefined field 'any'\n/,
    );
  });

  it('allows any key of a map and metadata.name at the root', () => {
    const c = crd({ type: 'object' }, (c) => {
      const schema = first(c).schema;
      if (schema)
        schema.openAPIV3Schema = {
          type: 'object',
          'x-kubernetes-validations': [
            {
              rule: "self.metadata.name.startsWith('w') && self.spec.labels.team == 'sre'",
            },
          ],
          properties: {
            spec: {
              type: 'object',
              properties: {
                labels: {
                  type: 'object',
                  maxProperties: 5,
                  additionalProperties: { type: 'string', maxLength: 10 },
                },
                free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        } as never;
    });
    expect(validateCrd(c)).toEqual([]);
  });

  it('exposes dashed property names under their escaped CEL name', () => {
    const s = {
      type: 'object',
      properties: { 'max-size': { type: 'integer' } },
      'x-kubernetes-validations': [{ rule: 'self.max__dash__size < 10' }],
    };
    expect(validateCrd(crd(s as JSONSchemaProps))).toEqual([]);
    const schema = compileVersionSchema({ type: 'object', properties: { spec: s as JSONSchemaProps } });
    expect(schema.validate({ spec: { 'max-size': 20 } }).map((c) => c.message)).toEqual([
      'Invalid value: "object": failed rule: self.max__dash__size < 10',
    ]);
  });

  it('refuses oldSelf on items of a list that is not a map list', () => {
    const c = crd({
      type: 'object',
      properties: {
        l: {
          type: 'array',
          maxItems: 5,
          items: { type: 'string', maxLength: 5, 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] },
        },
      },
    });
    expect(fields(validateCrd(c))).toEqual([
      `${SCHEMA}.properties[spec].properties[l].items.x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${SCHEMA}.properties[spec].properties[l]`,
    ]);
  });

  it('refuses optionalOldSelf on a rule that does not use oldSelf', () => {
    const c = crd({ type: 'object', 'x-kubernetes-validations': [{ rule: 'true', optionalOldSelf: true }] });
    expect(fields(validateCrd(c))).toEqual([
      `${SCHEMA}.properties[spec].x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`,
    ]);
  });
});

describe('validateCrd: CEL cost estimation', () => {
  const walk = (list: JSONSchemaProps): JSONSchemaProps => ({
    type: 'object',
    properties: { names: list },
    'x-kubernetes-validations': [{ rule: "self.names.all(n, n.matches('^[a-z]+$'))" }],
  });

  it('accepts a rule that walks a list bounded by maxItems and maxLength', () => {
    expect(
      validateCrd(crd(walk({ type: 'array', maxItems: 20, items: { type: 'string', maxLength: 63 } }))),
    ).toEqual([]);
  });

  it('refuses the same rule on an unbounded list of unbounded strings, worded as kube-apiserver', () => {
    expect(fields(validateCrd(crd(walk({ type: 'array', items: { type: 'string' } }))))).toEqual([
      `${SCHEMA}.properties[spec].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
      `${SCHEMA}.properties[spec].x-kubernetes-validations[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `${SCHEMA}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
    ]);
  });

  it('a bounded list of unbounded strings still exceeds when the rule scans every string', () => {
    const causes = validateCrd(crd(walk({ type: 'array', maxItems: 100, items: { type: 'string' } })));
    expect(causes[0]?.message).toMatch(/^Forbidden: estimated rule cost exceeds budget by factor of /);
  });

  it('multiplies a rule on list items by how many items the list can hold', () => {
    const items = (maxItems?: number): JSONSchemaProps => ({
      type: 'object',
      properties: {
        l: {
          type: 'array',
          ...(maxItems ? { maxItems } : {}),
          items: {
            type: 'string',
            maxLength: 1000,
            'x-kubernetes-validations': [{ rule: "self.contains('x')" }],
          },
        },
      },
    });
    expect(validateCrd(crd(items(100)))).toEqual([]);
    expect(
      fields(validateCrd(crd(items()))).some((f) => f.includes('estimated rule cost exceeds budget')),
    ).toBe(true);
  });

  it('prices size() and has() as constant, so they pass on unbounded data', () => {
    const c = crd({
      type: 'object',
      properties: { l: { type: 'array', items: { type: 'string' } }, s: { type: 'string' } },
      'x-kubernetes-validations': [{ rule: 'size(self.l) <= 5 && (!has(self.s) || size(self.s) < 10)' }],
    });
    expect(validateCrd(c)).toEqual([]);
  });
});

describe('the project CRDs and fixtures', () => {
  it.each(KINDS.map((def) => ({ kind: def.kind, def })))(
    '$kind is installable on a real cluster',
    ({ def }) => {
      expect(validateCrd(crdFor(def) as object)).toEqual([]);
    },
  );

  const schemas = new Map(
    KINDS.map((def) => {
      const c = crdFor(def) as {
        spec: { names: { kind: string }; versions: { schema: { openAPIV3Schema: object } }[] };
      };
      return [
        c.spec.names.kind,
        compileVersionSchema(c.spec.versions[0]?.schema.openAPIV3Schema ?? {}),
      ] as const;
    }),
  );
  const dir = join(ROOT, 'test/fixtures/invalid');
  const fixtures = readdirSync(dir).map((file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    return { file, text, path: /# expect-path: (\S+)/.exec(text)?.[1] ?? '' };
  });

  it.each(fixtures)('broken fixture $file is rejected at $path', ({ text, path }) => {
    const o = parse(text) as { kind: string };
    const schema = schemas.get(o.kind);
    expect(schema).toBeDefined();
    schema?.prune(o);
    schema?.applyDefaults(o);
    expect(schema?.validate(o).map((c) => c.field)).toContain(path);
  });

  it('accepts every sample', () => {
    const sampleDir = join(ROOT, 'config/samples');
    for (const file of readdirSync(sampleDir)) {
      for (const doc of readFileSync(join(sampleDir, file), 'utf8').split(/^---$/m)) {
        const o = parse(doc) as { kind?: string } | null;
        const schema = o?.kind ? schemas.get(o.kind) : undefined;
        if (!schema || !o) continue;
        expect(schema.prune(o), file).toEqual([]);
        schema.applyDefaults(o);
        expect(schema.validate(o), file).toEqual([]);
      }
    }
  });
});
