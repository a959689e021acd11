// ReplicationSet mapping, pure: spec → canonical, AWS → canonical, status fields, key spellings.
import type { ReplicationSet as AwsReplicationSet } from '@aws-sdk/client-ssm-incidents';
import { describe, expect, it } from 'vitest';
import { diff } from '../../../../src/controllers/replication-set/diff.ts';
import {
  createTags,
  DEFAULT_KEY,
  fromAws,
  observedStatus,
  ownerOf,
  phaseOf,
  regionsToAws,
  sameKey,
  toDesired,
} from '../../../../src/controllers/replication-set/mapping.ts';
import type { ReplicationSet, ReplicationSetSpec } from '../../../../src/crds/replication-set.ts';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function rs(spec: Partial<ReplicationSetSpec>, name = 'payments'): ReplicationSet {
  return {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'ReplicationSet',
    metadata: { name, namespace: 'team', uid: 'uid-1' },
    spec: { regions: [{ name: 'eu-west-1' }], ...spec },
  };
}

/** What GetReplicationSet returns for a set made from `regions` (the emulator's shape). */
function aws(
  regions: Record<string, { sseKmsKeyId?: string }>,
  extra: Partial<AwsReplicationSet> = {},
): AwsReplicationSet {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    arn: 'arn:aws:ssm-incidents::111122223333:replication-set/abc',
    status: 'ACTIVE',
    deletionProtected: false,
    createdTime: at,
    createdBy: 'x',
    lastModifiedTime: at,
    lastModifiedBy: 'x',
    regionMap: Object.fromEntries(
      Object.entries(regions).map(([r, c]) => [
        r,
        { sseKmsKeyId: c.sseKmsKeyId ?? DEFAULT_KEY, status: 'ACTIVE', statusUpdateDateTime: at },
      ]),
    ),
    ...extra,
  };
}

describe('toDesired', () => {
  it('keeps spec order and reads an omitted key as the AWS owned key', () => {
    const d = toDesired(
      rs({ regions: [{ name: 'us-east-1' }, { name: 'eu-west-1', sseKmsKeyId: KEY }] }),
      true,
    );
    expect(d.regions).toEqual([
      { name: 'us-east-1', sseKmsKeyId: DEFAULT_KEY },
      { name: 'eu-west-1', sseKmsKeyId: KEY },
    ]);
  });

  it('leaves tags and deletion protection unmanaged when the spec omits them', () => {
    const d = toDesired(rs({}), true);
    expect(d.tags).toBeUndefined();
    expect(d.deletionProtected).toBeUndefined();
  });

  it('carries ownership tags in a pass that may write, none in one that only reads (Observe)', () => {
    expect(toDesired(rs({}), true).owner).toEqual({
      'incidentmanager-gitops-dev/kind': 'ReplicationSet',
      'incidentmanager-gitops-dev/name': 'payments',
      'incidentmanager-gitops-dev/namespace': 'team',
      'incidentmanager-gitops-dev/uid': 'uid-1',
    });
    expect(toDesired(rs({}), false).owner).toBeUndefined();
  });
});

describe('AWS inputs', () => {
  it('sends no key for the AWS owned key, and the key otherwise', () => {
    const d = toDesired(
      rs({ regions: [{ name: 'us-east-1' }, { name: 'eu-west-1', sseKmsKeyId: KEY }] }),
      true,
    );
    expect(regionsToAws(d.regions)).toEqual({ 'us-east-1': {}, 'eu-west-1': { sseKmsKeyId: KEY } });
  });

  it('creates with the user tags plus the ownership tags', () => {
    const tags = createTags(toDesired(rs({ tags: { team: 'payments' } }), true));
    expect(tags).toMatchObject({ team: 'payments', 'incidentmanager-gitops-dev/uid': 'uid-1' });
  });

  it('sends no tags at all when there are none (TagMap has at least one entry)', () => {
    expect(createTags(toDesired(rs({}), false))).toBeUndefined();
  });
});

