// ReplicationSet: the account-wide switch that turns Incident Manager on (Regions + KMS keys).
// Deleting it erases all incident data, so deletionPolicy defaults to Retain.
import {
  commonStatusProperties,
  incidentsTags,
  type ManagedResource,
  managedSpecProperties,
  REGION_PATTERN,
} from './common.ts';
import { bool, celRule, enumOf, list, obj, optional, type Static, str, timestamp } from './schema-kit.ts';

/** The kind of KMS key a Region uses (status.regions[].keyType). */
export const KEY_TYPES = ['AWSOwnedKey', 'CustomerManagedKey'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const REPLICATION_SET_STATUSES = ['Active', 'Creating', 'Updating', 'Deleting', 'Failed'] as const;
export type ReplicationSetState = (typeof REPLICATION_SET_STATUSES)[number];
export { REPLICATION_SET_STATUS_FROM_AWS, REPLICATION_SET_STATUS_TO_AWS } from './values.ts';

const region = obj(
  {
    name: str({
      description: 'AWS Region, e.g. eu-west-1.',
      minLength: 1,
      maxLength: 20,
      pattern: REGION_PATTERN,
    }),
    sseKmsKeyId: optional(
      str({
        description:
          'Customer managed symmetric KMS key (ARN or id) in that Region; absent = AWS owned key. Cannot change later.',
        minLength: 1,
        maxLength: 2048,
      }),
    ),
  },
  {
    description: 'A Region Incident Manager data is replicated to.',
    rules: [
      celRule(
        'has(self.sseKmsKeyId) == has(oldSelf.sseKmsKeyId) && (!has(self.sseKmsKeyId) || self.sseKmsKeyId == oldSelf.sseKmsKeyId)',
        'the KMS key of a Region cannot change: remove the Region and add it again (24 h after it was added) or recreate the replication set',
      ),
    ],
  },
);

export const ReplicationSetSpecSchema = obj(
  {
    regions: list(region, {
      description:
        "Regions (1–3; at least two recommended). The set is created from the first, which becomes its first Region: the only one where ssm-contacts accepts tags, so the account's contacts go there.",
      minItems: 1,
      maxItems: 3,
      listType: 'map',
      mapKeys: ['name'],
    }),
    deletionProtected: optional(
      bool({
        description:
          'Deletion protection: while on, the last Region cannot be removed. Absent = leave as AWS has it.',
      }),
    ),
    tags: optional(incidentsTags('Tags on the replication set.')),
    ...managedSpecProperties('Retain'),
  },
  { description: 'Desired state of the replication set (one per account).' },
);
export type ReplicationSetSpec = Static<typeof ReplicationSetSpecSchema>;

export const ReplicationSetStatusSchema = obj(
  {
    ...commonStatusProperties,
    status: optional(enumOf(REPLICATION_SET_STATUSES, { description: 'State of the set in AWS.' })),
    deletionProtected: optional(bool({ description: 'Observed deletion protection.' })),
    createdFromRegion: optional(
      str({
        description:
          "The Region the controller created the set from (spec.regions[0] then), which AWS makes the set's first Region: contacts, escalation plans and rotations of the account go there. Absent for a set made outside the controller.",
        maxLength: 20,
      }),
    ),
    regions: optional(
      list(
        obj(
          {
            name: str({ description: 'Region.', maxLength: 20 }),
            status: optional(
              enumOf(['Active', 'Creating', 'Deleting', 'Failed'] as const, { description: 'Region state.' }),
            ),
            statusMessage: optional(str({ description: 'AWS status message.', maxLength: 4096 })),
            sseKmsKeyId: optional(
              str({
                description:
                  'Key in use, as AWS reports it: DefaultKey is the AWS owned key (keyType AWSOwnedKey), not a key of that name.',
                maxLength: 2048,
              }),
            ),
            keyType: optional(
              enumOf(KEY_TYPES, {
                description:
                  "The kind of key that encrypts the Region's data: AWSOwnedKey (no key given) or CustomerManagedKey (sseKmsKeyId).",
              }),
            ),
            addedTime: optional(timestamp('When the Region was added (removal allowed 24 h later).')),
          },
          { description: 'Observed Region.' },
        ),
        { description: 'Observed Regions.', maxItems: 10, listType: 'map', mapKeys: ['name'] },
      ),
    ),
  },
  { description: 'Observed state of the replication set.' },
);
export type ReplicationSetStatus = Static<typeof ReplicationSetStatusSchema>;

export type ReplicationSet = ManagedResource<ReplicationSetSpec, ReplicationSetStatus> & {
  kind: 'ReplicationSet';
};
