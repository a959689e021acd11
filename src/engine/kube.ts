// A small typed client for our custom resources, Events and Leases over our own kubeconfig
// connection (src/engine/kubeconfig.ts: authentication, TLS, one keep-alive pool): get/list,
// merge-patch /status, JSON patches for finalizers and annotations guarded by a `test` op on
// resourceVersion, and HTTP errors classified once into the engine's closed set (409 → Conflict).
import type { IncomingMessage } from 'node:http';
import type { ManagedObject } from './contract.ts';
import { ClassifiedError } from './contract.ts';
import type { EventSink, EventUpdate, KubeEvent } from './events.ts';
import { KubeConfig, type KubeConfigSource, KubeConnection } from './kubeconfig.ts';
import type { MetadataPort } from './managed.ts';
import { shareStrings } from './shared-strings.ts';

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export interface KubeList<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** Classifies an API-server response status into the closed set. */
export function classifyHttp(status: number, body: string, what: string): ClassifiedError {
  let message = body;
  let causes: string[] = [];
  try {
    const s = JSON.parse(body) as { message?: string; details?: { causes?: Array<{ message?: string }> } };
    if (s.message) message = s.message;
    causes = (s.details?.causes ?? []).map((c) => c.message ?? '').filter((m) => m !== '');
  } catch {
    // not a Status object
  }
  // The apiserver puts the JSON-patch failure ("testing value … failed: test failed") in the causes
  // under a generic "the server rejected our request…" message.
  const full = causes.length > 0 ? `${message}: ${causes.join('; ')}` : message;
  const text = `${what}: ${full || `HTTP ${status}`}`;
  if (status === 404) return new ClassifiedError('NotFound', text);
  if (status === 409) return new ClassifiedError('Conflict', text);
  // A failed `test` op means someone else changed the object since we read it: a conflict.
  if (status === 422 && /test operation|testOp|test failed/i.test(full))
    return new ClassifiedError('Conflict', text);
  if (status === 422 || status === 400) return new ClassifiedError('InvalidSpec', text);
  if (status === 401 || status === 403) return new ClassifiedError('AccessDenied', text);
  if (status === 429) return new ClassifiedError('Throttled', text);
  return new ClassifiedError('Transient', text);
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops what the engine never reads, in place (the object was just parsed from the wire and is
 * ours): managedFields and kubectl's last-applied annotation, together often larger than the
 * object. Every object the controller keeps passes here: the informer caches and the answers to
 * its own writes (remembered until the watch catches up, src/engine/own-writes.ts).
 */
export function slim<O>(o: O): O {
  const meta = (o as { metadata?: { managedFields?: unknown; annotations?: Record<string, string> } } | null)
    ?.metadata;
  if (!meta) return o;
  delete meta.managedFields;
  // The (possibly empty) map stays: KubeClient.patchAnnotations adds a missing map whole, which
  // would drop the server's copy of the annotation.
  if (meta.annotations) delete meta.annotations[LAST_APPLIED];
  shareStrings(o);
  return o;
}

/** RFC 6901 escaping for a key used in a JSON-patch path. */
export const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

export class KubeClient {
  readonly #conn: KubeConnection;

  /** Our KubeConfig, or client-node's (tests and `imctl demo` hold one) through its exported text. */
  constructor(kc: KubeConfig | KubeConfigSource) {
    this.#conn = new KubeConnection(KubeConfig.from(kc));
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    let status: number;
    let text: string;
    try {
      ({ status, text } = await this.#conn.request(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        contentType,
      ));
    } catch (e) {
      throw new ClassifiedError('Transient', `${method} ${path}: ${(e as Error).message}`, { cause: e });
    }
    if (status < 200 || status >= 300) throw classifyHttp(status, text, `${method} ${path}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** A streaming GET (a watch): the response once its headers arrived; aborted through `signal`. */
  stream(path: string, signal: AbortSignal): Promise<IncomingMessage> {
    return this.#conn.open('GET', path, { signal });
  }

  /** Closes the pooled connections (a stopped controller leaves no socket behind). */
  close(): void {
    this.#conn.close();
  }

  /** Collection path, optionally in one namespace. */
  static collectionPath(t: ResourceType, namespace?: string): string {
    const base = t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
    return t.namespaced && namespace ? `${base}/namespaces/${namespace}/${t.plural}` : `${base}/${t.plural}`;
  }

  static objectPath(t: ResourceType, name: string, namespace?: string): string {
    return `${KubeClient.collectionPath(t, namespace)}/${encodeURIComponent(name)}`;
  }

  /** A list, or one page of it (`limit`, then the `continue` token the previous page returned). */
  list<T>(
    t: ResourceType,
    opts: { namespace?: string; labelSelector?: string; limit?: number; continue?: string } = {},
  ): Promise<KubeList<T>> {
    const q = new URLSearchParams();
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (opts.limit) q.set('limit', String(opts.limit));
    if (opts.continue) q.set('continue', opts.continue);
    const query = q.size > 0 ? `?${q}` : '';
    return this.request('GET', `${KubeClient.collectionPath(t, opts.namespace)}${query}`);
  }

  get<T>(t: ResourceType, name: string, namespace?: string): Promise<T> {
    return this.request('GET', KubeClient.objectPath(t, name, namespace));
  }

  create<T>(t: ResourceType, obj: T, namespace?: string): Promise<T> {
    return this.request('POST', KubeClient.collectionPath(t, namespace), obj);
  }

  replace<T>(t: ResourceType, name: string, obj: T, namespace?: string): Promise<T> {
    return this.request('PUT', KubeClient.objectPath(t, name, namespace), obj);
  }

  mergePatch<T>(
    t: ResourceType,
    name: string,
    patch: unknown,
    namespace?: string,
    subresource?: 'status',
  ): Promise<T> {
    const p = KubeClient.objectPath(t, name, namespace) + (subresource ? `/${subresource}` : '');
    return this.request('PATCH', p, patch, 'application/merge-patch+json');
  }

  async jsonPatch<T>(t: ResourceType, name: string, ops: JsonPatchOp[], namespace?: string): Promise<T> {
    try {
      return await this.request<T>(
        'PATCH',
        KubeClient.objectPath(t, name, namespace),
        ops,
        'application/json-patch+json',
      );
    } catch (e) {
      // kube-apiserver answers a failed `test` op with a bare 422 (reason Invalid, no causes): the
      // object changed since we read it. Terminal InvalidSpec would strand a finalizer forever.
      if (
        e instanceof ClassifiedError &&
        e.errorClass === 'InvalidSpec' &&
        ops.some((o) => o.op === 'test') &&
        e.message.endsWith(': the server rejected our request due to an error in our request')
      )
        throw new ClassifiedError('Conflict', e.message);
      throw e;
    }
  }
}

/** The reconciler's metadata/status port over the API server, for the kinds in `types`. */
export class KubeMetadataPort implements MetadataPort {
  readonly #client: KubeClient;
  readonly #types: ReadonlyMap<string, ResourceType>;

  constructor(client: KubeClient, types: ReadonlyMap<string, ResourceType>) {
    this.#client = client;
    this.#types = types;
  }

  #type(obj: ManagedObject): ResourceType {
    const t = this.#types.get(obj.kind);
    if (!t) throw new Error(`kind ${obj.kind} is not registered with the controller`);
    return t;
  }

  async patchStatus(obj: ManagedObject, status: Record<string, unknown>): Promise<ManagedObject> {
    return slim(
      await this.#client.mergePatch<ManagedObject>(
        this.#type(obj),
        obj.metadata.name,
        { status },
        obj.metadata.namespace,
        'status',
      ),
    );
  }

  /** The `test` on resourceVersion makes a stale read fail as Conflict instead of overwriting. */
  #guard(obj: ManagedObject): JsonPatchOp[] {
    return obj.metadata.resourceVersion
      ? [{ op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion }]
      : [];
  }

  /** A JSON patch of the object's metadata, guarded by its resourceVersion; the answer slimmed. */
  async #guardedPatch(obj: ManagedObject, ops: JsonPatchOp[]): Promise<ManagedObject> {
    return slim(
      await this.#client.jsonPatch<ManagedObject>(
        this.#type(obj),
        obj.metadata.name,
        [...this.#guard(obj), ...ops],
        obj.metadata.namespace,
      ),
    );
  }

  async addFinalizer(obj: ManagedObject, finalizer: string): Promise<ManagedObject> {
    const ops: JsonPatchOp[] = obj.metadata.finalizers
      ? [{ op: 'add', path: '/metadata/finalizers/-', value: finalizer }]
      : [{ op: 'add', path: '/metadata/finalizers', value: [finalizer] }];
    return this.#guardedPatch(obj, ops);
  }

  async removeFinalizer(obj: ManagedObject, finalizer: string): Promise<ManagedObject> {
    const i = obj.metadata.finalizers?.indexOf(finalizer) ?? -1;
    if (i < 0) return obj;
    const ops: JsonPatchOp[] = [
      { op: 'test', path: `/metadata/finalizers/${i}`, value: finalizer },
      { op: 'remove', path: `/metadata/finalizers/${i}` },
    ];
    return this.#guardedPatch(obj, ops);
  }

  async patchAnnotations(
    obj: ManagedObject,
    changes: Record<string, string | null>,
    opts: { unguarded?: boolean } = {},
  ): Promise<ManagedObject> {
    const existing = obj.metadata.annotations;
    // Unguarded only where our copy may be stale without harm: keys added to an existing map.
    const guard = opts.unguarded && existing ? [] : this.#guard(obj);
    const ops: JsonPatchOp[] = [...guard];
    if (!existing) {
      const value: Record<string, string> = {};
      for (const [k, v] of Object.entries(changes)) if (v !== null) value[k] = v;
      ops.push({ op: 'add', path: '/metadata/annotations', value });
    } else
      for (const [k, v] of Object.entries(changes)) {
        const path = `/metadata/annotations/${escapePointer(k)}`;
        if (v === null) {
          if (k in existing) ops.push({ op: 'remove', path });
        } else ops.push({ op: 'add', path, value: v });
      }
    if (ops.length === guard.length) return obj;
    return slim(
      await this.#client.jsonPatch<ManagedObject>(
        this.#type(obj),
        obj.metadata.name,
        ops,
        obj.metadata.namespace,
      ),
    );
  }
}

const EVENTS: ResourceType = { group: '', version: 'v1', plural: 'events', namespaced: true };

/** Writes core/v1 Events. */
export class KubeEventSink implements EventSink {
  readonly #client: KubeClient;
  constructor(client: KubeClient) {
    this.#client = client;
  }
  async create(ev: KubeEvent): Promise<void> {
    await this.#client.create(EVENTS, { apiVersion: 'v1', kind: 'Event', ...ev }, ev.metadata.namespace);
  }
  async update(ev: EventUpdate): Promise<void> {
    await this.#client.mergePatch(
      EVENTS,
      ev.metadata.name,
      { count: ev.count, lastTimestamp: ev.lastTimestamp },
      ev.metadata.namespace,
    );
  }
}
