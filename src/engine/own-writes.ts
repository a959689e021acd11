// Read-your-own-writes over the informer cache. After the controller patches an object, the watch
// event carrying that change may arrive later than the next reconcile of the same key; reading the
// stale cached copy then makes guarded patches fail (Conflict) and status look unwritten (a second,
// redundant status write). The engine remembers the object as each of its own writes left it and
// serves that copy while the cache still shows a version this controller itself superseded.
// Resource versions are opaque: nothing is ordered, only compared for equality.
import type { ManagedObject } from './contract.ts';
import { objectKey } from './contract.ts';
import type { MetadataPort } from './managed.ts';
import { EXTERNAL_ARN_ANNOTATION } from './names.ts';

interface Entry {
  /** Versions our own writes replaced: a cached copy at one of these is stale. */
  superseded: Set<string>;
  latest: ManagedObject;
}

export class OwnWrites {
  readonly #entries = new Map<string, Entry>();
  /** The identity annotation value each object was last given by this controller (null: removed). */
  readonly #identity = new Map<string, string | null>();

  /** Records that a write turned the object at `before` into `after`. */
  record(key: string, before: string | undefined, after: ManagedObject | undefined): void {
    const rv = after ? after.metadata.resourceVersion : undefined;
    if (!after || rv === undefined || before === undefined || before === rv) return;
    const e = this.#entries.get(key);
    // A write based on a version other than our latest starts a new chain (someone else wrote).
    if (e && e.latest.metadata.resourceVersion === before) {
      e.superseded.add(before);
      e.latest = after;
    } else this.#entries.set(key, { superseded: new Set([before]), latest: after });
  }

  /** The copy to reconcile from: ours while the cache is behind our writes, else the cache's. */
  view(key: string, cached: ManagedObject | undefined): ManagedObject | undefined {
    const e = this.#entries.get(key);
    if (!e) return cached;
    const rv = cached?.metadata.resourceVersion;
    if (cached && rv !== undefined && e.superseded.has(rv)) return e.latest;
    // Caught up, changed by someone else, or gone: the cache is the truth again.
    this.#entries.delete(key);
    return cached;
  }

  forget(key: string): void {
    this.#entries.delete(key);
    this.#identity.delete(key);
  }

  /**
   * The identity annotation value this controller last wrote for `key` (recorded before the write
   * is sent, so a watch event racing the response is still known as ours); undefined if none.
   */
  ownIdentity(key: string): string | null | undefined {
    return this.#identity.get(key);
  }

  size(): number {
    return this.#entries.size;
  }

  /**
   * A port that records every write it passes on. `cached` (the informer cache) is looked at once
   * the write returned: its watch event often arrives before the answer, and a copy kept after the
   * cache caught up would stay until the object's next visit (a second copy of every object).
   */
  track(port: MetadataPort, cached?: (key: string) => ManagedObject | undefined): MetadataPort {
    const rec = async <T extends ManagedObject | undefined>(obj: ManagedObject, p: Promise<T>) => {
      const before = obj.metadata.resourceVersion;
      const after = await p;
      const key = objectKey(obj);
      this.record(key, before, after);
      const now = cached?.(key);
      if (now) this.view(key, now);
      return after;
    };
    return {
      patchStatus: (obj, status) => rec(obj, port.patchStatus(obj, status)),
      addFinalizer: (obj, f) => rec(obj, port.addFinalizer(obj, f)),
      removeFinalizer: (obj, f) => rec(obj, port.removeFinalizer(obj, f)),
      patchAnnotations: (obj, changes, opts) => {
        const id = changes[EXTERNAL_ARN_ANNOTATION];
        if (id !== undefined) this.#identity.set(objectKey(obj), id);
        return rec(obj, port.patchAnnotations(obj, changes, opts));
      },
    };
  }
}
