// Contact's own conditions, from the desired state (spec + what the Secrets hold) and what AWS
// shows. A channel that cannot page is the channel's problem: it is said here, per channel and with
// the fix, while Ready stays about the contact itself and referrers go on using it.
import type { KindCondition } from '../../engine/contract.ts';
import type { ReasonName } from '../../engine/reasons.ts';
import { matchChannels } from './diff.ts';
import type { ChannelState, ContactState } from './mapping.ts';
import { timeZoneAdvice } from './time-zones.ts';

type ChannelReason = Extract<
  ReasonName,
  'ActivationCodeRejected' | 'ActivationSecretNotFound' | 'ChannelDeactivated' | 'ChannelNotActivated'
>;

/** The reason of the condition when several channels have problems: the one the user must fix first. */
const PRIORITY: readonly ChannelReason[] = [
  'ActivationCodeRejected',
  'ActivationSecretNotFound',
  'ChannelDeactivated',
  'ChannelNotActivated',
];

/** Why one channel is not activated, and what to do, in the user's terms; never the code. */
export function channelProblem(
  d: ChannelState,
  o: ChannelState,
  index: number,
): { reason: ChannelReason; message: string } {
  const at = `spec.channels[${index}] ${d.name}`;
  const c = d.code;
  const where = c ? `Secret ${c.secret} key ${c.key}` : '';
  const newCode = `aws ssm-contacts send-activation-code --contact-channel-id ${o.arn ?? ''}`;
  if (c?.missing)
    return {
      reason: 'ActivationSecretNotFound',
      message: `${at}: activationCodeSecretRef names ${
        c.missing === 'secret'
          ? `Secret ${c.secret}, which does not exist`
          : `key ${c.key} that Secret ${c.secret} does not have`
      }; create it with the code the device received under key ${c.key}`,
    };
  if (c?.settled === 'rejected')
    return {
      reason: 'ActivationCodeRejected',
      message: `${at}: AWS rejected the activation code in ${where}; it is not sent again until that value changes: put the code the device received there`,
    };
  if (c?.settled === 'used')
    return {
      reason: 'ChannelDeactivated',
      message: `${at}: was activated and is not any more (the recipient replied UNSUBSCRIBE, or the address changed); the used code in ${where} is not sent again: the person replies START, or request a new code (${newCode}) and put it there`,
    };
  const waiting = d.deferActivation
    ? `activation deferred: request a code (${newCode})`
    : 'waiting for the code sent to the device';
  return {
    reason: 'ChannelNotActivated',
    message: `${at}: not activated, Incident Manager skips it; ${waiting} and ${
      c ? `put it in ${where}` : 'enter it in the console, or name a Secret in activationCodeSecretRef'
    }`,
  };
}

function channelsActivated(desired: ContactState, observed: ContactState): KindCondition {
  const problems = matchChannels(desired.channels, observed.channels)
    .pairs.map(({ d, o }, i) =>
      o && o.activationStatus !== 'ACTIVATED' ? channelProblem(d, o, i) : undefined,
    )
    .filter((p) => p !== undefined);
  if (problems.length === 0)
    return {
      type: 'ChannelsActivated',
      status: 'True',
      reason: 'AllChannelsActivated',
      message: 'Every channel is activated',
    };
  const reason = PRIORITY.find((r) => problems.some((p) => p.reason === r)) ?? 'ChannelNotActivated';
  return {
    type: 'ChannelsActivated',
    status: 'False',
    reason,
    message: problems.map((p) => p.message).join('; '),
  };
}

function engageable(desired: ContactState, observed: ContactState): KindCondition {
  const no = (reason: 'NoEngagementPlan' | 'NoActivatedChannel', message: string): KindCondition => ({
    type: 'Engageable',
    status: 'False',
    reason,
    message,
  });
  if (desired.stages.length === 0)
    return no(
      'NoEngagementPlan',
      'The contact has no engagementPlan: Incident Manager cannot engage it (directly, through an escalation plan, or when on call) until spec.engagementPlan names at least one channel',
    );
  // Desired channel targets name channels by name (mapping.ts).
  const named = new Set(
    desired.stages.flatMap((s) => s.targets.filter((t) => t.type === 'channel').map((t) => t.arn)),
  );
  const activated = observed.channels.filter((c) => named.has(c.name) && c.activationStatus === 'ACTIVATED');
  if (activated.length === 0)
    return no(
      'NoActivatedChannel',
      `None of the channels the engagementPlan names (${[...named].join(', ')}) is activated: an engagement reaches nobody until one is (see ChannelsActivated)`,
    );
  return {
    type: 'Engageable',
    status: 'True',
    reason: 'Engageable',
    message: `Engaged through ${activated.map((c) => c.name).join(', ')}`,
  };
}

/** The Contact kind's conditions for this visit (KindHandler.conditions). */
export function contactConditions(desired: ContactState, observed: ContactState): KindCondition[] {
  if (desired.type !== observed.type) return [];
  if (desired.type === 'PERSONAL')
    return [
      ...(desired.channels.length > 0 ? [channelsActivated(desired, observed)] : []),
      engageable(desired, observed),
    ];
  if (desired.type === 'ONCALL_SCHEDULE' && observed.timeZones) return [timeZoneAdvice(observed.timeZones)];
  return [];
}
