// Contact: a personal contact (channels + engagement plan) or an on-call schedule (ordered rotations).
// Both are ssm-contacts contacts; the `type` field decides which fields apply (CEL-enforced).
import {
  commonStatusProperties,
  contactsTags,
  exactlyOne,
  type ManagedResource,
  managedSpecProperties,
  objectRef,
  sharing,
  sharingStatus,
} from './common.ts';
import {
  bool,
  celRule,
  enumOf,
  immutable,
  int,
  list,
  obj,
  optional,
  type Static,
  str,
  timestamp,
} from './schema-kit.ts';

export {
  ACTIVATION_STATUS_FROM_AWS,
  ACTIVATION_STATUS_TO_AWS,
  CHANNEL_TYPE_FROM_AWS,
  CHANNEL_TYPE_TO_AWS,
  CONTACT_TYPE_FROM_AWS,
  CONTACT_TYPE_TO_AWS,
} from './values.ts';

export const CONTACT_TYPES = ['Personal', 'OnCallSchedule'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];

export const CHANNEL_TYPES = ['SMS', 'Voice', 'Email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const ACTIVATION_STATUSES = ['Activated', 'NotActivated'] as const;
export type ActivationStatus = (typeof ACTIVATION_STATUSES)[number];

export const CONTACT_ALIAS_PATTERN = '^[a-z0-9_-]*$';
export const CONTACT_DISPLAY_NAME_PATTERN = '^[\\p{L}\\p{Z}\\p{N}_.\\-]*$';
/** `+`, country code and subscriber number: 9–15 characters in total. */
export const PHONE_PATTERN = '^\\+[0-9]{8,14}$';
export const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';

export function contactAlias(what: string) {
  return str({
    description: `Alias of the ${what}: unique in the Region, lowercase letters, digits, _ and -; immutable.`,
    minLength: 1,
    maxLength: 255,
    pattern: CONTACT_ALIAS_PATTERN,
    rules: [immutable('alias')],
  });
}

export function contactDisplayName(what: string) {
  return str({
    description: `Display name of the ${what}: letters, spaces, digits, _ . and -.`,
    maxLength: 255,
    pattern: CONTACT_DISPLAY_NAME_PATTERN,
  });
}

/** Stage duration in minutes (0–30): the wait before the next stage starts. */
export const stageDuration = int({
  description: 'Minutes to wait before the next stage starts (0–30); 0 only when the stage has targets.',
  minimum: 0,
  maximum: 30,
});

const secretKeyRef = obj(
  {
    name: str({
      description: "Name of the Secret in the Contact's namespace.",
      minLength: 1,
      maxLength: 253,
    }),
    key: str({
      description: 'Key in the Secret holding the 6–10 digit activation code.',
      minLength: 1,
      maxLength: 253,
      pattern: '^[-._a-zA-Z0-9]+$',
      default: 'activationCode',
    }),
  },
  { description: 'Secret key holding the activation code; the code itself never appears in the Contact.' },
);

const channel = obj(
  {
    name: str({
      description: 'Name of the channel, unique within the contact; referenced by engagement-plan targets.',
      minLength: 1,
      maxLength: 255,
      pattern: CONTACT_DISPLAY_NAME_PATTERN,
    }),
    type: enumOf(CHANNEL_TYPES, { description: 'SMS, Voice or Email; immutable per channel.' }),
    address: str({
      description:
        'Phone number in E.164 form (+ and 8–14 digits) for SMS and Voice; an email address for Email.',
      minLength: 1,
      maxLength: 320,
    }),
    activationCodeSecretRef: optional(secretKeyRef),
    deferActivation: optional(
      bool({
        description: 'Do not send an activation code when the channel is created (send it later).',
        default: false,
      }),
    ),
  },
  {
    description: 'A contact channel: a device Incident Manager can engage.',
    rules: [
      celRule(
        "self.type == 'Email' ? self.address.matches('^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$') : self.address.matches('^\\\\+[0-9]{8,14}$')",
        'address must be an email address for Email channels and + followed by 8–14 digits (9–15 characters) for SMS and Voice',
      ),
      celRule('self.type == oldSelf.type', 'channel type is immutable: remove the channel and add a new one'),
    ],
  },
);

const channelTarget = obj(
  {
    channelName: str({ description: 'Name of a channel of this contact.', minLength: 1, maxLength: 255 }),
    retryIntervalInMinutes: optional(
      int({
        description: 'Minutes before re-sending if delivery initially failed (0–60).',
        minimum: 0,
        maximum: 60,
      }),
    ),
  },
  { description: 'A channel engaged in this stage.' },
);

const engagementStage = obj(
  {
    durationInMinutes: stageDuration,
    targets: list(channelTarget, {
      description: 'Channels engaged when the stage starts.',
      maxItems: 10,
      listType: 'atomic',
    }),
  },
  {
    description: 'One stage of the engagement plan.',
    rules: [
      celRule(
        'self.durationInMinutes > 0 || size(self.targets) > 0',
        'a stage with durationInMinutes 0 must have at least one target',
      ),
    ],
  },
);

const engagementPlan = obj(
  {
    stages: list(engagementStage, {
      description: 'Ordered stages; a channel may appear in several stages.',
      minItems: 1,
      maxItems: 10,
      listType: 'atomic',
    }),
  },
  { description: 'When each channel is engaged, relative to the start of an engagement.' },
);

const rotationEntry = obj(
  {
    rotationRef: optional(objectRef('Rotation')),
    rotationArn: optional(
      str({
        description: 'ARN of an existing rotation not managed here.',
        minLength: 1,
        maxLength: 2048,
        pattern: '^arn:aws(-cn|-us-gov)?:ssm-contacts:[-\\w+=/,.@]*:[0-9]+:rotation/.+$',
      }),
    ),
  },
  {
    description: 'A rotation of the on-call schedule.',
    rules: [exactlyOne(['rotationRef', 'rotationArn'], 'each rotation entry')],
  },
);

export const ContactSpecSchema = obj(
  {
    alias: contactAlias('contact'),
    displayName: optional(contactDisplayName('contact')),
    type: enumOf(CONTACT_TYPES, {
      description: 'Personal (a responder) or OnCallSchedule (ordered rotations); immutable.',
      rules: [immutable('type')],
    }),
    channels: optional(
      list(channel, {
        description: 'Personal contacts only: devices to engage. Use two or more of different types.',
        maxItems: 20,
        listType: 'map',
        mapKeys: ['name'],
      }),
    ),
    engagementPlan: optional(engagementPlan),
    rotations: optional(
      list(rotationEntry, {
        description: 'OnCallSchedule only: the rotations, in order (at most 8).',
        minItems: 1,
        maxItems: 8,
        listType: 'atomic',
      }),
    ),
    tags: optional(contactsTags),
    sharing: optional(sharing),
    ...managedSpecProperties('Delete'),
  },
  {
    description: 'Desired state of the contact.',
    rules: [
      celRule(
        "self.type != 'Personal' || !has(self.rotations)",
        'rotations are only allowed when type is OnCallSchedule',
      ),
      celRule(
        "self.type != 'OnCallSchedule' || (!has(self.channels) && !has(self.engagementPlan))",
        'channels and engagementPlan are only allowed when type is Personal',
      ),
      celRule("self.type != 'OnCallSchedule' || has(self.rotations)", 'an OnCallSchedule needs rotations'),
      celRule(
        '!has(self.engagementPlan) || self.engagementPlan.stages.all(s, s.targets.all(t, has(self.channels) && self.channels.exists(c, c.name == t.channelName)))',
        'every engagementPlan target channelName must name a channel of this contact',
      ),
    ],
  },
);
export type ContactSpec = Static<typeof ContactSpecSchema>;

export const ContactStatusSchema = obj(
  {
    ...commonStatusProperties,
    sharing: optional(sharingStatus),
    channels: optional(
      list(
        obj(
          {
            name: str({ description: 'Channel name.', maxLength: 255 }),
            arn: optional(str({ description: 'Channel ARN.', maxLength: 2048 })),
            type: optional(enumOf(CHANNEL_TYPES, { description: 'Channel type.' })),
            activationStatus: optional(
              enumOf(ACTIVATION_STATUSES, {
                description: 'Activated channels are engaged; others are skipped.',
              }),
            ),
            activationCodeVersion: optional(
              str({
                description:
                  'resourceVersion of the activation Secret when the channel was last seen activated: the code it held then is never sent again.',
                maxLength: 64,
              }),
            ),
          },
          { description: 'Observed channel.' },
        ),
        {
          description: 'Observed channels and their activation status.',
          maxItems: 20,
          listType: 'map',
          mapKeys: ['name'],
        },
      ),
    ),
    rotationArns: optional(
      list(str({ description: 'Rotation ARN.', maxLength: 2048 }), {
        description: 'Resolved rotation ARNs, in order (OnCallSchedule).',
        maxItems: 8,
        listType: 'atomic',
      }),
    ),
    onCallNow: optional(
      list(
        obj(
          {
            rotationArn: str({ description: 'Rotation ARN.', maxLength: 2048 }),
            contactArns: list(str({ description: 'Contact ARN.', maxLength: 2048 }), {
              description: 'Contacts on call in this rotation now.',
              maxItems: 30,
              listType: 'atomic',
            }),
            until: timestamp('When this shift ends.'),
          },
          { description: 'The current shift of one rotation.' },
        ),
        {
          description: 'OnCallSchedule: who is on call now, per rotation (from the rotation shifts).',
          maxItems: 8,
          listType: 'atomic',
        },
      ),
    ),
    nextHandOffs: optional(
      list(
        obj(
          {
            time: timestamp('When the shift starts.'),
            rotationArn: str({ description: 'Rotation ARN.', maxLength: 2048 }),
            contactArns: list(str({ description: 'Contact ARN.', maxLength: 2048 }), {
              description: 'Contacts on call from then.',
              maxItems: 30,
              listType: 'atomic',
            }),
          },
          { description: 'An upcoming shift.' },
        ),
        {
          description: 'OnCallSchedule: the next three shift starts across the rotations.',
          maxItems: 3,
          listType: 'atomic',
        },
      ),
    ),
    lastActivationCodeSentTime: optional(
      timestamp('When an activation code was last requested (codes are never resent in a loop).'),
    ),
  },
  { description: 'Observed state of the contact.' },
);
export type ContactStatus = Static<typeof ContactStatusSchema>;

export type Contact = ManagedResource<ContactSpec, ContactStatus> & { kind: 'Contact' };
