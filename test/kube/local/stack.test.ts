// The local stack as tests and `imctl demo` use it: CRDs served, the built-in AWSAccount
// reconciler reaching the AWS emulator through the standard environment, and the shared clock.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalClock } from '../../../src/local/stack.ts';
import { condition, type Operator, startOperator } from '../../support/operator.ts';

let op: Operator;

beforeAll(async () => {
  op = await startOperator({ modules: [], namespace: 'stack-test' });
});

afterAll(async () => {
  await op?.stop();
});

describe('local stack', () => {
  it('verifies an AWSAccount through AssumeRole with its external id and shows the caller identity', async () => {
    op.stack.aws.admin.store.iamRoles.set('444455556666:operator', { externalId: 'ext-1' });
    await op.apply({
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'AWSAccount',
      metadata: { name: 'observability' },
      spec: {
        accountId: '444455556666',
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::444455556666:role/operator',
        externalId: 'ext-1',
      },
    });
    const acct = await op.ready('AWSAccount', 'observability');
    expect(JSON.stringify(acct.status)).toContain('arn:aws:sts::444455556666:assumed-role/operator/');
    expect(op.calls({ service: 'sts', operation: 'AssumeRole' }).at(-1)?.input).toMatchObject({
      RoleArn: 'arn:aws:iam::444455556666:role/operator',
      ExternalId: 'ext-1',
    });
  });

  it('reports a wrong external id on the AWSAccount instead of becoming Ready', async () => {
    op.stack.aws.admin.store.iamRoles.set('555555555555:operator', { externalId: 'right' });
    await op.apply({
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'AWSAccount',
      metadata: { name: 'wrong-external-id' },
      spec: {
        accountId: '555555555555',
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::555555555555:role/operator',
        externalId: 'wrong',
      },
    });
    const acct = await op.waitFor(
      'AWSAccount',
      'wrong-external-id',
      (o) => condition(o, 'Ready')?.status === 'False',
    );
    expect(condition(acct, 'Ready')?.message).toMatch(/AssumeRole|not authorized/);
  });

  it('gives a separate process the environment that reaches the AWS emulator', async () => {
    const sts = new STSClient({
      region: op.stack.env.AWS_REGION as string,
      endpoint: op.stack.env.AWS_ENDPOINT_URL as string,
      credentials: {
        accessKeyId: op.stack.env.AWS_ACCESS_KEY_ID as string,
        secretAccessKey: op.stack.env.AWS_SECRET_ACCESS_KEY as string,
      },
    });
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(op.stack.account);
    sts.destroy();
  });
});

describe('LocalClock', () => {
  it('fires timers that a jump makes due, in due order, and leaves later ones pending', () => {
    const clock = new LocalClock();
    const fired: string[] = [];
    clock.setTimer(() => fired.push('day'), 86_400_000);
    clock.setTimer(() => fired.push('hour'), 3_600_000);
    const week = clock.setTimer(() => fired.push('week'), 7 * 86_400_000);
    const before = clock.now();
    clock.advance(2 * 86_400_000);
    expect(fired).toEqual(['hour', 'day']);
    expect(clock.now() - before).toBeGreaterThanOrEqual(2 * 86_400_000);
    week.cancel();
    clock.advance(7 * 86_400_000);
    expect(fired).toEqual(['hour', 'day']);
  });
});
