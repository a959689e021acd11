// ResponsePlan I/O: ssm-incidents calls on the account's client (the gate is its
// middleware) and nothing else. Decisions (what differs,
// what to send) come from the pure mapping and diff modules.
import {
  CreateResponsePlanCommand,
  DeleteResponsePlanCommand,
  GetReplicationSetCommand,
  GetResponsePlanCommand,
  type GetResponsePlanCommandOutput,
  ListReplicationSetsCommand,
  ListTagsForResourceCommand,
  paginateListResponsePlans,
  type ResponsePlanSummary,
  type SSMIncidentsClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateResponsePlanCommand,
} from '@aws-sdk/client-ssm-incidents';
import { type ClientSet, DEFAULT_ACCOUNT } from '../../aws/accounts.ts';
import { ANY_REPLICATION_SET, NOT_ONBOARDED_RETRY_MS } from '../../aws/gate.ts';
import type { ResponsePlan } from '../../crds/response-plan.ts';
import {
  type Candidate,
  ClassifiedError,
  type Ctx,
  type FieldDiff,
  type KindClient,
  uidOf,
} from '../../engine/contract.ts';
import { identityTags } from '../../engine/identity.ts';
import { ReadMemory, SharedList } from '../shared/read-memory.ts';
import { targetReadable } from '../shared/targets.ts';
import { planUpdate } from './diff.ts';
import { createInput, fromAws, type PlanState } from './mapping.ts';
import { checkPagerDuty } from './pagerduty.ts';

type Client = KindClient<ResponsePlan, PlanState>;

/** What a plan's read takes: GetResponsePlan and its tags (the engine's partial read reuses both). */
export interface ResponsePlanParts {
  plan: GetResponsePlanCommandOutput;
  tags: Record<string, string>;
}

/** Every response plan of the account (name, display name), by ARN: one call serves the partial reads of all. */
const listedPlans = new SharedList<SSMIncidentsClient, ResponsePlanSummary>(async (client) => {
  const out = new Map<string, ResponsePlanSummary>();
  for await (const page of paginateListResponsePlans({ client, pageSize: 100 }, {}))
    for (const p of page.responsePlanSummaries ?? []) if (p.arn) out.set(p.arn, p);
  return out;
});

/**
 * `replicationSets`: cache keys of the ReplicationSet objects of the plan's account, so that one
 * turning Ready wakes a plan waiting for it (a set onboarded outside the cluster is polled).
 */
