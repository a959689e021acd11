// In-memory doubles of the engine's own ports (never a mocked SDK or client-node): a store that
// plays the informer cache and the metadata/status API, an AWS-like external system with call
// counters and idempotency tokens, and a trivial test kind "Widget".
import type { ClientSet } from '../../../src/aws/accounts.ts';
import type { ManagedResource, ManagedSpec } from '../../../src/crds/common.ts';
import {
  ClassifiedError,
  type FieldDiff,
  type KindClient,
  type KindHandler,
  keyOf,
  type ManagedObject,
  type Phase,
} from '../../../src/engine/contract.ts';
import { Engine } from '../../../src/engine/controller.ts';
import {
  EventRecorder,
  type EventSink,
  type EventUpdate,
  type KubeEvent,
} from '../../../src/engine/events.ts';
import { identityTags } from '../../../src/engine/identity.ts';
import { type ManagedDeps, ManagedReconciler, type MetadataPort } from '../../../src/engine/managed.ts';
import { CREATE_PENDING_ANNOTATION, EXTERNAL_ARN_ANNOTATION } from '../../../src/engine/names.ts';
import { ReferenceIndex } from '../../../src/engine/references.ts';
import { FakeClock } from './fake-clock.ts';

// A type alias (not an interface) like TypeBox's Static types, so it fits ManagedObject's spec.
export type WidgetSpec = {
  size: number;
  color: string;
  ownerRef?: { name: string };
};
export type Widget = ManagedResource<WidgetSpec & ManagedSpec>;
export interface WidgetState {
  size: number;
  color: string;
  owner?: string;
}

export class MemoryKube implements MetadataPort {
  readonly objects = new Map<string, ManagedObject>();
  writes = { status: 0, finalizer: 0, annotations: 0 };
  #rv = 1;
  /** Throws once from the next annotation patch that sets the identity (simulated crash). */
  crashOnIdentityWrite = false;
  readonly #waiters = new Set<() => void>();

