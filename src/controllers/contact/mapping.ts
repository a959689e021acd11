// Contact (Personal / OnCallSchedule): pure mapping between the spec, the canonical form both sides
// are compared in, and the ssm-contacts shapes. Channels are keyed by name; the engagement plan is
// kept by channel *name* so the desired plan exists before AWS has given the channels their ARNs.
import type { ContactChannel, GetContactCommandOutput, Plan } from '@aws-sdk/client-ssm-contacts';
import type { Contact } from '../../crds/contact.ts';
import {
  ACTIVATION_STATUS_FROM_AWS,
  CHANNEL_TYPE_FROM_AWS,
  CHANNEL_TYPE_TO_AWS,
  CONTACT_TYPE_TO_AWS,
} from '../../crds/values.ts';
import { channelTarget, type PlanStage, stagesFromAws, stagesToAws } from '../shared/contact-plan.ts';
import { userTags } from '../shared/contacts-tags.ts';
import type { RotationZones } from './time-zones.ts';

export type AwsChannelType = 'SMS' | 'VOICE' | 'EMAIL';
export type AwsActivation = 'ACTIVATED' | 'NOT_ACTIVATED';

/** Where a channel's activation code lives, and what the controller may do with it. */
export interface CodeState {
  /** `namespace/name` of the Secret and the key in it. */
  secret: string;
  key: string;
  /** Salted fingerprint of a well-formed code (6–10 digits) in the Secret; never the code itself. */
  fingerprint?: string;
  /** This fingerprint was already used, predates the channel, or was rejected by AWS. */
  settled?: 'used' | 'predates' | 'rejected';
  /** The Secret, or the key in it, does not exist. */
  missing?: 'secret' | 'key';
  /** The Secret's resourceVersion (not secret: it says when the value changed, not what it is). */
  version?: string;
}

export interface ChannelState {
  name: string;
  type: AwsChannelType;
  address: string;
  /** Observed only. */
  arn?: string;
  activationStatus?: AwsActivation;
  /** Observed only: the activation Secret's resourceVersion when last seen activated (status). */
  codeVersion?: string;
  /** Desired only. */
  deferActivation?: boolean;
  code?: CodeState;
}

export interface Shift {
  rotationArn: string;
  contactArns: string[];
  start: string;
  end: string;
}

export interface OnCallState {
  now: { rotationArn: string; contactArns: string[]; until: string }[];
  next: { time: string; rotationArn: string; contactArns: string[] }[];
}

export interface ContactState {
  /** Observed only: the contact's ARN. */
  arn?: string;
  alias: string;
  type: 'PERSONAL' | 'ONCALL_SCHEDULE' | 'ESCALATION';
  /** '' when absent: empty ≡ absent. */
  displayName: string;
  tags: Record<string, string>;
  /** Spec order (desired); AWS order (observed, may hold duplicates of a name). */
  channels: ChannelState[];
  /**
   * Engagement plan. Channel targets name channels by *name* in the desired state (ARNs do not exist
   * before the channels do) and by ARN in the observed state; `resolveStages` turns names into ARNs.
   */
  stages: PlanStage[];
  /** OnCallSchedule: rotation ARNs in order. */
  rotationIds: string[];
  /** Observed only (OnCallSchedule). */
  onCall?: OnCallState;
  /** Observed only (OnCallSchedule): each rotation's time zone. */
  timeZones?: RotationZones;
  /** Observed only: when this controller last had a code sent (status.lastActivationCodeSentTime). */
  codeSentAt?: string;
}

/** Spec path of a reference, shared by `references()` and `toDesired`. */
export const rotationPath = (i: number): string => `spec.rotations[${i}]`;
export const secretPath = (i: number): string => `spec.channels[${i}].activationCodeSecretRef`;

export interface CodeSource {
  /** The code state of a channel, from its Secret (read by the caller through the informer cache). */
  code(mr: Contact, channelName: string, ref: { name: string; key?: string }): CodeState;
}

/** Spec + resolved references (+ Secrets through `codes`) → canonical desired state. */
export function toDesired(
  mr: Contact,
  refs: ReadonlyMap<string, string>,
  codes: CodeSource,
  writes: boolean,
): ContactState {
  const s = mr.spec;
  const type = CONTACT_TYPE_TO_AWS[s.type];
  // Spec order is kept so that diff paths can name spec indices; matching is by name.
  const channels: ChannelState[] = (s.channels ?? []).map((c) => {
    const ch: ChannelState = {
      name: c.name,
      type: CHANNEL_TYPE_TO_AWS[c.type],
      address: c.address,
      deferActivation: c.deferActivation ?? false,
    };
    // Activating is a write: a pass that only reads never tries a code, so a code is no drift.
    if (c.activationCodeSecretRef && writes) ch.code = codes.code(mr, c.name, c.activationCodeSecretRef);
    return ch;
  });
  const stages: PlanStage[] = (s.engagementPlan?.stages ?? []).map((st) => ({
    durationInMinutes: st.durationInMinutes,
    targets: st.targets.map((t) => channelTarget(t.channelName, t.retryIntervalInMinutes)),
  }));
  const rotationIds = (s.rotations ?? []).map((r, i) => refs.get(rotationPath(i)) ?? r.rotationArn ?? '');
  return {
    alias: s.alias,
    type,
    displayName: s.displayName ?? '',
    tags: { ...(s.tags ?? {}) },
    channels,
    stages,
    rotationIds,
  };
}

