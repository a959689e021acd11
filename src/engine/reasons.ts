// The reason catalogue: every condition reason the controller can write, one name per situation in
// every kind. docs/controller.md publishes it as a table and a unit test keeps both in step, so
// automation (Argo CD health checks, alerts) can act on a reason without reading messages.

export interface ReasonEntry {
  /**
   * The condition(s) that carry this reason. Besides Ready and Synced, a kind's own advisory
   * conditions (contract.ts KindCondition): they never change Ready, Synced or health.
   */
  condition: 'Ready' | 'Synced' | 'Ready+Synced' | AdvisoryCondition;
  /** true: the controller cannot succeed without a user or outside action; false: retried or progressing. */
  terminal: boolean;
  meaning: string;
  /** What the user does about it ("nothing" when the controller gets there by itself). */
  fix: string;
}

/** Condition types a kind writes beside Ready and Synced. */
export type AdvisoryCondition =
  | 'ChannelsActivated'
  | 'Engageable'
  | 'TimeZonesAligned'
  | 'SharesAccepted'
  | 'RunbookParametersTyped';

export const REASONS = {
  // ---- Ready: the state of the AWS object ----
  Available: {
    condition: 'Ready',
    terminal: false,
    meaning: 'The AWS object exists, matches the spec and is usable',
    fix: 'Nothing',
  },
  Creating: {
    condition: 'Ready',
    terminal: false,
    meaning: 'AWS is creating the object, or the controller created it and has not read it back yet',
    fix: 'Nothing: read 250 ms after the create, doubling up to the resync',
  },
  Updating: {
    condition: 'Ready',
    terminal: false,
    meaning: 'The controller sent a change (or AWS is applying one) and waits to read it back',
    fix: 'Nothing: read 250 ms after the update, doubling up to the resync',
  },
  Deleting: {
    condition: 'Ready',
    terminal: false,
    meaning: 'The AWS object is being deleted',
    fix: 'Nothing',
  },
  DeleteBlocked: {
    condition: 'Ready',
    terminal: true,
    meaning: 'Deletion waits: the message lists the objects that still use this one',
    fix: 'Remove those references or delete those objects first',
  },
  DeletionProtected: {
    condition: 'Ready',
    terminal: true,
    meaning: 'ReplicationSet: deletion is refused while spec.deletionProtected is true',
    fix: 'Set spec.deletionProtected to false (the message also lists what still depends on it)',
  },
  ReferencesNotReady: {
    condition: 'Ready',
    terminal: false,
    meaning: 'A referenced object or the AWSAccount is missing or not Ready; the message names it',
    fix: 'Create or fix the named object; this one follows by itself',
  },
  ReferenceLost: {
    condition: 'Ready',
    terminal: true,
    meaning: 'A referenced ARN of another account no longer exists or is no longer shared with this one',
    fix: 'Ask the owner account (named in the message) to share it again, or change the reference',
  },
  SharingNotEnabled: {
    condition: 'Ready',
    terminal: true,
    meaning:
      'AWS RAM refuses a principal (sharing with AWS Organizations is not enabled, or outside it); the resource exists and referrers go on using it',
    fix: 'Enable RAM sharing with AWS Organizations or correct the principal; asked again every 12 min and on a spec change',
  },
  ReplicationSetNotReady: {
    condition: 'Ready',
    terminal: false,
    meaning: 'Incident Manager is not onboarded in the account yet (no ACTIVE replication set)',
    fix: 'Create a ReplicationSet for the account; woken when it turns Ready, rechecked every 30 s',
  },
  RegionRemovalNotYetAllowed: {
    condition: 'Ready',
    terminal: false,
    meaning: 'ReplicationSet: AWS removes a Region only 24 h after it was added; the message names the time',
    fix: 'Nothing: the controller comes back at that time',
  },
  ExternalNotFound: {
    condition: 'Ready',
    terminal: true,
    meaning: 'managementPolicy Observe and no AWS object found',
    fix: 'Set the external-arn annotation to the ARN to observe, or switch to managementPolicy Manage',
  },
  Unavailable: {
    condition: 'Ready',
    terminal: true,
    meaning: 'AWS reports the object as failed; the message carries AWS’s words',
    fix: 'Follow the message (often a KMS key or Region problem outside the cluster)',
  },
  // ---- Ready and Synced: refusals that need a change to the spec ----
  InvalidSpec: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning: 'The spec breaks a rule the schema cannot express; the message names the field and the rule',
    fix: 'Correct the named field',
  },
  ImmutableField: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning: 'A field AWS cannot change in place differs from AWS; the message names it and both values',
    fix: 'Restore the previous value, or create a new object under a new name and move references to it',
  },
  QuotaExceeded: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning: 'An AWS service quota refuses the object; the message names the quota code',
    fix: 'Raise the quota in Service Quotas or remove other objects',
  },
  InvalidKmsKey: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning: 'ReplicationSet: a Region’s KMS key is unusable there (wrong Region, unusable key)',
    fix: 'Give each Region a key of that Region, or use the AWS owned key',
  },
  InvalidReference: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      'A reference points at something of the wrong kind, type or account; the message names the field',
    fix: 'Point the field at an object of the required kind and account',
  },
  AlreadyExists: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning: 'The name or alias is taken in AWS by an object this controller does not own',
    fix: 'Pick another name, delete the other object, or adopt it with the external-arn annotation',
  },
  ReplicationSetAlreadyExists: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning: 'The account already has a replication set (one per account) that this object does not own',
    fix: 'Adopt it with the external-arn annotation, or delete this object',
  },
  AlreadyManaged: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      'Another object of the kind that manages AWS holds the same external-arn annotation and claimed it first (earliest creationTimestamp); nothing is written to AWS, and deleting this object leaves the AWS object to the other',
    fix: 'Delete this object (deletionPolicy: Retain), or set spec.managementPolicy: Observe to report it read-only; it takes over by itself when the other is deleted or turns to Observe',
  },
  NotOwner: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      'The external-arn annotation names a resource another account shares with this one; only its owner can tag, share or change it',
    fix: 'Set spec.managementPolicy: Observe to report it read-only, or manage it from an AWSAccount of the owner account',
  },
  ContactsRegionMismatch: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      "An ssm-contacts ARN (external-arn annotation or status) or the AWSAccount's spec.contactsRegion names another Region than the replication set's first Region, the only one where ssm-contacts accepts tags; nothing is written",
    fix: 'Follow the message: adopt or re-create the resource in the first Region, or correct or remove spec.contactsRegion; the controller moves nothing',
  },
  // ---- Ready and Synced: ResponsePlan PagerDuty preflight (the plan is not written) ----
  PagerDutySecretNotFound: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      "ResponsePlan: spec.pagerDuty.secretId names no secret in the plan's account and Region (or one scheduled for deletion)",
    fix: "Create (or restore) the secret in the plan's account and Region, or correct the id; rechecked at the resync",
  },
  PagerDutySecretAwsManagedKey: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      'ResponsePlan: the PagerDuty secret is encrypted with aws/secretsmanager, which Incident Manager cannot use',
    fix: 'Encrypt the secret with a customer managed symmetric KMS key',
  },
  PagerDutySecretKeyUnusable: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      "ResponsePlan: the PagerDuty secret's KMS key is missing, disabled, or not symmetric ENCRYPT_DECRYPT",
    fix: 'Enable the key or encrypt the secret with a customer managed symmetric encrypt/decrypt key',
  },
  PagerDutySecretKeyNotMultiRegion: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning: "ResponsePlan: the replication set spans Regions but the secret's KMS key is single-Region",
    fix: 'Encrypt the secret with a multi-Region key replicated to every Region of the set',
  },
  PagerDutySecretNotReplicated: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      'ResponsePlan: the PagerDuty secret is not replicated (InSync) to every Region of the replication set',
    fix: 'Replicate the secret to the Regions the message lists (command in the message)',
  },
  PagerDutyKeyPolicyMissingService: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      "ResponsePlan: the secret key's policy does not allow ssm-incidents.amazonaws.com kms:Decrypt and kms:GenerateDataKey*",
    fix: 'Add the key policy statement the message gives',
  },
  PagerDutyKeyPolicyMissingWriter: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      "ResponsePlan: the secret key's policy does not allow the controller's identity kms:Decrypt and kms:GenerateDataKey*",
    fix: 'Add the key policy statement the message gives (it names the role)',
  },
  PagerDutySecretPolicyMissingService: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      "ResponsePlan: the secret's resource policy does not allow ssm-incidents.amazonaws.com secretsmanager:GetSecretValue",
    fix: 'Add the resource policy statement the message gives',
  },
  PagerDutySecretValueInvalid: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning:
      'ResponsePlan (verifySecretValue): the secret value is not JSON with exactly pagerDutyToken, pagerDutyServiceRegion (US or EU) and pagerDutyFromEmail',
    fix: 'Put a value of that shape (aws secretsmanager put-secret-value); the message never shows the value',
  },
  // ---- Synced: how the last reconcile went ----
  ReconcileSuccess: {
    condition: 'Synced',
    terminal: false,
    meaning: 'The last reconcile reached AWS without error',
    fix: 'Nothing',
  },
  ReconcileError: {
    condition: 'Synced',
    terminal: false,
    meaning: 'A transient error (5xx, network, AWS conflict)',
    fix: 'Nothing: retried with backoff 1 s → 5 min ± 20 %',
  },
  Throttled: {
    condition: 'Synced',
    terminal: false,
    meaning: 'AWS throttled three reconciles in a row',
    fix: 'Nothing: retried with backoff honouring Retry-After; lower the AWSAccount limits if it persists',
  },
  AccessDenied: {
    condition: 'Ready+Synced',
    terminal: true,
    meaning: 'Missing IAM permission or credentials of the wrong account; the message names the action',
    fix: 'Grant the named permission or fix the AWSAccount; retried at the resync',
  },
  DriftDetected: {
    condition: 'Synced',
    terminal: true,
    meaning: 'managementPolicy Observe: AWS differs from the spec at the listed paths',
    fix: 'Change AWS or the spec, or switch to managementPolicy Manage',
  },
  ObserveOnly: {
    condition: 'Synced',
    terminal: false,
    meaning: 'managementPolicy Observe and no drift: the controller never writes to AWS',
    fix: 'Nothing',
  },
  // ---- Contact's own conditions: advice, never a refusal (Ready stays about the AWS object) ----
  AllChannelsActivated: {
    condition: 'ChannelsActivated',
    terminal: false,
    meaning: 'Contact: every channel is activated in AWS',
    fix: 'Nothing',
  },
  ChannelNotActivated: {
    condition: 'ChannelsActivated',
    terminal: true,
    meaning:
      'Contact: a channel waits for its activation code (sent to the device, or deferred); Incident Manager skips it',
    fix: "Put the code the device received into the channel's activationCodeSecretRef Secret (or enter it in the console)",
  },
  ActivationCodeRejected: {
    condition: 'ChannelsActivated',
    terminal: true,
    meaning:
      "Contact: AWS rejected the code in the channel's Secret; it is not sent again until the value changes",
    fix: 'Put the code the device received into the Secret key the message names',
  },
  ActivationSecretNotFound: {
    condition: 'ChannelsActivated',
    terminal: true,
    meaning: 'Contact: the Secret or key a channel’s activationCodeSecretRef names does not exist',
    fix: 'Create the Secret with that key in the contact’s namespace, or correct the reference',
  },
  ChannelDeactivated: {
    condition: 'ChannelsActivated',
    terminal: true,
    meaning:
      'Contact: a channel that was activated is not any more (the recipient opted out); its used code is never resent',
    fix: 'The person replies START, or request a new code (aws ssm-contacts send-activation-code) and put it in the Secret',
  },
  Engageable: {
    condition: 'Engageable',
    terminal: false,
    meaning: 'Contact: the engagement plan names at least one activated channel',
    fix: 'Nothing',
  },
  NoEngagementPlan: {
    condition: 'Engageable',
    terminal: true,
    meaning: 'Contact: no engagement plan, so Incident Manager cannot engage the contact',
    fix: 'Add spec.engagementPlan with at least one stage naming a channel',
  },
  NoActivatedChannel: {
    condition: 'Engageable',
    terminal: true,
    meaning: 'Contact: no channel the engagement plan names is activated, so an engagement reaches nobody',
    fix: 'Activate a channel the plan names (see ChannelsActivated)',
  },
  TimeZonesAligned: {
    condition: 'TimeZonesAligned',
    terminal: false,
    meaning: 'On-call schedule: its rotations switch daylight saving time on the same dates',
    fix: 'Nothing',
  },
  DaylightSavingMismatch: {
    condition: 'TimeZonesAligned',
    terminal: true,
    meaning:
      'On-call schedule: its rotations’ time zones switch daylight saving time on different dates (named), opening gaps or overlaps then',
    fix: 'Give every rotation of the schedule the same time zone (the message suggests one)',
  },
  RunbookParametersTyped: {
    condition: 'RunbookParametersTyped',
    terminal: false,
    meaning:
      'ResponsePlan: each runbook dynamic parameter is bound to a document parameter of the type it needs (IncidentRecordARN a String, InvolvedResources a StringList)',
    fix: 'Nothing',
  },
  RunbookParameterTypeMismatch: {
    condition: 'RunbookParametersTyped',
    terminal: true,
    meaning:
      'ResponsePlan: a runbook dynamic parameter is bound to a document parameter of another type, or to one the document lacks (named with its type); the runbook fails to start when an incident is created',
    fix: 'Change the parameter’s type in the SSM document, or bind the dynamic parameter to a parameter of the type the message names',
  },
  RunbookParameterTypesUnknown: {
    condition: 'RunbookParametersTyped',
    terminal: false,
    meaning:
      'ResponsePlan: the runbook document’s parameter types could not be read (the document or version was not found in the plan’s Region or is not shared with its account, or ssm:DescribeDocument was refused); checked again at each visit',
    fix: 'Create or share the document, correct spec.runbook.documentName/documentVersion, or grant ssm:DescribeDocument (deploy/iam)',
  },
  SharesAccepted: {
    condition: 'SharesAccepted',
    terminal: false,
    meaning:
      'AWSAccount: invitations from the accounts in spec.acceptResourceShares are accepted; status.resourceShares lists the accepted shares and the invitations left pending',
    fix: 'Nothing (a pending invitation from another account is for a person to accept or reject)',
  },
  ShareAcceptFailed: {
    condition: 'SharesAccepted',
    terminal: false,
    meaning: 'AWSAccount: AWS RAM refused listing or accepting invitations (retried on the next visit)',
    fix: 'Grant the controller the RAM actions the message names (deploy/iam), or fix what RAM says',
  },
} as const satisfies Record<string, ReasonEntry>;

export type ReasonName = keyof typeof REASONS;

export const isReasonName = (s: string | undefined): s is ReasonName =>
  s !== undefined && Object.hasOwn(REASONS, s);

/** A reason the controller cannot get past without a user or outside action (the catalogue's `terminal`). */
export const isTerminalReason = (s: string): boolean => isReasonName(s) && REASONS[s].terminal;
