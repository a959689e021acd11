// ReplicationSet checks the schema cannot express: a Region's KMS key in that Region, the
// controller's reserved tag keys, and the tag quota. Pure.
import type { ReplicationSet } from '../../crds/replication-set.ts';
import type { FieldError } from '../../engine/contract.ts';
import { isOwnershipTagKey, OWNER_TAG_PREFIX } from '../../engine/identity.ts';

/** ssm-incidents TagMap holds 50; the ownership tags and the created-from-region tag take 5 of them. */
export const MAX_USER_TAGS = 45;
const KMS_ARN_REGION = /^arn:aws(?:-cn|-us-gov)?:kms:([a-z0-9-]+):/;

export function validate(mr: ReplicationSet): FieldError[] {
  const errs: FieldError[] = [];
  mr.spec.regions.forEach((r, i) => {
    const keyRegion = r.sseKmsKeyId ? KMS_ARN_REGION.exec(r.sseKmsKeyId)?.[1] : undefined;
    if (keyRegion !== undefined && keyRegion !== r.name)
      errs.push({
        path: `spec.regions[${i}].sseKmsKeyId`,
        rule: 'KeyInSameRegion',
        reason: 'InvalidKmsKey',
        message: `the KMS key ${r.sseKmsKeyId} is in ${keyRegion}; a Region's key must be a symmetric customer managed key in that same Region (${r.name}), or omitted for the AWS owned key`,
      });
  });
  const keys = Object.keys(mr.spec.tags ?? {});
  const own = keys.filter(isOwnershipTagKey);
  if (own.length > 0)
    errs.push({
      path: 'spec.tags',
      rule: 'ReservedTagKey',
      message: `${own.join(', ')}: keys under ${OWNER_TAG_PREFIX} are the controller's ownership tags; use another prefix`,
    });
  if (keys.length > MAX_USER_TAGS)
    errs.push({
      path: 'spec.tags',
      rule: 'TagCount',
      message: `${keys.length} tags; at most ${MAX_USER_TAGS} (AWS allows 50 and the controller uses 5 to recognise the set and its first Region)`,
    });
  return errs;
}
