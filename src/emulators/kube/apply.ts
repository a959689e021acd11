// Server-side apply and managedFields (FieldsV1), after sigs.k8s.io/structured-merge-diff:
// field sets per manager, conflicts when another manager owns a field whose value would change,
// `force` to take fields over, and list merging by x-kubernetes-list-type / -list-map-keys.

import { sameValue } from './canonical.ts';
import type { Obj } from './registry.ts';
import { errors, type StatusCause } from './status.ts';

type PE = { f: string } | { k: Record<string, unknown> } | { v: unknown } | { i: number };
type Path = PE[];

interface ManagedEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

type Schema = Record<string, unknown> | undefined;

/** Server-owned metadata that no manager owns. */
const SKIP_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

const META_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    finalizers: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    ownerReferences: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
      items: { type: 'object' },
    },
  },
};

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function childSchema(s: Schema, key: string): Schema {
  if (!s) return undefined;
  const props = s.properties as Record<string, Schema> | undefined;
  if (props?.[key]) return props[key];
  if (isObj(s.additionalProperties)) return s.additionalProperties as Schema;
  return undefined;
}

function keyOf(item: unknown, keys: string[]): Record<string, unknown> | undefined {
  if (!isObj(item)) return undefined;
  const k: Record<string, unknown> = {};
  for (const key of keys) if (item[key] !== undefined) k[key] = item[key];
  return k;
}

const enc = (p: Path) => JSON.stringify(p);
const dec = (s: string) => JSON.parse(s) as Path;

/** Leaf field paths of an object (what a manager owns when it sets it). */
function leaves(value: unknown, schema: Schema, path: Path, out: Set<string>, top = true): void {
  if (isObj(value)) {
    const entries = Object.entries(value);
    // An atomic struct (x-kubernetes-map-type: atomic) is owned as a whole.
    if ((entries.length === 0 || schema?.['x-kubernetes-map-type'] === 'atomic') && !top) {
      out.add(enc(path));
      return;
    }
    for (const [k, v] of entries) {
      if (top && (k === 'apiVersion' || k === 'kind')) continue;
      if (path.length === 1 && 'f' in path[0]! && path[0].f === 'metadata' && SKIP_META.has(k)) continue;
      const cs = path.length === 0 && k === 'metadata' ? META_SCHEMA : childSchema(schema, k);
      leaves(v, cs, [...path, { f: k }], out, false);
    }
    return;
  }
  if (Array.isArray(value) && schema) {
    const lt = schema['x-kubernetes-list-type'];
    const items = schema.items as Schema;
    if (lt === 'map') {
      const keys = (schema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
      for (const item of value) {
        const k = keyOf(item, keys);
        if (!k) continue;
        const p = [...path, { k }];
        out.add(enc(p));
        leaves(item, items, p, out, false);
      }
      return;
    }
    if (lt === 'set') {
      for (const item of value) out.add(enc([...path, { v: item }]));
      return;
    }
  }
  out.add(enc(path));
}

function fieldsToV1(paths: Set<string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const s of paths) {
    let node = root;
    const p = dec(s);
    for (const pe of p) {
      const k =
        'f' in pe
          ? `f:${pe.f}`
          : 'k' in pe
            ? `k:${JSON.stringify(pe.k)}`
            : 'v' in pe
              ? `v:${JSON.stringify(pe.v)}`
              : `i:${pe.i}`;
      node[k] = (node[k] as Record<string, unknown>) ?? {};
      node = node[k] as Record<string, unknown>;
    }
    if (p.length > 0 && 'k' in p[p.length - 1]!) node['.'] = {};
  }
  return root;
}

function v1ToFields(v1: Record<string, unknown>, prefix: Path = [], out = new Set<string>()): Set<string> {
  for (const [k, child] of Object.entries(v1)) {
    if (k === '.') {
      out.add(enc(prefix));
      continue;
    }
    const colon = k.indexOf(':');
    const t = k.slice(0, colon);
    const rest = k.slice(colon + 1);
    const pe: PE =
      t === 'f'
        ? { f: rest }
        : t === 'k'
          ? { k: JSON.parse(rest) }
          : t === 'v'
            ? { v: JSON.parse(rest) }
            : { i: Number(rest) };
    const p = [...prefix, pe];
    if (isObj(child) && Object.keys(child).length > 0) v1ToFields(child, p, out);
    else out.add(enc(p));
  }
  return out;
}

