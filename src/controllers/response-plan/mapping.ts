// ResponsePlan mapping, pure: spec + resolved references → canonical state; GetResponsePlan +
// ListTagsForResource → the same canonical state; canonical → CreateResponsePlan input. Both sides
// normalise the same way (sets sorted, AWS defaults filled in, empty ≡ absent), so `diff` compares
// like with like.
import type {
  Action,
  ChatChannel,
  CreateResponsePlanCommandInput,
  DynamicSsmParameterValue,
  GetResponsePlanCommandOutput,
  Integration,
  NotificationTargetItem,
  VariableType,
} from '@aws-sdk/client-ssm-incidents';
import type { DynamicParameterValue, ResponsePlan, TargetAccount } from '../../crds/response-plan.ts';
import {
  DYNAMIC_PARAMETER_FROM_AWS,
  DYNAMIC_PARAMETER_TO_AWS,
  TARGET_ACCOUNT_FROM_AWS,
  TARGET_ACCOUNT_TO_AWS,
} from '../../crds/values.ts';
import { isOwnershipTagKey } from '../../engine/identity.ts';
import { resolvedTargetArn } from '../shared/targets.ts';
import type { RunbookTypes } from './runbook-types.ts';

export interface RunbookState {
  documentName: string;
  /** '' = the document's default version at execution time. */
  documentVersion: string;
  roleArn: string;
  /** AWS runs the runbook in the plan's own account unless told otherwise. */
  targetAccount: TargetAccount;
  /** Values keep their order (it is the order the document receives them in). */
  parameters: Record<string, string[]>;
  dynamicParameters: Record<string, DynamicParameterValue>;
}

export interface PagerDutyState {
  name: string;
  secretId: string;
  serviceId: string;
}

/** Canonical form of a response plan; every "nothing" is one value ('' / [] / {} / null). */
export interface PlanState {
  name: string;
  /** '' = none (AWS then shows the name). */
  displayName: string;
  title: string;
  impact: number;
  summary: string;
  dedupeString: string;
  incidentTags: Record<string, string>;
  /** SNS topic ARNs, sorted (a set). */
  notificationTargets: string[];
  /** Chat channel SNS topics, sorted; null = no chat channel. */
  chatChannel: string[] | null;
  /** Contact / escalation plan / on-call schedule ARNs, sorted (AWS keeps a set). */
  engagements: string[];
  runbook: RunbookState | null;
  pagerDuty: PagerDutyState | null;
  /** The user's tags; the controller's identity tags are left out (they are not spec). */
  tags: Record<string, string>;
  /**
   * Observed only, never diffed: the parameter types of the desired runbook's document, read when
   * the spec binds dynamic parameters (the RunbookParametersTyped condition).
   */
  runbookTypes?: RunbookTypes;
}

const sortedSet = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

const sortedMap = <V>(m: Readonly<Record<string, V>> | undefined): Record<string, V> => {
  const out: Record<string, V> = {};
  for (const k of Object.keys(m ?? {}).sort()) out[k] = (m as Record<string, V>)[k] as V;
  return out;
};

export const isIdentityTag = isOwnershipTagKey;

/** Spec + resolved references → canonical. A reference missing from `refs` is a bug upstream. */
export function toDesired(mr: ResponsePlan, refs: ReadonlyMap<string, string>): PlanState {
  const s = mr.spec;
  const t = s.incidentTemplate;
  const engagements = (s.engagements ?? []).map((e, i) =>
    resolvedTargetArn(e, `spec.engagements[${i}]`, refs),
  );
  const rb = s.runbook;
  return {
    name: s.name,
    displayName: s.displayName ?? '',
    title: t.title,
    impact: t.impact,
    summary: t.summary ?? '',
    dedupeString: t.dedupeString ?? '',
    incidentTags: sortedMap(t.incidentTags),
    notificationTargets: sortedSet(t.notificationTargets ?? []),
    chatChannel: s.chatChannel ? sortedSet(s.chatChannel.snsTopicArns) : null,
    engagements: sortedSet(engagements),
    runbook: rb
      ? {
          documentName: rb.documentName,
          documentVersion: rb.documentVersion ?? '',
          roleArn: rb.roleArn,
          targetAccount: rb.targetAccount ?? 'ResponsePlanOwnerAccount',
          parameters: sortedMap(rb.parameters),
          dynamicParameters: sortedMap(rb.dynamicParameters),
        }
      : null,
    pagerDuty: s.pagerDuty
      ? { name: s.pagerDuty.name, secretId: s.pagerDuty.secretId, serviceId: s.pagerDuty.serviceId }
      : null,
    tags: sortedMap(s.tags),
  };
}

/** The first SSM Automation action; other (future) action kinds are not ours to manage. */
function runbookFromAws(actions: readonly Action[] | undefined): RunbookState | null {
  const a = actions?.find((x) => x.ssmAutomation !== undefined)?.ssmAutomation;
  if (!a) return null;
  const dynamicParameters: Record<string, DynamicParameterValue> = {};
  for (const [k, v] of Object.entries(a.dynamicParameters ?? {})) {
    const variable = (v as DynamicSsmParameterValue).variable as keyof typeof DYNAMIC_PARAMETER_FROM_AWS;
    const mapped = DYNAMIC_PARAMETER_FROM_AWS[variable];
    // An unknown variable still has to show up as a difference, not vanish.
    dynamicParameters[k] = mapped ?? (String(variable) as DynamicParameterValue);
  }
  const target = a.targetAccount as keyof typeof TARGET_ACCOUNT_FROM_AWS | undefined;
  return {
    documentName: a.documentName ?? '',
    documentVersion: a.documentVersion ?? '',
    roleArn: a.roleArn ?? '',
    targetAccount: target
      ? (TARGET_ACCOUNT_FROM_AWS[target] ?? (target as TargetAccount))
      : 'ResponsePlanOwnerAccount',
    parameters: sortedMap(a.parameters),
    dynamicParameters: sortedMap(dynamicParameters),
  };
}

