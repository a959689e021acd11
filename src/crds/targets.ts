// Engagement targets shared by EscalationPlan stages and ResponsePlan engagements: a Contact
// (personal or on-call schedule), an EscalationPlan, or a raw contact ARN — exactly one. A response
// plan's reference may name another AWSAccount's object that shares it; an escalation plan's may not
// (AWS allows only contacts of the plan's own account there).
import { contactArn, exactlyOne, objectRef } from './common.ts';
import { bool, obj, optional, type Static } from './schema-kit.ts';

export const TARGET_FIELDS = ['contactRef', 'escalationPlanRef', 'contactArn'] as const;
const CONTACT = 'Contact (personal contact or on-call schedule)';

const targetProperties = {
  contactRef: optional(objectRef(CONTACT)),
  escalationPlanRef: optional(objectRef('EscalationPlan')),
  contactArn: optional(
    contactArn('ARN of a contact, on-call schedule or escalation plan that is not managed in this cluster.'),
  ),
};

/** What a ResponsePlan engagement's reference may name beyond the plan's own account. */
const otherAccount = (kind: string) =>
  `Reference to a ${kind} in this cluster. It may belong to another AWSAccount (the owner) that shares it with this plan's account (its spec.sharing, and an accepted invitation outside the organization: spec.acceptResourceShares): the plan then uses the owner's ARN, once the share has arrived in this account (Ready=False/ReferencesNotReady until then).`;

export const engagementTarget = obj(
  {
    contactRef: optional(objectRef(CONTACT, otherAccount(CONTACT))),
    escalationPlanRef: optional(objectRef('EscalationPlan', otherAccount('EscalationPlan'))),
    contactArn: optional(
      contactArn(
        'ARN of a contact, on-call schedule or escalation plan that is not managed in this cluster: of this account, or of another account that shares it with this one.',
      ),
    ),
  },
  {
    description: 'Who to engage: exactly one of contactRef, escalationPlanRef or contactArn.',
    rules: [exactlyOne(TARGET_FIELDS, 'each engagement')],
  },
);
export type EngagementTarget = Static<typeof engagementTarget>;

export const escalationTarget = obj(
  {
    ...targetProperties,
    isEssential: optional(
      bool({
        description: 'If this target acknowledges, later stages do not start.',
        default: false,
      }),
    ),
  },
  {
    description: 'An escalation channel: exactly one of contactRef, escalationPlanRef or contactArn.',
    rules: [exactlyOne(TARGET_FIELDS, 'each target')],
  },
);
export type EscalationTarget = Static<typeof escalationTarget>;
