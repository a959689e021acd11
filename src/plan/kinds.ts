// The one place where plan and import meet the kind contract (src/engine/contract.ts): the pure
// validate / references / toDesired / diff, and one read verb, "read the AWS object this spec
// names": by identity, else the candidates by name judged by the engine's own adoption rule
// (src/engine/adoption.ts). When the contract changes this file is what follows it. Nothing here can write: the context has no idempotency tokens and
// no Events, and create/update/delete are never called.
import type { AccountResolver } from '../aws/accounts.ts';
import { accountFor } from '../aws/accounts.ts';
import { AwsGate } from '../aws/gate.ts';
import { kindModules } from '../controllers/index.ts';
import { chooseCandidate, readFound } from '../engine/adoption.ts';
import type { Clock } from '../engine/clock.ts';
import {
  ClassifiedError,
  type FieldDiff,
  type FieldError,
  type Found,
  type KindHandler,
  type ManagedObject,
  type ReferenceField,
} from '../engine/contract.ts';
import { EXTERNAL_ARN_ANNOTATION } from '../engine/names.ts';
import { writesAws } from '../engine/policy.ts';
import type { Lookup } from '../engine/references.ts';

export interface KindOps {
  kind: string;
  /** The kind's reason for a second object managing one AWS object (default AlreadyManaged). */
  conflictReason: string | undefined;
  validate(mr: ManagedObject): FieldError[];
  references(mr: ManagedObject): ReferenceField[];
  toDesired(mr: ManagedObject, refs: ReadonlyMap<string, string>): unknown;
  diff(desired: unknown, observed: unknown): FieldDiff[];
  /**
   * Reads the AWS object the spec names (identity annotation, else the kind's own lookup), on the
   * client set of the object's own account and Region (`accountFor`, as the engine resolves it).
   */
  read(mr: ManagedObject, desired: unknown): Promise<Found<unknown>>;
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

function opsOf(h: KindHandler<ManagedObject, unknown>, deps: KindOpsDeps): KindOps {
  return {
    kind: h.kind,
    conflictReason: h.conflictReason,
    validate: (mr) => h.validate?.(mr) ?? [],
    references: (mr) => h.references?.(mr) ?? [],
    // Plan never deletes: a pass writes exactly when the object manages AWS.
    toDesired: (mr, refs) => h.toDesired(mr, refs, writesAws(h, mr)),
    diff: (d, o) => h.diff(d, o),
    async read(mr, desired) {
      const identity = mr.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION];
      const ctx = { identity, idempotencyToken: noWrite, desired, writes: writesAws(h, mr) };
      const { name, spec } = accountFor(deps.lookup, mr);
      const client = h.client(deps.accounts.clients(name, spec), mr);
      if (identity) return readFound(client, identity, mr, ctx);
      const chosen = chooseCandidate(h, mr, await client.findByName(mr, ctx), deps.lookup);
      return chosen ? readFound(client, chosen.identity, mr, ctx) : { exists: false };
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
