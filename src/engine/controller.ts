// Workers per kind: informers feed keys through the predicates into one WorkQueue per kind; workers
// run the ManagedReconciler and hand its Outcome to the single retry policy (schedule.ts).
// Reference changes wake dependants through the reverse index. Prometheus metrics throughout.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from './clock.ts';
import {
  asClassified,
  type KindHandler,
  keyOf,
  type ManagedObject,
  type Outcome,
  Outcomes,
  objectKey,
  parseKey,
} from './contract.ts';
import { IdentityHolders } from './holders.ts';
import { Informer } from './informer.ts';
import type { KubeClient, ResourceType } from './kube.ts';
import { type ManagedDeps, ManagedReconciler } from './managed.ts';
import { OwnWrites } from './own-writes.ts';
import {
  awaitedStateChanged,
  desiredStateChanged,
  referenceStateChanged,
  settledOnFirstSight,
} from './predicates.ts';
import { indexedFields } from './references.ts';
import { applyOutcome } from './schedule.ts';
import { runWorkers, WorkQueue, type WorkQueueOptions } from './work-queue.ts';

/** Anything that reconciles a key into an Outcome (the ManagedReconciler, the AWSAccount reconciler). */
export interface Reconciler {
  reconcile(key: string, info: { attempt: number }): Promise<Outcome>;
}

export interface KindRegistration {
  kind: string;
  /** A managed kind: the engine runs the generic ManagedReconciler around this handler. */
  // biome-ignore lint/suspicious/noExplicitAny: registrations of different kinds live in one list
  handler?: KindHandler<any, any>;
  /** A kind with its own reconcile loop (AWSAccount), given the engine's lookup. */
  custom?: (lookup: (key: string) => ManagedObject | undefined) => Reconciler;
  type: ResourceType;
  /** Only watched (cache + waking the objects that reference it), never reconciled: Secrets. */
  watchOnly?: boolean;
  /** Listed and watched whole even with a label selector (AWSAccounts: any selected object may name any of them). */
  unselected?: boolean;
  /** Resync for this kind (default: the controller's). */
  resyncMs?: number;
  /** Workers for this kind. Default from ControllerOptions. */
  workers?: number;
}

/** Where objects come from: informers in production, a store in tests. */
export interface ObjectSource {
  get(key: string): ManagedObject | undefined;
}

export interface ControllerOptions extends Omit<ManagedDeps, 'lookup' | 'holderOf'> {
  clock: Clock;
  /** Sharding: false for an object another replica reconciles (its key is dropped here, not retried). */
  owns?: (obj: ManagedObject) => boolean;
  workers?: number;
  resyncMs?: number;
  queue?: Omit<WorkQueueOptions, 'clock'>;
  registry?: Registry;
}

export interface Metrics {
  reconciles: Counter<'kind' | 'result'>;
  duration: Histogram<'kind'>;
  drift: Counter<'kind'>;
}

