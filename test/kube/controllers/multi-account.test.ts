// Both ends of a share in one cluster (issue 15, item 1): a platform team's management account
// 111111111111 owns a contact, an escalation plan and a response plan and shares the plans with
// three application accounts, each an AWSAccount of the same cluster: a member of the emulated
// organization (222222222222; RAM sharing with AWS Organizations is on, so no invitation), an
// account outside it that accepts the owner's invitations (333333333333) and one outside it that
// does not list the owner (444444444444). Each application account's own response plan engages
// the shared escalation plan by a Kubernetes reference to the owner's object.
import {
  AcceptResourceShareInvitationCommand,
  EnableSharingWithAwsOrganizationCommand,
  GetResourceShareInvitationsCommand,
  RAMClient,
} from '@aws-sdk/client-ram';
import {
  CreateReplicationSetCommand,
  GetResponsePlanCommand,
  SSMIncidentsClient,
} from '@aws-sdk/client-ssm-incidents';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptToken } from '../../../src/aws/share-invitations.ts';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import { module as escalationPlanModule } from '../../../src/controllers/escalation-plan/index.ts';
import { module as responsePlanModule } from '../../../src/controllers/response-plan/index.ts';
import {
  condition,
  isReady,
  type KubeObject,
  type Operator,
  startOperator,
  typeOf,
} from '../../support/operator.ts';

const API = 'incidentmanager.gitops.dev/v1alpha1';
const PLATFORM = 'platform';
const APPS = 'apps';
const OWNER = '111111111111';
const MEMBER = '222222222222';
const PARTNER = '333333333333';
const STRANGER = '444444444444';
const APP_ACCOUNTS = { member: MEMBER, partner: PARTNER, stranger: STRANGER } as const;
type App = keyof typeof APP_ACCOUNTS;

let op: Operator;
const sdks: Array<{ destroy(): void }> = [];

