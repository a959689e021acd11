// The resources the emulator serves: a fixed set of built-in kinds plus whatever CRDs are stored.
export type Obj = Record<string, unknown> & { metadata?: Meta };
export interface Meta {
  name?: string | undefined;
  generateName?: string | undefined;
  namespace?: string | undefined;
  uid?: string | undefined;
  resourceVersion?: string | undefined;
  generation?: number | undefined;
  creationTimestamp?: string | undefined;
  deletionTimestamp?: string | undefined;
  deletionGracePeriodSeconds?: number | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  finalizers?: string[] | undefined;
  ownerReferences?:
    | { uid: string; kind?: string | undefined; name?: string | undefined; apiVersion?: string | undefined }[]
    | undefined;
  managedFields?: unknown[] | undefined;
  [k: string]: unknown;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

export interface ResourceInfo {
  group: string;
  version: string;
  /** Versions of the same group/resource that are served (CRDs may serve several). */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  hasStatus: boolean;
  /** Custom resources: generation covers everything but metadata and status. */
  custom: boolean;
  /** Built-ins with a spec whose changes bump generation (CRDs). */
  tracksGeneration: boolean;
  printerColumns?: PrinterColumn[];
  /** openAPIV3Schema of this version, for CRs. */
  schema?: Record<string, unknown>;
  crdName?: string;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** The custom resource handler lists its verbs in this order (discovery shows it as is). */
const CUSTOM_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

function builtin(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceInfo> = {},
): ResourceInfo {
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    hasStatus: false,
    custom: false,
    tracksGeneration: false,
    ...extra,
  };
}

export const BUILTINS: ResourceInfo[] = [
  builtin('', 'v1', 'namespaces', 'Namespace', false, {
    shortNames: ['ns'],
    hasStatus: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  builtin('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  builtin('', 'v1', 'secrets', 'Secret', true),
  builtin('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  builtin('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  builtin('events.k8s.io', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  builtin('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    hasStatus: true,
    tracksGeneration: true,
  }),
];

/** Storage key shared by all versions of a group/resource; core and events.k8s.io events are one store, as in kube. */
export function storeKey(info: { group: string; resource: string }): string {
  if (info.group === 'events.k8s.io' && info.resource === 'events') return '/events';
  return `${info.group}/${info.resource}`;
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  subresources?: { status?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
  schema?: { openAPIV3Schema?: Record<string, unknown> };
}

interface CrdSpec {
  group: string;
  scope: string;
  names: {
    kind: string;
    plural: string;
    singular?: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions: CrdVersion[];
}

/** Resource entries a CRD contributes, one per served version. */
export function crdResources(crd: Obj): ResourceInfo[] {
  const spec = crd.spec as CrdSpec | undefined;
  if (!spec?.names || !Array.isArray(spec.versions)) return [];
  const out: ResourceInfo[] = [];
  for (const v of spec.versions) {
    if (v.served === false) continue;
    const info: ResourceInfo = {
      group: spec.group,
      version: v.name,
      resource: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      namespaced: spec.scope !== 'Cluster',
      shortNames: spec.names.shortNames ?? [],
      categories: spec.names.categories ?? [],
      verbs: CUSTOM_VERBS,
      hasStatus: v.subresources?.status !== undefined,
      custom: true,
      tracksGeneration: true,
      crdName: crd.metadata?.name ?? '',
    };
    if (v.additionalPrinterColumns) info.printerColumns = v.additionalPrinterColumns;
    if (v.schema?.openAPIV3Schema) info.schema = v.schema.openAPIV3Schema;
    out.push(info);
  }
  return out;
}
