// EscalationPlan: canonical observed state → spec, targets rewritten as references.
import type { EscalationPlanState } from '../controllers/escalation-plan/mapping.ts';
import type { EscalationPlanSpec } from '../crds/escalation-plan.ts';
import { type Imported, sortedTags } from './contact.ts';
import type { RefTable } from './refs.ts';

export function escalationPlanSpec(o: EscalationPlanState, refs: RefTable): Imported<EscalationPlanSpec> {
  return {
    spec: {
      alias: o.alias,
      ...(o.displayName ? { displayName: o.displayName } : {}),
      stages: o.stages.map((s) => ({
        durationInMinutes: s.durationInMinutes,
        targets: s.targets.map((t) => ({
          ...refs.target(t.arn),
          ...(t.type === 'contact' && t.isEssential ? { isEssential: true } : {}),
        })),
      })),
      ...(Object.keys(o.tags).length ? { tags: sortedTags(o.tags) } : {}),
    },
    comments: [],
  };
}