function makeMetrics(
  registry: Registry | undefined,
  depth: () => Record<string, number>,
): Metrics | undefined {
  if (!registry) return undefined;
  new Gauge({
    name: 'imctl_queue_depth',
    help: 'Keys ready to be reconciled, per kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, n] of Object.entries(depth())) this.set({ kind }, n);
    },
  });
  return {
    reconciles: new Counter({
      name: 'imctl_reconciles_total',
      help: 'Reconciles by kind and result (synced, progressing, waiting, done, or the error class)',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'imctl_reconcile_duration_seconds',
      help: 'Reconcile duration by kind',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    drift: new Counter({
      name: 'imctl_drift_corrections_total',
      help: 'Updates sent to AWS because AWS differed from the spec, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
  };
}

interface KindRuntime {
  reg: KindRegistration;
  queue: WorkQueue;
  reconciler: Reconciler;
}

/** The engine core, independent of where objects come from (unit-testable with a store). */
export class Engine {
  readonly #kinds = new Map<string, KindRuntime>();
  readonly #watchOnly = new Set<string>();
  readonly #o: ControllerOptions;
  readonly #source: ObjectSource;
  readonly #metrics: Metrics | undefined;
  readonly #own = new OwnWrites();
  /** Which object of a kind manages each AWS identity (one per identity). */
  readonly #holders = new IdentityHolders();
  /** Keys whose last reconcile hit a Conflict on this resourceVersion: a newer copy wakes them. */
  readonly #awaitFresh = new Map<string, string | undefined>();
  /** Keys waiting on any object of a kind (`<Kind>/*`, e.g. any ReplicationSet) becoming usable. */
  readonly #waitingOnKind = new Map<string, Set<string>>();
  /** Per kind, how many times an object of it changed readiness (the waiters above were woken). */
  readonly #readyFlips = new Map<string, number>();
  #running: Promise<void> | undefined;

  constructor(regs: readonly KindRegistration[], source: ObjectSource, opts: ControllerOptions) {
    this.#o = opts;
    this.#source = source;
    this.#metrics = makeMetrics(opts.registry, () =>
      Object.fromEntries([...this.#kinds].map(([k, r]) => [k, r.queue.len()])),
    );
    const deps: ManagedDeps = {
      ...opts,
      kube: this.#own.track(opts.kube, (key) => this.#source.get(key)),
      lookup: (key) => this.lookup(key),
      holderOf: (obj, identity) => this.#holders.holderOf(obj, identity),
      onUpdate: (kind) => this.#metrics?.drift.inc({ kind }),
    };
    for (const reg of regs) {
      if (reg.watchOnly) {
        this.#watchOnly.add(reg.kind);
        continue;
      }
      const queue = new WorkQueue({ clock: opts.clock, ...opts.queue });
      let reconciler: Reconciler;
      if (reg.handler) reconciler = new ManagedReconciler(reg.handler, deps);
      else if (reg.custom) reconciler = reg.custom(deps.lookup);
      else throw new Error(`kind ${reg.kind} registers neither a handler nor a reconciler`);
      this.#kinds.set(reg.kind, { reg, queue, reconciler });
    }
  }

  kinds(): string[] {
    return [...this.#kinds.keys()];
  }

  /** An object by key: the cached copy, or this controller's own newer write while the cache lags. */
  lookup(key: string): ManagedObject | undefined {
    return this.#own.view(key, this.#source.get(key));
  }

  enqueue(key: string): void {
    this.#kinds.get(parseKey(key).kind)?.queue.add(key);
  }

  /** Watch-event entry points: objects become keys here and nothing else travels further. */
  onUpsert(obj: ManagedObject, old: ManagedObject | undefined): void {
    const key = objectKey(obj);
    // The cache caught up with our own writes (or moved past them): the copy kept for reading our
    // own writes goes now, not at the object's next visit (a second copy of every written object).
    this.#own.view(key, obj);
    const rt = this.#kinds.get(obj.kind);
    if (rt && this.#awaitFresh.has(key) && this.#awaitFresh.get(key) !== obj.metadata.resourceVersion) {
      this.#awaitFresh.delete(key);
      rt.queue.add(key); // the newer copy a Conflict was waiting for
    }
    if (rt) {
      const dropped = this.#o.refs.indexObject(
        obj,
        indexedFields(obj, rt.reg.handler?.references?.(obj) ?? []),
      );
      for (const t of dropped) this.enqueue(t); // a target whose delete waited on this object
      // A target whose delete waited for this object's change to reach AWS.
      for (const t of this.#o.refs.retiring.confirmedBy(obj)) this.enqueue(t);
      // Objects refused an identity this one held (or now outranks) look again.
      if (rt.reg.handler) for (const k of this.#holders.update(obj, old)) this.enqueue(k);
      if (desiredStateChanged(old, obj, this.#own.ownIdentity(key)))
        rt.queue.add(key, settledOnFirstSight(old, obj) ? 'low' : 'high');
    }
    // A watch-only object (a Secret) has no readiness: any change to it matters to its referrers.
    const usableChanged = this.#watchOnly.has(obj.kind)
      ? old?.metadata.resourceVersion !== obj.metadata.resourceVersion
      : referenceStateChanged(old, obj);
    // A referenced object that first appears wakes its referrers too, even not Ready yet: their
    // condition moves from "does not exist" to "not Ready", and they index themselves against it.
    if (usableChanged || old === undefined) for (const r of this.#o.refs.referrersOf(key)) this.enqueue(r);
    // Objects waiting on any object of the kind (onboarding) want it Ready, not merely usable, and
    // want to know when it is refused.
    if (this.#watchOnly.has(obj.kind) ? usableChanged : awaitedStateChanged(old, obj)) {
      this.#readyFlips.set(obj.kind, (this.#readyFlips.get(obj.kind) ?? 0) + 1);
      const waiting = this.#waitingOnKind.get(obj.kind);
      this.#waitingOnKind.delete(obj.kind);
      for (const r of waiting ?? []) this.enqueue(r);
    }
  }

  onDelete(obj: ManagedObject): void {
    const key = objectKey(obj);
    this.#own.forget(key);
    this.#awaitFresh.delete(key);
    const targets = this.#o.refs.remove(key);
    for (const t of targets) this.enqueue(t);
    for (const r of this.#o.refs.referrersOf(key)) this.enqueue(r);
    if (obj.metadata.uid) this.#o.events.forget(obj.metadata.uid);
    const rt = this.#kinds.get(obj.kind);
    if (rt?.reg.handler) for (const k of this.#holders.update(undefined, obj)) this.enqueue(k);
    rt?.queue.add(key);
  }

  /** Reconciles one key and schedules it; exported for tests and benchmarks. */
  async process(key: string): Promise<void> {
    const rt = this.#kinds.get(parseKey(key).kind);
    if (!rt) return;
    const kind = rt.reg.kind;
    const current = this.lookup(key);
    if (current && this.#o.owns && !this.#o.owns(current)) {
      rt.queue.forget(key); // another replica's shard; enqueued again if this one takes it over
      return;
    }
    const started = this.#o.clock.now();
    const startedFrom = current?.metadata.resourceVersion;
    const flipsAtStart = new Map(this.#readyFlips);
    let outcome: Outcome;
    try {
      outcome = await rt.reconciler.reconcile(key, { attempt: rt.queue.numRequeues(key) });
    } catch (e) {
      // A reconciler must not throw, but if one does the key is retried and the worker lives on.
      outcome = Outcomes.failed(asClassified(e));
      this.#o.log?.('error', 'reconcile threw', { key, error: String(e) });
    }
    if (outcome.type === 'waiting')
      for (const dep of outcome.on) {
        if (!dep.endsWith('/*')) continue;
        const kind = dep.slice(0, -2);
        const set = this.#waitingOnKind.get(kind) ?? new Set<string>();
        this.#waitingOnKind.set(kind, set.add(key));
        // The wake went out while this reconcile was deciding to wait (it read the older state):
        // look again now instead of at the next resync.
        if ((this.#readyFlips.get(kind) ?? 0) !== (flipsAtStart.get(kind) ?? 0)) this.enqueue(key);
      }
    let fresherCopy: boolean | undefined;
    if (outcome.type === 'failed' && outcome.error.errorClass === 'Conflict') {
      fresherCopy = this.lookup(key)?.metadata.resourceVersion !== startedFrom;
      if (!fresherCopy) this.#awaitFresh.set(key, startedFrom);
    }
    this.#metrics?.duration.observe({ kind }, (this.#o.clock.now() - started) / 1000);
    this.#metrics?.reconciles.inc({
      kind,
      result: outcome.type === 'failed' ? outcome.error.errorClass : outcome.type,
    });
    if (!rt.queue.isShuttingDown())
      applyOutcome(rt.queue, key, outcome, {
        resyncMs: rt.reg.resyncMs ?? rt.reg.handler?.resyncMs ?? this.#o.resyncMs ?? 600_000,
        ...(fresherCopy === undefined ? {} : { fresherCopy }),
      });
  }

  /** Starts the workers; resolves when they have stopped after shutdown(). */
  run(): Promise<void> {
    this.#running ??= Promise.all(
      [...this.#kinds.values()].map((rt) =>
        runWorkers(rt.queue, rt.reg.workers ?? this.#o.workers ?? 2, (key) => this.process(key)),
      ),
    ).then(() => undefined);
    return this.#running;
  }

  /** Stops handing out keys and waits for in-flight reconciles to finish. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#kinds.values()].map((rt) => rt.queue.shutdown()));
    await this.#running;
  }

  queue(kind: string): WorkQueue | undefined {
    return this.#kinds.get(kind)?.queue;
  }
}

export interface ControllerRuntimeOptions extends ControllerOptions {
  client: KubeClient;
  /** Namespaces to watch; empty = all. */
  namespaces?: string[];
  labelSelector?: string;
  onInformerError?: (kind: string, err: unknown, restartInMs: number) => void;
}

/** Informers per kind (and namespace) feeding an Engine. */
export class Controller {
  readonly engine: Engine;
  readonly #informers = new Map<string, Informer<ManagedObject>[]>();

  constructor(regs: readonly KindRegistration[], opts: ControllerRuntimeOptions) {
    const source: ObjectSource = {
      get: (key) => {
        const { kind, namespace, name } = parseKey(key);
        for (const inf of this.#informers.get(kind) ?? []) {
          const o = inf.get(name, namespace);
          if (o) return o;
        }
        return undefined;
      },
    };
    this.engine = new Engine(regs, source, opts);
    const namespaces = opts.namespaces?.length ? opts.namespaces : [undefined];
    for (const reg of regs) {
      const list: Informer<ManagedObject>[] = [];
      for (const ns of reg.type.namespaced ? namespaces : [undefined]) {
        list.push(
          new Informer<ManagedObject>({
            client: opts.client,
            type: reg.type,
            clock: opts.clock,
            ...(ns ? { namespace: ns } : {}),
            // The label selector applies to our kinds, not to the Secrets and AWSAccounts they name.
            ...(opts.labelSelector && !reg.watchOnly && !reg.unselected
              ? { labelSelector: opts.labelSelector }
              : {}),
            handlers: {
              add: (o) => this.engine.onUpsert(o, undefined),
              update: (o, old) => this.engine.onUpsert(o, old),
              delete: (o) => this.engine.onDelete(o),
            },
            onError: (err, ms) => opts.onInformerError?.(reg.kind, err, ms),
          }),
        );
      }
      this.#informers.set(reg.kind, list);
    }
  }

  /** Reads an object by key: the informer caches, with this controller's own newer writes. */
  get(key: string): ManagedObject | undefined {
    return this.engine.lookup(key);
  }

  /** Queues every cached object `pred` selects (a shard this replica took over). */
  enqueueWhere(pred: (obj: ManagedObject) => boolean): number {
    let n = 0;
    for (const kind of this.engine.kinds())
      for (const obj of this.list(kind))
        if (pred(obj)) {
          this.engine.enqueue(objectKey(obj));
          n++;
        }
    return n;
  }

  /** Every cached object of a kind, across the watched namespaces. */
  list(kind: string): ManagedObject[] {
    return (this.#informers.get(kind) ?? []).flatMap((inf) => inf.list());
  }

  /** Starts the informers; workers start once every cache has synced (so the reference index is complete). */
  async start(): Promise<void> {
    await Promise.all([...this.#informers.values()].flat().map((i) => i.start()));
  }

  hasSynced(): boolean {
    return [...this.#informers.values()].flat().every((i) => i.hasSynced());
  }

  async stop(): Promise<void> {
    await this.engine.shutdown();
    await Promise.all([...this.#informers.values()].flat().map((i) => i.stop()));
  }
}

export { keyOf };
