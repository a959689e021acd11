// ReplicationSet diff and update plans, pure: spec paths, what is immutable, one Region action per
// step in the order AWS accepts, and the 24-hour rule.
import { describe, expect, it } from 'vitest';
import { diff, planUpdate, REGION_MIN_AGE_MS } from '../../../../src/controllers/replication-set/diff.ts';
import {
  type Canonical,
  DEFAULT_KEY,
  type RegionConfig,
} from '../../../../src/controllers/replication-set/mapping.ts';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 60 * 60 * 1000;

const region = (name: string, sseKmsKeyId = DEFAULT_KEY, addedAgoMs = 48 * HOUR): RegionConfig => ({
  name,
  sseKmsKeyId,
  status: 'Active',
  addedTime: new Date(NOW - addedAgoMs).toISOString(),
});

function desired(regions: string[], more: Partial<Canonical> = {}): Canonical {
  return {
    regions: regions.map((name) => ({ name, sseKmsKeyId: DEFAULT_KEY })),
    deletionProtected: undefined,
    tags: undefined,
    owner: undefined,
    ...more,
  };
}

function observed(regions: RegionConfig[], more: Partial<Canonical> = {}): Canonical {
  return {
    regions: [...regions].sort((a, b) => a.name.localeCompare(b.name)),
    deletionProtected: false,
    tags: {},
    owner: {},
    status: 'Active',
    lastModifiedTime: new Date(NOW - 48 * HOUR).toISOString(),
    ...more,
  };
}

