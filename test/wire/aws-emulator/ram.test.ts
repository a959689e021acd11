import {
  AcceptResourceShareInvitationCommand,
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  DisassociateResourceShareCommand,
  EnableSharingWithAwsOrganizationCommand,
  GetPermissionCommand,
  GetResourceShareAssociationsCommand,
  GetResourceShareInvitationsCommand,
  GetResourceSharesCommand,
  ListPendingInvitationResourcesCommand,
  ListPermissionsCommand,
  ListPrincipalsCommand,
  ListResourceSharePermissionsCommand,
  ListResourcesCommand,
  RejectResourceShareInvitationCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateResourceShareCommand,
} from '@aws-sdk/client-ram';
import { CreateContactCommand, GetContactCommand, SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  CreateResponsePlanCommand,
  GetResponsePlanCommand,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, failure, type Harness, startHarness } from './helpers.ts';

const CAROL = { accessKeyId: 'AKIAJ3333333EXAMPLE3', secretAccessKey: 'test' };
const ORG = 'arn:aws:organizations::111111111111:organization/o-emulator0001';
let h: Harness;
let plan: string;

beforeEach(async () => {
  if (!h) h = await startHarness();
  h.emu.admin.reset();
  await h.incidents().send(new CreateReplicationSetCommand({ regions: { 'us-east-1': {} } }));
  h.clock.advance(5000);
  plan = (
    await h
      .incidents()
      .send(new CreateResponsePlanCommand({ name: 'shared', incidentTemplate: { title: 't', impact: 2 } }))
  ).arn as string;
});
afterAll(async () => h?.emu.stop());

