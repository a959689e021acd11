// Informer wrapper over client-node 2.x ListWatch (ARCHITECTURE.md, "Engine rules"). client-node's
// ListWatch relists on 410 and reconnects immediately after its 30 s inactivity timeout, but on any
// other error it emits `error` and stops for good; this wrapper restarts it with capped, jittered
// backoff, exposes hasSynced() for readiness, and runs a watchdog that restarts a watch that has
// been silent for too long. Handlers get objects only to turn them into keys.
//
// Watches ask for bookmarks, so an idle watch keeps a current resourceVersion (a reconnect resumes
// instead of relisting after the server compacted its history), and carry a server-side timeout of
// 5–10 min as client-go's do. A watch that ends cleanly after a healthy session reconnects at once:
// client-node would otherwise wait 1 s, 2 s, … up to 30 s after each quiet session, and every event
// in that gap would reach the controller late.
//
// Cached objects are slimmed on receipt: managedFields and kubectl's last-applied annotation are
// dropped (nothing in the engine reads them, and together they are often larger than the object).
import { type KubeConfig, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import type { Clock, TimerHandle } from './clock.ts';
import type { ManagedObject } from './contract.ts';
import { KubeClient, type KubeList, type ResourceType } from './kube.ts';

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(obj: T, old: T | undefined): void;
  delete?(obj: T): void;
}

export interface InformerOptions<T> {
  kc: KubeConfig;
  client: KubeClient;
  type: ResourceType;
  clock: Clock;
  namespace?: string;
  labelSelector?: string;
  handlers: InformerHandlers<T>;
  /** Restart backoff after an error: base and cap (ms). Defaults 1 s and 30 s. */
  restartBaseMs?: number;
  restartMaxMs?: number;
  /** Restart the watch when nothing arrived for this long. Default 5 min; 0 disables. */
  watchdogMs?: number;
  random?: () => number;
  onError?: (err: unknown, restartInMs: number) => void;
  /** Server-side watch timeout; default random 300–600 s (client-go). */
  watchTimeoutSeconds?: number;
  /** Client-side inactivity limit of a watch; above the apiserver's ~60 s bookmark period. Default 90 s. */
  watchInactivityMs?: number;
  /** Every raw watch event type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR) and each new watch (CONNECT). */
  onWatchEvent?: (type: string) => void;
}

/** Reconnect statistics: how often client-node asked to wait before re-watching, and how often it did. */
export interface WatchStats {
  sessions: number;
  bookmarks: number;
  delaysAsked: number;
  delaysWaited: number;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Drops what the cache never needs, in place: the object was just parsed from the wire and is ours. */
export function slim<O>(o: O): O {
  const meta = (o as { metadata?: { managedFields?: unknown; annotations?: Record<string, string> } } | null)
    ?.metadata;
  if (!meta) return o;
  delete meta.managedFields;
  // The (possibly empty) map stays: KubeClient.patchAnnotations adds a missing map whole, which
  // would drop the server's copy of the annotation.
  if (meta.annotations) delete meta.annotations[LAST_APPLIED];
  return o;
}

/** A Watch that asks for bookmarks and a server timeout, and remembers how its last session went. */
class SessionWatch extends Watch {
  readonly stats: WatchStats = { sessions: 0, bookmarks: 0, delaysAsked: 0, delaysWaited: 0 };
  /** Whether the session that ended last was healthy: it saw an event or was closed normally after a while. */
  lastHealthy = false;
  readonly #o: InformerOptions<never>;
  readonly #onEvent: (type: string) => void;
  #current: AbortController | undefined;

  constructor(o: InformerOptions<never>, onEvent: (type: string) => void) {
    super(o.kc);
    this.#o = o;
    this.#onEvent = onEvent;
    // client-node's default is 30 s of silence, shorter than the apiserver's bookmark period.
    (this as unknown as { requestTimeoutMs: number }).requestTimeoutMs = o.watchInactivityMs ?? 90_000;
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const o = this.#o;
    const started = o.clock.now();
    let events = 0;
    let expired = false;
    this.stats.sessions++;
    this.#onEvent('CONNECT');
    const timeout = o.watchTimeoutSeconds ?? Math.round(300 * (1 + (o.random ?? Math.random)()));
    const request = super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true, timeoutSeconds: timeout },
      (phase, obj, raw) => {
        events++;
        if (phase === 'BOOKMARK') this.stats.bookmarks++;
        if (phase === 'ERROR' && (obj as { code?: number } | undefined)?.code === 410) expired = true;
        this.#onEvent(phase);
        callback(phase, phase === 'BOOKMARK' || phase === 'ERROR' ? obj : slim(obj), raw);
      },
      (err) => {
        // A relist follows an expiry anyway; a quiet but long session is an idle close, not a failure.
        this.lastHealthy = expired || (!err && (events > 0 || o.clock.now() - started >= 1_000));
        done(err);
      },
    );
    void request.then((c) => {
      this.#current = c;
    });
    return request;
  }

  /**
   * Ends the current watch as client-node's own inactivity timeout would, so it re-watches at once
   * from its resourceVersion (a plain abort would surface as an error and a backoff).
   */
  restart(): void {
    this.#current?.abort(new DOMException('watch silent for too long', 'TimeoutError'));
  }

  /** client-node's reconnect delay: skipped after a healthy session, otherwise waited on our clock. */
  delay(ms: number): Promise<void> {
    this.stats.delaysAsked++;
    if (this.lastHealthy) return Promise.resolve();
    this.stats.delaysWaited++;
    return new Promise((resolve) => this.#o.clock.setTimer(resolve, ms));
  }
}

