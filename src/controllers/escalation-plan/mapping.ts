// EscalationPlan ↔ ssm-contacts contact of type ESCALATION. Pure: spec + resolved refs → canonical;
// AWS response → canonical; canonical → AWS inputs.
import type {
  CreateContactCommandInput,
  GetContactCommandOutput,
  UpdateContactCommandInput,
} from '@aws-sdk/client-ssm-contacts';
import type { EscalationPlan, EscalationPlanSpec } from '../../crds/escalation-plan.ts';
import { ESCALATION_PLAN_AWS_TYPE } from '../../crds/values.ts';
import type { ReferenceField } from '../../engine/contract.ts';
import {
  contactTarget,
  type PlanStage,
  stagesFromAws,
  stagesToAws,
  stageTargetArns,
} from '../shared/contact-plan.ts';
import { tagsToAws } from '../shared/contacts-tags.ts';
import { resolvedTargetArn, targetReference } from '../shared/targets.ts';

/** Canonical state: what the spec asks for and what AWS reports, in one comparable form. */
export interface EscalationPlanState {
  alias: string;
  /** Absent and empty are the same: no display name. */
  displayName: string | undefined;
  stages: PlanStage[];
  /** All tags (identity tags included when read from AWS; the diff ignores them). */
  tags: Record<string, string>;
}

export const targetPath = (i: number, j: number) => `spec.stages[${i}].targets[${j}]`;

/** Every reference the stages name, one per target, in spec paths. */
export function references(mr: Pick<EscalationPlan, 'spec'>): ReferenceField[] {
  const out: ReferenceField[] = [];
  mr.spec.stages.forEach((s, i) => {
    s.targets.forEach((t, j) => {
      const f = targetReference(t, targetPath(i, j));
      if (f) out.push(f);
    });
  });
  return out;
}

const normName = (s: string | undefined) => (s === undefined || s === '' ? undefined : s);

export function toDesired(
  mr: Pick<EscalationPlan, 'spec'>,
  refs: ReadonlyMap<string, string>,
): EscalationPlanState {
  const spec: EscalationPlanSpec = mr.spec;
  return {
    alias: spec.alias,
    displayName: normName(spec.displayName),
    stages: spec.stages.map((s, i) => ({
      durationInMinutes: s.durationInMinutes,
      targets: s.targets.map((t, j) =>
        contactTarget(resolvedTargetArn(t, targetPath(i, j), refs), t.isEssential ?? false),
      ),
    })),
    tags: { ...(spec.tags ?? {}) },
  };
}

export function fromAws(
  contact: { [K in 'Alias' | 'DisplayName' | 'Plan']?: GetContactCommandOutput[K] | undefined },
  tags: Record<string, string>,
): EscalationPlanState {
  return {
    alias: contact.Alias ?? '',
    displayName: normName(contact.DisplayName),
    stages: stagesFromAws(contact.Plan?.Stages),
    tags: { ...tags },
  };
}

export function createInput(
  desired: EscalationPlanState,
  identityTags: Record<string, string>,
  idempotencyToken: string,
): CreateContactCommandInput {
  const tags = { ...desired.tags, ...identityTags };
  return {
    Alias: desired.alias,
    ...(desired.displayName === undefined ? {} : { DisplayName: desired.displayName }),
    Type: ESCALATION_PLAN_AWS_TYPE,
    Plan: { Stages: stagesToAws(desired.stages) },
    ...(Object.keys(tags).length > 0 ? { Tags: tagsToAws(tags) } : {}),
    IdempotencyToken: idempotencyToken,
  };
}

/**
 * The one UpdateContact for a change, carrying only the members that changed; undefined when
 * neither the display name nor the stages changed (tags go through TagResource/UntagResource).
 */
export function updateInput(
  arn: string,
  desired: EscalationPlanState,
  change: { displayName: boolean; stages: boolean },
): UpdateContactCommandInput | undefined {
  if (!change.displayName && !change.stages) return undefined;
  return {
    ContactId: arn,
    // Clearing a display name sends the empty string (ContactName allows length 0).
    ...(change.displayName ? { DisplayName: desired.displayName ?? '' } : {}),
    ...(change.stages ? { Plan: { Stages: stagesToAws(desired.stages) } } : {}),
  };
}

/** Status: the resolved target ARNs stage by stage, as AWS holds them. */
export function observedStatus(observed: EscalationPlanState): Record<string, unknown> {
  return { stageTargetArns: stageTargetArns(observed.stages) };
}