describe('sharing a response plan by invitation', () => {
  it('gives the consumer read access by ARN only after it accepts and the association settles', async () => {
    const owner = h.ram();
    const { resourceShare } = await owner.send(
      new CreateResourceShareCommand({
        name: 'plans',
        resourceArns: [plan],
        principals: [BOB.account],
        tags: [{ key: 'team', value: 'sre' }],
      }),
    );
    const shareArn = resourceShare?.resourceShareArn as string;
    expect(shareArn).toMatch(/^arn:aws:ram:us-east-1:111111111111:resource-share\/[0-9a-f-]{36}$/);
    expect(resourceShare?.tags).toEqual([{ key: 'team', value: 'sre' }]);

    const denied = await failure(() => h.incidents(BOB).send(new GetResponsePlanCommand({ arn: plan })));
    expect([denied.name, denied.status]).toEqual(['AccessDeniedException', 403]);

    const consumer = h.ram(BOB);
    const { resourceShareInvitations } = await consumer.send(new GetResourceShareInvitationsCommand({}));
    expect(resourceShareInvitations).toHaveLength(1);
    const inv = resourceShareInvitations?.[0];
    expect([inv?.status, inv?.senderAccountId, inv?.receiverAccountId]).toEqual([
      'PENDING',
      '111111111111',
      '222222222222',
    ]);
    const pending = await consumer.send(
      new ListPendingInvitationResourcesCommand({
        resourceShareInvitationArn: inv?.resourceShareInvitationArn,
      }),
    );
    expect(pending.resources?.map((r) => [r.arn, r.type])).toEqual([[plan, 'ssm-incidents:ResponsePlan']]);

    const principals = await owner.send(
      new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL' }),
    );
    expect(principals.resourceShareAssociations?.map((a) => a.status)).toEqual(['ASSOCIATING']);

    const accepted = await consumer.send(
      new AcceptResourceShareInvitationCommand({
        resourceShareInvitationArn: inv?.resourceShareInvitationArn,
      }),
    );
    expect(accepted.resourceShareInvitation?.status).toBe('ACCEPTED');
    const again = await failure(() =>
      consumer.send(
        new AcceptResourceShareInvitationCommand({
          resourceShareInvitationArn: inv?.resourceShareInvitationArn,
        }),
      ),
    );
    expect([again.name, again.status]).toEqual(['ResourceShareInvitationAlreadyAcceptedException', 400]);

    h.clock.advance(5000);
    const got = await h.incidents(BOB).send(new GetResponsePlanCommand({ arn: plan }));
    expect(got.name).toBe('shared');
    const res = await consumer.send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }));
    expect(res.resources?.map((r) => r.arn)).toEqual([plan]);
    const theirs = await consumer.send(new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }));
    expect(theirs.resourceShares?.map((s) => [s.resourceShareArn, s.tags])).toEqual([[shareArn, undefined]]);

    await owner.send(new DeleteResourceShareCommand({ resourceShareArn: shareArn }));
    const mine = await owner.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }));
    expect(mine.resourceShares?.[0]?.status).toBe('DELETED');
    const revoked = await failure(() => h.incidents(BOB).send(new GetResponsePlanCommand({ arn: plan })));
    expect(revoked.name).toBe('AccessDeniedException');
  });

  it('lets a consumer reject an invitation', async () => {
    await h
      .ram()
      .send(new CreateResourceShareCommand({ name: 's', resourceArns: [plan], principals: [BOB.account] }));
    const inv = (await h.ram(BOB).send(new GetResourceShareInvitationsCommand({})))
      .resourceShareInvitations?.[0];
    const r = await h.ram(BOB).send(
      new RejectResourceShareInvitationCommand({
        resourceShareInvitationArn: inv?.resourceShareInvitationArn,
      }),
    );
    expect(r.resourceShareInvitation?.status).toBe('REJECTED');
    const e = await failure(() =>
      h.ram(BOB).send(
        new AcceptResourceShareInvitationCommand({
          resourceShareInvitationArn: inv?.resourceShareInvitationArn,
        }),
      ),
    );
    expect(e.name).toBe('ResourceShareInvitationAlreadyRejectedException');
    const missing = await failure(() =>
      h.ram(BOB).send(
        new AcceptResourceShareInvitationCommand({
          resourceShareInvitationArn:
            'arn:aws:ram:us-east-1:111111111111:resource-share-invitation/00000000-0000-4000-8000-000000000000',
        }),
      ),
    );
    expect([missing.name, missing.status]).toEqual(['ResourceShareInvitationArnNotFoundException', 400]);
  });

  it('shares a contact, which the consumer then reads by ARN through ssm-contacts', async () => {
    const contacts = (who: typeof ALICE | typeof BOB) =>
      new SSMContactsClient({ endpoint: h.emu.url, region: 'us-east-1', credentials: who, maxAttempts: 1 });
    const { ContactArn } = await contacts(ALICE).send(
      new CreateContactCommand({ Alias: 'oncall', Type: 'PERSONAL', Plan: { Stages: [] } }),
    );
    await h.ram().send(
      new CreateResourceShareCommand({
        name: 'c',
        resourceArns: [ContactArn as string],
        principals: [BOB.account],
      }),
    );
    const inv = (await h.ram(BOB).send(new GetResourceShareInvitationsCommand({})))
      .resourceShareInvitations?.[0];
    await h.ram(BOB).send(
      new AcceptResourceShareInvitationCommand({
        resourceShareInvitationArn: inv?.resourceShareInvitationArn,
      }),
    );
    h.clock.advance(5000);
    const got = await contacts(BOB).send(new GetContactCommand({ ContactId: ContactArn }));
    expect(got.Alias).toBe('oncall');
  });
});

