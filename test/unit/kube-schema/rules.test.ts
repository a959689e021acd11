import { describe, expect, it } from 'vitest';
import {
  compileVersionSchema,
  type JSONSchemaProps,
  type ValidationRule,
} from '../../../src/emulators/kube/schema/index.ts';

function specRules(
  rules: ValidationRule[],
  properties: Record<string, JSONSchemaProps> = {},
): ReturnType<typeof compileVersionSchema> {
  return compileVersionSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': rules,
        properties: {
          min: { type: 'integer' },
          max: { type: 'integer' },
          name: { type: 'string' },
          ...properties,
        },
      },
    },
  });
}
const obj = (spec: Record<string, unknown>) => ({
  apiVersion: 'example.com/v1',
  kind: 'W',
  metadata: { name: 'w' },
  spec,
});

const cases: {
  reason: string;
  rule: ValidationRule;
  spec: Record<string, unknown>;
  old?: Record<string, unknown>;
  want: unknown[];
}[] = [
  {
    reason: 'a failing rule without a message says "failed rule: <rule>" on the node, valued by its type',
    rule: { rule: 'self.min <= self.max' },
    spec: { min: 5, max: 1 },
    want: [
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message: 'Invalid value: "object": failed rule: self.min <= self.max',
      },
    ],
  },
  {
    reason: 'a passing rule reports nothing',
    rule: { rule: 'self.min <= self.max' },
    spec: { min: 1, max: 5 },
    want: [],
  },
  {
    reason: 'message replaces the default text',
    rule: { rule: 'self.min <= self.max', message: 'min must not exceed max' },
    spec: { min: 5, max: 1 },
    want: [
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message: 'Invalid value: "object": min must not exceed max',
      },
    ],
  },
  {
    reason: 'messageExpression is evaluated against self',
    rule: {
      rule: 'self.min <= self.max',
      message: 'static',
      messageExpression: "'min ' + string(self.min) + ' exceeds max ' + string(self.max)",
    },
    spec: { min: 5, max: 1 },
    want: [
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": min 5 exceeds max 1' },
    ],
  },
  {
    reason: 'a messageExpression that fails falls back to message',
    rule: { rule: 'self.min <= self.max', message: 'static', messageExpression: 'self.nosuch' },
    spec: { min: 5, max: 1 },
    want: [{ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": static' }],
  },
  {
    reason: 'fieldPath moves the cause to the named field',
    rule: { rule: 'self.min <= self.max', message: 'too big', fieldPath: '.max' },
    spec: { min: 5, max: 1 },
    want: [{ reason: 'FieldValueInvalid', field: 'spec.max', message: 'Invalid value: "object": too big' }],
  },
  {
    reason: 'reason FieldValueForbidden makes a Forbidden cause',
    rule: { rule: '!has(self.name)', message: 'name may not be set', reason: 'FieldValueForbidden' },
    spec: { name: 'x' },
    want: [{ reason: 'FieldValueForbidden', field: 'spec', message: 'Forbidden: name may not be set' }],
  },
  {
    reason: 'reason FieldValueRequired makes a Required cause',
    rule: { rule: 'has(self.name)', message: 'name is needed', reason: 'FieldValueRequired' },
    spec: {},
    want: [{ reason: 'FieldValueRequired', field: 'spec', message: 'Required value: name is needed' }],
  },
  {
    reason: 'a rule that errors at runtime is reported with the evaluation error',
    rule: { rule: 'self.name == "x"' },
    spec: {},
    want: [
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message: 'Invalid value: "object": no such key: name evaluating rule: self.name == "x"',
      },
    ],
  },
  {
    reason: 'a runtime error names the rule by its message when it has one',
    rule: { rule: 'self.name == "x"', message: 'name must be x' },
    spec: {},
    want: [
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message: 'Invalid value: "object": no such key: name evaluating rule: name must be x',
      },
    ],
  },
  {
    reason: 'a transition rule is skipped on create',
    rule: { rule: 'self.name == oldSelf.name', message: 'name is immutable' },
    spec: { name: 'b' },
    want: [],
  },
  {
    reason: 'a transition rule compares with the old object on update',
    rule: { rule: 'self.name == oldSelf.name', message: 'name is immutable' },
    spec: { name: 'b' },
    old: { name: 'a' },
    want: [
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": name is immutable' },
    ],
  },
  {
    reason: 'a transition rule passes when the value is unchanged',
    rule: { rule: 'self.name == oldSelf.name', message: 'name is immutable' },
    spec: { name: 'a' },
    old: { name: 'a' },
    want: [],
  },
  {
    reason: 'optionalOldSelf runs the rule on create with oldSelf empty',
    rule: {
      rule: '!oldSelf.hasValue() || self.name == oldSelf.value().name',
      optionalOldSelf: true,
      message: 'immutable',
    },
    spec: { name: 'b' },
    want: [],
  },
  {
    reason: 'optionalOldSelf sees the old value on update',
    rule: {
      rule: '!oldSelf.hasValue() || self.name == oldSelf.value().name',
      optionalOldSelf: true,
      message: 'immutable',
    },
    spec: { name: 'b' },
    old: { name: 'a' },
    want: [{ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": immutable' }],
  },
  {
    reason: 'integers reach CEL as int, so arithmetic and comparison with literals work',
    rule: { rule: 'self.max - self.min >= 2 && self.max % 2 == 0' },
    spec: { min: 1, max: 4 },
    want: [],
  },
];

describe('x-kubernetes-validations at runtime', () => {
  it.each(cases)('$reason', ({ rule, spec, old, want }) => {
    const schema = specRules([rule]);
    expect(schema.validate(obj(spec), old ? obj(old) : undefined)).toEqual(want);
  });

  it('evaluates rules on every list item and names the item', () => {
    const schema = specRules([], {
      items: {
        type: 'array',
        items: {
          type: 'object',
          properties: { n: { type: 'integer' } },
          'x-kubernetes-validations': [{ rule: 'self.n > 0', message: 'n must be positive' }],
        },
      },
    });
    expect(schema.validate(obj({ items: [{ n: 1 }, { n: 0 }] }))).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.items[1]',
        message: 'Invalid value: "object": n must be positive',
      },
    ]);
  });

  it('correlates map-list items with their old selves by key for transition rules', () => {
    const schema = specRules([], {
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, port: { type: 'integer' } },
          'x-kubernetes-validations': [{ rule: 'self.port == oldSelf.port', message: 'port is immutable' }],
        },
      },
    });
    const old = obj({
      ports: [
        { name: 'a', port: 1 },
        { name: 'b', port: 2 },
      ],
    });
    // b moved to index 0 and changed; a kept its port; c is new and has no old self.
    const now = obj({
      ports: [
        { name: 'b', port: 3 },
        { name: 'a', port: 1 },
        { name: 'c', port: 9 },
      ],
    });
    expect(schema.validate(now, old)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.ports[0]',
        message: 'Invalid value: "object": port is immutable',
      },
    ]);
  });

  it('runs rules on a string node with self bound to the string', () => {
    const schema = specRules([], {
      name: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.startsWith('ok')" }] },
    });
    expect(schema.validate(obj({ name: 'bad' }))).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.name',
        message: 'Invalid value: "string": failed rule: self.startsWith(\'ok\')',
      },
    ]);
  });

  it('binds date-time strings as timestamps', () => {
    const schema = specRules([{ rule: 'self.end - self.start >= duration("30m")', message: 'too short' }], {
      start: { type: 'string', format: 'date-time' },
      end: { type: 'string', format: 'date-time' },
    });
    expect(schema.validate(obj({ start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:10:00Z' }))).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": too short' },
    ]);
    expect(schema.validate(obj({ start: '2024-01-01T00:00:00Z', end: '2024-01-01T01:00:00Z' }))).toEqual([]);
  });

  it('lists schema errors before rule failures when the schema errors do not block the rules', () => {
    const schema = specRules([{ rule: 'self.min <= self.max', message: 'order' }], {
      name: { type: 'string', pattern: '^[a-z]$' },
    });
    expect(schema.validate(obj({ min: 2, max: 1, name: 'LONG' })).map((c) => c.field)).toEqual([
      'spec.name',
      'spec',
    ]);
  });

  // As kube-apiserver 1.32 answers (test/cluster/api-rules.test.ts): a type, required, enum,
  // maxLength, maxItems or maxProperties error keeps every rule from running and adds one line
  // without a field; pattern, minLength, minimum/maximum, minItems and duplicates do not.
  it.each([
    ['maxLength', { type: 'string', maxLength: 1 }, 'long', true],
    ['enum', { type: 'string', enum: ['a'] }, 'b', true],
    ['type', { type: 'string' }, 5, true],
    ['pattern', { type: 'string', pattern: '^a$' }, 'b', false],
    ['minLength', { type: 'string', minLength: 3 }, 'ab', false],
    ['maximum', { type: 'integer', maximum: 1 }, 2, false],
  ] as const)('a %s error blocks the rules: %s', (_kind, name, value, blocks) => {
    const schema = specRules([{ rule: 'self.min <= self.max', message: 'order' }], {
      name: name as JSONSchemaProps,
    });
    const found = schema.validate(obj({ min: 2, max: 1, name: value }));
    expect(found.map((c) => c.field)).toEqual(['spec.name', blocks ? '<nil>' : 'spec']);
    expect(found[1]?.message).toBe(
      blocks
        ? 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'
        : 'Invalid value: "object": order',
    );
  });

  it('adds no such line when the schema has no rules at all (kube-apiserver has no CEL validator then)', () => {
    const plain = compileVersionSchema({
      type: 'object',
      properties: { spec: { type: 'object', properties: { name: { type: 'string', maxLength: 1 } } } },
    });
    expect(plain.validate(obj({ name: 'long' })).map((c) => c.field)).toEqual(['spec.name']);
  });

  it('runs no rule at all once a required field is missing, reporting the skipped rules once', () => {
    const schema = specRules([{ rule: 'self.min <= self.max', message: 'order' }], {
      name: { type: 'string' },
    });
    const required = compileVersionSchema({
      type: 'object',
      properties: {
        spec: { ...schema.schema.properties?.spec, required: ['name'] },
      },
    });
    expect(required.validate(obj({ min: 2, max: 1 }))).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.name', message: 'Required value' },
      {
        reason: 'FieldValueInvalid',
        field: '<nil>',
        message:
          'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      },
    ]);
  });
});

