// Informer wrapper over client-node 2.x ListWatch (ARCHITECTURE.md, "Engine rules"). client-node's
// ListWatch relists on 410 and reconnects immediately after its 30 s inactivity timeout, but on any
// other error it emits `error` and stops for good; this wrapper restarts it with capped, jittered
// backoff, exposes hasSynced() for readiness, and runs a watchdog that restarts a watch that has
// been silent for too long. Handlers get objects only to turn them into keys.
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
}

type Obj = { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

export class Informer<T extends ManagedObject | Obj> {
  readonly #o: InformerOptions<T>;
  // client-node's types say Date where the wire has strings; objects are cast at this boundary.
  readonly #lw: ListWatch<KubernetesObject>;
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
      this.#listed = true;
      this.#touch();
      return list;
    };
    this.#lw = new ListWatch<KubernetesObject>(
      path,
      new Watch(opts.kc),
      listFn as unknown as () => Promise<KubeList<KubernetesObject> & { apiVersion: string; kind: string }>,
      false,
      opts.labelSelector,
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
        void this.#lw
          .stop()
          .then(() => this.#lw.start())
          .catch((e: unknown) => this.#onError(e));
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

  get(name: string, namespace?: string): T | undefined {
    return this.#lw.get(name, namespace) as unknown as T | undefined;
  }

  list(namespace?: string): T[] {
    return this.#lw.list(namespace) as unknown as T[];
  }
}
