import { describe, expect, it } from 'vitest';
import { compileCel } from '../../../src/emulators/kube/schema/index.ts';

function run(expression: string, self?: unknown): unknown {
  const compiled = compileCel(expression);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.program.run({ self });
}

// Examples from the Kubernetes CEL reference (kubernetes.io/docs/reference/using-api/cel/) and the
// library documentation of k8s.io/apiserver/pkg/cel/library; each must evaluate to true.
const library: { reason: string; expression: string }[] = [
  { reason: 'lists: isSorted is true for an ascending list', expression: '[1, 2, 3].isSorted()' },
  { reason: 'lists: isSorted is false for an unsorted list', expression: '![1, 3, 2].isSorted()' },
  { reason: 'lists: sum adds integers', expression: '[1, 2, 3].sum() == 6' },
  { reason: 'lists: sum adds doubles', expression: '[1.5, 2.5].sum() == 4.0' },
  { reason: 'lists: max and min', expression: '[1, 2, 3].max() == 3 && [3, 1, 2].min() == 1' },
  { reason: 'lists: indexOf finds the first match', expression: '[1, 2, 3].indexOf(2) == 1' },
  { reason: 'lists: lastIndexOf finds the last match', expression: '[1, 2, 2, 3].lastIndexOf(2) == 2' },
  { reason: 'lists: indexOf of a missing element is -1', expression: "['a', 'b'].indexOf('c') == -1" },
  { reason: 'strings: charAt', expression: "'abc'.charAt(1) == 'b'" },
  {
    reason: 'strings: indexOf and lastIndexOf',
    expression: "'hello'.indexOf('l') == 2 && 'hello'.lastIndexOf('l') == 3",
  },
  {
    reason: 'strings: lowerAscii and upperAscii',
    expression: "'Hello'.lowerAscii() == 'hello' && 'Hello'.upperAscii() == 'HELLO'",
  },
  { reason: 'strings: replace every occurrence', expression: "'a b c'.replace(' ', '_') == 'a_b_c'" },
  {
    reason: 'strings: replace a limited number of occurrences',
    expression: "'a b c'.replace(' ', '_', 1) == 'a_b c'",
  },
  { reason: 'strings: split', expression: "'a,b,c'.split(',') == ['a', 'b', 'c']" },
  { reason: 'strings: substring', expression: "'abc'.substring(1, 2) == 'b'" },
  { reason: 'strings: trim', expression: "'  x '.trim() == 'x'" },
  { reason: 'strings: join', expression: "['a', 'b'].join('-') == 'a-b'" },
  { reason: 'strings: reverse', expression: "'abc'.reverse() == 'cba'" },
  {
    reason: 'strings: format with %s and %d',
    expression: '"%s has %d items".format(["list", 3]) == "list has 3 items"',
  },
  { reason: 'strings: format with a precision', expression: '"%.2f".format([1.0]) == "1.00"' },
  { reason: 'regex: matches', expression: "'abc'.matches('^[a-z]+$')" },
  { reason: 'regex: find returns the first match', expression: '"abc 123".find(\'[0-9]+\') == "123"' },
  {
    reason: 'regex: find returns an empty string without a match',
    expression: '"abc".find(\'[0-9]+\') == ""',
  },
  {
    reason: 'regex: findAll returns every match',
    expression: "\"123 abc 456\".findAll('[0-9]+') == ['123', '456']",
  },
  { reason: 'regex: findAll with a limit', expression: "\"123 abc 456\".findAll('[0-9]+', 1) == ['123']" },
  {
    reason: 'urls: getHost keeps the port',
    expression: "url('https://example.com:80/').getHost() == 'example.com:80'",
  },
  {
    reason: 'urls: getHostname drops the port',
    expression: "url('https://example.com:80/').getHostname() == 'example.com'",
  },
  {
    reason: 'urls: getHostname of an IPv6 host has no brackets',
    expression: "url('https://[::1]:80/').getHostname() == '::1'",
  },
  { reason: 'urls: getPort', expression: "url('https://example.com:80/').getPort() == '80'" },
  { reason: 'urls: getScheme', expression: "url('https://example.com').getScheme() == 'https'" },
  { reason: 'urls: an absolute path has no scheme', expression: "url('/absolute-path').getScheme() == ''" },
  {
    reason: 'urls: getEscapedPath',
    expression: "url('https://example.com/path').getEscapedPath() == '/path'",
  },
  {
    reason: 'urls: getQuery groups repeated keys',
    expression:
      "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}",
  },
  {
    reason: 'urls: isURL accepts an absolute URL and refuses text',
    expression: "isURL('https://example.com') && !isURL('not a url')",
  },
  { reason: 'quantity: isQuantity', expression: 'isQuantity("50000M") && !isQuantity("50000 M")' },
  {
    reason: 'quantity: isInteger',
    expression: 'quantity("50000M").isInteger() && !quantity("500m").isInteger()',
  },
  { reason: 'quantity: asInteger applies the suffix', expression: 'quantity("50k").asInteger() == 50000' },
  {
    reason: 'quantity: binary suffixes compare',
    expression: 'quantity("2Gi").isGreaterThan(quantity("1Gi"))',
  },
  {
    reason: 'quantity: add',
    expression: 'quantity("50M").add(quantity("20M")).compareTo(quantity("70M")) == 0',
  },
  { reason: 'quantity: sub of an integer', expression: 'quantity("1Mi").sub(1).asInteger() == 1048575' },
  { reason: 'quantity: asApproximateFloat', expression: 'quantity("1.5G").asApproximateFloat() == 1.5e9' },
  {
    reason: 'quantity: sign and isLessThan',
    expression: 'quantity("-1").sign() == -1 && quantity("500m").isLessThan(quantity("1"))',
  },
  { reason: 'time: durations compare', expression: "duration('1h') > duration('30m')" },
  {
    reason: 'time: a timestamp plus a duration',
    expression: "timestamp('2024-01-01T00:00:00Z') + duration('24h') == timestamp('2024-01-02T00:00:00Z')",
  },
  { reason: 'optional: of and none', expression: 'optional.of(1).hasValue() && !optional.none().hasValue()' },
  { reason: 'optional: optional field selection with a default', expression: "{'a': 1}.?b.orValue(2) == 2" },
  {
    reason: 'macros: all, exists, exists_one',
    expression: '[1, 2, 3].all(x, x > 0) && [1, 2, 3].exists(x, x == 2) && [1, 2, 3].exists_one(x, x > 2)',
  },
  {
    reason: 'macros: map and filter',
    expression: '[1, 2, 3].map(x, x * 2) == [2, 4, 6] && [1, 2, 3].filter(x, x > 1) == [2, 3]',
  },
  { reason: 'macros: all over a map iterates its keys', expression: "{'a': 1, 'b': 2}.all(k, k != 'c')" },
  { reason: 'macros: cel.bind', expression: 'cel.bind(x, 2, x * x) == 4' },
  { reason: 'sets: contains', expression: 'sets.contains([1, 2, 3], [3, 1]) && !sets.contains([1], [2])' },
  {
    reason: 'sets: equivalent ignores order and duplicates',
    expression: 'sets.equivalent([1, 2, 2], [2, 1])',
  },
  {
    reason: 'sets: intersects',
    expression: "sets.intersects(['a', 'b'], ['b']) && !sets.intersects(['a'], ['c'])",
  },
  { reason: 'size and type', expression: "size('abc') == 3 && type(1) == int && type('x') == string" },
];

