// List + watch informer over KubeClient (ARCHITECTURE.md, "Engine rules"), as client-go's reflector:
// list once (and again after 410 Gone), then watch from the list's resourceVersion; a watch that
// ends is resumed from the last resourceVersion seen; any other failure restarts the loop with
// capped, jittered backoff. hasSynced() is readiness; a watchdog restarts a watch that has been
// silent for too long. Handlers get objects only to turn them into keys.
//
// Watches ask for bookmarks, so an idle watch keeps a current resourceVersion (a reconnect resumes
// instead of relisting after the server compacted its history), and carry a server-side timeout of
// 5–10 min as client-go's do. A watch that ends cleanly after a healthy session (it saw an event, or
// lasted a second, or its history expired) reconnects at once; quiet sessions that end at once
// back off 1 s, 2 s, … up to 30 s, so a server that closes every watch is not hammered.
//
// Cached objects are slimmed on receipt (kube.ts `slim`): managedFields and kubectl's last-applied
// annotation are dropped (nothing in the engine reads them, and together they are often larger
// than the object).
import type { Clock, TimerHandle } from './clock.ts';
import type { ManagedObject } from './contract.ts';
import { KubeClient, type ResourceType, slim } from './kube.ts';

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(obj: T, old: T | undefined): void;
  delete?(obj: T): void;
}

export interface InformerOptions<T> {
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

/**
 * Watch sessions and bookmarks; `delaysAsked`: sessions that ended without an object event or
 * bookmark (a reconnect delay was due), `delaysWaited`: those of them that did wait (they ended at
 * once without their history expiring).
 */
export interface WatchStats {
  sessions: number;
  bookmarks: number;
  delaysAsked: number;
  delaysWaited: number;
}

type Obj = { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

interface WatchEvent {
  type?: string;
  object?: Obj & { code?: number };
}

/** Why a watch session ended: the server closed it, it was restarted (watchdog, inactivity), or it failed. */
type SessionEnd = { kind: 'closed' } | { kind: 'restart' } | { kind: 'failed'; err: unknown };

const MAX_RECONNECT_MS = 30_000;
/** Objects per list page (client-go's reflector asks for 500). */
const LIST_PAGE = 500;

export class Informer<T extends ManagedObject | Obj> {
  readonly #o: InformerOptions<T>;
  /** The cache by namespace, then name. */
  readonly #objects = new Map<string, Map<string, T>>();
  readonly #stats: WatchStats = { sessions: 0, bookmarks: 0, delaysAsked: 0, delaysWaited: 0 };
  #resourceVersion = '';
  #listed = false;
  #synced = false;
  #stopped = true;
  #failures = 0;
  #reconnectMs = 0;
  #restartTimer: TimerHandle | undefined;
  #watchdog: TimerHandle | undefined;
  #lastActivity = 0;
  /** The watch in progress: aborting it with a TimeoutError restarts it in place. */
  #current: AbortController | undefined;

  constructor(opts: InformerOptions<T>) {
    this.#o = opts;
  }

  #touch(): void {
    this.#lastActivity = this.#o.clock.now();
  }

  #upsert(o: T & Obj): void {
    this.#touch();
    this.#failures = 0;
    const ns = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    let m = this.#objects.get(ns);
    if (!m) {
      m = new Map();
      this.#objects.set(ns, m);
    }
    const old = m.get(name) as (T & Obj) | undefined;
    // A relist brings back every object unchanged: only a new resourceVersion is an update.
    const rv = o.metadata?.resourceVersion;
    if (old && rv !== undefined && old.metadata?.resourceVersion === rv) return;
    m.set(name, o);
    if (old === undefined) this.#o.handlers.add?.(o);
    else this.#o.handlers.update?.(o, old);
  }

