// The one way tests wait for a Kubernetes object: list, then watch from the list's version, until a
// predicate holds; always rejects once `timeoutMs` passes (a guard against a hung test, not a
// synchronisation: the watch decides when the test goes on).
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { KubeClient, type ResourceType } from '../../src/engine/kube.ts';

export interface WaitForObjectOptions<T> {
  kc: KubeConfig;
  client: KubeClient;
  type: ResourceType;
  name: string;
  /** For namespaced types; ignored otherwise. */
  namespace?: string | undefined;
  /** Checked on the current state (undefined = no such object), then on each watch event. */
  pred: (o: T | undefined) => boolean;
  /** Default 60 s. */
  timeoutMs?: number;
}

/** Resolves with the object (undefined once deleted) as soon as `pred` holds. */
export function waitForObject<T>(o: WaitForObjectOptions<T>): Promise<T | undefined> {
  const ns = o.type.namespaced ? o.namespace : undefined;
  const collection = KubeClient.collectionPath(o.type, ns);
  const byName = `metadata.name=${o.name}`;
  let current: T | undefined;
  return new Promise((resolve, reject) => {
    let abort: AbortController | undefined;
    let settled = false;
    const finish = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abort?.abort();
      if (err) reject(err);
      else resolve(current);
    };
    const timer = setTimeout(() => {
      const s = current as { status?: { conditions?: unknown } } | undefined;
      const last = JSON.stringify(s?.status?.conditions ?? s?.status ?? null);
      finish(new Error(`timed out waiting for ${o.type.plural} ${ns ?? ''}/${o.name}; last status: ${last}`));
    }, o.timeoutMs ?? 60_000);
    const fail = (e: unknown) => finish(e instanceof Error ? e : new Error(String(e)));
    // A watch the server ends (timeout, 410, restart) is followed by a fresh list and watch, as an
    // informer does, until the predicate holds.
    const follow = async (): Promise<void> => {
      const list = await o.client.request<{ metadata: { resourceVersion: string }; items: T[] }>(
        'GET',
        `${collection}?fieldSelector=${encodeURIComponent(byName)}`,
      );
      current = list.items[0];
      if (o.pred(current)) return finish(undefined);
      if (settled) return;
      const a = await new Watch(o.kc).watch(
        collection,
        { resourceVersion: list.metadata.resourceVersion, fieldSelector: byName, allowWatchBookmarks: true },
        (type: string, obj: T) => {
          if (type === 'BOOKMARK' || type === 'ERROR') return;
          current = type === 'DELETED' ? undefined : obj;
          if (o.pred(current)) finish(undefined);
        },
        () => {
          if (!settled) follow().catch(fail);
        },
      );
      abort = a;
      if (settled) a.abort();
    };
    follow().catch(fail);
  });
}
