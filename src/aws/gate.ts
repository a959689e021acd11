// Every AWS call goes through the gate (house rule 4). It is SDK middleware on every client the
// account layer builds (attach), so kind code sends commands and uses the SDK's paginators directly.
// Per account + Region + service (a lane): calls in flight, and a token bucket whose rate adapts to
// throttling (AIMD); a throttle without Retry-After pauses the lane for an exponential backoff with
// full jitter. Each HTTP attempt (the SDK's own retries included) passes the lane; the whole call is
// counted by operation and outcome, and its error is classified once into the engine's closed set.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type Clock, systemClock, type TimerHandle } from '../engine/clock.ts';
import { ClassifiedError } from '../engine/contract.ts';
import { AdaptiveBucket, type AimdOptions, fullJitterMs } from './rate.ts';

export type AwsService = 'ssm-contacts' | 'ssm-incidents' | 'ram' | 'sts' | 'secretsmanager' | 'kms' | 'ssm';

export interface GateLimits {
  /** Calls in flight at once. */
  concurrency: number;
  /** Calls started per interval (the bucket's size and, per interval, its refill). */
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
  // Read only by the PagerDuty preflight (a few calls per plan write), far below their quotas.
  secretsmanager: { concurrency: 2, intervalCap: 5, intervalMs: 1_000 },
  kms: { concurrency: 2, intervalCap: 5, intervalMs: 1_000 },
  // DescribeDocument of a plan's runbook, once per document version and process.
  ssm: { concurrency: 2, intervalCap: 5, intervalMs: 1_000 },
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
  /** Uniform [0, 1) draw for the backoff jitter. */
  random?: () => number;
  /** Base of the backoff when AWS gives no Retry-After (the first throttle waits up to this). Default 1 000 ms. */
  throttlePauseMs?: number;
  /** Longest backoff. Default 60 s. */
  maxPauseMs?: number;
  aimd?: AimdOptions;
  /**
   * Asked right before each attempt is sent: why this process may not call this account now (with
   * leader election or sharding: its hold on the Lease lapsed, so another replica may be writing),
   * or undefined to send. A refused attempt never leaves the process; it fails as a Conflict, which
   * the engine requeues silently (the replica that holds the account visits the object).
   */
  admit?: (target: GateTarget) => string | undefined;
}

interface Lane {
  target: GateTarget;
  bucket: AdaptiveBucket;
  concurrency: number;
  running: number;
  waiting: Array<() => void>;
  pausedUntil: number;
  /** Consecutive throttles (the backoff's exponent); a success resets it. */
  throttles: number;
  timer: TimerHandle | undefined;
}

/** The part of an SDK v3 client the gate needs: its middleware stack. */
export interface GatedClient {
  middlewareStack: object;
}

/** The two methods of @smithy/middleware-stack used here (typed loosely: one stack type per client). */
interface StackLike {
  add(mw: unknown, opts: Record<string, unknown>): void;
  addRelativeTo(mw: unknown, opts: Record<string, unknown>): void;
}

export interface AttachOptions {
  /**
   * Called when AWS says the session token expired: fetch new credentials (assume the role again).
   * The call is then sent once more with them.
   */
  refreshCredentials?: () => Promise<unknown>;
}

type Next = (args: unknown) => Promise<unknown>;
interface MiddlewareContext {
  commandName?: string;
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const LANE_MW = 'imctlGateLane';
const CALL_MW = 'imctlGateCall';

export class AwsGate {
  readonly #lanes = new Map<string, Lane>();
  readonly #limits: Record<AwsService, GateLimits>;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #pauseBaseMs: number;
  readonly #pauseCapMs: number;
  readonly #aimd: AimdOptions;
  readonly #admit: GateOptions['admit'];
  readonly #calls: Counter<'service' | 'operation' | 'outcome'> | undefined;
  readonly #attempts: Counter<'service' | 'outcome'> | undefined;
  readonly #duration: Histogram<'service' | 'operation'> | undefined;
  /** Per-account overrides from AWSAccount spec.limits. */
  readonly #accountLimits = new Map<string, { requestsPerSecond?: number; maxConcurrency?: number }>();
  readonly #stacks = new WeakSet<object>();

