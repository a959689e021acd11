// ReplicationSet while AWS takes its time: Regions change one at a time and the controller waits
// for ACTIVE in between. The AWS emulator's transitions last a minute of the shared clock, which
// the test moves forward once it has seen the controller wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { module as replicationSet } from '../../../src/controllers/replication-set/index.ts';
import { condition, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';

const API = 'incidentmanager.gitops.dev/v1alpha1';
const TRANSITION_MS = 60_000;

let op: Operator;

beforeAll(async () => {
  op = await startOperator({
    modules: [replicationSet],
    namespace: 'rs-slow',
    transitionMs: TRANSITION_MS,
    pollMs: 100,
  });
});

afterAll(async () => {
  await op?.stop();
});

const set = (regions: string[]): KubeObject => ({
  apiVersion: API,
  kind: 'ReplicationSet',
  metadata: { name: 'slow' },
  spec: { regions: regions.map((name) => ({ name })) },
});
const regionActions = (since: number) =>
  op.calls({ service: 'ssm-incidents', operation: 'UpdateReplicationSet', since }).map((c) => ({
    outcome: c.outcome,
    actions: (c.input as { actions: unknown[] }).actions,
  }));
const updating = (o: KubeObject | undefined) =>
  o?.status?.status === 'Updating' && condition(o, 'Ready')?.status === 'False';

describe('ReplicationSet with slow AWS transitions', () => {
  it('shows Creating until AWS reports ACTIVE', async () => {
    await op.apply(set(['us-east-1']));
    const creating = await op.waitFor('ReplicationSet', 'slow', (o) => o?.status?.status === 'Creating');
    expect(condition(creating, 'Ready')?.status).toBe('False');
    op.stack.clock.advance(TRANSITION_MS);
    const active = await op.ready('ReplicationSet', 'slow');
    expect(active.status?.regions).toEqual([
      expect.objectContaining({ name: 'us-east-1', status: 'Active' }),
    ]);
  });

  it('adds two Regions one at a time, waiting for ACTIVE in between', async () => {
    const since = op.mark();
    await op.apply(set(['us-east-1', 'eu-west-1', 'ap-south-1']));
    const first = await op.waitFor('ReplicationSet', 'slow', updating);
    expect(first?.status?.regions).toContainEqual(
      expect.objectContaining({ name: 'eu-west-1', status: 'Creating' }),
    );
    expect(regionActions(since)).toEqual([
      { outcome: 'ok', actions: [{ addRegionAction: { regionName: 'eu-west-1' } }] },
    ]);

    op.stack.clock.advance(TRANSITION_MS);
    const second = await op.waitFor(
      'ReplicationSet',
      'slow',
      (o) => updating(o) && o?.status?.regions?.some((r: { name: string }) => r.name === 'ap-south-1'),
    );
    expect(second?.status?.regions).toContainEqual(
      expect.objectContaining({ name: 'eu-west-1', status: 'Active' }),
    );
    op.stack.clock.advance(TRANSITION_MS);
    const done = await op.waitFor(
      'ReplicationSet',
      'slow',
      (o) => condition(o, 'Ready')?.status === 'True' && o?.status?.regions?.length === 3,
    );
    expect(done?.status?.status).toBe('Active');
    // Never an update while AWS was still busy (it would answer ConflictException).
    expect(regionActions(since)).toEqual([
      { outcome: 'ok', actions: [{ addRegionAction: { regionName: 'eu-west-1' } }] },
      { outcome: 'ok', actions: [{ addRegionAction: { regionName: 'ap-south-1' } }] },
    ]);
  });
});
