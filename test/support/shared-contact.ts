// A contact owned by another account (222222222222, onboarded here) and shared with the stack's
// account through RAM, invitation accepted: what a consumer sees listed next to its own contacts.
import {
  AcceptResourceShareInvitationCommand,
  CreateResourceShareCommand,
  GetResourceShareInvitationsCommand,
  RAMClient,
} from '@aws-sdk/client-ram';
import { type ContactType, CreateContactCommand, SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import { CreateReplicationSetCommand, SSMIncidentsClient } from '@aws-sdk/client-ssm-incidents';
import type { Operator } from './operator.ts';

/** The emulator's documented key for account 222222222222 (docs/aws-emulator.md). */
const OTHER_ACCOUNT_KEY = 'AKIAI44QH8DHBEXAMPLE';

export async function contactSharedWithUs(op: Operator, alias: string, type: ContactType): Promise<string> {
  const other = {
    region: op.stack.region,
    endpoint: op.stack.aws.url,
    credentials: { accessKeyId: OTHER_ACCOUNT_KEY, secretAccessKey: 'local-emulator' },
  };
  const incidents = new SSMIncidentsClient(other);
  const contacts = new SSMContactsClient(other);
  const ram = new RAMClient(other);
  try {
    // Onboarding is once per account: a second replication set is refused, which is fine here.
    await incidents
      .send(new CreateReplicationSetCommand({ regions: { [op.stack.region]: {} } }))
      .catch((e: { name?: string }) => {
        if (e.name !== 'ConflictException') throw e;
      });
    const { ContactArn } = await contacts.send(
      new CreateContactCommand({ Alias: alias, Type: type, Plan: { Stages: [] } }),
    );
    await shareWithStack(op, ram, alias, ContactArn as string);
    return ContactArn as string;
  } finally {
    for (const c of [incidents, contacts, ram]) c.destroy();
  }
}

/**
 * The owner (the account of `ram`) shares `arn` with the stack's account, which accepts its
 * pending invitations; returns the share's ARN.
 */
export async function shareWithStack(
  op: Operator,
  ram: RAMClient,
  name: string,
  arn: string,
): Promise<string> {
  const out = await ram.send(
    new CreateResourceShareCommand({
      name,
      resourceArns: [arn],
      principals: [op.stack.account],
      allowExternalPrincipals: true,
    }),
  );
  const inv = await op.sdk.ram.send(new GetResourceShareInvitationsCommand({}));
  for (const i of inv.resourceShareInvitations ?? [])
    if (i.status === 'PENDING')
      await op.sdk.ram.send(
        new AcceptResourceShareInvitationCommand({
          resourceShareInvitationArn: i.resourceShareInvitationArn,
        }),
      );
  return out.resourceShare?.resourceShareArn as string;
}
