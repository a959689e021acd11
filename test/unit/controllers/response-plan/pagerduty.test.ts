// The PagerDuty preflight's pure checks: policy reading (principals, action globs, Deny), the
// writer's ARNs, the value's shape without ever echoing it, and one refusal for many findings.
import { describe, expect, it } from 'vitest';
import {
  KEY_ACTIONS,
  keyFindings,
  keyPolicyFindings,
  policyAllows,
  refusal,
  replicationFindings,
  secretFindings,
  secretPolicyFindings,
  valueFindings,
  writerArns,
} from '../../../../src/controllers/response-plan/pagerduty.ts';

const SERVICE = { service: 'ssm-incidents.amazonaws.com' };
const ROLE = 'arn:aws:iam::111122223333:role/operator';
const SESSION = 'arn:aws:sts::111122223333:assumed-role/operator/incident-manager-operator';
const allow = (Principal: unknown, Action: unknown, extra: object = {}) => ({
  Effect: 'Allow',
  Principal,
  Action,
  Resource: '*',
  ...extra,
});
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('policyAllows', () => {
  it.each([
    ['the exact actions', [allow({ Service: SERVICE.service }, [...KEY_ACTIONS])], true],
    ['kms:*', [allow({ Service: [SERVICE.service, 'x.amazonaws.com'] }, 'kms:*')], true],
    [
      'a case-insensitive glob',
      [allow({ Service: SERVICE.service }, ['KMS:decrypt', 'kms:Generate*'])],
      true,
    ],
    [
      '"*" as the principal',
      [allow('*', '*', { Condition: { StringEquals: { 'kms:CallerAccount': '1' } } })],
      true,
    ],
    [
      'GenerateDataKey only (not every GenerateDataKey* variant)',
      [allow({ Service: SERVICE.service }, ['kms:Decrypt', 'kms:GenerateDataKey'])],
      false,
    ],
    ['another service', [allow({ Service: 'sns.amazonaws.com' }, 'kms:*')], false],
    [
      'an unconditional Deny',
      [
        allow({ Service: SERVICE.service }, 'kms:*'),
        { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt' },
      ],
      false,
    ],
  ] as const)('service principal, %s', (_w, statements, expected) => {
    expect(policyAllows(statements as never, SERVICE, KEY_ACTIONS)).toBe(expected);
  });

  it('the writer: its role or its session, never the account root', () => {
    const arns = writerArns(SESSION);
    expect(arns).toEqual([SESSION, ROLE]);
    expect(policyAllows([allow({ AWS: ROLE }, 'kms:*')] as never, { arns }, KEY_ACTIONS)).toBe(true);
    expect(policyAllows([allow({ AWS: [SESSION] }, 'kms:*')] as never, { arns }, KEY_ACTIONS)).toBe(true);
    expect(
      policyAllows(
        [allow({ AWS: 'arn:aws:iam::111122223333:root' }, 'kms:*')] as never,
        { arns },
        KEY_ACTIONS,
      ),
    ).toBe(false);
    expect(writerArns('arn:aws:iam::111122223333:user/ci')).toEqual(['arn:aws:iam::111122223333:user/ci']);
  });
});

describe('findings', () => {
  it('key policy: each missing principal is its own finding with the statement to add', () => {
    const f = keyPolicyFindings(
      doc(allow({ AWS: 'arn:aws:iam::111122223333:root' }, 'kms:*')),
      'arn:k',
      SESSION,
    );
    expect(f.map((x) => x.reason)).toEqual([
      'PagerDutyKeyPolicyMissingService',
      'PagerDutyKeyPolicyMissingWriter',
    ]);
    const add = JSON.parse(/add the statement (\{.*\})$/.exec(f[1]?.message ?? '')?.[1] ?? '{}');
    expect(add).toEqual({
      Sid: 'ResponsePlanWriter',
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: [...KEY_ACTIONS],
      Resource: '*',
    });
    expect(keyPolicyFindings('{not json', 'arn:k', SESSION)[0]?.message).toContain('not valid JSON');
  });

  it('secret policy: none, or one that grants the wrong action, is a finding', () => {
    expect(secretPolicyFindings(undefined, 's')).toHaveLength(1);
    expect(
      secretPolicyFindings(doc(allow({ Service: SERVICE.service }, 'secretsmanager:DescribeSecret')), 's'),
    ).toHaveLength(1);
    expect(
      secretPolicyFindings(doc(allow({ Service: SERVICE.service }, 'secretsmanager:GetSecretValue')), 's'),
    ).toEqual([]);
  });

  it('key: AWS managed, unusable, single-Region for a multi-Region set', () => {
    expect(keyFindings(undefined, 's', ['us-east-1'])[0]?.reason).toBe('PagerDutySecretAwsManagedKey');
    const base = {
      Arn: 'arn:k',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      MultiRegion: false,
    } as const;
    expect(keyFindings(base as never, 's', ['us-east-1'])).toEqual([]);
    expect(keyFindings(base as never, 's', ['eu-west-1', 'us-east-1']).map((f) => f.reason)).toEqual([
      'PagerDutySecretKeyNotMultiRegion',
    ]);
    const disabled = keyFindings({ ...base, KeyState: 'Disabled' } as never, 's', ['us-east-1'])[0];
    expect(disabled).toMatchObject({ reason: 'PagerDutySecretKeyUnusable' });
    expect(disabled?.message).toContain('enable the key');
    expect(keyFindings({ ...base, KeySpec: 'RSA_2048' } as never, 's', ['us-east-1'])[0]?.message).toContain(
      'RSA_2048, not SYMMETRIC_DEFAULT',
    );
  });

  it('replication: a Region missing or Failed is named, with the failure AWS gave', () => {
    const f = replicationFindings(
      {
        ReplicationStatus: [{ Region: 'eu-west-1', Status: 'Failed', StatusMessage: 'key not found' }],
      } as never,
      's',
      'us-east-1',
      ['ap-south-1', 'eu-west-1', 'us-east-1'],
    );
    expect(f[0]?.message).toContain(
      'not replicated to ap-south-1, eu-west-1 of the replication set (eu-west-1: key not found)',
    );
  });

  it('the secret must be the plan account and Region’s and not scheduled for deletion', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:999999999999:secret:pd-AbCdEf';
    expect(secretFindings({ ARN: arn } as never, arn, '111122223333', 'eu-west-1')[0]?.message).toContain(
      'is in account 999999999999',
    );
    expect(
      secretFindings(
        { ARN: arn.replace('999999999999', '111122223333'), DeletedDate: new Date() } as never,
        'pd',
        '111122223333',
        'eu-west-1',
      )[0]?.message,
    ).toContain('scheduled for deletion');
  });
});

