// A keyed work queue with client-go semantics (ARCHITECTURE.md, "Engine rules"): a key is queued at
// most once, never processed by two workers at once, re-queued once if it was added while in flight;
// addAfter keeps the earliest deadline; addRateLimited waits max(per-key exponential backoff with
// jitter, global token bucket). Time comes from an injected Clock. Two lanes: a key added `low` (the
// re-check of an object that was already settled when this process first saw it) is handed out only
// when no `high` key waits, so after a leader change new and edited objects do not queue behind the
// re-check of hundreds of unchanged ones; adding a queued low key as high promotes it.
import type { Clock, TimerHandle } from './clock.ts';

export interface WorkQueueOptions {
  clock: Clock;
  /** First per-key retry delay (ms). Default 1 000. */
  baseDelayMs?: number;
  /** Cap of the per-key delay (ms). Default 300 000 (5 min). */
  maxDelayMs?: number;
  /** Fraction of random extra delay added to each per-key backoff, 0..1. Default 0.2. */
  jitter?: number;
  /** Global token bucket: sustained retries per second and burst. Defaults 10 and 100. */
  qps?: number;
  burst?: number;
  /** Random source in [0,1) for jitter; injectable for deterministic tests. */
  random?: () => number;
}

export class WorkQueue {
  readonly #clock: Clock;
  readonly #base: number;
  readonly #max: number;
  readonly #jitter: number;
  readonly #qps: number;
  readonly #burst: number;
  readonly #random: () => number;

  readonly #queue: string[] = [];
  /** Settled objects to re-check: served only when #queue is empty. */
  readonly #low: string[] = [];
  /** Keys dirty at low priority only (a high add moves them to #queue). */
  readonly #dirtyLow = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #waiting = new Map<string, { at: number; timer: TimerHandle }>();
  readonly #failures = new Map<string, number>();
  readonly #getters: Array<(key: string | undefined) => void> = [];
  readonly #drainers: Array<() => void> = [];
  #tokens: number;
  #tokensAt: number;
  #shuttingDown = false;

  constructor(opts: WorkQueueOptions) {
    this.#clock = opts.clock;
    this.#base = opts.baseDelayMs ?? 1_000;
    this.#max = opts.maxDelayMs ?? 300_000;
    this.#jitter = opts.jitter ?? 0.2;
    this.#qps = opts.qps ?? 10;
    this.#burst = opts.burst ?? 100;
    this.#random = opts.random ?? Math.random;
    this.#tokens = this.#burst;
    this.#tokensAt = this.#clock.now();
  }

  /**
   * Queues `key` unless it is already queued; a key in flight is marked dirty and re-queued on done().
   * `low`: only a re-check of something believed settled; it waits behind every high key.
   */
  add(key: string, priority: 'high' | 'low' = 'high'): void {
    if (this.#shuttingDown) return;
    if (this.#dirty.has(key)) {
      if (priority === 'high' && this.#dirtyLow.delete(key)) this.#promote(key);
      return;
    }
    this.#dirty.add(key);
    if (priority === 'low') this.#dirtyLow.add(key);
    if (this.#processing.has(key)) return;
    const getter = this.#getters.shift();
    if (getter) getter(key);
    else (priority === 'low' ? this.#low : this.#queue).push(key);
  }

  #promote(key: string): void {
    const i = this.#low.indexOf(key);
    if (i < 0) return; // in flight: re-queued on done(), now at high priority
    this.#low.splice(i, 1);
    this.#queue.push(key);
  }

  /** Adds `key` after `delayMs`; an earlier pending deadline for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + delayMs;
    const existing = this.#waiting.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.#clock.setTimer(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.#waiting.set(key, { at, timer });
  }

  /** Adds `key` after its backoff delay (which also counts one more failure). Returns the delay. */
  addRateLimited(key: string, minDelayMs = 0): number {
    const delay = Math.max(this.when(key), minDelayMs);
    this.addAfter(key, delay);
    return delay;
  }

  /**
   * The next delay for `key`: max(per-key exponential with jitter, global bucket). Records one failure.
   */
  when(key: string): number {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    const exp = Math.min(this.#max, this.#base * 2 ** Math.min(n, 40));
    const perKey = Math.min(this.#max, Math.round(exp * (1 + this.#jitter * this.#random())));
    return Math.max(perKey, this.#bucketDelay());
  }

  #bucketDelay(): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#tokensAt) / 1000) * this.#qps);
    this.#tokensAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#qps) * 1000);
  }

  /** Clears the failure count of `key` (after a success). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Next key to process, waiting if the queue is empty; undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#queue.shift() ?? this.#low.shift();
    if (key !== undefined) {
      this.#take(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => {
      this.#getters.push((k) => {
        if (k !== undefined) this.#take(k);
        resolve(k);
      });
    });
  }

  #take(key: string): void {
    this.#dirty.delete(key);
    this.#dirtyLow.delete(key);
    this.#processing.add(key);
  }

  /** Marks `key` finished; if it was added meanwhile it is queued again. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key) && !this.#shuttingDown) {
      const getter = this.#getters.shift();
      if (getter) getter(key);
      else (this.#dirtyLow.has(key) ? this.#low : this.#queue).push(key);
    }
    if (this.#processing.size === 0) for (const d of this.#drainers.splice(0)) d();
  }

  /** Keys ready to be processed (queue depth metric). */
  len(): number {
    return this.#queue.length + this.#low.length;
  }

  /** Of those, the low-priority re-checks. */
  lenLow(): number {
    return this.#low.length;
  }

  /** Keys waiting for a delay to pass. */
  delayed(): number {
    return this.#waiting.size;
  }

  inFlight(): number {
    return this.#processing.size;
  }

  isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Stops handing out keys, cancels delayed adds, and resolves when in-flight keys are done. */
  shutdown(): Promise<void> {
    this.#shuttingDown = true;
    for (const w of this.#waiting.values()) w.timer.cancel();
    this.#waiting.clear();
    this.#queue.length = 0;
    this.#low.length = 0;
    this.#dirtyLow.clear();
    for (const g of this.#getters.splice(0)) g(undefined);
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainers.push(resolve));
  }
}

/**
 * Runs `workers` loops taking keys from `queue` and calling `handle`; never one key twice at once.
 * Resolves when the queue shuts down and every loop has finished its current key.
 */
export async function runWorkers(
  queue: WorkQueue,
  workers: number,
  handle: (key: string) => Promise<void>,
): Promise<void> {
  const loop = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await handle(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, loop));
}
