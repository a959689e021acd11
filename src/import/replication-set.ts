// ReplicationSet: canonical observed state → spec. The home Region (the account's, where
// ssm-contacts objects live) first, the others by name; the AWS owned key is the absence of a key.
import { type Canonical, DEFAULT_KEY } from '../controllers/replication-set/mapping.ts';
import type { ReplicationSetSpec } from '../crds/replication-set.ts';
import { type Imported, sortedTags } from './contact.ts';

export function replicationSetSpec(o: Canonical, homeRegion: string): Imported<ReplicationSetSpec> {
  const regions = [...o.regions].sort(
    (a, b) => Number(b.name === homeRegion) - Number(a.name === homeRegion) || a.name.localeCompare(b.name),
  );
  return {
    spec: {
      regions: regions.map((r) => ({
        name: r.name,
        ...(r.sseKmsKeyId === DEFAULT_KEY ? {} : { sseKmsKeyId: r.sseKmsKeyId }),
      })),
      deletionProtected: o.deletionProtected ?? false,
      ...(o.tags && Object.keys(o.tags).length ? { tags: sortedTags(o.tags) } : {}),
    },
    comments: [],
  };
}
