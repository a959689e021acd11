// The ReplicationSet kind for the engine: the wiring of validation, mapping, diff and the
// AWS client bound to the object's account. Deleting the set erases every Incident Manager object of
// the account, so a Delete waits until the account's other objects are gone from the cluster.

import type { AWSAccountSpec } from '../../crds/aws-account.ts';
import type { ReplicationSet } from '../../crds/replication-set.ts';
import type { KindHandler, ManagedObject } from '../../engine/contract.ts';
import type { KindDeps } from '../../engine/plugin.ts';
import { diff } from './diff.ts';
import { protectionMessage, replicationSetClient } from './external.ts';
import { type Canonical, observedStatus, toDesired } from './mapping.ts';
import { validate } from './validate.ts';

/** Kinds whose AWS objects disappear with the replication set (domain doc §2.1, §3.3). */
export const DEPENDENT_KINDS = ['ResponsePlan', 'EscalationPlan', 'Rotation', 'Contact'] as const;

const accountOf = (o: ManagedObject): string => o.spec.accountRef?.name ?? '';

/** Same AWS account: the same AWSAccount name, or two AWSAccounts with the same account id. */
function sameAccount(a: string, b: string, lookup: KindDeps['lookup']): boolean {
  if (a === b) return true;
  if (a === '' || b === '') return false;
  const id = (n: string) => (lookup(`AWSAccount//${n}`)?.spec as AWSAccountSpec | undefined)?.accountId;
  return id(a) !== undefined && id(a) === id(b);
}

/** Objects of the account still in the cluster; a Delete of the set waits for them. */
export function dependants(mr: ReplicationSet, deps: Pick<KindDeps, 'list' | 'lookup'>): ManagedObject[] {
  const account = accountOf(mr);
  return DEPENDENT_KINDS.flatMap((k) => deps.list?.(k) ?? []).filter((o) =>
    sameAccount(accountOf(o), account, deps.lookup),
  );
}

export function replicationSetHandler(deps: KindDeps): KindHandler<ReplicationSet, Canonical> {
  const now = () => deps.clock?.now() ?? Date.now();
  return {
    kind: 'ReplicationSet',
    validate,
    toDesired: (mr, _refs, writes) => toDesired(mr, writes),
    diff,
    observedStatus,
    // An account has one replication set: one made outside the cluster (console onboarding) is adopted.
    adoptUntagged: true,
    conflictReason: 'ReplicationSetAlreadyExists',
    nameField: 'spec.accountRef',
    // The CRD's default too: deleting the set erases all incident data, so only an explicit Delete does.
    defaultDeletionPolicy: 'Retain',
    // Asked only when the engine deletes in AWS. The set's deletion erases every Incident Manager
    // object of the account: they go first.
    deletionBlockers: (mr) => dependants(mr, deps),
    deletionRefusal(mr) {
      const protectedNow = (mr.status as { deletionProtected?: boolean } | undefined)?.deletionProtected;
      if (mr.spec.deletionProtected === false || protectedNow !== true) return undefined;
      return protectionMessage(mr.status?.arn ?? 'the replication set');
    },
    client(clients, mr) {
      const account = mr.spec.accountRef?.name;
      const spec = account
        ? (deps.lookup(`AWSAccount//${account}`)?.spec as AWSAccountSpec | undefined)
        : undefined;
      const id = spec?.accountId;
      return replicationSetClient({
        clients,
        incidentsIn: (region) =>
          region === clients.region
            ? clients.incidents
            : deps.accounts.clients(clients.account, spec, region).incidents,
        lookup: deps.lookup,
        now,
        accountLabel: account ? `account ${id} (AWSAccount ${account})` : "the controller's account",
      });
    },
  };
}
