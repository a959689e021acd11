// ResponsePlan: the template for incidents (ssm-incidents response plan): who to engage, impact,
// chat channel, runbook and PagerDuty integration.
import {
  commonStatusProperties,
  IAM_ROLE_ARN_PATTERN,
  incidentsTags,
  type ManagedResource,
  managedSpecProperties,
  SNS_TOPIC_ARN_PATTERN,
  sharing,
  sharingStatus,
} from './common.ts';
import {
  bool,
  celRule,
  enumOf,
  immutable,
  int,
  list,
  map,
  obj,
  optional,
  type Static,
  str,
} from './schema-kit.ts';
import { engagementTarget } from './targets.ts';

export {
  DYNAMIC_PARAMETER_FROM_AWS,
  DYNAMIC_PARAMETER_TO_AWS,
  TARGET_ACCOUNT_FROM_AWS,
  TARGET_ACCOUNT_TO_AWS,
} from './values.ts';

export const TARGET_ACCOUNTS = ['ResponsePlanOwnerAccount', 'ImpactedAccount'] as const;
export type TargetAccount = (typeof TARGET_ACCOUNTS)[number];

export const DYNAMIC_PARAMETER_VALUES = ['IncidentRecordARN', 'InvolvedResources'] as const;
export type DynamicParameterValue = (typeof DYNAMIC_PARAMETER_VALUES)[number];

export const RESPONSE_PLAN_NAME_PATTERN = '^[a-zA-Z0-9_-]*$';
export const DOCUMENT_NAME_PATTERN = '^[a-zA-Z0-9_\\-.:/]{3,128}$';

// SSM document parameter names are 1–50 characters (ssm-incidents model); map keys are only
// reachable from CEL.
const PARAMETER_NAME_RULE = celRule(
  'self.all(k, size(k) >= 1 && size(k) <= 50)',
  'parameter names must be 1–50 characters',
);

const snsTopicArn = (description: string) =>
  str({ description, minLength: 1, maxLength: 1000, pattern: SNS_TOPIC_ARN_PATTERN });

const incidentTemplate = obj(
  {
    title: str({
      description: 'Title of every incident created from the plan (the trigger is appended).',
      minLength: 1,
      maxLength: 200,
    }),
    impact: int({
      description: 'Impact: 1 Critical, 2 High, 3 Medium, 4 Low, 5 No impact.',
      minimum: 1,
      maximum: 5,
    }),
    summary: optional(str({ description: 'Initial summary of the incident.', maxLength: 8000 })),
    dedupeString: optional(
      str({
        description: 'Open incidents in the same account with the same string are merged.',
        maxLength: 1000,
      }),
    ),
    incidentTags: optional(incidentsTags('Tags stamped on every incident created from the plan.')),
    notificationTargets: optional(
      list(snsTopicArn("SNS topic ARN in the plan's account."), {
        description:
          'SNS topics notified on incident updates (0–10); one per replication-set Region is recommended.',
        maxItems: 10,
        listType: 'set',
      }),
    ),
  },
  { description: 'Defaults for every incident created from the plan.' },
);

const chatChannel = obj(
  {
    snsTopicArns: list(snsTopicArn('SNS topic an AWS Chatbot configuration subscribes to.'), {
      description:
        "The chat channel's SNS topics (1–5), in the plan's account. Omit chatChannel for no chat channel.",
      minItems: 1,
      maxItems: 5,
      listType: 'set',
    }),
  },
  {
    description: 'AWS Chatbot chat channel (Slack, Microsoft Teams, Amazon Chime) wired through SNS topics.',
  },
);

