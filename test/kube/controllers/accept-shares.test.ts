// The consumer side of AWS RAM: an AWSAccount with spec.acceptResourceShares accepts the pending
// invitations of the owner accounts it lists, and only theirs, for Incident Manager resources, with
// an explicit client token; the accepted shares and the invitations left pending show in its status.
// Owner: the controller's own account 111111111111; consumer: 333333333333, outside the emulated
// organization (so RAM sends invitations), reached by AssumeRole; a second owner 222222222222 that
// the consumer does not list.
import {
  CreateResourceShareCommand,
  GetResourceShareInvitationsCommand,
  RAMClient,
} from '@aws-sdk/client-ram';
import {
  CreateReplicationSetCommand,
  CreateResponsePlanCommand,
  GetReplicationSetCommand,
  GetResponsePlanCommand,
  SSMIncidentsClient,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptToken } from '../../../src/aws/share-invitations.ts';
import { condition, isReady, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';

const OWNER = '111111111111';
const OTHER_OWNER_KEY = 'AKIAI44QH8DHBEXAMPLE'; // 222222222222
const CONSUMER = '333333333333';
const CONSUMER_KEY = 'AKIAJ3333333EXAMPLE3';

let op: Operator;
const clients: Array<{ destroy(): void }> = [];

function sdkFor(key: string) {
  const cfg = {
    region: op.stack.region,
    endpoint: op.stack.aws.url,
    credentials: { accessKeyId: key, secretAccessKey: 'any' },
  };
  const c = { ram: new RAMClient(cfg), incidents: new SSMIncidentsClient(cfg) };
  clients.push(c.ram, c.incidents);
  return c;
}

/** A response plan made with the SDK in the account of `sdk`, shared with the consumer. */
async function sharePlan(sdk: ReturnType<typeof sdkFor>, name: string) {
  const plan = await sdk.incidents.send(
    new CreateResponsePlanCommand({ name, incidentTemplate: { title: `${name} down`, impact: 3 } }),
  );
  const share = await sdk.ram.send(
    new CreateResourceShareCommand({
      name,
      resourceArns: [plan.arn as string],
      principals: [CONSUMER],
      allowExternalPrincipals: true,
    }),
  );
  return { planArn: plan.arn as string, shareArn: share.resourceShare?.resourceShareArn as string };
}

const consumerAccount = (accountIds: string[]): KubeObject => ({
  apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
  kind: 'AWSAccount',
  metadata: { name: 'consumer' },
  spec: {
    accountId: CONSUMER,
    region: 'us-east-1',
    roleArn: `arn:aws:iam::${CONSUMER}:role/incident-manager-operator`,
    acceptResourceShares: { accountIds },
  },
});

type Shares = {
  accepted?: Array<{ arn: string; owner: string; resources: Array<{ arn: string }> }>;
  pending?: Array<{ invitationArn: string; sender: string; message: string }>;
};
const sharesOf = (o: KubeObject | undefined): Shares => o?.status?.resourceShares ?? {};

beforeAll(async () => {
  op = await startOperator({ modules: [], pollMs: 50, invitationPollMs: 100 });
  await op.onboard();
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await op?.stop();
});

describe('AWSAccount spec.acceptResourceShares', () => {
  it('accepts the listed owner’s invitation with a client token, leaves another owner’s pending, and lists both in status', async () => {
    const owner = sdkFor(op.stack.env.AWS_ACCESS_KEY_ID as string);
    const mine = await sharePlan(owner, 'platform-major');
    const otherOwner = sdkFor(OTHER_OWNER_KEY);
    // Incident Manager is onboarded in the other owner's account too (no plan without it).
    const rs = await otherOwner.incidents.send(
      new CreateReplicationSetCommand({ regions: { 'us-east-1': {} } }),
    );
    await otherOwner.incidents.send(new GetReplicationSetCommand({ arn: rs.arn }));
    const other = await sharePlan(otherOwner, 'elsewhere');
    const since = op.mark();

    await op.apply(consumerAccount([OWNER]));
    const acct = await op.waitFor(
      'AWSAccount',
      'consumer',
      (o) =>
        isReady(o) && (sharesOf(o).accepted?.length ?? 0) === 1 && (sharesOf(o).pending?.length ?? 0) === 1,
    );

    expect(condition(acct, 'SharesAccepted')).toMatchObject({ status: 'True', reason: 'SharesAccepted' });
    const shares = sharesOf(acct);
    expect(shares.accepted).toEqual([
      {
        arn: mine.shareArn,
        region: 'us-east-1',
        name: 'platform-major',
        owner: OWNER,
        resources: [{ arn: mine.planArn, type: 'ssm-incidents:ResponsePlan' }],
      },
    ]);
    expect(shares.pending?.[0]).toMatchObject({ sender: '222222222222', shareName: 'elsewhere' });
    expect(shares.pending?.[0]?.message).toContain('spec.acceptResourceShares.accountIds');

    // One accept, for the listed owner's invitation, with the token derived from it.
    const accepts = op.calls({ since, operation: 'AcceptResourceShareInvitation' });
    expect(accepts).toHaveLength(1);
    const sent = accepts[0]?.input as { resourceShareInvitationArn: string; clientToken?: string };
    expect(sent.clientToken).toBe(acceptToken(sent.resourceShareInvitationArn, CONSUMER));
    expect(op.writes(since, 'ram').map((c) => c.operation)).toEqual(['AcceptResourceShareInvitation']);

    // The consumer now reads the plan; the other owner's invitation is still pending, not rejected.
    const consumer = sdkFor(CONSUMER_KEY);
    const plan = await consumer.incidents.send(new GetResponsePlanCommand({ arn: mine.planArn }));
    expect(plan.name).toBe('platform-major');
    const invs = await consumer.ram.send(new GetResourceShareInvitationsCommand({}));
    const byShare = new Map(invs.resourceShareInvitations?.map((i) => [i.resourceShareArn, i.status]));
    expect(byShare.get(mine.shareArn)).toBe('ACCEPTED');
    expect(byShare.get(other.shareArn)).toBe('PENDING');
    expect((await op.events('AWSAccount', 'consumer')).map((e) => e.reason)).toContain('SharesAccepted');
  });

  it('after a restart, an accepted invitation is not accepted again; a newly listed owner’s is', async () => {
    await op.stack.stopController();
    const since = op.mark();
    await op.apply(consumerAccount([OWNER, '222222222222']));
    await op.stack.startController();
    const acct = await op.waitFor(
      'AWSAccount',
      'consumer',
      (o) => isReady(o) && (sharesOf(o).accepted?.length ?? 0) === 2 && sharesOf(o).pending === undefined,
    );
    expect(
      sharesOf(acct)
        .accepted?.map((s) => s.owner)
        .sort(),
    ).toEqual([OWNER, '222222222222']);
    expect(op.calls({ since, operation: 'AcceptResourceShareInvitation' })).toHaveLength(1);
  });
});
