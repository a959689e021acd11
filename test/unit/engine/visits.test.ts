// When the engine visits an object again: never because of its own metadata writes, at once when a
// user adopts an AWS object or a referenced object appears, after a read that follows its own write
// before saying Ready, and earlier than the resync when the kind expects AWS to change by itself.
import { describe, expect, it } from 'vitest';
import { getCondition } from '../../../src/engine/conditions.ts';
import { ClassifiedError } from '../../../src/engine/contract.ts';
import { ManagedReconciler } from '../../../src/engine/managed.ts';
import { EXTERNAL_ARN_ANNOTATION, key, setup, widget, widgetEngine, widgetHandler } from './harness.ts';

const cond = (h: ReturnType<typeof setup>, name: string, type: string) =>
  getCondition(h.kube.get('Widget', name)?.status?.conditions, type);

describe('visits caused by the controller’s own writes', () => {
  it('a create visit (finalizer, pending mark, identity) is not followed by an immediate second visit', async () => {
    const h = setup();
    const { e, q, step } = widgetEngine(h, { watch: true });
    e.onUpsert(h.kube.put(widget('w', { size: 1, color: 'r' })), undefined);
    await step();
    expect(h.aws.calls.create).toBe(1);
    expect(h.kube.get('Widget', 'w')?.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION]).toBeDefined();
    expect(q.len()).toBe(0); // only the poll is pending
    expect(q.delayed()).toBe(1);
  });

  it('a create AWS refuses is sent once, and again only after the backoff', async () => {
    const h = setup();
    h.aws.createFaults.push(new ClassifiedError('Transient', 'AWS refused the create'));
    const { e, q, step } = widgetEngine(h, { watch: true });
    e.onUpsert(h.kube.put(widget('w', { size: 1, color: 'r' })), undefined);
    await step();
    expect(h.aws.calls.create).toBe(1);
    expect(q.len()).toBe(0);
    expect(cond(h, 'w', 'Synced')).toMatchObject({ status: 'False', reason: 'ReconcileError' });
    h.clock.advance(1_500); // the first backoff (1 s + ≤ 20 % jitter)
    expect(q.len()).toBe(1);
    await step();
    expect(h.aws.calls.create).toBe(2);
    expect(h.aws.items.size).toBe(1);
  });
});

describe('visits a user or another object asks for', () => {
  it('setting the identity annotation (adoption) reconciles at once and adopts that AWS object', async () => {
    const h = setup();
    const { e, q, step } = widgetEngine(h, { watch: true });
    // Refused while the user prepares the adoption: the object waits for the resync.
    h.aws.createFaults.push(
      new ClassifiedError('InvalidSpec', 'name taken', { rule: 'ValidationException' }),
    );
    e.onUpsert(h.kube.put(widget('w', { size: 1, color: 'r' })), undefined);
    await step();
    expect(q.len()).toBe(0);
    const arn = 'arn:aws:widgets:eu-west-1:111122223333:widget/made-elsewhere';
    h.aws.items.set(arn, { arn, size: 1, color: 'r', token: 'other', name: 'w', tags: {} });
    const before = structuredClone(h.kube.get('Widget', 'w')!);
    await h.kube.patchAnnotations(before, { [EXTERNAL_ARN_ANNOTATION]: arn });
    e.onUpsert(structuredClone(h.kube.get('Widget', 'w')!), before);
    expect(q.len()).toBe(1);
    await step();
    expect(h.kube.get('Widget', 'w')?.status?.arn).toBe(arn);
    expect(cond(h, 'w', 'Ready')).toMatchObject({ status: 'True' });
    expect(h.aws.items.size).toBe(1);
  });

  it('a referenced object that first appears wakes its referrers (a cycle of two new objects)', async () => {
    const h = setup();
    const { e, q, step } = widgetEngine(h);
    e.onUpsert(h.kube.put(widget('a', { size: 1, color: 'r', ownerRef: { name: 'b' } })), undefined);
    await step();
    expect(cond(h, 'a', 'Ready')?.message).toMatch(/b does not exist/);
    e.onUpsert(h.kube.put(widget('b', { size: 1, color: 'r', ownerRef: { name: 'a' } })), undefined);
    expect(q.len()).toBe(2);
    const visited = [await step(), await step()];
    expect(visited.sort()).toEqual([key('a'), key('b')]);
    expect(cond(h, 'a', 'Ready')?.message).toMatch(/b is not Ready/);
  });
});

