// Generated bound tests: every constrained member of every ssm-incidents operation we serve, just
// inside and just outside each bound, sent through the official SDK. Values come from the model
// table (model/bounds.ts); only the valid baselines below are written by hand.
import * as sdk from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundCases, constrainedPaths } from '../../../src/emulators/aws/model/bounds.ts';
import { MODELS } from '../../../src/emulators/aws/model/generated.ts';
import type { ModelTable } from '../../../src/emulators/aws/model/types.ts';
import { type Harness, startHarness } from './helpers.ts';

const table = MODELS['ssm-incidents'] as ModelTable;
const RS = 'arn:aws:ssm-incidents::111111111111:replication-set/abc';
const PLAN = 'arn:aws:ssm-incidents::111111111111:response-plan/plan';
const CONTACT = 'arn:aws:ssm-contacts:us-east-1:111111111111:contact/oncall';
const ssmAutomation = {
  roleArn: 'arn:aws:iam::111111111111:role/runbook',
  documentName: 'AWS-Restart',
  documentVersion: '1',
  targetAccount: 'RESPONSE_PLAN_OWNER_ACCOUNT',
  parameters: { key: ['value'] },
  dynamicParameters: { incident: { variable: 'INCIDENT_RECORD_ARN' } },
};
const integrations = [
  {
    pagerDutyConfiguration: {
      name: 'pd',
      secretId: 'secret',
      pagerDutyIncidentConfiguration: { serviceId: 'svc' },
    },
  },
];

const BASELINES: Record<string, Record<string, unknown>> = {
  CreateReplicationSet: {
    regions: { 'us-east-1': { sseKmsKeyId: 'alias/key' } },
    clientToken: 'token',
    tags: { env: 'prod' },
  },
  GetReplicationSet: { arn: RS },
  ListReplicationSets: { maxResults: 10, nextToken: 'token' },
  UpdateReplicationSet: {
    arn: RS,
    actions: [{ addRegionAction: { regionName: 'eu-west-1', sseKmsKeyId: 'alias/k' } }],
    clientToken: 'tok',
  },
  // A second baseline for the other union member (keys after '#' name variants of one operation).
  'UpdateReplicationSet#delete': { arn: RS, actions: [{ deleteRegionAction: { regionName: 'eu-west-1' } }] },
  UpdateDeletionProtection: { arn: RS, deletionProtected: true, clientToken: 'tok' },
  DeleteReplicationSet: { arn: RS },
  CreateResponsePlan: {
    name: 'plan',
    displayName: 'Plan',
    clientToken: 'tok',
    incidentTemplate: {
      title: 'title',
      impact: 3,
      summary: 'summary',
      dedupeString: 'dedupe',
      notificationTargets: [{ snsTopicArn: 'arn:aws:sns:us-east-1:111111111111:topic' }],
      incidentTags: { team: 'sre' },
    },
    chatChannel: { chatbotSns: ['arn:aws:sns:us-east-1:111111111111:chat'] },
    engagements: [CONTACT],
    actions: [{ ssmAutomation }],
    integrations,
    tags: { env: 'prod' },
  },
  GetResponsePlan: { arn: PLAN },
  ListResponsePlans: { maxResults: 10, nextToken: 'token' },
  UpdateResponsePlan: {
    arn: PLAN,
    clientToken: 'tok',
    displayName: 'Plan',
    incidentTemplateTitle: 'title',
    incidentTemplateImpact: 2,
    incidentTemplateSummary: 'summary',
    incidentTemplateDedupeString: 'dedupe',
    incidentTemplateNotificationTargets: [{ snsTopicArn: 'arn:aws:sns:us-east-1:111111111111:topic' }],
    incidentTemplateTags: { team: 'sre' },
    chatChannel: { chatbotSns: ['arn:aws:sns:us-east-1:111111111111:chat'] },
    engagements: [CONTACT],
    actions: [{ ssmAutomation }],
    integrations,
  },
  DeleteResponsePlan: { arn: PLAN },
  TagResource: { resourceArn: PLAN, tags: { env: 'prod' } },
  UntagResource: { resourceArn: PLAN, tagKeys: ['env'] },
  ListTagsForResource: { resourceArn: PLAN },
  PutResourcePolicy: { resourceArn: PLAN, policy: '{}' },
  GetResourcePolicies: { resourceArn: PLAN, maxResults: 10, nextToken: 'token' },
  DeleteResourcePolicy: { resourceArn: PLAN, policyId: 'policy' },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.emu.stop());

const opOf = (key: string) => key.split('#')[0] as string;

describe.each(Object.entries(BASELINES).filter(([key, b]) => boundCases(table, opOf(key), b).length > 0))(
  '%s',
  (key, baseline) => {
    const operation = opOf(key);
    const cases = boundCases(table, operation, baseline);
    it.each(cases.map((c) => [c.description, c] as const))('%s', async (_d, c) => {
      const Command = (sdk as unknown as Record<string, new (i: unknown) => sdk.ListResponsePlansCommand>)[
        `${operation}Command`
      ];
      if (!Command) throw new Error(`no SDK command for ${operation}`);
      const client = h.incidents();
      let error: { name: string; status: number; message: string } | undefined;
      try {
        await client.send(new Command(c.input));
      } catch (e) {
        const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
        error = { name: err.name, status: err.$metadata?.httpStatusCode ?? 0, message: err.message };
      }
      // SDK 3.523 refuses a missing required URI or query member itself (nothing is sent).
      if (
        !c.valid &&
        error?.name === 'TypeError' &&
        error.message.startsWith('Expected a non-null value for')
      )
        return;
      const violation = error?.name === 'ValidationException' && error.message.includes(`at '${c.path}'`);
      if (c.valid) expect(violation, error?.message).toBe(false);
      else {
        expect(error?.name, 'expected a ValidationException').toBe('ValidationException');
        expect(error?.status).toBe(400);
        expect(error?.message).toContain(`at '${c.path}'`);
      }
    });
  },
);

it('has a baseline for every operation the emulator serves', () => {
  expect([...new Set(Object.keys(BASELINES).map(opOf))].sort()).toEqual(
    h.emu.admin.served()['ssm-incidents'],
  );
});

it.each([...new Set(Object.keys(BASELINES).map(opOf))])(
  '%s: every constrained member of the model has an out-of-bounds case',
  (operation) => {
    const baselines = Object.entries(BASELINES).filter(([key]) => opOf(key) === operation);
    const covered = new Set(
      baselines.flatMap(([, b]) =>
        boundCases(table, operation, b)
          .filter((c) => !c.valid)
          .map((c) => c.path),
      ),
    );
    expect(constrainedPaths(table, operation).filter((p) => !covered.has(p))).toEqual([]);
  },
);
