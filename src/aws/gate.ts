// Every AWS call goes through the gate (house rule 4): one p-queue per account + region + service
// caps concurrent calls and calls per interval, records metrics by operation and outcome, and
// classifies SDK errors once into the engine's closed set.
import PQueue from 'p-queue';
import { Counter, Histogram, type Registry } from 'prom-client';
import { type Clock, systemClock } from '../engine/clock.ts';
import { ClassifiedError } from '../engine/contract.ts';

export type AwsService = 'ssm-contacts' | 'ssm-incidents' | 'ram' | 'sts';

export interface GateLimits {
  /** Calls in flight at once. */
  concurrency: number;
  /** Calls started per interval. */
  intervalCap: number;
  intervalMs: number;
}

/**
 * Defaults kept under the per-account API rate of these services (AWS publishes no per-operation
 * Incident Manager TPS in our sources; the SSM family's control-plane APIs throttle around 5–10 TPS).
 * Configurable per service with --aws-rate / --aws-concurrency.
 */
export const DEFAULT_LIMITS: Record<AwsService, GateLimits> = {
  'ssm-contacts': { concurrency: 5, intervalCap: 5, intervalMs: 1_000 },
  'ssm-incidents': { concurrency: 5, intervalCap: 5, intervalMs: 1_000 },
  ram: { concurrency: 3, intervalCap: 5, intervalMs: 1_000 },
  sts: { concurrency: 2, intervalCap: 5, intervalMs: 1_000 },
};

/** SDK client settings: few retries so the engine's backoff is the one that matters. */
export const SDK_RETRY_CONFIG = { maxAttempts: 2, retryMode: 'standard' } as const;

export interface GateTarget {
  account: string;
  region: string;
  service: AwsService;
}

export interface GateOptions {
  limits?: Partial<Record<AwsService, GateLimits>>;
  registry?: Registry;
  clock?: Clock;
  /** How long a throttled queue holds when AWS gives no Retry-After. Default 1 000 ms. */
  throttlePauseMs?: number;
}

export class AwsGate {
  readonly #queues = new Map<string, PQueue>();
  readonly #limits: Record<AwsService, GateLimits>;
  readonly #clock: Clock;
  readonly #throttlePauseMs: number;
  readonly #calls: Counter<'service' | 'operation' | 'outcome'> | undefined;
  readonly #duration: Histogram<'service' | 'operation'> | undefined;
  readonly #pausedUntil = new Map<string, number>();
  /** Per-account overrides from AWSAccount spec.limits. */
  readonly #accountLimits = new Map<string, { requestsPerSecond?: number; maxConcurrency?: number }>();

