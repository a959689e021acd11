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

/**
 * ssm-contacts tag keys match `^[\\/a-zA-Z0-9_+=-]*$` (model TagKey): no dots, so there the same
 * ownership keys are spelt with dashes. Both spellings name an owner wherever they are found.
 */
export const CONTACTS_TAG_PREFIX = `${TAG_PREFIX.replaceAll('.', '-')}/`;

const uidKeys = [`${TAG_PREFIX}/uid`, `${CONTACTS_TAG_PREFIX}uid`];

/** True if `tags` carry the identity of the object with `uid`. */
export function ownedBy(tags: Readonly<Record<string, string>> | undefined, uid: string): boolean {
  return uidKeys.some((k) => tags?.[k] === uid);
}

/** True if `tags` carry any controller's ownership (another object's, another cluster's). */
export function hasOwner(tags: Readonly<Record<string, string>> | undefined): boolean {
  return uidKeys.some((k) => tags?.[k] !== undefined);
}

/** The owning object as its tags name it (kind namespace/name), for messages. */
export function ownerLabel(tags: Readonly<Record<string, string>>): string | undefined {
  for (const p of [`${TAG_PREFIX}/`, CONTACTS_TAG_PREFIX]) {
    const kind = tags[`${p}kind`];
    const name = tags[`${p}name`];
    if (kind && name) {
      const ns = tags[`${p}namespace`];
      return `${kind} ${ns ? `${ns}/` : ''}${name}`;
    }
  }
  return undefined;
}