  #changed(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Resolves once `pred` holds, checked after every write (no polling). */
  until(pred: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!pred()) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      check();
    });
  }

  put(o: ManagedObject): ManagedObject {
    const copy = structuredClone(o);
    copy.metadata.resourceVersion = String(++this.#rv);
    this.objects.set(keyOf(copy.kind, copy.metadata.namespace, copy.metadata.name), copy);
    this.#changed();
    return copy;
  }

  get(kind: string, name: string, ns = 'default'): ManagedObject | undefined {
    return this.objects.get(keyOf(kind, ns, name));
  }

  lookup = (key: string): ManagedObject | undefined => this.objects.get(key);

  #stored(obj: ManagedObject): ManagedObject {
    const cur = this.objects.get(keyOf(obj.kind, obj.metadata.namespace, obj.metadata.name));
    if (!cur) throw new ClassifiedError('NotFound', `${obj.metadata.name} not found`);
    return cur;
  }

  /** A user edit: new spec bumps generation. */
  editSpec(kind: string, name: string, patch: Record<string, unknown>): void {
    const cur = this.get(kind, name)!;
    cur.spec = { ...cur.spec, ...patch };
    cur.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    cur.metadata.resourceVersion = String(++this.#rv);
  }

  markDeleted(kind: string, name: string): void {
    const cur = this.get(kind, name)!;
    if (!cur.metadata.finalizers?.length) {
      this.objects.delete(keyOf(kind, cur.metadata.namespace, name));
      return;
    }
    cur.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  }

  async patchStatus(obj: ManagedObject, status: Record<string, unknown>): Promise<ManagedObject> {
    const cur = this.#stored(obj);
    const next: Record<string, unknown> = { ...(cur.status ?? {}) };
    for (const [k, v] of Object.entries(status)) {
      if (v === null) delete next[k];
      else next[k] = structuredClone(v);
    }
    cur.status = next;
    cur.metadata.resourceVersion = String(++this.#rv);
    this.writes.status++;
    this.#changed();
    return structuredClone(cur);
  }

  async addFinalizer(obj: ManagedObject, f: string): Promise<ManagedObject> {
    const cur = this.#stored(obj);
    cur.metadata.finalizers = [...(cur.metadata.finalizers ?? []), f];
    cur.metadata.resourceVersion = String(++this.#rv);
    this.writes.finalizer++;
    this.#changed();
    return structuredClone(cur);
  }

  async removeFinalizer(obj: ManagedObject, f: string): Promise<ManagedObject> {
    const cur = this.#stored(obj);
    cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((x) => x !== f);
    cur.metadata.resourceVersion = String(++this.#rv);
    this.writes.finalizer++;
    if (cur.metadata.deletionTimestamp && cur.metadata.finalizers.length === 0)
      this.objects.delete(keyOf(cur.kind, cur.metadata.namespace, cur.metadata.name));
    this.#changed();
    return structuredClone(cur);
  }

  async patchAnnotations(obj: ManagedObject, changes: Record<string, string | null>): Promise<ManagedObject> {
    if (this.crashOnIdentityWrite && typeof changes[EXTERNAL_ARN_ANNOTATION] === 'string') {
      this.crashOnIdentityWrite = false;
      throw new Error('process killed');
    }
    const cur = this.#stored(obj);
    const ann = { ...(cur.metadata.annotations ?? {}) };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete ann[k];
      else ann[k] = v;
    }
    cur.metadata.annotations = ann;
    cur.metadata.resourceVersion = String(++this.#rv);
    this.writes.annotations++;
    this.#changed();
    return structuredClone(cur);
  }
}

interface AwsWidget extends WidgetState {
  arn: string;
  token: string;
  /** The widget's name in AWS (the Kubernetes name) and its tags, for the engine's look-up by name. */
  name: string;
  tags: Record<string, string>;
}

/** An AWS-like service for widgets: idempotent creates by token, call counters, injected faults. */
export class MemoryAws {
  readonly items = new Map<string, AwsWidget>();
  readonly calls = { observe: 0, create: 0, update: 0, delete: 0 };
  readonly updates: FieldDiff[][] = [];
  #seq = 0;
  /** Errors thrown by the next calls, in order. */
  faults: ClassifiedError[] = [];
  /** Errors thrown by the next creates only (AWS refusing a create after reads succeeded). */
  createFaults: ClassifiedError[] = [];
  /** Reads that miss an object that exists (eventual consistency right after a create). */
  laggingReads = 0;
  /** What reads report about every object's progress ('Pending': AWS still working on it). */
  phase: Phase = 'Active';

  #fault(): void {
    const f = this.faults.shift();
    if (f) throw f;
  }

  /** Counts a read or a look-up (`calls.observe`); a lagging read misses an object that exists. */
  #look<T>(found: T | undefined): T | undefined {
    this.calls.observe++;
    this.#fault();
    if (found === undefined || this.laggingReads === 0) return found;
    this.laggingReads--;
    return undefined;
  }

  client(): KindClient<Widget, WidgetState> {
    return {
      read: async (identity) => {
        const item = this.#look(this.items.get(identity));
        if (!item) return undefined;
        const observed: WidgetState = { size: item.size, color: item.color };
        if (item.owner !== undefined) observed.owner = item.owner;
        return { identity: item.arn, observed, phase: this.phase };
      },
      findByName: async (mr) => {
        const named = [...this.items.values()].filter((i) => i.name === mr.metadata.name);
        return (this.#look(named.length ? named : undefined) ?? []).map((i) => ({
          identity: i.arn,
          tags: i.tags,
        }));
      },
      create: async (mr, ctx) => {
        this.calls.create++;
        this.#fault();
        const refused = this.createFaults.shift();
        if (refused) throw refused;
        const token = ctx.idempotencyToken('CreateWidget');
        const same = [...this.items.values()].find((i) => i.token === token);
        if (same) return { identity: same.arn };
        const arn = `arn:aws:widgets:eu-west-1:111122223333:widget/${++this.#seq}`;
        const tags = identityTags({ ...mr, metadata: { ...mr.metadata, uid: mr.metadata.uid ?? '' } });
        this.items.set(arn, { ...ctx.desired, arn, token, name: mr.metadata.name, tags });
        return { identity: arn };
      },
      update: async (_mr, _observed, diff, ctx) => {
        this.calls.update++;
        this.#fault();
        this.updates.push(diff);
        const item = this.items.get(ctx.identity!)!;
        Object.assign(item, ctx.desired);
      },
      delete: async (_mr, _observed, ctx) => {
        this.calls.delete++;
        this.#fault();
        if (ctx.identity) this.items.delete(ctx.identity);
      },
    };
  }

  writes(): number {
    return this.calls.create + this.calls.update + this.calls.delete;
  }
}

export const widgetHandler = (aws: MemoryAws): KindHandler<Widget, WidgetState> => ({
  kind: 'Widget',
  validate: (mr) =>
    mr.spec.size < 1 || mr.spec.size > 10
      ? [{ path: 'spec.size', rule: 'Range', message: `must be between 1 and 10 (got ${mr.spec.size})` }]
      : [],
  references: (mr) =>
    mr.spec.ownerRef ? [{ path: 'spec.ownerRef', ref: { kind: 'Widget', name: mr.spec.ownerRef.name } }] : [],
  toDesired: (mr, refs) => {
    const d: WidgetState = { size: mr.spec.size, color: mr.spec.color };
    const owner = refs.get('spec.ownerRef');
    if (owner !== undefined) d.owner = owner;
    return d;
  },
  diff: (desired, observed) => {
    const out: FieldDiff[] = [];
    if (desired.size !== observed.size)
      out.push({ path: 'spec.size', desired: desired.size, observed: observed.size, updatable: true });
    if (desired.color !== observed.color)
      out.push({ path: 'spec.color', desired: desired.color, observed: observed.color, updatable: false });
    if (desired.owner !== observed.owner)
      out.push({ path: 'spec.ownerRef', desired: desired.owner, observed: observed.owner, updatable: true });
    return out;
  },
  observedStatus: (o) => ({ size: o.size, color: o.color }),
  client: () => aws.client(),
});