describe('referrers of an object being updated', () => {
  it('stay Ready and are not visited while the object they name is Updating', async () => {
    const h = setup();
    const { e, q, step } = widgetEngine(h, { watch: true });
    e.onUpsert(h.kube.put(widget('owner', { size: 1, color: 'r' })), undefined);
    e.onUpsert(h.kube.put(widget('child', { size: 1, color: 'r', ownerRef: { name: 'owner' } })), undefined);
    const isUp = (n: string) => cond(h, n, 'Ready')?.status === 'True';
    for (let i = 0; i < 12 && !(isUp('owner') && isUp('child')); i++) {
      if (q.len() === 0) h.clock.advance(5_000);
      if (q.len() > 0) await step();
    }
    expect(isUp('child')).toBe(true);
    const before = structuredClone(h.kube.get('Widget', 'owner')!);
    h.kube.editSpec('Widget', 'owner', { size: 2 });
    e.onUpsert(structuredClone(h.kube.get('Widget', 'owner')!), before);
    expect(await step()).toBe(key('owner'));
    expect(cond(h, 'owner', 'Ready')).toMatchObject({ status: 'False', reason: 'Updating' });
    expect(q.len()).toBe(0); // the child was not woken
    // Visited anyway meanwhile (its own resync): the owner's ARN is still good.
    e.enqueue(key('child'));
    await step();
    expect(cond(h, 'child', 'Ready')).toMatchObject({ status: 'True' });
  });
});