  constructor(opts: GateOptions = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.#clock = opts.clock ?? systemClock;
    this.#throttlePauseMs = opts.throttlePauseMs ?? 1_000;
    if (opts.registry) {
      this.#calls = new Counter({
        name: 'imctl_aws_calls_total',
        help: 'AWS API calls by service, operation and outcome (success or error class)',
        labelNames: ['service', 'operation', 'outcome'],
        registers: [opts.registry],
      });
      this.#duration = new Histogram({
        name: 'imctl_aws_call_duration_seconds',
        help: 'AWS API call duration, including time waiting in the gate',
        labelNames: ['service', 'operation'],
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [opts.registry],
      });
    }
  }

  #effective(t: GateTarget): GateLimits {
    const l = this.#limits[t.service];
    const a = this.#accountLimits.get(t.account);
    // An account's own limits can only lower the service defaults (they protect a shared quota).
    return {
      concurrency: Math.min(l.concurrency, a?.maxConcurrency ?? l.concurrency),
      intervalCap: Math.min(l.intervalCap, a?.requestsPerSecond ?? l.intervalCap),
      intervalMs: l.intervalMs,
    };
  }

  #queue(t: GateTarget): PQueue {
    const key = `${t.account}|${t.region}|${t.service}`;
    let q = this.#queues.get(key);
    if (!q) {
      const l = this.#effective(t);
      q = new PQueue({ concurrency: l.concurrency, intervalCap: l.intervalCap, interval: l.intervalMs });
      this.#queues.set(key, q);
    }
    return q;
  }

  /**
   * Applies an AWSAccount's spec.limits (calls per second, calls in flight) to its queues.
   * Concurrency changes apply at once; a new rate applies to queues created afterwards and, for
   * existing queues, once they are idle (p-queue fixes its interval cap at construction).
   */
  setAccountLimits(
    account: string,
    limits: { requestsPerSecond?: number; maxConcurrency?: number } | undefined,
  ): void {
    const prev = this.#accountLimits.get(account);
    if (
      prev?.requestsPerSecond === limits?.requestsPerSecond &&
      prev?.maxConcurrency === limits?.maxConcurrency
    )
      return;
    if (limits) this.#accountLimits.set(account, limits);
    else this.#accountLimits.delete(account);
    for (const [key, q] of this.#queues) {
      const [acct, region, service] = key.split('|') as [string, string, AwsService];
      if (acct !== account) continue;
      const l = this.#effective({ account: acct, region, service });
      if (q.size === 0 && q.pending === 0) this.#queues.delete(key);
      else q.concurrency = l.concurrency;
    }
  }

  /** Runs `fn` within the target's limits; throws a ClassifiedError on failure. */
  async call<T>(target: GateTarget, operation: string, fn: () => Promise<T>): Promise<T> {
    const q = this.#queue(target);
    const started = this.#clock.now();
    try {
      const result = (await q.add(fn)) as T;
      this.#calls?.inc({ service: target.service, operation, outcome: 'success' });
      return result;
    } catch (e) {
      const err = classify(e, operation, target.service);
      this.#calls?.inc({ service: target.service, operation, outcome: err.errorClass });
      if (err.errorClass === 'Throttled')
        this.#slowDown(target, q, err.retryAfterMs ?? this.#throttlePauseMs);
      throw err;
    } finally {
      this.#duration?.observe({ service: target.service, operation }, (this.#clock.now() - started) / 1000);
    }
  }

  /** AWS said "slow down": hold this account+region+service's queue for the advised time. */
  #slowDown(t: GateTarget, q: PQueue, ms: number): void {
    const key = `${t.account}|${t.region}|${t.service}`;
    const until = this.#clock.now() + ms;
    const paused = this.#pausedUntil.has(key);
    if ((this.#pausedUntil.get(key) ?? 0) >= until) return;
    this.#pausedUntil.set(key, until);
    if (paused) return; // the running resume timer picks up the later deadline
    q.pause();
    const resume = (): void => {
      const left = (this.#pausedUntil.get(key) ?? 0) - this.#clock.now();
      // Timers may fire a little early, and a later throttle may have extended the pause.
      if (left > 0) {
        this.#clock.setTimer(resume, left);
        return;
      }
      this.#pausedUntil.delete(key);
      q.start();
    };
    this.#clock.setTimer(resume, ms);
  }

  /** Calls waiting or running per queue (for /metrics and tests). */
  depth(): Record<string, { waiting: number; running: number }> {
    const out: Record<string, { waiting: number; running: number }> = {};
    for (const [k, q] of this.#queues) out[k] = { waiting: q.size, running: q.pending };
    return out;
  }
}

interface SdkErrorLike {
  name?: string;
  message?: string;
  Message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  $response?: { headers?: Record<string, string | undefined> };
  RetryAfterSeconds?: number;
  retryAfterSeconds?: number;
  QuotaCode?: string;
  quotaCode?: string;
  ServiceCode?: string;
  serviceCode?: string;
  DependentEntities?: Array<{ RelationType?: string; DependentResourceIds?: string[] }>;
  Fields?: Array<{ Name?: string; Message?: string }>;
}

const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'UnknownResourceException',
  'NotFoundException',
  'NoSuchEntity',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RateExceeded',
  'SlowDown',
]);
const ACCESS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
  'RegionDisabledException',
]);
const INVALID = new Set([
  'ValidationException',
  'InvalidParameterException',
  'InvalidParameterValue',
  'MalformedArnException',
  'InvalidResourceTypeException',
  'OperationNotPermittedException',
  'DataEncryptionException',
  'IdempotentParameterMismatchException',
  'IdempotentParameterMismatch',
]);
/**
 * Incident Manager refuses work until the account is onboarded (an ACTIVE replication set): the
 * emulator and ssm-incidents say so; ssm-contacts often answers an empty ValidationException
 * (terraform-provider-aws #33135). Not "the first Region of the replication set" (a real spec error).
 */
const NOT_ONBOARDED =
  /not onboarded|ACTIVE replication set|replication set is (?:not (?:yet )?active|CREATING|UPDATING|DELETING)|no replication set|replication set (?:was )?not found/i;
/** How soon a refusal for want of an ACTIVE replication set is retried when nothing wakes it earlier. */
export const NOT_ONBOARDED_RETRY_MS = 30_000;
/** Waits on any ReplicationSet becoming Ready (the engine wakes waiters of `<Kind>/*`). */
export const ANY_REPLICATION_SET = 'ReplicationSet/*';

const NETWORK =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|socket hang up|TimeoutError|AbortError/;

