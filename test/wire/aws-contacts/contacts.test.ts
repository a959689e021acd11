// ssm-contacts conformance through @aws-sdk/client-ssm-contacts over HTTP: contacts, channels,
// policies, tags, sharing boundaries.
import {
  ActivateContactChannelCommand,
  CreateContactChannelCommand,
  CreateContactCommand,
  CreateRotationCommand,
  DeactivateContactChannelCommand,
  DeleteContactChannelCommand,
  DeleteContactCommand,
  GetContactChannelCommand,
  GetContactCommand,
  GetContactPolicyCommand,
  ListContactChannelsCommand,
  ListContactsCommand,
  ListTagsForResourceCommand,
  PutContactPolicyCommand,
  SendActivationCodeCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContactChannelCommand,
  UpdateContactCommand,
} from '@aws-sdk/client-ssm-contacts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BOB, type ContactsHarness, failure, startContactsHarness } from './helpers.ts';

let h: ContactsHarness;
beforeAll(async () => {
  h = await startContactsHarness();
});
afterAll(async () => {
  await h.emu.stop();
});
beforeEach(async () => {
  await h.reset();
});

const personal = (Alias: string) =>
  new CreateContactCommand({ Alias, Type: 'PERSONAL', Plan: { Stages: [] } });

describe('contacts', () => {
  it('creates, reads, updates and lists personal and escalation contacts', async () => {
    const c = h.contacts();
    const { ContactArn: alice } = await c.send(
      new CreateContactCommand({
        Alias: 'alice',
        DisplayName: 'Alice',
        Type: 'PERSONAL',
        Plan: { Stages: [] },
      }),
    );
    expect(alice).toBe('arn:aws:ssm-contacts:us-east-1:111111111111:contact/alice');
    const { ContactArn: esc } = await c.send(
      new CreateContactCommand({
        Alias: 'sre-escalation',
        Type: 'ESCALATION',
        Plan: {
          Stages: [
            {
              DurationInMinutes: 5,
              Targets: [{ ContactTargetInfo: { ContactId: alice as string, IsEssential: true } }],
            },
          ],
        },
      }),
    );
    const got = await c.send(new GetContactCommand({ ContactId: esc }));
    expect(got).toMatchObject({ Alias: 'sre-escalation', Type: 'ESCALATION' });
    expect(got.Plan?.Stages?.[0]?.Targets?.[0]?.ContactTargetInfo?.ContactId).toBe(alice);

    await c.send(new UpdateContactCommand({ ContactId: alice, DisplayName: 'Alice A.' }));
    expect((await c.send(new GetContactCommand({ ContactId: alice }))).DisplayName).toBe('Alice A.');

    const byType = await c.send(new ListContactsCommand({ Type: 'PERSONAL' }));
    expect(byType.Contacts?.map((x) => x.Alias)).toEqual(['alice']);
    const byPrefix = await c.send(new ListContactsCommand({ AliasPrefix: 'sre' }));
    expect(byPrefix.Contacts?.map((x) => x.Alias)).toEqual(['sre-escalation']);
  });

  it('paginates ListContacts with MaxResults and NextToken', async () => {
    const c = h.contacts();
    for (const a of ['a1', 'a2', 'a3', 'a4', 'a5']) await c.send(personal(a));
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await c.send(
        new ListContactsCommand({ MaxResults: 2, ...(NextToken ? { NextToken } : {}) }),
      );
      seen.push(...(page.Contacts ?? []).map((x) => x.Alias ?? ''));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    const bad = await failure(() => c.send(new ListContactsCommand({ NextToken: 'bogus' })));
    expect(bad.name).toBe('ValidationException');
  });

  it('replays CreateContact with the same IdempotencyToken and rejects reuse with a different request', async () => {
    const c = h.contacts();
    const first = await c.send(
      new CreateContactCommand({
        Alias: 'bob',
        Type: 'PERSONAL',
        Plan: { Stages: [] },
        IdempotencyToken: 't-1',
      }),
    );
    const again = await c.send(
      new CreateContactCommand({
        Alias: 'bob',
        Type: 'PERSONAL',
        Plan: { Stages: [] },
        IdempotencyToken: 't-1',
      }),
    );
    expect(again.ContactArn).toBe(first.ContactArn);
    const reuse = await failure(() =>
      c.send(
        new CreateContactCommand({
          Alias: 'carol',
          Type: 'PERSONAL',
          Plan: { Stages: [] },
          IdempotencyToken: 't-1',
        }),
      ),
    );
    expect(reuse.name).toBe('ConflictException');
  });

  it('enforces the plan rules of each contact type', async () => {
    const c = h.contacts();
    const { ContactArn: alice } = await c.send(personal('alice'));
    const dup = await failure(() => c.send(personal('alice')));
    expect([dup.name, dup.error.ResourceId]).toEqual(['ConflictException', alice]);

    const noRotations = await failure(() =>
      c.send(new CreateContactCommand({ Alias: 'sched', Type: 'ONCALL_SCHEDULE', Plan: { Stages: [] } })),
    );
    expect(noRotations.name).toBe('ValidationException');
    expect(noRotations.error.Reason).toBe('FIELD_VALIDATION_FAILED');

    const missing = 'arn:aws:ssm-contacts:us-east-1:111111111111:contact/nobody';
    const escMissing = await failure(() =>
      c.send(
        new CreateContactCommand({
          Alias: 'esc',
          Type: 'ESCALATION',
          Plan: {
            Stages: [
              {
                DurationInMinutes: 1,
                Targets: [{ ContactTargetInfo: { ContactId: missing, IsEssential: false } }],
              },
            ],
          },
        }),
      ),
    );
    expect([escMissing.name, escMissing.error.ResourceId, escMissing.error.ResourceType]).toEqual([
      'ResourceNotFoundException',
      missing,
      'CONTACT',
    ]);

    // A stage may last 0 minutes only when it has a target (model docs).
    const emptyZero = await failure(() =>
      c.send(
        new CreateContactCommand({
          Alias: 'esc0',
          Type: 'ESCALATION',
          Plan: { Stages: [{ DurationInMinutes: 0, Targets: [] }] },
        }),
      ),
    );
    expect([emptyZero.name, emptyZero.status, emptyZero.error.Fields]).toEqual([
      'ValidationException',
      400,
      [
        {
          Name: 'Plan.Stages.0.DurationInMinutes',
          Message: 'A stage can have a duration of 0 minutes only if it has a target',
        },
      ],
    ]);
    const zeroWithTarget = await c.send(
      new CreateContactCommand({
        Alias: 'esc0',
        Type: 'ESCALATION',
        Plan: {
          Stages: [
            {
              DurationInMinutes: 0,
              Targets: [{ ContactTargetInfo: { ContactId: alice as string, IsEssential: true } }],
            },
            { DurationInMinutes: 5, Targets: [] },
          ],
        },
      }),
    );
    expect(zeroWithTarget.ContactArn).toMatch(/contact\/esc0$/);

    const rot = await c.send(
      new CreateRotationCommand({
        Name: 'primary',
        ContactIds: [alice as string],
        TimeZoneId: 'UTC',
        Recurrence: {
          NumberOfOnCalls: 1,
          RecurrenceMultiplier: 1,
          DailySettings: [{ HourOfDay: 9, MinuteOfHour: 0 }],
        },
      }),
    );
    const nine = Array.from({ length: 9 }, () => rot.RotationArn as string);
    const tooMany = await failure(() =>
      c.send(
        new CreateContactCommand({
          Alias: 'sched',
          Type: 'ONCALL_SCHEDULE',
          Plan: { Stages: [], RotationIds: nine },
        }),
      ),
    );
    expect(tooMany.name).toBe('ValidationException');
    const sched = await c.send(
      new CreateContactCommand({
        Alias: 'sched',
        Type: 'ONCALL_SCHEDULE',
        Plan: { Stages: [], RotationIds: [rot.RotationArn as string] },
      }),
    );
    expect((await c.send(new GetContactCommand({ ContactId: sched.ContactArn }))).Plan?.RotationIds).toEqual([
      rot.RotationArn,
    ]);
  });

  it('refuses to delete a contact a rotation still uses, naming the dependent rotation', async () => {
    const c = h.contacts();
    const { ContactArn: alice } = await c.send(personal('alice'));
    const rot = await c.send(
      new CreateRotationCommand({
        Name: 'primary',
        ContactIds: [alice as string],
        TimeZoneId: 'UTC',
        Recurrence: {
          NumberOfOnCalls: 1,
          RecurrenceMultiplier: 1,
          DailySettings: [{ HourOfDay: 9, MinuteOfHour: 0 }],
        },
      }),
    );
    const err = await failure(() => c.send(new DeleteContactCommand({ ContactId: alice })));
    expect(err.name).toBe('ConflictException');
    expect(err.status).toBe(400);
    expect(err.error.DependentEntities).toEqual([
      { RelationType: 'ROTATION', DependentResourceIds: [rot.RotationArn] },
    ]);
    const { ContactArn: bob } = await c.send(personal('bob'));
    await c.send(new DeleteContactCommand({ ContactId: bob }));
    const gone = await failure(() => c.send(new GetContactCommand({ ContactId: bob })));
    expect([gone.name, gone.error.ResourceType]).toEqual(['ResourceNotFoundException', 'CONTACT']);
  });

  it('another account cannot read a contact that is not shared with it', async () => {
    const { ContactArn } = await h.contacts().send(personal('alice'));
    const err = await failure(() => h.contacts(BOB).send(new GetContactCommand({ ContactId: ContactArn })));
    expect(err.name).toBe('AccessDeniedException');
    expect((await h.contacts(BOB).send(new ListContactsCommand({}))).Contacts).toEqual([]);
  });
});

