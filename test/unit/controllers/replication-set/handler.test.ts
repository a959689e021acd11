// ReplicationSet checks before AWS, pure: keys in their own Region, reserved tag keys, and which
// objects of the account hold back a Delete.
import { describe, expect, it } from 'vitest';
import { dependants } from '../../../../src/controllers/replication-set/handler.ts';
import { validate } from '../../../../src/controllers/replication-set/validate.ts';
import type { ReplicationSet, ReplicationSetSpec } from '../../../../src/crds/replication-set.ts';
import type { ManagedObject } from '../../../../src/engine/contract.ts';

function rs(spec: Partial<ReplicationSetSpec>): ReplicationSet {
  return {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'ReplicationSet',
    metadata: { name: 'rs', namespace: 'team', uid: 'u' },
    spec: { regions: [{ name: 'eu-west-1' }], ...spec },
  };
}

const obj = (kind: string, name: string, account?: string): ManagedObject => ({
  apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
  kind,
  metadata: { name, namespace: 'team' },
  spec: account ? { accountRef: { name: account } } : {},
});

describe('validate', () => {
  it('accepts the AWS owned key and a key in the same Region', () => {
    expect(
      validate(
        rs({
          regions: [
            { name: 'eu-west-1', sseKmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k' },
            { name: 'us-east-1' },
            { name: 'ap-south-1', sseKmsKeyId: 'key-id-only' },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a key from another Region, naming the field', () => {
    const errs = validate(
      rs({
        regions: [{ name: 'eu-west-1' }, { name: 'us-east-1', sseKmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k' }],
      }),
    );
    expect(errs.map((e) => [e.path, e.rule])).toEqual([['spec.regions[1].sseKmsKeyId', 'KeyInSameRegion']]);
  });

  it('refuses tag keys under the ownership prefix and more tags than fit beside the ownership tags', () => {
    expect(validate(rs({ tags: { 'incidentmanager.gitops.dev/uid': 'x' } }))[0]?.rule).toBe('ReservedTagKey');
    const many = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v']));
    expect(validate(rs({ tags: many }))[0]?.rule).toBe('TagCount');
  });
});

describe('dependants', () => {
  const list = (kind: string) =>
    [
      obj('ResponsePlan', 'same', 'prod'),
      obj('Contact', 'alias-account', 'prod-alias'),
      obj('Rotation', 'other', 'staging'),
      obj('EscalationPlan', 'default-account'),
    ].filter((o) => o.kind === kind);
  const accounts: Record<string, string> = {
    prod: '111122223333',
    'prod-alias': '111122223333',
    staging: '9',
  };
  const lookup = (key: string) => {
    const name = key.split('/')[2] ?? '';
    return accounts[name]
      ? ({ ...obj('AWSAccount', name), spec: { accountId: accounts[name] } } as ManagedObject)
      : undefined;
  };

  it('are the objects of the same AWS account, also through another AWSAccount with the same id', () => {
    const found = dependants(rs({ accountRef: { name: 'prod' } }), { list, lookup });
    expect(found.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Contact/alias-account',
      'ResponsePlan/same',
    ]);
  });

  it('are the objects without an accountRef for a set without one', () => {
    expect(dependants(rs({}), { list, lookup }).map((o) => o.metadata.name)).toEqual(['default-account']);
  });
});
