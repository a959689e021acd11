// The gate's pacing math on a fake clock: the adaptive token bucket (AIMD) and full-jitter backoff.
import { describe, expect, it } from 'vitest';
import { AdaptiveBucket, fullJitterMs } from '../../../src/aws/rate.ts';
import { FakeClock } from '../engine/fake-clock.ts';

/** Calls the bucket lets start within `ms`, taking a token whenever one is there. */
function startsWithin(bucket: AdaptiveBucket, clock: FakeClock, ms: number, stepMs = 10): number {
  let n = 0;
  for (let t = 0; ; t += stepMs) {
    while (bucket.take(clock.now()).ok) n++;
    if (t + stepMs > ms) return n;
    clock.advance(stepMs);
  }
}

describe('AdaptiveBucket', () => {
  it('allows a burst, then the configured rate', () => {
    const clock = new FakeClock();
    const b = new AdaptiveBucket(5, 5, clock.now());
    expect(startsWithin(b, clock, 0)).toBe(5); // the burst
    expect(b.take(clock.now())).toEqual({ ok: false, waitMs: 200 });
    clock.advance(200);
    expect(startsWithin(b, clock, 9_990)).toBe(50); // 5/s for 10 s
  });

  it('halves the rate on each throttle, down to the floor, and empties the bucket', () => {
    const clock = new FakeClock();
    const b = new AdaptiveBucket(5, 5, clock.now());
    b.throttled(clock.now());
    expect(b.rate).toBe(2.5);
    expect(b.take(clock.now()).ok).toBe(false); // no burst right after a throttle
    for (let i = 0; i < 20; i++) b.throttled(clock.now());
    expect(b.rate).toBe(0.1); // ceiling / 50
    expect(b.take(clock.now())).toEqual({ ok: false, waitMs: 10_000 });
  });

  it('adds ceiling/50 per success, back to the ceiling and never above it', () => {
    const clock = new FakeClock();
    const b = new AdaptiveBucket(5, 5, clock.now());
    b.throttled(clock.now()); // 2.5
    for (let i = 0; i < 24; i++) b.success();
    expect(b.rate).toBeCloseTo(4.9, 9);
    b.success();
    b.success();
    expect(b.rate).toBe(5);
  });

  it('a new limit applies at once: lowered always, raised unless AWS is pushing back', () => {
    const clock = new FakeClock();
    const b = new AdaptiveBucket(5, 5, clock.now());
    b.setLimits(1, 1, clock.now());
    expect(b.rate).toBe(1);
    expect(startsWithin(b, clock, 0)).toBe(1);
    b.setLimits(10, 10, clock.now());
    expect(b.rate).toBe(10);
    b.throttled(clock.now()); // 5
    b.setLimits(20, 20, clock.now());
    expect(b.rate).toBe(5); // still backing off; successes climb to the new ceiling
    expect(b.ceiling).toBe(20);
  });
});

describe('fullJitterMs', () => {
  it('draws uniformly below base·2^(n−1), capped', () => {
    expect(fullJitterMs(1, () => 0.5)).toBe(500);
    expect(fullJitterMs(3, () => 0.5)).toBe(2_000);
    expect(fullJitterMs(3, () => 0)).toBe(0);
    expect(fullJitterMs(20, () => 0.999_999)).toBe(59_999);
    expect(fullJitterMs(2, () => 0.5, { baseMs: 100, capMs: 150 })).toBe(75);
  });

  it('spreads callers throttled together', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const delays = Array.from({ length: 100 }, () => fullJitterMs(4, random));
    expect(Math.min(...delays)).toBeLessThan(1_000);
    expect(Math.max(...delays)).toBeGreaterThan(7_000);
    expect(new Set(delays).size).toBeGreaterThan(90);
  });
});