describe('contact channels', () => {
  it('create, activate with the code, deactivate, update, list and delete', async () => {
    const c = h.contacts();
    const { ContactArn } = await c.send(personal('alice'));
    const { ContactChannelArn: sms } = await c.send(
      new CreateContactChannelCommand({
        ContactId: ContactArn,
        Name: 'phone',
        Type: 'SMS',
        DeliveryAddress: { SimpleAddress: '+15555550100' },
        DeferActivation: true,
      }),
    );
    expect(sms).toMatch(
      /^arn:aws:ssm-contacts:us-east-1:111111111111:contact-channel\/alice\/[0-9a-f-]{36}$/,
    );
    expect(await h.activationCode(sms as string)).toBeUndefined();
    await c.send(new SendActivationCodeCommand({ ContactChannelId: sms }));
    const code = await h.activationCode(sms as string);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = await failure(() =>
      c.send(
        new ActivateContactChannelCommand({
          ContactChannelId: sms,
          ActivationCode: code === '000000' ? '111111' : '000000',
        }),
      ),
    );
    expect(wrong.name).toBe('ValidationException');
    await c.send(new ActivateContactChannelCommand({ ContactChannelId: sms, ActivationCode: code }));
    expect((await c.send(new GetContactChannelCommand({ ContactChannelId: sms }))).ActivationStatus).toBe(
      'ACTIVATED',
    );
    await c.send(new DeactivateContactChannelCommand({ ContactChannelId: sms }));
    expect((await c.send(new GetContactChannelCommand({ ContactChannelId: sms }))).ActivationStatus).toBe(
      'NOT_ACTIVATED',
    );

    const { ContactChannelArn: email } = await c.send(
      new CreateContactChannelCommand({
        ContactId: ContactArn,
        Name: 'mail',
        Type: 'EMAIL',
        DeliveryAddress: { SimpleAddress: 'alice@example.com' },
      }),
    );
    // Without DeferActivation the code goes out at once.
    expect(await h.activationCode(email as string)).toMatch(/^\d{6}$/);
    await c.send(new UpdateContactChannelCommand({ ContactChannelId: email, Name: 'work mail' }));
    const list = await c.send(new ListContactChannelsCommand({ ContactId: ContactArn }));
    expect(list.ContactChannels?.map((x) => x.Name).sort()).toEqual(['phone', 'work mail']);
    await c.send(new DeleteContactChannelCommand({ ContactChannelId: email }));
    const gone = await failure(() => c.send(new GetContactChannelCommand({ ContactChannelId: email })));
    expect([gone.name, gone.error.ResourceType]).toEqual(['ResourceNotFoundException', 'CONTACT_CHANNEL']);
  });

  it('replays CreateContactChannel by IdempotencyToken and conflicts on reuse', async () => {
    const c = h.contacts();
    const { ContactArn } = await c.send(personal('alice'));
    const req = {
      ContactId: ContactArn,
      Name: 'phone',
      Type: 'SMS' as const,
      DeliveryAddress: { SimpleAddress: '+15555550100' },
      IdempotencyToken: 'ch-1',
    };
    const one = await c.send(new CreateContactChannelCommand(req));
    const two = await c.send(new CreateContactChannelCommand(req));
    expect(two.ContactChannelArn).toBe(one.ContactChannelArn);
    expect(
      (await c.send(new ListContactChannelsCommand({ ContactId: ContactArn }))).ContactChannels,
    ).toHaveLength(1);
    const reuse = await failure(() => c.send(new CreateContactChannelCommand({ ...req, Name: 'other' })));
    expect(reuse.name).toBe('ConflictException');
  });

  it('only PERSONAL contacts get channels; unknown channels are ResourceNotFoundException', async () => {
    const c = h.contacts();
    const { ContactArn: alice } = await c.send(personal('alice'));
    const { ContactArn: esc } = await c.send(
      new CreateContactCommand({
        Alias: 'esc',
        Type: 'ESCALATION',
        Plan: {
          Stages: [
            {
              DurationInMinutes: 1,
              Targets: [{ ContactTargetInfo: { ContactId: alice as string, IsEssential: false } }],
            },
          ],
        },
      }),
    );
    const onEsc = await failure(() =>
      c.send(
        new CreateContactChannelCommand({
          ContactId: esc,
          Name: 'x',
          Type: 'EMAIL',
          DeliveryAddress: { SimpleAddress: 'a@b.co' },
        }),
      ),
    );
    expect(onEsc.name).toBe('ValidationException');
    const ghost = `${alice?.replace(':contact/', ':contact-channel/')}/0b5e3a6e-1b4c-4b5e-9a1e-2f6f1d7c9a10`;
    const missing = await failure(() => c.send(new SendActivationCodeCommand({ ContactChannelId: ghost })));
    expect([missing.name, missing.error.ResourceId]).toEqual(['ResourceNotFoundException', ghost]);
    // An escalation plan's reference does not block deleting the contact it names (it dangles).
    await c.send(new DeleteContactCommand({ ContactId: alice }));
    const plan = (await c.send(new GetContactCommand({ ContactId: esc }))).Plan;
    expect(plan?.Stages?.[0]?.Targets?.[0]?.ContactTargetInfo?.ContactId).toBe(alice);
  });

  it('checks delivery addresses per channel type', async () => {
    const c = h.contacts();
    const { ContactArn } = await c.send(personal('alice'));
    const make = (Type: 'SMS' | 'VOICE' | 'EMAIL', SimpleAddress: string) =>
      c.send(
        new CreateContactChannelCommand({
          ContactId: ContactArn,
          Name: 'x',
          Type,
          DeliveryAddress: { SimpleAddress },
          DeferActivation: true,
        }),
      );
    for (const [type, address] of [
      ['SMS', '15555550100'],
      ['VOICE', '+1234567'],
      ['VOICE', '+1234567890123456'],
      ['EMAIL', 'not-an-email'],
    ] as const) {
      expect((await failure(() => make(type, address))).name).toBe('ValidationException');
    }
    await make('VOICE', '+12345678');
    await make('VOICE', '+12345678901234');
  });

  it('personal plans target the contact’s own channels; deleting one leaves the reference', async () => {
    const c = h.contacts();
    const { ContactArn } = await c.send(personal('alice'));
    const { ContactChannelArn } = await c.send(
      new CreateContactChannelCommand({
        ContactId: ContactArn,
        Name: 'p',
        Type: 'SMS',
        DeliveryAddress: { SimpleAddress: '+15555550100' },
      }),
    );
    await c.send(
      new UpdateContactCommand({
        ContactId: ContactArn,
        Plan: {
          Stages: [
            {
              DurationInMinutes: 0,
              Targets: [
                { ChannelTargetInfo: { ContactChannelId: ContactChannelArn, RetryIntervalInMinutes: 1 } },
              ],
            },
          ],
        },
      }),
    );
    // Deleting a channel the plan still names succeeds; the plan keeps the dangling reference.
    await c.send(new DeleteContactChannelCommand({ ContactChannelId: ContactChannelArn }));
    const plan = (await c.send(new GetContactCommand({ ContactId: ContactArn }))).Plan;
    expect(plan?.Stages?.[0]?.Targets?.[0]?.ChannelTargetInfo?.ContactChannelId).toBe(ContactChannelArn);
  });
});

