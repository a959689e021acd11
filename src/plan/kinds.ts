// The one place where plan and import meet the kind contract (src/engine/contract.ts): the pure
// validate / references / toDesired / diff, and one read verb, "read the AWS object this spec
// names" (today connect + observe with a read-only context). When the contract changes (issue 12)
// this file is what follows it. Nothing here can write: the context has no idempotency tokens and
// no Events, and create/update/delete are never called.
import type { AccountResolver } from '../aws/accounts.ts';
import { accountFor } from '../aws/accounts.ts';
import { AwsGate } from '../aws/gate.ts';
import { TAG_PREFIX } from '../aws/identity.ts';
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

/** Ownership tags in either spelling (ssm-incidents dots, ssm-contacts dashes). */
const OWNER_TAG_PREFIX = TAG_PREFIX.split('.')[0] ?? TAG_PREFIX;

const noWrite = (operation: string): never => {
  throw new ClassifiedError('InvalidSpec', `read-only: ${operation} needs an idempotency token`);
};

/** What the engine does with candidates found by name (no identity yet), said as it would. */
function chooseCandidate(
  h: KindHandler<ManagedObject, unknown>,
  mr: ManagedObject,
  found: readonly Candidate[],
): string | undefined {
  const first = found[0];
  if (!first) return undefined;
  if ((mr.spec.managementPolicy ?? 'Manage') === 'Observe') return first.identity;
  const uid = mr.metadata.uid ?? '';
  const mine = found.find((c) => Object.values(c.tags).includes(uid));
  if (mine) return mine.identity;
  const untagged = (c: Candidate) => !Object.keys(c.tags).some((k) => k.startsWith(OWNER_TAG_PREFIX));
  if (h.adoptUntagged && untagged(first)) return first.identity;
  throw new ClassifiedError(
    'InvalidSpec',
    `${first.identity} already exists in AWS with this object's name and was not created for it; set the ${EXTERNAL_ARN_ANNOTATION} annotation to that ARN to adopt it, or choose another name`,
    { rule: h.conflictReason ?? 'AlreadyExists' },
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
        const chosen = chooseCandidate(h, mr, await client.findByName(mr, ctx));
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
