// ResponsePlan: canonical observed state → spec, engagements rewritten as references; empty
// values left out (the kind reads absent and empty alike).
import type { PlanState } from '../controllers/response-plan/mapping.ts';
import type { ResponsePlanSpec } from '../crds/response-plan.ts';
import { type Imported, sortedTags } from './contact.ts';
import type { RefTable } from './refs.ts';

export function responsePlanSpec(o: PlanState, refs: RefTable): Imported<ResponsePlanSpec> {
  const rb = o.runbook;
  return {
    spec: {
      name: o.name,
      ...(o.displayName ? { displayName: o.displayName } : {}),
      incidentTemplate: {
        title: o.title,
        impact: o.impact,
        ...(o.summary ? { summary: o.summary } : {}),
        ...(o.dedupeString ? { dedupeString: o.dedupeString } : {}),
        ...(Object.keys(o.incidentTags).length ? { incidentTags: sortedTags(o.incidentTags) } : {}),
        ...(o.notificationTargets.length ? { notificationTargets: [...o.notificationTargets] } : {}),
      },
      ...(o.chatChannel ? { chatChannel: { snsTopicArns: [...o.chatChannel] } } : {}),
      ...(o.engagements.length ? { engagements: o.engagements.map((arn) => refs.target(arn)) } : {}),
      ...(rb
        ? {
            runbook: {
              documentName: rb.documentName,
              ...(rb.documentVersion ? { documentVersion: rb.documentVersion } : {}),
              roleArn: rb.roleArn,
              ...(rb.targetAccount !== 'ResponsePlanOwnerAccount' ? { targetAccount: rb.targetAccount } : {}),
              ...(Object.keys(rb.parameters).length ? { parameters: rb.parameters } : {}),
              ...(Object.keys(rb.dynamicParameters).length
                ? { dynamicParameters: rb.dynamicParameters }
                : {}),
            },
          }
        : {}),
      ...(o.pagerDuty ? { pagerDuty: { ...o.pagerDuty } } : {}),
      ...(Object.keys(o.tags).length ? { tags: sortedTags(o.tags) } : {}),
    },
    comments: [],
  };
}