describe('policies and tags', () => {
  it('puts and gets a contact policy; tags, untags and lists tags', async () => {
    const c = h.contacts();
    const { ContactArn } = await c.send(personal('alice'));
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    await c.send(new PutContactPolicyCommand({ ContactArn, Policy: policy }));
    expect(await c.send(new GetContactPolicyCommand({ ContactArn }))).toMatchObject({
      ContactArn,
      Policy: policy,
    });

    await c.send(
      new TagResourceCommand({
        ResourceARN: ContactArn,
        Tags: [
          { Key: 'team', Value: 'sre' },
          { Key: 'tier', Value: '1' },
        ],
      }),
    );
    await c.send(new UntagResourceCommand({ ResourceARN: ContactArn, TagKeys: ['tier'] }));
    expect((await c.send(new ListTagsForResourceCommand({ ResourceARN: ContactArn }))).Tags).toEqual([
      { Key: 'team', Value: 'sre' },
    ]);
  });
});

describe('more business rules', () => {
  it('a new address resets activation; channels page', async () => {
    const c = h.contacts();
    const { ContactArn } = await c.send(personal('alice'));
    const arns: string[] = [];
    for (const n of ['one', 'two', 'three']) {
      const r = await c.send(
        new CreateContactChannelCommand({
          ContactId: ContactArn,
          Name: n,
          Type: 'EMAIL',
          DeliveryAddress: { SimpleAddress: `${n}@example.com` },
        }),
      );
      arns.push(r.ContactChannelArn as string);
    }
    const first = arns[0] as string;
    await c.send(
      new ActivateContactChannelCommand({
        ContactChannelId: first,
        ActivationCode: await h.activationCode(first),
      }),
    );
    await c.send(
      new UpdateContactChannelCommand({
        ContactChannelId: first,
        DeliveryAddress: { SimpleAddress: 'new@example.com' },
      }),
    );
    const after = await c.send(new GetContactChannelCommand({ ContactChannelId: first }));
    expect([after.ActivationStatus, after.DeliveryAddress?.SimpleAddress]).toEqual([
      'NOT_ACTIVATED',
      'new@example.com',
    ]);

    const p1 = await c.send(new ListContactChannelsCommand({ ContactId: ContactArn, MaxResults: 2 }));
    const p2 = await c.send(
      new ListContactChannelsCommand({
        ContactId: ContactArn,
        MaxResults: 2,
        NextToken: p1.NextToken as string,
      }),
    );
    expect(
      [...(p1.ContactChannels ?? []), ...(p2.ContactChannels ?? [])].map((x) => x.ContactChannelArn),
    ).toEqual(arns);
    expect(p2.NextToken).toBeUndefined();
  });

  it('tags: at most 50, unknown resources are ResourceNotFoundException, other accounts are denied', async () => {
    const c = h.contacts();
    const { ContactArn } = await c.send(personal('alice'));
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await c.send(new TagResourceCommand({ ResourceARN: ContactArn, Tags: fifty }));
    const over = await failure(() =>
      c.send(new TagResourceCommand({ ResourceARN: ContactArn, Tags: [{ Key: 'one-more', Value: 'v' }] })),
    );
    expect(over.name).toBe('ServiceQuotaExceededException');
    const ghost = 'arn:aws:ssm-contacts:us-east-1:111111111111:contact/ghost';
    const missing = await failure(() => c.send(new ListTagsForResourceCommand({ ResourceARN: ghost })));
    expect([missing.name, missing.error.ResourceId]).toEqual(['ResourceNotFoundException', ghost]);
    const denied = await failure(() =>
      h.contacts(BOB).send(new ListTagsForResourceCommand({ ResourceARN: ContactArn })),
    );
    expect(denied.name).toBe('AccessDeniedException');
  });

  it('contact policies: JSON only, and only on existing contacts', async () => {
    const c = h.contacts();
    const { ContactArn } = await c.send(personal('alice'));
    const bad = await failure(() => c.send(new PutContactPolicyCommand({ ContactArn, Policy: 'not json' })));
    expect(bad.name).toBe('ValidationException');
    const ghost = 'arn:aws:ssm-contacts:us-east-1:111111111111:contact/ghost';
    const missing = await failure(() => c.send(new GetContactPolicyCommand({ ContactArn: ghost })));
    expect(missing.name).toBe('ResourceNotFoundException');
  });
});