describe('diff', () => {
  it('finds nothing when AWS matches, whatever the Region order', () => {
    expect(
      diff(desired(['us-east-1', 'eu-west-1']), observed([region('eu-west-1'), region('us-east-1')])),
    ).toEqual([]);
  });

  it('names an added and a removed Region by name', () => {
    const d = diff(
      desired(['eu-west-1', 'us-east-1']),
      observed([region('eu-west-1'), region('ap-south-1')]),
    );
    expect(d.map((f) => [f.path, f.updatable])).toEqual([
      ['spec.regions[name=us-east-1]', true],
      ['spec.regions[name=ap-south-1]', true],
    ]);
  });

  it('marks a different key on a Region as not changeable in place', () => {
    const d = diff(desired(['eu-west-1']), observed([region('eu-west-1', KEY)]));
    expect(d).toEqual([
      {
        path: 'spec.regions[name=eu-west-1].sseKmsKeyId',
        desired: DEFAULT_KEY,
        observed: KEY,
        updatable: false,
        remedy: expect.stringContaining('remove Region eu-west-1'),
      },
    ]);
    // The AWS owned key is named so, never by the id AWS reports for it.
    expect(d[0]?.remedy).toContain(`with key ${KEY} and the spec asks for the AWS owned key`);
    const back = diff(
      { ...desired(['eu-west-1']), regions: [{ name: 'eu-west-1', sseKmsKeyId: KEY }] },
      observed([region('eu-west-1')]),
    );
    expect(back[0]?.remedy).toContain(`with the AWS owned key and the spec asks for key ${KEY}`);
    expect(back[0]?.remedy).toContain('leave sseKmsKeyId out');
    expect(back[0]?.remedy).not.toContain(DEFAULT_KEY);
  });

  it('does not see a key given as id where AWS reports the ARN as a change', () => {
    const d = desired(['eu-west-1']);
    d.regions[0] = { name: 'eu-west-1', sseKmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' };
    expect(diff(d, observed([region('eu-west-1', KEY)]))).toEqual([]);
  });

  it('ignores deletion protection and tags the spec leaves out', () => {
    expect(
      diff(
        desired(['eu-west-1']),
        observed([region('eu-west-1')], { deletionProtected: true, tags: { a: 'b' } }),
      ),
    ).toEqual([]);
  });

  it('reports each changed, added and removed tag key, and deletion protection', () => {
    const d = diff(
      desired(['eu-west-1'], { tags: { team: 'b', env: 'prod' }, deletionProtected: true }),
      observed([region('eu-west-1')], { tags: { team: 'a', old: 'x' } }),
    );
    expect(d.map((f) => [f.path, f.desired, f.observed])).toEqual([
      ['spec.deletionProtected', true, false],
      ['spec.tags.env', 'prod', undefined],
      ['spec.tags.old', undefined, 'x'],
      ['spec.tags.team', 'b', 'a'],
    ]);
  });

  it('never writes ownership tags: an adopted set (untagged, or tagged by another object) is no change', () => {
    const owner = { 'incidentmanager.gitops.dev/uid': 'me' };
    expect(diff(desired(['eu-west-1'], { owner }), observed([region('eu-west-1')]))).toEqual([]);
    expect(
      diff(
        desired(['eu-west-1'], { owner }),
        observed([region('eu-west-1')], { owner: { 'incidentmanager.gitops.dev/uid': 'before' } }),
      ),
    ).toEqual([]);
    expect(planUpdate(desired(['eu-west-1'], { owner }), observed([region('eu-west-1')]), NOW).calls).toEqual(
      [],
    );
  });
});

describe('planUpdate', () => {
  it('sends only the changed tag keys, and removed keys through UntagResource', () => {
    const p = planUpdate(
      desired(['eu-west-1'], { tags: { team: 'b', keep: 'x' } }),
      observed([region('eu-west-1')], { tags: { team: 'a', keep: 'x', gone: 'y' } }),
      NOW,
    );
    expect(p.calls).toEqual([
      { op: 'TagResource', tags: { team: 'b' } },
      { op: 'UntagResource', keys: ['gone'] },
    ]);
  });

  it('changes deletion protection with its own call', () => {
    const p = planUpdate(
      desired(['eu-west-1'], { deletionProtected: true }),
      observed([region('eu-west-1')]),
      NOW,
    );
    expect(p.calls).toEqual([{ op: 'UpdateDeletionProtection', deletionProtected: true }]);
  });

  it('adds one Region per step, with its key, in spec order', () => {
    const d = desired(['eu-west-1', 'us-east-1', 'ap-south-1']);
    d.regions[1] = { name: 'us-east-1', sseKmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k' };
    const p = planUpdate(d, observed([region('eu-west-1')]), NOW);
    expect(p.calls).toEqual([
      {
        op: 'UpdateReplicationSet',
        action: {
          addRegionAction: {
            regionName: 'us-east-1',
            sseKmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k',
          },
        },
      },
    ]);
  });

  it('adds before it removes, so the set never drops to no Region', () => {
    const p = planUpdate(desired(['us-east-1']), observed([region('eu-west-1')]), NOW);
    expect(p.calls).toEqual([
      { op: 'UpdateReplicationSet', action: { addRegionAction: { regionName: 'us-east-1' } } },
    ]);
    // Next step, with both in AWS: the old one goes.
    const next = planUpdate(
      desired(['us-east-1']),
      observed([region('eu-west-1'), region('us-east-1', DEFAULT_KEY, 0)]),
      NOW,
    );
    expect(next.calls).toEqual([
      { op: 'UpdateReplicationSet', action: { deleteRegionAction: { regionName: 'eu-west-1' } } },
    ]);
  });

  it('removes first when the set already holds three Regions', () => {
    const p = planUpdate(
      desired(['eu-west-1', 'us-east-1', 'ap-south-1']),
      observed([region('eu-west-1'), region('us-east-1'), region('eu-central-1')]),
      NOW,
    );
    expect(p.calls).toEqual([
      { op: 'UpdateReplicationSet', action: { deleteRegionAction: { regionName: 'eu-central-1' } } },
    ]);
  });

  it('holds a removal back until 24 hours after the Region was added, and says when', () => {
    const added = 23 * HOUR;
    const p = planUpdate(
      desired(['eu-west-1']),
      observed([region('eu-west-1'), region('us-east-1', DEFAULT_KEY, added)]),
      NOW,
    );
    const until = NOW - added + REGION_MIN_AGE_MS;
    expect(p.calls).toEqual([]);
    expect(p.wait).toEqual({
      until,
      field: 'spec.regions[name=us-east-1]',
      message: expect.stringContaining(new Date(until).toISOString()),
    });
    // At that time it goes.
    const later = planUpdate(
      desired(['eu-west-1']),
      observed([region('eu-west-1'), region('us-east-1', DEFAULT_KEY, added)]),
      until,
    );
    expect(later.calls).toEqual([
      { op: 'UpdateReplicationSet', action: { deleteRegionAction: { regionName: 'us-east-1' } } },
    ]);
  });

  it('still applies tags while a removal waits for the 24-hour rule', () => {
    const p = planUpdate(
      desired(['eu-west-1'], { tags: { a: 'b' } }),
      observed([region('eu-west-1'), region('us-east-1', DEFAULT_KEY, HOUR)]),
      NOW,
    );
    expect(p.calls).toEqual([{ op: 'TagResource', tags: { a: 'b' } }]);
    expect(p.wait?.field).toBe('spec.regions[name=us-east-1]');
  });

  it('never removes the last Region', () => {
    const p = planUpdate(desired([]), observed([region('eu-west-1')]), NOW);
    expect(p.calls).toEqual([]);
    expect(p.wait).toBeUndefined();
  });

  it('orders several changes: tags, deletion protection, then one Region action', () => {
    const p = planUpdate(
      desired(['eu-west-1', 'us-east-1'], { tags: { a: 'b' }, deletionProtected: true }),
      observed([region('eu-west-1')]),
      NOW,
    );
    expect(p.calls.map((c) => c.op)).toEqual([
      'TagResource',
      'UpdateDeletionProtection',
      'UpdateReplicationSet',
    ]);
  });

  it('plans nothing for a key change: the engine refuses it as immutable', () => {
    const p = planUpdate(desired(['eu-west-1']), observed([region('eu-west-1', KEY)]), NOW);
    expect(p).toEqual({ calls: [] });
  });
});
