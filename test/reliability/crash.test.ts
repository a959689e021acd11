// Issue 17, reliability 1 and 6: `imctl controller` killed with SIGKILL ten times during a cold
// converge of 200 objects, each time right after a seeded number of AWS writes (the emulator has
// answered, the controller may not have recorded it yet), then restarted. In the end every object
// is Ready and AWS holds exactly one resource per object: no duplicate, no orphan channel, rotation
// or RAM share. Activation codes reach the Secret as an engineer would put them there; every log line, Event
// and status is scanned for those codes and the secret key the run used.
import { describe, expect, it } from 'vitest';
import { fleet } from '../../bench/lib/fleet.ts';
import { type ControllerProcess, isRead, spawnController } from '../../bench/lib/world.ts';
import {
  awsMismatches,
  deliverActivationCodes,
  FAST,
  leakedSecrets,
  report,
  seeded,
  suiteSeed,
  worldPerFile,
} from './support.ts';

const seed = suiteSeed();
const file = worldPerFile(seed);

describe('SIGKILL during a cold converge', () => {
  it('ten kills at seeded points: every object Ready, one AWS resource each, nothing orphaned, no secret written', async () => {
    const world = file.world();
    const rnd = seeded(seed);
    const f = fleet({ objects: 200, accounts: 4, sharing: true, activationSecret: true, prefix: 'k' });
    const { codes, stop } = deliverActivationCodes(world, 'k-activation-codes');
    const managed = [...f.replicationSets, ...f.objects];
    await world.create(f.base);
    await world.create(f.secrets);
    await world.create(f.replicationSets);
    await world.create(f.objects);
    const procs: ControllerProcess[] = [];
    const killedAfter: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      const c = spawnController(world, ['--no-leader-elect', ...FAST]);
      procs.push(c);
      const writes = 1 + Math.floor(rnd() * 80);
      let seen = 0;
      // Killed inside the emulator's call log hook: the response of this write may not have left yet.
      const killed = new Promise<void>((resolve) => {
        const off = world.onCall((call) => {
          if (isRead(call.operation) || call.outcome !== 'ok' || ++seen < writes) return;
          off();
          c.child.kill('SIGKILL');
          resolve();
        });
        void c.exited.then(() => {
          off();
          resolve();
        });
      });
      await Promise.race([killed, world.tracker.allReady(managed, 300_000)]);
      c.child.kill('SIGKILL');
      await c.exited;
      killedAfter.push(seen);
      const left = world.tracker.notReady(managed).length;
      process.stdout.write(`kill ${i + 1}: after ${seen} writes, ${left} objects not Ready yet\n`);
    }
    const last = spawnController(world, ['--no-leader-elect', ...FAST]);
    procs.push(last);
    await world.tracker.allReady(managed, 300_000);
    const took = performance.now() - started;
    const calls = world.calls();
    expect(awsMismatches(world, f)).toEqual([]);
    expect(await leakedSecrets(world, procs, codes)).toEqual([]);
    stop();
    expect(codes.length).toBeGreaterThan(0);
    await last.kill();
    report(
      `crash (seed ${seed}): ${managed.length} objects Ready after 10 SIGKILLs (after ${killedAfter.join(', ')} writes) in ${(took / 1000).toFixed(1)} s; ${calls.length} AWS calls (${(calls.length / managed.length).toFixed(2)} per object), ${calls.filter((c) => !isRead(c.operation)).length} writes; one AWS resource per object; ${codes.length} activation codes delivered, none in any log line, Event or status`,
    );
  });
});
