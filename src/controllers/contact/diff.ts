// Contact: the pure diff (spec paths) and the ordered plan of AWS writes that fixes it. Channels
// are matched by name; a channel whose type differs is replaced (AWS cannot change a type in
// place); the engagement plan is written once, after every channel it names exists.
import type { FieldDiff } from '../../engine/contract.ts';
import { diffStages } from '../shared/contact-plan.ts';
import { diffTags, tagDelta } from '../shared/contacts-tags.ts';
import { type ChannelState, type ContactState, resolveStages } from './mapping.ts';

export interface ChannelPair {
  d: ChannelState;
  o: ChannelState | undefined;
}

/** Pairs desired channels with observed ones by name (first match wins); the rest of AWS is extra. */
export function matchChannels(
  desired: readonly ChannelState[],
  observed: readonly ChannelState[],
): { pairs: ChannelPair[]; extra: ChannelState[] } {
  const left = [...observed];
  const pairs = desired.map((d) => {
    const i = left.findIndex((o) => o.name === d.name);
    const o = i >= 0 ? left.splice(i, 1)[0] : undefined;
    return { d, o };
  });
  return { pairs, extra: left };
}

/**
 * An activation attempt is due: the channel exists, unchanged, not activated, and its Secret holds
 * a code that was neither used, nor there before AWS sent one, nor rejected (the ChannelsActivated
 * condition keeps saying so; nothing is sent until the Secret changes).
 */
export function activationDue(d: ChannelState, o: ChannelState | undefined): boolean {
  if (!o || o.type !== d.type || o.address !== d.address) return false;
  const c = d.code;
  return o.activationStatus !== 'ACTIVATED' && c?.fingerprint !== undefined && c.settled === undefined;
}

/** Desired stages in ARN terms, channel names looked up among the observed channels. */
export function desiredStagesAsObserved(desired: ContactState, observed: ContactState) {
  const { pairs } = matchChannels(desired.channels, observed.channels);
  const arns = new Map(pairs.filter((p) => p.o?.type === p.d.type).map((p) => [p.d.name, p.o?.arn]));
  // A channel still to be created (or replaced) has no ARN yet: its name stays and differs.
  return resolveStages(desired.stages, (name) => arns.get(name));
}

export function diff(desired: ContactState, observed: ContactState): FieldDiff[] {
  const out: FieldDiff[] = [];
  const push = (path: string, d: unknown, o: unknown, updatable = true) =>
    out.push({ path, desired: d, observed: o, updatable });
  if (desired.alias !== observed.alias) push('spec.alias', desired.alias, observed.alias, false);
  if (desired.type !== observed.type) push('spec.type', desired.type, observed.type, false);
  if (desired.displayName !== observed.displayName)
    push('spec.displayName', desired.displayName, observed.displayName);

  if (desired.type === 'PERSONAL' && observed.type === 'PERSONAL') {
    const { pairs, extra } = matchChannels(desired.channels, observed.channels);
    pairs.forEach(({ d, o }, i) => {
      const at = `spec.channels[${i}]`;
      if (!o) push(at, d.name, undefined);
      else if (o.type !== d.type) push(`${at}.type`, d.type, o.type);
      else {
        if (o.address !== d.address) push(`${at}.address`, d.address, o.address);
        // The value is a marker, never the code.
        if (activationDue(d, o)) push(`${at}.activationCodeSecretRef`, 'Activated', o.activationStatus);
      }
    });
    for (const o of extra) push(`spec.channels[name=${o.name}]`, undefined, o.name);
    out.push(
      ...diffStages(
        desiredStagesAsObserved(desired, observed),
        observed.stages,
        'spec.engagementPlan.stages',
      ),
    );
  }
  if (desired.type === 'ONCALL_SCHEDULE' && !sameList(desired.rotationIds, observed.rotationIds))
    push('spec.rotations', desired.rotationIds, observed.rotationIds);
  out.push(...diffTags(desired.tags, observed.tags));
  return out;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

// ---- the plan of AWS writes ----

export type ContactCall =
  | { op: 'DeleteContactChannel'; name: string; arn: string; why: 'extra' | 'replace' }
  | { op: 'CreateContactChannel'; channel: ChannelState; replaces?: ChannelState['type'] }
  | { op: 'UpdateContactChannel'; channel: ChannelState; arn: string }
  | { op: 'UpdateContact'; displayName?: string; plan: boolean }
  | { op: 'TagResource'; tags: Record<string, string> }
  | { op: 'UntagResource'; keys: string[] }
  | { op: 'ActivateContactChannel'; channel: ChannelState; arn: string };

/**
 * Ordered writes: channels first (a replacement deletes before it creates, since a channel name may
 * have to be unique), then at most one UpdateContact (display name and/or plan; the plan is
 * resolved to channel ARNs by the client once they exist), then channels no longer wanted (after
 * the plan stops naming them), tags, and activations.
 */
export function planUpdate(desired: ContactState, observed: ContactState): ContactCall[] {
  const calls: ContactCall[] = [];
  const personal = desired.type === 'PERSONAL';
  const { pairs, extra } = personal
    ? matchChannels(desired.channels, observed.channels)
    : { pairs: [], extra: [] };
  for (const { d, o } of pairs) {
    if (!o) calls.push({ op: 'CreateContactChannel', channel: d });
    else if (o.type !== d.type) {
      calls.push({ op: 'DeleteContactChannel', name: o.name, arn: o.arn ?? '', why: 'replace' });
      calls.push({ op: 'CreateContactChannel', channel: d, replaces: o.type });
    } else if (o.address !== d.address)
      calls.push({ op: 'UpdateContactChannel', channel: d, arn: o.arn ?? '' });
  }
  const nameChanged = desired.displayName !== observed.displayName;
  const planChanged = personal
    ? diffStages(desiredStagesAsObserved(desired, observed), observed.stages).length > 0
    : desired.type === 'ONCALL_SCHEDULE' && !sameList(desired.rotationIds, observed.rotationIds);
  if (nameChanged || planChanged)
    calls.push({
      op: 'UpdateContact',
      ...(nameChanged ? { displayName: desired.displayName } : {}),
      plan: planChanged,
    });
  for (const o of extra)
    calls.push({ op: 'DeleteContactChannel', name: o.name, arn: o.arn ?? '', why: 'extra' });

  const tags = tagDelta(desired.tags, observed.tags);
  if (Object.keys(tags.set).length > 0) calls.push({ op: 'TagResource', tags: tags.set });
  if (tags.remove.length > 0) calls.push({ op: 'UntagResource', keys: tags.remove });

  for (const { d, o } of pairs)
    if (o && activationDue(d, o)) calls.push({ op: 'ActivateContactChannel', channel: d, arn: o.arn ?? '' });
  return calls;
}
