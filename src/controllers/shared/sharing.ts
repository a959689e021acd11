// AWS RAM sharing of a shareable kind (Contact, EscalationPlan, ResponsePlan; domain doc §4.1): one
// resource share per object, found by its identity tags, whose principals and allowExternalPrincipals
// follow spec.sharing. `withSharing` wraps a kind's handler so the kind itself stays unaware: the
// share is read in observe, diffed under spec.sharing.*, written in update and deleted before the
// resource. The diff and the write plan are pure (unit-tested); the I/O is sent on the account's RAM client (the gate is its middleware).
import {
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  DisassociateResourceShareCommand,
  paginateGetResourceShareAssociations,
  paginateGetResourceShares,
  type RAMClient,
  type ResourceShare,
  type ResourceShareAssociation,
  UpdateResourceShareCommand,
} from '@aws-sdk/client-ram';
import type { ClientSet } from '../../aws/accounts.ts';
import type { Sharing, SharingStatus } from '../../crds/common.ts';
import {
  ClassifiedError,
  type Ctx,
  type FieldDiff,
  type Found,
  isClassified,
  type KindClient,
  type KindHandler,
  type ManagedObject,
  uidOf,
} from '../../engine/contract.ts';
import { idempotencyUuid, identityTags, OWNER_UID_TAG_KEYS } from '../../engine/identity.ts';
import type { KindDeps } from '../../engine/plugin.ts';

export type RamResourceType = 'ssm-contacts:Contact' | 'ssm-incidents:ResponsePlan';

/** What the kinds' spec.sharing asks for, canonical (principals sorted, unique). */
export interface DesiredSharing {
  principals: string[];
  allowExternalPrincipals: boolean;
}

type PrincipalStatus = NonNullable<SharingStatus['principals']>[number];

/** The share as read from RAM. `principals` holds the principals RAM still has (for the diff). */
export interface ObservedShare extends DesiredSharing {
  arn: string;
  name: string;
  status: string;
  /** Association status of the object's own resource, undefined when not associated at all. */
  resourceStatus: string | undefined;
  resourceMessage: string | undefined;
  /**
   * Every principal association RAM reports that is not gone, with its status; `since` (RFC 3339)
   * for an ASSOCIATING one: when it was first seen so, kept in status.sharing across restarts.
   */
  associations: { principal: string; status: string; external: boolean; message?: string; since?: string }[];
  /** Principals RAM refused (principal → RAM's words and when); never in `principals`. */
  refused?: Record<string, Refusal>;
  /** Principals ASSOCIATING past the window: waiting for someone to accept an invitation. */
  waiting?: string[];
}

export type SharingState = DesiredSharing | ObservedShare;

/** A principal AWS RAM refused: its words, and when (RFC 3339) it was asked. */
export interface Refusal {
  message: string;
  since: string;
}

/** The kind's verbs as the share wrapper drives them: read by the identity in ctx, then the share. */
interface Verbs<K extends ManagedObject, D> {
  observe(mr: K, ctx: Ctx<D>): Promise<Found<D>>;
  create(mr: K, ctx: Ctx<D>): Promise<{ identity: string }>;
  update(mr: K, observed: D, diff: FieldDiff[], ctx: Ctx<D>): Promise<void>;
  delete(mr: K, observed: D, ctx: Ctx<D>): Promise<void>;
}
/** The kind's canonical state plus its sharing (undefined: not shared). */
export type WithSharing<D> = D & { sharing?: SharingState | undefined };

const GONE = new Set(['DISASSOCIATED', 'DISASSOCIATING']);
const isObserved = (s: SharingState | undefined): s is ObservedShare => s !== undefined && 'arn' in s;

export function desiredSharing(s: Sharing | undefined): DesiredSharing | undefined {
  if (!s) return undefined;
  return {
    principals: [...new Set(s.principals)].sort(),
    allowExternalPrincipals: s.allowExternalPrincipals ?? false,
  };
}

