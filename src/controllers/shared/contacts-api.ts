// ssm-contacts calls shared by the contact-typed kinds (Contact, EscalationPlan), sent on the
// account's client (the gate is its middleware); NotFound is the engine's to judge (absent on a read, gone on a delete).
import {
  type Contact,
  type GetContactCommandOutput,
  ListTagsForResourceCommand,
  paginateListContacts,
  type SSMContactsClient,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ssm-contacts';
import type { ClientSet } from '../../aws/accounts.ts';
import { type Candidate, isClassified } from '../../engine/contract.ts';
import { tagsFromAws, tagsToAws } from './contacts-tags.ts';
import { SharedList } from './read-memory.ts';

export interface ContactsConn {
  /** The account's clients; the gate is middleware on each of them. */
  clients: ClientSet;
}

/**
 * Every contact and escalation plan the account lists (alias, display name, type), by ARN: one
 * ListContacts serves the partial reads of all of them (Contact, EscalationPlan).
 */
export const listedContacts = new SharedList<SSMContactsClient, Contact>(async (client) => {
  const out = new Map<string, Contact>();
  for await (const page of paginateListContacts({ client, pageSize: 1024 }, {}))
    for (const c of page.Contacts ?? []) if (c.ContactArn) out.set(c.ContactArn, c);
  return out;
});

/**
 * The last GetContact of `arn` with what a recent ListContacts shows (alias, display name, type)
 * in place of its own, for the engine's partial read; undefined when the list does not show it.
 */
export async function nowListed(
  conn: ContactsConn,
  arn: string,
  last: GetContactCommandOutput,
  when: { nowMs: number; listsSince: number },
): Promise<GetContactCommandOutput | undefined> {
  const listed = await listedContacts.find(conn.clients.contacts, arn, when);
  if (!listed) return undefined;
  const { DisplayName: _, ...kept } = last;
  return {
    ...kept,
    Alias: listed.Alias,
    Type: listed.Type,
    ...(listed.DisplayName === undefined ? {} : { DisplayName: listed.DisplayName }),
  };
}

/** Tags of a contact or rotation (GetContact/GetRotation do not return them). */
export async function listTags(conn: ContactsConn, arn: string): Promise<Record<string, string>> {
  const out = await conn.clients.contacts.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return tagsFromAws(out.Tags);
}

/**
 * Every listed contact with exactly this alias (ListContacts filters by prefix), optionally of one
 * type. The listing includes contacts other accounts share with us, so there may be several.
 */
export async function findContactsByAlias(
  conn: ContactsConn,
  alias: string,
  type?: Contact['Type'],
): Promise<Contact[]> {
  const out: Contact[] = [];
  const input = { AliasPrefix: alias, ...(type ? { Type: type } : {}) };
  for await (const page of paginateListContacts({ client: conn.clients.contacts }, input))
    out.push(...(page.Contacts ?? []).filter((x) => x.Alias === alias));
  return out;
}

/** The first listed contact with exactly this alias, optionally of one type. */
export async function findContactByAlias(
  conn: ContactsConn,
  alias: string,
  type?: Contact['Type'],
): Promise<Contact | undefined> {
  return (await findContactsByAlias(conn, alias, type))[0];
}

/**
 * The contacts with this alias that this account owns, with their tags. A contact another account
 * shares with us is listed too, but only its owner may read its tags (AccessDenied): it is skipped,
 * since another account's alias does not take ours.
 */
export async function ownContactsByAlias(
  conn: ContactsConn,
  alias: string,
): Promise<{ arn: string; type: Contact['Type']; tags: Record<string, string> }[]> {
  const out: { arn: string; type: Contact['Type']; tags: Record<string, string> }[] = [];
  for (const hit of await findContactsByAlias(conn, alias)) {
    if (!hit.ContactArn) continue;
    try {
      out.push({ arn: hit.ContactArn, type: hit.Type, tags: await listTags(conn, hit.ContactArn) });
    } catch (e) {
      if (isClassified(e) && e.errorClass === 'AccessDenied') continue;
      throw e;
    }
  }
  return out;
}

/** Candidates for the engine's adopt/refuse decision: this account's contacts with the alias. */
export async function contactsByAlias(conn: ContactsConn, alias: string): Promise<Candidate[]> {
  return (await ownContactsByAlias(conn, alias)).map((c) => ({ identity: c.arn, tags: c.tags }));
}

/** TagResource for added/changed keys, UntagResource for removed ones; nothing when both are empty. */
export async function applyTagDelta(
  conn: ContactsConn,
  arn: string,
  delta: { set: Record<string, string>; remove: string[] },
): Promise<void> {
  if (Object.keys(delta.set).length > 0)
    await conn.clients.contacts.send(
      new TagResourceCommand({ ResourceARN: arn, Tags: tagsToAws(delta.set) }),
    );
  if (delta.remove.length > 0)
    await conn.clients.contacts.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: delta.remove }));
}
