// AWS RAM is Regional: a share and its invitation live in the Region the owner made the share in.
// The owner's ssm-contacts objects (and their shares) are in the first Region of its replication set
// (us-east-1 here), which is not its home Region nor the consumer's (eu-west-1). The consumer, an
// AWSAccount of the same cluster allow-listing the owner, finds the escalation plan's invitation in
// the owner's contacts Region, accepts it once with its client token, and its response plan engaging
// the plan by a Kubernetes reference becomes Ready. Both accounts are outside the emulated
// organization (so RAM sends invitations) and reached by AssumeRole.
import { RAMClient } from '@aws-sdk/client-ram';
import {
  CreateReplicationSetCommand,
  GetResponsePlanCommand,
  SSMIncidentsClient,
  UpdateReplicationSetCommand,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptToken } from '../../../src/aws/share-invitations.ts';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import { module as escalationPlanModule } from '../../../src/controllers/escalation-plan/index.ts';
import { module as responsePlanModule } from '../../../src/controllers/response-plan/index.ts';
import { assumedCredentials, untilActive } from '../../support/assumed.ts';
import { condition, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';

const API = 'incidentmanager.gitops.dev/v1alpha1';
const HOME = 'eu-west-1';
const FIRST = 'us-east-1';
const OWNER = '600000000001';
const CONSUMER = '600000000002';
let op: Operator;
const clients: Array<{ destroy(): void }> = [];

/** SDK clients acting in account `id` in `region` (AssumeRole against the emulator). */
async function sdkIn(id: string, region: string) {
  const cfg = { region, endpoint: op.stack.aws.url, credentials: await assumedCredentials(op, id, region) };
  const sdk = { incidents: new SSMIncidentsClient(cfg), ram: new RAMClient(cfg) };
  clients.push(sdk.incidents, sdk.ram);
  return sdk;
}

const awsAccount = (name: string, id: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: API,
  kind: 'AWSAccount',
  metadata: { name },
  spec: { accountId: id, region: HOME, roleArn: `arn:aws:iam::${id}:role/operator`, ...extra },
});

const regionOf = (arn: string | undefined) => arn?.split(':')[3];
type Shares = {
  accepted?: Array<{ arn: string; region: string; owner: string; resources: Array<{ arn: string }> }>;
  pending?: unknown[];
};
const sharesOf = (o: KubeObject | undefined): Shares => o?.status?.resourceShares ?? {};

beforeAll(async () => {
  op = await startOperator({
    modules: [contactModule, escalationPlanModule, responsePlanModule],
    namespace: 'share-regions',
    pollMs: 50,
    invitationPollMs: 100,
    onboardingPollMs: 100,
  });
  // The owner's set was made from us-east-1; its home Region eu-west-1 was added a minute later.
  const first = await sdkIn(OWNER, FIRST);
  const { arn } = await first.incidents.send(new CreateReplicationSetCommand({ regions: { [FIRST]: {} } }));
  await untilActive(op, first.incidents, arn as string);
  op.stack.clock.advance(60_000);
  const home = await sdkIn(OWNER, HOME);
  await home.incidents.send(
    new UpdateReplicationSetCommand({ arn, actions: [{ addRegionAction: { regionName: HOME } }] }),
  );
  await untilActive(op, home.incidents, arn as string);
  // The consumer is onboarded in its home Region only.
  const consumer = await sdkIn(CONSUMER, HOME);
  const rs = await consumer.incidents.send(new CreateReplicationSetCommand({ regions: { [HOME]: {} } }));
  await untilActive(op, consumer.incidents, rs.arn as string);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await op?.stop();
});

describe('accepting shares made in another Region than the consumer’s', () => {
  it('the escalation plan shared from the owner’s contacts Region is accepted there, once, and the consumer’s plan engaging it by reference becomes Ready', async () => {
    const since = op.mark();
    await op.apply(awsAccount('owner', OWNER));
    await op.apply(awsAccount('consumer', CONSUMER, { acceptResourceShares: { accountIds: [OWNER] } }));
    const owner = await op.waitFor('AWSAccount', 'owner', (o) => o?.status?.contactsRegion !== undefined);
    expect(owner?.status?.contactsRegion).toMatchObject({ region: FIRST });

    const accountRef = { name: 'owner' };
    await op.apply({
      apiVersion: API,
      kind: 'Contact',
      metadata: { name: 'lead' },
      spec: { accountRef, alias: 'owner-lead', type: 'Personal' },
    });
    await op.apply({
      apiVersion: API,
      kind: 'EscalationPlan',
      metadata: { name: 'oncall' },
      spec: {
        accountRef,
        alias: 'owner-oncall',
        stages: [{ durationInMinutes: 5, targets: [{ contactRef: { name: 'lead' } }] }],
        sharing: { principals: [CONSUMER], allowExternalPrincipals: true },
      },
    });
    await op.apply({
      apiVersion: API,
      kind: 'ResponsePlan',
      metadata: { name: 'consumer-major' },
      spec: {
        accountRef: { name: 'consumer' },
        name: 'consumer-major',
        incidentTemplate: { title: 'consumer down', impact: 2 },
        engagements: [{ escalationPlanRef: { name: 'oncall' } }],
      },
    });

    const ep = await op.ready('EscalationPlan', 'oncall');
    const epArn = ep.status.arn as string;
    expect(regionOf(epArn)).toBe(FIRST);
    const share = op.calls({ operation: 'CreateResourceShare', since }).filter((c) => c.account === OWNER);
    expect(share.map((c) => c.region)).toEqual([FIRST]);

    const rp = await op.ready('ResponsePlan', 'consumer-major');
    expect(rp.status.engagementArns).toEqual([epArn]);
    expect(rp.status.arn).toContain(`:${CONSUMER}:response-plan/`);
    const consumerSdk = await sdkIn(CONSUMER, HOME);
    const inAws = await consumerSdk.incidents.send(new GetResponsePlanCommand({ arn: rp.status.arn }));
    expect(inAws.engagements).toEqual([epArn]);

    // The consumer lists the share with its Region.
    const acct = await op.waitFor('AWSAccount', 'consumer', (o) => (sharesOf(o).accepted?.length ?? 0) === 1);
    expect(sharesOf(acct).accepted?.[0]).toMatchObject({
      region: FIRST,
      owner: OWNER,
      resources: [{ arn: epArn, type: 'ssm-contacts:Contact' }],
    });
    expect(sharesOf(acct).pending).toBeUndefined();
    expect(condition(acct, 'SharesAccepted')).toMatchObject({ status: 'True', reason: 'SharesAccepted' });

    // One accept, in the Region of the invitation, with the token derived from it.
    const accepts = op.calls({ since, operation: 'AcceptResourceShareInvitation' });
    expect(accepts.map((c) => `${c.account} ${c.region} ${c.outcome}`)).toEqual([`${CONSUMER} ${FIRST} ok`]);
    const sent = accepts[0]?.input as { resourceShareInvitationArn: string; clientToken?: string };
    expect(regionOf(sent.resourceShareInvitationArn)).toBe(FIRST);
    expect(sent.clientToken).toBe(acceptToken(sent.resourceShareInvitationArn, CONSUMER));

    // Invitations were looked for in the consumer's Region and in the owner's contacts Region only.
    const looked = op
      .calls({ since, operation: 'GetResourceShareInvitations' })
      .filter((c) => c.account === CONSUMER);
    expect(new Set(looked.map((c) => c.region))).toEqual(new Set([HOME, FIRST]));
  });
});
