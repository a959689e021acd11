// The PagerDuty preflight of ResponsePlan end to end: the controller against both emulators, in an
// account whose replication set spans two Regions. Each plan names a secret broken in one way (set
// up through the SDK as a user would) and must get its own condition reason, naming the fix, with no
// CreateResponsePlan sent; the correct secret's plan is created. The secret values carry a marker
// that must appear in no log line, Event or status. Also: `{}` runbook parameter maps mean none.
import { Writable } from 'node:stream';
import { CreateKeyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RemoveRegionsFromReplicationCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetResponsePlanCommand } from '@aws-sdk/client-ssm-incidents';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReasonName } from '../../../src/engine/reasons.ts';
import {
  createPagerDutySecret,
  PAGERDUTY_SECRET_POLICY,
  pagerDutyKeyPolicy,
} from '../../../src/local/pagerduty-secret.ts';
import { condition, isReady, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';

const NS = 'pd-test';
const API = 'incidentmanager.gitops.dev/v1alpha1';
const OTHER_REGION = 'eu-west-1';
/** In every secret value of this file: it must never leave AWS. */
const MARKER = 'pd-value-7f3a9c';
const value = (fields: Record<string, string>) =>
  JSON.stringify({ pagerDutyToken: `${MARKER}-token`, ...fields });
const GOOD = value({ pagerDutyServiceRegion: 'EU', pagerDutyFromEmail: 'oncall@example.com' });

let op: Operator;
let REGION: string;
let ACCT: string;
let writer: string;
let kms: KMSClient;
let sm: SecretsManagerClient;
const logLines: string[] = [];

const plan = (name: string, secretId: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: API,
  kind: 'ResponsePlan',
  metadata: { name, namespace: NS },
  spec: {
    name,
    incidentTemplate: { title: `${name} down`, impact: 3 },
    pagerDuty: { name: 'pd', secretId, serviceId: 'PSVC001', ...extra },
  },
});

/** The secret as the guide asks, then `breakIt` undoes one piece of it. */
async function secret(id: string, breakIt?: (keyArn: string) => Promise<unknown>, v = GOOD): Promise<void> {
  const { keyArn } = await createPagerDutySecret({
    endpoint: op.stack.aws.url,
    credentials: { accessKeyId: op.stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'local-emulator' },
    region: REGION,
    replicaRegions: [OTHER_REGION],
    secretId: id,
    value: v,
  });
  await breakIt?.(keyArn);
}

/** Waits for the plan's Ready condition to name `reason`; returns its message. */
async function refused(name: string, reason: ReasonName): Promise<string> {
  const o = await op.waitFor('ResponsePlan', name, (x) => condition(x, 'Ready')?.reason === reason, {
    namespace: NS,
  });
  expect(condition(o, 'Synced')?.reason).toBe(reason);
  return condition(o, 'Ready')?.message ?? '';
}

const creates = (name: string) =>
  op
    .calls({ service: 'ssm-incidents', operation: 'CreateResponsePlan' })
    .filter((c) => (c.input as { name?: string }).name === name);

beforeAll(async () => {
  // Every log line the controller writes, at debug, kept for the leak scan.
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  op = await startOperator({ namespace: NS, pollMs: 100, logger: pino({ level: 'debug' }, sink) });
  REGION = op.stack.region;
  ACCT = op.stack.account;
  await op.onboard([REGION, OTHER_REGION]);
  const cfg = {
    endpoint: op.stack.aws.url,
    region: REGION,
    credentials: { accessKeyId: op.stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'local-emulator' },
  };
  kms = new KMSClient(cfg);
  sm = new SecretsManagerClient(cfg);
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const sts = new STSClient(cfg);
  writer = (await sts.send(new GetCallerIdentityCommand({}))).Arn as string;
  sts.destroy();
});

afterAll(async () => {
  kms?.destroy();
  sm?.destroy();
  await op?.stop();
});