describe('Ready after a write', () => {
  it('after an update Ready waits for a read that shows it applied', async () => {
    const h = setup();
    h.kube.put(widget('w', { size: 2, color: 'r' }));
    await h.reconciler.reconcile(key('w'));
    await h.reconciler.reconcile(key('w'));
    expect(cond(h, 'w', 'Ready')?.status).toBe('True');
    h.kube.editSpec('Widget', 'w', { size: 3 });
    const out = await h.reconciler.reconcile(key('w'));
    // Confirmed by a read soon after the write, not after a fixed wait.
    expect(out).toEqual({ type: 'progressing', pollAfterMs: 250 });
    expect(h.aws.calls.update).toBe(1);
    expect(cond(h, 'w', 'Ready')).toMatchObject({ status: 'False', reason: 'Updating' });
    // AWS still working: Updating (the object existed), polled again.
    h.aws.phase = 'Pending';
    expect((await h.reconciler.reconcile(key('w'))).type).toBe('progressing');
    expect(cond(h, 'w', 'Ready')).toMatchObject({ status: 'False', reason: 'Updating' });
    h.aws.phase = 'Active';
    expect((await h.reconciler.reconcile(key('w'))).type).toBe('synced');
    expect(cond(h, 'w', 'Ready')).toMatchObject({ status: 'True', reason: 'Available' });
    expect(h.aws.calls.update).toBe(1);
  });

  /** A widget Ready at size 2, then edited to 3 and updated once; returns its AWS item. */
  const updatedOnce = async () => {
    const h = setup();
    h.kube.put(widget('w', { size: 2, color: 'r' }));
    await h.reconciler.reconcile(key('w'));
    await h.reconciler.reconcile(key('w'));
    h.kube.editSpec('Widget', 'w', { size: 3 });
    await h.reconciler.reconcile(key('w'));
    expect(h.aws.calls.update).toBe(1);
    return { h, item: [...h.aws.items.values()][0]! };
  };

  it('a read soon after an update that does not show it yet reads again instead of updating twice', async () => {
    const { h, item } = await updatedOnce();
    // AWS answers the next reads with the state before the write (eventual consistency).
    item.size = 2;
    expect(await h.reconciler.reconcile(key('w'))).toEqual({ type: 'progressing', pollAfterMs: 500 });
    expect(h.aws.calls.update).toBe(1);
    expect(cond(h, 'w', 'Ready')).toMatchObject({ status: 'False', reason: 'Updating' });
    // Past the read-lag allowance the difference is real: the change is sent again.
    h.clock.advance(120_000);
    await h.reconciler.reconcile(key('w'));
    expect(h.aws.calls.update).toBe(2);
    expect((await h.reconciler.reconcile(key('w'))).type).toBe('synced');
    expect(cond(h, 'w', 'Ready')).toMatchObject({ status: 'True', reason: 'Available' });
  });

  it('a different difference right after an update is drift, corrected at once', async () => {
    const { h, item } = await updatedOnce();
    // Someone changes the field again in AWS before the confirming read: not what we corrected.
    item.size = 7;
    await h.reconciler.reconcile(key('w'));
    expect(h.aws.calls.update).toBe(2);
  });

  it('an object AWS still creates shows Creating; a settled one that AWS starts working on shows Updating', async () => {
    const h = setup();
    h.aws.phase = 'Pending';
    h.kube.put(widget('w', { size: 2, color: 'r' }));
    await h.reconciler.reconcile(key('w'));
    await h.reconciler.reconcile(key('w'));
    expect(cond(h, 'w', 'Ready')).toMatchObject({ status: 'False', reason: 'Creating' });
    h.aws.phase = 'Active';
    await h.reconciler.reconcile(key('w'));
    expect(cond(h, 'w', 'Ready')?.status).toBe('True');
    h.aws.phase = 'Pending'; // someone changes it in the console; AWS transitions, no spec difference
    await h.reconciler.reconcile(key('w'));
    expect(cond(h, 'w', 'Ready')).toMatchObject({ status: 'False', reason: 'Updating' });
  });

  it('a read that misses the object right after its create polls instead of creating it again', async () => {
    const h = setup();
    h.kube.put(widget('w', { size: 2, color: 'r' }));
    await h.reconciler.reconcile(key('w'));
    h.aws.laggingReads = 2;
    // The polls after the create go on doubling (250 ms was the first).
    expect(await h.reconciler.reconcile(key('w'))).toEqual({ type: 'progressing', pollAfterMs: 500 });
    expect(await h.reconciler.reconcile(key('w'))).toEqual({ type: 'progressing', pollAfterMs: 1_000 });
    expect(cond(h, 'w', 'Ready')).toMatchObject({ status: 'False', reason: 'Creating' });
    expect((await h.reconciler.reconcile(key('w'))).type).toBe('synced');
    expect(h.aws.calls.create).toBe(1);
    expect(h.sink.reasons()).toEqual(['Created']);
  });

  it('an object still missing long after its create is created again (it really is gone)', async () => {
    const h = setup();
    h.kube.put(widget('w', { size: 2, color: 'r' }));
    await h.reconciler.reconcile(key('w'));
    h.aws.items.clear();
    await h.reconciler.reconcile(key('w'));
    expect(h.aws.calls.create).toBe(1);
    h.clock.advance(120_000);
    await h.reconciler.reconcile(key('w'));
    expect(h.aws.calls.create).toBe(2);
    expect(h.sink.reasons()).toContain('ExternalMissing');
  });
});

describe('a kind asking for an earlier visit', () => {
  const visitIn = (ms: number | undefined) => {
    const h = setup();
    const handler = { ...widgetHandler(h.aws), nextVisitMs: () => ms };
    return { h, reconciler: new ManagedReconciler(handler, h.deps) };
  };

  it('comes back at min(resync, the kind’s time), never sooner than 1 s', async () => {
    for (const [hint, expected] of [
      [30_000, 30_000],
      [86_400_000, 600_000],
      [-5_000, 1_000],
      [undefined, 600_000],
    ] as const) {
      const { h, reconciler } = visitIn(hint);
      h.kube.put(widget('w', { size: 2, color: 'r' }));
      await reconciler.reconcile(key('w'));
      expect(await reconciler.reconcile(key('w'))).toEqual({ type: 'synced', requeueAfterMs: expected });
    }
  });
});

describe('logs', () => {
  it('waiting on a dependency is logged at info as waiting, not as a failed reconcile', async () => {
    const logs: { level: string; msg: string }[] = [];
    const h = setup({ log: (level, msg) => void logs.push({ level, msg }) });
    h.aws.faults.push(
      new ClassifiedError('DependencyNotReady', 'not onboarded', { rule: 'ReplicationSetNotReady' }),
    );
    h.kube.put(widget('w', { size: 2, color: 'r' }));
    expect((await h.reconciler.reconcile(key('w'))).type).toBe('waiting');
    expect(logs).toEqual([{ level: 'info', msg: 'waiting' }]);
  });
});
