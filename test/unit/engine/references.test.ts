import { describe, expect, it } from 'vitest';
import { keyOf, type ManagedObject } from '../../../src/engine/contract.ts';
import { EXTERNAL_ARN_ANNOTATION } from '../../../src/engine/names.ts';
import {
  type ConsumerShares,
  checkForeignReferences,
  foreignReferences,
  missingShareMessage,
  REFERENCE_RECHECK_MS,
  ReferenceIndex,
  refOfOtherAccount,
  resolveReferences,
} from '../../../src/engine/references.ts';

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

describe('references of another account', () => {
  const OWNER = '111111111111';
  const ME = '333333333333';
  const epArn = `arn:aws:ssm-contacts:us-east-1:${OWNER}:contact/oncall`;
  const ownerEp = (principals: { principal: string; status: string }[], specPrincipals: string[]) =>
    ({
      apiVersion: 'v1',
      kind: 'EscalationPlan',
      metadata: { name: 'oncall', namespace: 'platform', uid: 'ep' },
      spec: { accountRef: { name: 'management' }, sharing: { principals: specPrincipals } },
      status: { arn: epArn, sharing: { resourceShareArn: 'arn:share', principals } },
    }) as unknown as ManagedObject;
  const rp = {
    apiVersion: 'v1',
    kind: 'ResponsePlan',
    metadata: { name: 'rp', namespace: 'apps', uid: 'rp' },
    spec: { accountRef: { name: 'partner' } },
  } as unknown as ManagedObject;
  const field = {
    path: 'spec.engagements[0].escalationPlanRef',
    ref: { kind: 'EscalationPlan', name: 'oncall', namespace: 'platform' },
  };
  const resolved = new Map([[field.path, epArn]]);
  const refTo = (ep: ManagedObject) => {
    const lookup = (k: string) => (k === keyOf('EscalationPlan', 'platform', 'oncall') ? ep : undefined);
    expect(refOfOtherAccount(rp, field, lookup)).toBe(true);
    const [r] = foreignReferences(rp, [field], resolved, ME, lookup);
    return r as NonNullable<typeof r>;
  };
  const none: ConsumerShares = { account: 'partner', acceptsFrom: [], pending: [] };

  it('says what is missing: the owner shares it with others only, or the invitation waits', () => {
    const notShared = refTo(ownerEp([], ['222222222222']));
    expect(missingShareMessage(notShared, ME, none)).toBe(
      `EscalationPlan platform/oncall (${epArn}) belongs to account ${OWNER} and is not shared with account ${ME}: add "${ME}" to spec.sharing.principals of EscalationPlan platform/oncall (with spec.sharing.allowExternalPrincipals: true if account ${ME} is outside the owner's organization)`,
    );
    const invited = refTo(ownerEp([{ principal: ME, status: 'Associating' }], [ME]));
    expect(missingShareMessage(invited, ME, none)).toContain(
      `the AWS RAM invitation from account ${OWNER} is pending acceptance: add "${OWNER}" to spec.acceptResourceShares.accountIds of AWSAccount partner`,
    );
    const left = {
      ...none,
      acceptsFrom: [OWNER],
      pending: [{ sender: OWNER, message: 'holds other types' }],
    };
    expect(missingShareMessage(invited, ME, left)).toContain('left this one pending: holds other types');
  });

  it('a reference the AWS object uses is lost; one not used yet has not arrived', async () => {
    const r = refTo(ownerEp([{ principal: ME, status: 'Associating' }], [ME]));
    const unreadable = async () => false;
    const lost = await checkForeignReferences([r], ME, unreadable, { inUse: new Set([epArn]) }).catch(
      (e) => e,
    );
    expect(lost).toMatchObject({ reason: 'ReferenceLost', retryAfterMs: REFERENCE_RECHECK_MS });
    const waiting = await checkForeignReferences([r], ME, unreadable, { inUse: new Set() }).catch((e) => e);
    expect(waiting).toMatchObject({
      reason: 'ReferencesNotReady',
      dependencies: ['EscalationPlan/platform/oncall'],
    });
    expect(waiting.message).toMatch(/^Waiting for references: spec\.engagements\[0\]\.escalationPlanRef: /);
    await expect(
      checkForeignReferences([r], ME, async () => true, { inUse: new Set() }),
    ).resolves.toBeUndefined();
  });
});