// ---- AWS → canonical ----

export function fromAws(
  c: GetContactCommandOutput,
  channels: readonly ContactChannel[],
  tags: Record<string, string>,
): ContactState {
  return {
    arn: c.ContactArn ?? '',
    alias: c.Alias ?? '',
    type: (c.Type ?? 'PERSONAL') as ContactState['type'],
    displayName: c.DisplayName ?? '',
    tags: userTags(tags),
    channels: channels.map((ch) => ({
      name: ch.Name ?? '',
      type: (ch.Type ?? 'EMAIL') as AwsChannelType,
      address: ch.DeliveryAddress?.SimpleAddress ?? '',
      arn: ch.ContactChannelArn ?? '',
      activationStatus: (ch.ActivationStatus ?? 'NOT_ACTIVATED') as AwsActivation,
    })),
    stages: stagesFromAws(c.Plan?.Stages),
    rotationIds: [...(c.Plan?.RotationIds ?? [])],
  };
}

// ---- canonical → AWS ----

/** Desired stages with channel names replaced by ARNs (`arnOf`); an unknown name stays as is. */
export function resolveStages(
  stages: readonly PlanStage[],
  arnOf: (name: string) => string | undefined,
): PlanStage[] {
  return stages.map((st) => ({
    durationInMinutes: st.durationInMinutes,
    targets: st.targets.map((t) =>
      t.type === 'channel' ? channelTarget(arnOf(t.arn) ?? t.arn, t.retryIntervalInMinutes) : t,
    ),
  }));
}

/** The plan AWS stores: stages naming channel ARNs, or the on-call schedule's rotation ids. */
export function toAwsPlan(d: ContactState, arnOf: (name: string) => string | undefined): Plan {
  if (d.type === 'ONCALL_SCHEDULE') return { Stages: [], RotationIds: [...d.rotationIds] };
  return { Stages: stagesToAws(resolveStages(d.stages, arnOf)) };
}

// ---- on-call schedule status from rotation shifts ----

/** Who is on call at `nowMs` (per rotation) and the next `count` hand-offs across all rotations. */
export function onCallFrom(shifts: readonly Shift[], nowMs: number, count = 3): OnCallState {
  const now = shifts
    .filter((s) => Date.parse(s.start) <= nowMs && nowMs < Date.parse(s.end))
    .map((s) => ({ rotationArn: s.rotationArn, contactArns: [...s.contactArns], until: s.end }));
  const next = shifts
    .filter((s) => Date.parse(s.start) > nowMs)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || cmp(a.rotationArn, b.rotationArn))
    .slice(0, count)
    .map((s) => ({ time: s.start, rotationArn: s.rotationArn, contactArns: [...s.contactArns] }));
  return { now, next };
}

/** Status fields the Contact schema declares; never a code. */
export function observedStatus(o: ContactState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o.type === 'PERSONAL') {
    const seen = new Set<string>();
    // status.channels is keyed by name: a duplicate name in AWS shows once (the first, as matched).
    out.channels = o.channels
      .filter((c) => !seen.has(c.name) && seen.add(c.name))
      .slice(0, 20)
      .map((c) => ({
        name: c.name,
        ...(c.arn ? { arn: c.arn } : {}),
        type: CHANNEL_TYPE_FROM_AWS[c.type] ?? c.type,
        activationStatus: ACTIVATION_STATUS_FROM_AWS[c.activationStatus ?? 'NOT_ACTIVATED'],
        ...(c.codeVersion ? { activationCodeVersion: c.codeVersion } : {}),
      }))
      .sort((a, b) => cmp(a.name, b.name));
  }
  if (o.type === 'ONCALL_SCHEDULE') {
    // Bounded as the status schema is (8 rotations per schedule), whatever AWS holds.
    out.rotationArns = o.rotationIds.slice(0, 8);
    out.onCallNow = (o.onCall?.now ?? []).slice(0, 8);
    out.nextHandOffs = (o.onCall?.next ?? []).slice(0, 3);
  }
  if (o.codeSentAt) out.lastActivationCodeSentTime = o.codeSentAt;
  return out;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
