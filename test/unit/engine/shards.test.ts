import { describe, expect, it } from 'vitest';
import type { ManagedObject } from '../../../src/engine/contract.ts';
import type { LeaseStore } from '../../../src/engine/leader.ts';
import { accountOf, homeShard, ShardLeases, shardLeaseName, shardOf } from '../../../src/engine/shards.ts';
import { FakeClock } from './fake-clock.ts';
import { MemoryLeaseStore } from './memory-lease-store.ts';

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** The cluster's Leases, by name; a replica reaches them through its own connection, which can die. */
class Cluster {
  readonly leases = new Map<string, MemoryLeaseStore>();
  store(name: string): MemoryLeaseStore {
    const s = this.leases.get(name) ?? new MemoryLeaseStore();
    this.leases.set(name, s);
    return s;
  }
  holders(shards: number): string[] {
    return Array.from(
      { length: shards },
      (_, i) => this.leases.get(shardLeaseName('imo', i))?.lease?.spec.holderIdentity ?? '',
    );
  }
}

function replica(cluster: Cluster, clock: FakeClock, identity: string, shards: number, log: string[]) {
  const conn = { dead: false };
  const via = (s: LeaseStore): LeaseStore => {
    const guard = <T>(f: () => Promise<T>) =>
      conn.dead ? Promise.reject(new Error('connection lost')) : f();
    return {
      get: () => guard(() => s.get()),
      create: (l) => guard(() => s.create(l)),
      replace: (l) => guard(() => s.replace(l)),
    };
  };
  const leases = new ShardLeases({
    shards,
    identity,
    namespace: 'ops',
    leaseName: 'imo',
    store: (name) => via(cluster.store(name)),
    clock,
    onAcquired: (s) => log.push(`${identity} +${s}`),
    onLost: (s) => log.push(`${identity} -${s}`),
  });
  return {
    leases,
    kill: () => {
      conn.dead = true;
    },
  };
}

async function run(clock: FakeClock, ms: number) {
  for (let t = 0; t < ms; t += 1_000) {
    clock.advance(1_000);
    await settle();
  }
}

const obj = (kind: string, name: string, account?: string): ManagedObject =>
  ({
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind,
    metadata: { name, namespace: kind === 'AWSAccount' ? undefined : 'ops' },
    spec: account ? { accountRef: { name: account } } : {},
  }) as unknown as ManagedObject;

describe('sharding by AWS account', () => {
  it('puts an account and every object that names it in one shard, stable across replicas', () => {
    const n = 5;
    expect(shardOf(accountOf(obj('Contact', 'alice', 'payments-prod')), n)).toBe(
      shardOf(accountOf(obj('AWSAccount', 'payments-prod')), n),
    );
    expect(accountOf(obj('Contact', 'bob'))).toBe('');
    // 200 accounts spread over every shard.
    const counts = new Array(n).fill(0);
    for (let i = 0; i < 200; i++) counts[shardOf(`account-${i}`, n)]++;
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(homeShard('imo-controller-4', 3)).toBe(1);
  });

  it('three StatefulSet replicas each hold their home shard; a killed one’s shard is taken over once its Lease expires, by one replica', async () => {
    const clock = new FakeClock();
    const cluster = new Cluster();
    const log: string[] = [];
    const r = ['imo-0', 'imo-1', 'imo-2'].map((id) => replica(cluster, clock, id, 3, log));
    for (const x of r) x.leases.start();
    await run(clock, 40_000);
    expect(cluster.holders(3)).toEqual(['imo-0', 'imo-1', 'imo-2']);
    expect(r.map((x) => x.leases.held())).toEqual([[0], [1], [2]]);
    expect(r[0]!.leases.owns(obj('AWSAccount', 'x'))).toBe(shardOf('x', 3) === 0);

    r[2]!.kill();
    log.length = 0;
    await run(clock, 14_000); // within the 15 s Lease: nobody takes shard 2
    expect(cluster.holders(3)[2]).toBe('imo-2');
    await run(clock, 10_000);
    const takers = log.filter((l) => l.endsWith('+2'));
    expect(takers).toHaveLength(1);
    expect(['imo-0', 'imo-1']).toContain(cluster.holders(3)[2]);
    // The killed replica, unable to renew, gave its shard up on its side too.
    expect(log).toContain('imo-2 -2');
    expect(r[2]!.leases.held()).toEqual([]);
  });

  it('a replica whose event loop stalled past the renew deadline owns none of the shard’s objects and may call none of its accounts, before its timers run', async () => {
    const fake = new FakeClock();
    let stalled = 0;
    // Time moves on while no timer of this replica runs (its event loop is blocked).
    const clock = { now: () => fake.now() + stalled, setTimer: fake.setTimer.bind(fake) };
    const cluster = new Cluster();
    const log: string[] = [];
    const r = replica(cluster, clock as unknown as FakeClock, 'imo-0', 1, log);
    r.leases.start();
    await run(fake, 4_000);
    const contact = obj('Contact', 'alice', 'payments-prod');
    expect(r.leases.held()).toEqual([0]);
    expect(r.leases.owns(contact)).toBe(true);
    stalled = 8_000; // within the 10 s renew deadline of the last renewal (at most 2 s ago)
    expect(r.leases.owns(contact)).toBe(true);
    expect(r.leases.holdsAccount('payments-prod')).toBe(true); // the gate lets its calls out
    stalled = 11_000;
    expect(r.leases.held()).toEqual([0]); // its elector has not run yet
    expect(r.leases.owns(contact)).toBe(false);
    // The gate asks the same before each AWS attempt: a call already queued is not sent.
    expect(r.leases.holdsAccount('payments-prod')).toBe(false);
  });

  it('with fewer replicas than shards, an untaken shard is picked up after two Lease durations, within the fair share', async () => {
    const clock = new FakeClock();
    const cluster = new Cluster();
    const log: string[] = [];
    const r = ['imo-0', 'imo-1'].map((id) => replica(cluster, clock, id, 4, log));
    for (const x of r) x.leases.start();
    await run(clock, 20_000);
    expect(cluster.holders(4)).toEqual(['imo-0', 'imo-1', '', '']); // waiting for their home replicas
    await run(clock, 20_000);
    expect(r.map((x) => x.leases.held().length)).toEqual([2, 2]);
    expect(cluster.holders(4).every((h) => h !== '')).toBe(true);
  });

  it('a graceful stop releases every shard at once', async () => {
    const clock = new FakeClock();
    const cluster = new Cluster();
    const log: string[] = [];
    const a = replica(cluster, clock, 'imo-0', 2, log);
    const b = replica(cluster, clock, 'imo-1', 2, log);
    a.leases.start();
    b.leases.start();
    await run(clock, 5_000);
    await a.leases.stop();
    await run(clock, 3_000); // b's next retries, long before the Lease would expire
    expect(b.leases.held()).toEqual([0, 1]);
  });
});
