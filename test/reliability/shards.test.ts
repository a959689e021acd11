// Issue 17, scale-out: three `imctl controller --shards 3` replicas (StatefulSet-style identities)
// split a fleet of several accounts by account; one replica is SIGKILLed mid-converge and another
// takes its shard over once the shard Lease expires. Proof from the AWS emulator's call log (each
// replica signs with the credentials of its own AssumeRole): every account is written by one
// replica at a time — the killed one's writes all precede its successor's — nothing is created
// twice, and every object ends Ready with one AWS resource.
import { describe, expect, it } from 'vitest';
import { fleet } from '../../bench/lib/fleet.ts';
import { isRead, spawnController } from '../../bench/lib/world.ts';
import { shardOf } from '../../src/engine/shards.ts';
import { awsMismatches, FAST, leakedSecrets, report, suiteSeed, worldPerFile } from './support.ts';

const seed = suiteSeed();
const file = worldPerFile(seed);

/** In-flight requests of the killed replica may still be logged just after the kill (a loopback round trip). */
const IN_FLIGHT_MS = 1_000;

describe('shards across three replicas', () => {
  it('a killed replica’s shard is taken over; no account is written by two replicas at once; nothing created twice', async () => {
    const world = file.world();
    const f = fleet({ objects: 120, accounts: 6, sharing: false, prefix: 's' });
    const managed = [...f.replicationSets, ...f.objects];
    const args = ['--lease-name', 'shards', '--shards', '3', ...FAST];
    const replicas = ['imo-0', 'imo-1', 'imo-2'].map((id) =>
      spawnController(world, [...args, '--identity', id]),
    );
    for (const r of replicas) await r.waitLog('took shard');
    await world.create(f.base);
    await world.create(f.replicationSets);
    await world.create(f.objects);

    // Mid-converge: after 60 successful AWS writes, kill the replica that made the last one.
    const victimKey = await new Promise<string>((resolve) => {
      let writes = 0;
      const off = world.onCall((c) => {
        if (isRead(c.operation) || c.outcome !== 'ok' || ++writes < 60 || !c.accessKeyId) return;
        off();
        resolve(c.accessKeyId);
      });
    });
    const victimAccount = world.calls().find((c) => c.accessKeyId === victimKey)?.account;
    const awsAccount = f.base.find(
      (o) => o.kind === 'AWSAccount' && (o.spec as { accountId?: string }).accountId === victimAccount,
    )?.metadata.name;
    expect(awsAccount).toBeDefined();
    const shard = shardOf(awsAccount as string, 3);
    // The replica that took that shard says so in its log.
    const tookShard = (r: (typeof replicas)[number], s: number) =>
      r.records.some((x) => x.rec.msg === 'took shard' && x.rec.shard === s);
    const victimIndex = replicas.findIndex((r) => tookShard(r, shard));
    expect(victimIndex).toBeGreaterThanOrEqual(0);
    const victim = replicas[victimIndex] as (typeof replicas)[number];
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    const survivors = replicas.filter((_, i) => i !== victimIndex);
    // Converging needs the victim's shard: a survivor took it over.
    await world.tracker.allReady(managed, 300_000);
    expect(survivors.filter((r) => tookShard(r, shard))).toHaveLength(1);

    // Per account: the keys that wrote, in order; a key's writes never interleave with another's.
    const writers = new Map<string, Array<{ key: string; at: number }>>();
    for (const c of world.calls())
      if (!isRead(c.operation) && c.accessKeyId?.startsWith('ASIA')) {
        const list = writers.get(c.account) ?? [];
        list.push({ key: c.accessKeyId, at: Date.parse(c.at) });
        writers.set(c.account, list);
      }
    const interleaved: string[] = [];
    for (const [account, list] of writers) {
      const order = list.map((w) => w.key).filter((k, i, a) => i === 0 || a[i - 1] !== k);
      if (new Set(order).size !== order.length) interleaved.push(`${account}: ${order.join(' → ')}`);
    }
    expect(interleaved).toEqual([]);
    // The killed replica wrote nothing after its kill (beyond requests already in flight).
    const late = world
      .calls()
      .filter(
        (c) =>
          c.accessKeyId === victimKey && !isRead(c.operation) && Date.parse(c.at) > killedAt + IN_FLIGHT_MS,
      );
    expect(late).toEqual([]);
    expect(awsMismatches(world, f)).toEqual([]);
    expect(await leakedSecrets(world, replicas)).toEqual([]);
    for (const r of survivors) await r.kill();
    report(
      `shards (seed ${seed}): 3 replicas, --shards 3, ${managed.length} objects in 6 accounts; replica ${victimIndex} SIGKILLed after 60 writes; its shard taken over; ${world.calls().length} AWS calls; no account written by two replicas at once`,
    );
  });
});
