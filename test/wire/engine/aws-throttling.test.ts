// Throttling without Retry-After against the AWS emulator: the gate halves its rate on each throttle,
// holds the lane for an exponential backoff with full jitter, and climbs back to the configured rate
// once AWS stops refusing. One fake clock drives the emulator's token buckets and the gate's timers,
// so what is asserted is counts of calls and throttles, never elapsed real time.
import { CreateContactCommand, GetContactCommand } from '@aws-sdk/client-ssm-contacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboard } from '../../../bench/engine.bench.ts';
import { AccountResolver } from '../../../src/aws/accounts.ts';
import { AwsGate, type GateTarget } from '../../../src/aws/gate.ts';
import { type RunningEmulator, startAwsEmulator } from '../../../src/emulators/aws/server.ts';
import { ClassifiedError } from '../../../src/engine/contract.ts';
import { FakeClock } from '../../unit/engine/fake-clock.ts';

let emu: RunningEmulator;
const clock = new FakeClock();
const saved = { ...process.env };

beforeAll(async () => {
  emu = await startAwsEmulator({ port: 0, transitionMs: 0, clock, seed: 3 });
  process.env.AWS_ENDPOINT_URL = emu.url;
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'us-east-1';
  await onboard(undefined);
});

afterAll(async () => {
  process.env = saved;
  await emu?.stop();
});

/** A seeded uniform draw (mulberry32), so the jitter replays. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Waits (real time, bounded) until no HTTP attempt is in flight and every caller has set its timer. */
async function settle(gate: AwsGate): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await tick();
    await tick();
    const running = Object.values(gate.depth()).reduce((n, d) => n + d.running, 0);
    if (running === 0) return;
    if (Date.now() > deadline) throw new Error('an AWS call did not finish');
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Runs the callers to completion, moving the fake clock to the next timer whenever all wait. */
async function drive(gate: AwsGate, work: Promise<unknown>): Promise<void> {
  let done = false;
  void work.finally(() => {
    done = true;
  });
  for (let i = 0; i < 100_000 && !done; i++) {
    await settle(gate);
    if (done) break;
    clock.advance(clock.nextIn() ?? 10);
  }
  await work;
}

/** A reader as the engine retries one: after a Throttled error, again once its retryAfterMs is over. */
async function readUntilOk(send: () => Promise<unknown>): Promise<void> {
  for (;;) {
    try {
      await send();
      return;
    } catch (e) {
      if (!(e instanceof ClassifiedError) || e.errorClass !== 'Throttled') throw e;
      await new Promise<void>((r) => clock.setTimer(r, e.retryAfterMs ?? 1_000));
    }
  }
}

const lane: GateTarget = { account: 'default', region: 'us-east-1', service: 'ssm-contacts' };
const READERS = 30;

/** READERS concurrent GetContact reads while AWS allows one per 2 s and says nothing about when to come back. */
async function storm(gate: AwsGate) {
  const accounts = new AccountResolver({
    gate,
    defaultRegion: 'us-east-1',
    clock,
    clientConfig: { maxAttempts: 1 },
  });
  const { contacts } = accounts.clients('default', undefined);
  emu.admin.setFaults({});
  const created = await contacts.send(
    new CreateContactCommand({ Alias: `throttled-${clock.now()}`, Type: 'PERSONAL', Plan: { Stages: [] } }),
  );
  const get = () => contacts.send(new GetContactCommand({ ContactId: created.ContactArn }));
  emu.admin.setFaults({ 'ssm-contacts:GetContact': { tps: 0.5, burst: 1 } });
  const before = emu.admin.calls({ operation: 'GetContact' }).length;
  await drive(gate, Promise.all(Array.from({ length: READERS }, () => readUntilOk(get))));
  const calls = emu.admin.calls({ operation: 'GetContact' }).slice(before);
  const throttled = calls.filter((c) => c.errorCode === 'ThrottlingException').length;
  return { get, answered: calls.length - throttled, throttled };
}

describe('throttling without Retry-After', () => {
  it('spreads the calls out under a 0.5 TPS limit, then recovers the configured rate', async () => {
    const gate = new AwsGate({ clock, random: seeded(7) });
    const { get, answered, throttled } = await storm(gate);
    // Each reader got its answer; AWS refused fewer calls than it answered (users saw 155 of 179).
    expect(answered).toBe(READERS);
    expect(throttled).toBeLessThan(READERS / 2);
    expect(gate.lane(lane)?.rate).toBeLessThan(1);

    // AWS stops refusing: the rate climbs back to the configured 5 calls/s without a throttle.
    emu.admin.setFaults({});
    const recovery = emu.admin.calls({ operation: 'GetContact' }).length;
    let reads = 0;
    while ((gate.lane(lane)?.rate ?? 0) < 5 && reads < 100) {
      await drive(gate, readUntilOk(get));
      reads++;
    }
    expect(gate.lane(lane)?.rate).toBe(5);
    expect(reads).toBeLessThanOrEqual(50);
    const after = emu.admin.calls({ operation: 'GetContact' }).slice(recovery);
    expect(after.filter((c) => c.errorCode).length).toBe(0);
  });

  it('a fixed one-second pause and a fixed rate (the gate before AIMD and backoff) are refused ten times as often', async () => {
    const adaptive = await storm(new AwsGate({ clock, random: seeded(7) }));
    const fixed = await storm(
      new AwsGate({
        clock,
        random: () => 0.9999,
        aimd: { decrease: 1 },
        throttlePauseMs: 1_000,
        maxPauseMs: 1_000,
      }),
    );
    expect(fixed.answered).toBe(READERS);
    expect(fixed.throttled).toBeGreaterThan(10 * adaptive.throttled);
  });
});