describe('PagerDuty preflight', () => {
  const withPolicy = (keyArn: string, statements: object[]) =>
    kms.send(
      new PutKeyPolicyCommand({
        KeyId: keyArn,
        PolicyName: 'default',
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
  const rootOnly = () => ({
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCT}:root` },
    Action: 'kms:*',
    Resource: '*',
  });
  const use = ['kms:Decrypt', 'kms:GenerateDataKey*'];

  const cases: [string, ReasonName, () => Promise<KubeObject>, string[]][] = [
    [
      'a secret that does not exist',
      'PagerDutySecretNotFound',
      async () => plan('missing', 'pagerduty/none'),
      ["no secret pagerduty/none in the response plan's account and Region"],
    ],
    [
      'a value with the wrong keys (verifySecretValue)',
      'PagerDutySecretValueInvalid',
      async () => {
        await secret('pagerduty/wrong-keys', undefined, value({ region: 'US', email: MARKER }));
        return plan('wrong-keys', 'pagerduty/wrong-keys', { verifySecretValue: true });
      },
      ['lacks pagerDutyServiceRegion, pagerDutyFromEmail, has 2 other keys'],
    ],
    [
      'the AWS managed key aws/secretsmanager',
      'PagerDutySecretAwsManagedKey',
      async () => {
        await sm.send(
          new CreateSecretCommand({
            Name: 'pagerduty/aws-key',
            SecretString: GOOD,
            AddReplicaRegions: [{ Region: OTHER_REGION }],
          }),
        );
        await sm.send(
          new PutResourcePolicyCommand({
            SecretId: 'pagerduty/aws-key',
            ResourcePolicy: PAGERDUTY_SECRET_POLICY,
          }),
        );
        return plan('aws-key', 'pagerduty/aws-key');
      },
      ['aws/secretsmanager', '--kms-key-id'],
    ],
    [
      'a key policy without ssm-incidents.amazonaws.com',
      'PagerDutyKeyPolicyMissingService',
      async () => {
        await secret('pagerduty/no-service', (k) =>
          withPolicy(k, [
            rootOnly(),
            { Effect: 'Allow', Principal: { AWS: writer }, Action: use, Resource: '*' },
          ]),
        );
        return plan('no-service', 'pagerduty/no-service');
      },
      [
        '"Principal":{"Service":"ssm-incidents.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"]',
      ],
    ],
    [
      'a key policy without the identity that writes the plan',
      'PagerDutyKeyPolicyMissingWriter',
      async () => {
        await secret('pagerduty/no-writer', (k) =>
          withPolicy(k, [
            rootOnly(),
            {
              Effect: 'Allow',
              Principal: { Service: 'ssm-incidents.amazonaws.com' },
              Action: use,
              Resource: '*',
            },
          ]),
        );
        return plan('no-writer', 'pagerduty/no-writer');
      },
      ['the identity that writes the response plan'],
    ],
    [
      'a secret resource policy without ssm-incidents.amazonaws.com',
      'PagerDutySecretPolicyMissingService',
      async () => {
        await secret('pagerduty/no-policy', async () => {
          await sm.send(new DeleteResourcePolicyCommand({ SecretId: 'pagerduty/no-policy' }));
        });
        return plan('no-policy', 'pagerduty/no-policy');
      },
      ['"Action":"secretsmanager:GetSecretValue"', 'put-resource-policy'],
    ],
    [
      'a secret not replicated to a Region of the replication set',
      'PagerDutySecretNotReplicated',
      async () => {
        await secret('pagerduty/one-region', async () => {
          await sm.send(
            new RemoveRegionsFromReplicationCommand({
              SecretId: 'pagerduty/one-region',
              RemoveReplicaRegions: [OTHER_REGION],
            }),
          );
        });
        return plan('one-region', 'pagerduty/one-region');
      },
      [`not replicated to ${OTHER_REGION}`, 'replicate-secret-to-regions'],
    ],
    [
      'a single-Region key for a replication set in two Regions',
      'PagerDutySecretKeyNotMultiRegion',
      async () => {
        const key = await kms.send(new CreateKeyCommand({ Policy: pagerDutyKeyPolicy(ACCT, writer) }));
        await sm.send(
          new CreateSecretCommand({
            Name: 'pagerduty/single',
            KmsKeyId: key.KeyMetadata?.Arn as string,
            SecretString: GOOD,
          }),
        );
        await sm.send(
          new PutResourcePolicyCommand({
            SecretId: 'pagerduty/single',
            ResourcePolicy: PAGERDUTY_SECRET_POLICY,
          }),
        );
        return plan('single', 'pagerduty/single');
      },
      ['is single-Region', '--multi-region'],
    ],
  ];

  it.each(cases)(
    '%s: its own reason, the fix in the message, no CreateResponsePlan',
    async (_w, reason, make, says) => {
      const obj = await make();
      await op.apply(obj);
      const message = await refused(obj.metadata.name, reason);
      for (const s of says) expect(message).toContain(s);
      expect(message).toMatch(/^spec\.pagerDuty\.secretId: /);
      const warned = (await op.events('ResponsePlan', obj.metadata.name, NS)).find(
        (e) => e.reason === reason,
      );
      expect(warned?.type).toBe('Warning');
      expect(creates(obj.metadata.name)).toEqual([]);
    },
  );

  it('the secret set up as the guide asks: the plan is created, the value read only with verifySecretValue', async () => {
    await secret('pagerduty/good');
    const m = op.mark();
    await op.apply(plan('good', 'pagerduty/good', { verifySecretValue: true }));
    const obj = await op.waitFor('ResponsePlan', 'good', isReady, { namespace: NS });
    expect(creates('good')).toHaveLength(1);
    const reads = op.calls({ since: m }).map((c) => `${c.service}:${c.operation}`);
    expect(reads).toEqual(
      expect.arrayContaining([
        'secretsmanager:DescribeSecret',
        'kms:DescribeKey',
        'kms:GetKeyPolicy',
        'secretsmanager:GetResourcePolicy',
        'secretsmanager:GetSecretValue',
      ]),
    );
    // The preflight runs before CreateResponsePlan.
    const seqOf = (op2: string) => op.calls({ since: m, operation: op2 })[0]?.seq ?? Infinity;
    expect(seqOf('GetSecretValue')).toBeLessThan(seqOf('CreateResponsePlan'));
    const got = await op.sdk.incidents.send(new GetResponsePlanCommand({ arn: obj?.status?.arn }));
    expect(got.integrations?.[0]?.pagerDutyConfiguration?.secretId).toBe('pagerduty/good');

    // A broken value after the fact holds the next update back, and says so.
    await sm.send(
      new PutSecretValueCommand({ SecretId: 'pagerduty/good', SecretString: `${MARKER} not json` }),
    );
    const edited = plan('good', 'pagerduty/good', { verifySecretValue: true });
    edited.spec.incidentTemplate.title = 'good is down again';
    const before = op.mark();
    await op.apply(edited);
    const message = await refused('good', 'PagerDutySecretValueInvalid');
    expect(message).toContain('is not JSON');
    expect(op.calls({ since: before, operation: 'UpdateResponsePlan' })).toEqual([]);
  });

  it('without verifySecretValue the value is never read', async () => {
    await secret('pagerduty/unread');
    const m = op.mark();
    await op.apply(plan('unread', 'pagerduty/unread'));
    await op.waitFor('ResponsePlan', 'unread', isReady, { namespace: NS });
    expect(op.calls({ since: m, operation: 'GetSecretValue' })).toEqual([]);
  });

  it('no secret value in any log line, Event or status', async () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.includes(MARKER))).toEqual([]);
    const events = await op.client.list<KubeObject>(
      { group: '', version: 'v1', plural: 'events', namespaced: true },
      {
        namespace: NS,
      },
    );
    expect(events.items.length).toBeGreaterThan(0);
    expect(events.items.filter((e) => JSON.stringify(e).includes(MARKER))).toEqual([]);
    const plans = await op.client.list<KubeObject>(
      { group: 'incidentmanager.gitops.dev', version: 'v1alpha1', plural: 'responseplans', namespaced: true },
      { namespace: NS },
    );
    expect(plans.items.length).toBeGreaterThanOrEqual(10);
    expect(plans.items.filter((p) => JSON.stringify(p.status).includes(MARKER))).toEqual([]);
    // The emulator's own call log redacts secret members too.
    expect(op.calls().filter((c) => JSON.stringify(c).includes(MARKER))).toEqual([]);
  });
});

describe('runbook parameters', () => {
  it('{} for parameters and dynamicParameters (what templates render) means none', async () => {
    const obj: KubeObject = {
      apiVersion: API,
      kind: 'ResponsePlan',
      metadata: { name: 'empty-maps', namespace: NS },
      spec: {
        name: 'empty-maps',
        incidentTemplate: { title: 'empty maps', impact: 4 },
        runbook: {
          documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
          roleArn: `arn:aws:iam::${ACCT}:role/IncidentManagerRunbookRole`,
          parameters: {},
          dynamicParameters: {},
        },
      },
    };
    await op.apply(obj);
    const ready = await op.waitFor('ResponsePlan', 'empty-maps', isReady, { namespace: NS });
    const [create] = creates('empty-maps');
    const action = ((create?.input ?? {}) as { actions?: { ssmAutomation?: Record<string, unknown> }[] })
      .actions?.[0];
    expect(action?.ssmAutomation).not.toHaveProperty('parameters');
    expect(action?.ssmAutomation).not.toHaveProperty('dynamicParameters');
    // AWS's "none" reads back equal to the spec's {}: no update follows the create.
    expect(condition(ready, 'Synced')?.status).toBe('True');
    const arn = ready?.status?.arn as string;
    expect(
      op.calls({ operation: 'UpdateResponsePlan' }).filter((c) => (c.input as { arn?: string }).arn === arn),
    ).toEqual([]);
  });
});
