// Contact checks the schema cannot express: an on-call schedule lists each rotation once. Pure.
import type { Contact } from '../../crds/contact.ts';
import type { FieldError } from '../../engine/contract.ts';
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
  return errs;
}
