// Contact (personal contact or on-call schedule): the kind's canonical observed state → spec.
// Channels by name (sorted), the engagement plan naming channels by name, rotations as references.
// Activation codes are never read nor written: each channel's activation state becomes a comment.
import type { ContactState } from '../controllers/contact/mapping.ts';
import { CHANNEL_TYPE_FROM_AWS, type ContactSpec } from '../crds/contact.ts';
import type { RefTable } from './refs.ts';

export interface Imported<S> {
  spec: S;
  /** YAML comments: path in the object (e.g. ['spec','channels',0]) → text. */
  comments: { path: (string | number)[]; text: string }[];
}

const ACTIVATION: Record<string, string> = {
  ACTIVATED: 'activation: Activated',
  NOT_ACTIVATED:
    'activation: NotActivated (never engaged until activated: put the code the device received into a Secret and set activationCodeSecretRef)',
};

export function contactSpec(o: ContactState, refs: RefTable): Imported<ContactSpec> {
  const comments: Imported<ContactSpec>['comments'] = [];
  const base = {
    alias: o.alias,
    ...(o.displayName ? { displayName: o.displayName } : {}),
  };
  const tags = Object.keys(o.tags).length ? { tags: sortedTags(o.tags) } : {};
  if (o.type === 'ONCALL_SCHEDULE')
    return {
      spec: {
        ...base,
        type: 'OnCallSchedule',
        rotations: o.rotationIds.map((id) => refs.rotation(id)),
        ...tags,
      },
      comments,
    };
  // A channel name twice in AWS cannot be said in the spec (channels are keyed by name): the first stays.
  const seen = new Set<string>();
  const channels = [...o.channels]
    .filter((c) => !seen.has(c.name) && seen.add(c.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const nameOf = new Map(o.channels.map((c) => [c.arn ?? '', c.name]));
  channels.forEach((c, i) => {
    comments.push({
      path: ['spec', 'channels', i],
      text: ACTIVATION[c.activationStatus ?? 'NOT_ACTIVATED'] ?? '',
    });
  });
  const stages = o.stages.map((st, i) => {
    const targets = st.targets.flatMap((t) => {
      const channelName = nameOf.get(t.arn);
      if (t.type === 'channel' && channelName !== undefined)
        return [
          {
            channelName,
            ...(t.retryIntervalInMinutes === undefined
              ? {}
              : { retryIntervalInMinutes: t.retryIntervalInMinutes }),
          },
        ];
      comments.push({
        path: ['spec', 'engagementPlan', 'stages', i],
        text: `AWS names ${t.arn} here, which is not a channel of this contact (deleted?): left out`,
      });
      return [];
    });
    return { durationInMinutes: st.durationInMinutes, targets };
  });
  return {
    spec: {
      ...base,
      type: 'Personal',
      channels: channels.map((c) => ({
        name: c.name,
        type: CHANNEL_TYPE_FROM_AWS[c.type],
        address: c.address,
      })),
      ...(stages.length ? { engagementPlan: { stages } } : {}),
      ...tags,
    },
    comments,
  };
}

export function sortedTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k] as string;
  return out;
}
