// Engagement targets given as exactly one of contactRef / escalationPlanRef / contactArn
// (EscalationPlan stage targets, ResponsePlan engagements): the reference field the engine resolves,
// and the ARN it resolved to (pure); and the one read that tells whether a target of another
// account is still shared with this one.
import { GetContactCommand } from '@aws-sdk/client-ssm-contacts';
import type { ClientSet } from '../../aws/accounts.ts';
import { regionOfArn } from '../../aws/contacts-region.ts';
import type { ObjectRef } from '../../crds/common.ts';
import { ClassifiedError, isClassified, keyOf, type ReferenceField } from '../../engine/contract.ts';

export interface RefOrArnTarget {
  contactRef?: ObjectRef;
  escalationPlanRef?: ObjectRef;
  contactArn?: string;
}

/** The one reference field a target names, at `${path}.contactRef|escalationPlanRef|contactArn`. */
export function targetReference(t: RefOrArnTarget, path: string): ReferenceField | undefined {
  if (t.contactRef) {
    const { name, namespace } = t.contactRef;
    return {
      path: `${path}.contactRef`,
      ref: { kind: 'Contact', name, ...(namespace ? { namespace } : {}) },
    };
  }
  if (t.escalationPlanRef) {
    const { name, namespace } = t.escalationPlanRef;
    return {
      path: `${path}.escalationPlanRef`,
      ref: { kind: 'EscalationPlan', name, ...(namespace ? { namespace } : {}) },
    };
  }
  if (t.contactArn !== undefined) return { path: `${path}.contactArn`, arn: t.contactArn };
  return undefined;
}

/** Cache key (kind/namespace/name) of the object a target references, if it is a Ref. */
export function targetObjectKey(
  t: RefOrArnTarget,
  referrerNamespace: string | undefined,
): string | undefined {
  if (t.contactRef) return keyOf('Contact', t.contactRef.namespace ?? referrerNamespace, t.contactRef.name);
  if (t.escalationPlanRef)
    return keyOf(
      'EscalationPlan',
      t.escalationPlanRef.namespace ?? referrerNamespace,
      t.escalationPlanRef.name,
    );
  return undefined;
}

/** Human label of a target for messages: `EscalationPlan ns/name` or the ARN. */
export function describeTarget(t: RefOrArnTarget, referrerNamespace: string | undefined): string {
  const r = t.contactRef
    ? ['Contact', t.contactRef]
    : t.escalationPlanRef
      ? ['EscalationPlan', t.escalationPlanRef]
      : undefined;
  if (r) {
    const [kind, ref] = r as [string, ObjectRef];
    return `${kind} ${ref.namespace ?? referrerNamespace ?? ''}/${ref.name}`.replace(' /', ' ');
  }
  return t.contactArn ?? '(no target)';
}

/** The ARN the engine resolved for the target at `path`. */
export function resolvedTargetArn(
  t: RefOrArnTarget,
  path: string,
  refs: ReadonlyMap<string, string>,
): string {
  const f = targetReference(t, path);
  const arn = f ? refs.get(f.path) : undefined;
  if (arn === undefined)
    throw new ClassifiedError('DependencyNotReady', `${f?.path ?? path}: reference not resolved yet`, {
      field: f?.path ?? path,
    });
  return arn;
}

/**
 * Whether this account can still read a contact, on-call schedule or escalation plan of another
 * account (one GetContact): AWS answers AccessDenied once the share is gone or the owner deleted it.
 * Asked in the ARN's Region (the owner's contacts Region, which need not be this account's).
 */
export async function targetReadable(
  clients: Pick<ClientSet, 'contacts' | 'contactsIn'>,
  arn: string,
): Promise<boolean> {
  const at = regionOfArn(arn);
  try {
    await (at ? clients.contactsIn(at) : clients.contacts).send(new GetContactCommand({ ContactId: arn }));
    return true;
  } catch (e) {
    if (isClassified(e) && (e.errorClass === 'AccessDenied' || e.errorClass === 'NotFound')) return false;
    throw e;
  }
}