describe('fromAws', () => {
  it('reads Regions sorted, statuses in the API spelling, and splits ownership tags from user tags', () => {
    const o = fromAws(
      aws(
        { 'us-east-1': {}, 'eu-west-1': { sseKmsKeyId: KEY } },
        { status: 'UPDATING', deletionProtected: true },
      ),
      { team: 'a', 'incidentmanager.gitops.dev/uid': 'uid-1' },
      undefined,
    );
    expect(o.regions.map((r) => [r.name, r.sseKmsKeyId, r.status])).toEqual([
      ['eu-west-1', KEY, 'Active'],
      ['us-east-1', DEFAULT_KEY, 'Active'],
    ]);
    expect(o.status).toBe('Updating');
    expect(o.deletionProtected).toBe(true);
    expect(o.tags).toEqual({ team: 'a' });
    expect(o.owner).toEqual({ 'incidentmanager.gitops.dev/uid': 'uid-1' });
  });

  it('takes the earliest add time seen: the last status change is only an upper bound', () => {
    const earlier = '2025-12-31T00:00:00.000Z';
    const o = fromAws(aws({ 'eu-west-1': {} }), {}, { regions: [{ name: 'eu-west-1', addedTime: earlier }] });
    expect(o.regions[0]?.addedTime).toBe(earlier);
    const later = fromAws(
      aws({ 'eu-west-1': {} }),
      {},
      { regions: [{ name: 'eu-west-1', addedTime: '2026-02-01T00:00:00.000Z' }] },
    );
    expect(later.regions[0]?.addedTime).toBe('2026-01-01T00:00:00.000Z');
  });

  it('round trip: the spec, created in AWS and read back, shows no difference', () => {
    const mr = rs({
      regions: [{ name: 'eu-west-1', sseKmsKeyId: KEY }, { name: 'us-east-1' }],
      deletionProtected: false,
      tags: { team: 'payments', 'cost-center': '4711' },
    });
    const d = toDesired(mr, true);
    const back = fromAws(aws(regionsToAws(d.regions)), createTags(d) ?? {}, undefined);
    expect(diff(d, back)).toEqual([]);
  });

  it('status shows each Region and the set', () => {
    const o = fromAws(aws({ 'eu-west-1': {} }), {}, undefined);
    expect(observedStatus(o)).toEqual({
      status: 'Active',
      deletionProtected: false,
      regions: [
        {
          name: 'eu-west-1',
          status: 'Active',
          sseKmsKeyId: DEFAULT_KEY,
          keyType: 'AWSOwnedKey',
          addedTime: '2026-01-01T00:00:00.000Z',
        },
      ],
    });
  });
});

describe('sameKey', () => {
  it.each([
    ['the same string', KEY, KEY, true],
    ['a key id and its ARN', '1234abcd-12ab-34cd-56ef-1234567890ab', KEY, true],
    ['an alias name and its ARN', 'alias/im', 'arn:aws:kms:eu-west-1:111122223333:alias/im', true],
    ['the AWS owned key and a customer key', DEFAULT_KEY, KEY, false],
    ['two different keys', KEY, KEY.replace('1234abcd', '9999abcd'), false],
  ])('%s', (_why, a, b, same) => {
    expect(sameKey(a, b)).toBe(same);
    expect(sameKey(b, a)).toBe(same);
  });
});

describe('ownerOf', () => {
  it('names the owning object from the ownership tags', () => {
    expect(ownerOf(toDesired(rs({}), true).owner)).toEqual({
      key: 'ReplicationSet/team/payments',
      label: 'ReplicationSet team/payments',
      uid: 'uid-1',
    });
    expect(ownerOf({})).toBeUndefined();
  });
});

describe('phaseOf', () => {
  const arn = 'arn:aws:ssm-incidents::1:replication-set/x';
  it('is Active only when the set and every Region are ACTIVE', () => {
    expect(phaseOf(arn, fromAws(aws({ 'eu-west-1': {} }), {}, undefined))).toEqual({ phase: 'Active' });
  });

  it('is Pending while the set or a Region moves, naming the Region', () => {
    const set = aws({ 'eu-west-1': {}, 'us-east-1': {} }, { status: 'UPDATING' });
    const us = set.regionMap?.['us-east-1'];
    if (us) us.status = 'CREATING';
    const p = phaseOf(arn, fromAws(set, {}, undefined));
    expect(p.phase).toBe('Pending');
    expect(p.message).toContain('us-east-1 Creating');
  });

  it("is Failed when a Region failed, even if the set says ACTIVE, with AWS's message", () => {
    const set = aws({ 'eu-west-1': {}, 'us-east-1': {} });
    const us = set.regionMap?.['us-east-1'];
    if (us) Object.assign(us, { status: 'FAILED', statusMessage: 'KMS key disabled' });
    const p = phaseOf(arn, fromAws(set, {}, undefined));
    expect(p).toEqual({
      phase: 'Failed',
      message: expect.stringContaining('us-east-1 Failed (KMS key disabled)'),
    });
  });
});