describe('organization sharing', () => {
  it('auto-accepts organization principals once the management account enables sharing', async () => {
    const notMgmt = await failure(() => h.ram(BOB).send(new EnableSharingWithAwsOrganizationCommand({})));
    expect([notMgmt.name, notMgmt.status]).toEqual(['OperationNotPermittedException', 400]);
    const before = await failure(() =>
      h.ram().send(new CreateResourceShareCommand({ name: 'org', resourceArns: [plan], principals: [ORG] })),
    );
    expect(before.name).toBe('OperationNotPermittedException');
    expect((await h.ram().send(new EnableSharingWithAwsOrganizationCommand({}))).returnValue).toBe(true);
    await h
      .ram()
      .send(new CreateResourceShareCommand({ name: 'org', resourceArns: [plan], principals: [ORG] }));
    expect(
      (await h.ram(BOB).send(new GetResourceShareInvitationsCommand({}))).resourceShareInvitations,
    ).toEqual([]);
    h.clock.advance(5000);
    expect((await h.incidents(BOB).send(new GetResponsePlanCommand({ arn: plan }))).arn).toBe(plan);
    const outsider = await failure(() => h.incidents(CAROL).send(new GetResponsePlanCommand({ arn: plan })));
    expect(outsider.name).toBe('AccessDeniedException');
  });

  it('refuses principals outside the organization when external principals are not allowed', async () => {
    const e = await failure(() =>
      h.ram().send(
        new CreateResourceShareCommand({
          name: 'x',
          resourceArns: [plan],
          principals: ['333333333333'],
          allowExternalPrincipals: false,
        }),
      ),
    );
    expect([e.name, e.status]).toEqual(['OperationNotPermittedException', 400]);
  });
});

