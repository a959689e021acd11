// The single list of kinds: names, scope, schema and printer columns. The CRDs, the runtime
// checker (`checkerFor`), the docs and `imctl crds` all come from here.
import { Compile } from 'typebox/compile';
import { type AWSAccount, AWSAccountSpecSchema, AWSAccountStatusSchema } from './aws-account.ts';
import { API_VERSION, CATEGORY, type ObjectMeta, opaqueMeta } from './common.ts';
import { type Contact, ContactSpecSchema, ContactStatusSchema } from './contact.ts';
import {
  type EscalationPlan,
  EscalationPlanSpecSchema,
  EscalationPlanStatusSchema,
} from './escalation-plan.ts';
import {
  type ReplicationSet,
  ReplicationSetSpecSchema,
  ReplicationSetStatusSchema,
} from './replication-set.ts';
import { type ResponsePlan, ResponsePlanSpecSchema, ResponsePlanStatusSchema } from './response-plan.ts';
import { type Rotation, RotationSpecSchema, RotationStatusSchema } from './rotation.ts';
import { mapKeyPattern, obj, optional, str, type TSchema } from './schema-kit.ts';
import { KIND_NAMES, type KindNames } from './values.ts';

export * from './aws-account.ts';
export * from './common.ts';
export * from './contact.ts';
export * from './escalation-plan.ts';
export * from './replication-set.ts';
export * from './response-plan.ts';
export * from './rotation.ts';
export * from './targets.ts';
export * from './values.ts';

export type KindName = KindNames['kind'];

/** Kind name → its TypeScript object type. */
export interface KindTypes {
  ReplicationSet: ReplicationSet;
  ResponsePlan: ResponsePlan;
  Contact: Contact;
  EscalationPlan: EscalationPlan;
  Rotation: Rotation;
  AWSAccount: AWSAccount;
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition {
  group: string;
  version: string;
  kind: KindName;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  scope: 'Namespaced' | 'Cluster';
  /** What the kind is, for CRD description, docs and `imctl crds`. */
  description: string;
  /** The whole object's schema (apiVersion, kind, metadata, spec, status) = the CRD openAPIV3Schema. */
  schema: TSchema;
  printerColumns: readonly PrinterColumn[];
}

const ready: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: 'The AWS resource matches the spec and is usable.',
};
const synced: PrinterColumn = {
  name: 'Synced',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Synced")].status',
  description: 'The last reconcile reached AWS without error.',
};
const arn: PrinterColumn = {
  name: 'ARN',
  type: 'string',
  jsonPath: '.status.arn',
  description: 'ARN of the AWS resource.',
  priority: 1,
};
const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function objectSchema(kind: string, description: string, spec: TSchema, status: TSchema): TSchema {
  return obj(
    {
      apiVersion: optional(str({ description: `Always ${API_VERSION}.`, maxLength: 253 })),
      kind: optional(str({ description: `Always ${kind}.`, maxLength: 63 })),
      metadata: optional(opaqueMeta()),
      spec,
      status: optional(status),
    },
    { description },
  );
}

function define(
  kind: KindName,
  description: string,
  spec: TSchema,
  status: TSchema,
  specific: PrinterColumn,
): KindDefinition {
  const names = KIND_NAMES.find((k) => k.kind === kind);
  if (!names) throw new Error(`kind ${kind} is not in KIND_NAMES (src/crds/values.ts)`);
  const schema = objectSchema(kind, description, spec, status);
  const printerColumns =
    kind === 'AWSAccount'
      ? [
          ready,
          specific,
          { name: 'Region', type: 'string', jsonPath: '.spec.region' } as PrinterColumn,
          { ...arn, name: 'Caller', jsonPath: '.status.callerArn' },
          age,
        ]
      : [ready, synced, specific, arn, age];
  return {
    group: names.group,
    version: names.version,
    kind,
    plural: names.plural,
    singular: kind.toLowerCase(),
    shortNames: names.shortNames,
    scope: names.scope,
    description,
    schema,
    printerColumns,
  };
}

