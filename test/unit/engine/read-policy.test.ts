// The engine's read policy (src/engine/read-policy.ts): which visits may read an object partially
// (a list shared by the account plus the kind's memory of its last full read) and which read it in
// full, so that a settled fleet costs well under one AWS read per object per resync while drift
// is still found within FULL_READ_EVERY resyncs.
import { describe, expect, it } from 'vitest';
import type { Ctx, KindClient } from '../../../src/engine/contract.ts';
import { FULL_READ_EVERY, ReadPolicy } from '../../../src/engine/read-policy.ts';
import {
  type MemoryAws,
  setup,
  type Widget,
  type WidgetState,
  widget,
  widgetEngine,
  widgetHandler,
} from './harness.ts';

const RESYNC = 600_000;

describe('ReadPolicy', () => {
  it('lets every k-th resync visit read in full, the first turn of each object set by its uid', () => {
    const k = 4;
    const firstFull: number[] = [];
    for (let i = 0; i < 400; i++) {
      const p = new ReadPolicy(k);
      const key = `Widget/default/w${i}`;
      let now = 0;
      p.read(key, `uid-${i}`, false); // the first visit of the process reads in full
      const kinds: boolean[] = [];
      for (let visit = 1; visit <= 3 * k; visit++) {
        p.settled(key, now, now + RESYNC);
        now += RESYNC;
        const partial = p.partial(key, now);
        p.read(key, `uid-${i}`, partial);
        kinds.push(partial);
      }
      const full = kinds.flatMap((partial, j) => (partial ? [] : [j + 1]));
      // Regular once its turn came: every k-th resync visit.
      for (let j = 1; j < full.length; j++) expect((full[j] ?? 0) - (full[j - 1] ?? 0)).toBe(k);
      firstFull.push(full[0] ?? 0);
    }
    // The turns are spread: each of the k resyncs after a start has about a quarter of the objects.
    for (let turn = 1; turn <= k; turn++) {
      const n = firstFull.filter((t) => t === turn).length;
      expect(n).toBeGreaterThan(60);
      expect(n).toBeLessThan(140);
    }
  });

  it('offers no partial read before the resync the engine asked for (a wake, an edit), and keeps the earliest one', () => {
    const p = new ReadPolicy(4);
    const key = 'Widget/default/w';
    p.read(key, 'uid', false);
    p.read(key, 'uid', false); // its turn: three partial visits from now
    p.settled(key, 0, RESYNC);
    expect(p.partial(key, RESYNC / 2)).toBe(false); // a wake half way: read in full
    // That visit settles again and asks for a later resync; the queue keeps the earlier one.
    p.settled(key, RESYNC / 2, RESYNC / 2 + RESYNC);
    expect(p.partial(key, RESYNC)).toBe(true);
    p.unsettled(key);
    expect(p.partial(key, 2 * RESYNC)).toBe(false);
  });

  it('a read that reused memory on a visit of its own (a confirm) counts towards the next full read', () => {
    const p = new ReadPolicy(2);
    const key = 'Widget/default/w';
    p.read(key, 'uid', false);
    p.read(key, 'uid', false); // one partial visit left
    p.read(key, 'uid', true); // the confirm of an edit took the tags from memory
    p.settled(key, 0, RESYNC);
    expect(p.partial(key, RESYNC)).toBe(false);
  });
});

/** The Widget client with a kind's memory: a partial read answers from the last full read. */
function remembering(aws: MemoryAws) {
  const inner = aws.client();
  const last = new Map<string, WidgetState>();
  const ctxs: Ctx<WidgetState>[] = [];
  const client: KindClient<Widget, WidgetState> = {
    ...inner,
    async read(identity, mr, ctx) {
      ctxs.push(ctx);
      const kept = last.get(identity);
      if (ctx.partial && kept)
        return { identity, observed: structuredClone(kept), phase: 'Active', partial: true };
      const r = await inner.read(identity, mr, ctx);
      if (r) last.set(identity, structuredClone(r.observed));
      return r;
    },
  };
  return { client, ctxs };
}

