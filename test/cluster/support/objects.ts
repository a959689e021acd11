// A live view of every object of some kinds on a real API server, kept by list + watch (re-listed
// when the server ends a watch, as it does every few minutes), and waits on predicates over it: the
// watch decides when a test goes on, a deadline only guards against a hang.
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import type { KubeClient, KubeList, ResourceType } from '../../../src/engine/kube.ts';
import { KubeClient as Client } from '../../../src/engine/kube.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary spec/status fields
export type Obj = Record<string, any> & {
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number; [k: string]: unknown };
};

export const keyOf = (kind: string, name: string, namespace?: string) =>
  `${kind}/${namespace ? `${namespace}/` : ''}${name}`;

export const conditionOf = (o: Obj | undefined, type: string) =>
  (o?.status?.conditions as Array<{ type: string; status: string; reason?: string; message?: string }>)?.find(
    (c) => c.type === type,
  );

/** Ready=True and Synced=True, both about the object's current generation. */
export function converged(o: Obj | undefined): boolean {
  return (
    conditionOf(o, 'Ready')?.status === 'True' &&
    conditionOf(o, 'Synced')?.status === 'True' &&
    o?.status?.observedGeneration === o?.metadata.generation
  );
}

export interface LiveObjects {
  /** Current objects by `Kind/namespace/name` (cluster-scoped: `Kind/name`). */
  readonly all: Map<string, Obj>;
  get(kind: string, name: string, namespace?: string): Obj | undefined;
  /** Resolves once `pred` holds on the current objects; rejects after `timeoutMs` with `describe()`. */
  until(pred: (all: Map<string, Obj>) => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(): void;
}

export async function watchObjects(
  kc: KubeConfig,
  client: KubeClient,
  types: ReadonlyArray<{ kind: string; type: ResourceType }>,
  describe: (all: Map<string, Obj>) => string = () => '',
): Promise<LiveObjects> {
  const all = new Map<string, Obj>();
  const waiters = new Set<() => void>();
  const aborts = new Set<AbortController>();
  let stopped = false;
  const changed = () => {
    for (const w of [...waiters]) w();
  };
  const follow = async (kind: string, type: ResourceType): Promise<void> => {
    const path = Client.collectionPath(type);
    const list = await client.request<KubeList<Obj>>('GET', path);
    for (const k of [...all.keys()]) if (k.startsWith(`${kind}/`)) all.delete(k);
    for (const o of list.items) all.set(keyOf(kind, o.metadata.name, o.metadata.namespace), { ...o, kind });
    changed();
    if (stopped) return;
    const a: AbortController = await new Watch(kc).watch(
      path,
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (event: string, o: Obj) => {
        if (event === 'BOOKMARK' || event === 'ERROR') return;
        const key = keyOf(kind, o.metadata.name, o.metadata.namespace);
        if (event === 'DELETED') all.delete(key);
        else all.set(key, { ...o, kind });
        changed();
      },
      () => {
        aborts.delete(a);
        if (!stopped) void follow(kind, type).catch(() => undefined);
      },
    );
    aborts.add(a);
    if (stopped) a.abort();
  };
  await Promise.all(types.map((t) => follow(t.kind, t.type)));
  return {
    all,
    get: (kind, name, namespace) => all.get(keyOf(kind, name, namespace)),
    until(pred, what, timeoutMs = 150_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pred(all)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        // A guard against a hang, not a synchronisation: the watch decides.
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting until ${what}\n${describe(all)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop() {
      stopped = true;
      for (const a of aborts) a.abort();
      aborts.clear();
    },
  };
}
