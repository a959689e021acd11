// The one place where plan and import meet the kind contract (src/engine/contract.ts): the pure
// validate / references / toDesired / diff, and one read verb, "read the AWS object this spec
// names" (today connect + observe with a read-only context). When the contract changes (issue 12)
// this file is what follows it. Nothing here can write: the context has no idempotency tokens and
// no Events, and create/update/delete are never called.
import type { AccountResolver } from '../aws/accounts.ts';
import { AwsGate } from '../aws/gate.ts';
import { kindModules } from '../controllers/index.ts';
import type { Clock } from '../engine/clock.ts';
import {
  ClassifiedError,
  type FieldDiff,
  type FieldError,
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

function opsOf(h: KindHandler<ManagedObject, unknown>): KindOps {
  return {
    kind: h.kind,
    validate: (mr) => h.validate?.(mr) ?? [],
    references: (mr) => h.references?.(mr) ?? [],
    toDesired: (mr, refs) => h.toDesired(mr, refs),
    diff: (d, o) => h.diff(d, o),
    async read(mr, desired, refs, target) {
      const client = await h.connect(mr, target);
      return client.observe(mr, {
        identity: mr.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION],
        pendingMark: undefined,
        idempotencyToken: noWrite,
        desired,
        refs,
        account: target.account,
        region: target.region,
        signal: new AbortController().signal,
      });
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
  return new Map(kindModules.map((m) => [m.kind, opsOf(m.create(kindDeps))]));
}
