// The gate's pacing math, pure and clock-driven so it is tested on a fake clock: a token bucket whose
// rate adapts to throttling (AIMD: halve on a throttle, add a little per success, never above the
// configured ceiling), and exponential backoff with full jitter for throttles AWS gives no hint for.

export interface AimdOptions {
  /** Factor applied to the rate on a throttle. Default 0.5. */
  decrease?: number;
  /** Calls/s added per successful call, as a fraction of the ceiling. Default 1/50. */
  increaseFraction?: number;
  /** Lowest rate, as a fraction of the ceiling. Default 1/50 (0.1/s under a 5/s ceiling). */
  floorFraction?: number;
}

/**
 * A token bucket of `burst` calls refilled at an adaptive rate. `ceiling` and `burst` may change at any
 * time (an AWSAccount's limits); the current rate is clipped to the new ceiling at once.
 */
export class AdaptiveBucket {
  #ceiling: number;
  #burst: number;
  #rate: number;
  #tokens: number;
  #at: number;
  readonly #o: Required<AimdOptions>;

  constructor(ceiling: number, burst: number, now: number, opts: AimdOptions = {}) {
    this.#o = { decrease: 0.5, increaseFraction: 1 / 50, floorFraction: 1 / 50, ...opts };
    this.#ceiling = ceiling;
    this.#burst = burst;
    this.#rate = ceiling;
    this.#tokens = burst;
    this.#at = now;
  }

  /** Calls per second allowed now. */
  get rate(): number {
    return this.#rate;
  }

  get ceiling(): number {
    return this.#ceiling;
  }

  setLimits(ceiling: number, burst: number, now: number): void {
    this.#refill(now);
    const wasAtCeiling = this.#rate >= this.#ceiling;
    this.#ceiling = ceiling;
    this.#burst = burst;
    // A raised limit is used at once unless AWS is pushing back; a lowered one always at once.
    this.#rate = wasAtCeiling ? ceiling : Math.min(this.#rate, ceiling);
    this.#tokens = Math.min(this.#tokens, this.#capacity());
  }

  /** Burst capacity shrinks with the rate, so a throttled lane does not burst when it resumes. */
  #capacity(): number {
    return Math.max(1, Math.min(this.#burst, this.#rate));
  }

  #refill(now: number): void {
    if (now > this.#at) {
      this.#tokens = Math.min(this.#capacity(), this.#tokens + ((now - this.#at) / 1000) * this.#rate);
      this.#at = now;
    }
  }

  /** Takes a token if there is one; otherwise says how long until there is. */
  take(now: number): { ok: true } | { ok: false; waitMs: number } {
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    return { ok: false, waitMs: Math.ceil(((1 - this.#tokens) / this.#rate) * 1000) };
  }

  /** Additive increase. */
  success(): void {
    this.#rate = Math.min(this.#ceiling, this.#rate + this.#ceiling * this.#o.increaseFraction);
  }

  /** Multiplicative decrease; the bucket is emptied so the next call waits a full interval. */
  throttled(now: number): void {
    this.#refill(now);
    this.#rate = Math.max(this.#ceiling * this.#o.floorFraction, this.#rate * this.#o.decrease);
    this.#tokens = Math.min(this.#tokens, 0);
  }
}

export interface BackoffOptions {
  /** First delay ceiling. Default 1 s. */
  baseMs?: number;
  /** Largest delay. Default 60 s. */
  capMs?: number;
}

/**
 * Exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog):
 * a uniform draw in [0, min(cap, base·2^(n−1))] for the n-th consecutive throttle, so callers that
 * were throttled together do not come back together.
 */
export function fullJitterMs(attempt: number, random: () => number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 1_000;
  const cap = opts.capMs ?? 60_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
