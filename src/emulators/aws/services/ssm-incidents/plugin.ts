// ssm-incidents (restJson1): replication sets, response plans, tags and resource policies.
// Business rules follow ../shared/domain/incident-manager.md §2.1 and §2.6; doubts in FIDELITY.md.
import { AwsError } from '../../errors.ts';
import { MODELS } from '../../model/generated.ts';
import { modelOf, summarise } from '../../model/validate.ts';
import type { Input, PluginFactory, RequestContext } from '../../service.ts';
import { paginate, type TagMap, tags } from '../../store.ts';

const SERVICE = 'ssm-incidents';
const DAY_MS = 24 * 60 * 60 * 1000;
/** KMS key id that reads back when the AWS-owned key is used (Terraform docs; see FIDELITY.md). */
export const DEFAULT_KEY = 'DefaultKey';

/** Regions where Incident Manager is offered (commercial partition). */
export const INCIDENT_MANAGER_REGIONS = new Set([
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'me-south-1',
  'sa-east-1',
]);

type Pending =
  | { kind: 'create'; until: number }
  | { kind: 'add'; region: string; until: number }
  | { kind: 'remove'; region: string; until: number }
  | { kind: 'delete'; account: string; until: number };

interface RegionState {
  sseKmsKeyId: string;
  addedAt: number;
  statusUpdateDateTime: number;
}

interface ReplicationSet {
  arn: string;
  regions: Map<string, RegionState>;
  /** The Region the set was created from (ssm-contacts tags only there; domain §2.1). */
  firstRegion: string;
  deletionProtected: boolean;
  createdTime: number;
  createdBy: string;
  lastModifiedTime: number;
  lastModifiedBy: string;
  pending?: Pending;
}

interface ResponsePlan {
  arn: string;
  name: string;
  displayName?: string;
  incidentTemplate: Record<string, unknown>;
  chatChannel?: Record<string, unknown>;
  engagements?: string[];
  actions?: unknown[];
  integrations?: unknown[];
  writtenAt: number;
}

interface AccountState {
  replicationSet?: ReplicationSet;
  plans: Map<string, ResponsePlan>;
  tags: Map<string, TagMap>;
  policies: Map<string, Map<string, { policyDocument: string; ramResourceShareRegion: string }>>;
}

const newState = (): AccountState => ({ plans: new Map(), tags: new Map(), policies: new Map() });

const validation = (message: string) => new AwsError('ValidationException', message, 400);
const notFound = (message: string, resourceType: string, resourceIdentifier?: string) =>
  new AwsError('ResourceNotFoundException', message, 404, {
    resourceType,
    ...(resourceIdentifier ? { resourceIdentifier } : {}),
  });
const conflict = (message: string, resourceType?: string, resourceIdentifier?: string) =>
  new AwsError('ConflictException', message, 409, {
    ...(resourceType ? { resourceType } : {}),
    ...(resourceIdentifier ? { resourceIdentifier } : {}),
  });
const secs = (ms: number) => ms / 1000;

const ARN_ACCOUNT = /^arn:aws(?:-cn|-us-gov)?:[a-z0-9-]*:[a-z0-9-]*:(\d{12})?:/;
export function accountOfArn(arn: string): string | undefined {
  return ARN_ACCOUNT.exec(arn)?.[1];
}

