// Tag keys a user may not put in spec.tags, for every kind that writes tags: the controller's
// ownership prefixes (src/engine/identity.ts, current and legacy spellings) and AWS's own `aws:`
// prefix. Pure.
import type { FieldError } from '../../engine/contract.ts';
import { isOwnershipTagKey, OWNER_TAG_PREFIX } from '../../engine/identity.ts';

/** AWS reserves tag keys starting with this for itself. */
export const AWS_TAG_PREFIX = 'aws:';

/** One `ReservedTagKey` error per key of `tags` the user may not set, at `spec.tags.<key>`. */
export function reservedTagKeyErrors(
  tags: Readonly<Record<string, string>> | undefined,
  prefix = 'spec.tags',
): FieldError[] {
  const out: FieldError[] = [];
  for (const k of Object.keys(tags ?? {})) {
    if (isOwnershipTagKey(k))
      out.push({
        path: `${prefix}.${k}`,
        rule: 'ReservedTagKey',
        message: `tag keys under ${OWNER_TAG_PREFIX} are the controller's ownership tags; use another key`,
      });
    else if (k.toLowerCase().startsWith(AWS_TAG_PREFIX))
      out.push({
        path: `${prefix}.${k}`,
        rule: 'ReservedTagKey',
        message: `tag keys starting with ${AWS_TAG_PREFIX} are reserved for AWS; use another key`,
      });
  }
  return out;
}