describe('Kubernetes CEL libraries', () => {
  it.each(library)('$reason', ({ expression }) => {
    expect(run(expression)).toBe(true);
  });
});

// Rules from the Kubernetes "Validation rules" examples, evaluated against a matching and a
// failing `self`.
const docRules: { reason: string; rule: string; pass: unknown; fail: unknown }[] = [
  {
    reason: 'ranges between fields',
    rule: 'self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas',
    pass: { minReplicas: 1n, replicas: 2n, maxReplicas: 3n },
    fail: { minReplicas: 1n, replicas: 5n, maxReplicas: 3n },
  },
  {
    reason: 'map key membership',
    rule: "'Available' in self.stateCounts",
    pass: { stateCounts: { Available: 1n } },
    fail: { stateCounts: {} },
  },
  {
    reason: 'exactly one of two lists is non-empty',
    rule: '(size(self.list1) == 0) != (size(self.list2) == 0)',
    pass: { list1: [], list2: ['a'] },
    fail: { list1: ['a'], list2: ['b'] },
  },
  {
    reason: 'a map value matches a pattern when present',
    rule: "!('MY_KEY' in self.map1) || self.map1['MY_KEY'].matches('^[a-zA-Z]*$')",
    pass: { map1: { MY_KEY: 'abc' } },
    fail: { map1: { MY_KEY: 'a1' } },
  },
  {
    reason: 'filter then all',
    rule: "self.envars.filter(e, e.name == 'MY_ENV').all(e, e.value.matches('^[a-zA-Z]*$'))",
    pass: { envars: [{ name: 'MY_ENV', value: 'abc' }] },
    fail: { envars: [{ name: 'MY_ENV', value: '123' }] },
  },
  {
    reason: 'startsWith',
    rule: "self.health.startsWith('ok')",
    pass: { health: 'ok now' },
    fail: { health: 'bad' },
  },
  {
    reason: 'exists over objects',
    rule: "self.widgets.exists(w, w.key == 'x' && w.foo < 10)",
    pass: { widgets: [{ key: 'x', foo: 5n }] },
    fail: { widgets: [{ key: 'x', foo: 50n }] },
  },
  {
    reason: 'int-or-string branches on type',
    rule: "type(self) == string ? self == '100%' : self == 1000",
    pass: '100%',
    fail: 999n,
  },
  { reason: 'has() on an optional field', rule: 'has(self.expired)', pass: { expired: 'x' }, fail: {} },
  {
    reason: 'set disjointness',
    rule: 'self.set1.all(e, !(e in self.set2))',
    pass: { set1: ['a'], set2: ['b'] },
    fail: { set1: ['a'], set2: ['a'] },
  },
  {
    reason: 'exactly one cluster named primary',
    rule: 'size(self.clusters.filter(c, c.name == self.primary)) == 1',
    pass: { primary: 'a', clusters: [{ name: 'a' }, { name: 'b' }] },
    fail: { primary: 'c', clusters: [{ name: 'a' }] },
  },
];

