// One in-memory store, etcd-like: a global resourceVersion counter (strictly increasing integers
// as strings), a bounded watch history per resource (older watches get 410 Expired), and
// optional persistence to a JSON file.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Obj } from './registry.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: EventType;
  object: Obj;
  /** The object before this change (selectors turn MODIFIED into ADDED/DELETED on a boundary). */
  prev?: Obj;
  rv: number;
}

export type Listener = (ev: WatchEvent) => void;

interface Bucket {
  objects: Map<string, Obj>;
  history: WatchEvent[];
  /** Highest resourceVersion no longer in history: watches from below it are expired. */
  compactedRv: number;
  listeners: Set<Listener>;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export interface Located {
  key: string;
  obj: Obj;
}

export class Store {
  private rv = 0;
  private readonly buckets = new Map<string, Bucket>();
  /** uid -> object, and owner uid -> dependents: garbage collection without full scans. */
  private readonly byUid = new Map<string, Located>();
  private readonly byOwner = new Map<string, Map<string, Located>>();
  readonly historyLimit: number;
  private readonly file: string | undefined;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(opts: { historyLimit?: number; file?: string } = {}) {
    this.historyLimit = opts.historyLimit ?? 1000;
    this.file = opts.file;
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      // A resource's history starts when it is first used (kube's watch cache starts at its
      // first list): a watch from an older resourceVersion is expired, not a replay of nothing.
      b = { objects: new Map(), history: [], compactedRv: this.rv, listeners: new Set() };
      this.buckets.set(key, b);
    }
    return b;
  }

  currentRv(): number {
    return this.rv;
  }

  nextRv(): number {
    return ++this.rv;
  }

  get(key: string, ns: string | undefined, name: string): Obj | undefined {
    return this.bucket(key).objects.get(objectKey(ns, name));
  }

  list(key: string, ns?: string): Obj[] {
    const all = [...this.bucket(key).objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return all.map(([, o]) => o).filter((o) => ns === undefined || o.metadata?.namespace === ns);
  }

  /** Stores `obj` (its metadata.resourceVersion already set to `rv`) and notifies watchers. */
  put(key: string, obj: Obj, type: EventType, rv: number): void {
    const b = this.bucket(key);
    const k = objectKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
    const prev = b.objects.get(k);
    if (type === 'DELETED') b.objects.delete(k);
    else b.objects.set(k, obj);
    this.index(key, k, prev, type === 'DELETED' ? undefined : obj);
    const ev: WatchEvent = { type, object: obj, rv };
    if (prev) ev.prev = prev;
    b.history.push(ev);
    while (b.history.length > this.historyLimit) b.compactedRv = b.history.shift()!.rv;
    for (const l of b.listeners) l(ev);
    this.scheduleSave();
  }

  private index(key: string, k: string, prev: Obj | undefined, next: Obj | undefined): void {
    const id = `${key}|${k}`;
    if (prev?.metadata?.uid) this.byUid.delete(prev.metadata.uid);
    for (const r of prev?.metadata?.ownerReferences ?? []) this.byOwner.get(r.uid)?.delete(id);
    if (!next) return;
    if (next.metadata?.uid) this.byUid.set(next.metadata.uid, { key, obj: next });
    for (const r of next.metadata?.ownerReferences ?? []) {
      let m = this.byOwner.get(r.uid);
      if (!m) {
        m = new Map();
        this.byOwner.set(r.uid, m);
      }
      m.set(id, { key, obj: next });
    }
  }

  findUid(uid: string): Located | undefined {
    return this.byUid.get(uid);
  }

  dependents(ownerUid: string): Located[] {
    return [...(this.byOwner.get(ownerUid)?.values() ?? [])];
  }

  /** Events after `rv`, or undefined when the history no longer reaches back that far. */
  since(key: string, rv: number): WatchEvent[] | undefined {
    const b = this.bucket(key);
    if (rv < b.compactedRv) return undefined;
    return b.history.filter((e) => e.rv > rv);
  }

  /** Oldest resourceVersion a watch may still start from (for the Expired message). */
  oldestRv(key: string): number {
    const b = this.bucket(key);
    return b.history[0]?.rv ?? this.rv;
  }

  /** Drops the watch history of every resource, as etcd compaction does (tests force relists). */
  compact(): void {
    for (const b of this.buckets.values()) {
      b.compactedRv = this.rv;
      b.history = [];
    }
  }

  subscribe(key: string, l: Listener): () => void {
    const b = this.bucket(key);
    b.listeners.add(l);
    return () => b.listeners.delete(l);
  }

  keys(): string[] {
    return [...this.buckets.keys()];
  }

  private scheduleSave(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, 50);
    this.saveTimer.unref();
  }

  /** Writes every object to the state file atomically. */
  save(): void {
    if (!this.file) return;
    const data: Record<string, Obj[]> = {};
    for (const [k, b] of this.buckets) if (b.objects.size > 0) data[k] = [...b.objects.values()];
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ resourceVersion: this.rv, objects: data }));
    renameSync(tmp, this.file);
  }

  /** Loads a state file written by save(); history starts empty, so old watches relist. */
  load(): boolean {
    if (!this.file) return false;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return false;
    }
    const data = JSON.parse(text) as { resourceVersion: number; objects: Record<string, Obj[]> };
    this.rv = data.resourceVersion;
    for (const [k, objs] of Object.entries(data.objects)) {
      const b = this.bucket(k);
      for (const o of objs) {
        const k2 = objectKey(o.metadata?.namespace, o.metadata?.name ?? '');
        b.objects.set(k2, o);
        this.index(k, k2, undefined, o);
      }
      b.compactedRv = this.rv;
    }
    return true;
  }

  flush(): void {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.save();
    }
  }
}
