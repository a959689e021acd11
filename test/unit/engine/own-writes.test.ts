import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/aws/gate.ts';
import { ClassifiedError, type ManagedObject } from '../../../src/engine/contract.ts';
import { Engine } from '../../../src/engine/controller.ts';
import type { MetadataPort } from '../../../src/engine/managed.ts';
import { OwnWrites } from '../../../src/engine/own-writes.ts';
import { key, replicationSetTurningReady, setup, widget, widgetEngine } from './harness.ts';

const at = (rv: string, extra: Partial<ManagedObject['metadata']> = {}): ManagedObject => {
  const w = widget('w', { size: 1, color: 'r' }) as ManagedObject;
  w.metadata = { ...w.metadata, resourceVersion: rv, ...extra };
  return w;
};

describe('own writes over a lagging cache', () => {
  it('serves our newest write while the cache shows a version we replaced, and the cache once it moves on', () => {
    const own = new OwnWrites();
    const k = key('w');
    own.record(k, '1', at('2', { finalizers: ['f'] }));
    own.record(k, '2', at('3', { finalizers: ['f'], annotations: { a: 'b' } }));
    // The watch has delivered neither write yet, then only the first.
    expect(own.view(k, at('1'))?.metadata.resourceVersion).toBe('3');
    expect(own.view(k, at('2'))?.metadata.resourceVersion).toBe('3');
    // Caught up: the cache is used and our copy dropped.
    expect(own.view(k, at('3'))?.metadata.resourceVersion).toBe('3');
    expect(own.size()).toBe(0);
  });

  it('a version nobody of ours wrote means someone else changed the object: the cache wins', () => {
    const own = new OwnWrites();
    const k = key('w');
    own.record(k, '1', at('2'));
    expect(own.view(k, at('7', { labels: { edited: 'yes' } }))?.metadata.labels).toEqual({ edited: 'yes' });
    expect(own.view(k, undefined)).toBeUndefined();
    expect(own.size()).toBe(0);
  });
});

const type = { group: 'g', version: 'v', plural: 'widgets', namespaced: true };

describe('Conflict scheduling', () => {
  it('retries at once when a newer copy is already cached, else when the watch brings one', async () => {
    const h = setup();
    // A stale write: the first finalizer patch is refused as another writer's change would be.
    let conflicts = 1;
    const kube: MetadataPort = {
      patchStatus: (o, st) => h.kube.patchStatus(o, st),
      addFinalizer: async (o, f) => {
        if (conflicts-- > 0) throw new ClassifiedError('Conflict', 'test failed');
        return h.kube.addFinalizer(o, f);
      },
      removeFinalizer: (o, f) => h.kube.removeFinalizer(o, f),
      patchAnnotations: (o, c) => h.kube.patchAnnotations(o, c),
    };
    const { e, q, step } = widgetEngine(h, { kube });
    e.onUpsert(h.kube.put(widget('w', { size: 1, color: 'r' })), undefined);
    await step();
    // Nothing newer is cached: not retried hot, only after the fallback backoff…
    expect(q.len()).toBe(0);
    expect(q.delayed()).toBe(1);
    // …or as soon as the watch delivers a newer copy (here a status-only change by someone else).
    const cur = h.kube.get('Widget', 'w')!;
    const newer = h.kube.put({ ...structuredClone(cur), status: { note: 'other writer' } } as ManagedObject);
    e.onUpsert(newer, cur);
    expect(q.len()).toBe(1);
    await step();
    expect(h.aws.calls.create).toBe(1);
    expect(h.sink.reasons()).not.toContain('InvalidSpec');
  });

  it('a reconciler that throws does not stop the workers; the key is retried', async () => {
    const h = setup();
    const { lookup: _l, ...deps } = h.deps;
    let throws = 1;
    const e = new Engine(
      [
        {
          kind: 'Widget',
          type,
          custom: () => ({
            reconcile: async () => {
              if (throws-- > 0) throw new Error('bug');
              return { type: 'done' };
            },
          }),
        },
      ],
      { get: h.kube.lookup },
      deps,
    );
    e.enqueue(key('w'));
    const q = e.queue('Widget')!;
    const k = (await q.get())!;
    await expect(e.process(k)).resolves.toBeUndefined();
    q.done(k);
    expect(q.delayed()).toBe(1); // retried with backoff
  });
});

describe('waiting for Incident Manager to be onboarded', () => {
  it('shows ReplicationSetNotReady, and a ReplicationSet turning Ready wakes the waiting object', async () => {
    const h = setup();
    // The first AWS call is refused as ssm-contacts refuses work before the replication set is ACTIVE.
    h.aws.faults.push(
      classify(
        { name: 'ValidationException', message: '', $metadata: { httpStatusCode: 400 } },
        'CreateWidget',
        'ssm-contacts',
      ),
    );
    const { e, q, step } = widgetEngine(h);
    e.onUpsert(h.kube.put(widget('w', { size: 1, color: 'r' })), undefined);
    await step();
    const ready = h.kube.get('Widget', 'w')?.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'ReplicationSetNotReady' });
    expect(ready?.message).toMatch(/replication set/);
    expect(h.sink.reasons()).not.toContain('InvalidSpec');
    expect(q.len()).toBe(0);
    expect(q.delayed()).toBe(1); // a fallback look, well before the resync

    // Any ReplicationSet becoming usable wakes it (it names none: onboarding is account-wide).
    const [rs, rsReady] = replicationSetTurningReady('arn:aws:ssm-incidents::111122223333:replication-set/x');
    e.onUpsert(rs, undefined);
    expect(q.len()).toBe(0);
    e.onUpsert(rsReady, rs);
    expect(q.len()).toBe(1);
    await step();
    expect(h.aws.items.size).toBe(1);
    expect(h.kube.get('Widget', 'w')?.status?.conditions?.find((c) => c.type === 'Synced')?.status).toBe(
      'True',
    );
  });
});