describe('validation rule examples', () => {
  it.each(docRules)(
    '$reason: holds for a matching object and fails for a violating one',
    ({ rule, pass, fail }) => {
      expect(run(rule, pass)).toBe(true);
      expect(run(rule, fail)).toBe(false);
    },
  );
});

describe('compilation errors as cel-go words them', () => {
  const cases = [
    {
      reason: 'an unknown identifier is an undeclared reference with a caret under it',
      expression: 'self.a == foo',
      error:
        "ERROR: <input>:1:11: undeclared reference to 'foo' (in container '')\n | self.a == foo\n | ..........^",
    },
    {
      reason: 'an unknown function is an undeclared reference',
      expression: 'frobnicate(self)',
      error:
        "ERROR: <input>:1:1: undeclared reference to 'frobnicate' (in container '')\n | frobnicate(self)\n | ^",
    },
    {
      reason: 'a loop variable used outside its macro is undeclared',
      expression: 'self.all(x, x > 0) && x > 1',
      error:
        "ERROR: <input>:1:23: undeclared reference to 'x' (in container '')\n | self.all(x, x > 0) && x > 1\n | ......................^",
    },
  ];
  it.each(cases)('$reason', ({ expression, error }) => {
    const r = compileCel(expression);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe(error);
  });

  it('reports a syntax error with its position', () => {
    const r = compileCel('self.x(');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^ERROR: <input>:1:\d+: Syntax error: /);
  });

  it('refuses at evaluation a find() pattern that is not RE2', () => {
    expect(() => run("'ab'.find('(?=a)a')")).toThrow(/invalid or unsupported Perl syntax/);
  });

  it('accepts oldSelf only where the caller declares it', () => {
    expect(compileCel('self == oldSelf', ['self', 'oldSelf']).ok).toBe(true);
    expect(compileCel('self == oldSelf', ['self']).ok).toBe(false);
  });
});
