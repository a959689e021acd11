import { describe, expect, it } from 'vitest';
import {
  desiredSharing,
  type ObservedShare,
  planSharing,
  REFUSAL_RETRY_MS,
  refusalMessage,
  refusalsInStatus,
  sharingDiff,
  sharingStatusOf,
} from '../../../../src/controllers/shared/sharing.ts';
import type { ManagedObject } from '../../../../src/engine/contract.ts';

const ARN = 'arn:aws:ram:us-east-1:111111111111:resource-share/6b3c2a52-0000-4000-8000-000000000001';

function share(o: Partial<ObservedShare> = {}): ObservedShare {
  const principals = o.principals ?? ['222222222222'];
  return {
    arn: ARN,
    name: 'incident-manager-operator.ResponsePlan.team.sev1',
    status: 'ACTIVE',
    allowExternalPrincipals: false,
    resourceStatus: 'ASSOCIATED',
    resourceMessage: undefined,
    associations: principals.map((principal) => ({ principal, status: 'ASSOCIATED', external: false })),
    ...o,
    principals,
  };
}

describe('desiredSharing', () => {
  it('sorts and de-duplicates principals and defaults allowExternalPrincipals to false', () => {
    expect(desiredSharing({ principals: ['333333333333', '222222222222', '333333333333'] })).toEqual({
      principals: ['222222222222', '333333333333'],
      allowExternalPrincipals: false,
    });
    expect(desiredSharing(undefined)).toBeUndefined();
  });
});

describe('sharingDiff', () => {
  const want = desiredSharing({ principals: ['222222222222'] });

  it('is empty when the share matches, whatever the order or the association status', () => {
    expect(sharingDiff(want, share())).toEqual([]);
    expect(
      sharingDiff(
        desiredSharing({ principals: ['333333333333', '222222222222'] }),
        share({ principals: ['222222222222', '333333333333'] }),
      ),
    ).toEqual([]);
    expect(sharingDiff(undefined, undefined)).toEqual([]);
  });

  it('a principal added or removed is one spec.sharing.principals diff', () => {
    const d = sharingDiff(desiredSharing({ principals: ['222222222222', '333333333333'] }), share());
    expect(d.map((x) => x.path)).toEqual(['spec.sharing.principals']);
    expect(d[0]?.updatable).toBe(true);
  });

  it('allowExternalPrincipals is its own diff', () => {
    const d = sharingDiff(
      desiredSharing({ principals: ['222222222222'], allowExternalPrincipals: true }),
      share(),
    );
    expect(d.map((x) => x.path)).toEqual(['spec.sharing.allowExternalPrincipals']);
  });

  it('sharing added or removed is a spec.sharing diff', () => {
    expect(sharingDiff(want, undefined).map((x) => x.path)).toEqual(['spec.sharing']);
    expect(sharingDiff(undefined, share())).toEqual([
      { path: 'spec.sharing', desired: undefined, observed: ARN, updatable: true },
    ]);
  });

  it('a share that lost the resource differs', () => {
    expect(sharingDiff(want, share({ resourceStatus: undefined })).map((x) => x.path)).toEqual([
      'spec.sharing',
    ]);
  });
});

describe('planSharing', () => {
  it('a new share: created with the resource, then all principals in one association', () => {
    expect(planSharing(desiredSharing({ principals: ['444455556666', '222222222222'] }), undefined)).toEqual([
      { op: 'create', allowExternalPrincipals: false },
      { op: 'associate', arn: undefined, principals: ['222222222222', '444455556666'] },
    ]);
  });

  it('sharing removed: the share is deleted', () => {
    expect(planSharing(undefined, share())).toEqual([{ op: 'delete', arn: ARN }]);
    expect(planSharing(undefined, undefined)).toEqual([]);
  });

  it('set difference: one associate for the added, one disassociate for the removed', () => {
    expect(
      planSharing(
        desiredSharing({ principals: ['222222222222', '333333333333'] }),
        share({ principals: ['222222222222', '999999999999'] }),
      ),
    ).toEqual([
      { op: 'disassociate', arn: ARN, principals: ['999999999999'] },
      { op: 'associate', arn: ARN, principals: ['333333333333'] },
    ]);
  });

  it('external principals are allowed before one is associated, and disallowed after one is removed', () => {
    expect(
      planSharing(
        desiredSharing({ principals: ['222222222222', '444455556666'], allowExternalPrincipals: true }),
        share(),
      ),
    ).toEqual([
      { op: 'update', arn: ARN, allowExternalPrincipals: true },
      { op: 'associate', arn: ARN, principals: ['444455556666'] },
    ]);
    expect(
      planSharing(
        desiredSharing({ principals: ['222222222222'] }),
        share({ principals: ['222222222222', '444455556666'], allowExternalPrincipals: true }),
      ),
    ).toEqual([
      { op: 'disassociate', arn: ARN, principals: ['444455556666'] },
      { op: 'update', arn: ARN, allowExternalPrincipals: false },
    ]);
  });

  it('allowing external principals retries the associations RAM failed', () => {
    const s = share({ principals: ['444455556666'] });
    s.associations = [{ principal: '444455556666', status: 'FAILED', external: true }];
    expect(
      planSharing(desiredSharing({ principals: ['444455556666'], allowExternalPrincipals: true }), s),
    ).toEqual([
      { op: 'update', arn: ARN, allowExternalPrincipals: true },
      { op: 'associate', arn: ARN, principals: ['444455556666'] },
    ]);
  });

  it('a share that lost the resource gets it back', () => {
    expect(
      planSharing(desiredSharing({ principals: ['222222222222'] }), share({ resourceStatus: undefined })),
    ).toEqual([{ op: 'associateResource', arn: ARN }]);
  });
});

