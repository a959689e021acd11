// ReplicationSet ⇄ ssm-incidents, pure: spec → canonical desired state, GetReplicationSet +
// ListTagsForResource → canonical observed state, and the status fields shown to users.
import type { ReplicationSet as AwsReplicationSet, RegionInfo } from '@aws-sdk/client-ssm-incidents';
import { CREATED_FROM_REGION_TAG } from '../../aws/contacts-region.ts';
import type {
  KeyType,
  ReplicationSet,
  ReplicationSetState,
  ReplicationSetStatus,
} from '../../crds/replication-set.ts';
import { REPLICATION_SET_STATUS_FROM_AWS } from '../../crds/values.ts';
import type { Phase } from '../../engine/contract.ts';
import { identityTags, isOwnershipTagKey, taggedOwner } from '../../engine/identity.ts';

/** The key id AWS reports for a Region that uses the AWS owned key (no customer managed key). */
export const DEFAULT_KEY = 'DefaultKey';

/** Which kind of key a Region uses, for status (sseKmsKeyId keeps AWS's own spelling). */
export const keyTypeOf = (sseKmsKeyId: string): KeyType =>
  sseKmsKeyId === DEFAULT_KEY ? 'AWSOwnedKey' : 'CustomerManagedKey';

/** A key as people read it: the AWS owned key by that name, a customer managed key by its id. */
export const keyLabel = (sseKmsKeyId: string | undefined): string =>
  sseKmsKeyId === undefined || sseKmsKeyId === DEFAULT_KEY ? 'the AWS owned key' : `key ${sseKmsKeyId}`;

export type RegionState = 'Active' | 'Creating' | 'Deleting' | 'Failed';
const REGION_STATE: Record<string, RegionState> = {
  ACTIVE: 'Active',
  CREATING: 'Creating',
  DELETING: 'Deleting',
  FAILED: 'Failed',
};

export interface RegionConfig {
  name: string;
  /** Customer managed key (ARN, id or alias) or DEFAULT_KEY. */
  sseKmsKeyId: string;
  /** Observed only. */
  status?: RegionState;
  statusMessage?: string;
  /** Observed only: latest time the Region can have been added (ISO); removal is allowed 24 h later. */
  addedTime?: string;
}

/** Canonical form of a replication set; desired and observed share it. */
export interface Canonical {
  /** Desired: spec order (the first is the home Region). Observed: sorted by name. */
  regions: RegionConfig[];
  /** Desired: undefined = leave as AWS has it. */
  deletionProtected: boolean | undefined;
  /** The user's tags. Desired: undefined = tags are not managed (spec.tags absent). */
  tags: Record<string, string> | undefined;
  /** The controller's ownership tags (src/engine/identity.ts). Desired: undefined in Observe mode. */
  owner: Record<string, string> | undefined;
  /** Observed only. */
  status?: ReplicationSetState;
  lastModifiedTime?: string;
}

export const isOwnerTagKey = isOwnershipTagKey;

function splitTags(all: Readonly<Record<string, string>>): {
  tags: Record<string, string>;
  owner: Record<string, string>;
} {
  const tags: Record<string, string> = {};
  const owner: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) (isOwnerTagKey(k) ? owner : tags)[k] = v;
  return { tags, owner };
}

/** `writes` (the engine's Ctx.writes): ownership tags are desired only from a pass that may write them. */
export function toDesired(mr: ReplicationSet, writes: boolean): Canonical {
  const s = mr.spec;
  return {
    regions: s.regions.map((r) => ({ name: r.name, sseKmsKeyId: r.sseKmsKeyId ?? DEFAULT_KEY })),
    deletionProtected: s.deletionProtected,
    tags: s.tags === undefined ? undefined : { ...s.tags },
    owner:
      writes && mr.metadata.uid
        ? identityTags({ kind: mr.kind, metadata: { ...mr.metadata, uid: mr.metadata.uid } })
        : undefined,
  };
}

/** CreateReplicationSet's `regions` map: the AWS owned key is the absence of a key. */
export function regionsToAws(regions: readonly RegionConfig[]): Record<string, { sseKmsKeyId?: string }> {
  return Object.fromEntries(
    regions.map((r) => [r.name, r.sseKmsKeyId === DEFAULT_KEY ? {} : { sseKmsKeyId: r.sseKmsKeyId }]),
  );
}

/** Tags for CreateReplicationSet: the user's plus the ownership tags; undefined when none. */
export function createTags(d: Canonical): Record<string, string> | undefined {
  const all = { ...(d.tags ?? {}), ...(d.owner ?? {}) };
  return Object.keys(all).length > 0 ? all : undefined;
}

const iso = (d: Date | undefined): string | undefined => (d ? d.toISOString() : undefined);

/**
 * AWS → canonical. `previous` is what status showed last time: a Region's add time is the earliest
 * time we have seen for it, because AWS reports only when the Region's status last changed (an
 * upper bound of the add time, which keeps the 24-hour rule on the safe side).
 */
