// OpenAPI documents kubectl reads: v3 per group-version (explain, field-validation support check,
// patch metadata) and v2 (older clients). CRD schemas are published as kube-apiserver publishes them:
// named by reversed group, tagged with x-kubernetes-group-version-kind, metadata as ObjectMeta.
import { createHash } from 'node:crypto';
import type { ResourceInfo } from './registry.ts';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const OBJECT_META_SCHEMA = {
  description:
    'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  type: 'object',
  properties: {
    name: { description: 'Name must be unique within a namespace.', type: 'string' },
    generateName: { description: 'An optional prefix used to generate a unique name.', type: 'string' },
    namespace: {
      description: 'Namespace defines the space within which each name must be unique.',
      type: 'string',
    },
    labels: {
      description: 'Map of string keys and values that can be used to organize and categorize objects.',
      type: 'object',
      additionalProperties: { type: 'string', default: '' },
    },
    annotations: {
      description: 'Annotations is an unstructured key value map stored with a resource.',
      type: 'object',
      additionalProperties: { type: 'string', default: '' },
    },
    finalizers: {
      description: 'Must be empty before the object is deleted from the registry.',
      type: 'array',
      items: { type: 'string', default: '' },
      'x-kubernetes-list-type': 'set',
      'x-kubernetes-patch-strategy': 'merge',
    },
    ownerReferences: {
      description: 'List of objects depended by this object.',
      type: 'array',
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      'x-kubernetes-list-map-keys': ['uid'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'uid',
      'x-kubernetes-patch-strategy': 'merge',
    },
    uid: { description: 'UID is the unique in time and space value for this object.', type: 'string' },
    resourceVersion: {
      description: 'An opaque value that represents the internal version of this object.',
      type: 'string',
    },
    generation: {
      description: 'A sequence number representing a specific generation of the desired state.',
      type: 'integer',
      format: 'int64',
    },
    creationTimestamp: {
      description:
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
      type: 'string',
      format: 'date-time',
    },
    deletionTimestamp: {
      description: 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.',
      type: 'string',
      format: 'date-time',
    },
    deletionGracePeriodSeconds: {
      description: 'Number of seconds allowed for this object to gracefully terminate.',
      type: 'integer',
      format: 'int64',
    },
    managedFields: {
      description:
        'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.',
      type: 'array',
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
};

function reverseGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

const BUILTIN_PKG: Record<string, string> = {
  '': 'io.k8s.api.core.v1',
  'events.k8s.io': 'io.k8s.api.events.v1',
  'coordination.k8s.io': 'io.k8s.api.coordination.v1',
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
};

export function schemaName(r: ResourceInfo): string {
  if (!r.custom) return `${BUILTIN_PKG[r.group] ?? reverseGroup(r.group)}.${r.kind}`;
  return `${reverseGroup(r.group)}.${r.version}.${r.kind}`;
}

const BUILTIN_FIELDS: Record<string, Record<string, unknown>> = {
  ConfigMap: {
    data: {
      description: 'Data contains the configuration data.',
      type: 'object',
      additionalProperties: { type: 'string', default: '' },
    },
    binaryData: {
      description: 'BinaryData contains the binary data.',
      type: 'object',
      additionalProperties: { type: 'string', format: 'byte' },
    },
    immutable: {
      description: 'Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.',
      type: 'boolean',
    },
  },
  Secret: {
    data: {
      description: 'Data contains the secret data.',
      type: 'object',
      additionalProperties: { type: 'string', format: 'byte' },
    },
    stringData: {
      description: 'stringData allows specifying non-binary secret data in string form.',
      type: 'object',
      additionalProperties: { type: 'string', default: '' },
    },
    type: { description: 'Used to facilitate programmatic handling of secret data.', type: 'string' },
    immutable: {
      description: 'Immutable, if set to true, ensures that data stored in the Secret cannot be updated.',
      type: 'boolean',
    },
  },
};

function objectSchema(r: ResourceInfo): Record<string, unknown> {
  const gvk = [{ group: r.group, kind: r.kind, version: r.version }];
  const common = {
    // TypeMeta's and ObjectMeta's own descriptions, as kube-apiserver sets them on every CRD schema.
    apiVersion: {
      description:
        'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
      type: 'string',
    },
    kind: {
      description:
        'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
      type: 'string',
    },
    metadata: {
      description:
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }],
      default: {},
    },
  };
  if (r.custom && r.schema) {
    const s = structuredClone(r.schema) as Record<string, unknown>;
    const props = { ...((s.properties as Record<string, unknown> | undefined) ?? {}) };
    s.properties = { ...props, ...common };
    s['x-kubernetes-group-version-kind'] = gvk;
    return s;
  }
  const extra = BUILTIN_FIELDS[r.kind];
  if (extra)
    return { type: 'object', properties: { ...common, ...extra }, 'x-kubernetes-group-version-kind': gvk };
  return {
    type: 'object',
    properties: common,
    'x-kubernetes-preserve-unknown-fields': true,
    'x-kubernetes-group-version-kind': gvk,
  };
}

function v2ify(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/', '#/definitions/'));
}

function param(name: string, description: string) {
  return { name, in: 'query', description, schema: { type: 'string', uniqueItems: true } };
}

function operations(r: ResourceInfo, ref: string): Record<string, unknown> {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const body = { content: { '*/*': { schema: { $ref: ref } } }, required: true };
  const ok = { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: ref } } } } };
  const write = [
    param('dryRun', 'When present, indicates that modifications should not be persisted.'),
    param(
      'fieldManager',
      'fieldManager is a name associated with the actor or entity that is making these changes.',
    ),
    param(
      'fieldValidation',
      'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.',
    ),
  ];
  const op = (action: string, extra: Record<string, unknown> = {}) => ({
    operationId: `${action}${r.kind}`,
    responses: ok,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  const base = `/${r.group === '' ? 'api' : `apis/${r.group}`}/${r.version}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
  const paths: Record<string, unknown> = {
    [base]: {
      get: op('list'),
      post: op('post', { parameters: write, requestBody: body }),
    },
    [`${base}/{name}`]: {
      get: op('get'),
      put: op('put', { parameters: write, requestBody: body }),
      patch: op('patch', {
        parameters: [...write, param('force', 'Force is going to "force" Apply requests.')],
        requestBody: body,
      }),
      delete: op('delete'),
    },
  };
  if (r.hasStatus)
    paths[`${base}/{name}/status`] = {
      get: op('get'),
      put: op('put', { parameters: write, requestBody: body }),
      patch: op('patch', { parameters: write, requestBody: body }),
    };
  return paths;
}

function gvOf(r: ResourceInfo): string {
  return r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
}

export function openApiV3Doc(resources: ResourceInfo[], gv: string): Record<string, unknown> | undefined {
  const rs = resources.filter((r) => gvOf(r) === gv);
  if (rs.length === 0) return undefined;
  const schemas: Record<string, unknown> = { [OBJECT_META]: OBJECT_META_SCHEMA };
  let paths: Record<string, unknown> = {};
  for (const r of rs) {
    const name = schemaName(r);
    schemas[name] = objectSchema(r);
    paths = { ...paths, ...operations(r, `#/components/schemas/${name}`) };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas },
  };
}

export function openApiV3Index(resources: ResourceInfo[], generation: number): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const gv = gvOf(r);
    if (paths[gv]) continue;
    const hash = createHash('sha512')
      .update(JSON.stringify(openApiV3Doc(resources, gv)))
      .update(String(generation))
      .digest('hex')
      .slice(0, 128)
      .toUpperCase();
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` };
  }
  return { paths };
}

export function openApiV2(resources: ResourceInfo[]): Record<string, unknown> {
  const definitions: Record<string, unknown> = { [OBJECT_META]: OBJECT_META_SCHEMA };
  for (const r of resources) definitions[schemaName(r)] = v2ify(objectSchema(r));
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions };
}
