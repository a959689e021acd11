import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../../src/emulators/kube/patch.ts';
import type { Obj } from '../../../src/emulators/kube/registry.ts';
import {
  parseFieldSelector,
  parseLabelSelector,
  selectableFields,
} from '../../../src/emulators/kube/selectors.ts';
import { humanDuration, jsonPath } from '../../../src/emulators/kube/table.ts';

describe('JSON merge patch (RFC 7386)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, want) => {
    expect(mergePatch(target, patch)).toEqual(want);
  });
});

describe('JSON patch', () => {
  it('applies operations and fails a test op', () => {
    expect(jsonPatch({ a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }])).toEqual({ a: [1, 2] });
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow();
  });
});

describe('strategic merge patch', () => {
  it('merges finalizers and owner references by key, deletes with $patch and drops directives', () => {
    const live = {
      metadata: { finalizers: ['a'], ownerReferences: [{ uid: '1', name: 'x' }] },
      data: { k: 'v' },
    };
    const out = strategicMergePatch(live, {
      metadata: {
        finalizers: ['b'],
        ownerReferences: [
          { uid: '2', name: 'y' },
          { uid: '1', $patch: 'delete' },
        ],
        '$setElementOrder/finalizers': ['a', 'b'],
      },
      data: { k: null, n: 'w' },
    });
    expect(out).toEqual({
      metadata: { finalizers: ['a', 'b'], ownerReferences: [{ uid: '2', name: 'y' }] },
      data: { n: 'w' },
    });
    expect(
      strategicMergePatch(
        { metadata: { finalizers: ['a', 'b'] } },
        { '$deleteFromPrimitiveList/finalizers': ['a'] },
      ),
    ).toEqual({ metadata: { finalizers: ['a', 'b'] } });
  });
});

describe('selectors', () => {
  const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}): Obj => ({
    metadata: { name: 'n', namespace: 'ns', labels },
    ...extra,
  });
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'db' }, false],
    ['app!=web', {}, true],
    ['app in (web, db)', { app: 'db' }, true],
    ['app notin (web)', { app: 'web' }, false],
    ['app', {}, false],
    ['!app', {}, true],
    ['app=web,tier in (front)', { app: 'web', tier: 'front' }, true],
  ])('label selector %s on %j is %s', (sel, labels, want) => {
    expect(parseLabelSelector(sel)(obj(labels))).toBe(want);
  });

  it('field selectors cover metadata and event fields, and reject others', () => {
    const ev = obj({}, { involvedObject: { kind: 'Contact', name: 'alice' }, reason: 'Synced' });
    const allowed = selectableFields('', 'events');
    expect(parseFieldSelector('involvedObject.kind=Contact,involvedObject.name=alice', allowed)(ev)).toBe(
      true,
    );
    expect(parseFieldSelector('metadata.namespace!=ns', allowed)(ev)).toBe(false);
    expect(() => parseFieldSelector('spec.x=1', selectableFields('', 'configmaps'))).toThrow(
      'field label not supported: spec.x',
    );
  });
});

describe('printer-column JSONPath', () => {
  const o = {
    spec: { type: 'Personal', items: [{ n: 1 }, { n: 2 }] },
    status: {
      conditions: [
        { type: 'Synced', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
    },
  };
  it.each([
    ['.spec.type', ['Personal']],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['.spec.items[1].n', [2]],
    ['.spec.items[*].n', [1, 2]],
    ['.spec.missing', []],
  ])('%s', (path, want) => {
    expect(jsonPath(o, path)).toEqual(want);
  });

  it('formats ages as kubectl does', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(150_000)).toBe('2m30s');
    expect(humanDuration(3 * 3600_000)).toBe('3h');
    expect(humanDuration(3 * 86400_000)).toBe('3d');
  });
});