describe('sharingStatusOf', () => {
  it('shows the share, the resource and each principal in PascalCase, refused and waiting ones explained', () => {
    const s = share({ principals: ['222222222222', '444455556666'] });
    s.associations = [
      { principal: '222222222222', status: 'ASSOCIATED', external: false },
      { principal: '444455556666', status: 'ASSOCIATING', external: true },
    ];
    const at = '2026-01-01T00:00:00.000Z';
    s.associations[1] = { ...(s.associations[1] as (typeof s.associations)[number]), since: at };
    const st = sharingStatusOf(
      s,
      new Map([['333333333333', { message: 'refused', since: at }]]),
      new Set(['444455556666']),
    );
    expect(st).toMatchObject({
      resourceShareArn: ARN,
      status: 'Active',
      allowExternalPrincipals: false,
      resourceStatus: 'Associated',
      principals: [
        { principal: '222222222222', status: 'Associated' },
        { principal: '333333333333', status: 'Refused', message: 'refused', since: at },
        { principal: '444455556666', status: 'Associating', external: true, since: at },
      ],
    });
    expect(st?.principals?.[2]?.message).toMatch(/accept the AWS RAM invitation/);
    expect(sharingStatusOf(undefined)).toBeUndefined();
  });
});

describe('refusalMessage', () => {
  it('names the principal, keeps RAM words and gives the way out for an account or an organization', () => {
    const acct = refusalMessage(
      ['333333333333'],
      new Map([['333333333333', { message: 'outside your organization', since: '' }]]),
      false,
    );
    expect(acct).toContain('333333333333 (outside your organization)');
    expect(acct).toContain('allowExternalPrincipals: true');
    const org = 'arn:aws:organizations::111111111111:organization/o-emulator0001';
    const msg = refusalMessage([org], new Map([[org, { message: 'sharing not enabled', since: '' }]]), false);
    expect(msg).toContain('enable-sharing-with-aws-organization');
    expect(msg).not.toContain('allowExternalPrincipals');
  });
});

describe('refusalsInStatus (what RAM refused, read back from the object)', () => {
  const object = (generation: number, observedGeneration: number, allow: boolean) =>
    ({
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'ResponsePlan',
      metadata: { name: 'sev1', namespace: 'team', uid: 'u1', generation },
      spec: {},
      status: {
        observedGeneration,
        sharing: {
          resourceShareArn: ARN,
          allowExternalPrincipals: allow,
          principals: [
            { principal: '222222222222', status: 'Associated' },
            {
              principal: '333333333333',
              status: 'Refused',
              message: 'outside your organization',
              since: '2026-01-01T00:00:00.000Z',
            },
          ],
        },
      },
    }) as unknown as ManagedObject;

  it('holds for the generation and allowExternalPrincipals the status was written for', () => {
    expect([...refusalsInStatus(object(3, 3, false), false)]).toEqual([
      ['333333333333', { message: 'outside your organization', since: '2026-01-01T00:00:00.000Z' }],
    ]);
  });

  it('a refusal is asked again once REFUSAL_RETRY_MS has passed (its fix happens outside the cluster)', () => {
    const at = Date.parse('2026-01-01T00:00:00.000Z');
    expect(refusalsInStatus(object(3, 3, false), false, at + REFUSAL_RETRY_MS - 1).size).toBe(1);
    expect(refusalsInStatus(object(3, 3, false), false, at + REFUSAL_RETRY_MS).size).toBe(0);
  });

  it('a spec change (new generation) or another allowExternalPrincipals asks RAM again', () => {
    expect(refusalsInStatus(object(4, 3, false), false).size).toBe(0);
    expect(refusalsInStatus(object(3, 3, false), true).size).toBe(0);
  });
});
