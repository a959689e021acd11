// Sharing seen from both sides (issue 13 items 7, 8, 11; issue 12's invitation window in status):
// the controller runs as account 111111111111 (management account of the emulated organization,
// RAM sharing with AWS Organizations off at first); account 222222222222 owns resources it shares
// with it, through its own keys.
import {
  DeleteResourceShareCommand,
  EnableSharingWithAwsOrganizationCommand,
  RAMClient,
} from '@aws-sdk/client-ram';
import { CreateContactCommand, DeleteContactCommand, SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  CreateResponsePlanCommand,
  SSMIncidentsClient,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import { module as escalationPlanModule } from '../../../src/controllers/escalation-plan/index.ts';
import { module as responsePlanModule } from '../../../src/controllers/response-plan/index.ts';
import { ASSOCIATING_WINDOW_MS, REFUSAL_RETRY_MS } from '../../../src/controllers/shared/sharing.ts';
import { FINALIZER } from '../../../src/crds/common.ts';
import type { CallRecord } from '../../../src/emulators/aws/observe.ts';
import { REFERENCE_RECHECK_MS } from '../../../src/engine/references.ts';
import {
  condition,
  isReady,
  type KubeObject,
  type Operator,
  startOperator,
  typeOf,
} from '../../support/operator.ts';
import { shareWithStack } from '../../support/shared-contact.ts';

const NS = 'sharing-accounts';
const API = 'incidentmanager.gitops.dev/v1alpha1';
const ANNOTATION = 'incidentmanager.gitops.dev/external-arn';
const OWNER = '222222222222';
const OWNER_KEY = 'AKIAI44QH8DHBEXAMPLE';
const ORG = 'arn:aws:organizations::111111111111:organization/o-emulator0001';

let op: Operator;
let owner: { ram: RAMClient; incidents: SSMIncidentsClient; contacts: SSMContactsClient };
let alice: string;

const principal = (o: KubeObject | undefined, p: string) =>
  (
    o?.status?.sharing?.principals as { principal: string; status: string; since?: string }[] | undefined
  )?.find((x) => x.principal === p);
const readyReason = (o: KubeObject | undefined) => condition(o, 'Ready')?.reason;
const current = (o: KubeObject | undefined) => o?.status?.observedGeneration === o?.metadata.generation;

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

const responsePlan = (
  name: string,
  spec: Record<string, unknown> = {},
  annotations?: Record<string, string>,
) =>
  ({
    apiVersion: API,
    kind: 'ResponsePlan',
    metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) },
    spec: { name, incidentTemplate: { title: `${name} down`, impact: 2 }, ...spec },
  }) as KubeObject;

/** Calls of `operation` since `since` whose input names `arn`. */
const callsOn = (operation: string, arn: string, since: number): CallRecord[] =>
  op.calls({ operation, since }).filter((c) => JSON.stringify(c.input).includes(arn));

/** The owner shares `arn` with the controller's account; the controller's account accepts. */
const ownerShares = (name: string, arn: string) => shareWithStack(op, owner.ram, name, arn);

beforeAll(async () => {
  op = await startOperator({
    namespace: NS,
    modules: [contactModule, escalationPlanModule, responsePlanModule],
    pollMs: 50,
  });
  await op.onboard();
  const c = await op.sdk.contacts.send(
    new CreateContactCommand({ Alias: 'alice', Type: 'PERSONAL', Plan: { Stages: [] } }),
  );
  alice = c.ContactArn as string;
  const cfg = {
    region: op.stack.region,
    endpoint: op.stack.aws.url,
    credentials: { accessKeyId: OWNER_KEY, secretAccessKey: 'local-emulator' },
  };
  owner = {
    ram: new RAMClient(cfg),
    incidents: new SSMIncidentsClient(cfg),
    contacts: new SSMContactsClient(cfg),
  };
  await owner.incidents.send(new CreateReplicationSetCommand({ regions: { [op.stack.region]: {} } }));
}, 60_000);

afterAll(async () => {
  for (const c of Object.values(owner ?? {})) c.destroy();
  await op?.stop();
});

