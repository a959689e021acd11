// ReplicationSet I/O: ssm-incidents calls on the account's client (the gate is its middleware) and nothing else. What to send comes
// from the pure mapping and diff modules; the account's single replication set is always adopted,
// never duplicated.
import {
  CreateReplicationSetCommand,
  DeleteReplicationSetCommand,
  GetReplicationSetCommand,
  ListReplicationSetsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDeletionProtectionCommand,
  UpdateReplicationSetCommand,
} from '@aws-sdk/client-ssm-incidents';
import type { ClientSet } from '../../aws/accounts.ts';
import { CREATED_FROM_REGION_TAG } from '../../aws/contacts-region.ts';
import type { ReplicationSet } from '../../crds/replication-set.ts';
import {
  ClassifiedError,
  type Ctx,
  type KindClient,
  type ManagedObject,
  objectKey,
  type Read,
  uidOf,
} from '../../engine/contract.ts';
import { claimOf } from '../../engine/holders.ts';
import { idempotencyToken } from '../../engine/identity.ts';
import { managesAws } from '../../engine/policy.ts';
import { type AwsCall, planUpdate } from './diff.ts';
import { type Canonical, createTags, fromAws, ownerOf, phaseOf, regionsToAws } from './mapping.ts';

type Client = KindClient<ReplicationSet, Canonical>;

export interface ReplicationSetClientDeps {
  clients: ClientSet;
  /**
   * ssm-incidents in a given Region of the account: the set is created from spec.regions[0], which
   * AWS makes its first Region (where contacts go). Default: `clients.incidents`.
   */
  incidentsIn?: (region: string) => ClientSet['incidents'];
  lookup: (key: string) => ManagedObject | undefined;
  now: () => number;
  /** How the account is named in messages. */
  accountLabel: string;
}

