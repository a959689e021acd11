// At most `n` reads in flight: the account's gate paces the AWS calls themselves; this only lets
// plan and import overlap the latency of reads that do not depend on each other.

/** Objects read at once by `imctl plan` and `imctl import`. */
export const READS_IN_FLIGHT = 8;

/** Runs at most `n` of the functions given to it at once; the others wait their turn, in order. */
export function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    // A finishing run hands its slot straight to the next waiter, so `active` never exceeds `n`.
    if (active >= n) await new Promise<void>((wake) => waiting.push(wake));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
