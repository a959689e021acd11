// Issue 17, reliability 4: two `imctl controller` replicas on one Lease; the leader is SIGKILLed
// mid-converge (it cannot release the Lease), the standby takes over once the Lease expires and
// finishes. The standby makes no AWS call before it leads, no AWS call is made while no one holds
// the Lease, and no resource is created twice (a create after the hand-over replays the same
// idempotency token).
import { describe, expect, it } from 'vitest';
import { fleet } from '../../bench/lib/fleet.ts';
import { isRead, metricSum, spawnController } from '../../bench/lib/world.ts';
import { awsMismatches, FAST, leakedSecrets, report, suiteSeed, worldPerFile } from './support.ts';

const seed = suiteSeed();
const file = worldPerFile(seed);

/** In-flight requests of the killed leader may still be logged just after the kill (a loopback round trip). */
const IN_FLIGHT_MS = 1_000;

describe('leader killed mid-converge', () => {
  it('the standby takes over, no AWS call while no one leads, no resource created twice', async () => {
    const world = file.world();
    const f = fleet({ objects: 100, accounts: 2, sharing: true, prefix: 'l' });
    const managed = [...f.replicationSets, ...f.objects];
    const args = ['--lease-name', 'reliability', ...FAST];
    const a = spawnController(world, [...args, '--identity', 'replica-a']);
    await a.waitLog('became leader');
    const b = spawnController(world, [...args, '--identity', 'replica-b']);
    await b.url();
    await world.create(f.base);
    await world.create(f.replicationSets);
    await world.create(f.objects);
    // Mid-converge: after 80 successful AWS writes.
    await new Promise<void>((resolve) => {
      let writes = 0;
      const off = world.onCall((c) => {
        if (isRead(c.operation) || c.outcome !== 'ok' || ++writes < 80) return;
        off();
        resolve();
      });
    });
    expect(metricSum(await b.metrics(), 'imctl_aws_calls_total')).toBe(0);
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exited;
    const led = await b.waitLog('became leader', 60_000);
    const ledAt = Number(led.rec.time);
    const orphanWindow = world
      .calls()
      .filter((c) => Date.parse(c.at) > killedAt + IN_FLIGHT_MS && Date.parse(c.at) < ledAt);
    expect(orphanWindow.map((c) => `${c.operation} at ${c.at}`)).toEqual([]);
    await world.tracker.allReady(managed, 300_000);
    expect(awsMismatches(world, f)).toEqual([]);
    // Every successful create of one resource carries one token: a second one would be a double write.
    const tokens = new Map<string, Set<string>>();
    for (const c of world.calls())
      if (c.operation.startsWith('Create') && c.outcome === 'ok') {
        const r = c.request as { Alias?: string; Name?: string; name?: string; ContactId?: string };
        const key = `${c.account} ${c.operation} ${r.Alias ?? r.Name ?? r.name ?? r.ContactId ?? ''}`;
        const set = tokens.get(key) ?? new Set<string>();
        set.add(c.token ?? `untokened #${c.seq}`);
        tokens.set(key, set);
      }
    const doubled = [...tokens].filter(([k, s]) => s.size > 1 && !k.includes(' CreateContactChannel '));
    expect(doubled.map(([k]) => k)).toEqual([]);
    expect(await leakedSecrets(world, [a, b])).toEqual([]);
    await b.kill();
    report(
      `leader (seed ${seed}): leader SIGKILLed after 80 writes of ${managed.length} objects; standby led ${((ledAt - killedAt) / 1000).toFixed(1)} s later (Lease 15 s); 0 AWS calls between; ${world.calls().length} AWS calls in all; one AWS resource per object`,
    );
  });
});