describe('sharing across accounts', () => {
  it('the invitation window of a principal lives in status.sharing: a restarted controller does not open it again', async () => {
    // Inside the organization while RAM's organization sharing is off, the member gets an
    // invitation: ASSOCIATING, first counted as RAM at work (Ready=False while polled).
    await op.apply(escalationPlan('invited-ep', { principals: [OWNER] }));
    const busy = await op.waitFor(
      'EscalationPlan',
      'invited-ep',
      (o) =>
        principal(o, OWNER)?.status === 'Associating' &&
        condition(o, 'Ready')?.status === 'False' &&
        /associating/.test(condition(o, 'Ready')?.message ?? '') &&
        current(o),
    );
    const since = principal(busy, OWNER)?.since as string;
    expect(Date.parse(since)).not.toBeNaN();

    // A restart (or a new leader) past the window: the window counts from status, not from the
    // new process's first look, so the plan is Ready at once, waiting for the invitation.
    await op.stack.stopController();
    op.stack.clock.advance(ASSOCIATING_WINDOW_MS);
    await op.stack.startController();
    const waiting = await op.waitFor(
      'EscalationPlan',
      'invited-ep',
      (o) => isReady(o) && principal(o, OWNER)?.status === 'Associating',
    );
    expect(principal(waiting, OWNER)?.since).toBe(since);
  });

  it('a principal refused while RAM organization sharing is off: referrers go on, and RAM is asked again on a slow timer once it is enabled', async () => {
    const since = op.mark();
    const ep = await op.apply(escalationPlan('org-ep', { principals: [ORG] }));
    const refused = await op.waitFor(
      'EscalationPlan',
      'org-ep',
      (o) => principal(o, ORG)?.status === 'Refused' && readyReason(o) === 'SharingNotEnabled' && current(o),
    );
    expect(condition(refused, 'Ready')?.status).toBe('False');
    expect(condition(refused, 'Ready')?.message).toContain('enable-sharing-with-aws-organization');
    expect(Date.parse(principal(refused, ORG)?.since as string)).not.toBeNaN();

    // Both objects exist: a plan engaging the refused escalation plan is not held back.
    await op.apply(
      responsePlan('engages-org-ep', { engagements: [{ escalationPlanRef: { name: 'org-ep' } }] }),
    );
    const rp = await op.ready('ResponsePlan', 'engages-org-ep');
    expect(rp.status.engagementArns).toEqual([refused?.status.arn]);

    // The fix happens outside the cluster; no spec edit follows it.
    await op.sdk.ram.send(new EnableSharingWithAwsOrganizationCommand({}));
    op.stack.clock.advance(REFUSAL_RETRY_MS);
    const shared = await op.waitFor(
      'EscalationPlan',
      'org-ep',
      (o) => isReady(o) && principal(o, ORG)?.status === 'Associated',
    );
    expect(shared?.metadata.generation).toBe(ep.metadata.generation);
    // RAM was asked once at first, once after the timer: never in a loop.
    const asks = op.calls({ operation: 'AssociateResourceShare', since });
    expect(asks.filter((c) => JSON.stringify(c.input).includes(ORG))).toHaveLength(2);
  });

  it("another account's shared response plan or escalation plan: refused at once to manage (NotOwner), observed read-only with Observe", async () => {
    const plan = await owner.incidents.send(
      new CreateResponsePlanCommand({
        name: 'owner-plan',
        incidentTemplate: { title: 'owner-plan down', impact: 2 },
      }),
    );
    const planArn = plan.arn as string;
    const bob = await owner.contacts.send(
      new CreateContactCommand({ Alias: 'owner-bob', Type: 'PERSONAL', Plan: { Stages: [] } }),
    );
    const bobArn = bob.ContactArn as string;
    const ownerEp = await owner.contacts.send(
      new CreateContactCommand({
        Alias: 'owner-ep',
        Type: 'ESCALATION',
        Plan: {
          Stages: [
            {
              DurationInMinutes: 5,
              Targets: [{ ContactTargetInfo: { ContactId: bobArn, IsEssential: false } }],
            },
          ],
        },
      }),
    );
    const epArn = ownerEp.ContactArn as string;
    await ownerShares('owner-plan', planArn);
    await ownerShares('owner-ep', epArn);
    await ownerShares('owner-bob', bobArn);

    const since = op.mark();
    await op.apply(
      responsePlan(
        'managed-owner-plan',
        { name: 'owner-plan', incidentTemplate: { title: 'owner-plan down', impact: 2 } },
        { [ANNOTATION]: planArn },
      ),
    );
    const refused = await op.waitFor(
      'ResponsePlan',
      'managed-owner-plan',
      (o) => readyReason(o) === 'NotOwner',
    );
    const ready = condition(refused, 'Ready');
    expect(ready?.status).toBe('False');
    expect(ready?.message).toContain(`only the owner account ${OWNER} can tag, share or change it`);
    expect(ready?.message).toContain('managementPolicy: Observe');
    expect(condition(refused, 'Synced')?.reason).toBe('NotOwner');
    expect(refused?.metadata.finalizers ?? []).toEqual([]);

    await op.apply(
      responsePlan(
        'observed-owner-plan',
        {
          name: 'owner-plan',
          incidentTemplate: { title: 'owner-plan down', impact: 2 },
          managementPolicy: 'Observe',
        },
        { [ANNOTATION]: planArn },
      ),
    );
    const observed = await op.ready('ResponsePlan', 'observed-owner-plan');
    expect(observed.status.arn).toBe(planArn);
    expect(condition(observed, 'Synced')?.reason).toBe('ObserveOnly');
    expect(condition(observed, 'Ready')?.message).toContain(`Shared by account ${OWNER}`);

    await op.apply({
      apiVersion: API,
      kind: 'EscalationPlan',
      metadata: { name: 'observed-owner-ep', namespace: NS, annotations: { [ANNOTATION]: epArn } },
      spec: {
        alias: 'owner-ep',
        managementPolicy: 'Observe',
        stages: [{ durationInMinutes: 5, targets: [{ contactArn: bobArn }] }],
      },
    });
    const ep = await op.ready('EscalationPlan', 'observed-owner-ep');
    expect(ep.status.arn).toBe(epArn);
    expect(condition(ep, 'Synced')?.reason).toBe('ObserveOnly');

    // A shared personal contact: its channels and tags are the owner's, so neither they nor the
    // channel conditions built on them are shown.
    await op.apply({
      apiVersion: API,
      kind: 'Contact',
      metadata: { name: 'observed-owner-bob', namespace: NS, annotations: { [ANNOTATION]: bobArn } },
      spec: { alias: 'owner-bob', type: 'Personal', managementPolicy: 'Observe' },
    });
    const person = await op.ready('Contact', 'observed-owner-bob');
    expect(person.status.conditions.map((c: { type: string }) => c.type).sort()).toEqual(['Ready', 'Synced']);
    expect(callsOn('ListContactChannels', bobArn, since)).toEqual([]);

    // An object made before this refusal existed may carry the finalizer: deleting it leaves the
    // owner's escalation plan in place.
    await op.apply({
      apiVersion: API,
      kind: 'EscalationPlan',
      metadata: {
        name: 'legacy-owner-ep',
        namespace: NS,
        annotations: { [ANNOTATION]: epArn },
        finalizers: [FINALIZER],
      },
      spec: { alias: 'owner-ep', stages: [{ durationInMinutes: 5, targets: [{ contactArn: bobArn }] }] },
    });
    await op.waitFor('EscalationPlan', 'legacy-owner-ep', (o) => readyReason(o) === 'NotOwner');
    await op.remove('EscalationPlan', 'legacy-owner-ep');
    await op.gone('EscalationPlan', 'legacy-owner-ep');

    // Nothing written, and no tag read AWS would refuse (the owner's alone), on any of them.
    expect(op.writes(since)).toEqual([]);
    expect(callsOn('ListTagsForResource', bobArn, since)).toEqual([]);
    expect(callsOn('ListTagsForResource', planArn, since)).toEqual([]);
    expect(callsOn('ListTagsForResource', epArn, since)).toEqual([]);
  });

  it('a response plan engaging a contact another account shares: ReferenceLost when the share goes or the contact is deleted, Ready again when it is back', async () => {
    const contact = await owner.contacts.send(
      new CreateContactCommand({ Alias: 'owner-oncall', Type: 'PERSONAL', Plan: { Stages: [] } }),
    );
    const arn = contact.ContactArn as string;
    const share = await ownerShares('owner-oncall', arn);
    await op.apply(responsePlan('engages-shared', { engagements: [{ contactArn: arn }] }));
    await op.ready('ResponsePlan', 'engages-shared');

    // Each visit reads the foreign ARN once.
    let since = op.mark();
    await op.client.mergePatch(
      typeOf('ResponsePlan'),
      'engages-shared',
      { metadata: { labels: { visited: 'again' } } },
      NS,
    );
    await op.nextCall((c) => c.operation === 'GetResponsePlan', { since });
    expect(callsOn('GetContact', arn, since)).toHaveLength(1);

    // The owner stops sharing: the next visit says so, naming the ARN and the owner.
    await owner.ram.send(new DeleteResourceShareCommand({ resourceShareArn: share }));
    op.stack.clock.advance(700_000); // past the resync and its jitter
    const lost = await op.waitFor(
      'ResponsePlan',
      'engages-shared',
      (o) => readyReason(o) === 'ReferenceLost',
    );
    expect(condition(lost, 'Ready')?.status).toBe('False');
    expect(condition(lost, 'Ready')?.message).toContain(arn);
    expect(condition(lost, 'Ready')?.message).toContain(`account ${OWNER}`);

    // Shared again: it recovers on the recheck.
    await ownerShares('owner-oncall-again', arn);
    op.stack.clock.advance(REFERENCE_RECHECK_MS);
    await op.waitFor('ResponsePlan', 'engages-shared', isReady);

    // The owner deletes the contact: lost again.
    since = op.mark();
    await owner.contacts.send(new DeleteContactCommand({ ContactId: arn }));
    op.stack.clock.advance(700_000);
    const deleted = await op.waitFor(
      'ResponsePlan',
      'engages-shared',
      (o) => readyReason(o) === 'ReferenceLost',
    );
    expect(condition(deleted, 'Ready')?.message).toContain(arn);
    expect(op.writes(since, 'ssm-incidents')).toEqual([]);
  });
});