function pagerDutyFromAws(integrations: readonly Integration[] | undefined): PagerDutyState | null {
  const p = integrations?.find((x) => x.pagerDutyConfiguration !== undefined)?.pagerDutyConfiguration;
  if (!p) return null;
  return {
    name: p.name ?? '',
    secretId: p.secretId ?? '',
    serviceId: p.pagerDutyIncidentConfiguration?.serviceId ?? '',
  };
}

function chatFromAws(c: ChatChannel | undefined): string[] | null {
  // `empty` (or nothing) is "no chat channel"; an empty topic list cannot exist (length 1..5).
  if (!c?.chatbotSns?.length) return null;
  return sortedSet(c.chatbotSns);
}

/** GetResponsePlan output + the plan's tags → canonical. */
export function fromAws(
  plan: Pick<
    GetResponsePlanCommandOutput,
    'name' | 'displayName' | 'incidentTemplate' | 'chatChannel' | 'engagements' | 'actions' | 'integrations'
  >,
  tags: Record<string, string> | undefined,
): PlanState {
  const t = plan.incidentTemplate;
  const userTags: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) if (!isIdentityTag(k)) userTags[k] = v;
  return {
    name: plan.name ?? '',
    displayName: plan.displayName ?? '',
    title: t?.title ?? '',
    impact: t?.impact ?? 0,
    summary: t?.summary ?? '',
    dedupeString: t?.dedupeString ?? '',
    incidentTags: sortedMap(t?.incidentTags),
    notificationTargets: sortedSet(
      (t?.notificationTargets ?? [])
        .map((n: NotificationTargetItem) => n.snsTopicArn)
        .filter((a): a is string => a !== undefined),
    ),
    chatChannel: chatFromAws(plan.chatChannel),
    engagements: sortedSet(plan.engagements ?? []),
    runbook: runbookFromAws(plan.actions),
    pagerDuty: pagerDutyFromAws(plan.integrations),
    tags: sortedMap(userTags),
  };
}

// ---- canonical → AWS shapes (shared by create and update) ----

export function notificationTargetsToAws(arns: readonly string[]): NotificationTargetItem[] {
  return arns.map((snsTopicArn) => ({ snsTopicArn }));
}

/**
 * The runbook as an `actions` entry. `explicitTarget` sends the target account even when it is the
 * default: needed on update, where a default left out would keep a non-default AWS value.
 */
export function runbookToAws(r: RunbookState, explicitTarget: boolean): Action {
  const dynamic: Record<string, DynamicSsmParameterValue> = {};
  for (const [k, v] of Object.entries(r.dynamicParameters))
    dynamic[k] = { variable: DYNAMIC_PARAMETER_TO_AWS[v] as VariableType };
  const sendTarget = explicitTarget || r.targetAccount !== 'ResponsePlanOwnerAccount';
  return {
    ssmAutomation: {
      roleArn: r.roleArn,
      documentName: r.documentName,
      ...(r.documentVersion ? { documentVersion: r.documentVersion } : {}),
      ...(sendTarget ? { targetAccount: TARGET_ACCOUNT_TO_AWS[r.targetAccount] } : {}),
      // Empty maps are invalid (length ≥ 1): leave them out.
      ...(Object.keys(r.parameters).length ? { parameters: r.parameters } : {}),
      ...(Object.keys(dynamic).length ? { dynamicParameters: dynamic } : {}),
    },
  };
}

export function pagerDutyToAws(p: PagerDutyState): Integration {
  return {
    pagerDutyConfiguration: {
      name: p.name,
      secretId: p.secretId,
      pagerDutyIncidentConfiguration: { serviceId: p.serviceId },
    },
  };
}

/**
 * CreateResponsePlan input. Empty strings, lists and maps are left out (TagMap and the runbook maps
 * are length ≥ 1 on create), so that AWS reads back as the YAML was written. `extraTags` are the
 * controller's identity tags.
 */
export function createInput(
  d: PlanState,
  clientToken: string,
  extraTags: Record<string, string>,
  /** The spec names the runbook's target account: send it even when it is the default. */
  explicitTargetAccount = false,
): CreateResponsePlanCommandInput {
  const tags = { ...d.tags, ...extraTags };
  const t = d;
  return {
    clientToken,
    name: d.name,
    ...(d.displayName ? { displayName: d.displayName } : {}),
    incidentTemplate: {
      title: t.title,
      impact: t.impact,
      ...(t.summary ? { summary: t.summary } : {}),
      ...(t.dedupeString ? { dedupeString: t.dedupeString } : {}),
      ...(Object.keys(t.incidentTags).length ? { incidentTags: t.incidentTags } : {}),
      ...(t.notificationTargets.length
        ? { notificationTargets: notificationTargetsToAws(t.notificationTargets) }
        : {}),
    },
    ...(d.chatChannel ? { chatChannel: { chatbotSns: d.chatChannel } } : {}),
    ...(d.engagements.length ? { engagements: d.engagements } : {}),
    ...(d.runbook ? { actions: [runbookToAws(d.runbook, explicitTargetAccount)] } : {}),
    ...(d.pagerDuty ? { integrations: [pagerDutyToAws(d.pagerDuty)] } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
  };
}