/** Value at a path, or undefined. */
function getAt(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const pe of path) {
    if ('f' in pe) cur = isObj(cur) ? cur[pe.f] : undefined;
    else if ('k' in pe)
      cur = Array.isArray(cur)
        ? cur.find((it) => isObj(it) && Object.entries(pe.k).every(([k, v]) => sameValue(it[k], v)))
        : undefined;
    else if ('v' in pe) cur = Array.isArray(cur) ? cur.find((it) => sameValue(it, pe.v)) : undefined;
    else cur = Array.isArray(cur) ? cur[pe.i] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

function setAt(obj: Record<string, unknown>, path: Path, value: unknown): void {
  let cur: unknown = obj;
  for (let i = 0; i < path.length; i++) {
    const pe = path[i]!;
    const last = i === path.length - 1;
    if ('f' in pe) {
      const o = cur as Record<string, unknown>;
      if (last) {
        o[pe.f] = structuredClone(value);
        return;
      }
      const nextPe = path[i + 1]!;
      const wantArray = 'k' in nextPe || 'v' in nextPe || 'i' in nextPe;
      if (wantArray ? !Array.isArray(o[pe.f]) : !isObj(o[pe.f])) o[pe.f] = wantArray ? [] : {};
      cur = o[pe.f];
    } else if ('k' in pe) {
      const arr = cur as unknown[];
      let item = getAt(arr, [pe]);
      if (item === undefined) {
        item = structuredClone(pe.k);
        arr.push(item);
      }
      // The item itself only needs to exist; its fields are separate leaves.
      if (last) return;
      cur = item;
    } else if ('v' in pe) {
      const arr = cur as unknown[];
      if (!arr.some((x) => sameValue(x, pe.v))) arr.push(structuredClone(pe.v));
      return;
    } else {
      (cur as unknown[])[pe.i] = structuredClone(value);
      return;
    }
  }
}

function removeAt(obj: Record<string, unknown>, path: Path): void {
  if (path.length === 0) return;
  const parent = getAt(obj, path.slice(0, -1));
  const pe = path[path.length - 1]!;
  if ('f' in pe && isObj(parent)) delete parent[pe.f];
  else if (Array.isArray(parent)) {
    const idx = parent.findIndex((it) =>
      'k' in pe
        ? isObj(it) && Object.entries(pe.k).every(([k, v]) => sameValue(it[k], v))
        : 'v' in pe
          ? sameValue(it, pe.v)
          : false,
    );
    if (idx >= 0) parent.splice(idx, 1);
  }
}

/** fieldpath.Path.String(): `.spec.items[name="a"].value`. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      if ('f' in pe) return `.${pe.f}`;
      if ('k' in pe)
        return `[${Object.entries(pe.k)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      if ('v' in pe) return `[=${JSON.stringify(pe.v)}]`;
      return `[${pe.i}]`;
    })
    .join('');
}

function entries(obj: Obj | undefined): ManagedEntry[] {
  return ((obj?.metadata?.managedFields ?? []) as ManagedEntry[]).map((e) => structuredClone(e));
}

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function printManager(e: ManagedEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  // The manager identifier never carries the time (fieldmanager.BuildManagerIdentifier).
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

function sameEntry(e: ManagedEntry, manager: string, op: string, sub: string | undefined): boolean {
  return e.manager === manager && e.operation === op && (e.subresource ?? '') === (sub ?? '');
}

function fieldsInScope(paths: Set<string>, sub: string | undefined): Set<string> {
  // The status subresource manages .status; the main resource everything else.
  const out = new Set<string>();
  for (const p of paths) {
    const first = dec(p)[0];
    const isStatus = first !== undefined && 'f' in first && first.f === 'status';
    if ((sub === 'status') === isStatus) out.add(p);
  }
  return out;
}

export interface ApplyResult {
  object: Obj;
}

/**
 * Applies `applied` for `manager` to `live` (undefined: create). Throws a 409 listing conflicts
 * unless `force`.
 */
export function applyManagedFields(
  live: Obj | undefined,
  applied: Obj,
  manager: string,
  apiVersion: string,
  force: boolean,
  sub: string | undefined,
  schema: Schema,
): ApplyResult {
  const appliedSet = new Set<string>();
  leaves(applied, schema, [], appliedSet);
  const scoped = sub === undefined ? fieldsInScope(appliedSet, undefined) : fieldsInScope(appliedSet, sub);
  const managed = entries(live);
  const result: Obj = live
    ? structuredClone(live)
    : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} };
  if (!result.metadata) result.metadata = {};
  const conflicts: { entry: ManagedEntry; path: Path }[] = [];
  const others = managed.filter((e) => !sameEntry(e, manager, 'Apply', sub));
  for (const e of others) {
    if ((e.subresource ?? '') !== (sub ?? '')) continue;
    const owned = v1ToFields(e.fieldsV1);
    for (const p of scoped) {
      if (!owned.has(p)) continue;
      const path = dec(p);
      // Shared ownership of a list item is no conflict; its fields are compared one by one.
      const lastPe = path[path.length - 1];
      if (lastPe && 'k' in lastPe) continue;
      const liveV = getAt(result, path);
      const newV = getAt(applied, path);
      if (!sameValue(liveV, newV) && !(isObj(newV) && Object.keys(newV).length === 0))
        conflicts.push({ entry: e, path });
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  // Fields this manager applied before and dropped now are removed, unless someone else owns them.
  const prev = managed.find((e) => sameEntry(e, manager, 'Apply', sub));
  if (prev) {
    const prevSet = v1ToFields(prev.fieldsV1);
    const ownedByOthers = new Set<string>();
    for (const e of others) for (const p of v1ToFields(e.fieldsV1)) ownedByOthers.add(p);
    const dropped = [...prevSet].filter((p) => !scoped.has(p) && !ownedByOthers.has(p)).map(dec);
    // Parents first: a dropped list item goes whole (with defaulted fields nobody owns).
    dropped.sort((a, b) => a.length - b.length);
    const removed: string[] = [];
    for (const p of dropped) {
      const key = enc(p);
      if (removed.some((r) => key.startsWith(r.slice(0, -1)))) continue;
      removeAt(result, p);
      removed.push(key);
    }
    // The manager owned the parents of its fields too (SMD's `.`): a parent it no longer applies,
    // left empty by the removal, goes with its last field (no `chatChannel: {snsTopicArns: []}`).
    const kept = new Set<string>();
    for (const s of [...scoped, ...ownedByOthers]) {
      const p = dec(s);
      for (let i = 1; i <= p.length; i++) kept.add(enc(p.slice(0, i)));
    }
    for (const p of dropped)
      for (let i = p.length - 1; i > 0; i--) {
        const parent = p.slice(0, i);
        if (kept.has(enc(parent))) break;
        const v = getAt(result, parent);
        const empty = (isObj(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
        if (!empty) break;
        removeAt(result, parent);
      }
  }
  const sorted = [...scoped].map(dec).sort((a, b) => a.length - b.length);
  for (const p of sorted) {
    const v = getAt(applied, p);
    if (isObj(v) && Object.keys(v).length > 0) continue;
    if (p.length > 0) setAt(result as Record<string, unknown>, p, v);
  }
  // Keep the order of map-list items as applied.
  // Forced fields change owners.
  const next: ManagedEntry[] = [];
  for (const e of managed) {
    if (sameEntry(e, manager, 'Apply', sub)) continue;
    if ((e.subresource ?? '') === (sub ?? '')) {
      const owned = v1ToFields(e.fieldsV1);
      let changed = false;
      for (const c of conflicts)
        if (c.entry.manager === e.manager && owned.delete(enc(c.path))) changed = true;
      if (changed) {
        if (owned.size === 0) continue;
        e.fieldsV1 = fieldsToV1(owned);
      }
    }
    next.push(e);
  }
  const mine: ManagedEntry = {
    manager,
    operation: 'Apply',
    apiVersion,
    time: nowIso(),
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsToV1(scoped),
  };
  if (sub) mine.subresource = sub;
  next.push(mine);
  result.metadata!.managedFields = next;
  return { object: result };
}

function conflictError(conflicts: { entry: ManagedEntry; path: Path }[]) {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.entry)}`,
    field: pathString(c.path),
  }));
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return errors.applyConflict(
      `Apply failed with 1 conflict: conflict with ${printManager(c.entry)}: ${pathString(c.path)}`,
      causes,
    );
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const m = printManager(c.entry);
    byManager.set(m, [...(byManager.get(m) ?? []), pathString(c.path)]);
  }
  const lines: string[] = [];
  for (const m of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${m}:`);
    for (const p of byManager.get(m)!) lines.push(`- ${p}`);
  }
  return errors.applyConflict(`Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`, causes);
}

