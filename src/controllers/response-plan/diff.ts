// ResponsePlan diff and update plan, pure. Paths are in spec terms; the plan sends only the members
// that changed, with UpdateResponsePlan's own clearing rules: '' clears a string, [] a list, {} the
// incident tags, `chatChannel.empty` the chat channel. Tags go through Tag/UntagResource.
import type { UpdateResponsePlanCommandInput } from '@aws-sdk/client-ssm-incidents';
import { changedAt, type FieldDiff } from '../../engine/contract.ts';
import {
  notificationTargetsToAws,
  type PagerDutyState,
  type PlanState,
  pagerDutyToAws,
  type RunbookState,
  runbookToAws,
} from './mapping.ts';

/** Structural equality for canonical values (maps are key-sorted, sets sorted). */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const RUNBOOK_FIELDS = [
  'documentName',
  'documentVersion',
  'roleArn',
  'targetAccount',
  'parameters',
  'dynamicParameters',
] as const satisfies readonly (keyof RunbookState)[];
const PAGERDUTY_FIELDS = [
  'name',
  'secretId',
  'serviceId',
] as const satisfies readonly (keyof PagerDutyState)[];

const TEMPLATE_FIELDS = [
  'title',
  'impact',
  'summary',
  'dedupeString',
  'incidentTags',
  'notificationTargets',
] as const satisfies readonly (keyof PlanState)[];

export function diff(desired: PlanState, observed: PlanState): FieldDiff[] {
  const out: FieldDiff[] = [];
  const add = (path: string, d: unknown, o: unknown, updatable = true) => {
    if (!same(d, o)) out.push({ path, desired: d, observed: o, updatable });
  };
  add('spec.name', desired.name, observed.name, false);
  // No display name shows the name: the two are the same plan whichever way AWS reports it.
  const shown = (p: PlanState) => (p.displayName === p.name ? '' : p.displayName);
  if (shown(desired) !== shown(observed))
    out.push({
      path: 'spec.displayName',
      desired: desired.displayName,
      observed: observed.displayName,
      updatable: true,
    });
  for (const f of TEMPLATE_FIELDS) add(`spec.incidentTemplate.${f}`, desired[f], observed[f]);
  add('spec.chatChannel', desired.chatChannel, observed.chatChannel);
  add('spec.engagements', desired.engagements, observed.engagements);
  nested(out, 'spec.runbook', desired.runbook, observed.runbook, RUNBOOK_FIELDS);
  nested(out, 'spec.pagerDuty', desired.pagerDuty, observed.pagerDuty, PAGERDUTY_FIELDS);
  add('spec.tags', desired.tags, observed.tags);
  return out;
}

/** One path per changed member when both sides have the block; the block's path when one side lacks it. */
function nested<T extends object>(
  out: FieldDiff[],
  path: string,
  d: T | null,
  o: T | null,
  fields: readonly (keyof T & string)[],
): void {
  if (d === null || o === null) {
    if (d !== o) out.push({ path, desired: d, observed: o, updatable: true });
    return;
  }
  for (const f of fields)
    if (!same(d[f], o[f])) out.push({ path: `${path}.${f}`, desired: d[f], observed: o[f], updatable: true });
}

/** What to send for a diff: an UpdateResponsePlan body (without arn/token) and tag changes. */
export interface UpdatePlan {
  update: Omit<UpdateResponsePlanCommandInput, 'arn' | 'clientToken'> | undefined;
  tag: Record<string, string> | undefined;
  untag: string[] | undefined;
}

export function planUpdate(d: readonly FieldDiff[], desired: PlanState, observed: PlanState): UpdatePlan {
  const u: Omit<UpdateResponsePlanCommandInput, 'arn' | 'clientToken'> = {};
  const at = (p: string) => changedAt(d, p);
  if (at('spec.displayName')) u.displayName = desired.displayName;
  if (at('spec.incidentTemplate.title')) u.incidentTemplateTitle = desired.title;
  if (at('spec.incidentTemplate.impact')) u.incidentTemplateImpact = desired.impact;
  if (at('spec.incidentTemplate.summary')) u.incidentTemplateSummary = desired.summary;
  if (at('spec.incidentTemplate.dedupeString')) u.incidentTemplateDedupeString = desired.dedupeString;
  // TagMapUpdate (0..50): {} clears, unlike create's TagMap.
  if (at('spec.incidentTemplate.incidentTags')) u.incidentTemplateTags = desired.incidentTags;
  if (at('spec.incidentTemplate.notificationTargets'))
    u.incidentTemplateNotificationTargets = notificationTargetsToAws(desired.notificationTargets);
  if (at('spec.chatChannel'))
    u.chatChannel = desired.chatChannel ? { chatbotSns: desired.chatChannel } : { empty: {} };
  if (at('spec.engagements')) u.engagements = desired.engagements;
  // The action and the integration are replaced whole: the API has no per-member update.
  if (at('spec.runbook')) u.actions = desired.runbook ? [runbookToAws(desired.runbook, true)] : [];
  if (at('spec.pagerDuty')) u.integrations = desired.pagerDuty ? [pagerDutyToAws(desired.pagerDuty)] : [];

  let tag: Record<string, string> | undefined;
  let untag: string[] | undefined;
  if (at('spec.tags')) {
    const add = Object.entries(desired.tags).filter(([k, v]) => observed.tags[k] !== v);
    const gone = Object.keys(observed.tags).filter((k) => !(k in desired.tags));
    if (add.length) tag = Object.fromEntries(add);
    if (gone.length) untag = gone;
  }
  return { update: Object.keys(u).length ? u : undefined, tag, untag };
}
