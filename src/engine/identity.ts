// Deterministic idempotency tokens and Kubernetes-identity tags (ARCHITECTURE.md, "Identity and
// crash safety"). A token is derived from the object's uid and the pending mark written before the
// create, so a create retried after a crash replays the same token (AWS returns the first object),
// while a re-create after an out-of-band delete (new pending mark) gets a new one.
import { createHash, randomBytes } from 'node:crypto';

/**
 * Token limits from the Smithy models: ssm-contacts IdempotencyToken is 0–2048 chars of
 * `[\/a-zA-Z0-9_+=-]`; ssm-incidents ClientToken is at most 128 chars; RAM clientToken is a free
 * string (UUID recommended). Hex of SHA-256 (64 chars) satisfies all three.
 */
export const TOKEN_MAX_LENGTH = { 'ssm-contacts': 2048, 'ssm-incidents': 128, ram: 128 } as const;
export const TOKEN_PATTERN = /^[\\/a-zA-Z0-9_+=-]*$/;

export function idempotencyToken(
  uid: string,
  pendingMark: string,
  operation: string,
  maxLength = 128,
): string {
  const hex = createHash('sha256').update(`${uid}\n${pendingMark}\n${operation}`).digest('hex');
  return hex.slice(0, Math.min(maxLength, hex.length));
}

/** RAM recommends UUID-shaped tokens: the same hash, formatted as a UUID (version nibble 4, variant 8). */
export function idempotencyUuid(uid: string, pendingMark: string, operation: string): string {
  const h = idempotencyToken(uid, pendingMark, operation, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A fresh pending mark: unique per create attempt sequence. */
export function newPendingMark(
  nowMs: number,
  random: () => string = () => randomBytes(6).toString('hex'),
): string {
  return `${nowMs.toString(36)}-${random()}`;
}

/**
 * The ownership tags: one scheme for every kind that writes tags (ssm-contacts, ssm-incidents, RAM).
 * Dashes, not dots: ssm-contacts TagKey allows `[\/a-zA-Z0-9_+=-]` only (no dots); ssm-incidents TagKey
 * `^(?!aws:)[A-Za-z0-9 _=@:.+-/]+$` and RAM (free) accept the same key.
 */
export const OWNER_TAG_PREFIX = 'incidentmanager-gitops-dev/';

/**
 * Spellings written before the one scheme (ssm-incidents objects and RAM shares carried the API
 * group with dots): never written again, still recognised so objects in users' accounts are found.
 */
export const LEGACY_OWNER_TAG_PREFIXES: readonly string[] = ['incidentmanager.gitops.dev/'];

const RECOGNISED = [OWNER_TAG_PREFIX, ...LEGACY_OWNER_TAG_PREFIXES];

/** How many tags `identityTags` writes at most (they count against AWS's 50-tag quota). */
export const OWNER_TAG_COUNT = 4;

/** Tags that tie an AWS object to its Kubernetes object, used to find it again after a crash. */
export function identityTags(o: {
  kind: string;
  metadata: { name: string; namespace?: string | undefined; uid: string };
}): Record<string, string> {
  const tags: Record<string, string> = {
    [`${OWNER_TAG_PREFIX}kind`]: o.kind,
    [`${OWNER_TAG_PREFIX}name`]: o.metadata.name,
    [`${OWNER_TAG_PREFIX}uid`]: o.metadata.uid,
  };
  if (o.metadata.namespace) tags[`${OWNER_TAG_PREFIX}namespace`] = o.metadata.namespace;
  return tags;
}

/** A key of the ownership tags, in the current or a legacy spelling: never the user's, never diffed. */
export const isOwnershipTagKey = (key: string): boolean => RECOGNISED.some((p) => key.startsWith(p));

/** The uid tag keys to search by (RAM's tag filter), current spelling first. */
export const OWNER_UID_TAG_KEYS: readonly string[] = RECOGNISED.map((p) => `${p}uid`);

/** True if `tags` carry the identity of the object with `uid`. */
export function ownedBy(tags: Readonly<Record<string, string>> | undefined, uid: string): boolean {
  return OWNER_UID_TAG_KEYS.some((k) => tags?.[k] === uid);
}

/** True if `tags` carry any controller's ownership (another object's, another cluster's). */
export function hasOwner(tags: Readonly<Record<string, string>> | undefined): boolean {
  return OWNER_UID_TAG_KEYS.some((k) => tags?.[k] !== undefined);
}

export interface TaggedOwner {
  kind: string | undefined;
  name: string;
  namespace: string | undefined;
  uid: string | undefined;
}

/** The owning object as its tags name it, in whichever spelling carries a name (current first). */
export function taggedOwner(tags: Readonly<Record<string, string>> | undefined): TaggedOwner | undefined {
  for (const p of RECOGNISED) {
    const name = tags?.[`${p}name`];
    if (name)
      return { kind: tags?.[`${p}kind`], name, namespace: tags?.[`${p}namespace`], uid: tags?.[`${p}uid`] };
  }
  return undefined;
}

/** The owning object as its tags name it (kind namespace/name), for messages. */
export function ownerLabel(tags: Readonly<Record<string, string>>): string | undefined {
  const o = taggedOwner(tags);
  if (!o?.kind) return undefined;
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}
