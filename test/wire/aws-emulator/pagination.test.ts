// Pagination conformance: every paginated operation the emulator serves (an input with a next token,
// read from the models) is walked one item per page through the official SDK; the pages together
// are exactly the unpaged listing, the last page has no token, and a forged token is refused with
// the service's error.
import {
  CreateResourceShareCommand,
  GetResourceShareAssociationsCommand,
  GetResourceShareInvitationsCommand,
  GetResourceSharesCommand,
  ListPendingInvitationResourcesCommand,
  ListPermissionsCommand,
  ListPrincipalsCommand,
  ListResourceSharePermissionsCommand,
  ListResourcesCommand,
} from '@aws-sdk/client-ram';
import {
  CreateContactChannelCommand,
  CreateContactCommand,
  CreateRotationCommand,
  CreateRotationOverrideCommand,
  ListContactChannelsCommand,
  ListContactsCommand,
  ListPreviewRotationShiftsCommand,
  ListRotationOverridesCommand,
  ListRotationShiftsCommand,
  ListRotationsCommand,
  SSMContactsClient,
} from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  CreateResponsePlanCommand,
  GetResourcePoliciesCommand,
  ListReplicationSetsCommand,
  ListResponsePlansCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, failure, type Harness, servedOperationsWithMember, startHarness } from './helpers.ts';

const CAROL = { accessKeyId: 'AKIAJ3333333EXAMPLE3', secretAccessKey: 'test', account: '333333333333' };
const HOUR = 3_600_000;

/** One page: its items and the token for the next one. */
type Page = [unknown[] | undefined, string | undefined];
interface Case {
  /** The full listing in one call (default page size). */
  all(): Promise<Page>;
  /** One page of at most `max` items after `token`. */
  page(token: string | undefined, max: number): Promise<Page>;
  /** The error a forged token gets: [name, HTTP status]. */
  badToken: [string, number];
}

let h: Harness;
const fx = {
  plans: [] as string[],
  contacts: [] as string[],
  rotation: '',
  shareArn: '',
  invitationArn: '',
  start: 0,
};
const contacts = (who = ALICE) =>
  new SSMContactsClient({
    endpoint: h.emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
    maxAttempts: 1,
  });
const daily = {
  NumberOfOnCalls: 1,
  RecurrenceMultiplier: 1,
  DailySettings: [{ HourOfDay: 9, MinuteOfHour: 0 }],
};

beforeAll(async () => {
  h = await startHarness();
  const inc = h.incidents();
  await inc.send(new CreateReplicationSetCommand({ regions: { 'us-east-1': {} } }));
  h.clock.advance(5000);
  fx.start = h.clock.now();
  for (const name of ['p1', 'p2', 'p3'])
    fx.plans.push(
      (await inc.send(new CreateResponsePlanCommand({ name, incidentTemplate: { title: name, impact: 3 } })))
        .arn as string,
    );
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
  for (let i = 0; i < 3; i++)
    await inc.send(new PutResourcePolicyCommand({ resourceArn: fx.plans[0], policy }));

  const c = contacts();
  for (const alias of ['ann', 'ben', 'cat'])
    fx.contacts.push(
      (await c.send(new CreateContactCommand({ Alias: alias, Type: 'PERSONAL', Plan: { Stages: [] } })))
        .ContactArn as string,
    );
  for (const name of ['mail', 'sms', 'voice'])
    await c.send(
      new CreateContactChannelCommand({
        ContactId: fx.contacts[0],
        Name: name,
        Type: name === 'mail' ? 'EMAIL' : name === 'sms' ? 'SMS' : 'VOICE',
        DeliveryAddress: { SimpleAddress: name === 'mail' ? 'ann@example.com' : '+15555550100' },
        DeferActivation: true,
      }),
    );
  for (const name of ['r-a', 'r-b'])
    await c.send(
      new CreateRotationCommand({
        Name: name,
        ContactIds: fx.contacts,
        StartTime: new Date(fx.start),
        TimeZoneId: 'UTC',
        Recurrence: daily,
      }),
    );
  fx.rotation = `arn:aws:ssm-contacts:us-east-1:111111111111:rotation/r-a`;
  for (let d = 1; d <= 3; d++)
    await c.send(
      new CreateRotationOverrideCommand({
        RotationId: fx.rotation,
        NewContactIds: [fx.contacts[1] as string],
        StartTime: new Date(fx.start + d * 24 * HOUR),
        EndTime: new Date(fx.start + d * 24 * HOUR + 2 * HOUR),
      }),
    );

  // RAM: three shares to BOB (three invitations); the first holds five resources of two types
  // and an external principal too.
  const ram = h.ram();
  const first = await ram.send(
    new CreateResourceShareCommand({
      name: 'everything',
      resourceArns: [...fx.plans, fx.contacts[0] as string, fx.contacts[1] as string],
      principals: [BOB.account, CAROL.account],
      allowExternalPrincipals: true,
    }),
  );
  fx.shareArn = first.resourceShare?.resourceShareArn as string;
  for (const name of ['one', 'two'])
    await ram.send(
      new CreateResourceShareCommand({
        name,
        resourceArns: [fx.plans[0] as string],
        principals: [BOB.account],
      }),
    );
  const inv = await h.ram(BOB).send(new GetResourceShareInvitationsCommand({}));
  fx.invitationArn = inv.resourceShareInvitations?.find((i) => i.resourceShareArn === fx.shareArn)
    ?.resourceShareInvitationArn as string;
});
afterAll(async () => h?.emu.stop());

