import { describe, expect, it } from 'vitest';
import type { ManagedObject } from '../../../src/engine/contract.ts';
import { IdentityHolders } from '../../../src/engine/holders.ts';
import { FINALIZER } from '../../../src/engine/names.ts';
import {
  EXTERNAL_ARN_ANNOTATION,
  key,
  setup,
  type Widget,
  widget,
  widgetEngine,
  widgetHandler,
} from './harness.ts';

const ARN = 'arn:aws:widgets:eu-west-1:111122223333:widget/7';

/** A Widget naming ARN in its annotation, created at `created`. */
function claiming(name: string, created: string, extra: Partial<Widget['spec']> = {}): Widget {
  const w = widget(name, { size: 1, color: 'r' }, extra);
  w.metadata.creationTimestamp = created;
  w.metadata.annotations = { [EXTERNAL_ARN_ANNOTATION]: ARN };
  return w;
}

const condition = (o: ManagedObject | undefined, type: string) =>
  o?.status?.conditions?.find((c) => c.type === type);

function withItem(h: ReturnType<typeof setup>, name = 'a', tags: Record<string, string> = {}) {
  h.aws.items.set(ARN, { size: 1, color: 'r', arn: ARN, token: 't', name, tags });
}

/** Processes queued keys until none is ready (bounded: a loop would be a bug). */
async function drain(q: { len(): number }, step: () => Promise<string>): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 20 && q.len() > 0; i++) seen.push(await step());
  return seen;
}

describe('the identity index', () => {
  it('orders claims by creationTimestamp then namespace/name, and ignores Observe and deleting objects', () => {
    const objs = new Map<string, ManagedObject>();
    const holders = new IdentityHolders();
    const put = (o: ManagedObject) => {
      const old = objs.get(key(o.metadata.name));
      objs.set(key(o.metadata.name), o);
      return holders.update(o, old);
    };
    const b = claiming('b', '2026-01-01T00:00:02Z');
    expect(put(b)).toEqual([]);
    expect(holders.holderOf(b)).toBeUndefined();
    // An earlier object (restored with its old creationTimestamp) outranks b, and b is woken.
    const a = claiming('a', '2026-01-01T00:00:01Z');
    expect(put(a)).toEqual([key('b')]);
    expect(holders.holderOf(b)?.metadata.name).toBe('a');
    expect(holders.holderOf(a)).toBeUndefined();
    // Same second: the one managing it already (status.arn) keeps it, else namespace/name decides.
    const c = claiming('c', '2026-01-01T00:00:01Z');
    put(c);
    expect(holders.holderOf(c)?.metadata.name).toBe('a');
    expect(holders.holderOf(a)).toBeUndefined();
    put({ ...c, status: { arn: ARN } });
    expect(holders.holderOf(a)?.metadata.name).toBe('c');
    put(c);
    // An Observe object claims nothing; it does not hold the identity against anyone.
    const watcher = claiming('0-watcher', '2026-01-01T00:00:00Z', { managementPolicy: 'Observe' });
    expect(put(watcher)).toEqual([]);
    expect(holders.holderOf(a)).toBeUndefined();
    // a turns to Observe: the others are woken and the next in order (c) holds it.
    const aObserves = claiming('a', a.metadata.creationTimestamp ?? '', { managementPolicy: 'Observe' });
    expect(put(aObserves).sort()).toEqual([key('b'), key('c')]);
    expect(holders.holderOf(b)?.metadata.name).toBe('c');
    // c is being deleted: no longer a claim; b holds it, and c's deletion yields to b.
    const cDeleting = { ...c, metadata: { ...c.metadata, deletionTimestamp: '2026-01-02T00:00:00Z' } };
    expect(put(cDeleting)).toEqual([key('b')]);
    expect(holders.holderOf(b)).toBeUndefined();
    expect(holders.holderOf(cDeleting)?.metadata.name).toBe('b');
    // b deleted from the cache: nobody holds it.
    objs.delete(key('b'));
    expect(holders.update(undefined, b)).toEqual([]);
    expect(holders.holderOf(cDeleting)).toBeUndefined();
  });
});