const runbook = obj(
  {
    documentName: str({
      description: 'SSM Automation document name or ARN, e.g. AWSIncidents-CriticalIncidentRunbookTemplate.',
      minLength: 3,
      maxLength: 128,
      pattern: DOCUMENT_NAME_PATTERN,
    }),
    documentVersion: optional(
      str({
        description: 'Document version; absent = the default version at execution time.',
        maxLength: 128,
      }),
    ),
    roleArn: str({
      description:
        'IAM role Incident Manager uses to start the runbook (needs ssm:StartAutomationExecution).',
      minLength: 1,
      maxLength: 1000,
      pattern: IAM_ROLE_ARN_PATTERN,
    }),
    targetAccount: optional(
      enumOf(TARGET_ACCOUNTS, {
        description: 'Where the runbook runs: ResponsePlanOwnerAccount or ImpactedAccount.',
      }),
    ),
    parameters: optional(
      map(
        list(str({ description: 'Value (at most 512 characters).', maxLength: 512 }), {
          description: 'Values (0–100).',
          maxItems: 100,
          listType: 'atomic',
        }),
        {
          description:
            'Static document parameters: name (1–50 characters) → list of values (at most 200 names; {} means none).',
          maxProperties: 200,
          rules: [PARAMETER_NAME_RULE],
        },
      ),
    ),
    dynamicParameters: optional(
      map(
        enumOf(DYNAMIC_PARAMETER_VALUES, {
          description: 'IncidentRecordARN (String parameter) or InvolvedResources (StringList parameter).',
        }),
        {
          description:
            'Parameters filled when an incident is created: name (1–50 characters) → source (at most 200 names; {} means none).',
          maxProperties: 200,
          rules: [PARAMETER_NAME_RULE],
        },
      ),
    ),
  },
  {
    description: 'SSM Automation runbook started for each incident.',
    rules: [
      celRule(
        '!has(self.parameters) || !has(self.dynamicParameters) || self.parameters.all(k, !(k in self.dynamicParameters))',
        'a parameter name must not appear in both parameters and dynamicParameters',
      ),
    ],
  },
);

const pagerDuty = obj(
  {
    name: str({ description: 'Name of the PagerDuty configuration.', minLength: 1, maxLength: 200 }),
    secretId: str({
      description: 'Secrets Manager secret id holding the PagerDuty credentials (same Region; no spaces).',
      minLength: 1,
      maxLength: 512,
      pattern: '^[^\\s]+$',
    }),
    serviceId: str({
      description: 'PagerDuty service in which incidents are opened.',
      minLength: 1,
      maxLength: 200,
    }),
    verifySecretValue: optional(
      bool({
        description:
          "Also read the secret's value (secretsmanager:GetSecretValue) and check its keys before the plan is written (absent = false); the value is never logged, stored or shown.",
      }),
    ),
  },
  { description: 'PagerDuty integration: every incident also opens a PagerDuty incident.' },
);

export const ResponsePlanSpecSchema = obj(
  {
    name: str({
      description: 'Response plan name (part of its ARN): letters, digits, _ and -; immutable.',
      minLength: 1,
      maxLength: 200,
      pattern: RESPONSE_PLAN_NAME_PATTERN,
      rules: [immutable('name')],
    }),
    displayName: optional(
      str({ description: 'Name shown when picking a plan; defaults to name.', maxLength: 200 }),
    ),
    incidentTemplate,
    chatChannel: optional(chatChannel),
    engagements: optional(
      list(engagementTarget, {
        description:
          'Contacts, on-call schedules and escalation plans engaged at incident start (at most 5).',
        maxItems: 5,
        listType: 'atomic',
        rules: [celRule('self.all(e, self.exists_one(f, f == e))', 'engagements must be unique')],
      }),
    ),
    runbook: optional(runbook),
    pagerDuty: optional(pagerDuty),
    tags: optional(incidentsTags('Tags on the response plan.')),
    sharing: optional(sharing),
    ...managedSpecProperties('Delete'),
  },
  { description: 'Desired state of the response plan.' },
);
export type ResponsePlanSpec = Static<typeof ResponsePlanSpecSchema>;

export const ResponsePlanStatusSchema = obj(
  {
    ...commonStatusProperties,
    sharing: optional(sharingStatus),
    engagementArns: optional(
      list(str({ description: 'Contact ARN.', maxLength: 2048 }), {
        description: 'Resolved engagement ARNs.',
        maxItems: 5,
        listType: 'atomic',
      }),
    ),
  },
  { description: 'Observed state of the response plan.' },
);
export type ResponsePlanStatus = Static<typeof ResponsePlanStatusSchema>;

export type ResponsePlan = ManagedResource<ResponsePlanSpec, ResponsePlanStatus> & { kind: 'ResponsePlan' };