/** Pure: the sharing fields that differ, one FieldDiff each. */
export function sharingDiff(
  desired: SharingState | undefined,
  observed: SharingState | undefined,
): FieldDiff[] {
  if (desired === undefined && observed === undefined) return [];
  if (desired === undefined || observed === undefined)
    return [
      {
        path: 'spec.sharing',
        desired: desired && { ...desired },
        observed: isObserved(observed) ? observed.arn : undefined,
        updatable: true,
      },
    ];
  const out: FieldDiff[] = [];
  if (desired.allowExternalPrincipals !== observed.allowExternalPrincipals)
    out.push({
      path: 'spec.sharing.allowExternalPrincipals',
      desired: desired.allowExternalPrincipals,
      observed: observed.allowExternalPrincipals,
      updatable: true,
    });
  if (desired.principals.join('\n') !== observed.principals.join('\n'))
    out.push({
      path: 'spec.sharing.principals',
      desired: desired.principals,
      observed: observed.principals,
      updatable: true,
    });
  // The share exists but no longer carries the resource (disassociated in RAM, or a replaced resource).
  if (isObserved(observed) && observed.resourceStatus === undefined)
    out.push({
      path: 'spec.sharing',
      desired: 'resource associated',
      observed: 'resource not associated',
      updatable: true,
    });
  return out;
}

export type ShareAction =
  | { op: 'create'; allowExternalPrincipals: boolean }
  | { op: 'delete'; arn: string }
  | { op: 'update'; arn: string; allowExternalPrincipals: boolean }
  | { op: 'associateResource'; arn: string }
  | { op: 'associate'; arn: string | undefined; principals: string[] }
  | { op: 'disassociate'; arn: string; principals: string[] };

/**
 * Pure: the RAM writes that take `observed` to `desired`, in an order AWS accepts: allow external
 * principals before associating one, disassociate before disallowing them. A new share is created
 * with the resource only; principals follow in one AssociateResourceShare (so a refused principal
 * does not take the share down with it).
 */
export function planSharing(
  desired: DesiredSharing | undefined,
  observed: ObservedShare | undefined,
): ShareAction[] {
  if (!desired) return observed ? [{ op: 'delete', arn: observed.arn }] : [];
  if (!observed)
    return [
      { op: 'create', allowExternalPrincipals: desired.allowExternalPrincipals },
      { op: 'associate', arn: undefined, principals: desired.principals },
    ];
  const arn = observed.arn;
  const want = new Set(desired.principals);
  const have = new Set(observed.principals);
  const add = desired.principals.filter((p) => !have.has(p));
  const remove = observed.principals.filter((p) => !want.has(p));
  const out: ShareAction[] = [];
  const enabling = desired.allowExternalPrincipals && !observed.allowExternalPrincipals;
  if (enabling) {
    out.push({ op: 'update', arn, allowExternalPrincipals: true });
    // Associations RAM failed before external principals were allowed get one more try.
    for (const a of observed.associations)
      if (a.status === 'FAILED' && want.has(a.principal) && !add.includes(a.principal)) add.push(a.principal);
  }
  if (remove.length) out.push({ op: 'disassociate', arn, principals: remove });
  if (!desired.allowExternalPrincipals && observed.allowExternalPrincipals)
    out.push({ op: 'update', arn, allowExternalPrincipals: false });
  if (observed.resourceStatus === undefined) out.push({ op: 'associateResource', arn });
  if (add.length) out.push({ op: 'associate', arn, principals: add.sort() });
  return out;
}

