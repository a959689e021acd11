// Broken (and a few borderline but valid) CustomResourceDefinitions, each with what kube-apiserver
// v1.32 answers (bad-crds.expected.json: the Status causes as "field: message", recorded from the real
// server with selfType<N> normalised). test/unit/kube-schema/bad-crds.test.ts holds the emulator to the
// recording; test/cluster/bad-crds.test.ts holds the real server, the emulator and `imctl validate` to
// each other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { JSONSchemaProps } from '../../../src/emulators/kube/schema/index.ts';

type Crd = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: Record<string, string>;
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JSONSchemaProps };
    }[];
  };
};
export type BadCrd = { name: string; crd: Crd };

const ROOT = join(import.meta.dirname, '../../..');

function crd(spec: JSONSchemaProps, patch?: (root: JSONSchemaProps) => void): Crd {
  const root: JSONSchemaProps = { type: 'object', properties: { spec } };
  patch?.(root);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: root } }],
    },
  };
}

const obj = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  properties,
  ...extra,
});
const ref = obj(
  { name: { type: 'string', maxLength: 253 }, namespace: { type: 'string', maxLength: 63 } },
  { required: ['name'] },
);
/** Two lists whose items have the same shape but are different declared types in CEL. */
const lists = obj({
  a: { type: 'array', maxItems: 10, items: obj({ r: ref }) },
  b: { type: 'array', maxItems: 10, items: obj({ r: ref }) },
  s: { type: 'string', maxLength: 10 },
  n: { type: 'integer' },
  b1: { type: 'boolean' },
  free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
});
const rule = (r: string, extra: Record<string, unknown> = {}) =>
  crd({ ...lists, 'x-kubernetes-validations': [{ rule: r, ...extra }] });

/** Two lists of 1000 strings of up to 1000 characters (4000 bytes for kube's cost estimator). */
const strings = (r: string, extra: Record<string, unknown> = {}) =>
  crd({
    ...obj({
      a: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 1000 } },
      b: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 1000 } },
    }),
    'x-kubernetes-validations': [{ rule: r, ...extra }],
  });

/**
 * The generated Rotation CRD with the override-membership rule it carried until that check moved
 * to the controller, `inner` deciding whether two entries are the same contact; spec.overrides at
 * the 10 items of that time, as the recorded answers were given for.
 */
function rotation(inner: string): Crd {
  const c = parse(readFileSync(join(ROOT, 'config/crd/rotations.yaml'), 'utf8')) as Crd;
  const spec = c.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec as JSONSchemaProps;
  (spec.properties?.overrides as JSONSchemaProps).maxItems = 10;
  spec['x-kubernetes-validations'] = [
    {
      rule: `!has(self.overrides) || self.overrides.all(o, o.newContacts.all(n, self.contacts.exists(c, ${inner})))`,
      message: 'override newContacts must be members of the rotation (listed in contacts)',
    },
  ];
  return c;
}

const setMeta = (meta: JSONSchemaProps) => (root: JSONSchemaProps) => {
  (root.properties as Record<string, JSONSchemaProps>).metadata = meta;
};

/** A valid minimal CRD changed by `patch` (names, versions, columns, subresources). */
function spec(patch: (c: Crd & { spec: Record<string, unknown> }) => void): Crd {
  const c = crd({ type: 'object' });
  patch(c as Crd & { spec: Record<string, unknown> });
  return c;
}
const v0 = (c: Crd) => c.spec.versions[0] as unknown as Record<string, unknown>;