export const createPlugin: PluginFactory = ({ store, faults, options }) => {
  const stateOf = (account: string) => store.partition<AccountState>(SERVICE, account, '', newState);

  /** Applies a finished asynchronous transition (the emulator clock drives CREATING/UPDATING/DELETING). */
  function settle(s: AccountState): void {
    const rs = s.replicationSet;
    if (!rs?.pending || store.clock.now() < rs.pending.until) return;
    const p = rs.pending;
    const now = store.clock.now();
    delete rs.pending;
    if (p.kind === 'create') {
      for (const r of rs.regions.values()) r.statusUpdateDateTime = Math.max(r.statusUpdateDateTime, p.until);
    } else if (p.kind === 'add') {
      // Only the added Region changed status (CREATING → ACTIVE); the others stayed ACTIVE.
      const added = rs.regions.get(p.region);
      if (added) added.statusUpdateDateTime = Math.max(added.statusUpdateDateTime, p.until);
    } else if (p.kind === 'remove') {
      rs.regions.delete(p.region);
      // Doubt (FIDELITY.md): without its first Region the set's oldest remaining Region takes over.
      if (p.region === rs.firstRegion) rs.firstRegion = rs.regions.keys().next().value ?? rs.firstRegion;
      rs.lastModifiedTime = Math.min(now, p.until);
    } else {
      // Deleting the set deletes all Incident Manager data of the account (domain §2.1).
      delete s.replicationSet;
      s.plans.clear();
      s.tags.clear();
      s.policies.clear();
      store.hooks.incidentManagerDataDeleted(p.account);
    }
  }

  function setStatus(rs: ReplicationSet): string {
    if (!rs.pending) return 'ACTIVE';
    return { create: 'CREATING', add: 'UPDATING', remove: 'UPDATING', delete: 'DELETING' }[rs.pending.kind];
  }

  function regionStatus(rs: ReplicationSet, region: string): string {
    const p = rs.pending;
    if (!p) return 'ACTIVE';
    if (p.kind === 'create') return 'CREATING';
    if (p.kind === 'delete') return 'DELETING';
    if (p.region !== region) return 'ACTIVE';
    return p.kind === 'add' ? 'CREATING' : 'DELETING';
  }

  function ownSet(ctx: RequestContext, arn: string): { s: AccountState; rs: ReplicationSet } {
    const s = stateOf(ctx.account);
    settle(s);
    const rs = s.replicationSet;
    if (!rs || rs.arn !== arn || faults.hidden(SERVICE, ctx.operation, rs.createdTime))
      throw notFound('Replication set not found', 'REPLICATION_SET', arn);
    return { s, rs };
  }

  function requireActiveSet(ctx: RequestContext): void {
    const s = stateOf(ctx.account);
    settle(s);
    if (!s.replicationSet || s.replicationSet.pending)
      throw validation(
        'Incident Manager is not onboarded in this account: an ACTIVE replication set is required',
      );
  }

  function checkKey(region: string, key: string | undefined): string {
    if (key === undefined) return DEFAULT_KEY;
    const m = /^arn:aws(?:-cn|-us-gov)?:kms:([a-z0-9-]+):\d{12}:(key|alias)\/.+$/.exec(key);
    if (key.startsWith('arn:') && !m) throw validation(`Invalid KMS key ARN for Region ${region}`);
    if (m && m[1] !== region)
      throw validation(`The KMS key for Region ${region} must be in the same Region, not ${m[1]}`);
    return key;
  }

  function checkRegion(region: string): void {
    if (!INCIDENT_MANAGER_REGIONS.has(region))
      throw validation(`Region ${region} is not supported by Incident Manager`);
  }

  function ownPlan(ctx: RequestContext, arn: string): { s: AccountState; plan: ResponsePlan } {
    const s = stateOf(ctx.account);
    settle(s);
    const name = planNameOf(arn);
    const plan = name !== undefined ? s.plans.get(name) : undefined;
    if (!plan || plan.arn !== arn || faults.hidden(SERVICE, ctx.operation, plan.writtenAt))
      throw notFound(`Response plan ${arn} not found`, 'RESPONSE_PLAN', arn);
    return { s, plan };
  }

  function planNameOf(arn: string): string | undefined {
    return /:response-plan\/([a-zA-Z0-9_-]+)$/.exec(arn)?.[1];
  }

  /** Resolves a plan for reading: owned, or owned by another account and shared with the caller through RAM. */
  function readablePlan(ctx: RequestContext, arn: string): ResponsePlan {
    const owner = accountOfArn(arn);
    if (owner === undefined || owner === ctx.account) return ownPlan(ctx, arn).plan;
    const s = stateOf(owner);
    settle(s);
    const name = planNameOf(arn);
    const plan = name !== undefined ? s.plans.get(name) : undefined;
    if (!plan || !store.hooks.sharedWith(arn, ctx.account))
      throw new AwsError(
        'AccessDeniedException',
        `User: ${ctx.callerArn} is not authorized to perform: ssm-incidents:${ctx.operation} on resource: ${arn}`,
        403,
      );
    return plan;
  }

  function taggable(ctx: RequestContext, arn: string): AccountState {
    const s = stateOf(ctx.account);
    settle(s);
    if (s.replicationSet?.arn === arn) return s;
    const name = planNameOf(arn);
    if (name !== undefined && s.plans.get(name)?.arn === arn) return s;
    throw notFound(
      `Resource ${arn} not found`,
      arn.includes(':response-plan/') ? 'RESPONSE_PLAN' : 'REPLICATION_SET',
      arn,
    );
  }

  function checkEngagements(ctx: RequestContext, engagements: string[] | undefined): void {
    for (const e of engagements ?? []) {
      const owner = accountOfArn(e);
      const visible =
        store.hooks.contactExists(e) && (owner === ctx.account || store.hooks.sharedWith(e, ctx.account));
      if (!visible) throw validation(`Contact ${e} does not exist or is not accessible`);
    }
  }

  function checkChatChannel(ctx: RequestContext, chat: Record<string, unknown> | undefined): void {
    const topics = (chat?.chatbotSns as string[] | undefined) ?? [];
    for (const t of topics) {
      const m = /^arn:aws(?:-cn|-us-gov)?:sns:([a-z0-9-]+):(\d{12}):.+$/.exec(t);
      if (!m) throw validation(`Invalid SNS topic ARN ${t}`);
      if (m[2] !== ctx.account) throw validation(`SNS topic ${t} must be in the response plan's account`);
    }
  }

  /**
   * Saving a runbook action passes its role to Incident Manager (iam:PassRole), and IAM only lets a
   * caller pass roles of its own account: a role elsewhere is refused as AWS refuses PassRole.
   */
  function checkRunbookRoles(ctx: RequestContext, actions: unknown[] | undefined): void {
    for (const a of actions ?? []) {
      const roleArn = (a as { ssmAutomation?: { roleArn?: string } }).ssmAutomation?.roleArn;
      if (roleArn === undefined) continue;
      const owner = accountOfArn(roleArn);
      if (owner !== undefined && owner !== ctx.account)
        throw new AwsError(
          'AccessDeniedException',
          `User: ${ctx.callerArn} is not authorized to perform: iam:PassRole on resource: ${roleArn}`,
          403,
        );
    }
  }

  function renderPlan(p: ResponsePlan): Record<string, unknown> {
    return {
      arn: p.arn,
      name: p.name,
      ...(p.displayName ? { displayName: p.displayName } : {}),
      incidentTemplate: p.incidentTemplate,
      ...(p.chatChannel ? { chatChannel: p.chatChannel } : {}),
      ...(p.engagements ? { engagements: p.engagements } : {}),
      ...(p.actions ? { actions: p.actions } : {}),
      ...(p.integrations ? { integrations: p.integrations } : {}),
    };
  }

  const idempotencyMismatch = () => conflict('The clientToken was already used with a different request');

  store.provide({
    replicationSetFirstRegion: (account) => {
      const s = stateOf(account);
      settle(s);
      return s.replicationSet?.firstRegion;
    },
    settleReplicationSet: (account) => settle(stateOf(account)),
    replicationSetActive: (account) => {
      const s = stateOf(account);
      settle(s);
      return s.replicationSet !== undefined && !s.replicationSet.pending;
    },
    resourceExists: (arn) => {
      const account = accountOfArn(arn);
      const name = planNameOf(arn);
      if (!account || name === undefined) return false;
      const s = stateOf(account);
      settle(s);
      return s.plans.get(name)?.arn === arn;
    },
  });

  return {
    name: SERVICE,
    protocol: 'restJson1',
    model: modelOf(MODELS, SERVICE),
    validationError: (v) => validation(summarise(v)),
    throttlingError: () =>
      new AwsError('ThrottlingException', 'Rate exceeded', 429, {
        serviceCode: 'ssm-incidents',
        quotaCode: 'L-API-TPS',
      }),
    internalError: () => new AwsError('InternalServerException', 'An internal error occurred', 500),
    handlers: {
      CreateReplicationSet(input: Input, ctx) {
        return store.idempotent(
          `${SERVICE}|${ctx.account}|CreateReplicationSet`,
          input.clientToken,
          input,
          idempotencyMismatch,
          () => {
            const s = stateOf(ctx.account);
            settle(s);
            if (s.replicationSet)
              throw conflict(
                'A replication set already exists in this account',
                'REPLICATION_SET',
                s.replicationSet.arn,
              );
            const now = store.clock.now();
            const regions = new Map<string, RegionState>();
            for (const [region, cfg] of Object.entries(
              input.regions as Record<string, { sseKmsKeyId?: string }>,
            )) {
              checkRegion(region);
              regions.set(region, {
                sseKmsKeyId: checkKey(region, cfg?.sseKmsKeyId),
                addedAt: now,
                statusUpdateDateTime: now,
              });
            }
            const rs: ReplicationSet = {
              arn: `arn:aws:ssm-incidents::${ctx.account}:replication-set/${store.random.uuid()}`,
              regions,
              // The Region the set is created from; a call from outside the set: its first listed Region.
              firstRegion: regions.has(ctx.region) ? ctx.region : (regions.keys().next().value as string),
              deletionProtected: false,
              createdTime: now,
              createdBy: ctx.callerArn,
              lastModifiedTime: now,
              lastModifiedBy: ctx.callerArn,
              pending: { kind: 'create', until: now + options.transitionMs },
            };
            s.replicationSet = rs;
            if (input.tags) s.tags.set(rs.arn, { ...input.tags });
            settle(s);
            return { arn: rs.arn };
          },
        );
      },
      GetReplicationSet(input: Input, ctx) {
        const { rs } = ownSet(ctx, input.arn);
        const regionMap: Record<string, unknown> = {};
        for (const [region, r] of rs.regions) {
          regionMap[region] = {
            sseKmsKeyId: r.sseKmsKeyId,
            status: regionStatus(rs, region),
            statusUpdateDateTime: secs(r.statusUpdateDateTime),
          };
        }
        return {
          replicationSet: {
            arn: rs.arn,
            regionMap,
            status: setStatus(rs),
            deletionProtected: rs.deletionProtected,
            createdTime: secs(rs.createdTime),
            createdBy: rs.createdBy,
            lastModifiedTime: secs(rs.lastModifiedTime),
            lastModifiedBy: rs.lastModifiedBy,
          },
        };
      },
      ListReplicationSets(input: Input, ctx) {
        const s = stateOf(ctx.account);
        settle(s);
        const rs = s.replicationSet;
        const arns = rs && !faults.hidden(SERVICE, ctx.operation, rs.createdTime) ? [rs.arn] : [];
        const { page, nextToken } = paginate(
          arns,
          input.maxResults,
          input.nextToken,
          100,
          () => validation('Invalid nextToken'),
          'rs',
        );
        return { replicationSetArns: page, ...(nextToken ? { nextToken } : {}) };
      },
      UpdateReplicationSet(input: Input, ctx) {
        return store.idempotent(
          `${SERVICE}|${ctx.account}|UpdateReplicationSet`,
          input.clientToken,
          input,
          idempotencyMismatch,
          () => {
            const { s, rs } = ownSet(ctx, input.arn);
            if (rs.pending)
              throw conflict(
                `Replication set is ${setStatus(rs)}; wait until it is ACTIVE`,
                'REPLICATION_SET',
                rs.arn,
              );
            const action =
              (input.actions as Record<string, { regionName: string; sseKmsKeyId?: string }>[])[0] ?? {};
            const now = store.clock.now();
            if (action.addRegionAction) {
              const { regionName, sseKmsKeyId } = action.addRegionAction;
              checkRegion(regionName);
              if (rs.regions.has(regionName))
                throw validation(`Region ${regionName} is already in the replication set`);
              if (rs.regions.size >= 3) throw validation('A replication set can contain at most 3 Regions');
              rs.regions.set(regionName, {
                sseKmsKeyId: checkKey(regionName, sseKmsKeyId),
                addedAt: now,
                statusUpdateDateTime: now,
              });
              rs.pending = { kind: 'add', region: regionName, until: now + options.transitionMs };
            } else if (action.deleteRegionAction) {
              const { regionName } = action.deleteRegionAction;
              const r = rs.regions.get(regionName);
              if (!r) throw validation(`Region ${regionName} is not in the replication set`);
              if (now - r.addedAt < DAY_MS)
                throw validation(`Region ${regionName} can't be removed within 24 hours of being added`);
              if (rs.regions.size === 1) {
                if (rs.deletionProtected)
                  throw validation(
                    'Deletion protection is enabled: the last Region of the replication set cannot be removed',
                  );
                rs.pending = { kind: 'delete', account: ctx.account, until: now + options.transitionMs };
              } else {
                rs.pending = { kind: 'remove', region: regionName, until: now + options.transitionMs };
              }
              r.statusUpdateDateTime = now;
            }
            rs.lastModifiedTime = now;
            rs.lastModifiedBy = ctx.callerArn;
            settle(s);
            return {};
          },
        );
      },
      UpdateDeletionProtection(input: Input, ctx) {
        return store.idempotent(
          `${SERVICE}|${ctx.account}|UpdateDeletionProtection`,
          input.clientToken,
          input,
          idempotencyMismatch,
          () => {
            const { rs } = ownSet(ctx, input.arn);
            rs.deletionProtected = input.deletionProtected;
            rs.lastModifiedTime = store.clock.now();
            rs.lastModifiedBy = ctx.callerArn;
            return {};
          },
        );
      },
      DeleteReplicationSet(input: Input, ctx) {
        const { s, rs } = ownSet(ctx, input.arn);
        if (rs.deletionProtected)
          throw validation('Deletion protection is enabled on the replication set; disable it first');
        if (rs.pending?.kind === 'delete') return {};
        if (rs.pending)
          throw conflict(
            `Replication set is ${setStatus(rs)}; wait until it is ACTIVE`,
            'REPLICATION_SET',
            rs.arn,
          );
        const now = store.clock.now();
        rs.pending = { kind: 'delete', account: ctx.account, until: now + options.transitionMs };
        settle(s);
        return {};
      },
      CreateResponsePlan(input: Input, ctx) {
        return store.idempotent(
          `${SERVICE}|${ctx.account}|CreateResponsePlan`,
          input.clientToken,
          input,
          idempotencyMismatch,
          () => {
            requireActiveSet(ctx);
            const s = stateOf(ctx.account);
            const arn = `arn:aws:ssm-incidents::${ctx.account}:response-plan/${input.name}`;
            if (s.plans.has(input.name))
              throw conflict(`Response plan ${input.name} already exists`, 'RESPONSE_PLAN', arn);
            checkEngagements(ctx, input.engagements);
            checkChatChannel(ctx, input.chatChannel);
            checkRunbookRoles(ctx, input.actions);
            const plan: ResponsePlan = {
              arn,
              name: input.name,
              incidentTemplate: { ...input.incidentTemplate },
              writtenAt: store.clock.now(),
            };
            if (input.displayName) plan.displayName = input.displayName;
            if (input.chatChannel && !input.chatChannel.empty) plan.chatChannel = input.chatChannel;
            if (input.engagements?.length) plan.engagements = [...input.engagements];
            if (input.actions?.length) plan.actions = input.actions;
            if (input.integrations?.length) plan.integrations = input.integrations;
            s.plans.set(plan.name, plan);
            if (input.tags) s.tags.set(arn, { ...input.tags });
            return { arn };
          },
        );
      },
      GetResponsePlan(input: Input, ctx) {
        return renderPlan(readablePlan(ctx, input.arn));
      },
      ListResponsePlans(input: Input, ctx) {
        const s = stateOf(ctx.account);
        settle(s);
        const all = [...s.plans.values()]
          .filter((p) => !faults.hidden(SERVICE, ctx.operation, p.writtenAt))
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((p) => ({
            arn: p.arn,
            name: p.name,
            ...(p.displayName ? { displayName: p.displayName } : {}),
          }));
        const { page, nextToken } = paginate(
          all,
          input.maxResults,
          input.nextToken,
          100,
          () => validation('Invalid nextToken'),
          'rp',
        );
        return { responsePlanSummaries: page, ...(nextToken ? { nextToken } : {}) };
      },
      UpdateResponsePlan(input: Input, ctx) {
        return store.idempotent(
          `${SERVICE}|${ctx.account}|UpdateResponsePlan`,
          input.clientToken,
          input,
          idempotencyMismatch,
          () => {
            const { plan } = ownPlan(ctx, input.arn);
            if (input.engagements !== undefined) checkEngagements(ctx, input.engagements);
            if (input.chatChannel !== undefined) checkChatChannel(ctx, input.chatChannel);
            checkRunbookRoles(ctx, input.actions);
            const t = plan.incidentTemplate;
            if (input.displayName !== undefined) {
              if (input.displayName === '') delete plan.displayName;
              else plan.displayName = input.displayName;
            }
            if (input.chatChannel !== undefined) {
              if (input.chatChannel.empty !== undefined) delete plan.chatChannel;
              else plan.chatChannel = input.chatChannel;
            }
            // Empty lists clear; an omitted member keeps its value.
            for (const k of ['engagements', 'actions', 'integrations'] as const) {
              if (input[k] === undefined) continue;
              if (input[k].length === 0) delete plan[k];
              else plan[k] = input[k];
            }
            const flat: [string, string][] = [
              ['incidentTemplateTitle', 'title'],
              ['incidentTemplateImpact', 'impact'],
              ['incidentTemplateSummary', 'summary'],
              ['incidentTemplateDedupeString', 'dedupeString'],
              ['incidentTemplateNotificationTargets', 'notificationTargets'],
              ['incidentTemplateTags', 'incidentTags'],
            ];
            for (const [from, to] of flat) {
              const v = input[from];
              if (v === undefined) continue;
              const empty =
                v === '' ||
                (Array.isArray(v) && v.length === 0) ||
                (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
              if (empty && to !== 'title') delete t[to];
              else t[to] = v;
            }
            plan.writtenAt = store.clock.now();
            return {};
          },
        );
      },
      DeleteResponsePlan(input: Input, ctx) {
        const s = stateOf(ctx.account);
        settle(s);
        const name = planNameOf(input.arn);
        const plan = name !== undefined ? s.plans.get(name) : undefined;
        // @idempotent: deleting a plan that is already gone succeeds.
        if (plan && plan.arn === input.arn) {
          s.plans.delete(plan.name);
          s.tags.delete(plan.arn);
          s.policies.delete(plan.arn);
        }
        return {};
      },
      TagResource(input: Input, ctx) {
        const s = taggable(ctx, input.resourceArn);
        const merged = tags.merge(s.tags.get(input.resourceArn) ?? {}, input.tags);
        if (Object.keys(merged).length > 50)
          throw new AwsError('ServiceQuotaExceededException', 'A resource can have at most 50 tags', 402, {
            serviceCode: 'ssm-incidents',
            quotaCode: 'tags-per-resource',
            resourceIdentifier: input.resourceArn,
          });
        s.tags.set(input.resourceArn, merged);
        return {};
      },
      UntagResource(input: Input, ctx) {
        const s = taggable(ctx, input.resourceArn);
        s.tags.set(input.resourceArn, tags.remove(s.tags.get(input.resourceArn) ?? {}, input.tagKeys));
        return {};
      },
      ListTagsForResource(input: Input, ctx) {
        const s = taggable(ctx, input.resourceArn);
        return { tags: s.tags.get(input.resourceArn) ?? {} };
      },
      PutResourcePolicy(input: Input, ctx) {
        const { s, plan } = ownPlan(ctx, input.resourceArn);
        try {
          JSON.parse(input.policy);
        } catch {
          throw validation('The policy is not valid JSON');
        }
        const policies = s.policies.get(plan.arn) ?? new Map();
        const policyId = store.random.hex(32);
        policies.set(policyId, { policyDocument: input.policy, ramResourceShareRegion: ctx.region });
        s.policies.set(plan.arn, policies);
        return { policyId };
      },
      GetResourcePolicies(input: Input, ctx) {
        const { s, plan } = ownPlan(ctx, input.resourceArn);
        const all = [...(s.policies.get(plan.arn) ?? new Map()).entries()].map(([policyId, p]) => ({
          policyId,
          ...p,
        }));
        const { page, nextToken } = paginate(
          all,
          input.maxResults,
          input.nextToken,
          100,
          () => validation('Invalid nextToken'),
          plan.arn,
        );
        return { resourcePolicies: page, ...(nextToken ? { nextToken } : {}) };
      },
      DeleteResourcePolicy(input: Input, ctx) {
        const { s, plan } = ownPlan(ctx, input.resourceArn);
        const policies = s.policies.get(plan.arn);
        if (!policies?.delete(input.policyId))
          throw notFound(`Resource policy ${input.policyId} not found`, 'RESOURCE_POLICY', input.policyId);
        return {};
      },
    },
  };
};