/** SDK clients acting in `account` (AssumeRole against the emulator, as the controller does). */
async function sdkIn(account: string) {
  const base = { region: op.stack.region, endpoint: op.stack.aws.url };
  const sts = new STSClient({
    ...base,
    credentials: { accessKeyId: op.stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'x' },
  });
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/test`, RoleSessionName: 'test' }),
  );
  sts.destroy();
  const c = out.Credentials;
  const cfg = {
    ...base,
    credentials: {
      accessKeyId: c?.AccessKeyId as string,
      secretAccessKey: c?.SecretAccessKey as string,
      sessionToken: c?.SessionToken as string,
    },
  };
  const s = { ram: new RAMClient(cfg), incidents: new SSMIncidentsClient(cfg) };
  sdks.push(s.ram, s.incidents);
  return s;
}

const awsAccount = (name: string, accountId: string, acceptFrom?: string[]): KubeObject => ({
  apiVersion: API,
  kind: 'AWSAccount',
  metadata: { name },
  spec: {
    accountId,
    region: 'us-east-1',
    ...(accountId === OWNER ? {} : { roleArn: `arn:aws:iam::${accountId}:role/incident-manager-operator` }),
    ...(acceptFrom ? { acceptResourceShares: { accountIds: acceptFrom } } : {}),
  },
});

const sharing = (principals: string[]) => ({ principals, allowExternalPrincipals: true });

const ownerPlan = (principals: string[]): KubeObject => ({
  apiVersion: API,
  kind: 'EscalationPlan',
  metadata: { name: 'oncall', namespace: PLATFORM },
  spec: {
    accountRef: { name: 'management' },
    alias: 'platform-oncall',
    stages: [{ durationInMinutes: 5, targets: [{ contactRef: { name: 'alice' } }] }],
    sharing: sharing(principals),
  },
});

/** A response plan of the AWSAccount `account` engaging `target` (by reference). */
const plan = (
  account: string,
  namespace: string,
  name: string,
  target: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: API,
  kind: 'ResponsePlan',
  metadata: { name, namespace },
  spec: {
    accountRef: { name: account },
    name,
    incidentTemplate: { title: `${name} down`, impact: 2 },
    engagements: [target],
    ...extra,
  },
});
const appPlan = (a: App, name: string, target: Record<string, unknown>) => plan(a, APPS, name, target);
const onOwnerEp = { escalationPlanRef: { name: 'oncall', namespace: PLATFORM } };

type Shares = {
  accepted?: Array<{ owner: string; resources: Array<{ arn: string; type: string }> }>;
  pending?: Array<{ invitationArn: string; sender: string; message: string }>;
};
const sharesOf = (o: KubeObject | undefined): Shares => o?.status?.resourceShares ?? {};
const ready = (o: KubeObject | undefined) => condition(o, 'Ready');
const inNs = (namespace: string) => ({ namespace });

let epArn: string;
let rpArn: string;
const app: Partial<Record<App, Awaited<ReturnType<typeof sdkIn>>>> = {};

beforeAll(async () => {
  op = await startOperator({
    namespace: PLATFORM,
    modules: [contactModule, escalationPlanModule, responsePlanModule],
    pollMs: 50,
    invitationPollMs: 100,
  });
  await op.client.create(typeOf('Namespace'), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: APPS },
  });
  // Incident Manager onboarded in every account; organization sharing on in the management account.
  await op.onboard();
  for (const [name, id] of Object.entries(APP_ACCOUNTS)) {
    const s = await sdkIn(id);
    app[name as App] = s;
    await s.incidents.send(new CreateReplicationSetCommand({ regions: { [op.stack.region]: {} } }));
  }
  await op.sdk.ram.send(new EnableSharingWithAwsOrganizationCommand({}));
  await op.apply(awsAccount('management', OWNER));
  await op.apply(awsAccount('member', MEMBER));
  await op.apply(awsAccount('partner', PARTNER, [OWNER]));
  // The stranger accepts shares of another account only: the owner's invitations stay pending.
  await op.apply(awsAccount('stranger', STRANGER, [MEMBER]));
}, 60_000);

afterAll(async () => {
  for (const c of sdks) c.destroy();
  await op?.stop();
});

describe('sharing between AWSAccounts of one cluster', () => {
  it('application accounts engage the shared escalation plan by reference once the share has arrived; one that does not accept is told why', async () => {
    const since = op.mark();
    await op.apply({
      apiVersion: API,
      kind: 'Contact',
      metadata: { name: 'alice', namespace: PLATFORM },
      spec: { accountRef: { name: 'management' }, alias: 'platform-alice', type: 'Personal' },
    });
    await op.apply(ownerPlan([MEMBER, PARTNER, STRANGER]));
    await op.apply(
      plan(
        'management',
        PLATFORM,
        'major',
        { escalationPlanRef: { name: 'oncall' } },
        { sharing: sharing([MEMBER, PARTNER, STRANGER]) },
      ),
    );
    for (const a of Object.keys(APP_ACCOUNTS) as App[]) await op.apply(appPlan(a, `${a}-plan`, onOwnerEp));
    // Not shared at all: the owner's contact.
    await op.apply(
      appPlan('partner', 'partner-alice', { contactRef: { name: 'alice', namespace: PLATFORM } }),
    );

    epArn = (await op.ready('EscalationPlan', 'oncall')).status.arn;
    rpArn = (await op.ready('ResponsePlan', 'major')).status.arn;
    expect(epArn).toContain(`:${OWNER}:contact/platform-oncall`);

    // The member (organization sharing on) and the allow-listed partner use the owner's plan.
    for (const a of ['member', 'partner'] as const) {
      const rp = await op.ready('ResponsePlan', `${a}-plan`, APPS);
      expect(rp.status.engagementArns).toEqual([epArn]);
      const inAws = await app[a]?.incidents.send(new GetResponsePlanCommand({ arn: rp.status.arn }));
      expect(inAws?.engagements).toEqual([epArn]);
      expect(rp.status.arn).toContain(`:${APP_ACCOUNTS[a]}:`);
    }
    // The member got no invitation; the partner accepted the owner's two, and lists both shares.
    const memberInvitations = await app.member?.ram.send(new GetResourceShareInvitationsCommand({}));
    expect(memberInvitations?.resourceShareInvitations ?? []).toEqual([]);
    const partner = await op.waitFor(
      'AWSAccount',
      'partner',
      (o) => (sharesOf(o).accepted?.length ?? 0) === 2,
    );
    expect(
      sharesOf(partner)
        .accepted?.flatMap((s) => s.resources.map((r) => r.arn))
        .sort(),
    ).toEqual([epArn, rpArn].sort());
    const accepts = op.calls({ since, operation: 'AcceptResourceShareInvitation' });
    expect(accepts.map((c) => c.account)).toEqual([PARTNER, PARTNER]);

    // The stranger does not list the owner: both invitations stay pending (never rejected), and
    // its plan waits, saying whose object, which account, and what to do.
    const stranger = await op.waitFor(
      'AWSAccount',
      'stranger',
      (o) => (sharesOf(o).pending?.length ?? 0) === 2,
    );
    expect(sharesOf(stranger).pending?.map((p) => p.sender)).toEqual([OWNER, OWNER]);
    const invs = await app.stranger?.ram.send(new GetResourceShareInvitationsCommand({}));
    expect(invs?.resourceShareInvitations?.map((i) => i.status)).toEqual(['PENDING', 'PENDING']);
    const waiting = await op.waitFor(
      'ResponsePlan',
      'stranger-plan',
      (o) => ready(o)?.reason === 'ReferencesNotReady' && /pending acceptance/.test(ready(o)?.message ?? ''),
      inNs(APPS),
    );
    const msg = ready(waiting)?.message ?? '';
    expect(msg).toContain(`EscalationPlan ${PLATFORM}/oncall`);
    expect(msg).toContain(`account ${OWNER}`);
    expect(msg).toContain(`add "${OWNER}" to spec.acceptResourceShares.accountIds of AWSAccount stranger`);
    expect(waiting?.status?.arn).toBeUndefined();

    // Not shared with the partner at all: the fix is on the owner's object.
    const unshared = await op.waitFor(
      'ResponsePlan',
      'partner-alice',
      (o) => ready(o)?.reason === 'ReferencesNotReady' && /not shared/.test(ready(o)?.message ?? ''),
      inNs(APPS),
    );
    expect(ready(unshared)?.message).toContain(
      `Contact ${PLATFORM}/alice (${(await op.get('Contact', 'alice'))?.status.arn}) belongs to account ${OWNER} and is not shared with account ${PARTNER}: add "${PARTNER}" to spec.sharing.principals of Contact ${PLATFORM}/alice`,
    );

    // Nothing was created for the waiting plans, and no invitation was ever rejected.
    const creates = op.calls({ since, operation: 'CreateResponsePlan' }).map((c) => c.account);
    expect(creates.sort()).toEqual([OWNER, MEMBER, PARTNER].sort());
    expect(op.calls({ since, operation: 'RejectResourceShareInvitation' })).toEqual([]);
  });

  it('a crash between accepting and writing status: the restarted controller accepts nothing twice, and the waiting plan follows', async () => {
    // The controller accepted one of the owner's invitations for the stranger (now allow-listed)
    // and died before writing the AWSAccount's status: its accept is in RAM, the status is not.
    await op.stack.stopController();
    await op.apply(awsAccount('stranger', STRANGER, [MEMBER, OWNER]));
    const invs = await app.stranger?.ram.send(new GetResourceShareInvitationsCommand({}));
    const [first, second] = (invs?.resourceShareInvitations ?? []).map(
      (i) => i.resourceShareInvitationArn as string,
    );
    await app.stranger?.ram.send(
      new AcceptResourceShareInvitationCommand({
        resourceShareInvitationArn: first,
        clientToken: acceptToken(first as string, STRANGER),
      }),
    );
    const since = op.mark();
    await op.stack.startController();

    const acct = await op.waitFor(
      'AWSAccount',
      'stranger',
      (o) => (sharesOf(o).accepted?.length ?? 0) === 2 && sharesOf(o).pending === undefined,
    );
    expect(sharesOf(acct).accepted?.map((s) => s.owner)).toEqual([OWNER, OWNER]);
    // Only the invitation not accepted yet was accepted, once.
    const accepts = op.calls({ since, operation: 'AcceptResourceShareInvitation' });
    expect(
      accepts.map((c) => (c.input as { resourceShareInvitationArn: string }).resourceShareInvitationArn),
    ).toEqual([second]);
    // The stranger's plan was waiting for the share: the accepted share wakes it.
    const rp = await op.ready('ResponsePlan', 'stranger-plan', APPS);
    expect(rp.status.engagementArns).toEqual([epArn]);
  });

  it('the owner stops sharing with one account: its plan loses the reference, the others keep it', async () => {
    await op.apply(ownerPlan([MEMBER, STRANGER]));
    const lost = await op.waitFor(
      'ResponsePlan',
      'partner-plan',
      (o) => ready(o)?.reason === 'ReferenceLost',
      inNs(APPS),
    );
    expect(ready(lost)?.status).toBe('False');
    expect(ready(lost)?.message).toContain(
      `EscalationPlan ${PLATFORM}/oncall (${epArn}) of account ${OWNER}`,
    );
    expect(ready(lost)?.message).toContain(`no longer readable from account ${PARTNER}`);
    for (const a of ['member', 'stranger'] as const)
      expect(isReady(await op.get('ResponsePlan', `${a}-plan`, APPS))).toBe(true);
  });
});
