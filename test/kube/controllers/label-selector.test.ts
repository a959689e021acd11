// Static partitioning (issue 17, scale-out): two controllers with disjoint label selectors
// (`--label-selector`) each reconcile only their own objects. The AWSAccount both teams use is
// labelled for team a: controller A verifies it, controller B uses it without reconciling it.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningManager, startManager } from '../../../src/cli/manager.ts';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import { FAST_GATE, isReady, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';

const API = 'incidentmanager.gitops.dev/v1alpha1';
let op: Operator;
const managers: RunningManager[] = [];

const start = async (labelSelector: string): Promise<RunningManager> => {
  const m = await startManager({
    kc: op.stack.kc,
    modules: [contactModule],
    logger: pino({ level: 'silent' }),
    region: op.stack.region,
    clock: op.stack.clock,
    pollMs: 50,
    gateLimits: FAST_GATE,
    labelSelector,
  });
  managers.push(m);
  return m;
};

const contact = (name: string, team: string, displayName = name): KubeObject => ({
  apiVersion: API,
  kind: 'Contact',
  metadata: { name, labels: { team } },
  spec: { accountRef: { name: 'shared' }, alias: `sel-${name}`, displayName, type: 'Personal' },
});
const readyFor = (generation: number) => (o: KubeObject | undefined) =>
  isReady(o) && (o?.status?.observedGeneration ?? 0) >= generation;

beforeAll(async () => {
  op = await startOperator({ deferController: true });
  await op.onboard();
});
afterAll(async () => {
  for (const m of managers) await m.stop().catch(() => undefined);
  await op?.stop();
});

describe('--label-selector: two controllers, disjoint selectors', () => {
  it('each reconciles only the objects its selector matches; the AWSAccount only where it matches', async () => {
    await op.apply({
      apiVersion: API,
      kind: 'AWSAccount',
      metadata: { name: 'shared', labels: { team: 'a' } },
      spec: { accountId: op.stack.account, region: op.stack.region },
    });
    // bob (team b) is applied first: controller A, started alone, must leave him alone.
    await op.apply(contact('bob', 'b'));
    await op.apply(contact('alice', 'a'));
    const since = op.mark();
    const a = await start('team=a');
    await op.ready('Contact', 'alice');
    expect((await op.get('Contact', 'bob'))?.status).toBeUndefined();
    const aliases = () =>
      op
        .calls({ since })
        .filter((c) => c.operation === 'CreateContact' || c.operation === 'UpdateContact')
        .map((c) => (c.input as { Alias?: string }).Alias ?? (c.input as { ContactId?: string }).ContactId);
    expect(aliases()).toEqual(['sel-alice']);
    const account = await op.ready('AWSAccount', 'shared');

    // Controller B: a set-based selector that excludes team a; it uses the account A verified.
    await start('team in (b,c),team notin (a)');
    await op.ready('Contact', 'bob');
    expect(aliases()).toEqual(['sel-alice', 'sel-bob']);

    // With A stopped, B alone: edits to the account and to alice stay unseen, bob's is reconciled.
    await a.stop();
    const edited = await op.apply({
      apiVersion: API,
      kind: 'AWSAccount',
      metadata: { name: 'shared', labels: { team: 'a' } },
      spec: { accountId: op.stack.account, region: op.stack.region, limits: { requestsPerSecond: 50 } },
    });
    const alice = await op.apply(contact('alice', 'a', 'Alice Edited'));
    const bob = await op.apply(contact('bob', 'b', 'Bob Edited'));
    await op.waitFor(
      'Contact',
      'bob',
      readyFor((bob.metadata as { generation?: number }).generation as number),
    );
    expect((edited.metadata as { generation?: number }).generation).toBeGreaterThan(
      account.metadata.generation as number,
    );
    expect((await op.get('AWSAccount', 'shared'))?.status?.observedGeneration).toBe(
      account.status?.observedGeneration,
    );
    expect((await op.get('Contact', 'alice'))?.status?.observedGeneration).toBeLessThan(
      (alice.metadata as { generation?: number }).generation as number,
    );
    expect(op.calls({ since, operation: 'UpdateContact' }).map((c) => c.input)).toEqual([
      expect.objectContaining({ DisplayName: 'Bob Edited' }),
    ]);
  });
});
