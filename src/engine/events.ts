// Kubernetes Events for create, update (with drifted paths), delete and errors: aggregated (a
// repeat bumps the count of the existing Event), rate-limited per object like client-go's spam
// filter, and scrubbed of secrets before they leave the process.
import type { Clock } from './clock.ts';
import type { ManagedObject } from './contract.ts';

export type EventType = 'Normal' | 'Warning';

export interface KubeEvent {
  metadata: { name: string; namespace: string };
  involvedObject: {
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion?: string;
  };
  type: EventType;
  reason: string;
  message: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string };
  reportingComponent: string;
  reportingInstance: string;
}

/** What aggregation changes in an Event created earlier, and which Event it is. */
export type EventUpdate = Pick<KubeEvent, 'metadata' | 'count' | 'lastTimestamp'>;

export interface EventSink {
  create(ev: KubeEvent): Promise<void>;
  /** Updates count and lastTimestamp of an Event created earlier. */
  update(ev: EventUpdate): Promise<void>;
}

export interface EventRecorderOptions {
  sink: EventSink;
  clock: Clock;
  component?: string;
  instance?: string;
  /** Per-object burst and refill (client-go: 25 events, one more every 5 minutes). */
  burst?: number;
  refillMs?: number;
  /** A repeat of the same event within this window is aggregated. Default 10 min. */
  aggregateWindowMs?: number;
  /** Extra secret values to scrub (activation codes, credentials known at runtime). */
  secrets?: () => Iterable<string>;
  onError?: (err: unknown) => void;
}

const REDACTED = '[REDACTED]';
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
const SECRET_PAIR =
  /((?:secret|password|token|activation[_-]?code|credentials?|sessionToken)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi;

/** Removes known secret values and secret-looking key=value pairs from a message. */
export function redact(message: string, secrets: Iterable<string> = []): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  return out.replace(ACCESS_KEY_ID, REDACTED).replace(SECRET_PAIR, `$1${REDACTED}`);
}

/** Events remembered for aggregation at most (client-go's EventCorrelator keeps an LRU of 4096). */
const MAX_REMEMBERED = 4096;
const PRUNE_AT = MAX_REMEMBERED + MAX_REMEMBERED / 2;

interface Bucket {
  tokens: number;
  at: number;
}

export class EventRecorder {
  readonly #o: Required<Omit<EventRecorderOptions, 'secrets' | 'onError'>> &
    Pick<EventRecorderOptions, 'secrets' | 'onError'>;
  /**
   * Events created, by aggregation key: only what a repeat updates (up to 4,096 of them: the whole
   * Event, involved object and all, was ~1 KiB each).
   */
  readonly #seen = new Map<string, EventUpdate>();
  /** Aggregation keys per object uid, so forgetting an object does not scan every event. */
  readonly #keysOf = new Map<string, Set<string>>();
  /** Prune once this many events are remembered (a third above the cap: amortised O(1) per event). */
  #pruneAt = PRUNE_AT;
  readonly #buckets = new Map<string, Bucket>();
  #seq = 0;

  constructor(opts: EventRecorderOptions) {
    this.#o = {
      component: 'incident-manager-operator',
      instance: 'controller',
      burst: 25,
      refillMs: 300_000,
      aggregateWindowMs: 600_000,
      ...opts,
    };
  }

  /** Records an Event; never throws (events are best effort). Resolves when the sink call ends. */
  async record(obj: ManagedObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = this.#o.clock.now();
    const msg = redact(message, this.#o.secrets?.() ?? []).slice(0, 1024);
    const uid = obj.metadata.uid ?? `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const aggKey = `${uid}\n${type}\n${reason}\n${msg}`;
    const prev = this.#seen.get(aggKey);
    if (!this.#take(uid, now)) return;
    const ts = new Date(now).toISOString();
    try {
      if (prev && now - Date.parse(prev.lastTimestamp) < this.#o.aggregateWindowMs) {
        prev.count += 1;
        prev.lastTimestamp = ts;
        await this.#o.sink.update(prev);
        return;
      }
      const ev: KubeEvent = {
        metadata: {
          name: `${obj.metadata.name}.${now.toString(16)}${(this.#seq++).toString(16)}`,
          namespace: obj.metadata.namespace ?? 'default',
        },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata.name,
          uid,
          ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
          ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
        },
        type,
        reason,
        message: msg,
        count: 1,
        firstTimestamp: ts,
        lastTimestamp: ts,
        source: { component: this.#o.component },
        reportingComponent: this.#o.component,
        reportingInstance: this.#o.instance,
      };
      this.#seen.set(aggKey, { metadata: ev.metadata, count: ev.count, lastTimestamp: ev.lastTimestamp });
      const keys = this.#keysOf.get(uid) ?? new Set<string>();
      this.#keysOf.set(uid, keys.add(aggKey));
      this.#prune(now);
      await this.#o.sink.create(ev);
    } catch (err) {
      this.#o.onError?.(err);
    }
  }

  #take(uid: string, now: number): boolean {
    const b = this.#buckets.get(uid) ?? { tokens: this.#o.burst, at: now };
    b.tokens = Math.min(this.#o.burst, b.tokens + (now - b.at) / this.#o.refillMs);
    b.at = now;
    this.#buckets.set(uid, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  #prune(now: number): void {
    if (this.#seen.size < this.#pruneAt) return;
    const drop = (k: string) => {
      this.#seen.delete(k);
      const uid = k.slice(0, k.indexOf('\n'));
      const keys = this.#keysOf.get(uid);
      keys?.delete(k);
      if (keys?.size === 0) this.#keysOf.delete(uid);
    };
    for (const [k, ev] of this.#seen)
      if (now - Date.parse(ev.lastTimestamp) >= this.#o.aggregateWindowMs) drop(k);
    // At most MAX_REMEMBERED, as client-go's LRU: the oldest go (a repeat of one is a new Event). A
    // converge of 10,000 objects otherwise kept 10,000 Events, 1.5 KiB each, until the next one.
    let excess = this.#seen.size - MAX_REMEMBERED;
    for (const k of this.#seen.keys()) {
      if (excess-- <= 0) break;
      drop(k);
    }
    // A bucket refilled to its burst is the same as none.
    for (const [uid, b] of this.#buckets)
      if (b.tokens + (now - b.at) / this.#o.refillMs >= this.#o.burst) this.#buckets.delete(uid);
    // With thousands of objects all recent, scanning on every new event was quadratic.
    this.#pruneAt = Math.max(PRUNE_AT, this.#seen.size + MAX_REMEMBERED / 2);
  }

  /** Forget an object's history (it was deleted). */
  forget(uid: string): void {
    this.#buckets.delete(uid);
    for (const k of this.#keysOf.get(uid) ?? []) this.#seen.delete(k);
    this.#keysOf.delete(uid);
  }
}