export class MemoryEvents implements EventSink {
  readonly events: KubeEvent[] = [];
  async create(ev: KubeEvent): Promise<void> {
    this.events.push(structuredClone(ev));
  }
  async update(ev: EventUpdate): Promise<void> {
    const e = this.events.find((x) => x.metadata.name === ev.metadata.name);
    if (e) Object.assign(e, { count: ev.count, lastTimestamp: ev.lastTimestamp });
  }
  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}

export function widget(name: string, spec: WidgetSpec, extra: Partial<ManagedSpec> = {}): Widget {
  return {
    apiVersion: 'test.incidentmanager.gitops.dev/v1alpha1',
    kind: 'Widget',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: { ...spec, ...extra },
  };
}

export function setup(overrides: Partial<ManagedDeps> = {}) {
  const clock = new FakeClock();
  const kube = new MemoryKube();
  const aws = new MemoryAws();
  const sink = new MemoryEvents();
  const refs = new ReferenceIndex();
  const events = new EventRecorder({ sink, clock });
  const deps: ManagedDeps = {
    clock,
    lookup: kube.lookup,
    kube,
    events,
    refs,
    // The Widget's client is in memory: no account to resolve.
    clientsFor: () => ({}) as ClientSet,
    resyncMs: 600_000,
    resyncJitter: 0,
    random: () => 0.5,
    ...overrides,
  };
  const newReconciler = () => new ManagedReconciler(widgetHandler(aws), deps);
  return { clock, kube, aws, sink, refs, events, deps, reconciler: newReconciler(), newReconciler };
}

export const key = (name: string) => keyOf('Widget', 'default', name);
export { CREATE_PENDING_ANNOTATION, EXTERNAL_ARN_ANNOTATION };

/** A ReplicationSet object before and after it turns Ready with `arn`, as two watch events carry it. */
export function replicationSetTurningReady(arn: string): [ManagedObject, ManagedObject] {
  const before = {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'ReplicationSet',
    metadata: { name: 'payments', namespace: 'default', uid: 'rs-uid', generation: 1, resourceVersion: '1' },
    spec: {},
  } as ManagedObject;
  const after = structuredClone(before);
  after.metadata.resourceVersion = '2';
  after.status = {
    arn,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Available', message: '', lastTransitionTime: 'now' },
    ],
  };
  return [before, after];
}

const widgetType = {
  group: 'test.incidentmanager.gitops.dev',
  version: 'v1alpha1',
  plural: 'widgets',
  namespaced: true,
};

/**
 * An Engine for the Widget kind over the harness store, and one reconcile of the first queued key.
 * With `watch`, every metadata or status write is fed back to the engine as the informer's update
 * event would be (before the write's response returns, the worst order for the engine).
 */
export function widgetEngine(
  h: ReturnType<typeof setup>,
  opts: {
    kube?: MetadataPort;
    watch?: boolean;
    handler?: KindHandler<Widget, WidgetState>;
    deps?: Partial<ManagedDeps>;
  } = {},
) {
  const { lookup: _l, ...deps } = h.deps;
  let port: MetadataPort = opts.kube ?? h.kube;
  if (opts.watch) {
    const inner = port;
    const fed =
      <A extends unknown[]>(write: (o: ManagedObject, ...a: A) => Promise<ManagedObject | undefined>) =>
      async (o: ManagedObject, ...a: A) => {
        const k = keyOf(o.kind, o.metadata.namespace, o.metadata.name);
        const before = structuredClone(h.kube.objects.get(k));
        const after = await write(o, ...a);
        const now = h.kube.objects.get(k);
        if (before && now) e.onUpsert(structuredClone(now), before);
        return after;
      };
    port = {
      patchStatus: fed((o, st: Record<string, unknown>) => inner.patchStatus(o, st)),
      addFinalizer: fed((o, f: string) => inner.addFinalizer(o, f)) as MetadataPort['addFinalizer'],
      removeFinalizer: fed((o, f: string) => inner.removeFinalizer(o, f)) as MetadataPort['removeFinalizer'],
      patchAnnotations: fed((o, c: Record<string, string | null>) =>
        inner.patchAnnotations(o, c),
      ) as MetadataPort['patchAnnotations'],
    };
  }
  const e: Engine = new Engine(
    [{ kind: 'Widget', handler: opts.handler ?? widgetHandler(h.aws), type: widgetType }],
    { get: h.kube.lookup },
    { ...deps, ...opts.deps, kube: port },
  );
  const q = e.queue('Widget')!;
  const step = async () => {
    const k = (await q.get())!;
    await e.process(k);
    q.done(k);
    return k;
  };
  return { e, q, step };
}
