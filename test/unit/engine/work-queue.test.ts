import { describe, expect, it } from 'vitest';
import { runWorkers, WorkQueue } from '../../../src/engine/work-queue.ts';
import { FakeClock } from './fake-clock.ts';

const noJitter = { jitter: 0, random: () => 0 };

describe('WorkQueue', () => {
  it('queues a key at most once however often it is added', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('re-queues a key added while in flight exactly once, after it is done', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    const k = await q.get();
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0); // never handed to a second worker while busy
    q.done(k!);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('hands out low-priority re-checks only when no high-priority key waits', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    for (const k of ['settled-1', 'settled-2', 'settled-3']) q.add(k, 'low');
    q.add('new-1');
    expect(await q.get()).toBe('new-1');
    expect(await q.get()).toBe('settled-1');
    q.add('edited'); // arrives while the re-check runs
    expect(await q.get()).toBe('edited');
    expect(q.len()).toBe(2);
    expect(q.lenLow()).toBe(2);
  });

  it('promotes a queued re-check that is added again as high (an edit of a settled object)', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a', 'low');
    q.add('b', 'low');
    q.add('b');
    expect(q.len()).toBe(2); // still once
    expect(await q.get()).toBe('b');
    expect(await q.get()).toBe('a');
  });

  it('re-queues a key in flight at the priority of its newest add', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('x', 'low');
    const x = await q.get();
    q.add('x', 'low');
    q.add('y', 'low');
    q.add('x');
    q.done(x!);
    expect(await q.get()).toBe('x'); // high now: ahead of y
    q.done('x');
    q.add('z', 'low');
    q.add('z', 'low');
    expect(q.lenLow()).toBe(2);
  });

  it('serves a poll of work in progress before a deep backlog of new keys, once', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    for (let i = 0; i < 1000; i++) q.add(`new-${i}`);
    q.addAfter('new-500', 250, 'first'); // created, now to be confirmed: queued as new too
    clock.advance(250);
    expect(await q.get()).toBe('new-500');
    q.done('new-500');
    expect(q.len()).toBe(999);
    const rest: string[] = [];
    for (let i = 0; i < 999; i++) {
      const k = (await q.get()) as string;
      rest.push(k);
      q.done(k);
    }
    expect(rest).not.toContain('new-500');
    expect(rest[0]).toBe('new-0');
    expect(q.len()).toBe(0);
  });

  it('keeps the better priority when a pending delayed add is asked again', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.add('other');
    q.addAfter('k', 100, 'first');
    q.addAfter('k', 500); // later and plainer: the pending poll stands
    clock.advance(100);
    expect(await q.get()).toBe('k');
  });

  it('hands a key to a waiting worker as soon as it is added', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const p = q.get();
    q.add('x');
    expect(await p).toBe('x');
  });

  it('addAfter keeps the earliest deadline for a key', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 10_000);
    q.addAfter('a', 3_000);
    q.addAfter('a', 20_000);
    expect(q.delayed()).toBe(1);
    clock.advance(2_999);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    clock.advance(60_000);
    expect(q.len()).toBe(1); // the later deadlines were dropped, no second add
  });

  it('backs off per key exponentially up to the cap and forget() resets it', () => {
    const q = new WorkQueue({ clock: new FakeClock(), baseDelayMs: 1_000, maxDelayMs: 8_000, ...noJitter });
    expect([q.when('a'), q.when('a'), q.when('a'), q.when('a'), q.when('a')]).toEqual([
      1_000, 2_000, 4_000, 8_000, 8_000,
    ]);
    expect(q.when('b')).toBe(1_000); // keys back off independently
    expect(q.numRequeues('a')).toBe(5);
    q.forget('a');
    expect(q.when('a')).toBe(1_000);
  });

  it('adds jitter within the configured fraction', () => {
    const q = new WorkQueue({ clock: new FakeClock(), baseDelayMs: 1_000, jitter: 0.5, random: () => 0.999 });
    const d = q.when('a');
    expect(d).toBeGreaterThan(1_000);
    expect(d).toBeLessThanOrEqual(1_500);
  });

  it('the global token bucket slows retries across keys once the burst is spent', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, baseDelayMs: 1, qps: 2, burst: 3, ...noJitter });
    const delays = ['a', 'b', 'c', 'd', 'e'].map((k) => q.when(k));
    expect(delays.slice(0, 3)).toEqual([1, 1, 1]);
    expect(delays[3]).toBe(500);
    expect(delays[4]).toBe(1_000);
    clock.advance(10_000); // bucket refills
    expect(q.when('f')).toBe(1);
  });

  it('addRateLimited schedules the key after its backoff', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, baseDelayMs: 1_000, ...noJitter });
    expect(q.addRateLimited('a')).toBe(1_000);
    clock.advance(999);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
  });

  it('runs at most `workers` keys at once and never one key twice at once', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    let running = 0;
    let maxRunning = 0;
    const active = new Set<string>();
    const releases: Array<() => void> = [];
    const seen: string[] = [];
    const done = runWorkers(q, 2, async (key) => {
      expect(active.has(key)).toBe(false);
      active.add(key);
      running++;
      maxRunning = Math.max(maxRunning, running);
      seen.push(key);
      await new Promise<void>((r) => releases.push(r));
      running--;
      active.delete(key);
    });
    for (const k of ['a', 'b', 'c', 'a']) q.add(k);
    await Promise.resolve();
    expect(running).toBe(2);
    q.add('a'); // a is in flight: marked dirty, not run concurrently
    while (releases.length > 0 || q.len() > 0 || q.inFlight() > 0) {
      const r = releases.shift();
      if (r) r();
      await new Promise((res) => setImmediate(res));
    }
    expect(maxRunning).toBe(2);
    expect(seen.filter((k) => k === 'a')).toHaveLength(2);
    await q.shutdown();
    await done;
  });

  it('shutdown waits for in-flight work and hands out nothing more', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.add('a');
    q.add('b');
    const k = await q.get();
    q.addAfter('c', 1_000);
    let drained = false;
    const s = q.shutdown().then(() => {
      drained = true;
    });
    await Promise.resolve();
    expect(drained).toBe(false);
    expect(await q.get()).toBeUndefined();
    q.add('d');
    clock.advance(5_000);
    expect(q.len()).toBe(0);
    q.done(k!);
    await s;
    expect(drained).toBe(true);
  });
});
