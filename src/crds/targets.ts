// Engagement targets shared by EscalationPlan stages and ResponsePlan engagements: a Contact
// (personal or on-call schedule), an EscalationPlan, or a raw contact ARN — exactly one.
import { contactArn, exactlyOne, objectRef } from './common.ts';
import { bool, obj, optional, type Static } from './schema-kit.ts';

export const TARGET_FIELDS = ['contactRef', 'escalationPlanRef', 'contactArn'] as const;

const targetProperties = {
  contactRef: optional(objectRef('Contact (personal contact or on-call schedule)')),
  escalationPlanRef: optional(objectRef('EscalationPlan')),
  contactArn: optional(
    contactArn('ARN of a contact, on-call schedule or escalation plan that is not managed in this cluster.'),
  ),
};

export const engagementTarget = obj(targetProperties, {
  description: 'Who to engage: exactly one of contactRef, escalationPlanRef or contactArn.',
  rules: [exactlyOne(TARGET_FIELDS, 'each engagement')],
});
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