export const BAD_CRDS: BadCrd[] = [
  // names, versions, printer columns, subresources
  {
    name: 'name not plural.group',
    crd: spec((c) => {
      c.metadata.name = 'widget.example.com';
    }),
  },
  {
    name: 'group without a dot',
    crd: spec((c) => {
      c.spec.group = 'example';
      c.metadata.name = 'widgets.example';
    }),
  },
  {
    name: 'unknown scope',
    crd: spec((c) => {
      c.spec.scope = 'Global';
    }),
  },
  {
    name: 'upper-case plural',
    crd: spec((c) => {
      c.spec.names.plural = 'Widgets';
      c.metadata.name = 'Widgets.example.com';
    }),
  },
  {
    name: 'short name not a DNS-1035 label',
    crd: spec((c) => {
      (c.spec.names as Record<string, unknown>).shortNames = ['W_x'];
    }),
  },
  {
    name: 'listKind equal to kind',
    crd: spec((c) => {
      c.spec.names.listKind = 'Widget';
    }),
  },
  {
    name: 'version name not a DNS-1035 label',
    crd: spec((c) => {
      (c.spec.versions[0] as { name: string }).name = 'V1';
    }),
  },
  {
    name: 'version without a schema',
    crd: spec((c) => {
      delete v0(c).schema;
    }),
  },
  {
    name: 'version not served (valid)',
    crd: spec((c) => {
      v0(c).served = false;
    }),
  },
  {
    name: 'scale path not starting with a dot',
    crd: spec((c) => {
      v0(c).subresources = {
        status: {},
        scale: { specReplicasPath: 'spec.r', statusReplicasPath: '.status.r' },
      };
    }),
  },
  {
    name: 'printer column of an unknown type',
    crd: spec((c) => {
      v0(c).additionalPrinterColumns = [{ name: 'A', type: 'strin', jsonPath: 'x' }];
    }),
  },
  // metadata at the schema root
  {
    name: 'metadata with a description',
    crd: crd({ type: 'object' }, setMeta({ type: 'object', description: 'x' })),
  },
  {
    name: 'metadata with other properties',
    crd: crd({ type: 'object' }, setMeta({ type: 'object', properties: { labels: { type: 'object' } } })),
  },
  {
    name: 'metadata narrowing name and generateName (valid)',
    crd: crd(
      { type: 'object' },
      setMeta({
        type: 'object',
        properties: {
          name: { type: 'string', pattern: '^a' },
          generateName: { type: 'string', maxLength: 5 },
        },
      }),
    ),
  },
  { name: 'metadata with a default', crd: crd({ type: 'object' }, setMeta({ type: 'object', default: {} })) },
  { name: 'metadata of type string', crd: crd({ type: 'object' }, setMeta({ type: 'string' })) },
  {
    name: 'kind of type integer',
    crd: crd({ type: 'object' }, (root) => {
      (root.properties as Record<string, JSONSchemaProps>).kind = { type: 'integer' };
    }),
  },
  {
    name: 'root of type string',
    crd: crd({ type: 'object' }, (root) => {
      root.type = 'string';
    }),
  },
  // structural schema and apiextensions rules
  { name: 'type missing', crd: crd(obj({ a: { description: 'x' } })) },
  { name: 'type null', crd: crd(obj({ a: { type: 'null' } })) },
  { name: 'type misspelled', crd: crd(obj({ a: { type: 'strin' } })) },
  {
    name: 'additionalProperties with properties',
    crd: crd(obj({ a: { type: 'string' } }, { additionalProperties: { type: 'string' } })),
  },
  {
    name: 'uniqueItems',
    crd: crd(obj({ a: { type: 'array', uniqueItems: true, items: { type: 'string' } } })),
  },
  { name: 'array without items', crd: crd(obj({ a: { type: 'array' } })) },
  {
    name: 'preserve-unknown-fields false',
    crd: crd(obj({ a: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } })),
  },
  {
    name: 'unknown list type',
    crd: crd(obj({ a: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' } })),
  },
  {
    name: 'list type on a string',
    crd: crd(obj({ a: { type: 'string', 'x-kubernetes-list-type': 'set' } })),
  },
  {
    name: 'map list without keys',
    crd: crd(
      obj({ a: { type: 'array', items: obj({ k: { type: 'string' } }), 'x-kubernetes-list-type': 'map' } }),
    ),
  },
  {
    name: 'map list key neither required nor defaulted',
    crd: crd(
      obj({
        a: {
          type: 'array',
          items: obj({ k: { type: 'string' } }),
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['k'],
        },
      }),
    ),
  },
  {
    name: 'map list key not an item property',
    crd: crd(
      obj({
        a: {
          type: 'array',
          items: obj({ k: { type: 'string' } }, { required: ['k'] }),
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['z'],
        },
      }),
    ),
  },
  {
    name: 'map list keys on an atomic list',
    crd: crd(
      obj({
        a: {
          type: 'array',
          items: obj({ k: { type: 'string' } }, { required: ['k'] }),
          'x-kubernetes-list-type': 'atomic',
          'x-kubernetes-list-map-keys': ['k'],
        },
      }),
    ),
  },
  {
    name: 'set of non-atomic objects',
    crd: crd(
      obj({ a: { type: 'array', items: obj({ k: { type: 'string' } }), 'x-kubernetes-list-type': 'set' } }),
    ),
  },
  {
    name: 'nullable map list items',
    crd: crd(
      obj({
        a: {
          type: 'array',
          items: obj({ k: { type: 'string' } }, { required: ['k'], nullable: true }),
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['k'],
        },
      }),
    ),
  },
  {
    name: 'unknown map type',
    crd: crd(
      obj({
        a: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-map-type': 'loose' },
      }),
    ),
  },
  {
    name: 'int-or-string with a type (valid)',
    crd: crd(obj({ a: { type: 'string', 'x-kubernetes-int-or-string': true } })),
  },
  {
    name: 'embedded resource without properties',
    crd: crd(obj({ a: { type: 'object', 'x-kubernetes-embedded-resource': true } })),
  },
  {
    name: 'embedded resource of type string',
    crd: crd(obj({ a: { type: 'string', 'x-kubernetes-embedded-resource': true } })),
  },
  { name: 'default of the wrong type', crd: crd(obj({ a: { type: 'integer', default: 'x' } })) },
  { name: 'default above maximum', crd: crd(obj({ a: { type: 'integer', maximum: 3, default: 5 } })) },
  {
    name: 'default with an unknown field',
    crd: crd(obj({ a: obj({ b: { type: 'string' } }, { default: { c: 'x' } }) })),
  },
  { name: 'type inside allOf', crd: crd(obj({ a: { type: 'string', allOf: [{ type: 'string' }] } })) },
  {
    name: 'description inside anyOf',
    crd: crd(obj({ a: { type: 'string', anyOf: [{ description: 'x' }] } })),
  },
  { name: 'default inside not', crd: crd(obj({ a: { type: 'string', not: { default: 'x' } } })) },
  { name: '$ref', crd: crd(obj({ a: { $ref: '#/x' } })) },
  {
    name: 'items as an array',
    crd: crd(obj({ a: { type: 'array', items: [{ type: 'string' }] } as never })),
  },
  { name: 'pattern that is not RE2', crd: crd(obj({ a: { type: 'string', pattern: '(?=a)' } })) },
  { name: 'errors in several properties', crd: crd(obj({ b: { type: 'null' }, a: { type: 'array' } })) },
  // rule shapes
  { name: 'empty rule', crd: crd(obj({}, { 'x-kubernetes-validations': [{ rule: '' }] })) },
  {
    name: 'unknown reason',
    crd: crd(obj({}, { 'x-kubernetes-validations': [{ rule: 'true', reason: 'Nope' }] })),
  },
  {
    name: 'fieldPath to an undeclared field',
    crd: crd(
      obj({ a: { type: 'string' } }, { 'x-kubernetes-validations': [{ rule: 'true', fieldPath: '.b' }] }),
    ),
  },
  {
    name: 'message with a line break',
    crd: crd(obj({}, { 'x-kubernetes-validations': [{ rule: 'true', message: 'a\nb' }] })),
  },
  {
    name: 'oldSelf on items of an atomic list',
    crd: crd(
      obj({
        a: {
          type: 'array',
          items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] },
        },
      }),
    ),
  },
  {
    name: 'optionalOldSelf without oldSelf',
    crd: crd(obj({}, { 'x-kubernetes-validations': [{ rule: 'true', optionalOldSelf: true }] })),
  },
  // CEL typed against the schema
  { name: 'whole objects of two lists compared', crd: rule('self.a.all(x, self.b.exists(y, y == x))') },
  { name: 'nested objects of two lists compared', crd: rule('self.a.all(x, self.b.exists(y, y.r == x.r))') },
  { name: 'two lists of different item types compared', crd: rule('self.a == self.b') },
  { name: 'items of the same list compared (valid)', crd: rule('self.a.all(x, self.a.exists(y, y == x))') },
  { name: 'unknown field in a rule', crd: rule('self.a.all(x, x.r.nam == "a")') },
  { name: 'two unknown fields', crd: rule('self.x == 1 && self.y == 2') },
  { name: 'field under preserve-unknown-fields', crd: rule('self.free.foo == 1') },
  { name: 'field of a string', crd: rule('self.s.foo == 1') },
  { name: 'string compared with an int', crd: rule('self.s > self.n') },
  { name: 'string plus int', crd: rule('self.s + 1 == "x"') },
  { name: 'int compared with a double', crd: rule('self.n == 1.0') },
  { name: 'int below a double (valid)', crd: rule('self.n < 1.5') },
  { name: 'string compared with null', crd: rule('self.s == null') },
  { name: 'method of string on an object', crd: rule('self.a[0].r.startsWith("x")') },
  { name: 'matches with an int', crd: rule('self.s.matches(1)') },
  { name: 'size of an int', crd: rule('size(self.n) == 1') },
  { name: 'not of an int', crd: rule('!self.n') },
  { name: 'ternary branches of two types', crd: rule('self.b1 ? 1 : "a"') },
  { name: 'logical and of a string', crd: rule('self.b1 && self.s') },
  { name: 'list literal of two types', crd: rule('[1, "a"].size() > 0') },
  { name: 'list literal of null then an object', crd: rule('[null, self.a[0]].size() == 2') },
  { name: 'map literal with an int and a string key', crd: rule('{"a": 1, 2: 1}.size() == 2') },
  { name: 'int in a list of objects', crd: rule('self.n in self.a') },
  { name: 'rule that is not a bool', crd: rule('self.n') },
  { name: 'messageExpression that is not a string', crd: rule('true', { messageExpression: 'self.n' }) },
  { name: 'messageExpression with an unknown field', crd: rule('true', { messageExpression: 'self.x' }) },
  { name: 'cel.bind (not in kube 1.32 CRD rules)', crd: rule('cel.bind(x, self.a[0], x.r.name == "a")') },
  { name: 'keyword-named field read as namespace (valid)', crd: rule('self.a.all(x, x.r.namespace == "a")') },
  // cost
  {
    name: 'replace inside two loops (priced at twice a traversal)',
    crd: strings('self.a.all(x, self.b.all(y, x.replace("a", "bb") == y))'),
  },
  {
    name: 'messageExpression over budget (the cheap rule is named too)',
    crd: strings('self.a.all(x, self.b.all(y, true))', {
      messageExpression: 'self.a.map(x, self.b.map(y, x + y)).size() > 0 ? "a" : "b"',
    }),
  },
  { name: 'string of an int concatenated (unbounded size)', crd: rule('string(self.n) + self.s == "x"') },
  {
    name: 'rotation rule comparing ref names (valid)',
    crd: rotation('c.contactRef.name == n.contactRef.name'),
  },
  {
    name: 'rotation rule comparing ref namespaces (over budget 100x)',
    crd: rotation('c.contactRef.namespace == n.contactRef.namespace'),
  },
  {
    name: 'rotation rule with two more ARN compares (over budget 1.49x)',
    crd: rotation(
      'has(n.contactArn) ? (has(c.contactArn) && c.contactArn == n.contactArn && c.contactArn == n.contactArn) : (has(c.contactRef) && has(n.contactRef) && c.contactRef.name == n.contactRef.name)',
    ),
  },
];

/** selfType<nanoseconds> differs per request. */
export const normalise = (s: string): string => s.replace(/selfType\d+/g, 'selfTypeN');

export const EXPECTED = JSON.parse(
  readFileSync(join(import.meta.dirname, 'bad-crds.expected.json'), 'utf8'),
) as Record<string, string[]>;