/** ssm-contacts input types do not admit an explicit undefined token. */
const contToken = (t: string | undefined) => (t === undefined ? {} : { NextToken: t });
const RAM_BAD: [string, number] = ['InvalidNextTokenException', 400];
const CONTACTS_BAD: [string, number] = ['ValidationException', 400];
const INCIDENTS_BAD: [string, number] = ['ValidationException', 400];
const previewInput = () => ({
  StartTime: new Date(fx.start),
  EndTime: new Date(fx.start + 7 * 24 * HOUR),
  Members: ['ann', 'ben'],
  TimeZoneId: 'UTC',
  Recurrence: daily,
});

/** The SDK 3.523 input types take no explicit undefined (exactOptionalPropertyTypes). */
const tok = (nextToken: string | undefined) => (nextToken ? { nextToken } : {});

const CASES: Record<string, Case> = {
  'ssm-incidents:ListReplicationSets': {
    all: async () => {
      const r = await h.incidents().send(new ListReplicationSetsCommand({}));
      return [r.replicationSetArns, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h.incidents().send(new ListReplicationSetsCommand({ ...tok(nextToken), maxResults }));
      return [r.replicationSetArns, r.nextToken];
    },
    badToken: INCIDENTS_BAD,
  },
  'ssm-incidents:ListResponsePlans': {
    all: async () => {
      const r = await h.incidents().send(new ListResponsePlansCommand({}));
      return [r.responsePlanSummaries, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h.incidents().send(new ListResponsePlansCommand({ ...tok(nextToken), maxResults }));
      return [r.responsePlanSummaries, r.nextToken];
    },
    badToken: INCIDENTS_BAD,
  },
  'ssm-incidents:GetResourcePolicies': {
    all: async () => {
      const r = await h.incidents().send(new GetResourcePoliciesCommand({ resourceArn: fx.plans[0] }));
      return [r.resourcePolicies, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h
        .incidents()
        .send(new GetResourcePoliciesCommand({ resourceArn: fx.plans[0], ...tok(nextToken), maxResults }));
      return [r.resourcePolicies, r.nextToken];
    },
    badToken: INCIDENTS_BAD,
  },
  'ssm-contacts:ListContacts': {
    all: async () => {
      const r = await contacts().send(new ListContactsCommand({}));
      return [r.Contacts, r.NextToken];
    },
    page: async (NextToken, MaxResults) => {
      const r = await contacts().send(new ListContactsCommand({ ...contToken(NextToken), MaxResults }));
      return [r.Contacts, r.NextToken];
    },
    badToken: CONTACTS_BAD,
  },
  'ssm-contacts:ListContactChannels': {
    all: async () => {
      const r = await contacts().send(
        new ListContactChannelsCommand({ ContactId: fx.contacts[0] as string }),
      );
      return [r.ContactChannels, r.NextToken];
    },
    page: async (NextToken, MaxResults) => {
      const r = await contacts().send(
        new ListContactChannelsCommand({
          ContactId: fx.contacts[0] as string,
          ...contToken(NextToken),
          MaxResults,
        }),
      );
      return [r.ContactChannels, r.NextToken];
    },
    badToken: CONTACTS_BAD,
  },
  'ssm-contacts:ListRotations': {
    all: async () => {
      const r = await contacts().send(new ListRotationsCommand({}));
      return [r.Rotations, r.NextToken];
    },
    page: async (NextToken, MaxResults) => {
      const r = await contacts().send(new ListRotationsCommand({ ...contToken(NextToken), MaxResults }));
      return [r.Rotations, r.NextToken];
    },
    badToken: CONTACTS_BAD,
  },
  'ssm-contacts:ListRotationOverrides': {
    all: async () => {
      const r = await contacts().send(
        new ListRotationOverridesCommand({
          RotationId: fx.rotation,
          StartTime: new Date(fx.start),
          EndTime: new Date(fx.start + 7 * 24 * HOUR),
        }),
      );
      return [r.RotationOverrides, r.NextToken];
    },
    page: async (NextToken, MaxResults) => {
      const r = await contacts().send(
        new ListRotationOverridesCommand({
          RotationId: fx.rotation,
          StartTime: new Date(fx.start),
          EndTime: new Date(fx.start + 7 * 24 * HOUR),
          ...contToken(NextToken),
          MaxResults,
        }),
      );
      return [r.RotationOverrides, r.NextToken];
    },
    badToken: CONTACTS_BAD,
  },
  'ssm-contacts:ListRotationShifts': {
    all: async () => {
      const r = await contacts().send(
        new ListRotationShiftsCommand({
          RotationId: fx.rotation,
          StartTime: new Date(fx.start),
          EndTime: new Date(fx.start + 4 * 24 * HOUR),
        }),
      );
      return [r.RotationShifts, r.NextToken];
    },
    page: async (NextToken, MaxResults) => {
      const r = await contacts().send(
        new ListRotationShiftsCommand({
          RotationId: fx.rotation,
          StartTime: new Date(fx.start),
          EndTime: new Date(fx.start + 4 * 24 * HOUR),
          ...contToken(NextToken),
          MaxResults,
        }),
      );
      return [r.RotationShifts, r.NextToken];
    },
    badToken: CONTACTS_BAD,
  },
  'ssm-contacts:ListPreviewRotationShifts': {
    all: async () => {
      const r = await contacts().send(new ListPreviewRotationShiftsCommand(previewInput()));
      return [r.RotationShifts, r.NextToken];
    },
    page: async (NextToken, MaxResults) => {
      const r = await contacts().send(
        new ListPreviewRotationShiftsCommand({ ...previewInput(), ...contToken(NextToken), MaxResults }),
      );
      return [r.RotationShifts, r.NextToken];
    },
    badToken: CONTACTS_BAD,
  },
  'ram:GetResourceShares': {
    all: async () => {
      const r = await h.ram().send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }));
      return [r.resourceShares, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h
        .ram()
        .send(new GetResourceSharesCommand({ resourceOwner: 'SELF', ...tok(nextToken), maxResults }));
      return [r.resourceShares, r.nextToken];
    },
    badToken: RAM_BAD,
  },
  'ram:GetResourceShareAssociations': {
    all: async () => {
      const r = await h.ram().send(new GetResourceShareAssociationsCommand({ associationType: 'RESOURCE' }));
      return [r.resourceShareAssociations, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h.ram().send(
        new GetResourceShareAssociationsCommand({
          associationType: 'RESOURCE',
          ...tok(nextToken),
          maxResults,
        }),
      );
      return [r.resourceShareAssociations, r.nextToken];
    },
    badToken: RAM_BAD,
  },
  'ram:GetResourceShareInvitations': {
    all: async () => {
      const r = await h.ram(BOB).send(new GetResourceShareInvitationsCommand({}));
      return [r.resourceShareInvitations, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h
        .ram(BOB)
        .send(new GetResourceShareInvitationsCommand({ ...tok(nextToken), maxResults }));
      return [r.resourceShareInvitations, r.nextToken];
    },
    badToken: RAM_BAD,
  },
  'ram:ListPendingInvitationResources': {
    all: async () => {
      const r = await h
        .ram(BOB)
        .send(new ListPendingInvitationResourcesCommand({ resourceShareInvitationArn: fx.invitationArn }));
      return [r.resources, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h.ram(BOB).send(
        new ListPendingInvitationResourcesCommand({
          resourceShareInvitationArn: fx.invitationArn,
          ...tok(nextToken),
          maxResults,
        }),
      );
      return [r.resources, r.nextToken];
    },
    badToken: RAM_BAD,
  },
  'ram:ListPermissions': {
    all: async () => {
      const r = await h.ram().send(new ListPermissionsCommand({}));
      return [r.permissions, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h.ram().send(new ListPermissionsCommand({ ...tok(nextToken), maxResults }));
      return [r.permissions, r.nextToken];
    },
    badToken: RAM_BAD,
  },
  'ram:ListPrincipals': {
    all: async () => {
      const r = await h.ram().send(new ListPrincipalsCommand({ resourceOwner: 'SELF' }));
      return [r.principals, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h
        .ram()
        .send(new ListPrincipalsCommand({ resourceOwner: 'SELF', ...tok(nextToken), maxResults }));
      return [r.principals, r.nextToken];
    },
    badToken: RAM_BAD,
  },
  'ram:ListResourceSharePermissions': {
    all: async () => {
      const r = await h
        .ram()
        .send(new ListResourceSharePermissionsCommand({ resourceShareArn: fx.shareArn }));
      return [r.permissions, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h.ram().send(
        new ListResourceSharePermissionsCommand({
          resourceShareArn: fx.shareArn,
          ...tok(nextToken),
          maxResults,
        }),
      );
      return [r.permissions, r.nextToken];
    },
    badToken: RAM_BAD,
  },
  'ram:ListResources': {
    all: async () => {
      const r = await h.ram().send(new ListResourcesCommand({ resourceOwner: 'SELF' }));
      return [r.resources, r.nextToken];
    },
    page: async (nextToken, maxResults) => {
      const r = await h
        .ram()
        .send(new ListResourcesCommand({ resourceOwner: 'SELF', ...tok(nextToken), maxResults }));
      return [r.resources, r.nextToken];
    },
    badToken: RAM_BAD,
  },
};

describe('pagination', () => {
  it('covers every paginated operation the emulator serves', () => {
    expect(Object.keys(CASES).sort()).toEqual(
      servedOperationsWithMember(h.emu, (m) => m.toLowerCase() === 'nexttoken'),
    );
  });

  it.each(Object.keys(CASES))('%s: one item per page adds up to the full listing', async (op) => {
    const c = CASES[op] as Case;
    const [all, allToken] = await c.all();
    expect(allToken).toBeUndefined();
    // Every listing has something to page through (the replication set is one per account).
    expect(all?.length ?? 0).toBeGreaterThanOrEqual(op.endsWith('ListReplicationSets') ? 1 : 2);
    const walked: unknown[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const [items, next] = await c.page(token, 1);
      expect(items?.length ?? 0).toBeLessThanOrEqual(1);
      walked.push(...(items ?? []));
      token = next;
      pages++;
    } while (token && pages <= (all?.length ?? 0));
    expect(token).toBeUndefined();
    expect(walked).toEqual(all);
  });

  it.each(Object.keys(CASES))('%s: a forged token is refused', async (op) => {
    const c = CASES[op] as Case;
    const e = await failure(() => c.page('forged-token', 1));
    expect([e.name, e.status]).toEqual(c.badToken);
  });
});
