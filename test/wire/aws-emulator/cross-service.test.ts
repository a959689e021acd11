// The rules that cross ssm-incidents and ssm-contacts: engagements must be existing contacts (a
// deleted contact leaves a dangling engagement, as the model docs say), ssm-contacts creates nothing
// before the replication set is ACTIVE, tags only in the set's first Region, and deleting the set
// deletes all Incident Manager data of the account.
import {
  CreateContactChannelCommand,
  CreateContactCommand,
  CreateRotationCommand,
  DeleteContactCommand,
  GetContactChannelCommand,
  GetContactCommand,
  ListContactsCommand,
  ListRotationsCommand,
  ListTagsForResourceCommand,
  SSMContactsClient,
  TagResourceCommand,
} from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  CreateResponsePlanCommand,
  DeleteReplicationSetCommand,
  GetResponsePlanCommand,
  ListResponsePlansCommand,
  UpdateResponsePlanCommand,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, failure, type Harness, startHarness } from './helpers.ts';

const TRANSITION_MS = 5000; // the harness's transitionMs
let h: Harness;
const contacts = (who = ALICE, region = 'us-east-1') =>
  new SSMContactsClient({
    endpoint: h.emu.url,
    region,
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
    maxAttempts: 1,
  });
const personal = (Alias: string, Tags?: { Key: string; Value: string }[]) =>
  new CreateContactCommand({ Alias, Type: 'PERSONAL', Plan: { Stages: [] }, ...(Tags ? { Tags } : {}) });
const rotation = (Name: string, contactArn: string, Tags?: { Key: string; Value: string }[]) =>
  new CreateRotationCommand({
    Name,
    ContactIds: [contactArn],
    TimeZoneId: 'Europe/Dublin',
    Recurrence: {
      NumberOfOnCalls: 1,
      RecurrenceMultiplier: 1,
      DailySettings: [{ HourOfDay: 9, MinuteOfHour: 0 }],
    },
    ...(Tags ? { Tags } : {}),
  });

/** An ACTIVE replication set for `who`, created from `from` (its first Region). */
async function onboard(who = ALICE, regions = ['us-east-1'], from = 'us-east-1'): Promise<string> {
  const { arn } = await h
    .incidents(who, from)
    .send(new CreateReplicationSetCommand({ regions: Object.fromEntries(regions.map((r) => [r, {}])) }));
  h.clock.advance(TRANSITION_MS);
  return arn as string;
}

beforeAll(async () => {
  h = await startHarness();
});
beforeEach(() => h.emu.admin.reset());
afterAll(async () => h.emu.stop());

it('engages an existing contact; deleting it succeeds and leaves the engagement dangling (model docs)', async () => {
  await onboard();
  const { ContactArn } = await contacts().send(personal('primary'));
  const { arn } = await h.incidents().send(
    new CreateResponsePlanCommand({
      name: 'engaging',
      incidentTemplate: { title: 't', impact: 1 },
      engagements: [ContactArn as string],
    }),
  );
  expect((await h.incidents().send(new GetResponsePlanCommand({ arn }))).engagements).toEqual([ContactArn]);
  await contacts().send(new DeleteContactCommand({ ContactId: ContactArn }));
  // The plan still names the deleted contact; only a write that names it again is refused.
  expect((await h.incidents().send(new GetResponsePlanCommand({ arn }))).engagements).toEqual([ContactArn]);
  const stale = await failure(() =>
    h.incidents().send(new UpdateResponsePlanCommand({ arn, engagements: [ContactArn as string] })),
  );
  expect([stale.name, stale.status]).toEqual(['ValidationException', 400]);
});

describe('onboarding gate', () => {
  it('refuses to create contacts and rotations until the replication set is ACTIVE', async () => {
    const none = await failure(() => contacts().send(personal('early')));
    expect([none.name, none.status, none.message]).toEqual([
      'ValidationException',
      400,
      'Incident Manager is not onboarded in this account: an ACTIVE replication set is required',
    ]);
    await h.incidents().send(new CreateReplicationSetCommand({ regions: { 'us-east-1': {} } }));
    const creating = await failure(() => contacts().send(personal('early')));
    expect([creating.name, creating.status]).toEqual(['ValidationException', 400]);
    h.clock.advance(TRANSITION_MS);
    const { ContactArn } = await contacts().send(personal('early'));
    expect(ContactArn).toBe('arn:aws:ssm-contacts:us-east-1:111111111111:contact/early');
    // Another account is onboarded on its own.
    const bob = await failure(() => contacts(BOB).send(personal('early')));
    expect(bob.name).toBe('ValidationException');
  });
});