type Obj = { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

export class Informer<T extends ManagedObject | Obj> {
  readonly #o: InformerOptions<T>;
  // client-node's types say Date where the wire has strings; objects are cast at this boundary.
  readonly #lw: ListWatch<KubernetesObject>;
  readonly #watch: SessionWatch;
  readonly #known = new Map<string, T>();
  #listed = false;
  #synced = false;
  #stopped = true;
  #failures = 0;
  #restartTimer: TimerHandle | undefined;
  #watchdog: TimerHandle | undefined;
  #lastActivity = 0;

  constructor(opts: InformerOptions<T>) {
    this.#o = opts;
    const path = KubeClient.collectionPath(opts.type, opts.namespace);
    const listFn = async () => {
      const list = await opts.client.list<T & Obj>(opts.type, {
        ...(opts.namespace ? { namespace: opts.namespace } : {}),
        ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
      });
      for (const item of list.items) slim(item);
      this.#listed = true;
      this.#touch();
      return list;
    };
    this.#watch = new SessionWatch(opts as InformerOptions<never>, (type) => {
      this.#touch(); // bookmarks too: a quiet but live watch is not restarted
      opts.onWatchEvent?.(type);
    });
    this.#lw = new ListWatch<KubernetesObject>(
      path,
      this.#watch,
      listFn as unknown as () => Promise<KubeList<KubernetesObject> & { apiVersion: string; kind: string }>,
      false,
      opts.labelSelector,
      undefined,
      { delayFn: (ms) => this.#watch.delay(ms) },
    );
    this.#lw.on('add', (o) => this.#onUpsert(o as unknown as T & Obj));
    this.#lw.on('update', (o) => this.#onUpsert(o as unknown as T & Obj));
    this.#lw.on('delete', (o) => this.#onDelete(o as unknown as T & Obj));
    this.#lw.on('connect', () => this.#touch());
    this.#lw.on('error', (err) => this.#onError(err));
  }

  #key(o: Obj): string {
    return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  }

  #touch(): void {
    this.#lastActivity = this.#o.clock.now();
  }

  #onUpsert(o: T & Obj): void {
    this.#touch();
    this.#failures = 0;
    const k = this.#key(o);
    const old = this.#known.get(k);
    this.#known.set(k, o);
    if (old === undefined) this.#o.handlers.add?.(o);
    else this.#o.handlers.update?.(o, old);
  }

  #onDelete(o: T & Obj): void {
    this.#touch();
    this.#known.delete(this.#key(o));
    this.#o.handlers.delete?.(o);
  }

  #onError(err: unknown): void {
    if (this.#stopped) return;
    const base = this.#o.restartBaseMs ?? 1_000;
    const max = this.#o.restartMaxMs ?? 30_000;
    const exp = Math.min(max, base * 2 ** Math.min(this.#failures, 20));
    this.#failures++;
    const delay = Math.round(exp * (0.5 + 0.5 * (this.#o.random ?? Math.random)()));
    this.#o.onError?.(err, delay);
    this.#restartTimer?.cancel();
    this.#restartTimer = this.#o.clock.setTimer(() => {
      if (!this.#stopped) void this.#lw.start().catch((e: unknown) => this.#onError(e));
    }, delay);
  }

  #armWatchdog(): void {
    const ms = this.#o.watchdogMs ?? 300_000;
    if (ms <= 0) return;
    this.#watchdog = this.#o.clock.setTimer(() => {
      if (this.#stopped) return;
      if (this.#o.clock.now() - this.#lastActivity >= ms) {
        this.#watch.restart();
        this.#touch();
      }
      this.#armWatchdog();
    }, ms);
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#touch();
    this.#armWatchdog();
    await this.#lw.start().catch((e: unknown) => this.#onError(e));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#restartTimer?.cancel();
    this.#watchdog?.cancel();
    await this.#lw.stop();
  }

  /** True once the first list has been applied to the cache (stays true, as in client-go). */
  hasSynced(): boolean {
    if (!this.#synced && this.#listed && this.#lw.latestResourceVersion() !== '') this.#synced = true;
    return this.#synced;
  }

  /** Watch sessions, bookmarks and reconnect delays so far. */
  watchStats(): WatchStats {
    return { ...this.#watch.stats };
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#lw.get(name, namespace) as unknown as T | undefined;
  }

  list(namespace?: string): T[] {
    return this.#lw.list(namespace) as unknown as T[];
  }
}
