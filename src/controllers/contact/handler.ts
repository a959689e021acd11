// Contact kind handler: references (rotations of an on-call schedule; Secrets holding activation
// codes, watched only), and the wiring of validation, mapping, diff and client.
import type { Contact } from '../../crds/contact.ts';
import { type Clock, systemClock } from '../../engine/clock.ts';
import type { KindHandler, ReferenceField } from '../../engine/contract.ts';
import type { KindDeps } from '../../engine/plugin.ts';
import { waitsForOnboarding } from '../shared/onboarding.ts';
import { ReadMemory } from '../shared/read-memory.ts';
import { ActivationMemory } from './activation.ts';
import { contactConditions } from './conditions.ts';
import { diff } from './diff.ts';
import { type ContactParts, contactClient } from './external.ts';
import { type ContactState, observedStatus, rotationPath, secretPath, toDesired } from './mapping.ts';
import { validate } from './validate.ts';

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

export function contactHandler(deps: KindDeps): KindHandler<Contact, ContactState> {
  const memory = new ActivationMemory(deps.lookup);
  const reads = new ReadMemory<ContactParts>();
  const clock: Clock = (deps as KindDeps & { clock?: Clock }).clock ?? systemClock;
  return {
    kind: 'Contact',
    validate,
    references,
    toDesired: (mr, refs, writes) => toDesired(mr, refs, memory, writes),
    diff,
    observedStatus,
    conditions: contactConditions,
    nameField: 'spec.alias',
    createRefusesTakenName: true,
    createWaitsFor: waitsForOnboarding(deps, 'contact'),
    client: (clients) => contactClient({ conn: { clients }, clock, memory, reads }),
  };
}
