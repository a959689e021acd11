// ssm-contacts tags (contacts, escalation plans, on-call schedules, rotations): a list of
// {Key, Value} on the wire, a map in the spec. The ownership tags (src/engine/identity.ts, the one
// scheme) are kept out of the user's diff. Pure.
import type { Tag } from '@aws-sdk/client-ssm-contacts';
import type { FieldDiff } from '../../engine/contract.ts';
import { isOwnershipTagKey } from '../../engine/identity.ts';

/** AWS's tag quota per ssm-contacts resource (the ownership tags count against it). */
export const MAX_TAGS = 50;

export function tagsToAws(tags: Readonly<Record<string, string>> | undefined): Tag[] {
  return Object.keys(tags ?? {})
    .sort()
    .map((Key) => ({ Key, Value: tags?.[Key] ?? '' }));
}

export function tagsFromAws(list: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** The user's tags only (identity tags removed). */
export function userTags(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) if (!isOwnershipTagKey(k)) out[k] = v;
  return out;
}

/** One FieldDiff per differing key (`spec.tags.<key>`), identity tags ignored on both sides. */
export function diffTags(
  desired: Readonly<Record<string, string>> | undefined,
  observed: Readonly<Record<string, string>> | undefined,
  prefix = 'spec.tags',
): FieldDiff[] {
  const d = userTags(desired);
  const o = userTags(observed);
  const keys = [...new Set([...Object.keys(d), ...Object.keys(o)])].sort();
  return keys
    .filter((k) => d[k] !== o[k])
    .map((k) => ({ path: `${prefix}.${k}`, desired: d[k], observed: o[k], updatable: true }));
}

/** What TagResource (set) and UntagResource (remove) must send to turn observed into desired. */
export function tagDelta(
  desired: Readonly<Record<string, string>> | undefined,
  observed: Readonly<Record<string, string>> | undefined,
): { set: Record<string, string>; remove: string[] } {
  const d = userTags(desired);
  const o = userTags(observed);
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(d)) if (o[k] !== v) set[k] = v;
  const remove = Object.keys(o)
    .filter((k) => !(k in d))
    .sort();
  return { set, remove };
}
