// EscalationPlan: an ssm-contacts contact of type ESCALATION that engages contacts and on-call
// schedules stage by stage.
import {
  commonStatusProperties,
  contactsTags,
  type ManagedResource,
  managedSpecProperties,
  sharing,
  sharingStatus,
} from './common.ts';
import { contactAlias, contactDisplayName, stageDuration } from './contact.ts';
import { list, obj, optional, type Static, str } from './schema-kit.ts';
import { escalationTarget } from './targets.ts';

export { ESCALATION_PLAN_AWS_TYPE } from './values.ts';

const stage = obj(
  {
    durationInMinutes: stageDuration,
    targets: list(escalationTarget, {
      description: 'Escalation channels engaged when the stage starts.',
      minItems: 1,
      maxItems: 10,
      listType: 'atomic',
    }),
  },
  {
    description:
      'A stage: its channels are engaged, then the plan waits durationInMinutes before the next stage.',
  },
);

export const EscalationPlanSpecSchema = obj(
  {
    alias: contactAlias('escalation plan'),
    displayName: optional(contactDisplayName('escalation plan')),
    stages: list(stage, { description: 'Ordered stages.', minItems: 1, maxItems: 10, listType: 'atomic' }),
    tags: optional(contactsTags),
    sharing: optional(sharing),
    ...managedSpecProperties('Delete'),
  },
  {
    description:
      'Desired state of the escalation plan. Cycles between escalation plans are rejected by the controller before any AWS call.',
  },
);
export type EscalationPlanSpec = Static<typeof EscalationPlanSpecSchema>;

export const EscalationPlanStatusSchema = obj(
  {
    ...commonStatusProperties,
    sharing: optional(sharingStatus),
    stageTargetArns: optional(
      list(
        list(str({ description: 'Contact ARN.', maxLength: 2048 }), {
          description: 'Target ARNs of one stage.',
          maxItems: 10,
          listType: 'atomic',
        }),
        {
          description: 'Resolved target ARNs, stage by stage, as sent to AWS.',
          maxItems: 10,
          listType: 'atomic',
        },
      ),
    ),
  },
  { description: 'Observed state of the escalation plan.' },
);
export type EscalationPlanStatus = Static<typeof EscalationPlanStatusSchema>;

export type EscalationPlan = ManagedResource<EscalationPlanSpec, EscalationPlanStatus> & {
  kind: 'EscalationPlan';
};
