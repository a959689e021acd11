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
  TagResourceCommand,
  UntagResourceCommand,
  UpdateResponsePlanCommand,
} from '@aws-sdk/client-ssm-incidents';
import { type ClientSet, DEFAULT_ACCOUNT } from '../../aws/accounts.ts';
import { ANY_REPLICATION_SET, NOT_ONBOARDED_RETRY_MS } from '../../aws/gate.ts';
import { identityTags, ownedBy } from '../../aws/identity.ts';
import type { ResponsePlan } from '../../crds/response-plan.ts';
import {
  ClassifiedError,
  type Ctx,
  type ExternalClient,
  type FieldDiff,
  type RawObservation,
  uidOf,
} from '../../engine/contract.ts';
import { EXTERNAL_ARN_ANNOTATION } from '../../engine/names.ts';
import { planUpdate } from './diff.ts';
import { createInput, fromAws, type PlanState } from './mapping.ts';
import { checkPagerDuty } from './pagerduty.ts';

type Client = ExternalClient<ResponsePlan, PlanState>;

/**
 * `replicationSets`: cache keys of the ReplicationSet objects of the plan's account, so that one
 * turning Ready wakes a plan waiting for it (a set onboarded outside the cluster is polled).
 */
export function responsePlanClient(clients: ClientSet, replicationSets: string[] = []): Client {
  const sdk = clients.incidents;

  // The ARN the last observe found (an interrupted create is found by name before the annotation
  // holds it); a client lives for one reconcile of one object.
  let seen: string | undefined;
  const arnOf = (ctx: Ctx<PlanState>): string => {
    const arn = seen ?? ctx.identity;
    if (arn === undefined)
      throw new ClassifiedError('Transient', 'the response plan ARN is not known yet; observing again');
    return arn;
  };

  const isNotFound = (e: unknown) => e instanceof ClassifiedError && e.errorClass === 'NotFound';

  async function tagsOf(arn: string): Promise<Record<string, string>> {
    const out = await sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    return out.tags ?? {};
  }

  /** The plan's ARN by name (names are unique per account; the ARN is what AWS says, not built). */
  async function findByName(name: string): Promise<string | undefined> {
    for await (const page of paginateListResponsePlans({ client: sdk, pageSize: 100 }, {})) {
      const hit = page.responsePlanSummaries?.find((p) => p.name === name);
      if (hit?.arn) return hit.arn;
    }
    return undefined;
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
    async observe(mr, ctx): Promise<RawObservation<PlanState>> {
      let arn = ctx.identity;
      if (arn === undefined) {
        // First visit, or a create interrupted before the ARN was written: look the name up.
        arn = await findByName(mr.spec.name);
        if (arn === undefined) return { exists: false };
        const manages = (mr.spec.managementPolicy ?? 'Manage') === 'Manage';
        if (manages && !ownedBy(await tagsOf(arn), uidOf(mr)))
          throw new ClassifiedError(
            'InvalidSpec',
            `spec.name: a response plan named ${mr.spec.name} already exists in the account (${arn}) and was not created by this object; to manage it, set the ${EXTERNAL_ARN_ANNOTATION} annotation to its ARN, or choose another name`,
            { field: 'spec.name', rule: 'AlreadyExists' },
          );
      }
      let plan: GetResponsePlanCommandOutput;
      try {
        plan = await sdk.send(new GetResponsePlanCommand({ arn }));
      } catch (e) {
        if (isNotFound(e)) return { exists: false };
        throw e;
      }
      seen = plan.arn ?? arn;
      const tags = await tagsOf(seen);
      return { exists: true, identity: seen, observed: fromAws(plan, tags), phase: 'Active' };
    },

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
      try {
        await sdk.send(new DeleteResponsePlanCommand({ arn }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
        return;
      }
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
