// Contact kind handler: references (rotations of an on-call schedule; Secrets holding activation
// codes, watched only), controller-side validation, and the wiring of mapping, diff and client.
import type { Contact } from '../../crds/contact.ts';
import { type Clock, systemClock } from '../../engine/clock.ts';
import type { FieldError, KindHandler, ReferenceField } from '../../engine/contract.ts';
import type { KindDeps } from '../../engine/plugin.ts';
import { ActivationMemory } from './activation.ts';
import { contactConditions } from './conditions.ts';
import { diff } from './diff.ts';
import { contactClient } from './external.ts';
import { type ContactState, observedStatus, rotationPath, secretPath, toDesired } from './mapping.ts';

export function references(mr: Contact): ReferenceField[] {
  const out: ReferenceField[] = [];
  (mr.spec.rotations ?? []).forEach((r, i) => {
    if (r.rotationRef)
      out.push({
        path: rotationPath(i),
        ref: {
          kind: 'Rotation',
          name: r.rotationRef.name,
          ...(r.rotationRef.namespace ? { namespace: r.rotationRef.namespace } : {}),
        },
      });
    else if (r.rotationArn !== undefined) out.push({ path: rotationPath(i), arn: r.rotationArn });
  });
  // A change to a Secret holding activation codes wakes the contact; the Secret is read, not resolved.
  (mr.spec.channels ?? []).forEach((c, i) => {
    if (c.activationCodeSecretRef)
      out.push({
        path: secretPath(i),
        ref: { kind: 'Secret', name: c.activationCodeSecretRef.name },
        indexOnly: true,
      });
  });
  return out;
}

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

export function contactHandler(deps: KindDeps): KindHandler<Contact, ContactState> {
  const memory = new ActivationMemory(deps.lookup);
  const clock: Clock = (deps as KindDeps & { clock?: Clock }).clock ?? systemClock;
  return {
    kind: 'Contact',
    validate,
    references,
    toDesired: (mr, refs) => toDesired(mr, refs, memory),
    diff,
    observedStatus,
    conditions: contactConditions,
    nameField: 'spec.alias',
    client: (clients) => contactClient({ conn: { clients }, clock, memory }),
  };
}