describe('share management', () => {
  it('only the owner shares: foreign resources and foreign shares are refused', async () => {
    const foreign = await failure(() =>
      h.ram(BOB).send(
        new CreateResourceShareCommand({
          name: 'steal',
          resourceArns: [plan],
          principals: ['333333333333'],
        }),
      ),
    );
    expect([foreign.name, foreign.status]).toEqual(['OperationNotPermittedException', 400]);
    const { resourceShare } = await h.ram().send(new CreateResourceShareCommand({ name: 's' }));
    const update = await failure(() =>
      h
        .ram(BOB)
        .send(
          new UpdateResourceShareCommand({ resourceShareArn: resourceShare?.resourceShareArn, name: 'mine' }),
        ),
    );
    expect(update.name).toBe('OperationNotPermittedException');
    const unknown = await failure(() =>
      h.ram().send(
        new AssociateResourceShareCommand({
          resourceShareArn: resourceShare?.resourceShareArn,
          resourceArns: ['arn:aws:ssm-incidents::111111111111:response-plan/none'],
        }),
      ),
    );
    expect([unknown.name, unknown.status]).toEqual(['UnknownResourceException', 400]);
    const malformed = await failure(() =>
      h.ram().send(new UpdateResourceShareCommand({ resourceShareArn: 'not-an-arn', name: 'x' })),
    );
    expect(malformed.name).toBe('MalformedArnException');
  });

  it('associates and disassociates, attaches the default managed permission, updates, tags and pages', async () => {
    const owner = h.ram();
    const { resourceShare } = await owner.send(new CreateResourceShareCommand({ name: 'a' }));
    const arn = resourceShare?.resourceShareArn as string;
    const assoc = await owner.send(
      new AssociateResourceShareCommand({
        resourceShareArn: arn,
        resourceArns: [plan],
        principals: [BOB.account],
      }),
    );
    expect(assoc.resourceShareAssociations?.map((a) => [a.associationType, a.status])).toEqual([
      ['RESOURCE', 'ASSOCIATING'],
      ['PRINCIPAL', 'ASSOCIATING'],
    ]);
    h.clock.advance(5000);
    const resources = await owner.send(
      new GetResourceShareAssociationsCommand({ associationType: 'RESOURCE', resourceArn: plan }),
    );
    expect(resources.resourceShareAssociations?.map((a) => a.status)).toEqual(['ASSOCIATED']);
    const perms = await owner.send(new ListResourceSharePermissionsCommand({ resourceShareArn: arn }));
    expect(perms.permissions?.map((p) => p.arn)).toEqual([
      'arn:aws:ram::aws:permission/AWSRAMDefaultPermissionSSMIncidentsResponsePlan',
    ]);
    const principals = await owner.send(new ListPrincipalsCommand({ resourceOwner: 'SELF' }));
    expect(principals.principals?.map((p) => [p.id, p.external])).toEqual([[BOB.account, false]]);
    await owner.send(
      new DisassociateResourceShareCommand({ resourceShareArn: arn, principals: [BOB.account] }),
    );
    expect((await owner.send(new ListPrincipalsCommand({ resourceOwner: 'SELF' }))).principals).toEqual([]);

    await owner.send(
      new UpdateResourceShareCommand({
        resourceShareArn: arn,
        name: 'renamed',
        allowExternalPrincipals: false,
      }),
    );
    await owner.send(
      new TagResourceCommand({
        resourceShareArn: arn,
        tags: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      }),
    );
    await owner.send(new UntagResourceCommand({ resourceShareArn: arn, tagKeys: ['a'] }));
    await owner.send(new CreateResourceShareCommand({ name: 'b' }));
    const p1 = await owner.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', maxResults: 1 }));
    expect(p1.resourceShares?.map((s) => [s.name, s.allowExternalPrincipals, s.tags])).toEqual([
      ['renamed', false, [{ key: 'b', value: '2' }]],
    ]);
    const p2 = await owner.send(
      new GetResourceSharesCommand({
        resourceOwner: 'SELF',
        maxResults: 1,
        nextToken: p1.nextToken as string,
      }),
    );
    expect(p2.resourceShares?.map((s) => s.name)).toEqual(['b']);
    expect(p2.nextToken).toBeUndefined();
    const bad = await failure(() =>
      owner.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', nextToken: 'garbage' })),
    );
    expect([bad.name, bad.status]).toEqual(['InvalidNextTokenException', 400]);
  });

  it('replays a create with the same clientToken and refuses it with different parameters', async () => {
    const a = await h.ram().send(new CreateResourceShareCommand({ name: 'i', clientToken: 'ct-1' }));
    const b = await h.ram().send(new CreateResourceShareCommand({ name: 'i', clientToken: 'ct-1' }));
    expect(b.resourceShare?.resourceShareArn).toBe(a.resourceShare?.resourceShareArn);
    expect(b.clientToken).toBe('ct-1');
    const e = await failure(() =>
      h.ram().send(new CreateResourceShareCommand({ name: 'j', clientToken: 'ct-1' })),
    );
    expect([e.name, e.status]).toEqual(['IdempotentParameterMismatchException', 400]);
  });

  it('lists and reads the two managed permissions for Incident Manager', async () => {
    const all = await h.ram().send(new ListPermissionsCommand({}));
    expect(all.permissions?.map((p) => p.resourceType).sort()).toEqual([
      'ssm-contacts:Contact',
      'ssm-incidents:ResponsePlan',
    ]);
    const contacts = await h.ram().send(new ListPermissionsCommand({ resourceType: 'ssm-contacts:Contact' }));
    expect(contacts.permissions?.map((p) => p.arn)).toEqual([
      'arn:aws:ram::aws:permission/AWSRAMDefaultPermissionSSMContactsContact',
    ]);
    const got = await h.ram().send(
      new GetPermissionCommand({
        permissionArn: 'arn:aws:ram::aws:permission/AWSRAMDefaultPermissionSSMContactsContact',
      }),
    );
    expect(got.permission?.isResourceTypeDefault).toBe(true);
    expect(JSON.parse(got.permission?.permission ?? '{}').Action).toContain('ssm-contacts:GetContact');
    const missing = await failure(() =>
      h.ram().send(new GetPermissionCommand({ permissionArn: 'arn:aws:ram::aws:permission/Nope' })),
    );
    expect([missing.name, missing.status]).toEqual(['UnknownResourceException', 400]);
  });

  it('reports a missing required member as MissingRequiredParameterException', async () => {
    const e = await failure(() => h.ram().send(new GetResourceSharesCommand({} as never)));
    expect([e.name, e.status]).toEqual(['MissingRequiredParameterException', 400]);
    const inv = await failure(() =>
      h.ram().send(new GetResourceSharesCommand({ resourceOwner: 'NOBODY' as never })),
    );
    expect([inv.name, inv.status]).toEqual(['InvalidParameterException', 400]);
  });
});
