// The ResponsePlan kind for the engine: references, and the wiring of validation, mapping, diff
// and the AWS client bound to the object's account.
import type { AWSAccountSpec } from '../../crds/aws-account.ts';
import type { ResponsePlan } from '../../crds/response-plan.ts';
import { type KindHandler, objectKey, type ReferenceField } from '../../engine/contract.ts';
import type { KindDeps } from '../../engine/plugin.ts';
import { ReadMemory } from '../shared/read-memory.ts';
import { targetReference } from '../shared/targets.ts';
import { diff } from './diff.ts';
import { type ResponsePlanParts, responsePlanClient } from './external.ts';
import { type PlanState, toDesired } from './mapping.ts';
import { RunbookTypesReader, runbookCondition, withRunbookTypes } from './runbook-types.ts';
import { validate } from './validate.ts';

export function references(mr: ResponsePlan): ReferenceField[] {
  return (mr.spec.engagements ?? [])
    .map((e, i) => targetReference(e, `spec.engagements[${i}]`))
    .filter((f): f is ReferenceField => f !== undefined);
}

export function responsePlanHandler(deps: KindDeps): KindHandler<ResponsePlan, PlanState> {
  const accountIdOf = (mr: ResponsePlan): string | undefined => {
    const name = mr.spec.accountRef?.name;
    if (!name) return undefined;
    return (deps.lookup(`AWSAccount//${name}`)?.spec as AWSAccountSpec | undefined)?.accountId;
  };
  const reads = new ReadMemory<ResponsePlanParts>();
  // One reader per process: a runbook version's parameter types are read once for every plan.
  const runbooks = new RunbookTypesReader(() => (deps.clock ?? { now: Date.now }).now());
  return {
    kind: 'ResponsePlan',
    validate: (mr) => validate(mr, accountIdOf(mr)),
    references,
    toDesired,
    diff,
    observedStatus: (o) => ({ engagementArns: o.engagements }),
    conditions: (desired, observed) => {
      const c = runbookCondition(desired.runbook, observed.runbookTypes);
      return c ? [c] : [];
    },
    referencesInUse: (mr) => mr.status?.engagementArns ?? [],
    client: (clients, mr) => {
      const sets = (deps.list?.('ReplicationSet') ?? [])
        .filter((o) => (o.spec.accountRef?.name ?? '') === (mr.spec.accountRef?.name ?? ''))
        .map(objectKey);
      return withRunbookTypes(responsePlanClient(clients, sets, reads), clients, runbooks);
    },
  };
}
