// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ARN formats and policy placeholders are literal ${…} text
// What each AWS API operation the controller sends needs from IAM, written from the Service
// Authorization Reference (SAR), the page family
//   https://docs.aws.amazon.com/service-authorization/latest/reference/list_<prefix>.html
//   (list_ssm-contacts.html, list_ssm-incidents.html, list_ram.html, list_awssecuritytokenservice.html,
//    list_awsidentityandaccessmanagementiam.html, list_awskeymanagementservice.html,
//    list_awssystemsmanager.html)
// whose "API operations" table maps an operation to every IAM action it authorizes (for example
// CreateContact → ssm-contacts:CreateContact + ssm-contacts:AssociateContact + ssm-contacts:TagResource
// with tags), and whose "Actions" / "Resource types" tables give the resource types and ARN formats.
// Requirements that are not in a SAR row but that AWS enforces all the same come from the Incident
// Manager guide as digested in the domain doc (shared/domain/incident-manager.md §6): they are marked
// IMPLICIT with the reason. deploy/iam/controller-policy.json must grant exactly what this table
// derives from the operations found in src/ (test/unit/deploy/iam.test.ts).

/** IAM service prefix of each @aws-sdk/client-* package the controller may use. */
export const CLIENT_PREFIX: Record<string, string> = {
  'ssm-contacts': 'ssm-contacts',
  'ssm-incidents': 'ssm-incidents',
  ram: 'ram',
  sts: 'sts',
  'secrets-manager': 'secretsmanager',
  kms: 'kms',
  ssm: 'ssm',
};

/**
 * Resource types (SAR "Resource types defined by …"), keyed `prefix:type`, with their ARN format.
 * ssm-incidents ARNs carry no Region (the service is global per account with a Region map).
 */
export const RESOURCE_TYPES: Record<string, string> = {
  'ssm-contacts:contact': 'arn:${Partition}:ssm-contacts:${Region}:${Account}:contact/${ContactAlias}',
  'ssm-contacts:contactchannel':
    'arn:${Partition}:ssm-contacts:${Region}:${Account}:contactchannel/${ContactAlias}/${ContactChannelId}',
  'ssm-contacts:rotation': 'arn:${Partition}:ssm-contacts:${Region}:${Account}:rotation/${RotationId}',
  'ssm-incidents:response-plan': 'arn:${Partition}:ssm-incidents::${Account}:response-plan/${ResponsePlan}',
  'ssm-incidents:incident-record':
    'arn:${Partition}:ssm-incidents::${Account}:incident-record/${ResponsePlan}/${IncidentRecord}',
  'ssm-incidents:replication-set':
    'arn:${Partition}:ssm-incidents::${Account}:replication-set/${ReplicationSet}',
  'ram:resource-share': 'arn:${Partition}:ram:${Region}:${Account}:resource-share/${ResourcePath}',
  'ram:resource-share-invitation':
    'arn:${Partition}:ram:${Region}:${Account}:resource-share-invitation/${ResourcePath}',
  'iam:role': 'arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}',
  'kms:key': 'arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}',
  'secretsmanager:Secret': 'arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}',
  // list_awssystemsmanager.html; AWS-owned documents have no account (arn:aws:ssm:<region>::document/AWS-…).
  'ssm:document': 'arn:${Partition}:ssm:${Region}:${Account}:document/${DocumentName}',
};

/**
 * Resource types each granted action can be scoped to (SAR "Actions" table, column "Resource
 * types"). An empty list means the action supports no resource-level permission: only "*".
 */
