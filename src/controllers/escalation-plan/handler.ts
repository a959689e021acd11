// The EscalationPlan KindHandler: pure mapping/diff/validation wired to the engine, plus the index
// of plan ARNs that lets the cycle check follow `contactArn` targets naming plans we manage.
import type { AWSAccountSpec } from '../../crds/aws-account.ts';
import type { EscalationPlan } from '../../crds/escalation-plan.ts';
import { type KindHandler, keyOf, objectKey, type ReferenceField } from '../../engine/contract.ts';
import type { KindDeps } from '../../engine/plugin.ts';
import { accountOfArn, arnOf } from '../../engine/references.ts';
import { waitsForOnboarding } from '../shared/onboarding.ts';
import { ReadMemory } from '../shared/read-memory.ts';
import { diff } from './diff.ts';
import { type EscalationPlanParts, escalationPlanClient } from './external.ts';
import { type EscalationPlanState, observedStatus, references, toDesired } from './mapping.ts';
import { type PlanGraph, validate } from './validate.ts';

type State = EscalationPlanState & { arn?: string };

export function escalationPlanHandler(deps: KindDeps): KindHandler<EscalationPlan, State> {
  const reads = new ReadMemory<EscalationPlanParts>();
  // ARN → key of the EscalationPlan holding it: from the engine's cache when it offers a listing,
  // else learnt from every plan this handler reads (each hit checked against the cache).
  const byArn = new Map<string, string>();
  const learn = (o: EscalationPlan | undefined) => {
    const arn = o ? arnOf(o) : undefined;
    if (o && arn) byArn.set(arn, objectKey(o));
    return o;
  };
  const graph: PlanGraph = {
    plan: (key) => learn(deps.lookup(key) as EscalationPlan | undefined),
    arnOfKey(key) {
      const o = deps.lookup(key);
      return o ? arnOf(o) : undefined;
    },
    keyOfArn(arn) {
      if (deps.list) {
        const hit = deps.list('EscalationPlan').find((o) => arnOf(o) === arn);
        return hit ? objectKey(hit) : undefined;
      }
      const key = byArn.get(arn);
      const o = key ? (deps.lookup(key) as EscalationPlan | undefined) : undefined;
      if (key && (!o || arnOf(o) !== arn)) byArn.delete(arn);
      return o && arnOf(o) === arn ? key : undefined;
    },
  };

  /** The plan's own account: its AWSAccount's id, else the account in its ARN once it has one. */
  const ownAccount = (mr: EscalationPlan): string | undefined => {
    if (mr.spec.accountRef) {
      const acct = deps.lookup(keyOf('AWSAccount', undefined, mr.spec.accountRef.name));
      return (acct?.spec as AWSAccountSpec | undefined)?.accountId;
    }
    const arn = arnOf(mr);
    return arn ? accountOfArn(arn) : undefined;
  };

  return {
    kind: 'EscalationPlan',
    validate(mr) {
      learn(mr);
      return validate(mr, graph, ownAccount(mr));
    },
    references(mr) {
      const fields = references(mr);
      if (!deps.list) return fields;
      // A target given by the ARN of an object managed here is a reference too: indexed (not
      // resolved), so that object's deletion waits for this plan and names it.
      const managed = [...deps.list('Contact'), ...deps.list('EscalationPlan')];
      const byArn = new Map(managed.map((o) => [arnOf(o), o] as const));
      const extra: ReferenceField[] = [];
      for (const f of fields) {
        const o = f.arn === undefined ? undefined : byArn.get(f.arn);
        if (o && objectKey(o) !== objectKey(mr))
          extra.push({
            path: f.path,
            ref: {
              kind: o.kind,
              name: o.metadata.name,
              ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
            },
            indexOnly: true,
          });
      }
      return [...fields, ...extra];
    },
    toDesired,
    diff,
    observedStatus,
    nameField: 'spec.alias',
    createWaitsFor: waitsForOnboarding(deps, 'escalation plan'),
    client: (clients) => escalationPlanClient({ clients }, reads),
  };
}
