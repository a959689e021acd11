// ReplicationSet: pure diff (in spec paths) and the plan of AWS calls that moves AWS one step
// toward the spec. Region changes go one per call (UpdateReplicationSet takes exactly one action)
// and wait for ACTIVE in between, so a plan holds at most one Region action.
import type { FieldDiff } from '../../engine/contract.ts';
import { type Canonical, DEFAULT_KEY, keyLabel, type RegionConfig, sameKey } from './mapping.ts';

/** AWS allows at most three Regions in a replication set. */
export const MAX_REGIONS = 3;
/** A Region can be removed only this long after it was added. */
export const REGION_MIN_AGE_MS = 24 * 60 * 60 * 1000;

export const regionPath = (name: string): string => `spec.regions[name=${name}]`;

const plainRegion = (r: RegionConfig) => ({ name: r.name, sseKmsKeyId: r.sseKmsKeyId });

export function diff(desired: Canonical, observed: Canonical): FieldDiff[] {
  const out: FieldDiff[] = [];
  const seen = new Map(observed.regions.map((r) => [r.name, r]));
  const wanted = new Set(desired.regions.map((r) => r.name));
  for (const d of desired.regions) {
    const o = seen.get(d.name);
    if (!o)
      out.push({ path: regionPath(d.name), desired: plainRegion(d), observed: undefined, updatable: true });
    else if (!sameKey(d.sseKmsKeyId, o.sseKmsKeyId))
      // AWS has no call that changes a Region's key (domain doc §2.1, §3.4).
      out.push({
        path: `${regionPath(d.name)}.sseKmsKeyId`,
        desired: d.sseKmsKeyId,
        observed: o.sseKmsKeyId,
        updatable: false,
        remedy: `AWS encrypts Region ${d.name} with ${keyLabel(o.sseKmsKeyId)} and the spec asks for ${keyLabel(d.sseKmsKeyId)}; AWS cannot change a Region's KMS key: ${o.sseKmsKeyId === DEFAULT_KEY ? 'leave sseKmsKeyId out' : 'set the key AWS has'}, or remove Region ${d.name} from spec.regions (allowed 24 hours after it was added, never the last Region), let the controller remove it, then add it again with the new key; recreating the whole replication set erases all incident data`,
      });
  }
  for (const o of observed.regions)
    if (!wanted.has(o.name))
      out.push({ path: regionPath(o.name), desired: undefined, observed: plainRegion(o), updatable: true });

  if (desired.deletionProtected !== undefined && desired.deletionProtected !== observed.deletionProtected)
    out.push({
      path: 'spec.deletionProtected',
      desired: desired.deletionProtected,
      observed: observed.deletionProtected ?? false,
      updatable: true,
    });

  if (desired.tags !== undefined) out.push(...diffMap(desired.tags, observed.tags ?? {}));
  // Ownership tags go on at create only: an adopted set is ours by its identity annotation, and
  // adopting writes nothing to AWS (as in every other kind).
  return out;
}

function diffMap(
  desired: Readonly<Record<string, string>>,
  observed: Readonly<Record<string, string>>,
): FieldDiff[] {
  const out: FieldDiff[] = [];
  const keys = new Set([...Object.keys(desired), ...Object.keys(observed)]);
  for (const k of [...keys].sort())
    if (desired[k] !== observed[k])
      out.push({ path: `spec.tags.${k}`, desired: desired[k], observed: observed[k], updatable: true });
  return out;
}

export type RegionAction =
  | { addRegionAction: { regionName: string; sseKmsKeyId?: string } }
  | { deleteRegionAction: { regionName: string } };

export type AwsCall =
  | { op: 'TagResource'; tags: Record<string, string> }
  | { op: 'UntagResource'; keys: string[] }
  | { op: 'UpdateDeletionProtection'; deletionProtected: boolean }
  | { op: 'UpdateReplicationSet'; action: RegionAction };

export interface Plan {
  /** In order: tags, deletion protection, then at most one Region action. */
  calls: AwsCall[];
  /** A Region removal that the 24-hour rule holds back until `until` (epoch ms). */
  wait?: { until: number; field: string; message: string };
}

/**
 * The next calls. Adds go before removals (more redundancy while moving, and the last Region is
 * never removed), unless the set is full; a Region is removed only 24 h after it was added.
 */
export function planUpdate(desired: Canonical, observed: Canonical, nowMs: number): Plan {
  const calls: AwsCall[] = [];
  const d = diff(desired, observed);
  const tagged: Record<string, string> = {};
  const untagged: string[] = [];
  for (const f of d)
    if (f.path.startsWith('spec.tags.')) {
      const key = f.path.slice('spec.tags.'.length);
      if (f.desired === undefined) untagged.push(key);
      else tagged[key] = f.desired as string;
    }
  if (Object.keys(tagged).length > 0) calls.push({ op: 'TagResource', tags: tagged });
  if (untagged.length > 0) calls.push({ op: 'UntagResource', keys: untagged });
  if (desired.deletionProtected !== undefined && desired.deletionProtected !== observed.deletionProtected)
    calls.push({ op: 'UpdateDeletionProtection', deletionProtected: desired.deletionProtected });

  const present = new Set(observed.regions.map((r) => r.name));
  const wanted = new Set(desired.regions.map((r) => r.name));
  const adds = desired.regions.filter((r) => !present.has(r.name));
  const removes = observed.regions.filter((r) => !wanted.has(r.name));
  const count = observed.regions.length;
  if (adds[0] && count < MAX_REGIONS) {
    const a = adds[0];
    calls.push({
      op: 'UpdateReplicationSet',
      action: {
        addRegionAction: {
          regionName: a.name,
          ...(a.sseKmsKeyId === DEFAULT_KEY ? {} : { sseKmsKeyId: a.sseKmsKeyId }),
        },
      },
    });
    return { calls };
  }
  if (removes.length === 0 || count <= 1) return { calls };
  const earliest = (r: RegionConfig) => {
    const added = r.addedTime ?? observed.lastModifiedTime;
    return added === undefined ? nowMs : Date.parse(added) + REGION_MIN_AGE_MS;
  };
  const ready = removes.find((r) => earliest(r) <= nowMs);
  if (ready) {
    calls.push({ op: 'UpdateReplicationSet', action: { deleteRegionAction: { regionName: ready.name } } });
    return { calls };
  }
  const next = [...removes].sort((a, b) => earliest(a) - earliest(b))[0] as RegionConfig;
  const until = earliest(next);
  return {
    calls,
    wait: {
      until,
      field: regionPath(next.name),
      message: `Region ${next.name} is no longer in spec.regions but was added at ${next.addedTime ?? observed.lastModifiedTime}; AWS removes a Region only 24 hours after it was added, so the controller removes it at ${new Date(until).toISOString()}`,
    },
  };
}