describe('deleting the replication set', () => {
  it('deletes every contact, channel, rotation and response plan of the account, and only of it', async () => {
    const setArn = await onboard(ALICE, ['us-east-1', 'us-west-2']);
    await onboard(BOB);
    const { ContactArn } = await contacts().send(personal('alice'));
    const { ContactArn: westArn } = await contacts(ALICE, 'us-west-2').send(personal('alice-west'));
    const { ContactChannelArn } = await contacts().send(
      new CreateContactChannelCommand({
        ContactId: ContactArn,
        Name: 'mail',
        Type: 'EMAIL',
        DeliveryAddress: { SimpleAddress: 'alice@example.com' },
        DeferActivation: true,
      }),
    );
    await contacts().send(rotation('day', ContactArn as string));
    await h.incidents().send(
      new CreateResponsePlanCommand({
        name: 'plan',
        incidentTemplate: { title: 't', impact: 1 },
        engagements: [ContactArn as string],
      }),
    );
    const { ContactArn: bobArn } = await contacts(BOB).send(personal('bob'));

    await h.incidents().send(new DeleteReplicationSetCommand({ arn: setArn }));
    // While DELETING the data is still there.
    expect((await contacts().send(new ListContactsCommand({}))).Contacts).toHaveLength(1);
    h.clock.advance(TRANSITION_MS);

    expect((await contacts().send(new ListContactsCommand({}))).Contacts).toEqual([]);
    expect((await contacts(ALICE, 'us-west-2').send(new ListContactsCommand({}))).Contacts).toEqual([]);
    expect((await contacts().send(new ListRotationsCommand({}))).Rotations).toEqual([]);
    for (const call of [
      () => contacts().send(new GetContactCommand({ ContactId: ContactArn })),
      () => contacts(ALICE, 'us-west-2').send(new GetContactCommand({ ContactId: westArn })),
      () => contacts().send(new GetContactChannelCommand({ ContactChannelId: ContactChannelArn })),
    ]) {
      const gone = await failure(call);
      expect([gone.name, gone.status]).toEqual(['ResourceNotFoundException', 400]);
    }
    expect((await h.incidents().send(new ListResponsePlansCommand({}))).responsePlanSummaries).toEqual([]);
    expect((await contacts(BOB).send(new GetContactCommand({ ContactId: bobArn }))).Alias).toBe('bob');

    // Onboarding again starts from nothing: the alias is free.
    await onboard();
    expect((await contacts().send(personal('alice'))).ContactArn).toBe(ContactArn);
  });
});

describe('tags in the first Region only (model docs)', () => {
  it('tags contacts and rotations in the first Region and refuses tags elsewhere', async () => {
    await onboard(ALICE, ['us-east-1', 'us-west-2']);
    const tag = [{ Key: 'team', Value: 'sre' }];
    const { ContactArn } = await contacts().send(personal('east', tag));
    await contacts().send(
      new TagResourceCommand({ ResourceARN: ContactArn, Tags: [{ Key: 'b', Value: 'c' }] }),
    );
    const listed = await contacts().send(new ListTagsForResourceCommand({ ResourceARN: ContactArn }));
    expect(listed.Tags?.map((t) => t.Key).sort()).toEqual(['b', 'team']);
    await contacts().send(rotation('east', ContactArn as string, tag));

    const west = contacts(ALICE, 'us-west-2');
    const refusedCreate = await failure(() => west.send(personal('west', tag)));
    expect([refusedCreate.name, refusedCreate.status]).toEqual(['ValidationException', 400]);
    expect(refusedCreate.message).toMatch(/first Region of the replication set \(us-east-1\)/);
    const { ContactArn: westArn } = await west.send(personal('west'));
    const refusedTag = await failure(() =>
      west.send(new TagResourceCommand({ ResourceARN: westArn, Tags: tag })),
    );
    expect([refusedTag.name, refusedTag.status]).toEqual(['ValidationException', 400]);
    const refusedRotation = await failure(() => west.send(rotation('west', westArn as string, tag)));
    expect(refusedRotation.name).toBe('ValidationException');
    expect((await west.send(rotation('west', westArn as string))).RotationArn).toMatch(/:rotation\/west$/);
  });

  it('the first Region is the one the set was created from', async () => {
    await onboard(BOB, ['us-east-1', 'us-west-2'], 'us-west-2');
    const tag = [{ Key: 'team', Value: 'sre' }];
    expect((await contacts(BOB, 'us-west-2').send(personal('west', tag))).ContactArn).toMatch(/us-west-2/);
    const east = await failure(() => contacts(BOB).send(personal('east', tag)));
    expect(east.name).toBe('ValidationException');
  });
});
