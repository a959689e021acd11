// plan and import overlap their reads, never more than the limit at once, each result to its caller.
import { describe, expect, it } from 'vitest';
import { limiter } from '../../../src/plan/limit.ts';

describe('limiter', () => {
  it('runs at most n at once, starts the others in order as slots free, and passes results and errors through', async () => {
    const limit = limiter(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => {
      let resolve = () => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      return { promise, resolve };
    });
    const runs = gates.map((g, i) =>
      limit(async () => {
        started.push(i);
        active++;
        peak = Math.max(peak, active);
        await g.promise;
        active--;
        if (i === 3) throw new Error('read failed');
        return i * 10;
      }),
    );
    // Release them out of order: each freed slot goes to the next one waiting.
    for (const i of [1, 0, 2, 4, 3]) {
      gates[i]?.resolve();
      await Promise.resolve();
    }
    const results = await Promise.allSettled(runs);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      0,
      10,
      20,
      'read failed',
      40,
    ]);
  });
});
