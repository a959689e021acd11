// The one place where plan and import meet the kind contract (src/engine/contract.ts): the pure
// validate / references / toDesired / diff, and one read verb, "read the AWS object this spec
// names" (today connect + observe with a read-only context). When the contract changes (issue 12)
// this file is what follows it. Nothing here can write: the context has no idempotency tokens and
// no Events, and create/update/delete are never called.
import type { AccountResolver } from '../aws/accounts.ts';
import { accountFor } from '../aws/accounts.ts';
import { AwsGate } from '../aws/gate.ts';
import { hasOwner, ownedBy, ownerLabel } from '../aws/identity.ts';
import { kindModules } from '../controllers/index.ts';
import type { Clock } from '../engine/clock.ts';
import {
  type Candidate,
  ClassifiedError,
  type FieldDiff,
  type FieldError,
  isNotFound,
  type KindHandler,
  type ManagedObject,
  type RawObservation,
  type ReferenceField,
} from '../engine/contract.ts';
import { EXTERNAL_ARN_ANNOTATION } from '../engine/names.ts';
import type { Lookup } from '../engine/references.ts';

export interface KindOps {
  kind: string;
  validate(mr: ManagedObject): FieldError[];
  references(mr: ManagedObject): ReferenceField[];
  toDesired(mr: ManagedObject, refs: ReadonlyMap<string, string>): unknown;
  diff(desired: unknown, observed: unknown): FieldDiff[];
  /** Reads the AWS object the spec names (identity annotation, else the kind's own lookup). */
  read(
    mr: ManagedObject,
    desired: unknown,
    refs: ReadonlyMap<string, string>,
    target: { account: string; region: string },
  ): Promise<RawObservation<unknown>>;
}

export interface KindOpsDeps {
  accounts: AccountResolver;
  /** Objects by key (kind/namespace/name): the AWSAccounts, Secrets and managed objects in play. */
  lookup: Lookup;
  list: (kind: string) => ManagedObject[];
  defaultRegion: string;
  clock: Clock;
}

const noWrite = (operation: string): never => {
  throw new ClassifiedError('InvalidSpec', `read-only: ${operation} needs an idempotency token`);
};

/**
 * The engine's policy for candidates found by name (src/engine/managed.ts #pick / #conflict), said
 * as the engine says it: ours by uid tag is adopted, Observe takes the first, an untagged one is
 * adopted where the kind allows it, anyone else's name is refused with the kind's conflict reason.
 * TODO(lead): one exported pure function in the engine would let plan call it instead.
 */
function chooseCandidate(
  h: KindHandler<ManagedObject, unknown>,
  mr: ManagedObject,
  found: readonly Candidate[],
  lookup: Lookup,
): string | undefined {
  const first = found[0];
  if (!first) return undefined;
  const mine = found.find((c) => ownedBy(c.tags, mr.metadata.uid ?? ''));
  if (mine) return mine.identity;
  if ((mr.spec.managementPolicy ?? 'Manage') === 'Observe') return first.identity;
  const untagged = h.adoptUntagged ? found.find((c) => !hasOwner(c.tags)) : undefined;
  if (untagged) return untagged.identity;
  const owner = ownerLabel(first.tags);
  const ownerKey = owner?.replace(/^(\S+) (?:([^/]+)\/)?(.+)$/, (_m, k, ns, n) => `${k}/${ns ?? ''}/${n}`);
  const whose = !owner
    ? 'was not created by this controller'
    : ownerKey && lookup(ownerKey)
      ? `is managed by ${owner} in this cluster`
      : `is tagged as managed by ${owner}, which is not in this cluster (another cluster may manage it)`;
  const field = h.nameField ?? 'spec.name';
  throw new ClassifiedError(
    'InvalidSpec',
    `${field}: ${first.identity} already exists in AWS under this name and ${whose}; to manage it from this object set the ${EXTERNAL_ARN_ANNOTATION} annotation to ${first.identity}, or change ${field}`,
    { field, reason: h.conflictReason ?? 'AlreadyExists' },
  );
}

function opsOf(h: KindHandler<ManagedObject, unknown>, deps: KindOpsDeps): KindOps {
  return {
    kind: h.kind,
    validate: (mr) => h.validate?.(mr) ?? [],
    references: (mr) => h.references?.(mr) ?? [],
    toDesired: (mr, refs) => h.toDesired(mr, refs),
    diff: (d, o) => h.diff(d, o),
    async read(mr, desired, refs, target) {
      const identity = mr.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION];
      const ctx = {
        identity,
        pendingMark: undefined,
        idempotencyToken: noWrite,
        desired,
        refs,
        account: target.account,
        region: target.region,
        signal: new AbortController().signal,
      };
      if (h.client) {
        // The contract after issue 12: read by identity, else the candidates by name.
        const { name, spec } = accountFor(deps.lookup, mr);
        const client = h.client(deps.accounts.clients(name, spec), mr);
        const readOne = async (arn: string): Promise<RawObservation<unknown>> => {
          try {
            const r = await client.read(arn, mr, { ...ctx, identity: arn });
            return r ? { exists: true, ...r } : { exists: false };
          } catch (e) {
            if (isNotFound(e)) return { exists: false };
            throw e;
          }
        };
        if (identity) return readOne(identity);
        const chosen = chooseCandidate(h, mr, await client.findByName(mr, ctx), deps.lookup);
        return chosen ? readOne(chosen) : { exists: false };
      }
      if (!h.connect) throw new Error(`kind ${h.kind} offers no read verb`);
      const client = await h.connect(mr, target);
      return client.observe(mr, ctx);
    },
  };
}

/** Every kind the controller runs, bound to plan's own dependencies (no informers, no engine). */
export function kindOps(deps: KindOpsDeps): Map<string, KindOps> {
  const kindDeps = {
    gate: (deps.accounts as { gate?: AwsGate }).gate ?? new AwsGate({ clock: deps.clock }),
    accounts: deps.accounts,
    lookup: deps.lookup,
    list: deps.list,
    defaultRegion: deps.defaultRegion,
    clock: deps.clock,
  };
  return new Map(kindModules.map((m) => [m.kind, opsOf(m.create(kindDeps), deps)]));
}