export const ACTION_RESOURCES: Record<string, string[]> = {
  // ssm-contacts (list_ssm-contacts.html)
  'ssm-contacts:ActivateContactChannel': ['contactchannel'],
  'ssm-contacts:AssociateContact': ['contact'],
  'ssm-contacts:CreateContact': ['contact'],
  'ssm-contacts:CreateContactChannel': ['contact'],
  'ssm-contacts:CreateRotation': ['rotation'],
  'ssm-contacts:CreateRotationOverride': ['rotation'],
  'ssm-contacts:DeleteContact': ['contact'],
  'ssm-contacts:DeleteContactChannel': ['contactchannel'],
  'ssm-contacts:DeleteRotation': ['rotation'],
  'ssm-contacts:DeleteRotationOverride': ['rotation'],
  'ssm-contacts:GetContact': ['contact'],
  'ssm-contacts:GetContactPolicy': ['contact'],
  'ssm-contacts:GetRotation': ['rotation'],
  'ssm-contacts:ListContactChannels': ['contact'],
  'ssm-contacts:ListContacts': [],
  'ssm-contacts:ListRotationOverrides': ['rotation'],
  'ssm-contacts:ListRotations': [],
  'ssm-contacts:ListRotationShifts': ['rotation'],
  'ssm-contacts:ListTagsForResource': ['contact', 'rotation'],
  'ssm-contacts:PutContactPolicy': ['contact'],
  'ssm-contacts:SendActivationCode': ['contactchannel'],
  'ssm-contacts:TagResource': ['contact', 'rotation'],
  'ssm-contacts:UntagResource': ['contact', 'rotation'],
  'ssm-contacts:UpdateContact': ['contact'],
  'ssm-contacts:UpdateContactChannel': ['contactchannel'],
  'ssm-contacts:UpdateRotation': ['rotation'],
  // ssm-incidents (list_ssm-incidents.html)
  'ssm-incidents:CreateReplicationSet': ['replication-set'],
  'ssm-incidents:CreateResponsePlan': ['response-plan'],
  'ssm-incidents:DeleteReplicationSet': ['replication-set'],
  'ssm-incidents:DeleteResourcePolicy': ['response-plan'],
  'ssm-incidents:DeleteResponsePlan': ['response-plan'],
  'ssm-incidents:GetReplicationSet': ['replication-set'],
  'ssm-incidents:GetResourcePolicies': ['response-plan'],
  'ssm-incidents:GetResponsePlan': ['response-plan'],
  'ssm-incidents:ListReplicationSets': [],
  'ssm-incidents:ListResponsePlans': [],
  'ssm-incidents:ListTagsForResource': ['response-plan', 'incident-record', 'replication-set'],
  'ssm-incidents:PutResourcePolicy': ['response-plan'],
  'ssm-incidents:TagResource': ['response-plan', 'incident-record', 'replication-set'],
  'ssm-incidents:UntagResource': ['response-plan', 'incident-record', 'replication-set'],
  'ssm-incidents:UpdateDeletionProtection': ['replication-set'],
  'ssm-incidents:UpdateReplicationSet': ['replication-set'],
  'ssm-incidents:UpdateResponsePlan': ['response-plan'],
  // ram (list_ram.html): CreateResourceShare and the Get* reads take no resource-level permission.
  'ram:AcceptResourceShareInvitation': ['resource-share-invitation'],
  'ram:AssociateResourceShare': ['resource-share'],
  'ram:CreateResourceShare': [],
  'ram:DeleteResourceShare': ['resource-share'],
  'ram:DisassociateResourceShare': ['resource-share'],
  'ram:GetResourceShareAssociations': [],
  'ram:GetResourceShareInvitations': [],
  'ram:GetResourceShares': [],
  'ram:ListPendingInvitationResources': ['resource-share-invitation'],
  'ram:ListResources': [],
  'ram:TagResource': ['resource-share'],
  'ram:UpdateResourceShare': ['resource-share'],
  // sts (list_awssecuritytokenservice.html): AssumeRole is scoped to the role assumed.
  'sts:AssumeRole': ['iam:role'],
  // iam (list_awsidentityandaccessmanagementiam.html)
  'iam:CreateServiceLinkedRole': ['role'],
  'iam:PassRole': ['role'],
  // kms (list_awskeymanagementservice.html)
  'kms:CreateGrant': ['key'],
  'kms:DescribeKey': ['key'],
  'kms:GetKeyPolicy': ['key'],
  // secretsmanager (list_awssecretsmanager.html)
  'secretsmanager:DescribeSecret': ['Secret'],
  'secretsmanager:GetResourcePolicy': ['Secret'],
  'secretsmanager:GetSecretValue': ['Secret'],
  // ssm (list_awssystemsmanager.html)
  'ssm:DescribeDocument': ['document'],
};

export interface OperationEntry {
  /** IAM actions the operation authorizes (SAR "API operations" table) plus IMPLICIT ones. */
  actions: string[];
  /** Why an action outside the SAR row is there, or why the list is empty. */
  note?: string;
}

const IMPLICIT_SHARING = [
  // IMPLICIT (domain doc §4.1 "Resource policies underneath"): RAM shares an Incident Manager
  // resource by writing its resource policy on the caller's behalf, so the caller needs the
  // owning service's policy actions on the shared contact / response plan.
  'ssm-contacts:GetContactPolicy',
  'ssm-contacts:PutContactPolicy',
  'ssm-incidents:DeleteResourcePolicy',
  'ssm-incidents:GetResourcePolicies',
  'ssm-incidents:PutResourcePolicy',
];

