// A keyed work queue with client-go semantics (ARCHITECTURE.md, "Engine rules"): a key is queued at
// most once, never processed by two workers at once, re-queued once if it was added while in flight;
// addAfter keeps the earliest deadline; addRateLimited waits max(per-key exponential backoff with
// jitter, global token bucket). Time comes from an injected Clock. Three lanes, each served only when
// the ones before it are empty: `first`, polls of work in progress (a create or update to confirm),
// so with thousands of new objects queued a write is confirmed soon after it, not after the whole
// backlog; `high`, new and edited objects; `low`, the re-check of an object that was already settled
// when this process first saw it, so after a leader change new and edited objects do not queue
// behind the re-check of hundreds of unchanged ones. Adding a queued key at a better priority moves it.
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

/**
 * `first`: a poll of work in progress (a write to confirm, AWS still working), served before
 * anything else so what was started finishes before more is started; `high`: new and edited
 * objects; `low`: the re-check of an object that was settled when this process first saw it.
 */
export type Priority = 'first' | 'high' | 'low';
const RANK: Record<Priority, number> = { first: 0, high: 1, low: 2 };

export class WorkQueue {
  readonly #clock: Clock;
  readonly #base: number;
  readonly #max: number;
  readonly #jitter: number;
  readonly #qps: number;
  readonly #burst: number;
  readonly #random: () => number;

  /**
   * One FIFO per priority. A key moved to a better lane leaves a stale entry behind, skipped when
   * it comes up (so a move costs O(1) however deep the queue, where a search would cost O(n)).
   */
  readonly #lanes: string[][] = [[], [], []];
  /** Valid entries per lane: the depth. */
  readonly #counts = [0, 0, 0];
  /** Keys waiting to be processed (queued, or re-queued once their reconcile ends) → lane. */
  readonly #dirty = new Map<string, number>();
  readonly #processing = new Set<string>();
  /** Keys waiting for a delay → their deadline; one clock timer serves them all (#due, #arm). */
  readonly #waiting = new Map<string, { at: number; priority: Priority }>();
  /**
   * Min-heap of deadlines by (at, seq). A timer per key cost ~300 bytes (Node's Timeout and, as the
   * delays differ by jitter, a timer list of its own) at every settled object's resync. An entry
   * whose key was rescheduled earlier is stale: skipped when it comes up.
   */
  readonly #due: DueEntry[] = [];
  #seq = 0;
  #timer: { at: number; handle: TimerHandle } | undefined;
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
   * A key already queued at a lower priority moves up to this one.
   */
  add(key: string, priority: Priority = 'high'): void {
    if (this.#shuttingDown) return;
    const rank = RANK[priority];
    const current = this.#dirty.get(key);
    if (current !== undefined) {
      if (rank >= current) return;
      this.#dirty.set(key, rank);
      if (!this.#processing.has(key)) this.#enqueue(key, rank, current);
      return;
    }
    this.#dirty.set(key, rank);
    if (this.#processing.has(key)) return;
    const getter = this.#getters.shift();
    if (getter) getter(key);
    else this.#enqueue(key, rank);
  }

  #enqueue(key: string, rank: number, leaving?: number): void {
    if (leaving !== undefined) this.#counts[leaving] = (this.#counts[leaving] ?? 0) - 1;
    this.#lanes[rank]?.push(key);
    this.#counts[rank] = (this.#counts[rank] ?? 0) + 1;
  }

  /** The next valid entry, best lane first; stale entries are dropped on the way. */
  #next(): string | undefined {
    for (let rank = 0; rank < this.#lanes.length; rank++) {
      const lane = this.#lanes[rank] as string[];
      while (lane.length > 0) {
        const key = lane.shift() as string;
        if (this.#dirty.get(key) !== rank || this.#processing.has(key)) continue;
        this.#counts[rank] = (this.#counts[rank] ?? 0) - 1;
        return key;
      }
    }
    return undefined;
  }

  /** Adds `key` after `delayMs`; an earlier pending deadline for the same key wins. */
  addAfter(key: string, delayMs: number, priority: Priority = 'high'): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key, priority);
      return;
    }
    const at = this.#clock.now() + delayMs;
    const existing = this.#waiting.get(key);
    if (existing && existing.at <= at) {
      if (RANK[priority] < RANK[existing.priority]) existing.priority = priority;
      return;
    }
    this.#waiting.set(key, {
      at,
      priority: existing && RANK[existing.priority] < RANK[priority] ? existing.priority : priority,
    });
    heapPush(this.#due, { at, seq: this.#seq++, key });
    this.#arm();
  }

  /** Keeps the one clock timer set for the earliest deadline. */
  #arm(): void {
    const first = this.#due[0];
    if (this.#timer && (!first || this.#timer.at > first.at)) {
      this.#timer.handle.cancel();
      this.#timer = undefined;
    }
    if (!first || this.#timer) return;
    const now = this.#clock.now();
    this.#timer = { at: first.at, handle: this.#clock.setTimer(() => this.#fire(), first.at - now) };
  }

  /** Adds every key whose deadline has come, in deadline order, then sets the timer for the rest. */
  #fire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (let e = this.#due[0]; e && e.at <= now; e = this.#due[0]) {
      heapPop(this.#due);
      const w = this.#waiting.get(e.key);
      if (w?.at !== e.at) continue;
      this.#waiting.delete(e.key);
      this.add(e.key, w.priority);
    }
    if (!this.#shuttingDown) this.#arm();
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
    const key = this.#next();
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
    this.#processing.add(key);
  }

  /** Marks `key` finished; if it was added meanwhile it is queued again. */
  done(key: string): void {
    this.#processing.delete(key);
    const rank = this.#dirty.get(key);
    if (rank !== undefined && !this.#shuttingDown) {
      const getter = this.#getters.shift();
      if (getter) getter(key);
      else this.#enqueue(key, rank);
    }
    if (this.#processing.size === 0) for (const d of this.#drainers.splice(0)) d();
  }

  /** Keys ready to be processed (queue depth metric). */
  len(): number {
    return this.#counts.reduce((a, b) => a + b, 0);
  }

  /** Of those, the low-priority re-checks. */
  lenLow(): number {
    return this.#counts[RANK.low] ?? 0;
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
    this.#timer?.handle.cancel();
    this.#timer = undefined;
    this.#waiting.clear();
    this.#due.length = 0;
    for (const lane of this.#lanes) lane.length = 0;
    this.#counts.fill(0);
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

type DueEntry = { at: number; seq: number; key: string };
const before = (a: DueEntry, b: DueEntry) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

function heapPush(h: DueEntry[], e: DueEntry): void {
  let i = h.push(e) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(e, h[parent] as DueEntry)) break;
    h[i] = h[parent] as DueEntry;
    i = parent;
  }
  h[i] = e;
}

function heapPop(h: DueEntry[]): void {
  const last = h.pop();
  if (!last || h.length === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= h.length) break;
    const r = l + 1;
    const c = r < h.length && before(h[r] as DueEntry, h[l] as DueEntry) ? r : l;
    if (!before(h[c] as DueEntry, last)) break;
    h[i] = h[c] as DueEntry;
    i = c;
  }
  h[i] = last;
}