describe('one managing object per AWS resource', () => {
  it('refuses the later object (AlreadyManaged, no AWS write), lets an Observe one read, and hands over when the holder is deleted with Retain', async () => {
    const h = setup();
    withItem(h);
    const { e, q, step } = widgetEngine(h, { watch: true });
    e.onUpsert(h.kube.put(claiming('a', '2026-01-01T00:00:01Z', { deletionPolicy: 'Retain' })), undefined);
    e.onUpsert(h.kube.put(claiming('b', '2026-01-01T00:00:02Z')), undefined);
    await drain(q, step);

    expect(condition(h.kube.get('Widget', 'a'), 'Ready')?.status).toBe('True');
    const b = h.kube.get('Widget', 'b');
    for (const t of ['Ready', 'Synced'])
      expect(condition(b, t)).toMatchObject({ status: 'False', reason: 'AlreadyManaged' });
    const message = condition(b, 'Ready')?.message ?? '';
    for (const part of [
      'Widget default/b',
      'Widget default/a',
      ARN,
      'deletionPolicy: Retain',
      'managementPolicy: Observe',
    ])
      expect(message).toContain(part);
    expect(h.sink.events.find((ev) => ev.reason === 'AlreadyManaged')?.type).toBe('Warning');
    expect(b?.metadata.finalizers ?? []).toEqual([]);
    expect(h.aws.writes()).toBe(0);

    // An Observe object with the same identity only reads.
    e.onUpsert(
      h.kube.put(claiming('watcher', '2026-01-01T00:00:03Z', { managementPolicy: 'Observe' })),
      undefined,
    );
    await drain(q, step);
    expect(condition(h.kube.get('Widget', 'watcher'), 'Synced')?.reason).toBe('ObserveOnly');

    // The holder leaves with Retain: the refused object is woken and takes over.
    const before = structuredClone(h.kube.get('Widget', 'a'));
    h.kube.markDeleted('Widget', 'a');
    e.onUpsert(structuredClone(h.kube.get('Widget', 'a')) as ManagedObject, before);
    expect(await drain(q, step)).toContain(key('b'));
    expect(h.kube.get('Widget', 'a')).toBeUndefined();
    const took = h.kube.get('Widget', 'b');
    expect(condition(took, 'Ready')?.status).toBe('True');
    expect(took?.metadata.finalizers).toEqual([FINALIZER]);
    expect(h.aws.items.has(ARN)).toBe(true);
    expect(h.aws.writes()).toBe(0);
  });

  it("never touches AWS when deleting an object whose identity another live object manages, even the holder's Delete", async () => {
    const h = setup();
    withItem(h);
    const { e, q, step } = widgetEngine(h, { watch: true });
    e.onUpsert(h.kube.put(claiming('a', '2026-01-01T00:00:01Z')), undefined);
    // b carries the finalizer from before a's claim existed; its deletionPolicy is Delete.
    const b = claiming('b', '2026-01-01T00:00:02Z');
    b.metadata.finalizers = [FINALIZER];
    e.onUpsert(h.kube.put(b), undefined);
    await drain(q, step);
    expect(condition(h.kube.get('Widget', 'b'), 'Ready')?.reason).toBe('AlreadyManaged');

    const deleting = (name: string) => {
      const old = structuredClone(h.kube.get('Widget', name));
      h.kube.markDeleted('Widget', name);
      e.onUpsert(structuredClone(h.kube.get('Widget', name)) as ManagedObject, old);
    };
    deleting('b');
    await drain(q, step);
    expect(h.kube.get('Widget', 'b')).toBeUndefined();
    const retained = h.sink.events.find((ev) => ev.reason === 'Retained');
    expect(retained?.type).toBe('Normal');
    expect(retained?.message).toContain('it stays, managed by Widget default/a');
    expect(h.aws.calls.delete).toBe(0);

    // A holder deleted with Delete while another object claims the identity leaves it to that one.
    e.onUpsert(h.kube.put(claiming('c', '2026-01-01T00:00:03Z')), undefined);
    await drain(q, step);
    deleting('a');
    await drain(q, step);
    expect(h.kube.get('Widget', 'a')).toBeUndefined();
    expect(h.aws.calls.delete).toBe(0);
    expect(h.aws.items.has(ARN)).toBe(true);
    expect(condition(h.kube.get('Widget', 'c'), 'Ready')?.status).toBe('True');
    expect(h.sink.events.map((ev) => ev.message)).toContain(
      `Left ${ARN} in place (it stays, managed by Widget default/c)`,
    );
  });

  it("refuses adopting by name an untagged object another one holds by its annotation, with the kind's conflictReason", async () => {
    const h = setup();
    withItem(h, 'b'); // untagged, named like b
    const handler = {
      ...widgetHandler(h.aws),
      adoptUntagged: true,
      conflictReason: 'ReplicationSetAlreadyExists' as const,
    };
    const { e, q, step } = widgetEngine(h, { watch: true, handler });
    e.onUpsert(h.kube.put(claiming('a', '2026-01-01T00:00:01Z')), undefined);
    // b differs from AWS (size 2): adopting it would update it.
    e.onUpsert(h.kube.put(widget('b', { size: 2, color: 'r' })), undefined);
    await drain(q, step);
    const b = h.kube.get('Widget', 'b');
    expect(condition(b, 'Synced')?.reason).toBe('ReplicationSetAlreadyExists');
    expect(condition(b, 'Ready')?.message).toContain('managed by Widget default/a');
    expect(b?.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION]).toBeUndefined();
    expect(h.aws.writes()).toBe(0);
  });
});
