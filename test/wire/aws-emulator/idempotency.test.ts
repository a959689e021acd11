// Idempotency conformance: every served operation with an idempotency token in its model input
// (`clientToken`, `IdempotencyToken`) returns its first result when the same request is replayed
// with the same token — even when repeating it for real would now fail or create a second resource —
// and refuses the token with a different request using the service's error.
import {
  AcceptResourceShareInvitationCommand,
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  DisassociateResourceShareCommand,
  GetResourceShareInvitationsCommand,
  GetResourceSharesCommand,
  RejectResourceShareInvitationCommand,
  UpdateResourceShareCommand,
} from '@aws-sdk/client-ram';
import {
  CreateContactChannelCommand,
  CreateContactCommand,
  CreateRotationCommand,
  CreateRotationOverrideCommand,
  ListContactChannelsCommand,
  ListContactsCommand,
  ListRotationOverridesCommand,
  ListRotationsCommand,
  SSMContactsClient,
} from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  CreateResponsePlanCommand,
  ListResponsePlansCommand,
  UpdateDeletionProtectionCommand,
  UpdateReplicationSetCommand,
  UpdateResponsePlanCommand,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, failure, type Harness, servedOperationsWithMember, startHarness } from './helpers.ts';

const HOUR = 3_600_000;
type Variant = 'a' | 'b';
interface Case {
  /** The call with `token`; variants a and b are different requests. */
  call(token: string, v: Variant): Promise<object>;
  /** How many resources the call creates exist (creates only): a replay must not add one. */
  count?(): Promise<number>;
  mismatch: [string, number];
}

let h: Harness;
const fx = {
  setArn: '',
  plans: [] as string[],
  contact: '',
  rotation: '',
  shares: [] as string[],
  invitations: [] as string[],
};
const contacts = () =>
  new SSMContactsClient({
    endpoint: h.emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey },
    maxAttempts: 1,
  });
const daily = {
  NumberOfOnCalls: 1,
  RecurrenceMultiplier: 1,
  DailySettings: [{ HourOfDay: 9, MinuteOfHour: 0 }],
};
const strip = (out: object) => {
  const { $metadata: _, ...rest } = out as Record<string, unknown>;
  return rest;
};

beforeAll(async () => {
  h = await startHarness();
});
beforeEach(async () => {
  // ALICE is onboarded with plans, a contact, a rotation and two shares to BOB (two invitations);
  // BOB is not onboarded (CreateReplicationSet runs as BOB).
  h.emu.admin.reset();
  const inc = h.incidents();
  fx.setArn = (await inc.send(new CreateReplicationSetCommand({ regions: { 'us-east-1': {} } })))
    .arn as string;
  h.clock.advance(5000);
  fx.plans = [];
  for (const name of ['p1', 'p2', 'p3'])
    fx.plans.push(
      (await inc.send(new CreateResponsePlanCommand({ name, incidentTemplate: { title: name, impact: 3 } })))
        .arn as string,
    );
  const c = contacts();
  fx.contact = (
    await c.send(new CreateContactCommand({ Alias: 'ann', Type: 'PERSONAL', Plan: { Stages: [] } }))
  ).ContactArn as string;
  fx.rotation = (
    await c.send(
      new CreateRotationCommand({
        Name: 'r',
        ContactIds: [fx.contact],
        TimeZoneId: 'UTC',
        Recurrence: daily,
      }),
    )
  ).RotationArn as string;
  fx.shares = [];
  for (const name of ['s1', 's2'])
    fx.shares.push(
      (
        await h.ram().send(
          new CreateResourceShareCommand({
            name,
            resourceArns: [fx.plans[0] as string],
            principals: [BOB.account],
          }),
        )
      ).resourceShare?.resourceShareArn as string,
    );
  const inv = await h.ram(BOB).send(new GetResourceShareInvitationsCommand({}));
  fx.invitations = fx.shares.map(
    (s) =>
      inv.resourceShareInvitations?.find((i) => i.resourceShareArn === s)
        ?.resourceShareInvitationArn as string,
  );
});
afterAll(async () => h?.emu.stop());

