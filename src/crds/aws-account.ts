// AWSAccount (cluster-scoped): which AWS account and home Region resources live in, and how the
// controller reaches it (role to assume, external id, session name, call limits).
import {
  ACCOUNT_ID_PATTERN,
  type Condition,
  commonStatusProperties,
  IAM_ROLE_ARN_PATTERN,
  type ObjectMeta,
  REGION_PATTERN,
} from './common.ts';
import { celRule, enumOf, int, list, obj, optional, type Static, str } from './schema-kit.ts';

import { CONTACTS_REGION_SOURCES } from './values.ts';

export { CONTACTS_REGION_SOURCES };

export const AWSAccountSpecSchema = obj(
  {
    accountId: str({
      description: '12-digit AWS account id.',
      minLength: 12,
      maxLength: 12,
      pattern: ACCOUNT_ID_PATTERN,
    }),
    region: str({
      description:
        "Home Region: where ssm-incidents (response plans, the replication set) and AWS RAM invitations are addressed. Contacts, escalation plans and rotations go to the replication set's first Region, observed from AWS (status.contactsRegion).",
      minLength: 1,
      maxLength: 20,
      pattern: REGION_PATTERN,
    }),
    contactsRegion: optional(
      str({
        description:
          "The replication set's first Region, stated: used only to choose among Regions AWS cannot tell apart (added together, no contacts yet); one AWS contradicts makes the account Ready=False/ContactsRegionMismatch. Absent = observed.",
        minLength: 1,
        maxLength: 20,
        pattern: REGION_PATTERN,
      }),
    ),
    roleArn: optional(
      str({
        description: "IAM role to assume in the account; absent = use the controller's own credentials.",
        minLength: 20,
        maxLength: 2048,
        pattern: IAM_ROLE_ARN_PATTERN,
      }),
    ),
    externalId: optional(
      str({
        description: "External id required by the role's trust policy.",
        minLength: 2,
        maxLength: 1224,
        pattern: '^[\\w+=,.@:/-]*$',
      }),
    ),
    sessionName: optional(
      str({
        description: 'Role session name (shows in CloudTrail); absent = incident-manager-operator.',
        minLength: 2,
        maxLength: 64,
        pattern: '^[\\w+=,.@-]*$',
      }),
    ),
    limits: optional(
      obj(
        {
          requestsPerSecond: optional(
            int({ description: 'Maximum AWS calls per second to this account.', minimum: 1, maximum: 100 }),
          ),
          maxConcurrency: optional(
            int({ description: 'Maximum AWS calls in flight to this account.', minimum: 1, maximum: 64 }),
          ),
        },
        { description: 'Per-account limits on AWS API calls.' },
      ),
    ),
    acceptResourceShares: optional(
      obj(
        {
          accountIds: list(
            str({
              description: 'Owner account id whose invitations are accepted.',
              minLength: 12,
              maxLength: 12,
              pattern: ACCOUNT_ID_PATTERN,
            }),
            {
              description:
                'Owner accounts whose AWS RAM invitations for Incident Manager resources (contacts, escalation plans, response plans) the controller accepts in this account; invitations from other accounts stay pending, never rejected.',
              minItems: 1,
              maxItems: 100,
              listType: 'set',
            },
          ),
        },
        {
          description:
            "Consumer side of AWS RAM: which owners' Incident Manager shares this account accepts (invitations in spec.region; shares inside an organization with RAM sharing enabled need none).",
        },
      ),
    ),
  },
  {
    description: 'How to reach the AWS account.',
    rules: [
      celRule('!has(self.externalId) || has(self.roleArn)', 'externalId requires roleArn'),
      celRule('!has(self.sessionName) || has(self.roleArn)', 'sessionName requires roleArn'),
      celRule(
        "!has(self.roleArn) || self.roleArn.contains(':iam::' + self.accountId + ':') || self.roleArn.contains(':iam:::')",
        'roleArn must be a role in accountId',
      ),
    ],
  },
);
export type AWSAccountSpec = Static<typeof AWSAccountSpecSchema>;

