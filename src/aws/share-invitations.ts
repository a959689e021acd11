// Consumer side of AWS RAM for an AWSAccount with spec.acceptResourceShares: accept pending
// invitations for Incident Manager resources from the allow-listed owner accounts only (others stay
// pending for a person to decide; the controller never rejects), and report what the account has
// accepted. Inside an organization with RAM sharing enabled no invitation exists (access is
// automatic); the accepted shares still show in status. RAM is Regional: a share and its invitation
// live in the Region the owner made the share in (contacts from the owner's contacts Region, response
// plans from its home Region), so every Region such an invitation can arrive in is looked at
// (`invitationRegions`).
import {
  AcceptResourceShareInvitationCommand,
  paginateGetResourceShareInvitations,
  paginateGetResourceShares,
  paginateListPendingInvitationResources,
  paginateListResources,
  type RAMClient,
} from '@aws-sdk/client-ram';
import { idempotencyUuid } from '../engine/identity.ts';

/** The RAM resource types of Incident Manager (domain doc §4.1). */
export const INCIDENT_MANAGER_RESOURCE_TYPES: readonly string[] = [
  'ssm-contacts:Contact',
  'ssm-incidents:ResponsePlan',
];

/** Invitations are looked for this often while spec.acceptResourceShares is set. */
export const INVITATION_ACCEPT_POLL_MS = 60_000;

/** Bounds of what status lists (the CRD's maxItems). */
const MAX_SHARES = 100;
const MAX_RESOURCES = 100;

export interface AcceptedShare {
  arn: string;
  /** The Region of the share (RAM is Regional). */
  region: string;
  name?: string;
  owner: string;
  resources: Array<{ arn: string; type: string }>;
}

export interface PendingInvitation {
  invitationArn: string;
  region: string;
  shareName?: string;
  sender: string;
  message: string;
}

export interface ResourceSharesStatus {
  accepted: AcceptedShare[];
  pending: PendingInvitation[];
}

export interface AcceptResult {
  /** Invitations accepted on this visit (for an Event each). */
  acceptedNow: Array<{ invitationArn: string; region: string; shareName?: string; sender: string }>;
  status: ResourceSharesStatus;
  /** Regions where RAM did not answer: their entries are the previous status's. */
  failed: Array<{ region: string; message: string }>;
}

/** What the Regions of a consumer's invitations follow from. */
export interface RegionSetInput {
  /** The consumer's spec.region (or the controller's --region). */
  home: string;
  /** The consumer's status.contactsRegion: its first Region and its replication set's Regions. */
  contacts?: { region: string; replicationSetRegions?: readonly string[] } | undefined;
  /**
   * AWSAccounts of the same cluster whose accountId the consumer allow-lists: where they make
   * shares (spec.region for response plans, status.contactsRegion for contacts).
   */
  owners?: ReadonlyArray<{ region: string; contactsRegion?: string | undefined }>;
}

/**
 * Pure: the Regions where an allow-listed owner's invitation can arrive, without repeats: the home
 * Region first, then the others by name. An owner outside the cluster shares from Regions only its
 * own configuration knows; those covered are the consumer's own (an owner onboarded in the same
 * Regions, the common case).
 */
export function invitationRegions(input: RegionSetInput): string[] {
  const others = new Set<string>();
  if (input.contacts) {
    others.add(input.contacts.region);
    for (const r of input.contacts.replicationSetRegions ?? []) others.add(r);
  }
  for (const o of input.owners ?? []) {
    others.add(o.region);
    if (o.contactsRegion) others.add(o.contactsRegion);
  }
  others.delete(input.home);
  return [input.home, ...[...others].sort()];
}

/**
 * The token of an accept: one per invitation and receiving account, so a replay after a crash
 * (accepted, status not yet written) is answered by RAM with the first result, not a second accept.
 */
export const acceptToken = (invitationArn: string, receiver: string): string =>
  idempotencyUuid(invitationArn, receiver, 'AcceptResourceShareInvitation');

const isIncidentManagerType = (t: string | undefined) =>
  t !== undefined && INCIDENT_MANAGER_RESOURCE_TYPES.includes(t);

/**
 * One visit: in each Region, accept what the allow-list covers, then read back the accepted shares.
 * A Region where RAM does not answer keeps its entries of `previous` and is reported in `failed`;
 * the other Regions go on.
 */