export function responsePlanClient(
  clients: ClientSet,
  replicationSets: string[] = [],
  reads = new ReadMemory<ResponsePlanParts>(),
): Client {
  const sdk = clients.incidents;
  const arnOf = (ctx: Ctx<PlanState>): string => {
    if (ctx.identity === undefined)
      throw new ClassifiedError('Transient', 'the response plan ARN is not known yet; observing again');
    return ctx.identity;
  };

  async function tagsOf(arn: string): Promise<Record<string, string>> {
    const out = await sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    return out.tags ?? {};
  }

  /** Plans with this name (unique per account; the ARN is what AWS says, not built), with their tags. */
  async function findByName(name: string): Promise<Candidate[]> {
    for await (const page of paginateListResponsePlans({ client: sdk, pageSize: 100 }, {})) {
      const arn = page.responsePlanSummaries?.find((p) => p.name === name)?.arn;
      if (arn) return [{ identity: arn, tags: await tagsOf(arn) }];
    }
    return [];
  }

  // Woken by the account's ReplicationSet objects turning Ready, or any when none names this account.
  const waitOpts = {
    rule: 'ReplicationSetNotReady',
    dependencies: replicationSets.length ? replicationSets : [ANY_REPLICATION_SET],
    retryAfterMs: NOT_ONBOARDED_RETRY_MS,
  };
  /** Creating before the account is onboarded fails (often with an empty ValidationException): wait instead. */
  async function requireActiveReplicationSet(): Promise<void> {
    const list = await sdk.send(new ListReplicationSetsCommand({}));
    const arn = list.replicationSetArns?.[0];
    const where = `account ${clients.account === DEFAULT_ACCOUNT ? "of the controller's credentials" : clients.account}`;
    if (!arn)
      throw new ClassifiedError(
        'DependencyNotReady',
        `Incident Manager is not onboarded in the ${where} (no replication set); the response plan is created once a replication set is ACTIVE`,
        waitOpts,
      );
    const rs = await sdk.send(new GetReplicationSetCommand({ arn }));
    const status = rs.replicationSet?.status;
    if (status !== 'ACTIVE')
      throw new ClassifiedError(
        'DependencyNotReady',
        `the replication set ${arn} is ${status ?? 'in an unknown state'}; the response plan is created once it is ACTIVE`,
        waitOpts,
      );
  }

  return {
    async read(arn, mr, ctx) {
      // The engine's partial read at a resync: what ListResponsePlans shows now, the rest as last read.
      const last = ctx.partial && !ctx.sharedBy ? reads.last(arn, mr.metadata.generation) : undefined;
      if (ctx.partial && last?.plan && last.tags) {
        const listed = await listedPlans.find(sdk, arn, ctx.partial);
        if (listed) {
          const { displayName: _, ...kept } = last.plan;
          const plan = {
            ...kept,
            name: listed.name,
            ...(listed.displayName ? { displayName: listed.displayName } : {}),
          };
          return { identity: arn, observed: fromAws(plan, last.tags), phase: 'Active', partial: true };
        }
      }
      const plan = await sdk.send(new GetResponsePlanCommand({ arn }));
      const identity = plan.arn ?? arn;
      // Tags of a plan another account shares are the owner's alone (AWS answers not found).
      if (ctx.sharedBy !== undefined)
        return { identity, observed: fromAws(plan, {}), phase: 'Active', unreadable: ['spec.tags'] };
      const tags = await tagsOf(identity);
      reads.remember(identity, mr.metadata.generation, {}, { plan, tags });
      return { identity, observed: fromAws(plan, tags), phase: 'Active' };
    },

    referenceReadable: (arn) => targetReadable(clients, arn),

    findByName: (mr) => findByName(mr.spec.name),

    async create(mr, ctx) {
      await requireActiveReplicationSet();
      if (mr.spec.pagerDuty) await checkPagerDuty(clients, mr.spec.pagerDuty);
      const input = createInput(
        ctx.desired,
        ctx.idempotencyToken('CreateResponsePlan'),
        identityTags({ kind: mr.kind, metadata: { ...mr.metadata, uid: uidOf(mr) } }),
        mr.spec.runbook?.targetAccount !== undefined,
      );
      const out = await sdk.send(new CreateResponsePlanCommand(input)).catch(passRole(ctx.desired));
      if (!out.arn)
        throw new ClassifiedError('Transient', 'CreateResponsePlan returned no ARN', {
          operation: 'CreateResponsePlan',
        });
      return { identity: out.arn };
    },

    async update(mr, observed, diff: FieldDiff[], ctx: Ctx<PlanState>) {
      const arn = arnOf(ctx);
      reads.forget(arn);
      const p = planUpdate(diff, ctx.desired, observed);
      // Incident Manager validates the secret on every plan update, not only when pagerDuty changes.
      if (p.update && mr.spec.pagerDuty) await checkPagerDuty(clients, mr.spec.pagerDuty);
      // The SDK fills UpdateResponsePlan's clientToken at random: a token derived from the content
      // would make a later change back to the same content a no-op replay.
      if (p.update)
        await sdk.send(new UpdateResponsePlanCommand({ arn, ...p.update })).catch(passRole(ctx.desired));
      // Untag first: it frees room under the 50-tag quota for the new keys.
      if (p.untag) await sdk.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: p.untag }));
      if (p.tag) await sdk.send(new TagResourceCommand({ resourceArn: arn, tags: p.tag }));
    },

    async delete(_mr, _observed, ctx) {
      const arn = arnOf(ctx);
      reads.forget(arn);
      await sdk.send(new DeleteResponsePlanCommand({ arn }));
      // Nothing in AWS warns the alarms and rules that name the plan (domain doc §8.26).
      await ctx.event?.(
        'Warning',
        'ResponsePlanDeleted',
        `Deleted ${arn}: CloudWatch alarms and EventBridge rules that start incidents with it no longer create incidents; point them at another response plan`,
      );
    },
  };
}

/**
 * AWS refuses to save a runbook whose role the caller may not pass (iam:PassRole; always so for a
 * role in another account). Point at the field, keep AWS's words; AccessDenied waits for the resync.
 */
function passRole(desired: PlanState): (e: unknown) => never {
  return (e) => {
    const role = desired.runbook?.roleArn;
    if (
      e instanceof ClassifiedError &&
      e.errorClass === 'AccessDenied' &&
      role &&
      e.message.includes('iam:PassRole')
    )
      throw new ClassifiedError(
        'AccessDenied',
        `spec.runbook.roleArn: AWS refused the runbook role ${role}: ${e.message.split('. Grant')[0]}. Use a role in the response plan's account and allow the controller iam:PassRole on it`,
        { cause: e, field: 'spec.runbook.roleArn', rule: 'PassRoleDenied', operation: e.operation },
      );
    throw e;
  };
}
