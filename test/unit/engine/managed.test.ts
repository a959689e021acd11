import { describe, expect, it } from 'vitest';
import { getCondition } from '../../../src/engine/conditions.ts';
import { ClassifiedError } from '../../../src/engine/contract.ts';
import { FINALIZER } from '../../../src/engine/names.ts';
import { applyOutcome } from '../../../src/engine/schedule.ts';
import { WorkQueue } from '../../../src/engine/work-queue.ts';
import { CREATE_PENDING_ANNOTATION, EXTERNAL_ARN_ANNOTATION, key, setup, widget } from './harness.ts';

const cond = (o: { status?: { conditions?: never[] } } | undefined, type: string) =>
  getCondition((o?.status as { conditions?: [] } | undefined)?.conditions, type);

async function converge(h: ReturnType<typeof setup>, name: string, rounds = 3) {
  let out = await h.reconciler.reconcile(key(name));
  for (let i = 1; i < rounds && out.type === 'progressing'; i++)
    out = await h.reconciler.reconcile(key(name));
  return out;
}

describe('ManagedReconciler', () => {
  it('creates the AWS object and reports Ready=True/Available with the ARN', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    const first = await h.reconciler.reconcile(key('w1'));
    expect(first.type).toBe('progressing');
    const created = h.kube.get('Widget', 'w1')!;
    expect(created.metadata.finalizers).toContain(FINALIZER);
    expect(cond(created as never, 'Ready')).toMatchObject({ status: 'False', reason: 'Creating' });
    const second = await h.reconciler.reconcile(key('w1'));
    expect(second).toEqual({ type: 'synced', requeueAfterMs: 600_000 });
    const o = h.kube.get('Widget', 'w1')!;
    expect(h.aws.items.size).toBe(1);
    const arn = [...h.aws.items.keys()][0];
    expect(o.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION]).toBe(arn);
    expect(o.metadata.annotations?.[CREATE_PENDING_ANNOTATION]).toBeUndefined();
    expect(o.status).toMatchObject({ arn, observedGeneration: 1, size: 2, color: 'red' });
    expect(cond(o as never, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Available',
      observedGeneration: 1,
    });
    expect(cond(o as never, 'Synced')).toMatchObject({ status: 'True', reason: 'ReconcileSuccess' });
    expect(h.sink.reasons()).toEqual(['Created']);
  });

  it('sends the idempotency token derived from the uid and the pending mark', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    await h.reconciler.reconcile(key('w1'));
    const item = [...h.aws.items.values()][0]!;
    expect(item.token).toMatch(/^[0-9a-f]{64}$/);
    const again = setup();
    again.kube.put(widget('w1', { size: 2, color: 'red' }));
    await again.reconciler.reconcile(key('w1'));
    // same uid, but a different create attempt (new pending mark) → a different token
    expect([...again.aws.items.values()][0]!.token).not.toBe(item.token);
  });

  it('a spec change costs exactly one update, naming the changed path in an Event', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    await converge(h, 'w1');
    h.kube.editSpec('Widget', 'w1', { size: 5 });
    await converge(h, 'w1');
    expect(h.aws.calls.update).toBe(1);
    expect(h.aws.updates[0]).toEqual([{ path: 'spec.size', desired: 5, observed: 2, updatable: true }]);
    expect([...h.aws.items.values()][0]!.size).toBe(5);
    const ev = h.sink.events.find((e) => e.reason === 'Updated');
    expect(ev?.message).toContain('spec.size');
    const o = h.kube.get('Widget', 'w1')!;
    expect(o.status?.observedGeneration).toBe(2);
    expect(cond(o as never, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 2 });
  });

  it('corrects out-of-band drift, the Event saying each drifted field before and after', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    await converge(h, 'w1');
    [...h.aws.items.values()][0]!.size = 9; // someone edits in the console
    await converge(h, 'w1');
    expect([...h.aws.items.values()][0]!.size).toBe(2);
    expect(h.sink.events.find((e) => e.reason === 'Updated')?.message).toMatch(/: spec\.size: 9 → 2$/);
  });

  it('steady state: one observe and zero writes (AWS and Kubernetes) per resync', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    await converge(h, 'w1');
    const aws = { ...h.aws.calls };
    const kube = { ...h.kube.writes };
    h.clock.advance(600_000);
    const out = await h.reconciler.reconcile(key('w1'));
    expect(out.type).toBe('synced');
    expect(h.aws.calls.observe - aws.observe).toBe(1);
    expect(h.aws.writes()).toBe(aws.create + aws.update + aws.delete);
    expect(h.kube.writes).toEqual(kube);
  });

  it('recovers after a crash between create and the identity write: exactly one AWS object', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    h.kube.crashOnIdentityWrite = true;
    const crashed = await h.reconciler.reconcile(key('w1'));
    expect(crashed.type).toBe('failed');
    expect(h.aws.items.size).toBe(1);
    expect(h.kube.get('Widget', 'w1')!.metadata.annotations?.[CREATE_PENDING_ANNOTATION]).toBeDefined();
    // A new process: nothing in memory, only what Kubernetes and AWS hold.
    const restarted = h.newReconciler();
    await restarted.reconcile(key('w1'));
    await restarted.reconcile(key('w1'));
    expect(h.aws.items.size).toBe(1);
    expect(h.aws.calls.create).toBe(1);
    const o = h.kube.get('Widget', 'w1')!;
    expect(o.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION]).toBe([...h.aws.items.keys()][0]);
    expect(o.metadata.annotations?.[CREATE_PENDING_ANNOTATION]).toBeUndefined();
    expect(cond(o as never, 'Ready')?.status).toBe('True');
    expect(h.sink.reasons()).toContain('Adopted');
  });

  it('a create that fails after the AWS call is replayed with the same token, not duplicated', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    h.kube.crashOnIdentityWrite = true;
    await h.reconciler.reconcile(key('w1'));
    // The lookup by token misses (e.g. eventual consistency) → create is retried with the same token.
    h.aws.faults = [];
    const o = h.kube.get('Widget', 'w1')!;
    const token = [...h.aws.items.values()][0]!.token;
    expect(o.metadata.annotations?.[CREATE_PENDING_ANNOTATION]).toBeDefined();
    await h.newReconciler().reconcile(key('w1'));
    expect([...h.aws.items.values()].map((i) => i.token)).toEqual([token]);
  });

  it('adopts an existing AWS object named by the identity annotation without creating', async () => {
    const h = setup();
    h.kube.put(widget('w0', { size: 3, color: 'blue' }));
    await converge(h, 'w0');
    const arn = [...h.aws.items.keys()][0]!;
    const w = widget('w1', { size: 3, color: 'blue' });
    w.metadata.annotations = { [EXTERNAL_ARN_ANNOTATION]: arn };
    h.kube.put(w);
    await converge(h, 'w1');
    expect(h.aws.calls.create).toBe(1);
    expect(cond(h.kube.get('Widget', 'w1') as never, 'Ready')?.status).toBe('True');
  });

  it('re-creates an object deleted out of band with a fresh token', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    await converge(h, 'w1');
    const [oldArn, old] = [...h.aws.items.entries()][0]!;
    h.aws.items.clear();
    await converge(h, 'w1');
    expect(h.aws.items.size).toBe(1);
    const [newArn, fresh] = [...h.aws.items.entries()][0]!;
    expect(newArn).not.toBe(oldArn);
    expect(fresh.token).not.toBe(old.token);
    expect(h.sink.reasons()).toContain('ExternalMissing');
  });

  it('deletionPolicy Delete: deletes in AWS, then removes the finalizer', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    await converge(h, 'w1');
    h.kube.markDeleted('Widget', 'w1');
    const a = await h.reconciler.reconcile(key('w1'));
    expect(a.type).toBe('progressing');
    expect(h.aws.items.size).toBe(0);
    expect(h.kube.get('Widget', 'w1')).toBeDefined(); // finalizer stays until AWS confirms
    const b = await h.reconciler.reconcile(key('w1'));
    expect(b.type).toBe('done');
    expect(h.kube.get('Widget', 'w1')).toBeUndefined();
    expect(h.sink.reasons()).toEqual(expect.arrayContaining(['Deleting', 'Deleted']));
  });

  it('deletionPolicy Retain: leaves the AWS object and removes the finalizer', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }, { deletionPolicy: 'Retain' }));
    await converge(h, 'w1');
    h.kube.markDeleted('Widget', 'w1');
    expect((await h.reconciler.reconcile(key('w1'))).type).toBe('done');
    expect(h.aws.items.size).toBe(1);
    expect(h.aws.calls.delete).toBe(0);
    expect(h.kube.get('Widget', 'w1')).toBeUndefined();
  });

  it('blocks deletion while another object references it, naming the referrer', async () => {
    const h = setup();
    h.kube.put(widget('owner', { size: 2, color: 'red' }));
    await converge(h, 'owner');
    h.kube.put(widget('child', { size: 1, color: 'red', ownerRef: { name: 'owner' } }));
    await converge(h, 'child');
    expect([...h.aws.items.values()].find((i) => i.owner)?.owner).toBe(
      h.kube.get('Widget', 'owner')!.status?.arn,
    );
    h.kube.markDeleted('Widget', 'owner');
    const out = await h.reconciler.reconcile(key('owner'));
    expect(out).toMatchObject({ type: 'waiting', reason: 'DeleteBlocked', on: [key('child')] });
    expect(cond(h.kube.get('Widget', 'owner') as never, 'Ready')).toMatchObject({
      reason: 'DeleteBlocked',
      message: expect.stringContaining('Widget default/child'),
    });
    expect(h.aws.calls.delete).toBe(0);
    // The referrer goes away → the owner can be deleted.
    h.kube.markDeleted('Widget', 'child');
    await converge(h, 'child');
    expect(h.kube.get('Widget', 'child')).toBeUndefined();
    await converge(h, 'owner');
    expect(h.kube.get('Widget', 'owner')).toBeUndefined();
    expect(h.aws.items.size).toBe(0);
  });

  it('waits with ReferencesNotReady naming the missing reference, and the index wakes the referrer', async () => {
    const h = setup();
    h.kube.put(widget('child', { size: 1, color: 'red', ownerRef: { name: 'owner' } }));
    const out = await h.reconciler.reconcile(key('child'));
    expect(out).toMatchObject({ type: 'waiting', reason: 'ReferencesNotReady', on: [key('owner')] });
    expect(cond(h.kube.get('Widget', 'child') as never, 'Ready')?.message).toContain(
      'spec.ownerRef: Widget default/owner does not exist',
    );
    expect(h.aws.calls.create).toBe(0);
    expect(h.kube.get('Widget', 'child')!.metadata.finalizers).toBeUndefined(); // no AWS write yet
    expect(h.refs.referrersOf(key('owner'))).toEqual([key('child')]);
  });

  it('InvalidSpec is terminal: conditions say which field and rule, and the key is not hot-retried', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 42, color: 'red' }));
    const out = await h.reconciler.reconcile(key('w1'));
    expect(out.type).toBe('failed');
    const o = h.kube.get('Widget', 'w1')!;
    expect(cond(o as never, 'Synced')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(cond(o as never, 'Ready')?.message).toContain('spec.size: must be between 1 and 10');
    const q = new WorkQueue({ clock: h.clock });
    const s = applyOutcome(q, key('w1'), out, { resyncMs: 600_000 });
    expect(s).toEqual({ action: 'after', delayMs: 600_000 });
    expect(q.numRequeues(key('w1'))).toBe(0);
    expect(h.aws.calls.observe).toBe(0);
  });

  it('an immutable-field change is InvalidSpec/ImmutableField, never a silent recreate', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    await converge(h, 'w1');
    h.kube.editSpec('Widget', 'w1', { color: 'green' });
    const out = await h.reconciler.reconcile(key('w1'));
    expect(out).toMatchObject({
      type: 'failed',
      error: { errorClass: 'InvalidSpec', rule: 'ImmutableField' },
    });
    expect(h.aws.calls.update + h.aws.calls.delete).toBe(0);
    expect(h.aws.calls.create).toBe(1);
    const synced = cond(h.kube.get('Widget', 'w1') as never, 'Synced');
    expect(synced?.reason).toBe('ImmutableField');
    expect(synced?.message).toMatch(/spec\.color cannot be changed in place/);
  });

  it('throttling is classified, backed off (honouring Retry-After) and shown only after repeated failures', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    const q = new WorkQueue({ clock: h.clock, jitter: 0, baseDelayMs: 1_000 });
    const throttle = () => new ClassifiedError('Throttled', 'Rate exceeded', { retryAfterMs: 5_000 });
    h.aws.faults = [throttle(), throttle(), throttle()];
    const delays: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const out = await h.reconciler.reconcile(key('w1'), { attempt: q.numRequeues(key('w1')) });
      expect(out).toMatchObject({ type: 'failed', error: { errorClass: 'Throttled' } });
      delays.push(applyOutcome(q, key('w1'), out, { resyncMs: 600_000 }).delayMs);
      if (attempt === 0) expect(cond(h.kube.get('Widget', 'w1') as never, 'Synced')).toBeUndefined();
    }
    expect(delays).toEqual([5_000, 5_000, 5_000].map((d, i) => Math.max(d, 1_000 * 2 ** i)));
    expect(cond(h.kube.get('Widget', 'w1') as never, 'Synced')).toMatchObject({
      status: 'False',
      reason: 'Throttled',
    });
    await converge(h, 'w1');
    expect(cond(h.kube.get('Widget', 'w1') as never, 'Synced')).toMatchObject({ status: 'True' });
    expect(h.aws.items.size).toBe(1);
  });

  it('AccessDenied says so in Synced and waits for the resync', async () => {
    const h = setup();
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    h.aws.faults = [new ClassifiedError('AccessDenied', 'ssm-contacts:CreateContact denied on arn:x')];
    const out = await h.reconciler.reconcile(key('w1'));
    expect(cond(h.kube.get('Widget', 'w1') as never, 'Synced')).toMatchObject({ reason: 'AccessDenied' });
    const q = new WorkQueue({ clock: h.clock });
    expect(applyOutcome(q, key('w1'), out, { resyncMs: 600_000 }).delayMs).toBe(600_000);
  });

  it('managementPolicy Observe never writes and reports drift as a condition', async () => {
    const h = setup();
    h.kube.put(widget('w0', { size: 3, color: 'blue' }));
    await converge(h, 'w0');
    const arn = [...h.aws.items.keys()][0]!;
    const w = widget('w1', { size: 4, color: 'blue' }, { managementPolicy: 'Observe' });
    w.metadata.annotations = { [EXTERNAL_ARN_ANNOTATION]: arn };
    h.kube.put(w);
    const before = h.aws.writes();
    await converge(h, 'w1');
    expect(h.aws.writes()).toBe(before);
    const o = h.kube.get('Widget', 'w1')!;
    expect(o.metadata.finalizers).toBeUndefined();
    expect(cond(o as never, 'Synced')).toMatchObject({ status: 'False', reason: 'DriftDetected' });
    expect(cond(o as never, 'Synced')?.message).toContain('spec.size: 3 → 4');
  });
});
