// The engine's one decision about AWS objects found by name (pure, so `imctl plan` says exactly
// what the controller would do): ours by ownership tag is adopted; Observe takes the first; an
// untagged one is adopted where the kind allows it (an account's single replication set); anyone
// else's name is refused, naming the external-arn annotation that adopts it on purpose. An object
// whose annotation names another account's resource (shared with this one through RAM) is only
// observed: the owner alone may tag, share or change it (domain doc §4.1).

import {
  type Candidate,
  ClassifiedError,
  type Ctx,
  type Found,
  isNotFound,
  type KindClient,
  type KindHandler,
  type ManagedObject,
} from './contract.ts';
import { hasOwner, ownedBy, ownerLabel } from './identity.ts';
import { EXTERNAL_ARN_ANNOTATION } from './names.ts';
import { managesAws } from './policy.ts';
import { accountOfArn, type Lookup } from './references.ts';

type Policy = Pick<KindHandler<ManagedObject, unknown>, 'adoptUntagged' | 'conflictReason' | 'nameField'>;

/** The candidate that is this object's AWS object, undefined for none; throws when the name is taken. */
export function chooseCandidate(
  h: Policy,
  mr: ManagedObject,
  found: readonly Candidate[],
  lookup: Lookup,
): Candidate | undefined {
  const first = found[0];
  if (!first) return undefined;
  const mine = found.find((c) => ownedBy(c.tags, mr.metadata.uid ?? ''));
  if (mine) return mine;
  // Deleting: only what carries our tag is ours to delete.
  if (mr.metadata.deletionTimestamp) return undefined;
  if (!managesAws(mr)) return first;
  const untagged = h.adoptUntagged ? found.find((c) => !hasOwner(c.tags)) : undefined;
  if (untagged) return untagged;
  throw conflict(h, first, lookup);
}

function conflict(h: Policy, other: Candidate, lookup: Lookup): ClassifiedError {
  const owner = ownerLabel(other.tags);
  // "Kind ns/name" or "Kind name" → the cache key kind/ns/name.
  const key = owner?.replace(/^(\S+) (?:([^/]+)\/)?(.+)$/, (_m, k, ns, n) => `${k}/${ns ?? ''}/${n}`);
  const whose = !owner
    ? 'was not created by this controller'
    : key && lookup(key)
      ? `is managed by ${owner} in this cluster`
      : `is tagged as managed by ${owner}, which is not in this cluster (another cluster may manage it)`;
  const field = h.nameField ?? 'spec.name';
  return new ClassifiedError(
    'InvalidSpec',
    `${field}: ${other.identity} already exists in AWS under this name and ${whose}; to manage it from this object set the ${EXTERNAL_ARN_ANNOTATION} annotation to ${other.identity}, or change ${field}`,
    { field, reason: h.conflictReason ?? 'AlreadyExists' },
  );
}

/** The object with this identity; NotFound (or the kind saying it is not this object's) is absence. */
export async function readFound<K extends ManagedObject, D>(
  c: KindClient<K, D>,
  identity: string,
  mr: K,
  ctx: Ctx<D>,
): Promise<Found<D>> {
  try {
    const r = await c.read(identity, mr, { ...ctx, identity });
    return r ? { exists: true, ...r } : { exists: false };
  } catch (e) {
    if (isNotFound(e)) return { exists: false };
    throw e;
  }
}

/**
 * The owner account of the AWS object the external-arn annotation names, when that is another
 * account than `own` (a resource shared with this one); undefined when it is this account's. Pure.
 */
export function sharedBy(mr: ManagedObject, own: string | undefined): string | undefined {
  const arn = mr.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION];
  const owner = arn === undefined ? undefined : accountOfArn(arn);
  return own !== undefined && owner !== undefined && owner !== own ? owner : undefined;
}

/** Managing another account's shared resource is refused at once, offering the read-only way. */
export function notOwner(mr: ManagedObject, owner: string, own: string): ClassifiedError {
  const arn = mr.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION] ?? '';
  return new ClassifiedError(
    'InvalidSpec',
    `${arn} belongs to account ${owner}, which shares it with account ${own}: only the owner account ${owner} can tag, share or change it. Set spec.managementPolicy: Observe to report it read-only from this account, or manage it from an AWSAccount of account ${owner}`,
    { field: `metadata.annotations.${EXTERNAL_ARN_ANNOTATION}`, rule: 'NotOwner', reason: 'NotOwner' },
  );
}
