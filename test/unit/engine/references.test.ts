import { describe, expect, it } from 'vitest';
import { keyOf, type ManagedObject } from '../../../src/engine/contract.ts';
import { EXTERNAL_ARN_ANNOTATION } from '../../../src/engine/names.ts';
import { ReferenceIndex, resolveReferences } from '../../../src/engine/references.ts';

function contact(name: string, ready: boolean, arn?: string): ManagedObject {
  return {
    apiVersion: 'v1',
    kind: 'Contact',
    metadata: {
      name,
      namespace: 'oncall',
      uid: name,
      ...(arn ? { annotations: { [EXTERNAL_ARN_ANNOTATION]: arn } } : {}),
    },
    spec: {},
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          reason: ready ? 'Available' : 'Creating',
          message: '',
          lastTransitionTime: 't',
          observedGeneration: 1,
        },
      ],
    },
  };
}

const plan: ManagedObject = {
  apiVersion: 'v1',
  kind: 'EscalationPlan',
  metadata: { name: 'p', namespace: 'oncall', uid: 'p' },
  spec: {},
};

describe('resolveReferences', () => {
  const store = new Map<string, ManagedObject>([
    [keyOf('Contact', 'oncall', 'alice'), contact('alice', true, 'arn:alice')],
    [keyOf('Contact', 'oncall', 'bob'), contact('bob', false)],
  ]);
  const lookup = (k: string) => store.get(k);

  it('resolves Refs from the cache (same namespace by default) and passes raw ARNs through', () => {
    const r = resolveReferences(
      plan,
      [
        { path: 'spec.targets[0].contactRef', ref: { kind: 'Contact', name: 'alice' } },
        { path: 'spec.targets[1].contactArn', arn: 'arn:external' },
      ],
      lookup,
    );
    expect(r.ok).toBe(true);
    if (r.ok)
      expect([...r.resolved]).toEqual([
        ['spec.targets[0].contactRef', 'arn:alice'],
        ['spec.targets[1].contactArn', 'arn:external'],
      ]);
  });

  it('says which reference is not usable and why', () => {
    const r = resolveReferences(
      plan,
      [
        { path: 'spec.a', ref: { kind: 'Contact', name: 'bob' } },
        { path: 'spec.b', ref: { kind: 'Contact', name: 'carol' } },
      ],
      lookup,
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.unresolved.map((u) => u.why)).toEqual([
        'Contact oncall/bob is not Ready (Creating)',
        'Contact oncall/carol does not exist',
      ]);
  });
});

describe('ReferenceIndex', () => {
  it('maps targets to referrers and reports targets no longer named', () => {
    const idx = new ReferenceIndex();
    idx.set('EscalationPlan/oncall/p', ['Contact/oncall/alice', 'Contact/oncall/bob']);
    idx.set('ResponsePlan/oncall/r', ['Contact/oncall/alice']);
    expect(idx.referrersOf('Contact/oncall/alice')).toEqual([
      'EscalationPlan/oncall/p',
      'ResponsePlan/oncall/r',
    ]);
    expect(idx.set('EscalationPlan/oncall/p', ['Contact/oncall/alice'])).toEqual(['Contact/oncall/bob']);
    expect(idx.referrersOf('Contact/oncall/bob')).toEqual([]);
    expect(idx.remove('ResponsePlan/oncall/r')).toEqual(['Contact/oncall/alice']);
    expect(idx.referrersOf('Contact/oncall/alice')).toEqual(['EscalationPlan/oncall/p']);
  });
});
