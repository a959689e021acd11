// Patch formats the API server accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
// strategic merge patch for the built-in kinds (merge keys from the Kubernetes type definitions).
import fjp from 'fast-json-patch';
import { errors } from './status.ts';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902 through fast-json-patch; a failed `test` or a bad path is a 422 as on the real server. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (ops === null) return structuredClone(target); // Go decodes null into an empty list of operations
  if (!Array.isArray(ops)) {
    const goType = typeof ops === 'object' ? 'object' : typeof ops === 'boolean' ? 'bool' : typeof ops;
    throw errors.badRequest(
      `error decoding patch: json: cannot unmarshal ${goType} into Go value of type []handlers.jsonPatchOp`,
    );
  }
  try {
    return fjp.applyPatch(structuredClone(target), ops as fjp.Operation[], true, false).newDocument;
  } catch (e) {
    const msg = e instanceof Error ? (e.message.split('\n')[0] ?? 'invalid patch') : String(e);
    const code = (e as { name?: string }).name ?? '';
    // A malformed operation is a bad request; one that cannot apply (failed test, missing path) is 422.
    if (
      code.startsWith('OPERATION_') &&
      code !== 'OPERATION_PATH_UNRESOLVABLE' &&
      code !== 'OPERATION_PATH_CANNOT_ADD'
    )
      throw errors.badRequest(msg);
    throw new JsonPatchError(msg);
  }
}

export class JsonPatchError extends Error {}

/**
 * Strategic-merge list semantics of the fields our built-in kinds have
 * (`patchStrategy:"merge"` tags in k8s.io/api): path -> merge key, or '' for a merged primitive list.
 */
const MERGE_KEYS: Record<string, string> = {
  'metadata.ownerReferences': 'uid',
  'metadata.finalizers': '',
  secrets: 'name',
  imagePullSecrets: 'name',
};

/** Strategic merge patch: merge patch plus list merging by key and the `$patch`/`$setElementOrder` directives. */
export function strategicMergePatch(target: Json, patch: Json, path = ''): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _r, ...rest } = patch;
    return strategicMergePatch({}, rest, path);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    const childPath = path === '' ? k : `${path}.${k}`;
    if (v === null) {
      delete out[k];
      continue;
    }
    const mergeKey = MERGE_KEYS[childPath];
    if (Array.isArray(v) && mergeKey !== undefined) {
      out[k] = mergeList(Array.isArray(out[k]) ? (out[k] as Json[]) : [], v, mergeKey, childPath);
      continue;
    }
    const merged = strategicMergePatch(out[k], v, childPath);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function mergeList(cur: Json[], patch: Json[], key: string, path: string): Json[] {
  if (key === '') {
    const out = [...cur];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const out = [...cur];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const idx = out.findIndex((c) => isObject(c) && c[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) {
      out[idx] = strategicMergePatch(out[idx], item, path);
    } else {
      out.push(strategicMergePatch({}, item, path));
    }
  }
  return out;
}
