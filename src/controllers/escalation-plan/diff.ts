// Pure diff of an escalation plan, in spec paths, and the plan of AWS writes it implies.
import { changedAt, type FieldDiff } from '../../engine/contract.ts';
import { diffStages } from '../shared/contact-plan.ts';
import { diffTags, tagDelta } from '../shared/contacts-tags.ts';
import type { EscalationPlanState } from './mapping.ts';

export function diff(desired: EscalationPlanState, observed: EscalationPlanState): FieldDiff[] {
  const out: FieldDiff[] = [];
  if (desired.alias !== observed.alias)
    // The alias is the contact's identity (and part of its ARN): no in-place change.
    out.push({ path: 'spec.alias', desired: desired.alias, observed: observed.alias, updatable: false });
  if (desired.displayName !== observed.displayName)
    out.push({
      path: 'spec.displayName',
      desired: desired.displayName,
      observed: observed.displayName,
      updatable: true,
    });
  out.push(...diffStages(desired.stages, observed.stages, 'spec.stages'));
  out.push(...diffTags(desired.tags, observed.tags, 'spec.tags'));
  return out;
}

export interface UpdatePlan {
  /** What the single UpdateContact carries (neither: no UpdateContact). */
  contact: { displayName: boolean; stages: boolean };
  tags: { set: Record<string, string>; remove: string[] };
}

/** The writes a diff needs: at most one UpdateContact, then TagResource / UntagResource. */
export function planUpdate(
  d: readonly FieldDiff[],
  desired: EscalationPlanState,
  observed: EscalationPlanState,
): UpdatePlan {
  return {
    contact: { displayName: changedAt(d, 'spec.displayName'), stages: changedAt(d, 'spec.stages') },
    tags: changedAt(d, 'spec.tags') ? tagDelta(desired.tags, observed.tags) : { set: {}, remove: [] },
  };
}
