// ssm-contacts creates nothing before Incident Manager is onboarded (an ACTIVE replication set), and
// the account's contacts Region is the set's first Region: a Contact, EscalationPlan or Rotation
// whose account has a ReplicationSet in the cluster that is not Ready yet waits for it before its
// create, and is woken when it turns Ready or is refused. An account whose set was made outside the cluster has
// no such object: its create goes ahead and AWS says whether it is onboarded.
import { ANY_REPLICATION_SET } from '../../aws/gate.ts';
import { getCondition } from '../../engine/conditions.ts';
import { ClassifiedError, type ManagedObject } from '../../engine/contract.ts';
import type { KindDeps } from '../../engine/plugin.ts';
import { isTerminalReason } from '../../engine/reasons.ts';

/** `createWaitsFor` for an ssm-contacts kind; `what` names the object in the message ("contact"). */
export function waitsForOnboarding(
  deps: Pick<KindDeps, 'list'>,
  what: string,
): (mr: ManagedObject) => ClassifiedError | undefined {
  return (mr) => {
    const account = mr.spec.accountRef?.name ?? '';
    const sets = (deps.list?.('ReplicationSet') ?? []).filter(
      (o) => (o.spec.accountRef?.name ?? '') === account,
    );
    // Updating: an onboarded account whose replication set changes (a Region added) stays usable.
    const usable = (o: ManagedObject) => {
      const ready = getCondition(o.status?.conditions, 'Ready');
      return ready?.status === 'True' || ready?.reason === 'Updating';
    };
    // A set the controller refused (a terminal reason: a wrong KMS key, a second set for the
    // account) will not turn Ready by itself: waiting for it would only hide the contact's own
    // answer, so the create goes ahead and AWS says whether the account is onboarded.
    const refused = (o: ManagedObject) =>
      ['Ready', 'Synced'].some((t) => {
        const reason = getCondition(o.status?.conditions, t)?.reason;
        return reason !== undefined && isTerminalReason(reason);
      });
    if (sets.length === 0 || sets.some(usable) || sets.every(refused)) return undefined;
    return new ClassifiedError(
      'DependencyNotReady',
      `Incident Manager is not onboarded in this ${what}'s account yet: waiting for its ReplicationSet to be Ready`,
      { rule: 'ReplicationSetNotReady', dependencies: [ANY_REPLICATION_SET] },
    );
  };
}
