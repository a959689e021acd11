// AWS RAM (restJson1): resource shares, associations, invitations, managed permissions, tags and
// organization sharing, for the two Incident Manager resource types. Domain doc §4.1.
import { ORGANIZATION } from '../../accounts.ts';
import { AwsError } from '../../errors.ts';
import { MODELS } from '../../model/generated.ts';
import { modelOf, summarise } from '../../model/validate.ts';
import type { Input, PluginFactory, RequestContext } from '../../service.ts';
import { paginate, type TagMap, tags as tagHelpers } from '../../store.ts';

const SERVICE = 'ram';

export const MANAGED_PERMISSIONS = [
  {
    resourceType: 'ssm-contacts:Contact',
    name: 'AWSRAMDefaultPermissionSSMContactsContact',
    actions: ['ssm-contacts:GetContact', 'ssm-contacts:StartEngagement', 'ssm-contacts:ListContactChannels'],
  },
  {
    resourceType: 'ssm-incidents:ResponsePlan',
    name: 'AWSRAMDefaultPermissionSSMIncidentsResponsePlan',
    actions: [
      'ssm-incidents:GetResponsePlan',
      'ssm-incidents:StartIncident',
      'ssm-incidents:ListIncidentRecords',
    ],
  },
].map((p) => ({ ...p, arn: `arn:aws:ram::aws:permission/${p.name}` }));

type AssocStatus = 'ASSOCIATING' | 'ASSOCIATED' | 'FAILED' | 'DISASSOCIATING' | 'DISASSOCIATED';

interface Association {
  entity: string;
  type: 'PRINCIPAL' | 'RESOURCE';
  status: AssocStatus;
  /** Time the pending ASSOCIATING turns ASSOCIATED; undefined while waiting for an invitation. */
  settlesAt?: number;
  external: boolean;
  creationTime: number;
  lastUpdatedTime: number;
}

interface Share {
  arn: string;
  name: string;
  owner: string;
  region: string;
  allowExternalPrincipals: boolean;
  status: 'ACTIVE' | 'DELETED';
  tags: TagMap;
  permissionArns: string[];
  associations: Association[];
  creationTime: number;
  lastUpdatedTime: number;
}

interface Invitation {
  arn: string;
  shareArn: string;
  sender: string;
  receiver: string;
  status: 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'EXPIRED';
  timestamp: number;
}

interface RegionState {
  shares: Map<string, Share>;
  invitations: Map<string, Invitation>;
}

const err = (code: string, message: string, status = 400) => new AwsError(code, message, status);
const secs = (ms: number) => ms / 1000;
const SHARE_ARN = /^arn:aws(?:-cn|-us-gov)?:ram:([a-z0-9-]+):(\d{12}):resource-share\/[0-9a-f-]+$/;