  constructor(opts: GateOptions = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.#clock = opts.clock ?? systemClock;
    this.#random = opts.random ?? Math.random;
    this.#pauseBaseMs = opts.throttlePauseMs ?? 1_000;
    this.#pauseCapMs = opts.maxPauseMs ?? 60_000;
    this.#aimd = opts.aimd ?? {};
    this.#admit = opts.admit;
    if (opts.registry) {
      this.#calls = new Counter({
        name: 'imctl_aws_calls_total',
        help: 'AWS API calls by service, operation and outcome (success or error class)',
        labelNames: ['service', 'operation', 'outcome'],
        registers: [opts.registry],
      });
      this.#attempts = new Counter({
        name: 'imctl_aws_attempts_total',
        help: 'HTTP attempts sent to AWS (the SDK retries included) by service and outcome (sent, throttled)',
        labelNames: ['service', 'outcome'],
        registers: [opts.registry],
      });
      this.#duration = new Histogram({
        name: 'imctl_aws_call_duration_seconds',
        help: 'AWS API call duration, including time waiting in the gate',
        labelNames: ['service', 'operation'],
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [opts.registry],
      });
      const lanes = this.#lanes;
      new Gauge({
        name: 'imctl_aws_gate_rate',
        help: 'Calls per second the gate currently allows per account, Region and service (adapts to throttling)',
        labelNames: ['account', 'region', 'service'],
        registers: [opts.registry],
        collect() {
          this.reset();
          for (const l of lanes.values()) this.set({ ...l.target }, l.bucket.rate);
        },
      });
    }
  }

  #effective(t: GateTarget): { concurrency: number; rate: number; burst: number } {
    const l = this.#limits[t.service];
    const a = this.#accountLimits.get(t.account);
    const perSecond = (l.intervalCap * 1000) / l.intervalMs;
    // An account's own limits can only lower the service defaults (they protect a shared quota).
    const rate = Math.min(perSecond, a?.requestsPerSecond ?? perSecond);
    return {
      concurrency: Math.min(l.concurrency, a?.maxConcurrency ?? l.concurrency),
      rate,
      burst: Math.max(1, Math.min(l.intervalCap, a?.requestsPerSecond ?? l.intervalCap)),
    };
  }

  #lane(t: GateTarget): Lane {
    const key = laneKey(t);
    let lane = this.#lanes.get(key);
    if (!lane) {
      const e = this.#effective(t);
      lane = {
        target: { account: t.account, region: t.region, service: t.service },
        bucket: new AdaptiveBucket(e.rate, e.burst, this.#clock.now(), this.#aimd),
        concurrency: e.concurrency,
        running: 0,
        waiting: [],
        pausedUntil: 0,
        throttles: 0,
        timer: undefined,
      };
      this.#lanes.set(key, lane);
    }
    return lane;
  }

  /** Applies an AWSAccount's spec.limits (calls per second, calls in flight) to its lanes at once. */
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
    for (const lane of this.#lanes.values()) {
      if (lane.target.account !== account) continue;
      const e = this.#effective(lane.target);
      lane.concurrency = e.concurrency;
      lane.bucket.setLimits(e.rate, e.burst, this.#clock.now());
      this.#pump(lane);
    }
  }

  /** Starts waiting calls while the lane has room, a token and no pause; else arms one timer. */
  #pump(lane: Lane): void {
    lane.timer?.cancel();
    lane.timer = undefined;
    while (lane.waiting.length > 0 && lane.running < lane.concurrency) {
      const now = this.#clock.now();
      if (now < lane.pausedUntil) {
        this.#arm(lane, lane.pausedUntil - now);
        return;
      }
      const t = lane.bucket.take(now);
      if (!t.ok) {
        this.#arm(lane, t.waitMs);
        return;
      }
      lane.running++;
      lane.waiting.shift()?.();
    }
  }

  #arm(lane: Lane, ms: number): void {
    lane.timer = this.#clock.setTimer(() => {
      lane.timer = undefined;
      this.#pump(lane);
    }, ms);
  }

  /** Waits for a slot in the lane; the returned function gives it back. */
  #acquire(lane: Lane): Promise<() => void> {
    return new Promise((resolve) => {
      let released = false;
      lane.waiting.push(() =>
        resolve(() => {
          if (released) return;
          released = true;
          lane.running--;
          this.#pump(lane);
        }),
      );
      this.#pump(lane);
    });
  }

  /** One HTTP attempt's outcome fed back into the lane's rate and pause. */
  #feedback(lane: Lane, error: unknown): void {
    if (error === undefined) {
      lane.throttles = 0;
      lane.bucket.success();
      this.#attempts?.inc({ service: lane.target.service, outcome: 'sent' });
      return;
    }
    const err = classify(error, 'attempt', lane.target.service);
    if (err.errorClass !== 'Throttled') {
      this.#attempts?.inc({ service: lane.target.service, outcome: 'sent' });
      return;
    }
    this.#attempts?.inc({ service: lane.target.service, outcome: 'throttled' });
    lane.throttles++;
    const now = this.#clock.now();
    lane.bucket.throttled(now);
    const pause =
      err.retryAfterMs ??
      fullJitterMs(lane.throttles, this.#random, { baseMs: this.#pauseBaseMs, capMs: this.#pauseCapMs });
    lane.pausedUntil = Math.max(lane.pausedUntil, now + pause);
  }

  /** How long a throttled caller should stay away: the lane's pause, or AWS's own advice. */
  #retryAfter(lane: Lane, err: ClassifiedError): ClassifiedError {
    if (err.errorClass !== 'Throttled' || err.retryAfterMs !== undefined) return err;
    const left = lane.pausedUntil - this.#clock.now();
    return new ClassifiedError('Throttled', err.message, {
      cause: err.cause,
      ...(err.operation ? { operation: err.operation } : {}),
      retryAfterMs: Math.max(left, Math.ceil(1000 / lane.bucket.rate)),
    });
  }

  /** A place in the lane, then the admission check (the wait for the lane may outlast a Lease). */
  async #admitted(lane: Lane, command: string | undefined): Promise<() => void> {
    const release = await this.#acquire(lane);
    const refused = this.#admit?.(lane.target);
    if (refused === undefined) return release;
    release();
    const operation = (command ?? 'Unknown').replace(/Command$/, '');
    throw new ClassifiedError('Conflict', `${operation} not sent: ${refused}`, { operation });
  }

  #count(t: GateTarget, operation: string, started: number, outcome: string): void {
    this.#calls?.inc({ service: t.service, operation, outcome });
    this.#duration?.observe({ service: t.service, operation }, (this.#clock.now() - started) / 1000);
  }

  /** Runs `fn` (one attempt) within the target's lane; throws a ClassifiedError on failure. */
  async call<T>(target: GateTarget, operation: string, fn: () => Promise<T>): Promise<T> {
    const lane = this.#lane(target);
    const started = this.#clock.now();
    const release = await this.#admitted(lane, operation);
    try {
      const result = await fn();
      this.#feedback(lane, undefined);
      this.#count(target, operation, started, 'success');
      return result;
    } catch (e) {
      this.#feedback(lane, e);
      const err = this.#retryAfter(lane, classify(e, operation, target.service));
      this.#count(target, operation, started, err.errorClass);
      throw err;
    } finally {
      release();
    }
  }

  /**
   * Puts the gate into a client's middleware stack: each HTTP attempt waits for its lane (after the
   * SDK's retry step, before signing), and the call as a whole is counted and its error classified.
   * Attaching the same stack twice is a no-op (fromTemporaryCredentials applies plugins per call).
   */
  attach<C extends GatedClient>(client: C, target: GateTarget, opts: AttachOptions = {}): C {
    this.plugin(target, opts).applyToStack(client.middlewareStack);
    return client;
  }

  /** The same as an SDK plugin (for clients the SDK builds itself, such as the AssumeRole STS client). */
  plugin(target: GateTarget, opts: AttachOptions = {}): { applyToStack(stack: object): void } {
    return {
      applyToStack: (s) => {
        if (this.#stacks.has(s)) return;
        const stack = s as StackLike;
        this.#stacks.add(s);
        const lane = this.#lane(target);
        stack.add(
          (next: Next, context: MiddlewareContext) => async (args: unknown) => {
            const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
            const started = this.#clock.now();
            try {
              let out: unknown;
              try {
                out = await next(args);
              } catch (e) {
                // An expired session: assume the role again and send once more with the new keys.
                if (!opts.refreshCredentials || !EXPIRED.has(errorName(e))) throw e;
                await opts.refreshCredentials();
                out = await next(args);
              }
              this.#count(target, operation, started, 'success');
              return out;
            } catch (e) {
              const err = this.#retryAfter(lane, classify(e, operation, target.service));
              this.#count(target, operation, started, err.errorClass);
              throw err;
            }
          },
          { step: 'initialize', priority: 'high', name: CALL_MW, override: true },
        );
        stack.addRelativeTo(
          (next: Next, context: MiddlewareContext) => async (args: unknown) => {
            const release = await this.#admitted(lane, context.commandName);
            try {
              const out = await next(args);
              this.#feedback(lane, undefined);
              return out;
            } catch (e) {
              this.#feedback(lane, e);
              throw e;
            } finally {
              release();
            }
          },
          { relation: 'after', toMiddleware: 'retryMiddleware', name: LANE_MW, override: true },
        );
      },
    };
  }

  /** Calls waiting or running per lane (for /metrics and tests). */
  depth(): Record<string, { waiting: number; running: number }> {
    const out: Record<string, { waiting: number; running: number }> = {};
    for (const [k, l] of this.#lanes) out[k] = { waiting: l.waiting.length, running: l.running };
    return out;
  }

  /** The lane's current rate (calls/s) and pause; undefined before its first call. */
  lane(t: GateTarget): { rate: number; ceiling: number; pausedUntil: number; throttles: number } | undefined {
    const l = this.#lanes.get(laneKey(t));
    return (
      l && {
        rate: l.bucket.rate,
        ceiling: l.bucket.ceiling,
        pausedUntil: l.pausedUntil,
        throttles: l.throttles,
      }
    );
  }
}

const laneKey = (t: GateTarget) => `${t.account}|${t.region}|${t.service}`;

function errorName(e: unknown): string {
  if (e instanceof ClassifiedError) return errorName(e.cause);
  const err = (e ?? {}) as { name?: string; code?: string; Code?: string };
  return err.name ?? err.code ?? err.Code ?? '';
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
