// The API's plain values: group and version, annotation and finalizer names, the kinds' names and
// scope, the enums' AWS spellings. The controller needs these at run time and nothing else from
// src/crds: the schema modules load typebox and build every CRD schema on import (~6 MiB of heap,
// ~20 MiB of RSS), which only the CRD generator, `imctl validate`/`plan` and the emulators use.
// The schema modules re-export these, so either import works; product code on the controller's
// start path imports them from here (and only types from the schema modules).

export const GROUP = 'incidentmanager.gitops.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const CATEGORY = 'incidentmanager';

/** Annotation holding the ARN of the AWS resource an object stands for (identity and adoption). */
export const EXTERNAL_ARN_ANNOTATION = `${GROUP}/external-arn`;
/** Finalizer the controller puts on managed objects so AWS cleanup runs before removal. */
export const FINALIZER = `${GROUP}/finalizer`;

/** A kind's names and scope: the part of its CRD the controller's list, watch and writes need. */
export interface KindNames {
  kind: 'ReplicationSet' | 'ResponsePlan' | 'Contact' | 'EscalationPlan' | 'Rotation' | 'AWSAccount';
  plural: string;
  shortNames: readonly string[];
  scope: 'Namespaced' | 'Cluster';
  group: string;
  version: string;
}

const names = (
  kind: KindNames['kind'],
  plural: string,
  shortNames: readonly string[],
  scope: KindNames['scope'] = 'Namespaced',
): KindNames => ({ kind, plural, shortNames, scope, group: GROUP, version: VERSION });

/** Every kind, in the registry's order (src/crds/registry.ts adds schema, description, columns). */
export const KIND_NAMES: readonly KindNames[] = [
  names('ReplicationSet', 'replicationsets', ['imrs']),
  names('ResponsePlan', 'responseplans', ['imrp']),
  names('Contact', 'contacts', ['imcontact', 'imc']),
  names('EscalationPlan', 'escalationplans', ['imep']),
  names('Rotation', 'rotations', ['imrot']),
  names('AWSAccount', 'awsaccounts', ['imacct'], 'Cluster'),
];

/** Invert a Kubernetes→AWS enum map (both directions are needed by controllers). */
export function invert<K extends string, V extends string>(
  m: Readonly<Record<K, V>>,
): Readonly<Record<V, K>> {
  const out = {} as Record<V, K>;
  for (const [k, v] of Object.entries(m) as [K, V][]) out[v] = k;
  return out;
}

// AWSAccount

/** How status.contactsRegion was found (src/aws/contacts-region.ts). */
export const CONTACTS_REGION_SOURCES = [
  'SingleRegion',
  'ReplicationSetObject',
  'EarliestRegion',
  'ExistingContacts',
  'AccountSpec',
  'HomeRegion',
  'FirstListed',
] as const;

// Contact

/** Kubernetes → ssm-contacts `ContactType` (EscalationPlan maps to ESCALATION, in its own kind). */
export const CONTACT_TYPE_TO_AWS = { Personal: 'PERSONAL', OnCallSchedule: 'ONCALL_SCHEDULE' } as const;
export const CONTACT_TYPE_FROM_AWS = invert(CONTACT_TYPE_TO_AWS);
export const CHANNEL_TYPE_TO_AWS = { SMS: 'SMS', Voice: 'VOICE', Email: 'EMAIL' } as const;
export const CHANNEL_TYPE_FROM_AWS = invert(CHANNEL_TYPE_TO_AWS);
export const ACTIVATION_STATUS_TO_AWS = { Activated: 'ACTIVATED', NotActivated: 'NOT_ACTIVATED' } as const;
export const ACTIVATION_STATUS_FROM_AWS = invert(ACTIVATION_STATUS_TO_AWS);

// EscalationPlan

/** ssm-contacts ContactType of an escalation plan. */
export const ESCALATION_PLAN_AWS_TYPE = 'ESCALATION';

// ReplicationSet

export const REPLICATION_SET_STATUS_TO_AWS = {
  Active: 'ACTIVE',
  Creating: 'CREATING',
  Updating: 'UPDATING',
  Deleting: 'DELETING',
  Failed: 'FAILED',
} as const;
export const REPLICATION_SET_STATUS_FROM_AWS = invert(REPLICATION_SET_STATUS_TO_AWS);

// ResponsePlan

export const TARGET_ACCOUNT_TO_AWS = {
  ResponsePlanOwnerAccount: 'RESPONSE_PLAN_OWNER_ACCOUNT',
  ImpactedAccount: 'IMPACTED_ACCOUNT',
} as const;
export const TARGET_ACCOUNT_FROM_AWS = invert(TARGET_ACCOUNT_TO_AWS);
export const DYNAMIC_PARAMETER_TO_AWS = {
  IncidentRecordARN: 'INCIDENT_RECORD_ARN',
  InvolvedResources: 'INVOLVED_RESOURCES',
} as const;
export const DYNAMIC_PARAMETER_FROM_AWS = invert(DYNAMIC_PARAMETER_TO_AWS);

// Rotation

export const DAYS_OF_WEEK = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export const DAY_OF_WEEK_TO_AWS = {
  Mon: 'MON',
  Tue: 'TUE',
  Wed: 'WED',
  Thu: 'THU',
  Fri: 'FRI',
  Sat: 'SAT',
  Sun: 'SUN',
} as const;
export const DAY_OF_WEEK_FROM_AWS = invert(DAY_OF_WEEK_TO_AWS);

/**
 * Overrides per rotation. AWS sets no count (ListRotationOverrides pages through any number); it
 * accepts overrides only on shifts up to 6 months ahead, so 200 holds one a day over that whole
 * horizon. The bound is the object's size, not CEL: 200 overrides of 30 contact ARNs each, in
 * spec and again in status, stay well under etcd's 1.5 MiB; the per-override rules' cost would
 * allow 83,000 (kube-apiserver 1.32 refuses the CRD at 84,000).
 */
export const MAX_OVERRIDES = 200;
