// Contact checks the schema cannot express: an on-call schedule lists each rotation once; tags
// leave room for the ownership tags and use none of the reserved prefixes. Pure.
import type { Contact } from '../../crds/contact.ts';
import type { FieldError } from '../../engine/contract.ts';
import { OWNER_TAG_COUNT } from '../../engine/identity.ts';
import { MAX_TAGS } from '../shared/contacts-tags.ts';
import { reservedTagKeyErrors } from '../shared/tag-rules.ts';
import { rotationPath } from './mapping.ts';

export function validate(mr: Contact): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, number>();
  (mr.spec.rotations ?? []).forEach((r, i) => {
    const id = r.rotationRef
      ? `ref:${r.rotationRef.namespace ?? mr.metadata.namespace ?? ''}/${r.rotationRef.name}`
      : `arn:${r.rotationArn}`;
    const first = seen.get(id);
    if (first !== undefined)
      errs.push({
        path: rotationPath(i),
        rule: 'UniqueRotations',
        message: `names the same rotation as spec.rotations[${first}]; an on-call schedule lists each rotation once`,
      });
    else seen.set(id, i);
  });
  const tags = Object.keys(mr.spec.tags ?? {});
  if (tags.length > MAX_TAGS - OWNER_TAG_COUNT)
    errs.push({
      path: 'spec.tags',
      rule: 'TagQuota',
      message: `${tags.length} tags; at most ${MAX_TAGS - OWNER_TAG_COUNT} (AWS allows ${MAX_TAGS} and the controller uses up to ${OWNER_TAG_COUNT} to recognise its contact)`,
    });
  errs.push(...reservedTagKeyErrors(mr.spec.tags));
  return errs;
}