const { arn: _arn, ...statusWithoutArn } = commonStatusProperties;

export const AWSAccountStatusSchema = obj(
  {
    ...statusWithoutArn,
    callerArn: optional(
      str({ description: 'ARN returned by sts:GetCallerIdentity with these settings.', maxLength: 2048 }),
    ),
    contactsRegion: optional(
      obj(
        {
          region: str({
            description: 'Region of the ssm-contacts resources (contacts, escalation plans, rotations).',
            maxLength: 20,
          }),
          source: enumOf(CONTACTS_REGION_SOURCES, {
            description:
              "How it was found: SingleRegion (the set has one Region), ReplicationSetObject (a ReplicationSet object created the set from it), EarliestRegion (the earliest Region status time), ExistingContacts (the tied Region holding the account's contacts), AccountSpec (spec.contactsRegion among tied Regions), HomeRegion (spec.region among tied Regions), FirstListed (the first tied Region by name).",
          }),
          replicationSetArn: str({ description: 'The replication set it was found for.', maxLength: 2048 }),
          replicationSetRegions: list(str({ description: 'Region.', maxLength: 20 }), {
            description: "The set's Regions when it was found.",
            maxItems: 10,
            listType: 'atomic',
          }),
          tiedRegions: optional(
            list(str({ description: 'Region.', maxLength: 20 }), {
              description: 'Regions AWS could not tell apart, when it was chosen among several.',
              maxItems: 10,
              listType: 'atomic',
            }),
          ),
          message: str({ description: 'Why this Region.', maxLength: 1024 }),
        },
        {
          description:
            "The replication set's first Region, the only one where ssm-contacts accepts tags: every ssm-contacts call of the account goes there. Absent while the account has no replication set.",
        },
      ),
    ),
    resourceShares: optional(
      obj(
        {
          accepted: optional(
            list(
              obj(
                {
                  arn: str({ description: 'Resource share ARN.', maxLength: 2048 }),
                  region: str({ description: 'Region of the share (AWS RAM is Regional).', maxLength: 32 }),
                  name: optional(str({ description: 'Resource share name.', maxLength: 256 })),
                  owner: str({ description: 'Owner account id.', maxLength: 12 }),
                  resources: list(
                    obj(
                      {
                        arn: str({ description: 'Shared resource ARN.', maxLength: 2048 }),
                        type: str({ description: 'RAM resource type.', maxLength: 64 }),
                      },
                      { description: 'One Incident Manager resource the share gives this account.' },
                    ),
                    {
                      description: 'Incident Manager resources of the share.',
                      maxItems: 100,
                      listType: 'atomic',
                    },
                  ),
                },
                { description: 'A resource share this account has accepted.' },
              ),
              {
                description: 'Accepted shares from other accounts that hold Incident Manager resources.',
                maxItems: 100,
                listType: 'atomic',
              },
            ),
          ),
          pending: optional(
            list(
              obj(
                {
                  invitationArn: str({ description: 'Invitation ARN.', maxLength: 2048 }),
                  region: str({ description: 'Region of the invitation.', maxLength: 32 }),
                  shareName: optional(str({ description: 'Resource share name.', maxLength: 256 })),
                  sender: str({ description: 'Account id that sent the invitation.', maxLength: 12 }),
                  message: str({ description: 'Why the controller leaves it pending.', maxLength: 1024 }),
                },
                { description: 'An invitation the controller did not accept.' },
              ),
              {
                description: 'Pending invitations left for a person to decide.',
                maxItems: 100,
                listType: 'atomic',
              },
            ),
          ),
        },
        { description: 'Consumer side of AWS RAM (only with spec.acceptResourceShares).' },
      ),
    ),
  },
  { description: 'Observed state: the verified caller identity and the shares this account accepted.' },
);
export type AWSAccountStatus = Static<typeof AWSAccountStatusSchema>;

export interface AWSAccount {
  apiVersion: string;
  kind: 'AWSAccount';
  metadata: ObjectMeta;
  spec: AWSAccountSpec;
  status?: AWSAccountStatus & { conditions?: Condition[] };
}