const pick = <T>(v: Variant, a: T, b: T) => (v === 'a' ? a : b);
const INCIDENTS: [string, number] = ['ConflictException', 409];
const CONTACTS: [string, number] = ['ConflictException', 400];
const RAM: [string, number] = ['IdempotentParameterMismatchException', 400];

const CASES: Record<string, Case> = {
  'ssm-incidents:CreateReplicationSet': {
    call: (clientToken, v) =>
      h.incidents(BOB).send(
        new CreateReplicationSetCommand({
          regions: { [pick(v, 'us-east-1', 'us-west-2')]: {} },
          clientToken,
        }),
      ),
    mismatch: INCIDENTS,
  },
  'ssm-incidents:CreateResponsePlan': {
    call: (clientToken, v) =>
      h.incidents().send(
        new CreateResponsePlanCommand({
          name: 'idem',
          incidentTemplate: { title: pick(v, 'a', 'b'), impact: 3 },
          clientToken,
        }),
      ),
    count: async () =>
      (await h.incidents().send(new ListResponsePlansCommand({}))).responsePlanSummaries?.length ?? 0,
    mismatch: INCIDENTS,
  },
  'ssm-incidents:UpdateDeletionProtection': {
    call: (clientToken, v) =>
      h.incidents().send(
        new UpdateDeletionProtectionCommand({
          arn: fx.setArn,
          deletionProtected: pick(v, true, false),
          clientToken,
        }),
      ),
    mismatch: INCIDENTS,
  },
  'ssm-incidents:UpdateReplicationSet': {
    // A real second add of the same Region would be refused (UPDATING, and already in the set).
    call: (clientToken, v) =>
      h.incidents().send(
        new UpdateReplicationSetCommand({
          arn: fx.setArn,
          actions: [{ addRegionAction: { regionName: pick(v, 'us-west-2', 'eu-west-1') } }],
          clientToken,
        }),
      ),
    mismatch: INCIDENTS,
  },
  'ssm-incidents:UpdateResponsePlan': {
    call: (clientToken, v) =>
      h.incidents().send(
        new UpdateResponsePlanCommand({
          arn: fx.plans[1],
          incidentTemplateImpact: pick(v, 1, 2),
          clientToken,
        }),
      ),
    mismatch: INCIDENTS,
  },
  'ssm-contacts:CreateContact': {
    call: (IdempotencyToken, v) =>
      contacts().send(
        new CreateContactCommand({
          Alias: 'idem',
          DisplayName: pick(v, 'A', 'B'),
          Type: 'PERSONAL',
          Plan: { Stages: [] },
          IdempotencyToken,
        }),
      ),
    count: async () => (await contacts().send(new ListContactsCommand({}))).Contacts?.length ?? 0,
    mismatch: CONTACTS,
  },
  'ssm-contacts:CreateContactChannel': {
    call: (IdempotencyToken, v) =>
      contacts().send(
        new CreateContactChannelCommand({
          ContactId: fx.contact,
          Name: 'mail',
          Type: 'EMAIL',
          DeliveryAddress: { SimpleAddress: pick(v, 'a@example.com', 'b@example.com') },
          DeferActivation: true,
          IdempotencyToken,
        }),
      ),
    count: async () =>
      (await contacts().send(new ListContactChannelsCommand({ ContactId: fx.contact }))).ContactChannels
        ?.length ?? 0,
    mismatch: CONTACTS,
  },
  'ssm-contacts:CreateRotation': {
    call: (IdempotencyToken, v) =>
      contacts().send(
        new CreateRotationCommand({
          Name: 'idem',
          ContactIds: [fx.contact],
          TimeZoneId: pick(v, 'UTC', 'Europe/Dublin'),
          Recurrence: daily,
          IdempotencyToken,
        }),
      ),
    count: async () => (await contacts().send(new ListRotationsCommand({}))).Rotations?.length ?? 0,
    mismatch: CONTACTS,
  },
  'ssm-contacts:CreateRotationOverride': {
    call: (IdempotencyToken, v) =>
      contacts().send(
        new CreateRotationOverrideCommand({
          RotationId: fx.rotation,
          NewContactIds: [fx.contact],
          StartTime: new Date(h.clock.now() + HOUR),
          EndTime: new Date(h.clock.now() + pick(v, 2, 3) * HOUR),
          IdempotencyToken,
        }),
      ),
    count: async () =>
      (
        await contacts().send(
          new ListRotationOverridesCommand({
            RotationId: fx.rotation,
            StartTime: new Date(h.clock.now()),
            EndTime: new Date(h.clock.now() + 24 * HOUR),
          }),
        )
      ).RotationOverrides?.length ?? 0,
    mismatch: CONTACTS,
  },
  'ram:CreateResourceShare': {
    call: (clientToken, v) =>
      h.ram().send(new CreateResourceShareCommand({ name: pick(v, 'idem-a', 'idem-b'), clientToken })),
    count: async () =>
      (await h.ram().send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares?.length ??
      0,
    mismatch: RAM,
  },
  'ram:UpdateResourceShare': {
    call: (clientToken, v) =>
      h.ram().send(
        new UpdateResourceShareCommand({
          resourceShareArn: fx.shares[0],
          name: pick(v, 'x', 'y'),
          clientToken,
        }),
      ),
    mismatch: RAM,
  },
  'ram:DeleteResourceShare': {
    call: (clientToken, v) =>
      h.ram().send(
        new DeleteResourceShareCommand({
          resourceShareArn: pick(v, fx.shares[0], fx.shares[1]),
          clientToken,
        }),
      ),
    mismatch: RAM,
  },
  'ram:AssociateResourceShare': {
    call: (clientToken, v) =>
      h.ram().send(
        new AssociateResourceShareCommand({
          resourceShareArn: fx.shares[0],
          resourceArns: [pick(v, fx.plans[1], fx.plans[2]) as string],
          clientToken,
        }),
      ),
    mismatch: RAM,
  },
  'ram:DisassociateResourceShare': {
    call: (clientToken, v) =>
      h.ram().send(
        new DisassociateResourceShareCommand({
          resourceShareArn: pick(v, fx.shares[0], fx.shares[1]),
          resourceArns: [fx.plans[0] as string],
          clientToken,
        }),
      ),
    mismatch: RAM,
  },
  'ram:AcceptResourceShareInvitation': {
    // A real second accept is ResourceShareInvitationAlreadyAcceptedException.
    call: (clientToken, v) =>
      h.ram(BOB).send(
        new AcceptResourceShareInvitationCommand({
          resourceShareInvitationArn: pick(v, fx.invitations[0], fx.invitations[1]),
          clientToken,
        }),
      ),
    mismatch: RAM,
  },
  'ram:RejectResourceShareInvitation': {
    call: (clientToken, v) =>
      h.ram(BOB).send(
        new RejectResourceShareInvitationCommand({
          resourceShareInvitationArn: pick(v, fx.invitations[0], fx.invitations[1]),
          clientToken,
        }),
      ),
    mismatch: RAM,
  },
};

describe('idempotency tokens', () => {
  it('covers every served operation with an idempotency token', () => {
    expect(Object.keys(CASES).sort()).toEqual(
      servedOperationsWithMember(h.emu, (m) => m === 'clientToken' || m === 'IdempotencyToken'),
    );
  });

  it.each(Object.keys(CASES))('%s: a replay returns the first result and changes nothing', async (op) => {
    const c = CASES[op] as Case;
    const first = strip(await c.call('token-1', 'a'));
    const before = await c.count?.();
    const replay = strip(await c.call('token-1', 'a'));
    expect(replay).toEqual(first);
    if (c.count) expect(await c.count()).toBe(before);
  });

  it.each(Object.keys(CASES))('%s: the token with a different request is refused', async (op) => {
    const c = CASES[op] as Case;
    await c.call('token-1', 'a');
    const e = await failure(() => c.call('token-1', 'b'));
    expect([e.name, e.status]).toEqual(c.mismatch);
  });
});