function partialWidgets(k = FULL_READ_EVERY) {
  const h = setup({ fullReadEvery: k, resyncMs: RESYNC });
  const mem = remembering(h.aws);
  const handler = { ...widgetHandler(h.aws), client: () => mem.client };
  const { e, q, step } = widgetEngine(h, { handler });
  /** The visits due by the next resync, each ended. */
  const resync = async () => {
    h.clock.advance(RESYNC);
    while (q.len() > 0) await step();
  };
  const settle = async () => {
    while (q.len() > 0 || q.delayed() > 0) {
      if (q.len() === 0) h.clock.advance(1_000);
      await step();
      if (h.kube.get('Widget', 'w')?.status?.conditions?.every((c) => c.status === 'True')) break;
    }
  };
  return { h, e, q, step, resync, settle, ctxs: mem.ctxs };
}

describe('resync visits in the engine', () => {
  it('read partially between full reads: at most FULL_READ_EVERY resyncs apart, no write in either', async () => {
    const t = partialWidgets();
    t.e.onUpsert(t.h.kube.put(widget('w', { size: 1, color: 'r' })), undefined);
    await t.settle();
    const statusWrites = t.h.kube.writes.status;
    t.ctxs.length = 0;
    for (let i = 0; i < 3 * FULL_READ_EVERY; i++) await t.resync();
    const partial = t.ctxs.map((c) => c.partial !== undefined);
    expect(partial).toHaveLength(3 * FULL_READ_EVERY);
    const full = partial.flatMap((p, i) => (p ? [] : [i]));
    expect(full.length).toBeGreaterThanOrEqual(2);
    for (let j = 1; j < full.length; j++) expect((full[j] ?? 0) - (full[j - 1] ?? 0)).toBe(FULL_READ_EVERY);
    expect(t.h.aws.writes()).toBe(1); // the create
    expect(t.h.kube.writes.status).toBe(statusWrites);
  });

  it('drift only a full read shows is corrected at the object’s next full read, not from memory', async () => {
    const t = partialWidgets();
    t.e.onUpsert(t.h.kube.put(widget('w', { size: 1, color: 'r' })), undefined);
    await t.settle();
    const [arn] = [...t.h.aws.items.keys()];
    (t.h.aws.items.get(arn as string) as { size: number }).size = 7; // changed out of band
    let resyncs = 0;
    while (t.h.aws.calls.update === 0) {
      await t.resync();
      resyncs++;
      expect(resyncs).toBeLessThanOrEqual(FULL_READ_EVERY);
    }
    expect(t.h.aws.updates.at(-1)?.map((d) => d.path)).toEqual(['spec.size']);
    expect(t.h.aws.items.get(arn as string)?.size).toBe(1);
  });

  it('the visit of a spec edit reads in full, and the update answers what AWS has', async () => {
    const t = partialWidgets(1_000); // partial reads for a long time
    t.e.onUpsert(t.h.kube.put(widget('w', { size: 1, color: 'r' })), undefined);
    await t.settle();
    await t.resync();
    expect(t.ctxs.at(-1)?.partial).toBeDefined();
    const [arn] = [...t.h.aws.items.keys()];
    (t.h.aws.items.get(arn as string) as { size: number }).size = 3;
    const reads = t.ctxs.length;
    t.h.kube.editSpec('Widget', 'w', { size: 2 });
    t.e.onUpsert(structuredClone(t.h.kube.get('Widget', 'w')!), undefined);
    await t.step();
    // The edit's visit is no resync: one full read, then the update from what AWS has.
    expect(t.ctxs.slice(reads).map((c) => c.partial)).toEqual([undefined]);
    expect(t.h.aws.updates.at(-1)).toEqual([{ path: 'spec.size', desired: 2, observed: 3, updatable: true }]);
  });

  it('a partial read showing a difference at a resync is taken again in full', async () => {
    const t = partialWidgets(1_000);
    t.e.onUpsert(t.h.kube.put(widget('w', { size: 1, color: 'r' })), undefined);
    await t.settle();
    await t.resync(); // partial from now on (a turn far away)
    // The spec asks for something the memory does not show, with no visit of its own (as a
    // referenced object's ARN changing would): only the resync sees it.
    Object.assign(t.h.kube.get('Widget', 'w')!.spec, { size: 5 });
    const reads = t.ctxs.length;
    await t.resync();
    expect(t.ctxs.slice(reads).map((c) => c.partial !== undefined)).toEqual([true, false]);
    expect(t.h.aws.updates.at(-1)).toEqual([{ path: 'spec.size', desired: 5, observed: 1, updatable: true }]);
  });
});