export function fromAws(
  rs: AwsReplicationSet,
  allTags: Readonly<Record<string, string>>,
  previous: ReplicationSetStatus | undefined,
): Canonical {
  const seen = new Map((previous?.regions ?? []).map((r) => [r.name, r.addedTime]));
  const regions = Object.entries(rs.regionMap ?? {})
    .map(([name, info]: [string, RegionInfo]) => regionFromAws(name, info, seen.get(name)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { tags, owner } = splitTags(allTags);
  const status = rs.status ? REPLICATION_SET_STATUS_FROM_AWS[rs.status] : undefined;
  const lastModifiedTime = iso(rs.lastModifiedTime);
  return {
    regions,
    deletionProtected: rs.deletionProtected ?? false,
    tags,
    owner,
    ...(status ? { status } : {}),
    ...(lastModifiedTime ? { lastModifiedTime } : {}),
  };
}

function regionFromAws(name: string, info: RegionInfo, seenAdded: string | undefined): RegionConfig {
  const updated = iso(info.statusUpdateDateTime);
  const addedTime =
    seenAdded !== undefined && updated !== undefined
      ? Date.parse(seenAdded) <= Date.parse(updated)
        ? seenAdded
        : updated
      : (updated ?? seenAdded);
  const status = info.status ? REGION_STATE[info.status] : undefined;
  return {
    name,
    sseKmsKeyId: info.sseKmsKeyId || DEFAULT_KEY,
    ...(status ? { status } : {}),
    ...(info.statusMessage ? { statusMessage: info.statusMessage } : {}),
    ...(addedTime ? { addedTime } : {}),
  };
}

/** The set's status fields (src/crds/replication-set.ts status schema). */
export function observedStatus(o: Canonical): Record<string, unknown> {
  const from = o.owner?.[CREATED_FROM_REGION_TAG];
  return {
    ...(o.status ? { status: o.status } : {}),
    ...(from ? { createdFromRegion: from } : {}),
    deletionProtected: o.deletionProtected ?? false,
    regions: o.regions.map((r) => ({
      name: r.name,
      ...(r.status ? { status: r.status } : {}),
      ...(r.statusMessage ? { statusMessage: r.statusMessage } : {}),
      sseKmsKeyId: r.sseKmsKeyId,
      keyType: keyTypeOf(r.sseKmsKeyId),
      ...(r.addedTime ? { addedTime: r.addedTime } : {}),
    })),
  };
}

/**
 * Two spellings of the same key: AWS may answer with the ARN where the spec gave the key id or
 * alias name (`1234abcd-…` ≡ `arn:aws:kms:eu-west-1:111122223333:key/1234abcd-…`).
 */
export function sameKey(a: string, b: string): boolean {
  if (a === b) return true;
  if (a === DEFAULT_KEY || b === DEFAULT_KEY) return false;
  // arn:aws:kms:<region>:<account>:key/<id> | …:alias/<name>  →  <id> | alias/<name>
  const resource = (k: string) => {
    const r = k.startsWith('arn:') ? k.split(':').slice(5).join(':') : k;
    return r.startsWith('key/') ? r.slice('key/'.length) : r;
  };
  return resource(a) === resource(b);
}

/** Who owns the set according to its ownership tags, as a cache key (kind/namespace/name). */
export function ownerOf(
  owner: Readonly<Record<string, string>> | undefined,
): { key: string; label: string; uid: string | undefined } | undefined {
  const o = taggedOwner(owner);
  if (!o) return undefined;
  const kind = o.kind ?? 'ReplicationSet';
  return {
    key: `${kind}/${o.namespace ?? ''}/${o.name}`,
    label: `${kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`,
    uid: o.uid,
  };
}

/**
 * The engine's phase: Active only when the set and every Region are ACTIVE; a FAILED set or Region
 * makes the set unavailable (replication is broken), anything moving is Pending.
 */
export function phaseOf(arn: string, o: Canonical): { phase: Phase; message?: string } {
  const failed = o.regions.filter((r) => r.status === 'Failed');
  const moving = o.regions.filter((r) => r.status !== 'Active' && r.status !== 'Failed');
  const describe = (rs: RegionConfig[]) =>
    rs
      .map((r) => `${r.name} ${r.status ?? 'unknown'}${r.statusMessage ? ` (${r.statusMessage})` : ''}`)
      .join(', ');
  if (o.status === 'Failed' || failed.length > 0)
    return {
      phase: 'Failed',
      message: `Replication set ${arn} is ${o.status ?? 'unknown'}${failed.length ? `; failed Regions: ${describe(failed)}` : ''}`,
    };
  if (o.status === 'Active' && moving.length === 0) return { phase: 'Active' };
  return {
    phase: 'Pending',
    message: `Replication set ${arn} is ${o.status ?? 'not ACTIVE'}${moving.length ? `: ${describe(moving)}` : ''}; waiting for ACTIVE`,
  };
}
