// ssm-contacts tags (contacts, escalation plans, on-call schedules, rotations): a list of
// {Key, Value} on the wire, a map in the spec. The ownership tags that find an interrupted create
// again are kept out of the user's diff. Pure.
import type { Tag } from '@aws-sdk/client-ssm-contacts';
import type { FieldDiff } from '../../engine/contract.ts';
import { CONTACTS_TAG_PREFIX, identityTags, ownedBy, TAG_PREFIX } from '../../engine/identity.ts';

export { CONTACTS_TAG_PREFIX };

export const isIdentityTagKey = (key: string): boolean => key.startsWith(CONTACTS_TAG_PREFIX);

/** The identity tags (kind, name, namespace, uid) in ssm-contacts key spelling. */
export function contactsIdentityTags(o: {
  kind: string;
  metadata: { name: string; namespace?: string; uid: string };
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(identityTags(o)))
    out[`${CONTACTS_TAG_PREFIX}${k.slice(TAG_PREFIX.length + 1)}`] = v;
  return out;
}

/** True if the tags name the Kubernetes object with `uid` as owner. */
export const contactsOwnedBy = ownedBy;

/** Number of identity tags written on create (counts against the 50-tag quota). */
export const IDENTITY_TAG_COUNT = 4;
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
  for (const [k, v] of Object.entries(tags ?? {})) if (!isIdentityTagKey(k)) out[k] = v;
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