export function replicationSetClient(deps: ReplicationSetClientDeps): Client {
  const { clients } = deps;
  const sdk = clients.incidents;
  /** The account's replication set, if any (an account holds at most one). */
  async function theSet(): Promise<string | undefined> {
    const list = await sdk.send(new ListReplicationSetsCommand({}));
    return list.replicationSetArns?.[0];
  }

  const tagsOf = async (arn: string) =>
    (await sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {};

  /** Update tokens are derived from the request and the state it applies to: a retry replays, a new change does not. */
  const token = (mr: ReplicationSet, observed: Canonical, c: AwsCall | string) =>
    idempotencyToken(uidOf(mr), observed.lastModifiedTime ?? '', JSON.stringify(c));

  async function send(mr: ReplicationSet, arn: string, observed: Canonical, c: AwsCall): Promise<void> {
    switch (c.op) {
      case 'TagResource':
        await sdk.send(new TagResourceCommand({ resourceArn: arn, tags: c.tags }));
        return;
      case 'UntagResource':
        await sdk.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: c.keys }));
        return;
      case 'UpdateDeletionProtection':
        await sdk.send(
          new UpdateDeletionProtectionCommand({
            arn,
            deletionProtected: c.deletionProtected,
            clientToken: token(mr, observed, c),
          }),
        );
        return;
      case 'UpdateReplicationSet':
        await sdk.send(
          new UpdateReplicationSetCommand({
            arn,
            actions: [c.action],
            clientToken: token(mr, observed, c),
          }),
        );
    }
  }

  return {
    async read(arn, mr, ctx): Promise<Read<Canonical> | undefined> {
      const rs = (await sdk.send(new GetReplicationSetCommand({ arn }))).replicationSet;
      if (!rs?.arn) return undefined;
      const observed = fromAws(rs, await tagsOf(rs.arn), mr.status);
      // Only a pass that may write can fight another owner; observing the set is always fine.
      const other = ctx.writes ? taggedOwnerHere(mr, rs.arn, observed, deps.lookup) : undefined;
      if (other) {
        // Deleting an object that does not own the set must never touch it.
        if (mr.metadata.deletionTimestamp) return undefined;
        throw new ClassifiedError(
          'InvalidSpec',
          `spec.accountRef: ${deps.accountLabel} already has its replication set ${rs.arn}, managed by ${other}; an AWS account has exactly one replication set, so delete this object (nothing in AWS is touched) or change ${other} instead`,
          { field: 'spec.accountRef', reason: 'ReplicationSetAlreadyExists' },
        );
      }
      const { phase, message } = phaseOf(rs.arn, observed);
      return { identity: rs.arn, observed, phase, ...(message ? { message } : {}) };
    },

    async findByName() {
      const arn = await theSet();
      return arn ? [{ identity: arn, tags: await tagsOf(arn) }] : [];
    },

    async create(_mr, ctx: Ctx<Canonical>) {
      // Sent from the first listed Region, which AWS makes the set's first Region; the tag says so
      // to whoever looks for it later (src/aws/contacts-region.ts), since AWS does not.
      const from = ctx.desired.regions[0]?.name ?? clients.region;
      const tags = { ...createTags(ctx.desired), [CREATED_FROM_REGION_TAG]: from };
      const out = await (deps.incidentsIn?.(from) ?? sdk).send(
        new CreateReplicationSetCommand({
          regions: regionsToAws(ctx.desired.regions),
          clientToken: ctx.idempotencyToken('CreateReplicationSet'),
          tags,
        }),
      );
      if (!out.arn) throw new ClassifiedError('Transient', 'CreateReplicationSet returned no ARN');
      return { identity: out.arn };
    },

    async update(mr, observed, diff, ctx) {
      const arn = ctx.identity ?? '';
      const plan = planUpdate(ctx.desired, observed, deps.now());
      for (const c of plan.calls) await send(mr, arn, observed, c);
      if (plan.calls.length > 0) return;
      if (plan.wait)
        throw new ClassifiedError('DependencyNotReady', plan.wait.message, {
          field: plan.wait.field,
          reason: 'RegionRemovalNotYetAllowed',
          retryAfterMs: Math.max(1_000, plan.wait.until - deps.now()),
        });
      throw new ClassifiedError(
        'InvalidSpec',
        `AWS cannot move the replication set to the spec at ${diff.map((d) => d.path).join(', ')}: at most 3 Regions, and at least one must stay`,
        { field: diff[0]?.path, rule: 'RegionLimits' },
      );
    },

    async delete(mr, observed, ctx) {
      const arn = ctx.identity ?? '';
      if (observed.status === 'Deleting') return;
      if (observed.deletionProtected) {
        if (mr.spec.deletionProtected !== false)
          throw new ClassifiedError('InvalidSpec', protectionMessage(arn), {
            field: 'spec.deletionProtected',
            reason: 'DeletionProtected',
          });
        // The spec asks for protection off and for deletion: do both, in that order.
        await send(mr, arn, observed, { op: 'UpdateDeletionProtection', deletionProtected: false });
      }
      // Domain doc §8.2: a data wipe, not a resource delete; say so loudly before doing it.
      await ctx.event?.(
        'Warning',
        'DeletingAllIncidentData',
        `Deleting replication set ${arn} (deletionPolicy Delete): every contact, plan and past incident of ${deps.accountLabel} goes with it`,
      );
      await sdk.send(new DeleteReplicationSetCommand({ arn }));
    },
  };
}

/** Deletion refused while protection is on: the way out, whether or not other objects still block it. */
export function protectionMessage(arn: string): string {
  return `deletionPolicy is Delete but deletion protection is on for ${arn}: set spec.deletionProtected: false to let the controller delete the replication set (this erases every contact, plan and past incident of the account), or set deletionPolicy: Retain to keep it`;
}

/**
 * The object other than `mr` whose ownership tags (written at create) the set carries, when it is
 * in this cluster, manages AWS and does not claim the set by its annotation (the annotation gone):
 * it wins even over an explicit adoption. The rest is the engine's: the objects claiming the set
 * by their annotation, the first of which keeps it (holders.ts), and an owner not in the cluster
 * (refused at the look-up by name, adoption.ts; the annotation alone takes its set over, as
 * adoption writes no tag).
 */
function taggedOwnerHere(
  mr: ReplicationSet,
  arn: string,
  observed: Canonical,
  lookup: ReplicationSetClientDeps['lookup'],
): string | undefined {
  const o = ownerOf(observed.owner);
  if (!o) return undefined;
  // A namesake created after the owner left (another uid) is not the owner.
  const isOwner = (x: ManagedObject) => (o.uid ? x.metadata.uid === o.uid : objectKey(x) === o.key);
  if (isOwner(mr)) return undefined;
  const tagged = lookup(o.key);
  // Only a live owner that manages AWS holds the set (an Observe one only reads it); one that
  // claims the set by its annotation too is ordered with the others by the engine.
  const holds = tagged && isOwner(tagged) && managesAws(tagged) && !tagged.metadata.deletionTimestamp;
  return holds && claimOf(tagged) !== arn ? o.label : undefined;
}