describe('validation ratcheting on update (kube ≥ 1.30)', () => {
  const schema = compileVersionSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 3 },
          other: { type: 'string' },
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string' }, port: { type: 'integer', maximum: 100 } },
            },
          },
          tags: { type: 'array', items: { type: 'string', maxLength: 2 } },
        },
        'x-kubernetes-validations': [
          { rule: "!has(self.other) || self.other != 'bad'", message: 'other is bad' },
        ],
      },
    },
  });
  const w = (spec: Record<string, unknown>) => ({ metadata: { name: 'w' }, spec });

  it('refuses an invalid value on create', () => {
    expect(schema.validate(w({ name: 'toolong' })).map((c) => c.field)).toEqual(['spec.name', '<nil>']);
  });

  it('lets an update through when the invalid value is unchanged', () => {
    expect(schema.validate(w({ name: 'toolong', other: 'x' }), w({ name: 'toolong' }))).toEqual([]);
  });

  it('refuses an update that changes the value to another invalid one', () => {
    expect(schema.validate(w({ name: 'stilltoolong' }), w({ name: 'toolong' })).map((c) => c.field)).toEqual([
      'spec.name',
      '<nil>',
    ]);
  });

  it('correlates map-list items by key, so reordering keeps an unchanged invalid item', () => {
    const old = w({
      ports: [
        { name: 'a', port: 500 },
        { name: 'b', port: 1 },
      ],
    });
    expect(
      schema.validate(
        w({
          ports: [
            { name: 'b', port: 2 },
            { name: 'a', port: 500 },
          ],
        }),
        old,
      ),
    ).toEqual([]);
    expect(schema.validate(w({ ports: [{ name: 'a', port: 501 }] }), old).map((c) => c.field)).toEqual([
      'spec.ports[0].port',
    ]);
  });

  it('does not correlate items of an atomic list once the list changed', () => {
    expect(schema.validate(w({ tags: ['long', 'x'] }), w({ tags: ['long'] })).map((c) => c.field)).toEqual([
      'spec.tags[0]',
      '<nil>',
    ]);
  });

  it('skips a rule without oldSelf on an unchanged node but runs it when the node changed', () => {
    expect(schema.validate(w({ other: 'bad' }), w({ other: 'bad' }))).toEqual([]);
    expect(
      schema.validate(w({ other: 'bad', name: 'a' }), w({ other: 'bad' })).map((c) => c.message),
    ).toEqual(['Invalid value: "object": other is bad']);
  });
});