describe('valueFindings (the value is never echoed)', () => {
  const TOKEN = 'u+S3cr3tT0ken';
  it.each([
    [{ pagerDutyToken: TOKEN, pagerDutyServiceRegion: 'US', pagerDutyFromEmail: 'a@example.com' }, undefined],
    [{ pagerDutyToken: TOKEN, pagerDutyServiceRegion: 'EU', pagerDutyFromEmail: 'a@example.com' }, undefined],
    [
      { pagerDutyToken: TOKEN, pagerDutyServiceRegion: 'us', pagerDutyFromEmail: 'a@example.com' },
      'other than US or EU',
    ],
    [
      { pagerDutyToken: TOKEN, pagerDutyServiceRegion: 'US', pagerDutyFromEmail: TOKEN },
      'not an email address',
    ],
    [
      { pagerDutyToken: '', pagerDutyServiceRegion: 'US', pagerDutyFromEmail: 'a@example.com' },
      'empty or non-string pagerDutyToken',
    ],
    [
      {
        pagerDutyToken: TOKEN,
        pagerDutyServiceRegion: 'US',
        pagerDutyFromEmail: 'a@example.com',
        [TOKEN]: 'x',
      },
      'has 1 other key',
    ],
    [{ token: TOKEN }, 'lacks pagerDutyToken, pagerDutyServiceRegion, pagerDutyFromEmail, has 1 other key'],
  ])('%j', (value, problem) => {
    const f = valueFindings(JSON.stringify(value), 'pd');
    if (problem === undefined) expect(f).toEqual([]);
    else {
      expect(f[0]?.reason).toBe('PagerDutySecretValueInvalid');
      expect(f[0]?.message).toContain(problem);
      expect(f[0]?.message).not.toContain(TOKEN);
    }
  });

  it('not JSON, an array, or a binary secret; JSON.parse quoting the value is never passed on', () => {
    expect(valueFindings(`${TOKEN} {`, 'pd')[0]?.message).toContain('is not JSON');
    expect(valueFindings(`${TOKEN} {`, 'pd')[0]?.message).not.toContain(TOKEN);
    expect(valueFindings('[1]', 'pd')[0]?.message).toContain('not a JSON object');
    expect(valueFindings(undefined, 'pd')[0]?.message).toContain('binary or empty');
  });
});

it('refusal: the first finding names the reason, every finding its fix, InvalidSpec on spec.pagerDuty.secretId', () => {
  expect(refusal([], 'pd')).toBeUndefined();
  const err = refusal(
    [
      { reason: 'PagerDutySecretAwsManagedKey', message: 'a' },
      { reason: 'PagerDutySecretPolicyMissingService', message: 'b' },
    ],
    'pd',
  );
  expect(err).toMatchObject({
    errorClass: 'InvalidSpec',
    reason: 'PagerDutySecretAwsManagedKey',
    field: 'spec.pagerDuty.secretId',
  });
  expect(err?.message).toMatch(/: \(1\) a; \(2\) b$/);
});