/** RAM's UPPER_CASE statuses in the API's PascalCase. */
export function pascal(status: string): string {
  return status
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/**
 * The status block: the share, the resource association and every principal, desired ones RAM
 * refused included (`refused`: principal → message and time).
 */
export function sharingStatusOf(
  observed: SharingState | undefined,
  refused: ReadonlyMap<string, Refusal> = new Map(),
  waiting: ReadonlySet<string> = new Set(),
): SharingStatus | undefined {
  if (!isObserved(observed)) return undefined;
  const principals: PrincipalStatus[] = observed.associations.map((a) => {
    const p: PrincipalStatus = {
      principal: a.principal,
      status: pascal(a.status) as PrincipalStatus['status'],
    };
    if (a.external) p.external = true;
    const message =
      a.message ??
      (a.status === 'ASSOCIATING' && waiting.has(a.principal)
        ? `waiting for ${a.principal} to accept the AWS RAM invitation (needed outside the organization, or when sharing with AWS Organizations is not enabled)`
        : undefined);
    if (message) p.message = message;
    if (a.since) p.since = a.since;
    return p;
  });
  for (const [principal, r] of refused)
    if (!principals.some((p) => p.principal === principal))
      principals.push({
        principal,
        status: 'Refused',
        message: r.message,
        ...(r.since ? { since: r.since } : {}),
      });
  principals.sort((a, b) => a.principal.localeCompare(b.principal));
  return {
    resourceShareArn: observed.arn,
    status: pascal(observed.status) as NonNullable<SharingStatus['status']>,
    allowExternalPrincipals: observed.allowExternalPrincipals,
    ...(observed.resourceStatus
      ? { resourceStatus: pascal(observed.resourceStatus) as NonNullable<SharingStatus['resourceStatus']> }
      : {}),
    ...(principals.length ? { principals } : {}),
  };
}

/** The share's name: readable, unique per object (the uid tag is what finds it). */
export function shareName(mr: ManagedObject): string {
  const ns = mr.metadata.namespace ? `${mr.metadata.namespace}.` : '';
  return `incident-manager-operator.${mr.kind}.${ns}${mr.metadata.name}`.slice(0, 255);
}

/**
 * How long a principal inside the organization may stay ASSOCIATING and still count as RAM at work
 * (the object polls, Ready=False); after that it waits for a human to accept an invitation.
 */
export const ASSOCIATING_WINDOW_MS = 120_000;
/** Revisit period while a principal's invitation is pending (3 RAM reads a visit). */
export const INVITATION_POLL_MS = 60_000;
/**
 * How long a principal RAM refused is left alone before it is asked again: the fix (enabling
 * sharing with AWS Organizations, an account joining the organization) happens outside the cluster.
 */
export const REFUSAL_RETRY_MS = 12 * 60_000;

/** RAM calls for one object's share, on the account's client (the gate is its middleware). */
export function ramApi(clients: Pick<ClientSet, 'ram'>) {
  // Taken at each call, not here: the account's RAM client is built on first use, and an object
  // that shares nothing never needs one.
  const sdk = (): RAMClient => clients.ram;

  async function associations(
    shareArn: string,
    associationType: 'PRINCIPAL' | 'RESOURCE',
  ): Promise<ResourceShareAssociation[]> {
    const out: ResourceShareAssociation[] = [];
    const input = { associationType, resourceShareArns: [shareArn] };
    for await (const page of paginateGetResourceShareAssociations({ client: sdk() }, input))
      out.push(...(page.resourceShareAssociations ?? []));
    return out;
  }

  return {
    /**
     * The object's live share (owned by us, tagged with its uid, in the current spelling or the
     * legacy one of older shares); DELETED/DELETING ones are history.
     */
    async find(uid: string): Promise<ResourceShare | undefined> {
      for (const tagKey of OWNER_UID_TAG_KEYS) {
        const input = { resourceOwner: 'SELF' as const, tagFilters: [{ tagKey, tagValues: [uid] }] };
        for await (const page of paginateGetResourceShares({ client: sdk() }, input)) {
          const live = page.resourceShares?.find(
            (s) => s.status !== 'DELETED' && s.status !== 'DELETING' && s.resourceShareArn,
          );
          if (live) return live;
        }
      }
      return undefined;
    },
    async read(share: ResourceShare, resourceArn: string): Promise<ObservedShare> {
      const arn = share.resourceShareArn as string;
      const [principals, resources] = await Promise.all([
        associations(arn, 'PRINCIPAL'),
        associations(arn, 'RESOURCE'),
      ]);
      const live = principals.filter((a) => a.associatedEntity && !GONE.has(a.status ?? ''));
      const res = resources.find((a) => a.associatedEntity === resourceArn && !GONE.has(a.status ?? ''));
      return {
        arn,
        name: share.name ?? '',
        status: share.status ?? 'ACTIVE',
        allowExternalPrincipals: share.allowExternalPrincipals ?? true,
        principals: [...new Set(live.map((a) => a.associatedEntity as string))].sort(),
        resourceStatus: res?.status,
        resourceMessage: res?.statusMessage,
        associations: live.map((a) => ({
          principal: a.associatedEntity as string,
          status: a.status ?? 'ASSOCIATING',
          external: a.external ?? false,
          ...(a.statusMessage ? { message: a.statusMessage } : {}),
        })),
      };
    },
    async create(
      mr: ManagedObject,
      resourceArn: string,
      allowExternalPrincipals: boolean,
      clientToken: string,
    ): Promise<string> {
      const tags = identityTags({ kind: mr.kind, metadata: { ...mr.metadata, uid: uidOf(mr) } });
      const out = await sdk().send(
        new CreateResourceShareCommand({
          name: shareName(mr),
          resourceArns: [resourceArn],
          allowExternalPrincipals,
          tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
          clientToken,
        }),
      );
      const arn = out.resourceShare?.resourceShareArn;
      if (!arn)
        throw new ClassifiedError('Transient', 'CreateResourceShare returned no share ARN', {
          operation: 'CreateResourceShare',
        });
      return arn;
    },
    async update(arn: string, allowExternalPrincipals: boolean): Promise<void> {
      await sdk().send(new UpdateResourceShareCommand({ resourceShareArn: arn, allowExternalPrincipals }));
    },
    async associate(arn: string, members: { principals?: string[]; resourceArns?: string[] }): Promise<void> {
      await sdk().send(new AssociateResourceShareCommand({ resourceShareArn: arn, ...members }));
    },
    async disassociate(arn: string, principals: string[]): Promise<void> {
      await sdk().send(new DisassociateResourceShareCommand({ resourceShareArn: arn, principals }));
    },
    /** Already gone (unknown, or deleted meanwhile) is success. */
    async delete(arn: string): Promise<void> {
      try {
        await sdk().send(new DeleteResourceShareCommand({ resourceShareArn: arn }));
      } catch (e) {
        if (isClassified(e) && e.errorClass === 'NotFound') return;
        if (errorName(e) === 'InvalidStateTransitionException') return;
        throw e;
      }
    },
  };
}

const statusShareArn = (mr: ManagedObject): string | undefined =>
  (mr.status as { sharing?: SharingStatus } | undefined)?.sharing?.resourceShareArn;

/**
 * What RAM refused, as the object's status shows it (so a restart or a new leader knows without
 * asking again): only for the generation the status was written for and the same
 * allowExternalPrincipals; a spec change asks RAM again, and so does time (with `nowMs`, a refusal
 * older than REFUSAL_RETRY_MS, or of unknown age, is left out: its fix happens outside). Pure.
 */
export function refusalsInStatus(mr: ManagedObject, allow: boolean, nowMs?: number): Map<string, Refusal> {
  const status = mr.status as { sharing?: SharingStatus; observedGeneration?: number } | undefined;
  const s = status?.sharing;
  const current = status?.observedGeneration === (mr.metadata.generation ?? 0);
  if (!s || !current || (s.allowExternalPrincipals ?? false) !== allow) return new Map();
  return new Map(
    (s.principals ?? [])
      .filter((p) => p.status === 'Refused' && (nowMs === undefined || !refusalDue(p.since, nowMs)))
      .map((p) => [p.principal, { message: p.message ?? '', since: p.since ?? '' }]),
  );
}

/** Whether a refusal made at `since` is to be asked again at `nowMs` (unknown age: yes). */
const refusalDue = (since: string | undefined, nowMs: number): boolean => {
  const at = Date.parse(since ?? '');
  return Number.isNaN(at) || nowMs - at >= REFUSAL_RETRY_MS;
};

/** When each principal of the share `shareArn` was first seen ASSOCIATING, as the status shows it. */
function associatingSinceInStatus(mr: ManagedObject, shareArn: string): Map<string, string> {
  const s = (mr.status as { sharing?: SharingStatus } | undefined)?.sharing;
  if (s?.resourceShareArn !== shareArn) return new Map();
  return new Map(
    (s.principals ?? [])
      .filter((p) => p.status === 'Associating' && p.since)
      .map((p) => [p.principal, p.since as string]),
  );
}

function errorName(e: unknown): string | undefined {
  const cause = isClassified(e) ? e.cause : e;
  return (cause as { name?: string } | undefined)?.name;
}

/** The condition message for principals RAM refused: who, RAM's words, and the way out. */
export function refusalMessage(
  principals: string[],
  refused: ReadonlyMap<string, Refusal>,
  allow: boolean,
): string {
  const first = refused.get(principals[0] as string)?.message ?? '';
  const fixes: string[] = [];
  // An organization or OU needs RAM's sharing with AWS Organizations (domain doc §7, SharingNotEnabled).
  if (principals.some((p) => p.startsWith('arn:')))
    fixes.push(
      'an organization or OU principal needs sharing with AWS Organizations enabled in RAM (`aws ram enable-sharing-with-aws-organization` in the management account)',
    );
  if (principals.some((p) => !p.startsWith('arn:')))
    fixes.push(
      allow
        ? 'check that the account exists and may receive shares'
        : 'an account outside your AWS organization needs spec.sharing.allowExternalPrincipals: true (it must then accept the RAM invitation)',
    );
  return `spec.sharing.principals: AWS RAM refused to share with ${principals.join(', ')} (${first}). ${fixes.join('; ')}; or remove it from spec.sharing.principals. RAM is asked again every ${REFUSAL_RETRY_MS / 60_000} minutes and on a spec change`;
}

/** RAM refuses a principal outside the organization while the share does not allow external ones (or an organization/OU while organization sharing is off). */
const isRefusal = (e: unknown) => errorName(e) === 'OperationNotPermittedException';

export interface SharingOptions {
  resourceType: RamResourceType;
  now?: () => number;
}

/**
 * Wraps a shareable kind's handler: spec.sharing joins its desired state, the share its observation,
 * the sharing FieldDiffs its diff, and the sharing block its status. The kind's own update sees only
 * its own paths; its delete runs after the share is deleted.
 */
export function withSharing<
  K extends ManagedObject & { spec: { sharing?: Sharing | undefined } },
  D extends object,
>(handler: KindHandler<K, D>, opts: SharingOptions): KindHandler<K, WithSharing<D>> {
  const now = opts.now ?? Date.now;
  /**
   * Refusals this process received that the object's status does not show yet (object uid →
   * generation, allow, principal → RAM's words and when): only the bridge from the update that was
   * refused to the status write of the next visit; status.sharing is what is read afterwards.
   */
  const unwritten = new Map<
    string,
    { generation: number; allow: boolean; byPrincipal: Map<string, Refusal> }
  >();
  /** The refusals still standing: shown in status or just received, and not yet due for a retry. */
  const refusedFor = (mr: K, allow: boolean): Map<string, Refusal> => {
    const t = now();
    const out = refusalsInStatus(mr, allow, t);
    const r = unwritten.get(mr.metadata.uid ?? '');
    if (r && r.generation === (mr.metadata.generation ?? 0) && r.allow === allow)
      for (const [p, m] of r.byPrincipal) if (!out.has(p) && !refusalDue(m.since, t)) out.set(p, m);
    return out;
  };
  /** Drops what this process remembers about a share it deleted. */
  const forget = (mr: K) => {
    unwritten.delete(mr.metadata.uid ?? '');
  };

  const kindDiff = (desired: WithSharing<D>, observed: WithSharing<D>) => [
    ...handler.diff(desired, observed),
    ...sharingDiff(desired.sharing, observed.sharing),
  ];

  const wrapped: KindHandler<K, WithSharing<D>> = {
    ...handler,
    toDesired(mr, refs, writes) {
      const d = handler.toDesired(mr, refs, writes) as WithSharing<D>;
      const sharing = desiredSharing(mr.spec.sharing);
      if (!sharing) return d;
      // A principal RAM refused for this generation is not asked for again until REFUSAL_RETRY_MS
      // has passed (no retry loop): the desired list leaves it out meanwhile, and the object shows
      // the refusal.
      const refused = refusedFor(mr, sharing.allowExternalPrincipals);
      return { ...d, sharing: { ...sharing, principals: sharing.principals.filter((p) => !refused.has(p)) } };
    },
    diff: kindDiff,
    nextVisitMs(observed, nowMs) {
      const own = handler.nextVisitMs?.(observed, nowMs);
      const s = observed.sharing;
      if (!isObserved(s)) return own;
      const hints = own === undefined ? [] : [own];
      // An invitation is accepted by a human, outside our view: look again now and then.
      if (s.associations.some((a) => a.status === 'ASSOCIATING')) hints.push(INVITATION_POLL_MS);
      // A refusal is asked again once it is due.
      for (const r of Object.values(s.refused ?? {}))
        hints.push((Date.parse(r.since) || nowMs) + REFUSAL_RETRY_MS - nowMs);
      return hints.length ? Math.min(...hints) : undefined;
    },
    observedStatus(observed) {
      const base = handler.observedStatus?.(observed) ?? {};
      const s = observed.sharing;
      if (!isObserved(s)) return base;
      return {
        ...base,
        sharing: sharingStatusOf(s, new Map(Object.entries(s.refused ?? {})), new Set(s.waiting)),
      };
    },
    client(clients: ClientSet, mr: K): KindClient<K, WithSharing<D>> {
      const inner = handler.client(clients, mr);
      const referenceReadable = inner.referenceReadable?.bind(inner);
      const c = client(
        {
          async observe(m, ctx) {
            const r = ctx.identity ? await inner.read(ctx.identity, m, ctx) : undefined;
            return r ? { exists: true, ...r } : { exists: false };
          },
          create: (m, ctx) => inner.create(m, ctx),
          update: (m, o, d, ctx) => inner.update(m, o, d, ctx),
          delete: (m, o, ctx) => inner.delete(m, o, ctx),
        },
        // A contact is shared from its own Region (the account's contacts Region).
        ramApi(
          opts.resourceType === 'ssm-contacts:Contact'
            ? {
                get ram() {
                  return clients.contactsRam;
                },
              }
            : clients,
        ),
      );
      return {
        async read(identity, m, ctx) {
          const obs = await c.observe(m, { ...ctx, identity });
          return obs.exists ? obs : undefined;
        },
        findByName: (m, ctx) => inner.findByName(m, ctx as unknown as Ctx<D>),
        create: c.create,
        update: c.update,
        delete: c.delete,
        ...(referenceReadable ? { referenceReadable } : {}),
      };
    },
  };

  function client(inner: Verbs<K, D>, ram: ReturnType<typeof ramApi>): Verbs<K, WithSharing<D>> {
    return {
      async observe(mr, ctx): Promise<Found<WithSharing<D>>> {
        const obs = await inner.observe(mr, ctx as unknown as Ctx<D>);
        if (!obs.exists) return obs;
        // Another account's resource: its shares are the owner's, not ours to read.
        if (ctx.sharedBy !== undefined)
          return { ...obs, unreadable: [...(obs.unreadable ?? []), 'spec.sharing'] };
        const desired = ctx.desired as WithSharing<D> | undefined;
        // No RAM read for an object that neither wants nor, as far as its status knows, has a share.
        const statusArn = statusShareArn(mr);
        if (!desired?.sharing && statusArn === undefined && !mr.metadata.deletionTimestamp) return obs;
        const found = await ram.find(uidOf(mr));
        const observed: WithSharing<D> = { ...obs.observed, sharing: undefined };
        if (!found) return { ...obs, observed };
        const share = await ram.read(found, obs.identity);
        observed.sharing = share;
        const asked = desiredSharing(mr.spec.sharing);
        const allow = asked?.allowExternalPrincipals ?? share.allowExternalPrincipals;
        const refused = refusedFor(mr, allow);
        // Kept beside the principals RAM has, never among them: the diff compares what RAM really holds.
        if (refused.size) share.refused = Object.fromEntries(refused);
        const shown = refusalsInStatus(mr, allow);
        const pending = unwritten.get(mr.metadata.uid ?? '');
        if (pending && [...pending.byPrincipal].every(([p, r]) => shown.get(p)?.since === r.since))
          unwritten.delete(mr.metadata.uid ?? '');
        const refusedNow = [...refused.keys()].filter(
          (p) => asked?.principals.includes(p) && !share.principals.includes(p),
        );
        // Asynchronous association: polled (phase Pending) while RAM works, but a principal that
        // stays ASSOCIATING past the window waits for a human to accept an invitation: that must
        // neither hold Ready (referrers wait on it) nor block other updates.
        const t = now();
        const waiting = new Set<string>();
        let busy = share.resourceStatus === 'ASSOCIATING';
        // When each was first seen ASSOCIATING lives in status.sharing: a restart keeps the window.
        const shownSince = associatingSinceInStatus(mr, share.arn);
        for (const a of share.associations) {
          if (a.status !== 'ASSOCIATING') continue;
          a.since = shownSince.get(a.principal) ?? new Date(t).toISOString();
          // An external principal always gets an invitation; one inside the organization does
          // too when sharing with AWS Organizations is off, which the owner cannot read: a window.
          if (!a.external && t - Date.parse(a.since) < ASSOCIATING_WINDOW_MS) busy = true;
          else waiting.add(a.principal);
        }
        if (waiting.size) share.waiting = [...waiting].sort();
        if (busy && obs.phase === 'Active' && desired && kindDiff(desired, observed).length === 0)
          return {
            ...obs,
            observed,
            phase: 'Pending',
            message: `AWS RAM is associating resource share ${share.arn} (${[
              share.resourceStatus === 'ASSOCIATING' ? 'the resource' : '',
              ...share.associations.filter((a) => a.status === 'ASSOCIATING').map((a) => a.principal),
            ]
              .filter(Boolean)
              .join(', ')})`,
          };
        if (refusedNow.length && obs.phase === 'Active')
          return {
            ...obs,
            observed,
            phase: 'Failed',
            // The resource itself is fine: referrers go on using it (usableAsReference).
            reason: 'SharingNotEnabled',
            message: refusalMessage(refusedNow, refused, allow),
          };
        return { ...obs, observed };
      },

      create: (mr, ctx) => inner.create(mr, ctx as unknown as Ctx<D>),

      async update(mr, observed, diff, ctx) {
        const own = diff.filter((d) => d.path !== 'spec.sharing' && !d.path.startsWith('spec.sharing.'));
        if (own.length) await inner.update(mr, observed, own, ctx as unknown as Ctx<D>);
        if (own.length === diff.length) return;
        const resourceArn = ctx.identity;
        if (!resourceArn)
          throw new ClassifiedError(
            'Transient',
            'the resource ARN is not known yet; sharing on the next visit',
          );
        const desired = ctx.desired.sharing as DesiredSharing | undefined;
        const current = isObserved(observed.sharing) ? observed.sharing : undefined;
        let shareArn = current?.arn;
        for (const a of planSharing(desired, current)) {
          switch (a.op) {
            case 'create':
              // Token from the uid and the generation: a retried create replays, a share re-added
              // later (a new generation) is a new share.
              shareArn = await ram.create(
                mr,
                resourceArn,
                a.allowExternalPrincipals,
                idempotencyUuid(
                  uidOf(mr),
                  // The share status last showed, if any: one deleted behind our back is not replayed.
                  `generation-${mr.metadata.generation ?? 0}|${statusShareArn(mr) ?? ''}`,
                  'CreateResourceShare',
                ),
              );
              break;
            case 'delete':
              await ram.delete(a.arn);
              forget(mr);
              break;
            case 'update':
              await ram.update(a.arn, a.allowExternalPrincipals);
              break;
            case 'associateResource':
              await ram.associate(a.arn, { resourceArns: [resourceArn] });
              break;
            case 'disassociate':
              await ram.disassociate(a.arn, a.principals);
              break;
            case 'associate':
              await associatePrincipals(mr, a.arn ?? (shareArn as string), a.principals, desired, ctx.event);
              break;
          }
        }
      },

      async delete(mr, observed, ctx) {
        // The share first: it names the resource, and consumers lose access before it disappears.
        if (isObserved(observed.sharing)) {
          await ram.delete(observed.sharing.arn);
          forget(mr);
        }
        await inner.delete(mr, observed, ctx as unknown as Ctx<D>);
      },
    };

    /**
     * One AssociateResourceShare for all new principals. RAM refuses the whole call when one is
     * outside the organization and the share does not allow that: then each is tried alone, so the
     * others are shared and the refused ones are remembered: not asked again for this generation
     * until REFUSAL_RETRY_MS has passed.
     */
    async function associatePrincipals(
      mr: K,
      shareArn: string,
      principals: string[],
      desired: DesiredSharing | undefined,
      event: Ctx<unknown>['event'],
    ): Promise<void> {
      const allow = desired?.allowExternalPrincipals ?? false;
      const known = refusedFor(mr, allow);
      const todo = principals.filter((p) => !known.has(p));
      const refused = new Map(known);
      const refuse = (p: string, e: unknown) =>
        refused.set(p, { message: (e as Error).message, since: new Date(now()).toISOString() });
      if (todo.length) {
        try {
          await ram.associate(shareArn, { principals: todo });
        } catch (e) {
          if (!isRefusal(e)) throw e;
          if (todo.length === 1) refuse(todo[0] as string, e);
          else
            for (const p of todo) {
              try {
                await ram.associate(shareArn, { principals: [p] });
              } catch (e1) {
                if (!isRefusal(e1)) throw e1;
                refuse(p, e1);
              }
            }
        }
      }
      if (!refused.size) return;
      unwritten.set(mr.metadata.uid ?? '', {
        generation: mr.metadata.generation ?? 0,
        allow,
        byPrincipal: refused,
      });
      // Not thrown: the next observation (polled right after this update) reports the refusal as
      // the object's Failed phase with the principal Refused in status.sharing, and the rest of
      // the share stands. A terminal error would hide that status until the resync.
      if (todo.some((p) => refused.has(p)))
        await event?.('Warning', 'SharingRefused', refusalMessage([...refused.keys()], refused, allow));
    }
  }

  return wrapped;
}

/** `withSharing` bound to the engine's clock; RAM runs on the client set the engine resolved. */
export function shareable<
  K extends ManagedObject & { spec: { sharing?: Sharing | undefined } },
  D extends object,
>(handler: KindHandler<K, D>, deps: KindDeps, resourceType: RamResourceType): KindHandler<K, WithSharing<D>> {
  return withSharing(handler, { resourceType, now: () => deps.clock?.now() ?? Date.now() });
}
