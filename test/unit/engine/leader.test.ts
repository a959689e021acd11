import { describe, expect, it } from 'vitest';
import { LeaderElector, type LeaseStore } from '../../../src/engine/leader.ts';
import { FakeClock } from './fake-clock.ts';
import { MemoryLeaseStore } from './memory-lease-store.ts';

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

function elector(store: LeaseStore, clock: FakeClock, identity: string, log: string[]) {
  return new LeaderElector({
    store,
    clock,
    identity,
    namespace: 'ops',
    name: 'incident-manager-operator',
    onStartedLeading: () => log.push(`${identity} leads`),
    onStoppedLeading: () => log.push(`${identity} stopped`),
  });
}

describe('LeaderElector', () => {
  it('two replicas: exactly one leads; the other takes over at once after a graceful release', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const log: string[] = [];
    const a = elector(store, clock, 'a', log);
    const b = elector(store, clock, 'b', log);
    a.start();
    await settle();
    b.start();
    await settle();
    for (let i = 0; i < 5; i++) {
      clock.advance(2_000);
      await settle();
    }
    expect(log).toEqual(['a leads']);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    await a.stop();
    expect(store.lease?.spec.holderIdentity).toBe('');
    clock.advance(2_000); // b's next retry, well before the 15 s lease would expire
    await settle();
    expect(log).toEqual(['a leads', 'b leads']);
    expect(store.lease?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('a crashed leader is replaced only after its lease expired', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const log: string[] = [];
    const a = elector(store, clock, 'a', log);
    a.start();
    await settle();
    // "crash": a stops renewing without releasing
    (a as unknown as { stop(): void }).stop = () => undefined;
    const b = elector(store, clock, 'b', log);
    const frozen = structuredClone(store.lease);
    // keep a from renewing by restoring the lease after each of its ticks
    store.replace = async (l) => {
      if (l.spec.holderIdentity === 'a') return structuredClone(frozen!);
      store.lease = { ...structuredClone(l), metadata: { ...l.metadata, resourceVersion: 'x' } };
      return structuredClone(store.lease);
    };
    b.start();
    await settle();
    const step = async (ms: number) => {
      for (let t = 0; t < ms; t += 1_000) {
        clock.advance(1_000);
        await settle();
      }
    };
    await step(14_000);
    expect(b.isLeader()).toBe(false); // a's lease (15 s) has not expired yet
    await step(4_000);
    expect(b.isLeader()).toBe(true);
    expect(store.lease?.spec.holderIdentity).toBe('b');
  });
});

describe('LeaderElector: a renewal that never answers', () => {
  it('stops leading at the renew deadline, before the others may take the Lease over', async () => {
    const clock = new FakeClock();
    const store = new MemoryLeaseStore();
    const log: string[] = [];
    const a = elector(store, clock, 'a', log);
    a.start();
    await settle();
    expect(a.isLeader()).toBe(true);
    // From now on a's requests hang (an API server or connection pool that does not answer).
    const replace = store.replace.bind(store);
    store.replace = (l) => (l.spec.holderIdentity === 'a' ? new Promise(() => undefined) : replace(l));
    const b = elector(store, clock, 'b', log);
    b.start();
    await settle();
    let stoppedAt = -1;
    let bLeadsAt = -1;
    for (let t = 1; t <= 20; t++) {
      clock.advance(1_000);
      await settle();
      if (stoppedAt < 0 && !a.isLeader()) stoppedAt = t;
      if (bLeadsAt < 0 && b.isLeader()) bLeadsAt = t;
    }
    // a last renewed at 0 s; the renew deadline is 10 s, the Lease 15 s.
    expect(stoppedAt).toBe(10);
    expect(bLeadsAt).toBeGreaterThanOrEqual(15);
    expect(log).toEqual(['a leads', 'a stopped', 'b leads']);
  });
});