export async function acceptResourceShares(
  ramIn: (region: string) => RAMClient,
  regions: readonly string[],
  receiver: string,
  allowedOwners: readonly string[],
  previous: Partial<ResourceSharesStatus> = {},
): Promise<AcceptResult> {
  const acceptedNow: AcceptResult['acceptedNow'] = [];
  const failed: AcceptResult['failed'] = [];
  const accepted: AcceptedShare[] = [];
  const pending: PendingInvitation[] = [];
  for (const region of regions) {
    try {
      const ram = ramIn(region);
      const got = await visitRegion(ram, region, receiver, allowedOwners);
      acceptedNow.push(...got.acceptedNow);
      pending.push(...got.pending);
      accepted.push(...(await acceptedShares(ram, region)));
    } catch (e) {
      failed.push({ region, message: (e as Error).message ?? String(e) });
      accepted.push(...(previous.accepted ?? []).filter((a) => a.region === region));
      pending.push(...(previous.pending ?? []).filter((p) => p.region === region));
    }
  }
  return {
    acceptedNow,
    failed,
    status: {
      accepted: accepted.sort((a, b) => a.arn.localeCompare(b.arn)).slice(0, MAX_SHARES),
      pending: pending.slice(0, MAX_SHARES),
    },
  };
}

async function visitRegion(
  ram: RAMClient,
  region: string,
  receiver: string,
  allowedOwners: readonly string[],
): Promise<{ acceptedNow: AcceptResult['acceptedNow']; pending: PendingInvitation[] }> {
  const acceptedNow: AcceptResult['acceptedNow'] = [];
  const pending: PendingInvitation[] = [];
  for await (const page of paginateGetResourceShareInvitations({ client: ram }, {})) {
    for (const inv of page.resourceShareInvitations ?? []) {
      if (inv.status !== 'PENDING' || !inv.resourceShareInvitationArn) continue;
      if (inv.receiverAccountId && inv.receiverAccountId !== receiver) continue;
      const sender = inv.senderAccountId ?? 'unknown';
      const base = {
        invitationArn: inv.resourceShareInvitationArn,
        region,
        ...(inv.resourceShareName ? { shareName: inv.resourceShareName } : {}),
        sender,
      };
      if (!allowedOwners.includes(sender)) {
        pending.push({
          ...base,
          message: `account ${sender} is not in spec.acceptResourceShares.accountIds; accept or reject it in the RAM console, or add the account`,
        });
        continue;
      }
      const types = await pendingTypes(ram, inv.resourceShareInvitationArn);
      const foreign = types.filter((t) => !isIncidentManagerType(t));
      if (types.length === 0 || foreign.length > 0) {
        pending.push({
          ...base,
          message:
            types.length === 0
              ? 'the share holds no resources yet; it is looked at again on the next visit'
              : `the share also holds resources other than Incident Manager's (${[...new Set(foreign)].join(', ')}); accept it in the RAM console if that is intended`,
        });
        continue;
      }
      try {
        await ram.send(
          new AcceptResourceShareInvitationCommand({
            resourceShareInvitationArn: inv.resourceShareInvitationArn,
            clientToken: acceptToken(inv.resourceShareInvitationArn, receiver),
          }),
        );
      } catch (e) {
        // Accepted by someone else between the list and the accept: the outcome we wanted.
        if ((e as { name?: string }).name !== 'ResourceShareInvitationAlreadyAcceptedException') throw e;
      }
      acceptedNow.push(base);
    }
  }
  return { acceptedNow, pending };
}

async function pendingTypes(ram: RAMClient, invitationArn: string): Promise<string[]> {
  const out: string[] = [];
  const pages = paginateListPendingInvitationResources(
    { client: ram },
    { resourceShareInvitationArn: invitationArn },
  );
  for await (const page of pages) for (const r of page.resources ?? []) out.push(r.type ?? 'unknown');
  return out;
}

/** Shares of other accounts this account holds in `region`, with their Incident Manager resources. */
async function acceptedShares(ram: RAMClient, region: string): Promise<AcceptedShare[]> {
  const shares = new Map<string, AcceptedShare>();
  for await (const page of paginateGetResourceShares({ client: ram }, { resourceOwner: 'OTHER-ACCOUNTS' }))
    for (const s of page.resourceShares ?? [])
      if (s.resourceShareArn && s.status === 'ACTIVE')
        shares.set(s.resourceShareArn, {
          arn: s.resourceShareArn,
          region,
          ...(s.name ? { name: s.name } : {}),
          owner: s.owningAccountId ?? 'unknown',
          resources: [],
        });
  // Nothing shared with the account in this Region: no second call.
  if (shares.size === 0) return [];
  for await (const page of paginateListResources({ client: ram }, { resourceOwner: 'OTHER-ACCOUNTS' }))
    for (const r of page.resources ?? []) {
      const share = r.resourceShareArn ? shares.get(r.resourceShareArn) : undefined;
      if (!share || !r.arn || !isIncidentManagerType(r.type)) continue;
      if (share.resources.length < MAX_RESOURCES)
        share.resources.push({ arn: r.arn, type: r.type as string });
    }
  return [...shares.values()]
    .filter((s) => s.resources.length > 0)
    .sort((a, b) => a.arn.localeCompare(b.arn))
    .slice(0, MAX_SHARES)
    .map((s) => ({ ...s, resources: s.resources.sort((a, b) => a.arn.localeCompare(b.arn)) }));
}