/** Maps any SDK (or network) error into the engine's closed set of error classes. */
export function classify(e: unknown, operation: string, service?: AwsService): ClassifiedError {
  if (e instanceof ClassifiedError) return e;
  const err = (e ?? {}) as SdkErrorLike;
  const name = err.name ?? err.code ?? '';
  const status = err.$metadata?.httpStatusCode;
  const aws = (err.message || err.Message || '').trim();
  const base = { cause: e, operation };
  const say = (m: string) => `${operation}: ${m}`;

  if (NOT_FOUND.has(name) || status === 404) return new ClassifiedError('NotFound', say(aws || name), base);
  if (THROTTLED.has(name) || status === 429 || err.$retryable?.throttling) {
    return new ClassifiedError('Throttled', say(aws || 'request rate exceeded'), {
      ...base,
      retryAfterMs: retryAfterMs(err),
    });
  }
  if (ACCESS.has(name) || status === 403) {
    return new ClassifiedError(
      'AccessDenied',
      say(
        `${aws || name || 'access denied'}. Grant the controller's role (or the AWSAccount's role) permission for ${operation}`,
      ),
      { ...base, rule: name || 'AccessDenied' },
    );
  }
  if (name === 'ServiceQuotaExceededException') {
    const q = err.QuotaCode ?? err.quotaCode;
    const s = err.ServiceCode ?? err.serviceCode;
    return new ClassifiedError(
      'InvalidSpec',
      say(
        `service quota exceeded${q ? ` (quota ${q}${s ? ` of ${s}` : ''})` : ''}: ${aws || 'raise the quota in Service Quotas or remove objects'}`,
      ),
      { ...base, rule: 'QuotaExceeded' },
    );
  }
  const validation = name === 'ValidationException' || name === 'ValidationError';
  const incidentManager = service === undefined || service === 'ssm-contacts' || service === 'ssm-incidents';
  if (validation && incidentManager && (NOT_ONBOARDED.test(aws) || (aws === '' && !err.Fields?.length))) {
    return new ClassifiedError(
      'DependencyNotReady',
      say(
        aws
          ? `${aws}. Waiting until Incident Manager is onboarded here: the account's replication set must be ACTIVE (a ReplicationSet object, or onboarding in the console)`
          : 'AWS refused the request with an empty ValidationException, which Incident Manager returns while the account is not onboarded (replication set not yet ACTIVE in this account and Region). Waiting for the replication set; if it is ACTIVE, the request itself is invalid',
      ),
      {
        ...base,
        rule: 'ReplicationSetNotReady',
        retryAfterMs: NOT_ONBOARDED_RETRY_MS,
        dependencies: [ANY_REPLICATION_SET],
      },
    );
  }
  if (INVALID.has(name) || (status === 400 && err.$fault === 'client' && !name.includes('Conflict'))) {
    const fields = err.Fields?.map((f) => `${f.Name}: ${f.Message}`).join('; ');
    const message = aws || fields || `AWS rejected the request (${name || 'HTTP 400'}) without a message`;
    return new ClassifiedError('InvalidSpec', say(fields && aws ? `${aws} (${fields})` : message), {
      ...base,
      rule: name || 'ValidationException',
    });
  }
  if (name === 'ConflictException') {
    const deps = err.DependentEntities?.flatMap((d) => d.DependentResourceIds ?? []) ?? [];
    return new ClassifiedError(
      'Transient',
      say(`${aws || 'conflicting change in AWS'}${deps.length ? `; still used by ${deps.join(', ')}` : ''}`),
      { ...base, rule: 'ConflictException' },
    );
  }
  if (
    (status !== undefined && status >= 500) ||
    err.$fault === 'server' ||
    NETWORK.test(`${name} ${err.code ?? ''} ${aws}`)
  ) {
    return new ClassifiedError('Transient', say(aws || name || `HTTP ${status}`), base);
  }
  return new ClassifiedError('Transient', say(aws || name || 'unexpected error'), base);
}

/** Retry-After header (seconds or HTTP date) or the ssm-contacts RetryAfterSeconds member. */
export function retryAfterMs(err: SdkErrorLike, nowMs = Date.now()): number | undefined {
  const secs = err.RetryAfterSeconds ?? err.retryAfterSeconds;
  if (typeof secs === 'number' && secs > 0) return secs * 1000;
  const headers = err.$response?.headers ?? {};
  const h = headers['retry-after'] ?? headers['Retry-After'];
  if (!h) return undefined;
  const n = Number(h);
  if (Number.isFinite(n) && n > 0) return n * 1000;
  const at = Date.parse(h);
  return Number.isFinite(at) && at > nowMs ? at - nowMs : undefined;
}