export const KINDS: readonly KindDefinition[] = [
  define(
    'ReplicationSet',
    'ReplicationSet turns Incident Manager on for an account: the Regions its data is replicated to and the KMS key in each. One per account; deleting it in AWS erases all incident data, so it is retained by default.',
    ReplicationSetSpecSchema,
    ReplicationSetStatusSchema,
    { name: 'Status', type: 'string', jsonPath: '.status.status', description: 'State of the set in AWS.' },
  ),
  define(
    'ResponsePlan',
    'ResponsePlan is the template for incidents: title and impact, who to engage, the chat channel, the runbook to start and the PagerDuty integration.',
    ResponsePlanSpecSchema,
    ResponsePlanStatusSchema,
    {
      name: 'Impact',
      type: 'integer',
      jsonPath: '.spec.incidentTemplate.impact',
      description: 'Impact of incidents (1 Critical … 5 No impact).',
    },
  ),
  define(
    'Contact',
    'Contact is a responder (type Personal: channels and an engagement plan) or an on-call schedule (type OnCallSchedule: ordered rotations).',
    ContactSpecSchema,
    ContactStatusSchema,
    { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Personal or OnCallSchedule.' },
  ),
  define(
    'EscalationPlan',
    'EscalationPlan engages contacts and on-call schedules in stages until someone acknowledges.',
    EscalationPlanSpecSchema,
    EscalationPlanStatusSchema,
    { name: 'Alias', type: 'string', jsonPath: '.spec.alias', description: 'Contact alias of the plan.' },
  ),
  define(
    'Rotation',
    'Rotation is the shift pattern inside an on-call schedule: members in order, time zone, recurrence, covered hours and overrides.',
    RotationSpecSchema,
    RotationStatusSchema,
    {
      name: 'TimeZone',
      type: 'string',
      jsonPath: '.spec.timeZoneId',
      description: 'IANA time zone of the rotation.',
    },
  ),
  define(
    'AWSAccount',
    'AWSAccount says which AWS account and home Region a resource lives in and how the controller reaches it: the role to assume, external id and session name.',
    AWSAccountSpecSchema,
    AWSAccountStatusSchema,
    { name: 'Account', type: 'string', jsonPath: '.spec.accountId', description: 'AWS account id.' },
  ),
];

export function kindDefinition(kind: string): KindDefinition | undefined {
  return KINDS.find((k) => k.kind === kind);
}

/** The CustomResourceDefinition object for one kind (deterministic). */
export function crdFor(def: KindDefinition): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${def.group}`,
      labels: { 'app.kubernetes.io/part-of': 'incident-manager-operator' },
    },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: [...def.shortNames],
        categories: [CATEGORY],
      },
      scope: def.scope,
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns.map((c) => ({ ...c })),
          schema: { openAPIV3Schema: toPlainSchema(def.schema) },
        },
      ],
    },
  };
}

/** JSON round trip: drops TypeBox's symbol-keyed metadata so only JSON Schema remains. */
export function toPlainSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

export function allCrds(): Record<string, unknown>[] {
  return KINDS.map(crdFor);
}

export interface SchemaError {
  /** Dotted field path, e.g. spec.channels[0].address. */
  path: string;
  /** The violated keyword (maxLength, pattern, enum, required, …). */
  rule: string;
  message: string;
}

const checkers = new Map<KindName, ReturnType<typeof Compile>>();

/**
 * Checks an object against its kind's schema (everything but the CEL rules, which need an API
 * server's CEL environment). Returns [] when valid.
 */
export function checkObject(obj: unknown): SchemaError[] {
  const o = obj as { apiVersion?: unknown; kind?: unknown } | null;
  if (!o || typeof o !== 'object') return [{ path: '', rule: 'type', message: 'must be an object' }];
  if (o.apiVersion !== API_VERSION)
    return [{ path: 'apiVersion', rule: 'enum', message: `must be ${API_VERSION}` }];
  const def = typeof o.kind === 'string' ? kindDefinition(o.kind) : undefined;
  if (!def)
    return [{ path: 'kind', rule: 'enum', message: `must be one of ${KINDS.map((k) => k.kind).join(', ')}` }];
  let checker = checkers.get(def.kind);
  if (!checker) {
    checker = Compile(def.schema);
    checkers.set(def.kind, checker);
  }
  const errors: SchemaError[] = unknownFields(def.schema as unknown as SchemaNode, obj, '');
  if (checker.Check(obj)) return errors;
  for (const e of checker.Errors(obj)) {
    // A map's value errors are reported per entry; TypeBox adds a redundant summary on the map.
    if (e.keyword === 'additionalProperties') continue;
    const message = humanMessage(e.keyword, e.params as Record<string, unknown>, e.message);
    errors.push({ path: pointerToPath(e.instancePath, e.keyword, e.params), rule: e.keyword, message });
  }
  return errors;
}

/** Messages in the API server's words where TypeBox's differ. */
function humanMessage(keyword: string, params: Record<string, unknown>, fallback: string): string {
  const limit = params.limit;
  switch (keyword) {
    case 'enum':
      return Array.isArray(params.allowedValues)
        ? `must be one of: ${params.allowedValues.join(', ')}`
        : fallback;
    case 'maximum':
      return `must be less than or equal to ${limit}`;
    case 'minimum':
      return `must be greater than or equal to ${limit}`;
    case 'maxLength':
      return `may not be longer than ${limit} characters`;
    case 'minLength':
      return `must be at least ${limit} characters long`;
    case 'maxItems':
      return `must have at most ${limit} items`;
    case 'minItems':
      return `must have at least ${limit} items`;
    case 'maxProperties':
      return `must have at most ${limit} entries`;
    case 'minProperties':
      return `must have at least ${limit} entries`;
    case 'required':
      return 'Required value';
    case 'format':
      return params.format === 'date-time'
        ? 'must be an RFC 3339 timestamp, e.g. 2026-12-24T07:00:00Z'
        : fallback;
    default:
      return fallback;
  }
}

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode;
  items?: SchemaNode;
}

/** Fields the schema does not know: the API server drops them (or rejects them with strict field validation). */
function unknownFields(schema: SchemaNode, value: unknown, path: string): SchemaError[] {
  const out: SchemaError[] = [];
  if (schema.type === 'array' && Array.isArray(value) && schema.items) {
    value.forEach((v, i) => {
      out.push(...unknownFields(schema.items as SchemaNode, v, `${path}[${i}]`));
    });
  }
  if (schema.type !== 'object' || !value || typeof value !== 'object' || Array.isArray(value)) return out;
  if (path === 'metadata') return out;
  for (const [k, v] of Object.entries(value)) {
    const child = `${path === '' ? '' : `${path}.`}${k}`;
    const sub = schema.properties?.[k] ?? schema.additionalProperties;
    if (!schema.properties && schema.additionalProperties) {
      const pattern = mapKeyPattern(schema);
      if (pattern !== undefined && !new RegExp(pattern, 'u').test(k))
        out.push({ path: child, rule: 'keyPattern', message: `key must match pattern "${pattern}"` });
    }
    if (sub) out.push(...unknownFields(sub, v, child));
    else if (schema.properties) out.push({ path: child, rule: 'unknownField', message: 'unknown field' });
  }
  return out;
}

function pointerToPath(pointer: string, keyword: string, params: unknown): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (keyword === 'required') {
    const missing = (params as { requiredProperties?: string[] }).requiredProperties;
    if (missing?.[0]) parts.push(missing[0]);
  }
  let out = '';
  for (const p of parts) out += /^[0-9]+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

export type { ObjectMeta };
