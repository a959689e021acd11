// ResponsePlan checks the schema cannot express: engagement ARNs, SNS topics in the plan's own
// account, the tag quota and reserved keys, runbook parameter sizes (model limits). Pure.
import type { ResponsePlan } from '../../crds/response-plan.ts';
import type { FieldError } from '../../engine/contract.ts';
import { isIdentityTag } from './mapping.ts';

/** What ssm-incidents accepts as an engagement: a contact (personal, escalation plan or schedule) ARN. */
const ENGAGEMENT_ARN = /^arn:aws(-cn|-us-gov)?:ssm-contacts:[a-z0-9-]*:([0-9]{12}):contact\/[a-z0-9_-]+$/;
const SNS_ACCOUNT = /^arn:aws(?:-cn|-us-gov)?:sns:[a-z0-9-]+:(\d{12}):/;
/** ssm-incidents TagMap holds 50; the controller's identity tags take up to 4 of them. */
const MAX_USER_TAGS = 46;
/** SsmParameters (model): names 1–50 characters, values up to 512. */
const PARAM_NAME_MAX = 50;
const PARAM_VALUE_MAX = 512;

/** Checks the schema cannot express. `accountId` is the plan's account when known (AWSAccount). */
export function validate(mr: ResponsePlan, accountId: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const s = mr.spec;
  (s.engagements ?? []).forEach((e, i) => {
    if (e.contactArn !== undefined && !ENGAGEMENT_ARN.test(e.contactArn))
      errs.push({
        path: `spec.engagements[${i}].contactArn`,
        rule: 'EngagementArn',
        message: `${e.contactArn} is not a contact, escalation plan or on-call schedule ARN (arn:aws:ssm-contacts:<region>:<account>:contact/<alias>)`,
      });
  });
  if (accountId !== undefined) {
    const topics: [string, readonly string[]][] = [
      ['spec.chatChannel.snsTopicArns', s.chatChannel?.snsTopicArns ?? []],
      ['spec.incidentTemplate.notificationTargets', s.incidentTemplate.notificationTargets ?? []],
    ];
    for (const [path, arns] of topics)
      arns.forEach((arn, i) => {
        const owner = SNS_ACCOUNT.exec(arn)?.[1];
        if (owner !== undefined && owner !== accountId)
          errs.push({
            path: `${path}[${i}]`,
            rule: 'SnsTopicSameAccount',
            message: `SNS topic ${arn} is in account ${owner}; Incident Manager only publishes to topics in the response plan's account ${accountId}`,
          });
      });
  }
  const tagKeys = Object.keys(s.tags ?? {});
  if (tagKeys.length > MAX_USER_TAGS)
    errs.push({
      path: 'spec.tags',
      rule: 'TagCount',
      message: `${tagKeys.length} tags; at most ${MAX_USER_TAGS} (AWS allows 50 and the controller uses 4 to recognise its plans)`,
    });
  const own = tagKeys.filter(isIdentityTag);
  if (own.length)
    errs.push({
      path: 'spec.tags',
      rule: 'ReservedTagKey',
      message: `tag keys ${own.join(', ')} are reserved for the controller`,
    });
  for (const [name, values] of Object.entries(s.runbook?.parameters ?? {})) {
    if (name.length > PARAM_NAME_MAX)
      errs.push({
        path: `spec.runbook.parameters.${name}`,
        rule: 'ParameterName',
        message: `parameter names are at most ${PARAM_NAME_MAX} characters`,
      });
    values.forEach((v, i) => {
      if (v.length > PARAM_VALUE_MAX)
        errs.push({
          path: `spec.runbook.parameters.${name}[${i}]`,
          rule: 'ParameterValue',
          message: `parameter values are at most ${PARAM_VALUE_MAX} characters (${v.length})`,
        });
    });
  }
  for (const name of Object.keys(s.runbook?.dynamicParameters ?? {}))
    if (name.length > PARAM_NAME_MAX)
      errs.push({
        path: `spec.runbook.dynamicParameters.${name}`,
        rule: 'ParameterName',
        message: `parameter names are at most ${PARAM_NAME_MAX} characters`,
      });
  return errs;
}
