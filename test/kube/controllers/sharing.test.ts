// spec.sharing end to end: EscalationPlans and ResponsePlans shared through AWS RAM by the controller
// (account 111111111111, management account of the emulated organization, sharing with AWS
// Organizations enabled), read back by the consumer account 222222222222 with its own keys.
import {
  AcceptResourceShareInvitationCommand,
  DeleteResourceShareCommand,
  EnableSharingWithAwsOrganizationCommand,
  GetResourceShareInvitationsCommand,
  GetResourceSharesCommand,
  RAMClient,
} from '@aws-sdk/client-ram';
import { CreateContactCommand, GetContactCommand, SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import { GetResponsePlanCommand, SSMIncidentsClient } from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import { module as escalationPlanModule } from '../../../src/controllers/escalation-plan/index.ts';
import { module as responsePlanModule } from '../../../src/controllers/response-plan/index.ts';
import { INVITATION_POLL_MS } from '../../../src/controllers/shared/sharing.ts';
import type { CallRecord } from '../../../src/emulators/aws/observe.ts';
import {
  condition,
  isReady,
  type KubeObject,
  type Operator,
  startOperator,
  typeOf,
} from '../../support/operator.ts';

const NS = 'sharing-test';
const API = 'incidentmanager.gitops.dev/v1alpha1';
const MEMBER = '222222222222';
const MEMBER_KEY = 'AKIAI44QH8DHBEXAMPLE';
const OUTSIDER = '333333333333';
const OUTSIDER_KEY = 'AKIAJ3333333EXAMPLE3';
const ORG = 'arn:aws:organizations::111111111111:organization/o-emulator0001';
const FAST = {
  'ssm-contacts': { concurrency: 10, intervalCap: 50, intervalMs: 1_000 },
  'ssm-incidents': { concurrency: 10, intervalCap: 50, intervalMs: 1_000 },
  ram: { concurrency: 10, intervalCap: 50, intervalMs: 1_000 },
};

let op: Operator;
let alice: string;

function sdkFor(key: string) {
  const cfg = {
    region: op.stack.region,
    endpoint: op.stack.aws.url,
    credentials: { accessKeyId: key, secretAccessKey: 'any' },
  };
  return {
    ram: new RAMClient(cfg),
    incidents: new SSMIncidentsClient(cfg),
    contacts: new SSMContactsClient(cfg),
  };
}

const responsePlan = (name: string, sharing?: Record<string, unknown>): KubeObject => ({
  apiVersion: API,
  kind: 'ResponsePlan',
  metadata: { name, namespace: NS },
  spec: { name, incidentTemplate: { title: `${name} down`, impact: 2 }, ...(sharing ? { sharing } : {}) },
});

const escalationPlan = (name: string, sharing?: Record<string, unknown>): KubeObject => ({
  apiVersion: API,
  kind: 'EscalationPlan',
  metadata: { name, namespace: NS },
  spec: {
    alias: name,
    stages: [{ durationInMinutes: 5, targets: [{ contactArn: alice }] }],
    ...(sharing ? { sharing } : {}),
  },
});

type Principal = { principal: string; status: string; message?: string };
const principalsOf = (o: KubeObject | undefined): Principal[] => o?.status?.sharing?.principals ?? [];
const statusOf = (o: KubeObject | undefined, p: string) =>
  principalsOf(o).find((x) => x.principal === p)?.status;

/** Ready, shared, and every listed principal Associated (the object's current generation). */
const sharedWith =
  (...principals: string[]) =>
  (o: KubeObject | undefined) =>
    isReady(o) &&
    o?.status?.sharing?.resourceStatus === 'Associated' &&
    principalsOf(o).length === principals.length &&
    principals.every((p) => statusOf(o, p) === 'Associated');

const ramWrites = (since: number): CallRecord[] => op.writes(since, 'ram');
const input = (c: CallRecord | undefined) => c?.input as Record<string, unknown> | undefined;

async function sharesNamed(name: string) {
  const out = await op.sdk.ram.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', name }));
  return out.resourceShares ?? [];
}

/**
 * spec.sharing removed, `kubectl edit`-style (an apply that drops the block keeps the defaulted
 * allowExternalPrincipals, owned by no manager, and the object then lacks principals): the share is
 * deleted (one RAM write) and status.sharing goes.
 */
async function unshare(kind: string, name: string): Promise<void> {
  const since = op.mark();
  await op.client.request(
    'PATCH',
    `/apis/incidentmanager.gitops.dev/v1alpha1/namespaces/${NS}/${kind.toLowerCase()}s/${name}`,
    { spec: { sharing: null } },
    'application/merge-patch+json',
  );
  await op.waitFor(kind, name, (o) => isReady(o) && o?.status?.sharing === undefined);
  expect(ramWrites(since).map((c) => c.operation)).toEqual(['DeleteResourceShare']);
}

beforeAll(async () => {
  op = await startOperator({
    namespace: NS,
    modules: [contactModule, escalationPlanModule, responsePlanModule],
    gateLimits: FAST,
    pollMs: 50,
  });
  await op.onboard();
  // Inside the organization, shares reach members without an invitation once this is on.
  await op.sdk.ram.send(new EnableSharingWithAwsOrganizationCommand({}));
  const c = await op.sdk.contacts.send(
    new CreateContactCommand({ Alias: 'alice', Type: 'PERSONAL', Plan: { Stages: [] } }),
  );
  alice = c.ContactArn as string;
}, 60_000);

afterAll(async () => {
  await op?.stop();
});

describe('sharing through AWS RAM', () => {
  it('a ResponsePlan and an EscalationPlan shared with a member account: associated, and readable by that account with its own keys', async () => {
    const since = op.mark();
    await op.apply(responsePlan('shared-rp', { principals: [MEMBER] }));
    await op.apply(escalationPlan('shared-ep', { principals: [MEMBER] }));
    const rp = await op.waitFor('ResponsePlan', 'shared-rp', sharedWith(MEMBER));
    const ep = await op.waitFor('EscalationPlan', 'shared-ep', sharedWith(MEMBER));

    const rpShare = rp?.status.sharing;
    expect(rpShare).toMatchObject({ status: 'Active', allowExternalPrincipals: false });
    expect(rpShare.resourceShareArn).toMatch(/^arn:aws:ram:us-east-1:111111111111:resource-share\//);
    expect(ep?.status.sharing.resourceShareArn).not.toBe(rpShare.resourceShareArn);

    // One share per object, created with an explicit token and the identity tags.
    const creates = ramWrites(since).filter((c) => c.operation === 'CreateResourceShare');
    expect(creates).toHaveLength(2);
    for (const c of creates) {
      expect(c.token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(JSON.stringify(input(c)?.tags)).toContain('incidentmanager-gitops-dev/uid');
    }

    const member = sdkFor(MEMBER_KEY);
    try {
      const plan = await member.incidents.send(new GetResponsePlanCommand({ arn: rp?.status.arn }));
      expect(plan.name).toBe('shared-rp');
      const contact = await member.contacts.send(new GetContactCommand({ ContactId: ep?.status.arn }));
      expect(contact.Alias).toBe('shared-ep');
      expect(contact.Type).toBe('ESCALATION');
    } finally {
      for (const c of Object.values(member)) c.destroy();
    }
  });

  it('a personal Contact shared with a member account is readable by that account; unshared, it is not', async () => {
    await op.apply({
      apiVersion: API,
      kind: 'Contact',
      metadata: { name: 'shared-person', namespace: NS },
      spec: {
        alias: 'shared-person',
        type: 'Personal',
        channels: [
          { name: 'mail', type: 'Email', address: 'shared-person@example.com', deferActivation: true },
        ],
        engagementPlan: { stages: [{ durationInMinutes: 0, targets: [{ channelName: 'mail' }] }] },
        sharing: { principals: [MEMBER] },
      },
    });
    const c = await op.waitFor('Contact', 'shared-person', sharedWith(MEMBER));
    const member = sdkFor(MEMBER_KEY);
    try {
      const got = await member.contacts.send(new GetContactCommand({ ContactId: c?.status.arn }));
      expect(got.Alias).toBe('shared-person');
      await unshare('Contact', 'shared-person');
      await expect(
        member.contacts.send(new GetContactCommand({ ContactId: c?.status.arn })),
      ).rejects.toThrow();
    } finally {
      for (const x of Object.values(member)) x.destroy();
    }
  });

  it('a principal added is one AssociateResourceShare; removed, one DisassociateResourceShare', async () => {
    let since = op.mark();
    await op.apply(responsePlan('shared-rp', { principals: [MEMBER, ORG] }));
    await op.waitFor('ResponsePlan', 'shared-rp', sharedWith(MEMBER, ORG));
    expect(ramWrites(since).map((c) => c.operation)).toEqual(['AssociateResourceShare']);
    expect(input(ramWrites(since)[0])?.principals).toEqual([ORG]);
    expect(op.writes(since, 'ssm-incidents')).toEqual([]);

    since = op.mark();
    await op.apply(responsePlan('shared-rp', { principals: [MEMBER] }));
    await op.waitFor('ResponsePlan', 'shared-rp', sharedWith(MEMBER));
    expect(ramWrites(since).map((c) => c.operation)).toEqual(['DisassociateResourceShare']);
    expect(input(ramWrites(since)[0])?.principals).toEqual([ORG]);
  });

  it('a principal outside the organization is refused without allowExternalPrincipals (clear condition, asked once, also after a restart); allowed, it waits for its invitation', async () => {
    let since = op.mark();
    await op.apply(responsePlan('shared-rp', { principals: [MEMBER, OUTSIDER] }));
    const refused = await op.waitFor(
      'ResponsePlan',
      'shared-rp',
      (o) =>
        statusOf(o, OUTSIDER) === 'Refused' &&
        o?.status?.observedGeneration === o?.metadata.generation &&
        condition(o, 'Ready')?.status === 'False',
      { timeoutMs: 10_000 },
    );
    const ready = condition(refused, 'Ready');
    expect(ready?.message).toContain(OUTSIDER);
    expect(ready?.message).toContain('allowExternalPrincipals: true');
    expect(principalsOf(refused).find((p) => p.principal === OUTSIDER)?.message).toMatch(/outside/);
    // The member keeps its access; RAM was asked about the outsider once, not in a loop.
    expect(statusOf(refused, MEMBER)).toBe('Associated');
    const asks = ramWrites(since).filter((c) => c.operation === 'AssociateResourceShare');
    expect(asks).toHaveLength(1);
    expect(asks[0]?.status).toBeGreaterThanOrEqual(400);

    // A restart (or a new leader) reads the refusal back from status.sharing: RAM is not asked again.
    since = op.mark();
    await op.stack.stopController();
    await op.stack.startController();
    await op.nextCall((c) => c.operation === 'GetResourceShareAssociations', { since });
    // A label change visits the object again; visits of one object never overlap, so once that
    // visit reads the plan, the restarted controller's first visit is complete.
    const settled = op.mark();
    await op.client.mergePatch(
      typeOf('ResponsePlan'),
      'shared-rp',
      { metadata: { labels: { visited: 'again' } } },
      NS,
    );
    await op.nextCall((c) => c.operation === 'GetResponsePlan', { since: settled });
    expect(ramWrites(since)).toEqual([]);
    const afterRestart = await op.get('ResponsePlan', 'shared-rp');
    expect(statusOf(afterRestart, OUTSIDER)).toBe('Refused');
    expect(condition(afterRestart, 'Ready')?.message).toContain(OUTSIDER);

    since = op.mark();
    await op.apply(
      responsePlan('shared-rp', { principals: [MEMBER, OUTSIDER], allowExternalPrincipals: true }),
    );
    const waiting = await op.waitFor(
      'ResponsePlan',
      'shared-rp',
      (o) =>
        // Waiting for a human does not hold Ready: plans that reference this object go on.
        isReady(o) &&
        statusOf(o, OUTSIDER) === 'Associating' &&
        o?.status?.sharing?.allowExternalPrincipals === true &&
        o?.status?.observedGeneration === o?.metadata.generation,
    );
    expect(waiting?.status.sharing.principals.find((p: Principal) => p.principal === OUTSIDER)).toBeDefined();
    expect(ramWrites(since).map((c) => c.operation)).toEqual([
      'UpdateResourceShare',
      'AssociateResourceShare',
    ]);

    // The outsider accepts the invitation; the controller, polling, sees the association complete.
    const outsider = sdkFor(OUTSIDER_KEY);
    try {
      const inv = await outsider.ram.send(new GetResourceShareInvitationsCommand({}));
      const pending = inv.resourceShareInvitations?.find((i) => i.status === 'PENDING');
      await outsider.ram.send(
        new AcceptResourceShareInvitationCommand({
          resourceShareInvitationArn: pending?.resourceShareInvitationArn,
        }),
      );
    } finally {
      for (const c of Object.values(outsider)) c.destroy();
    }
    // Nothing tells the owner: the controller looks again on its invitation poll.
    op.stack.clock.advance(INVITATION_POLL_MS);
    await op.waitFor('ResponsePlan', 'shared-rp', sharedWith(MEMBER, OUTSIDER));
  });

  it('steady state: a resync reads three RAM calls per share and writes nothing; reordered principals are no change', async () => {
    const since = op.mark();
    const ramReads = () => op.calls({ service: 'ram', since }).filter((c) => c.operation.startsWith('Get'));
    // Two live shares (shared-rp, shared-ep); the unshared contact reads no RAM at all.
    op.stack.clock.advance(700_000); // past the resync and its jitter
    while (ramReads().length < 6)
      await op.nextCall((c) => c.service === 'ram', { since: ramReads().at(-1)?.seq ?? since });
    // A new generation whose principals only changed order: its visit runs after the resync's
    // (visits of one object never overlap) and is done once status shows that generation.
    const rp = await op.apply(
      responsePlan('shared-rp', { principals: [OUTSIDER, MEMBER], allowExternalPrincipals: true }),
    );
    await op.waitFor(
      'ResponsePlan',
      'shared-rp',
      (o) => o?.status?.observedGeneration === rp.metadata.generation && isReady(o),
    );
    expect(op.writes(since)).toEqual([]);
    expect(new Set(ramReads().map((c) => c.operation))).toEqual(
      new Set(['GetResourceShares', 'GetResourceShareAssociations']),
    );
  });

  it('a share deleted outside the controller is created again (not replayed) on the next visit', async () => {
    const before = (await op.get('ResponsePlan', 'shared-rp'))?.status.sharing.resourceShareArn as string;
    await op.sdk.ram.send(new DeleteResourceShareCommand({ resourceShareArn: before }));
    const since = op.mark();
    op.stack.clock.advance(700_000); // the resync finds it gone
    const after = await op.waitFor(
      'ResponsePlan',
      'shared-rp',
      (o) =>
        isReady(o) &&
        o?.status?.sharing?.resourceShareArn !== before &&
        statusOf(o, MEMBER) === 'Associated' &&
        statusOf(o, OUTSIDER) === 'Associating',
    );
    expect(after?.status.sharing.resourceShareArn).toMatch(/resource-share\//);
    expect(ramWrites(since).map((c) => c.operation)).toEqual([
      'CreateResourceShare',
      'AssociateResourceShare',
    ]);
  });

  it('sharing removed: the share is deleted and the status block goes', async () => {
    await unshare('ResponsePlan', 'shared-rp');
    // The one deleted outside the controller, and ours.
    const shares = await sharesNamed('incident-manager-operator.ResponsePlan.sharing-test.shared-rp');
    expect(shares.map((s) => s.status)).toEqual(['DELETED', 'DELETED']);
  });

  it('object deleted: its share is deleted before the escalation plan', async () => {
    const since = op.mark();
    await op.remove('EscalationPlan', 'shared-ep');
    await op.gone('EscalationPlan', 'shared-ep');
    const ops = op.writes(since).map((c) => c.operation);
    expect(ops).toEqual(['DeleteResourceShare', 'DeleteContact']);
    const shares = await sharesNamed('incident-manager-operator.EscalationPlan.sharing-test.shared-ep');
    expect(shares.map((s) => s.status)).toEqual(['DELETED']);
  });
});
