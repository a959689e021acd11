// The `Plan.Stages` of an ssm-contacts contact, in one canonical form for every contact type: an
// escalation plan's stages target contacts (ContactTargetInfo), a personal contact's engagement plan
// targets channels (ChannelTargetInfo). Pure: mapping both ways and a diff in spec paths.
import type { Stage, Target } from '@aws-sdk/client-ssm-contacts';
import type { FieldDiff } from '../../engine/contract.ts';

/** One engaged target, with its ARN already resolved (contact or contact channel). */
export type PlanTarget =
  | { type: 'contact'; arn: string; isEssential: boolean }
  | { type: 'channel'; arn: string; retryIntervalInMinutes?: number };

export interface PlanStage {
  durationInMinutes: number;
  targets: PlanTarget[];
}

export const contactTarget = (arn: string, isEssential = false): PlanTarget => ({
  type: 'contact',
  arn,
  isEssential,
});

export const channelTarget = (arn: string, retryIntervalInMinutes?: number): PlanTarget =>
  retryIntervalInMinutes === undefined
    ? { type: 'channel', arn }
    : { type: 'channel', arn, retryIntervalInMinutes };

// ---- canonical → AWS ----

export function targetToAws(t: PlanTarget): Target {
  if (t.type === 'contact') return { ContactTargetInfo: { ContactId: t.arn, IsEssential: t.isEssential } };
  return {
    ChannelTargetInfo: {
      ContactChannelId: t.arn,
      ...(t.retryIntervalInMinutes === undefined ? {} : { RetryIntervalInMinutes: t.retryIntervalInMinutes }),
    },
  };
}

export function stagesToAws(stages: readonly PlanStage[]): Stage[] {
  return stages.map((s) => ({ DurationInMinutes: s.durationInMinutes, Targets: s.targets.map(targetToAws) }));
}

// ---- AWS → canonical ----

/** A target as AWS returns it; `IsEssential` absent reads as false (it is required on write). */
export function targetFromAws(t: Target): PlanTarget {
  if (t.ContactTargetInfo)
    return contactTarget(t.ContactTargetInfo.ContactId ?? '', t.ContactTargetInfo.IsEssential ?? false);
  return channelTarget(
    t.ChannelTargetInfo?.ContactChannelId ?? '',
    t.ChannelTargetInfo?.RetryIntervalInMinutes,
  );
}

export function stagesFromAws(stages: readonly Stage[] | undefined): PlanStage[] {
  return (stages ?? []).map((s) => ({
    durationInMinutes: s.DurationInMinutes ?? 0,
    targets: (s.Targets ?? []).map(targetFromAws),
  }));
}

/** The target ARNs stage by stage (for status). */
export function stageTargetArns(stages: readonly PlanStage[]): string[][] {
  return stages.map((s) => s.targets.map((t) => t.arn));
}

// ---- diff ----

const targetKey = (t: PlanTarget) => `${t.type}:${t.arn}`;

/** Attribute differences of two targets with the same key: [field, desired, observed][]. */
function attributeDiffs(d: PlanTarget, o: PlanTarget): [string, unknown, unknown][] {
  if (d.type === 'contact' && o.type === 'contact')
    return d.isEssential === o.isEssential ? [] : [['isEssential', d.isEssential, o.isEssential]];
  if (d.type === 'channel' && o.type === 'channel')
    return d.retryIntervalInMinutes === o.retryIntervalInMinutes
      ? []
      : [['retryIntervalInMinutes', d.retryIntervalInMinutes, o.retryIntervalInMinutes]];
  return [];
}

const sortedKeys = (ts: readonly PlanTarget[]) => ts.map(targetKey).sort();

/**
 * Differences between desired and observed stages, with paths under `prefix` (e.g. `spec.stages`,
 * `spec.engagementPlan.stages`). Stage order matters (it is time); the order of targets within a
 * stage does not (they are engaged together), so a reordered stage is no difference. Paths:
 * `prefix[i]` for an added/removed stage, `prefix[i].durationInMinutes`, `prefix[i].targets` when
 * the set of targets differs, `prefix[i].targets[j].<field>` when only a target's flag differs
 * (j is the index in the desired stage).
 */
export function diffStages(
  desired: readonly PlanStage[],
  observed: readonly PlanStage[],
  prefix = 'spec.stages',
): FieldDiff[] {
  const out: FieldDiff[] = [];
  const n = Math.max(desired.length, observed.length);
  for (let i = 0; i < n; i++) {
    const d = desired[i];
    const o = observed[i];
    const at = `${prefix}[${i}]`;
    if (!d || !o) {
      out.push({ path: at, desired: d, observed: o, updatable: true });
      continue;
    }
    if (d.durationInMinutes !== o.durationInMinutes)
      out.push({
        path: `${at}.durationInMinutes`,
        desired: d.durationInMinutes,
        observed: o.durationInMinutes,
        updatable: true,
      });
    const dk = sortedKeys(d.targets);
    const ok = sortedKeys(o.targets);
    if (dk.length !== ok.length || dk.some((k, j) => k !== ok[j])) {
      out.push({ path: `${at}.targets`, desired: d.targets, observed: o.targets, updatable: true });
      continue;
    }
    const pool = [...o.targets];
    d.targets.forEach((dt, j) => {
      const idx = pool.findIndex((ot) => targetKey(ot) === targetKey(dt));
      const [ot] = pool.splice(idx, 1);
      if (!ot) return;
      for (const [field, dv, ov] of attributeDiffs(dt, ot))
        out.push({ path: `${at}.targets[${j}].${field}`, desired: dv, observed: ov, updatable: true });
    });
  }
  return out;
}
