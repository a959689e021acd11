// Pieces shared by every kind: API identity, annotation/finalizer names, references, tags,
// policies, sharing and the common status block.
import {
  bool,
  type CelRule,
  celRule,
  enumOf,
  int,
  list,
  map,
  obj,
  opaqueObject,
  optional,
  type Static,
  str,
  timestamp,
} from './schema-kit.ts';

// The plain values live in values.ts (the controller's start path imports them without the schemas).
export {
  API_VERSION,
  CATEGORY,
  EXTERNAL_ARN_ANNOTATION,
  FINALIZER,
  GROUP,
  invert,
  VERSION,
} from './values.ts';

// Enum spelling rule (see docs/api.md): PascalCase words, acronyms kept upper-case (SMS, ARN).

export const DELETION_POLICIES = ['Delete', 'Retain'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];
export const MANAGEMENT_POLICIES = ['Manage', 'Observe'] as const;
export type ManagementPolicy = (typeof MANAGEMENT_POLICIES)[number];
export const CONDITION_TYPES = ['Ready', 'Synced'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

export const ACCOUNT_ID_PATTERN = '^[0-9]{12}$';
export const CONTACT_ARN_PATTERN =
  '^arn:aws(-cn|-us-gov)?:ssm-contacts:[-\\w+=/,.@]*:[0-9]+:([\\w+=/,.@:-]+)*$';
export const IAM_ROLE_ARN_PATTERN = '^arn:aws(-cn|-us-gov)?:iam::([0-9]{12})?:role/.+$';
export const SNS_TOPIC_ARN_PATTERN =
  '^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$';
export const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$';

export function objectName(description: string) {
  return str({ description, minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN });
}

/** Reference to a Kubernetes object of a kind from this API, by name (and optionally namespace). */
export function objectRef(kind: string, description = `Reference to a ${kind} in this cluster.`) {
  return obj(
    {
      name: objectName(`Name of the ${kind}.`),
      namespace: optional(
        str({
          description: `Namespace of the ${kind}; defaults to the namespace of the referring object.`,
          minLength: 1,
          maxLength: 63,
          pattern: DNS_LABEL,
        }),
      ),
    },
    { description },
  );
}
export type ObjectRef = Static<ReturnType<typeof objectRef>>;

/** Reference to a cluster-scoped object (AWSAccount). */
export const LocalRef = obj(
  { name: objectName('Name of the object.') },
  { description: 'Reference by name.' },
);
export type LocalRef = Static<typeof LocalRef>;

/** `self` has exactly one of the given optional fields. */
export function exactlyOne(fields: readonly string[], where = 'this entry'): CelRule {
  const sum = fields.map((f) => `(has(self.${f}) ? 1 : 0)`).join(' + ');
  const names = fields.join(', ');
  return celRule(`${sum} == 1`, `exactly one of ${names} must be set in ${where}`);
}

export function contactArn(description: string) {
  return str({ description, minLength: 1, maxLength: 2048, pattern: CONTACT_ARN_PATTERN });
}

export const accountRef = obj(
  { name: objectName('Name of the cluster-scoped AWSAccount.') },
  {
    description:
      'The AWSAccount (account, home Region, role to assume) this resource lives in. When absent the controller uses its own credentials and Region.',
  },
);

export function deletionPolicy(defaultValue: DeletionPolicy) {
  return enumOf(DELETION_POLICIES, {
    description: `What happens to the AWS resource when the object is deleted: Delete removes it, Retain leaves it in AWS. Default ${defaultValue}.`,
    default: defaultValue,
  });
}

export const managementPolicy = enumOf(MANAGEMENT_POLICIES, {
  description:
    'Manage: the controller creates, updates and deletes the AWS resource. Observe: it only reads the resource (found by the external-arn annotation or its name) and reports drift; it never writes.',
  default: 'Manage',
});

/** ssm-contacts tags (Contact, EscalationPlan, Rotation): keys 1–128 `^[\\/a-zA-Z0-9_+=\-]*$`, values 1–256. */
export const contactsTags = map(str({ description: 'Tag value.', minLength: 1, maxLength: 256 }), {
  description:
    'Tags on the AWS resource (at most 50). Keys 1–128 characters of letters, digits and \\ / _ + = -; values 1–256 characters.',
  maxProperties: 50,
  keyPattern: '^[\\\\/a-zA-Z0-9_+=-]+$',
  // Key length only: a regex over map keys (whose length a schema cannot bound) would exceed the
  // API server's CEL cost budget. The character set is checked by `imctl validate` and by AWS.
  rules: [celRule('self.all(k, size(k) >= 1 && size(k) <= 128)', 'tag keys must be 1–128 characters')],
});

/** ssm-incidents tags (ReplicationSet, ResponsePlan, incident tags): keys 1–128 not starting with `aws:`, values ≤ 256. */
export function incidentsTags(description: string) {
  return map(str({ description: 'Tag value.', maxLength: 256, pattern: '^[A-Za-z0-9 _=@:.+\\-/]*$' }), {
    description: `${description} At most 50. Keys 1–128 characters of letters, digits, spaces and _ = @ : . + - /, not starting with "aws:"; values up to 256 characters of the same set.`,
    maxProperties: 50,
    keyPattern: '^[A-Za-z0-9 _=@:.+\\-/]+$',
    rules: [
      celRule(
        "self.all(k, size(k) >= 1 && size(k) <= 128 && !k.startsWith('aws:'))",
        'tag keys must be 1–128 characters and must not start with "aws:"',
      ),
    ],
  });
}

export const PRINCIPAL_PATTERN =
  '^([0-9]{12}|arn:aws(-cn|-us-gov)?:organizations::[0-9]{12}:organization/o-[a-z0-9]{10,32}|arn:aws(-cn|-us-gov)?:organizations::[0-9]{12}:ou/o-[a-z0-9]{10,32}/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$';

export const sharing = obj(
  {
    principals: list(
      str({
        description: '12-digit AWS account id, organization ARN, or organizational-unit ARN.',
        maxLength: 200,
        pattern: PRINCIPAL_PATTERN,
      }),
      {
        description: 'Who the resource is shared with through AWS RAM.',
        minItems: 1,
        maxItems: 100,
        listType: 'set',
      },
    ),
    allowExternalPrincipals: optional(
      bool({
        description: 'Allow principals outside your AWS organization (they must accept a RAM invitation).',
        default: false,
      }),
    ),
  },
  { description: 'Share the resource with other accounts through AWS RAM (the owner account only).' },
);
export type Sharing = Static<typeof sharing>;

/** RAM's share and association statuses, in the API's PascalCase spelling. */
export const SHARE_STATUSES = ['Pending', 'Active', 'Failed', 'Deleting', 'Deleted'] as const;
export const SHARE_ASSOCIATION_STATUSES = [
  'Associating',
  'Associated',
  'Failed',
  'Disassociating',
  'Disassociated',
  'Suspended',
  'Suspending',
  'Restoring',
  'Refused',
] as const;

/** Observed RAM sharing of a shareable kind (Contact, EscalationPlan, ResponsePlan). */
export const sharingStatus = obj(
  {
    resourceShareArn: str({ description: 'ARN of the RAM resource share.', maxLength: 2048 }),
    status: optional(enumOf(SHARE_STATUSES, { description: 'Status of the resource share.' })),
    allowExternalPrincipals: optional(
      bool({ description: 'Whether the share admits principals outside the organization.' }),
    ),
    resourceStatus: optional(
      enumOf(SHARE_ASSOCIATION_STATUSES, {
        description: "Status of the association between the share and this object's AWS resource.",
      }),
    ),
    principals: optional(
      list(
        obj(
          {
            principal: str({ description: 'Account id, organization or OU ARN.', maxLength: 200 }),
            status: enumOf(SHARE_ASSOCIATION_STATUSES, {
              description:
                'Association status; Refused: AWS RAM refused the principal (see message), nothing is shared with it.',
            }),
            external: optional(bool({ description: 'The principal is outside the owner organization.' })),
            message: optional(
              str({ description: 'Why the association is not Associated, and what to do.', maxLength: 2048 }),
            ),
            since: optional(
              timestamp(
                'When the principal was first seen Associating (the invitation window counts from it) or was refused (AWS RAM is asked again 12 minutes later).',
              ),
            ),
          },
          { description: 'One principal of the share.' },
        ),
        {
          description: 'Principals of the share and their association status.',
          maxItems: 100,
          listType: 'map',
          mapKeys: ['principal'],
        },
      ),
    ),
  },
  { description: 'The AWS RAM resource share that carries spec.sharing.' },
);
export type SharingStatus = Static<typeof sharingStatus>;

export const condition = obj(
  {
    type: str({ description: 'Condition type: Ready or Synced.', minLength: 1, maxLength: 316 }),
    status: enumOf(['True', 'False', 'Unknown'] as const, { description: 'Condition status.' }),
    reason: str({
      description: 'Machine-readable PascalCase reason.',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: optional(
      str({ description: 'Human-readable explanation naming the field and the rule.', maxLength: 32768 }),
    ),
    lastTransitionTime: timestamp('When the status last changed.'),
    observedGeneration: optional(
      int({
        description: 'metadata.generation the condition was computed for.',
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
      }),
    ),
  },
  { description: 'A status condition.' },
);
export type Condition = Static<typeof condition>;

/** Status fields every kind shares; kinds add their observed fields. */
export const commonStatusProperties = {
  arn: optional(str({ description: 'ARN of the AWS resource.', maxLength: 2048 })),
  conditions: optional(
    list(condition, {
      description: 'Ready and Synced conditions.',
      maxItems: 16,
      listType: 'map',
      mapKeys: ['type'],
    }),
  ),
  observedGeneration: optional(
    int({
      description: 'Last metadata.generation the controller acted on.',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
    }),
  ),
  lastSyncTime: optional(timestamp('When the controller last read the AWS resource successfully.')),
};

/** The minimal ObjectMeta our code reads and writes. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
}

export interface ManagedSpec {
  accountRef?: LocalRef;
  tags?: Record<string, string>;
  deletionPolicy?: DeletionPolicy;
  managementPolicy?: ManagementPolicy;
}

export interface ManagedStatus {
  arn?: string;
  conditions?: Condition[];
  observedGeneration?: number;
  lastSyncTime?: string;
}

/** The shape the engine works with: any managed kind. */
export interface ManagedResource<
  Spec extends ManagedSpec = ManagedSpec,
  Status extends ManagedStatus = ManagedStatus,
> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** Spec properties every managed kind has (tags are added per service). */
export function managedSpecProperties(defaultDeletion: DeletionPolicy) {
  return {
    accountRef: optional(accountRef),
    deletionPolicy: optional(deletionPolicy(defaultDeletion)),
    managementPolicy: optional(managementPolicy),
  };
}

/**
 * `metadata`: left to the API server. A CRD schema may say nothing at the root's `metadata` but
 * `type: object` (and constraints on name/generateName): kube-apiserver refuses even a description
 * there ("must not specify anything other than name and generateName").
 */
export function opaqueMeta() {
  return opaqueObject<ObjectMeta>();
}
