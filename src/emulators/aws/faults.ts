// Deliberate faults, per operation, decided by a seeded PRNG so a failing test replays:
// token-bucket throttling, a 5xx rate, added latency, and read-after-write lag.
import type { EmulatorClock } from './clock.ts';
import { Random } from './random.ts';

export interface OperationFaults {
  /** Token bucket refill rate (requests per second); undefined = unlimited. */
  tps?: number;
  /** Bucket size; defaults to tps. */
  burst?: number;
  /** Probability 0..1 of an InternalServerException (HTTP 500). */
  errorRate?: number;
  /** Milliseconds added before the handler runs. */
  latencyMs?: number;
  /** Read-after-write lag: resources written less than this many ms ago are not yet visible to reads. */
  staleReadMs?: number;
}

/** Keys: `service:Operation` (e.g. `ssm-incidents:CreateResponsePlan`), `service:*` or `*`. */
export type FaultConfig = Record<string, OperationFaults>;

/**
 * Per-account request rates applied when the emulator starts with `throttle: true` (CLI `--throttle`).
 * AWS does not publish Incident Manager's API rates; these are assumptions (FIDELITY.md).
 */
export const DEFAULT_TPS: Record<string, number> = {
  'ssm-contacts:*': 5,
  'ssm-incidents:*': 5,
  'ram:*': 5,
  'sts:*': 600,
};

/** The fault config for `throttle: true`: DEFAULT_TPS as token buckets, overridden by `extra`. */
export function withDefaultThrottling(extra: FaultConfig): FaultConfig {
  const out: FaultConfig = {};
  for (const [k, tps] of Object.entries(DEFAULT_TPS)) out[k] = { tps };
  for (const [k, f] of Object.entries(extra)) out[k] = { ...out[k], ...f };
  return out;
}

export class Faults {
  private config: FaultConfig;
  private random: Random;
  private readonly seed: number;
  private readonly clock: EmulatorClock;
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(clock: EmulatorClock, config: FaultConfig = {}, seed = 1) {
    this.clock = clock;
    this.config = { ...config };
    this.seed = seed;
    this.random = new Random(seed ^ 0x5eed);
  }

  set(config: FaultConfig): void {
    this.config = { ...config };
    this.buckets.clear();
  }

  get(): FaultConfig {
    return { ...this.config };
  }

  reset(): void {
    this.config = {};
    this.buckets.clear();
    this.random = new Random(this.seed ^ 0x5eed);
  }

  for(service: string, operation: string): OperationFaults {
    return {
      ...this.config['*'],
      ...this.config[`${service}:*`],
      ...this.config[`${service}:${operation}`],
    };
  }

  /** Takes a token; false = throttled. Buckets are per account and operation, like AWS's per-account quotas. */
  take(service: string, operation: string, account: string): boolean {
    const f = this.for(service, operation);
    if (f.tps === undefined) return true;
    const burst = f.burst ?? Math.max(1, f.tps);
    const key = `${service}:${operation}:${account}`;
    const now = this.clock.now();
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * f.tps);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  injectServerError(service: string, operation: string): boolean {
    const rate = this.for(service, operation).errorRate ?? 0;
    return rate > 0 && this.random.next() < rate;
  }

  /** True when a resource written at `writtenAt` is still invisible to `operation` (read-after-write lag). */
  hidden(service: string, operation: string, writtenAt: number): boolean {
    const lag = this.for(service, operation).staleReadMs ?? 0;
    return lag > 0 && this.clock.now() - writtenAt < lag;
  }
}