/**
 * Records a non-apply write in managedFields: `manager` owns the fields it changed (all of them on
 * create); other managers lose those fields.
 */
export function recordUpdate(
  next: Obj,
  old: Obj | undefined,
  manager: string,
  apiVersion: string,
  operation: 'Update' | 'Apply',
  sub?: string,
  schema?: Schema,
  /**
   * A /status write as sent: kube resets only `spec` in its field sets, so metadata the request
   * changed is owned by the status manager although the write keeps the stored metadata.
   */
  statusRequest?: Obj,
): void {
  const changedLeaves = (a: Obj, b: Obj | undefined) => {
    const after = new Set<string>();
    leaves(a, schema, [], after);
    const before = new Set<string>();
    if (b) leaves(b, schema, [], before);
    const changed = new Set<string>();
    for (const p of after) {
      if (!before.has(p) || !sameValue(getAt(a, dec(p)), getAt(b, dec(p)))) changed.add(p);
    }
    return changed;
  };
  const scoped = fieldsInScope(changedLeaves(next, old), sub);
  const claimed = new Set<string>();
  if (statusRequest && sub === 'status')
    for (const p of changedLeaves(statusRequest, old)) {
      const first = dec(p)[0];
      if (first && 'f' in first && first.f === 'metadata') claimed.add(p);
    }
  for (const p of claimed) scoped.add(p);
  // Clients send managedFields back unchanged on PUT; the server's copy is authoritative.
  const managed = old ? entries(old) : [];
  const out: ManagedEntry[] = [];
  let mine: ManagedEntry | undefined;
  for (const e of managed) {
    if (sameEntry(e, manager, operation, sub)) {
      mine = e;
      continue;
    }
    const owned = v1ToFields(e.fieldsV1);
    let removed = false;
    for (const p of scoped) if (owned.delete(p)) removed = true;
    if (removed) {
      if (owned.size === 0) continue;
      e.fieldsV1 = fieldsToV1(owned);
    }
    out.push(e);
  }
  if (scoped.size > 0 || mine) {
    const owned = mine ? v1ToFields(mine.fieldsV1) : new Set<string>();
    for (const p of scoped) owned.add(p);
    // Fields that no longer exist are not owned by anyone.
    for (const p of [...owned]) if (getAt(next, dec(p)) === undefined && !claimed.has(p)) owned.delete(p);
    if (owned.size > 0) {
      const e: ManagedEntry = {
        manager,
        operation,
        apiVersion,
        time: nowIso(),
        fieldsType: 'FieldsV1',
        fieldsV1: fieldsToV1(owned),
      };
      if (sub) e.subresource = sub;
      out.push(e);
    }
  }
  if (!next.metadata) next.metadata = {};
  if (out.length > 0) next.metadata.managedFields = out;
  else delete next.metadata.managedFields;
}

export const _internal = { leaves, fieldsToV1, v1ToFields };