/** Keyed by `client:Operation` (client = @aws-sdk/client-* suffix). */
export const OPERATIONS: Record<string, OperationEntry> = {
  // ssm-contacts
  'ssm-contacts:ActivateContactChannel': { actions: ['ssm-contacts:ActivateContactChannel'] },
  'ssm-contacts:CreateContact': {
    actions: ['ssm-contacts:CreateContact', 'ssm-contacts:AssociateContact', 'ssm-contacts:TagResource'],
  },
  'ssm-contacts:CreateContactChannel': { actions: ['ssm-contacts:CreateContactChannel'] },
  'ssm-contacts:CreateRotation': { actions: ['ssm-contacts:CreateRotation', 'ssm-contacts:TagResource'] },
  'ssm-contacts:CreateRotationOverride': { actions: ['ssm-contacts:CreateRotationOverride'] },
  'ssm-contacts:DeleteContact': { actions: ['ssm-contacts:DeleteContact'] },
  'ssm-contacts:DeleteContactChannel': { actions: ['ssm-contacts:DeleteContactChannel'] },
  'ssm-contacts:DeleteRotation': { actions: ['ssm-contacts:DeleteRotation'] },
  'ssm-contacts:DeleteRotationOverride': { actions: ['ssm-contacts:DeleteRotationOverride'] },
  'ssm-contacts:GetContact': { actions: ['ssm-contacts:GetContact'] },
  'ssm-contacts:GetContactPolicy': { actions: ['ssm-contacts:GetContactPolicy'] },
  'ssm-contacts:GetRotation': { actions: ['ssm-contacts:GetRotation'] },
  'ssm-contacts:ListContactChannels': { actions: ['ssm-contacts:ListContactChannels'] },
  'ssm-contacts:ListContacts': { actions: ['ssm-contacts:ListContacts'] },
  'ssm-contacts:ListRotationOverrides': { actions: ['ssm-contacts:ListRotationOverrides'] },
  'ssm-contacts:ListRotations': { actions: ['ssm-contacts:ListRotations'] },
  'ssm-contacts:ListRotationShifts': { actions: ['ssm-contacts:ListRotationShifts'] },
  'ssm-contacts:ListTagsForResource': { actions: ['ssm-contacts:ListTagsForResource'] },
  'ssm-contacts:PutContactPolicy': { actions: ['ssm-contacts:PutContactPolicy'] },
  'ssm-contacts:SendActivationCode': { actions: ['ssm-contacts:SendActivationCode'] },
  'ssm-contacts:TagResource': { actions: ['ssm-contacts:TagResource'] },
  'ssm-contacts:UntagResource': { actions: ['ssm-contacts:UntagResource'] },
  // An escalation plan's stages name contacts: updating the plan uses them (SAR dependent action).
  'ssm-contacts:UpdateContact': { actions: ['ssm-contacts:UpdateContact', 'ssm-contacts:AssociateContact'] },
  'ssm-contacts:UpdateContactChannel': { actions: ['ssm-contacts:UpdateContactChannel'] },
  'ssm-contacts:UpdateRotation': { actions: ['ssm-contacts:UpdateRotation'] },
  // ssm-incidents
  'ssm-incidents:CreateReplicationSet': {
    actions: [
      'ssm-incidents:CreateReplicationSet',
      'ssm-incidents:TagResource',
      'iam:CreateServiceLinkedRole',
      'kms:CreateGrant',
      'kms:DescribeKey',
    ],
    note:
      'IMPLICIT: the first replication set creates the service-linked role AWSServiceRoleforIncidentManager ' +
      '(domain doc §6.1), and a customer managed key is checked through the caller (kms:CreateGrant, ' +
      'kms:DescribeKey via ssm-incidents/ssm-contacts, §6.3).',
  },
  'ssm-incidents:CreateResponsePlan': {
    actions: ['ssm-incidents:CreateResponsePlan', 'ssm-incidents:TagResource', 'iam:PassRole'],
    note:
      'iam:PassRole (iam:PassedToService = ssm-incidents.amazonaws.com) for the runbook role (SAR row). ' +
      'With pagerDuty, AWS also checks secretsmanager:GetSecretValue on that one secret (domain doc §6.6): ' +
      'granted per secret by pagerduty-secret-policy.json, not here.',
  },
  'ssm-incidents:DeleteReplicationSet': { actions: ['ssm-incidents:DeleteReplicationSet'] },
  'ssm-incidents:DeleteResourcePolicy': { actions: ['ssm-incidents:DeleteResourcePolicy'] },
  'ssm-incidents:DeleteResponsePlan': { actions: ['ssm-incidents:DeleteResponsePlan'] },
  'ssm-incidents:GetReplicationSet': { actions: ['ssm-incidents:GetReplicationSet'] },
  'ssm-incidents:GetResourcePolicies': { actions: ['ssm-incidents:GetResourcePolicies'] },
  'ssm-incidents:GetResponsePlan': { actions: ['ssm-incidents:GetResponsePlan'] },
  'ssm-incidents:ListReplicationSets': { actions: ['ssm-incidents:ListReplicationSets'] },
  'ssm-incidents:ListResponsePlans': { actions: ['ssm-incidents:ListResponsePlans'] },
  'ssm-incidents:ListTagsForResource': { actions: ['ssm-incidents:ListTagsForResource'] },
  'ssm-incidents:PutResourcePolicy': { actions: ['ssm-incidents:PutResourcePolicy'] },
  'ssm-incidents:TagResource': { actions: ['ssm-incidents:TagResource'] },
  'ssm-incidents:UntagResource': { actions: ['ssm-incidents:UntagResource'] },
  'ssm-incidents:UpdateDeletionProtection': { actions: ['ssm-incidents:UpdateDeletionProtection'] },
  'ssm-incidents:UpdateReplicationSet': { actions: ['ssm-incidents:UpdateReplicationSet'] },
  'ssm-incidents:UpdateResponsePlan': {
    actions: ['ssm-incidents:UpdateResponsePlan', 'ssm-incidents:TagResource', 'iam:PassRole'],
    note:
      'Incident tags of the template are checked as ssm-incidents:TagResource on incident-record/* ' +
      '(domain doc §6.2); a changed runbook role is passed again (iam:PassRole).',
  },
  // ram
  'ram:AcceptResourceShareInvitation': { actions: ['ram:AcceptResourceShareInvitation'] },
  'ram:AssociateResourceShare': { actions: ['ram:AssociateResourceShare', ...IMPLICIT_SHARING] },
  'ram:CreateResourceShare': {
    actions: ['ram:CreateResourceShare', 'ram:TagResource', ...IMPLICIT_SHARING],
    note: 'The share is created with the owner identity tags (ram:TagResource, SAR row).',
  },
  'ram:DeleteResourceShare': { actions: ['ram:DeleteResourceShare', ...IMPLICIT_SHARING] },
  'ram:DisassociateResourceShare': { actions: ['ram:DisassociateResourceShare', ...IMPLICIT_SHARING] },
  'ram:GetResourceShareAssociations': { actions: ['ram:GetResourceShareAssociations'] },
  'ram:GetResourceShareInvitations': { actions: ['ram:GetResourceShareInvitations'] },
  'ram:GetResourceShares': { actions: ['ram:GetResourceShares'] },
  'ram:ListPendingInvitationResources': { actions: ['ram:ListPendingInvitationResources'] },
  'ram:ListResources': { actions: ['ram:ListResources'] },
  'ram:UpdateResourceShare': { actions: ['ram:UpdateResourceShare'] },
  // sts
  'sts:AssumeRole': { actions: ['sts:AssumeRole'] },
  'sts:AssumeRoleWithWebIdentity': {
    actions: [],
    note: 'The pod identity token is the credential: the role trust policy decides, no identity permission.',
  },
  'sts:GetCallerIdentity': {
    actions: [],
    note: 'No permission is required: AWS answers GetCallerIdentity even when an explicit deny names it.',
  },
  // PagerDuty preflight (src/controllers/response-plan/pagerduty.ts): metadata and policies only.
  'secrets-manager:DescribeSecret': { actions: ['secretsmanager:DescribeSecret'] },
  'secrets-manager:GetResourcePolicy': { actions: ['secretsmanager:GetResourcePolicy'] },
  'secrets-manager:GetSecretValue': {
    actions: [],
    note:
      'Sent only with spec.pagerDuty.verifySecretValue: the value of one named secret, granted per secret by ' +
      'pagerduty-secret-policy.json (which CreateResponsePlan with pagerDuty needs anyway), never on secret:*.',
  },
  'kms:DescribeKey': { actions: ['kms:DescribeKey'] },
  'kms:GetKeyPolicy': { actions: ['kms:GetKeyPolicy'] },
  // A response plan's runbook parameter types (src/controllers/response-plan/runbook-types.ts).
  'ssm:DescribeDocument': { actions: ['ssm:DescribeDocument'] },
};