  #remove(o: T & Obj): void {
    this.#touch();
    const ns = o.metadata?.namespace ?? '';
    const m = this.#objects.get(ns);
    if (!m?.delete(o.metadata?.name ?? '')) return;
    if (m.size === 0) this.#objects.delete(ns);
    this.#o.handlers.delete?.(o);
  }

  /** A fresh list replaces the cache: objects missing from it are deleted, the rest added or updated. */
  async #list(): Promise<void> {
    const o = this.#o;
    // In pages, as client-go lists: one answer with 10,000 objects (managedFields included) was a
    // string and a parse of hundreds of MiB at start-up, an RSS the process kept.
    const items: Array<T & Obj> = [];
    let resourceVersion = '';
    let next: string | undefined;
    do {
      const page = await o.client.list<T & Obj>(o.type, {
        ...(o.namespace ? { namespace: o.namespace } : {}),
        ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
        limit: LIST_PAGE,
        ...(next ? { continue: next } : {}),
      });
      for (const item of page.items) items.push(slim(item));
      resourceVersion = page.metadata?.resourceVersion ?? '';
      next = page.metadata?.continue || undefined;
    } while (next);
    const fresh = new Set<string>();
    for (const item of items) fresh.add(`${item.metadata?.namespace ?? ''}/${item.metadata?.name ?? ''}`);
    for (const [ns, m] of [...this.#objects])
      for (const [name, obj] of [...m]) if (!fresh.has(`${ns}/${name}`)) this.#remove(obj as T & Obj);
    for (const item of items) this.#upsert(item);
    this.#resourceVersion = resourceVersion;
    this.#listed = true;
    this.#failures = 0;
    this.#touch();
  }

  /** Lists when there is no resourceVersion to resume from, then opens a watch; resolves once it is open. */
  async #connect(): Promise<void> {
    if (this.#stopped) return;
    try {
      if (!this.#resourceVersion) await this.#list();
      if (this.#stopped) return;
      await this.#watch();
    } catch (e) {
      this.#onError(e);
    }
  }

  async #watch(): Promise<void> {
    const o = this.#o;
    const timeout = o.watchTimeoutSeconds ?? Math.round(300 * (1 + (o.random ?? Math.random)()));
    const q = new URLSearchParams({
      watch: 'true',
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeout),
    });
    if (o.labelSelector) q.set('labelSelector', o.labelSelector);
    const path = `${KubeClient.collectionPath(o.type, o.namespace)}?${q}`;
    const abort = new AbortController();
    this.#current = abort;
    this.#stats.sessions++;
    this.#touch();
    o.onWatchEvent?.('CONNECT');
    const started = o.clock.now();
    let events = 0;
    let expired = false;
    // Client-side inactivity limit: the server sends a bookmark about once a minute on a live watch.
    const inactivityMs = o.watchInactivityMs ?? 90_000;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => abort.abort(new DOMException('watch inactive', 'TimeoutError')), inactivityMs);
      timer.unref?.();
    };
    let done = false;
    const end = (how: SessionEnd) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!abort.signal.aborted) abort.abort();
      if (this.#current === abort) this.#current = undefined;
      if (this.#stopped) return;
      if (how.kind === 'failed') return this.#onError(how.err);
      if (how.kind === 'closed' && events === 0) {
        this.#stats.delaysAsked++;
        // A session that ended at once without news (and not because its history expired) backs off.
        const healthy = expired || o.clock.now() - started >= 1_000;
        this.#reconnectMs = healthy ? 0 : Math.min(MAX_RECONNECT_MS, Math.max(1_000, this.#reconnectMs * 2));
      } else this.#reconnectMs = 0;
      if (this.#reconnectMs === 0) return void this.#connect();
      this.#stats.delaysWaited++;
      this.#restartTimer = o.clock.setTimer(() => void this.#connect(), this.#reconnectMs);
    };
    const aborted = () => (abort.signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
    arm();
    let res: Awaited<ReturnType<KubeClient['stream']>>;
    try {
      res = await o.client.stream(path, abort.signal);
    } catch (e) {
      return end(aborted() ? { kind: 'restart' } : { kind: 'failed', err: e });
    }
    if (res.statusCode !== 200) {
      res.resume();
      if (res.statusCode === 410) {
        this.#resourceVersion = '';
        expired = true;
        return end({ kind: 'closed' });
      }
      const err = Object.assign(new Error(`watch ${path}: HTTP ${res.statusCode}`), {
        statusCode: res.statusCode,
      });
      return end({ kind: 'failed', err });
    }
    arm();
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (chunk: string) => {
      arm();
      buf += chunk;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        if (line.trim())
          this.#event(
            line,
            () => events++,
            () => {
              expired = true;
            },
          );
      }
    });
    res.once('end', () => end({ kind: 'closed' }));
    res.once('error', (e) => end(aborted() ? { kind: 'restart' } : { kind: 'failed', err: e }));
    res.once('close', () => end(aborted() ? { kind: 'restart' } : { kind: 'closed' }));
  }

  /** One line of a watch stream. */
  #event(line: string, news: () => void, expired: () => void): void {
    let ev: WatchEvent;
    try {
      ev = JSON.parse(line) as WatchEvent;
    } catch {
      return; // not an event
    }
    const type = ev.type ?? '';
    const obj = ev.object;
    this.#touch();
    if (type === 'ERROR') {
      // History compacted past our resourceVersion: the next session lists again.
      if (obj?.code === 410) {
        this.#resourceVersion = '';
        expired();
      }
      this.#o.onWatchEvent?.(type);
      return;
    }
    news();
    if (type === 'BOOKMARK') this.#stats.bookmarks++;
    else if (obj && (type === 'ADDED' || type === 'MODIFIED')) this.#upsert(slim(obj) as T & Obj);
    else if (obj && type === 'DELETED') this.#remove(obj as T & Obj);
    if (obj?.metadata?.resourceVersion) this.#resourceVersion = obj.metadata.resourceVersion;
    this.#o.onWatchEvent?.(type);
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
    this.#restartTimer = this.#o.clock.setTimer(() => void this.#connect(), delay);
  }

  #armWatchdog(): void {
    const ms = this.#o.watchdogMs ?? 300_000;
    if (ms <= 0) return;
    this.#watchdog = this.#o.clock.setTimer(() => {
      if (this.#stopped) return;
      if (this.#o.clock.now() - this.#lastActivity >= ms) {
        // Ended as an inactivity timeout: re-watched at once from the resourceVersion, no backoff.
        this.#current?.abort(new DOMException('watch silent for too long', 'TimeoutError'));
        this.#touch();
      }
      this.#armWatchdog();
    }, ms);
  }

  /** Lists, fills the cache and opens the watch; a failure is retried in the background. */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#reconnectMs = 0;
    this.#touch();
    this.#armWatchdog();
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#restartTimer?.cancel();
    this.#watchdog?.cancel();
    this.#current?.abort();
    this.#current = undefined;
  }

  /** True once the first list has been applied to the cache (stays true, as in client-go). */
  hasSynced(): boolean {
    if (!this.#synced && this.#listed && this.#resourceVersion !== '') this.#synced = true;
    return this.#synced;
  }

  /** Watch sessions, bookmarks and reconnect delays so far. */
  watchStats(): WatchStats {
    return { ...this.#stats };
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#objects.get(namespace ?? '')?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined && namespace !== '')
      return [...(this.#objects.get(namespace)?.values() ?? [])];
    const all: T[] = [];
    for (const m of this.#objects.values()) all.push(...m.values());
    return all;
  }
}