function resourceTypeOf(arn: string): string | undefined {
  if (/^arn:aws(?:-cn|-us-gov)?:ssm-contacts:[a-z0-9-]+:\d{12}:contact\//.test(arn))
    return 'ssm-contacts:Contact';
  if (/^arn:aws(?:-cn|-us-gov)?:ssm-incidents::\d{12}:response-plan\//.test(arn))
    return 'ssm-incidents:ResponsePlan';
  return undefined;
}

function accountOf(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];
}

export const createPlugin: PluginFactory = ({ store, faults, options }) => {
  const regionState = (account: string, region: string) =>
    store.partition<RegionState>(SERVICE, account, region, () => ({
      shares: new Map(),
      invitations: new Map(),
    }));
  const orgSharing = (account: string) =>
    store.partition<{ enabled: boolean }>(SERVICE, account, '', () => ({ enabled: false }));

  function settle(share: Share): void {
    const now = store.clock.now();
    for (const a of share.associations) {
      if (a.status === 'ASSOCIATING' && a.settlesAt !== undefined && now >= a.settlesAt) {
        a.status = 'ASSOCIATED';
        a.lastUpdatedTime = a.settlesAt;
      }
    }
  }

  function* allShares(): Generator<Share> {
    for (const { state } of store.partitionsOf<RegionState | { enabled: boolean }>(SERVICE)) {
      if (!('shares' in state)) continue;
      for (const s of state.shares.values()) {
        settle(s);
        yield s;
      }
    }
  }

  /** Does `principal` (account id, OU or organization ARN) of `share` cover `account`? */
  function covers(principal: string, account: string): boolean {
    if (principal === account) return true;
    if (
      principal === ORGANIZATION.arn ||
      principal.startsWith(`arn:aws:organizations::${ORGANIZATION.managementAccount}:ou/`)
    )
      return ORGANIZATION.members.includes(account);
    return false;
  }

  function sharedWith(resourceArn: string, account: string): boolean {
    for (const s of allShares()) {
      if (s.status !== 'ACTIVE' || s.owner === account) continue;
      const resOk = s.associations.some(
        (a) => a.type === 'RESOURCE' && a.entity === resourceArn && a.status === 'ASSOCIATED',
      );
      if (!resOk) continue;
      if (
        s.associations.some(
          (a) => a.type === 'PRINCIPAL' && a.status === 'ASSOCIATED' && covers(a.entity, account),
        )
      )
        return true;
    }
    return false;
  }

  function ownShare(ctx: RequestContext, arn: string): Share {
    if (!SHARE_ARN.test(arn))
      throw err('MalformedArnException', `The format of the resource share ARN ${arn} is not valid`);
    const share = regionState(ctx.account, ctx.region).shares.get(arn);
    if (!share) {
      if (accountOf(arn) !== ctx.account)
        throw err(
          'OperationNotPermittedException',
          `Only the owner of resource share ${arn} can perform this operation`,
        );
      throw err('UnknownResourceException', `ResourceShare ${arn} could not be found`);
    }
    settle(share);
    return share;
  }

  function renderShare(s: Share, forOwner: boolean): Record<string, unknown> {
    return {
      resourceShareArn: s.arn,
      name: s.name,
      owningAccountId: s.owner,
      allowExternalPrincipals: s.allowExternalPrincipals,
      status: s.status,
      ...(forOwner ? { tags: tagHelpers.toList(s.tags) } : {}),
      creationTime: secs(s.creationTime),
      lastUpdatedTime: secs(s.lastUpdatedTime),
      featureSet: 'STANDARD',
    };
  }

  function renderAssociation(s: Share, a: Association): Record<string, unknown> {
    return {
      resourceShareArn: s.arn,
      resourceShareName: s.name,
      associatedEntity: a.entity,
      associationType: a.type,
      status: a.status,
      creationTime: secs(a.creationTime),
      lastUpdatedTime: secs(a.lastUpdatedTime),
      external: a.external,
    };
  }

  function renderInvitation(i: Invitation, share: Share | undefined): Record<string, unknown> {
    return {
      resourceShareInvitationArn: i.arn,
      resourceShareName: share?.name,
      resourceShareArn: i.shareArn,
      senderAccountId: i.sender,
      receiverAccountId: i.receiver,
      invitationTimestamp: secs(i.timestamp),
      status: i.status,
    };
  }

  function addResources(ctx: RequestContext, share: Share, arns: string[]): void {
    const now = store.clock.now();
    for (const arn of arns) {
      const type = resourceTypeOf(arn);
      if (!type) {
        if (!/^arn:aws(?:-cn|-us-gov)?:/.test(arn))
          throw err('MalformedArnException', `The format of ARN ${arn} is not valid`);
        throw err(
          'InvalidParameterException',
          `Resource type of ${arn} can't be shared by this emulator (supported: ssm-contacts:Contact, ssm-incidents:ResponsePlan)`,
        );
      }
      if (accountOf(arn) !== ctx.account)
        throw err(
          'OperationNotPermittedException',
          `You can share only resources that your account owns: ${arn}`,
        );
      // A share holds resources of its own Region (a regional resource's ARN names it).
      const region = /^arn:[^:]+:[^:]*:([^:]*):/.exec(arn)?.[1];
      if (region && region !== ctx.region)
        throw err('UnknownResourceException', `Resource ${arn} could not be found in ${ctx.region}`);
      if (!store.hooks.resourceExists(arn))
        throw err('UnknownResourceException', `Resource ${arn} could not be found`);
      if (
        share.associations.some(
          (a) => a.type === 'RESOURCE' && a.entity === arn && a.status !== 'DISASSOCIATED',
        )
      )
        continue;
      share.associations.push({
        entity: arn,
        type: 'RESOURCE',
        status: 'ASSOCIATING',
        settlesAt: now + options.transitionMs,
        external: false,
        creationTime: now,
        lastUpdatedTime: now,
      });
      const perm = MANAGED_PERMISSIONS.find((p) => p.resourceType === type);
      if (perm && !share.permissionArns.includes(perm.arn)) share.permissionArns.push(perm.arn);
    }
  }

  function addPrincipals(ctx: RequestContext, share: Share, principals: string[]): void {
    const now = store.clock.now();
    const orgEnabled =
      orgSharing(ORGANIZATION.managementAccount).enabled && ORGANIZATION.members.includes(ctx.account);
    for (const p of principals) {
      const isAccount = /^\d{12}$/.test(p);
      const isOrg = p === ORGANIZATION.arn || /^arn:aws:organizations::\d{12}:ou\//.test(p);
      if (!isAccount && !isOrg) {
        if (p.startsWith('arn:'))
          throw err(
            'InvalidParameterException',
            `Principal ${p} is not an account id, organization or OU ARN`,
          );
        throw err('MalformedArnException', `The format of principal ${p} is not valid`);
      }
      if (p === ctx.account)
        throw err('InvalidParameterException', 'You cannot share a resource share with your own account');
      if (
        share.associations.some(
          (a) => a.type === 'PRINCIPAL' && a.entity === p && a.status !== 'DISASSOCIATED',
        )
      )
        continue;
      if (isOrg && !orgEnabled)
        throw err(
          'OperationNotPermittedException',
          'Sharing with an organization or OU requires sharing with AWS Organizations to be enabled',
        );
      const inOrg = isOrg || ORGANIZATION.members.includes(p);
      const external = !(inOrg && ORGANIZATION.members.includes(ctx.account));
      if (external && !share.allowExternalPrincipals)
        throw err(
          'OperationNotPermittedException',
          `Principal ${p} is outside your organization and the resource share does not allow external principals`,
        );
      const auto = inOrg && orgEnabled;
      share.associations.push({
        entity: p,
        type: 'PRINCIPAL',
        status: 'ASSOCIATING',
        ...(auto ? { settlesAt: now + options.transitionMs } : {}),
        external,
        creationTime: now,
        lastUpdatedTime: now,
      });
      if (!auto) {
        const inv: Invitation = {
          arn: `arn:aws:ram:${ctx.region}:${ctx.account}:resource-share-invitation/${store.random.uuid()}`,
          shareArn: share.arn,
          sender: ctx.account,
          receiver: p,
          status: 'PENDING',
          timestamp: now,
        };
        // The receiver finds the invitation in its own partition of the share's Region.
        regionState(p, ctx.region).invitations.set(inv.arn, inv);
      }
    }
  }

  const mismatch = () =>
    err(
      'IdempotentParameterMismatchException',
      'The client token was already used with different parameters',
    );
  const idem = <R>(ctx: RequestContext, input: Input, fn: () => R): R =>
    store.idempotent(
      `${SERVICE}|${ctx.account}|${ctx.region}|${ctx.operation}`,
      input.clientToken,
      input,
      mismatch,
      fn,
    );
  const badToken = () => err('InvalidNextTokenException', 'The specified value for NextToken is not valid');
  const page = <T>(items: T[], input: Input, context: string) =>
    paginate(items, input.maxResults, input.nextToken, 500, badToken, context);

  function findInvitation(ctx: RequestContext, arn: string): Invitation {
    const inv = regionState(ctx.account, ctx.region).invitations.get(arn);
    if (!inv)
      throw err(
        'ResourceShareInvitationArnNotFoundException',
        `ResourceShareInvitation ${arn} could not be found`,
      );
    return inv;
  }

  function shareByArn(arn: string): Share | undefined {
    const m = SHARE_ARN.exec(arn);
    if (!m) return undefined;
    const s = regionState(m[2] as string, m[1] as string).shares.get(arn);
    if (s) settle(s);
    return s;
  }

  /** Shares visible to the caller as a consumer (an ASSOCIATED principal association covers it). */
  function consumerShares(ctx: RequestContext): Share[] {
    return [...allShares()].filter(
      (s) =>
        s.region === ctx.region &&
        s.owner !== ctx.account &&
        s.status === 'ACTIVE' &&
        s.associations.some(
          (a) => a.type === 'PRINCIPAL' && a.status === 'ASSOCIATED' && covers(a.entity, ctx.account),
        ),
    );
  }

  /** Shares owned by the caller (SELF) or shared with it; freshly created ones stay hidden during read-after-write lag. */
  function sharesFor(ctx: RequestContext, owner: string): Share[] {
    return visibleShares(ctx, owner).filter((s) => !faults.hidden(SERVICE, ctx.operation, s.creationTime));
  }

  function visibleShares(ctx: RequestContext, owner: string): Share[] {
    return owner === 'SELF'
      ? [...regionState(ctx.account, ctx.region).shares.values()].map((s) => {
          settle(s);
          return s;
        })
      : consumerShares(ctx);
  }

  store.provide({ sharedWith });

  return {
    name: SERVICE,
    protocol: 'restJson1',
    model: modelOf(MODELS, SERVICE),
    validationError: (v) => {
      const missing = v.find((x) => x.rule === 'required');
      if (v.some((x) => x.path === 'maxResults'))
        return err('InvalidMaxResultsException', summarise(v.filter((x) => x.path === 'maxResults')));
      if (missing)
        return err(
          'MissingRequiredParameterException',
          `The request is missing required parameter: ${missing.path}`,
        );
      return err('InvalidParameterException', summarise(v));
    },
    throttlingError: () => err('ThrottlingException', 'Rate exceeded', 429),
    internalError: () =>
      err(
        'ServerInternalException',
        'The service could not respond to the request due to an internal problem',
        500,
      ),
    handlers: {
      CreateResourceShare(input: Input, ctx) {
        return idem(ctx, input, () => {
          const now = store.clock.now();
          const share: Share = {
            arn: `arn:aws:ram:${ctx.region}:${ctx.account}:resource-share/${store.random.uuid()}`,
            name: input.name,
            owner: ctx.account,
            region: ctx.region,
            allowExternalPrincipals: input.allowExternalPrincipals ?? true,
            status: 'ACTIVE',
            tags: input.tags ? tagHelpers.fromList(input.tags) : {},
            permissionArns: [],
            associations: [],
            creationTime: now,
            lastUpdatedTime: now,
          };
          for (const p of input.permissionArns ?? []) {
            if (!MANAGED_PERMISSIONS.some((m) => m.arn === p))
              throw err('UnknownResourceException', `Permission ${p} could not be found`);
            share.permissionArns.push(p);
          }
          addResources(ctx, share, input.resourceArns ?? []);
          addPrincipals(ctx, share, input.principals ?? []);
          regionState(ctx.account, ctx.region).shares.set(share.arn, share);
          return {
            resourceShare: renderShare(share, true),
            ...(input.clientToken ? { clientToken: input.clientToken } : {}),
          };
        });
      },
      GetResourceShares(input: Input, ctx) {
        let shares = sharesFor(ctx, input.resourceOwner);
        if (input.resourceShareArns) shares = shares.filter((s) => input.resourceShareArns.includes(s.arn));
        if (input.resourceShareStatus) shares = shares.filter((s) => s.status === input.resourceShareStatus);
        if (input.name) shares = shares.filter((s) => s.name === input.name);
        if (input.permissionArn)
          shares = shares.filter((s) => s.permissionArns.includes(input.permissionArn));
        for (const f of (input.tagFilters ?? []) as { tagKey?: string; tagValues?: string[] }[]) {
          shares = shares.filter(
            (s) =>
              f.tagKey !== undefined &&
              s.tags[f.tagKey] !== undefined &&
              (!f.tagValues?.length || f.tagValues.includes(s.tags[f.tagKey] as string)),
          );
        }
        const sorted = shares.sort((a, b) => a.creationTime - b.creationTime || a.arn.localeCompare(b.arn));
        const r = page(
          sorted.map((s) => renderShare(s, s.owner === ctx.account)),
          input,
          `shares:${input.resourceOwner}`,
        );
        return { resourceShares: r.page, ...(r.nextToken ? { nextToken: r.nextToken } : {}) };
      },
      UpdateResourceShare(input: Input, ctx) {
        return idem(ctx, input, () => {
          const share = ownShare(ctx, input.resourceShareArn);
          if (share.status !== 'ACTIVE')
            throw err('InvalidStateTransitionException', `Resource share ${share.arn} is ${share.status}`);
          if (input.name !== undefined) share.name = input.name;
          if (input.allowExternalPrincipals !== undefined)
            share.allowExternalPrincipals = input.allowExternalPrincipals;
          share.lastUpdatedTime = store.clock.now();
          return {
            resourceShare: renderShare(share, true),
            ...(input.clientToken ? { clientToken: input.clientToken } : {}),
          };
        });
      },
      DeleteResourceShare(input: Input, ctx) {
        return idem(ctx, input, () => {
          const share = ownShare(ctx, input.resourceShareArn);
          if (share.status === 'DELETED')
            throw err('InvalidStateTransitionException', `Resource share ${share.arn} is already deleted`);
          const now = store.clock.now();
          share.status = 'DELETED';
          share.lastUpdatedTime = now;
          for (const a of share.associations) {
            a.status = 'DISASSOCIATED';
            a.lastUpdatedTime = now;
          }
          return { returnValue: true, ...(input.clientToken ? { clientToken: input.clientToken } : {}) };
        });
      },
      AssociateResourceShare(input: Input, ctx) {
        return idem(ctx, input, () => {
          const share = ownShare(ctx, input.resourceShareArn);
          if (share.status !== 'ACTIVE')
            throw err('InvalidStateTransitionException', `Resource share ${share.arn} is ${share.status}`);
          const before = share.associations.length;
          addResources(ctx, share, input.resourceArns ?? []);
          addPrincipals(ctx, share, input.principals ?? []);
          share.lastUpdatedTime = store.clock.now();
          return {
            resourceShareAssociations: share.associations
              .slice(before)
              .map((a) => renderAssociation(share, a)),
            ...(input.clientToken ? { clientToken: input.clientToken } : {}),
          };
        });
      },
      DisassociateResourceShare(input: Input, ctx) {
        return idem(ctx, input, () => {
          const share = ownShare(ctx, input.resourceShareArn);
          const now = store.clock.now();
          const targets = new Set<string>([...(input.resourceArns ?? []), ...(input.principals ?? [])]);
          const changed: Association[] = [];
          for (const t of targets) {
            const a = share.associations.find((x) => x.entity === t && x.status !== 'DISASSOCIATED');
            if (!a)
              throw err(
                'UnknownResourceException',
                `${t} is not associated with resource share ${share.arn}`,
              );
            a.status = 'DISASSOCIATED';
            a.lastUpdatedTime = now;
            changed.push(a);
          }
          return {
            resourceShareAssociations: changed.map((a) => renderAssociation(share, a)),
            ...(input.clientToken ? { clientToken: input.clientToken } : {}),
          };
        });
      },
      GetResourceShareAssociations(input: Input, ctx) {
        if (input.associationType === 'PRINCIPAL' && input.resourceArn)
          throw err(
            'InvalidParameterException',
            'resourceArn can be used only with associationType RESOURCE',
          );
        if (input.associationType === 'RESOURCE' && input.principal)
          throw err('InvalidParameterException', 'principal can be used only with associationType PRINCIPAL');
        const out: Record<string, unknown>[] = [];
        for (const s of sharesFor(ctx, 'SELF')) {
          if (input.resourceShareArns && !input.resourceShareArns.includes(s.arn)) continue;
          for (const a of s.associations) {
            if (a.type !== input.associationType) continue;
            if (input.resourceArn && a.entity !== input.resourceArn) continue;
            if (input.principal && a.entity !== input.principal) continue;
            if (input.associationStatus && a.status !== input.associationStatus) continue;
            out.push(renderAssociation(s, a));
          }
        }
        const r = page(out, input, `assoc:${input.associationType}`);
        return { resourceShareAssociations: r.page, ...(r.nextToken ? { nextToken: r.nextToken } : {}) };
      },
      GetResourceShareInvitations(input: Input, ctx) {
        let invs = [...regionState(ctx.account, ctx.region).invitations.values()];
        if (input.resourceShareInvitationArns) {
          for (const a of input.resourceShareInvitationArns as string[])
            if (!invs.some((i) => i.arn === a)) findInvitation(ctx, a);
          invs = invs.filter((i) => input.resourceShareInvitationArns.includes(i.arn));
        }
        if (input.resourceShareArns) invs = invs.filter((i) => input.resourceShareArns.includes(i.shareArn));
        const r = page(
          invs.map((i) => renderInvitation(i, shareByArn(i.shareArn))),
          input,
          'invitations',
        );
        return { resourceShareInvitations: r.page, ...(r.nextToken ? { nextToken: r.nextToken } : {}) };
      },
      AcceptResourceShareInvitation(input: Input, ctx) {
        return idem(ctx, input, () => {
          const inv = findInvitation(ctx, input.resourceShareInvitationArn);
          if (inv.status === 'ACCEPTED')
            throw err(
              'ResourceShareInvitationAlreadyAcceptedException',
              `Invitation ${inv.arn} is already accepted`,
            );
          if (inv.status === 'REJECTED')
            throw err(
              'ResourceShareInvitationAlreadyRejectedException',
              `Invitation ${inv.arn} is already rejected`,
            );
          const share = shareByArn(inv.shareArn);
          if (share?.status !== 'ACTIVE') {
            inv.status = 'EXPIRED';
            throw err('ResourceShareInvitationExpiredException', `Invitation ${inv.arn} has expired`);
          }
          inv.status = 'ACCEPTED';
          const now = store.clock.now();
          for (const a of share.associations)
            if (a.type === 'PRINCIPAL' && a.entity === ctx.account && a.status === 'ASSOCIATING') {
              a.status = 'ASSOCIATED';
              a.lastUpdatedTime = now;
            }
          return {
            resourceShareInvitation: renderInvitation(inv, share),
            ...(input.clientToken ? { clientToken: input.clientToken } : {}),
          };
        });
      },
      RejectResourceShareInvitation(input: Input, ctx) {
        return idem(ctx, input, () => {
          const inv = findInvitation(ctx, input.resourceShareInvitationArn);
          if (inv.status === 'ACCEPTED')
            throw err(
              'ResourceShareInvitationAlreadyAcceptedException',
              `Invitation ${inv.arn} is already accepted`,
            );
          if (inv.status === 'REJECTED')
            throw err(
              'ResourceShareInvitationAlreadyRejectedException',
              `Invitation ${inv.arn} is already rejected`,
            );
          inv.status = 'REJECTED';
          const share = shareByArn(inv.shareArn);
          const now = store.clock.now();
          for (const a of share?.associations ?? [])
            if (a.type === 'PRINCIPAL' && a.entity === ctx.account && a.status === 'ASSOCIATING') {
              a.status = 'DISASSOCIATED';
              a.lastUpdatedTime = now;
            }
          return {
            resourceShareInvitation: renderInvitation(inv, share),
            ...(input.clientToken ? { clientToken: input.clientToken } : {}),
          };
        });
      },
      ListPendingInvitationResources(input: Input, ctx) {
        const inv = findInvitation(ctx, input.resourceShareInvitationArn);
        if (inv.status !== 'PENDING')
          throw err('MissingRequiredParameterException', `Invitation ${inv.arn} is not pending`);
        const share = shareByArn(inv.shareArn);
        const res = (share?.associations ?? [])
          .filter((a) => a.type === 'RESOURCE' && a.status !== 'DISASSOCIATED')
          .map((a) => ({
            arn: a.entity,
            type: resourceTypeOf(a.entity),
            resourceShareArn: inv.shareArn,
            status: 'AVAILABLE',
            creationTime: secs(a.creationTime),
            lastUpdatedTime: secs(a.lastUpdatedTime),
            resourceRegionScope: a.entity.includes(':ssm-incidents::') ? 'GLOBAL' : 'REGIONAL',
          }));
        const r = page(res, input, inv.arn);
        return { resources: r.page, ...(r.nextToken ? { nextToken: r.nextToken } : {}) };
      },
      ListResources(input: Input, ctx) {
        const out: Record<string, unknown>[] = [];
        for (const s of sharesFor(ctx, input.resourceOwner)) {
          if (s.status !== 'ACTIVE') continue;
          if (input.resourceShareArns && !input.resourceShareArns.includes(s.arn)) continue;
          if (
            input.principal &&
            !s.associations.some(
              (a) => a.type === 'PRINCIPAL' && a.entity === input.principal && a.status !== 'DISASSOCIATED',
            )
          )
            continue;
          for (const a of s.associations) {
            if (a.type !== 'RESOURCE' || a.status === 'DISASSOCIATED') continue;
            if (input.resourceOwner === 'OTHER-ACCOUNTS' && a.status !== 'ASSOCIATED') continue;
            const type = resourceTypeOf(a.entity);
            if (input.resourceType && type !== input.resourceType) continue;
            if (input.resourceArns && !input.resourceArns.includes(a.entity)) continue;
            out.push({
              arn: a.entity,
              type,
              resourceShareArn: s.arn,
              status: 'AVAILABLE',
              creationTime: secs(a.creationTime),
              lastUpdatedTime: secs(a.lastUpdatedTime),
              resourceRegionScope: type === 'ssm-incidents:ResponsePlan' ? 'GLOBAL' : 'REGIONAL',
            });
          }
        }
        const r = page(out, input, `resources:${input.resourceOwner}`);
        return { resources: r.page, ...(r.nextToken ? { nextToken: r.nextToken } : {}) };
      },
      ListPrincipals(input: Input, ctx) {
        const out: Record<string, unknown>[] = [];
        for (const s of sharesFor(ctx, input.resourceOwner)) {
          if (s.status !== 'ACTIVE') continue;
          if (input.resourceShareArns && !input.resourceShareArns.includes(s.arn)) continue;
          if (
            input.resourceArn &&
            !s.associations.some(
              (a) => a.type === 'RESOURCE' && a.entity === input.resourceArn && a.status !== 'DISASSOCIATED',
            )
          )
            continue;
          if (
            input.resourceType &&
            !s.associations.some(
              (a) => a.type === 'RESOURCE' && resourceTypeOf(a.entity) === input.resourceType,
            )
          )
            continue;
          for (const a of s.associations) {
            if (a.type !== 'PRINCIPAL' || a.status === 'DISASSOCIATED') continue;
            if (input.principals && !input.principals.includes(a.entity)) continue;
            if (input.resourceOwner === 'OTHER-ACCOUNTS' && !covers(a.entity, ctx.account)) continue;
            out.push({
              id: a.entity,
              resourceShareArn: s.arn,
              creationTime: secs(a.creationTime),
              lastUpdatedTime: secs(a.lastUpdatedTime),
              external: a.external,
            });
          }
        }
        const r = page(out, input, `principals:${input.resourceOwner}`);
        return { principals: r.page, ...(r.nextToken ? { nextToken: r.nextToken } : {}) };
      },
      ListPermissions(input: Input) {
        let perms = MANAGED_PERMISSIONS;
        if (input.resourceType)
          perms = perms.filter(
            (p) => p.resourceType.toLowerCase() === String(input.resourceType).toLowerCase(),
          );
        if (input.permissionType === 'CUSTOMER_MANAGED') perms = [];
        const r = page(perms.map(permissionSummary), input, 'permissions');
        return { permissions: r.page, ...(r.nextToken ? { nextToken: r.nextToken } : {}) };
      },
      GetPermission(input: Input) {
        const p = MANAGED_PERMISSIONS.find((m) => m.arn === input.permissionArn);
        if (!p) {
          if (!/^arn:aws(?:-cn|-us-gov)?:ram:/.test(input.permissionArn))
            throw err(
              'MalformedArnException',
              `The format of permission ARN ${input.permissionArn} is not valid`,
            );
          throw err('UnknownResourceException', `Permission ${input.permissionArn} could not be found`);
        }
        if (input.permissionVersion !== undefined && input.permissionVersion !== 1)
          throw err(
            'UnknownResourceException',
            `Version ${input.permissionVersion} of permission ${p.arn} could not be found`,
          );
        return {
          permission: {
            ...permissionSummary(p),
            permission: JSON.stringify({ Effect: 'Allow', Action: p.actions }),
          },
        };
      },
      ListResourceSharePermissions(input: Input, ctx) {
        const share = ownShare(ctx, input.resourceShareArn);
        const perms = MANAGED_PERMISSIONS.filter((p) => share.permissionArns.includes(p.arn));
        const r = page(perms.map(permissionSummary), input, share.arn);
        return { permissions: r.page, ...(r.nextToken ? { nextToken: r.nextToken } : {}) };
      },
      TagResource(input: Input, ctx) {
        if (!input.resourceShareArn)
          throw err(
            'MissingRequiredParameterException',
            'The request is missing required parameter: resourceShareArn',
          );
        const share = ownShare(ctx, input.resourceShareArn);
        const merged = tagHelpers.merge(share.tags, tagHelpers.fromList(input.tags));
        if (Object.keys(merged).length > 50)
          throw err('TagLimitExceededException', 'A resource share can have at most 50 tags');
        share.tags = merged;
        return {};
      },
      UntagResource(input: Input, ctx) {
        if (!input.resourceShareArn)
          throw err(
            'MissingRequiredParameterException',
            'The request is missing required parameter: resourceShareArn',
          );
        const share = ownShare(ctx, input.resourceShareArn);
        share.tags = tagHelpers.remove(share.tags, input.tagKeys);
        return {};
      },
      EnableSharingWithAwsOrganization(_input: Input, ctx) {
        if (ctx.account !== ORGANIZATION.managementAccount)
          throw err(
            'OperationNotPermittedException',
            'Only the management account of the organization can enable sharing with AWS Organizations',
          );
        orgSharing(ctx.account).enabled = true;
        return { returnValue: true };
      },
    },
  };
};

function permissionSummary(p: (typeof MANAGED_PERMISSIONS)[number]): Record<string, unknown> {
  const t = Date.UTC(2021, 4, 10) / 1000;
  return {
    arn: p.arn,
    version: '1',
    defaultVersion: true,
    name: p.name,
    resourceType: p.resourceType,
    status: 'ATTACHABLE',
    creationTime: t,
    lastUpdatedTime: t,
    isResourceTypeDefault: true,
    permissionType: 'AWS_MANAGED',
    featureSet: 'STANDARD',
  };
}
