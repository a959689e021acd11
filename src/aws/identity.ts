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

export const TAG_PREFIX = 'incidentmanager.gitops.dev';

/** Tags that tie an AWS object to its Kubernetes object, used to find it again after a crash. */
export function identityTags(o: {
  kind: string;
  metadata: { name: string; namespace?: string; uid: string };
}): Record<string, string> {
  const tags: Record<string, string> = {
    [`${TAG_PREFIX}/kind`]: o.kind,
    [`${TAG_PREFIX}/name`]: o.metadata.name,
    [`${TAG_PREFIX}/uid`]: o.metadata.uid,
  };
  if (o.metadata.namespace) tags[`${TAG_PREFIX}/namespace`] = o.metadata.namespace;
  return tags;
}

/** True if `tags` carry the identity of the object with `uid`. */
export function ownedBy(tags: Record<string, string> | undefined, uid: string): boolean {
  return tags?.[`${TAG_PREFIX}/uid`] === uid;
}
