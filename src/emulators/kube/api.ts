// The API server's semantics, independent of HTTP: resource registry (built-ins + CRDs), create,
// update, patch, delete with finalizers, namespaces, CRD lifecycle, generation and
// resourceVersion rules, as kube-apiserver applies them.
import { randomUUID } from 'node:crypto';
import { type ApplyResult, applyManagedFields, recordUpdate } from './apply.ts';
import {
  builtinFieldSchema,
  DecodeError,
  decodeBuiltin,
  eventFromCore,
  eventToStorage,
  requiresResourceVersion,
  stripEventZeroValues,
  validateBuiltin,
  withEventZeroValues,
} from './builtins.ts';
import { sortedCopy, sortedJson } from './canonical.ts';
import { JsonPatchError, jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { BUILTINS, crdResources, type Meta, type Obj, type ResourceInfo, storeKey } from './registry.ts';
import { errors, KubeError, type StatusCause } from './status.ts';
import { Store } from './store.ts';

export interface CompiledSchema {
  validate(obj: unknown, oldObj?: unknown, prior?: readonly StatusCause[]): StatusCause[];
  applyDefaults(obj: unknown): void;
  prune(obj: unknown): string[];
}

/** Schema services (src/emulators/kube/schema): structural validation, defaults, pruning, CEL. */
export interface SchemaHooks {
  compileVersionSchema(schema: Record<string, unknown>): CompiledSchema;
  validateCrd(crd: unknown, oldCrd?: unknown): StatusCause[];
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Keys the request body had twice (reported per fieldValidation, as unknown fields are). */
  duplicateFields?: string[];
  force?: boolean;
}

export interface WriteResult {
  object: Obj;
  created: boolean;
  warnings: string[];
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** validation.IsQualifiedName for label and annotation keys: `[prefix/]name`. */
function qualifiedNameCauses(key: string, field: string): StatusCause[] {
  const bad = (detail: string): StatusCause => ({
    reason: 'FieldValueInvalid',
    field,
    message: `Invalid value: "${key}": ${detail}`,
  });
  const parts = key.split('/');
  if (parts.length > 2)
    return [
      bad(
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ),
    ];
  const name = parts[parts.length - 1] ?? '';
  const out: StatusCause[] = [];
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0) out.push(bad('prefix part must be non-empty'));
    else if (prefix.length > 253) out.push(bad('prefix part must be no more than 253 characters'));
    else if (!DNS1123_SUBDOMAIN.test(prefix)) out.push(bad(`prefix part ${SUBDOMAIN_MSG}`));
  }
  if (name.length === 0) out.push(bad('name part must be non-empty'));
  else if (name.length > 63) out.push(bad('name part must be no more than 63 characters'));
  else if (!NAME_PART.test(name)) out.push(bad(NAME_PART_MSG));
  return out;
}

/** ValidateConfigMapUpdate / ValidateSecretUpdate: `immutable: true` freezes the data. */
function immutableDataCauses(resource: string, o: Obj, old: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  const forbidden = (field: string): StatusCause => ({
    reason: 'FieldValueForbidden',
    field,
    message: 'Forbidden: field is immutable when `immutable` is set',
  });
  if (resource === 'secrets' && (o.type ?? 'Opaque') !== (old.type ?? 'Opaque'))
    out.push({
      reason: 'FieldValueInvalid',
      field: 'type',
      message: `Invalid value: "${String(o.type)}": field is immutable`,
    });
  if (old.immutable !== true) return out;
  if (o.immutable !== true) out.push(forbidden('immutable'));
  const fields = resource === 'configmaps' ? ['data', 'binaryData'] : ['data'];
  for (const f of fields) if (sortedJson(o[f] ?? null) !== sortedJson(old[f] ?? null)) out.push(forbidden(f));
  return out;
}

const CRD_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const NS_FINALIZER = 'kubernetes';

function clone<T>(v: T): T {
  return structuredClone(v);
}

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

function meta(o: Obj): Meta {
  if (typeof o.metadata !== 'object' || o.metadata === null) o.metadata = {};
  return o.metadata;
}

/** Everything but metadata and status: what a generation bump covers for custom resources. */
function specPart(o: Obj, custom: boolean): string {
  if (!custom) return sortedJson(o.spec ?? null);
  const { metadata: _m, status: _s, ...rest } = o;
  return sortedJson(rest); // key order is no change (answers come with sorted keys)
}

export class KubeApi {
  readonly store: Store;
  private readonly schemaHooks: SchemaHooks | undefined;
  private crdInfos: ResourceInfo[] = [];
  private readonly compiled = new Map<string, CompiledSchema>();
  /** Bumps whenever the set of served resources changes (discovery/openapi caches). */
  generation = 0;

  constructor(opts: { store?: Store; schema?: SchemaHooks } = {}) {
    this.store = opts.store ?? new Store();
    this.schemaHooks = opts.schema;
    this.refreshCrds();
  }

  // ---- registry -------------------------------------------------------------------------------

  resources(): ResourceInfo[] {
    return [...BUILTINS, ...this.crdInfos];
  }

  find(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.resources().find(
      (r) => r.group === group && r.version === version && r.resource === resource,
    );
  }

  private refreshCrds(): void {
    const infos: ResourceInfo[] = [];
    for (const crd of this.store.list('apiextensions.k8s.io/customresourcedefinitions')) {
      if (crd.metadata?.deletionTimestamp && !this.hasEstablished(crd)) continue;
      infos.push(...crdResources(crd));
    }
    this.crdInfos = infos;
    this.compiled.clear();
    this.generation++;
  }

  private hasEstablished(crd: Obj): boolean {
    const conds = (crd.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
    return conds?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  }

  private schemaFor(info: ResourceInfo): CompiledSchema | undefined {
    if (!this.schemaHooks || !info.schema) return undefined;
    const key = `${info.group}/${info.version}/${info.resource}`;
    let c = this.compiled.get(key);
    if (!c) {
      c = this.schemaHooks.compileVersionSchema(info.schema);
      this.compiled.set(key, c);
    }
    return c;
  }

  // ---- reads ----------------------------------------------------------------------------------

  /** The object as served at `info.version` (CRDs use conversion strategy None: only apiVersion changes). */
  present(info: ResourceInfo, o: Obj, forStorage = false): Obj {
    const apiVersion = info.group === '' ? info.version : `${info.group}/${info.version}`;
    // A custom resource is a map in Go (unstructured): encoded with its keys sorted at every level.
    if (info.custom) return sortedCopy({ ...o, apiVersion, kind: info.kind }) as Obj;
    const out = clone(o);
    out.apiVersion = apiVersion;
    out.kind = info.kind;
    if (info.resource !== 'events') return out;
    // Events are stored in core v1 form; events.k8s.io/v1 converts on the way in and out.
    if (info.group === 'events.k8s.io')
      return forStorage ? { ...eventToStorage(out), apiVersion: 'v1' } : eventFromCore(out);
    return forStorage ? out : withEventZeroValues(out);
  }

  get(info: ResourceInfo, ns: string | undefined, name: string): Obj {
    const o = this.store.get(storeKey(info), info.namespaced ? ns : undefined, name);
    if (!o) throw errors.notFound(info.group, info.resource, name);
    return this.present(info, o);
  }

  // ---- writes ---------------------------------------------------------------------------------

  private checkNamespace(info: ResourceInfo, ns: string | undefined, what: string): void {
    if (!info.namespaced) return;
    if (!ns) throw errors.badRequest('the server could not find the requested resource');
    const nsObj = this.store.get('/namespaces', undefined, ns);
    if (!nsObj) throw errors.notFound('', 'namespaces', ns);
    if (nsObj.metadata?.deletionTimestamp)
      throw errors.forbidden(
        info.group,
        info.resource,
        what,
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
  }

  private validateMeta(info: ResourceInfo, o: Obj, creating: boolean): StatusCause[] {
    const m = meta(o);
    const causes: StatusCause[] = [];
    if (creating && !m.name && !m.generateName)
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
        field: 'metadata.name',
      });
    if (m.name) {
      // IsDNS1123Label / IsDNS1123Subdomain: the length (63 / 253) and the characters, each reported.
      const label = info.resource === 'namespaces';
      const max = label ? 63 : 253;
      if (m.name.length > max)
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${m.name}": must be no more than ${max} characters`,
          field: 'metadata.name',
        });
      if (!(label ? DNS1123_LABEL : DNS1123_SUBDOMAIN).test(m.name))
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${m.name}": ${label ? LABEL_MSG : SUBDOMAIN_MSG}`,
          field: 'metadata.name',
        });
    }
    for (const [k, v] of Object.entries(m.labels ?? {})) {
      causes.push(...qualifiedNameCauses(k, 'metadata.labels'));
      if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
        causes.push({
          reason: 'FieldValueInvalid',
          field: 'metadata.labels',
          message:
            typeof v === 'string' && v.length > 63
              ? `Invalid value: "${v}": must be no more than 63 characters`
              : `Invalid value: "${String(v)}": ${LABEL_VALUE_MSG}`,
        });
    }
    for (const k of Object.keys(m.annotations ?? {}))
      causes.push(...qualifiedNameCauses(k, 'metadata.annotations'));
    return causes;
  }

  /** Defaults, pruning and validation against the CRD schema; returns warnings. */
  private admit(info: ResourceInfo, o: Obj, old: Obj | undefined, opts: WriteOptions): string[] {
    const warnings: string[] = [];
    let unknownFields: string[];
    try {
      unknownFields = decodeBuiltin(info, o);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      throw errors.badRequest(
        `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ${e.message}`,
      );
    }
    if (info.group === '' && info.resource === 'events') stripEventZeroValues(o);
    if (info.group === '' && info.resource === 'secrets' && o.stringData !== undefined) {
      // stringData is write-only: merged into data, as the Secret conversion does.
      const data = { ...((o.data as Record<string, string> | undefined) ?? {}) };
      for (const [k, v] of Object.entries(o.stringData as Record<string, string>))
        data[k] = Buffer.from(String(v)).toString('base64');
      o.data = data;
      delete o.stringData;
    }
    const causes = this.validateMeta(info, o, old === undefined);
    causes.push(...validateBuiltin(info, o, old));
    if (old && info.group === '' && (info.resource === 'configmaps' || info.resource === 'secrets'))
      causes.push(...immutableDataCauses(info.resource, o, old));
    const schema = this.schemaFor(info);
    const problems = (opts.duplicateFields ?? []).map((p) => `duplicate field "${p}"`);
    problems.push(...unknownFields.map((p) => `unknown field "${p}"`));
    if (schema) problems.push(...schema.prune(o).map((p) => `unknown field "${p}"`));
    if (problems.length > 0) {
      const mode = opts.fieldValidation ?? 'Warn';
      if (mode === 'Strict')
        throw errors.badRequest(
          `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${problems.join(', ')}`,
        );
      if (mode === 'Warn') warnings.push(...problems);
    }
    if (schema) {
      schema.applyDefaults(o);
      causes.push(...schema.validate(o, old, causes));
    }
    if (info.resource === 'customresourcedefinitions' && this.schemaHooks)
      causes.push(...this.schemaHooks.validateCrd(o, old));
    if (causes.length > 0) {
      // events.k8s.io shares core's Event storage: its errors name the core kind.
      const group = info.group === 'events.k8s.io' ? '' : info.group;
      const e = errors.invalid(group, info.kind, o.metadata?.name ?? '', causes);
      e.warnings = warnings;
      throw e;
    }
    return warnings;
  }

  create(info: ResourceInfo, ns: string | undefined, body: Obj, opts: WriteOptions = {}): WriteResult {
    const o = clone(body);
    const m = meta(o);
    if (info.namespaced) {
      if (m.namespace && ns && m.namespace !== ns)
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      m.namespace = ns ?? m.namespace;
    } else delete m.namespace;
    if (!m.name && m.generateName) m.name = `${m.generateName}${randomSuffix()}`;
    this.checkNamespace(info, m.namespace, m.name ?? '');
    const key = storeKey(info);
    const warnings = this.admit(info, o, undefined, opts);
    if (this.store.get(key, m.namespace, m.name!))
      throw errors.alreadyExists(info.group, info.resource, m.name!);
    if (m.resourceVersion)
      throw errors.bare(500, 'resourceVersion should not be set on objects to be created');
    // Fields the server owns.
    m.uid = randomUUID();
    m.creationTimestamp = nowIso();
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    if (info.tracksGeneration) m.generation = 1;
    else delete m.generation;
    if (info.custom && info.hasStatus) delete o.status;
    this.onCreate(info, o);
    if (opts.fieldManager)
      recordUpdate(
        o,
        undefined,
        opts.fieldManager,
        this.apiVersionOf(info),
        'Update',
        undefined,
        info.schema ?? builtinFieldSchema(info),
      );
    if (opts.dryRun)
      return { object: this.present(info, this.present(info, o, true)), created: true, warnings };
    const rv = this.store.nextRv();
    m.resourceVersion = String(rv);
    const stored = this.present(info, o, true);
    this.store.put(key, stored, 'ADDED', rv);
    if (info.resource === 'customresourcedefinitions') this.refreshCrds();
    return { object: this.present(info, stored), created: true, warnings };
  }

  private apiVersionOf(info: ResourceInfo): string {
    return info.group === '' ? info.version : `${info.group}/${info.version}`;
  }

  private onCreate(info: ResourceInfo, o: Obj): void {
    const m = meta(o);
    if (info.group === '' && info.resource === 'namespaces') {
      o.spec = { finalizers: [NS_FINALIZER] };
      o.status = { phase: 'Active' };
      m.labels = { ...(m.labels ?? {}), 'kubernetes.io/metadata.name': m.name! };
    }
    if (info.resource === 'customresourcedefinitions') {
      m.finalizers = [...new Set([...(m.finalizers ?? []), CRD_FINALIZER])];
      this.establish(o);
    }
    if (info.group === '' && info.resource === 'secrets' && !o.type) o.type = 'Opaque';
  }

  /** The CRD controllers' work: names accepted, established, storedVersions. */
  private establish(crd: Obj): void {
    const spec = crd.spec as {
      names?: Record<string, unknown>;
      versions?: { name: string; storage?: boolean }[];
    };
    const old = (crd.status ?? {}) as { storedVersions?: string[]; conditions?: Record<string, unknown>[] };
    const now = nowIso();
    const prevTime = (t: string) => old.conditions?.find((c) => c.type === t)?.lastTransitionTime ?? now;
    const names = { ...(spec.names ?? {}) };
    if (names.singular === undefined) names.singular = String(names.kind ?? '').toLowerCase();
    if (names.listKind === undefined) names.listKind = `${String(names.kind ?? '')}List`;
    const storage = spec.versions?.find((v) => v.storage)?.name;
    crd.status = {
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: prevTime('NamesAccepted'),
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: prevTime('Established'),
        },
      ],
      acceptedNames: names,
      storedVersions: [...new Set([...(old.storedVersions ?? []), ...(storage ? [storage] : [])])],
    };
  }

  /**
   * PUT (and the tail of every patch): optimistic concurrency, status/spec split, generation,
   * finalizer completion.
   */
  update(
    info: ResourceInfo,
    ns: string | undefined,
    name: string,
    body: Obj,
    sub: string | undefined,
    opts: WriteOptions = {},
    operation: 'Update' | 'Apply' | 'none' = 'Update',
  ): WriteResult {
    const key = storeKey(info);
    const nsKey = info.namespaced ? ns : undefined;
    const stored0 = this.store.get(key, nsKey, name);
    // The stored object in the request's version (events.k8s.io reads core events converted).
    const current = stored0 && info.group === 'events.k8s.io' ? this.present(info, stored0) : stored0;
    const o = clone(body);
    const m = meta(o);
    // checkName in the update and patch handlers: the object must name itself, as the URL does.
    if (!m.name)
      throw errors.badRequest(
        `the name of the object (${name} based on URL) was undeterminable: name must be provided`,
      );
    if (m.name !== name)
      throw errors.badRequest(
        `the name of the object (${m.name}) does not match the name on the URL (${name})`,
      );
    if (info.namespaced) {
      if (m.namespace && m.namespace !== ns)
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      m.namespace = ns;
    }
    if (!current) throw errors.notFound(info.group, info.resource, name);
    // Custom resources, CRDs and Leases refuse unconditional updates (AllowUnconditionalUpdate is false).
    if (
      !m.resourceVersion &&
      operation !== 'none' &&
      (info.custom || info.resource === 'customresourcedefinitions' || requiresResourceVersion(info))
    )
      throw errors.invalid(info.group, info.resource, name, [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0x0: must be specified for an update',
          field: 'metadata.resourceVersion',
        },
      ]);
    if (m.resourceVersion && m.resourceVersion !== current.metadata?.resourceVersion)
      throw errors.modified(info.group, info.resource, name);
    let next: Obj;
    if (sub === 'status') {
      // Status writes change status only (and managedFields); everything else comes from storage.
      next = clone(current);
      if (o.status === undefined) delete next.status;
      else next.status = o.status;
      if (info.resource === 'namespaces' || info.resource === 'customresourcedefinitions') {
        // keep server-owned status for built-ins as given
      }
    } else {
      next = o;
      const nm = meta(next);
      const cm = current.metadata ?? {};
      // BeforeUpdate keeps the stored UID when none is sent; a different one is refused.
      if (nm.uid && nm.uid !== cm.uid) {
        const immutable = {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(nm.uid)}: field is immutable`,
          field: 'metadata.uid',
        };
        // Checked twice (the update strategy and the common fields): two causes, one message.
        throw errors.invalid(info.group, info.kind, name, [immutable, { ...immutable }]);
      }
      nm.uid = cm.uid;
      nm.creationTimestamp = cm.creationTimestamp;
      if (cm.deletionTimestamp) {
        nm.deletionTimestamp = cm.deletionTimestamp;
        nm.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
      } else {
        delete nm.deletionTimestamp;
        delete nm.deletionGracePeriodSeconds;
      }
      if (nm.generation !== undefined || cm.generation !== undefined) nm.generation = cm.generation;
      if (info.hasStatus && info.custom) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      if (info.resource === 'namespaces') {
        next.status = clone(current.status);
        if (next.spec === undefined) next.spec = clone(current.spec);
      }
      if (info.resource === 'customresourcedefinitions') next.status = clone(current.status);
      if (cm.deletionTimestamp) {
        // Finalizers may only be removed, not added, once deletion started.
        const before = new Set(cm.finalizers ?? []);
        const added = (nm.finalizers ?? []).filter((f) => !before.has(f));
        if (added.length > 0)
          throw errors.invalid(info.group, info.kind, name, [
            {
              reason: 'FieldValueForbidden',
              message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => `"${f}"`).join(', ')}}`,
              field: 'metadata.finalizers',
            },
          ]);
      }
    }
    meta(next).resourceVersion = current.metadata?.resourceVersion;
    const warnings =
      sub === 'status' ? this.admitStatus(info, next, current) : this.admit(info, next, current, opts);
    if (
      info.tracksGeneration &&
      sub !== 'status' &&
      specPart(next, info.custom) !== specPart(current, info.custom)
    )
      meta(next).generation = (current.metadata?.generation ?? 0) + 1;
    if (info.resource === 'customresourcedefinitions' && sub !== 'status') this.establish(next);
    if (opts.fieldManager && operation !== 'none')
      recordUpdate(
        next,
        current,
        opts.fieldManager,
        this.apiVersionOf(info),
        operation,
        sub,
        info.schema ?? builtinFieldSchema(info),
        info.custom ? o : undefined,
      );
    // No-op writes keep the resourceVersion and send no event, as in kube.
    const unchanged = sortedJson(stripRv(next)) === sortedJson(stripRv(current));
    const finalize =
      next.metadata?.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0;
    if (opts.dryRun || (unchanged && !finalize)) {
      const shown = unchanged ? stored0! : this.present(info, next, true);
      return { object: this.present(info, shown), created: false, warnings };
    }
    const rv = this.store.nextRv();
    meta(next).resourceVersion = String(rv);
    const stored = this.present(info, next, true);
    if (finalize) this.remove(info, stored, rv);
    else this.store.put(key, stored, 'MODIFIED', rv);
    if (info.resource === 'customresourcedefinitions') this.refreshCrds();
    return { object: this.present(info, stored), created: false, warnings };
  }

  private admitStatus(info: ResourceInfo, next: Obj, current: Obj): string[] {
    const schema = this.schemaFor(info);
    if (!schema) return [];
    schema.prune(next);
    schema.applyDefaults(next);
    const causes = schema.validate(next, current);
    if (causes.length > 0) throw errors.invalid(info.group, info.kind, next.metadata?.name ?? '', causes);
    return [];
  }

  patch(
    info: ResourceInfo,
    ns: string | undefined,
    name: string,
    sub: string | undefined,
    type: PatchType,
    body: unknown,
    opts: WriteOptions = {},
  ): WriteResult {
    const key = storeKey(info);
    const current = this.store.get(key, info.namespaced ? ns : undefined, name);
    // Apply creates through the main resource only; a subresource needs the object.
    if (type === 'apply' && (current || sub === undefined))
      return this.apply(info, ns, name, sub, body as Obj, current, opts);
    if (!current) throw errors.notFound(info.group, info.resource, name);
    const base = this.present(info, current);
    let next: unknown;
    try {
      if (type === 'merge') next = mergePatch(base, body);
      else if (type === 'strategic') next = strategicMergePatch(base, body);
      else next = jsonPatch(base, body);
    } catch (e) {
      if (e instanceof JsonPatchError) throw errors.patchRejected(e.message);
      throw e;
    }
    if (typeof next !== 'object' || next === null || Array.isArray(next))
      throw errors.badRequest('patch produced a non-object');
    const nextObj = next as Obj;
    // A patch that sets resourceVersion is a precondition; otherwise it applies to the latest.
    const patchRv = (body as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
    if (type !== 'json' && patchRv === undefined)
      meta(nextObj).resourceVersion = current.metadata?.resourceVersion;
    return this.update(info, ns, name, nextObj, sub, opts);
  }

  private apply(
    info: ResourceInfo,
    ns: string | undefined,
    name: string,
    sub: string | undefined,
    applied: Obj,
    current: Obj | undefined,
    opts: WriteOptions,
  ): WriteResult {
    if (!opts.fieldManager)
      throw errors.invalidOptions('PatchOptions', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: is required for apply patch',
          field: 'fieldManager',
        },
      ]);
    if (typeof applied !== 'object' || applied === null) throw errors.badRequest('invalid apply patch');
    const am = applied.metadata ?? {};
    if (am.name !== undefined && am.name !== name)
      throw errors.badRequest(
        `the name of the object (${am.name}) does not match the name on the URL (${name})`,
      );
    // Apply builds a typed object from the configuration: a field the schema does not declare
    // fails whatever fieldValidation says (structured-merge-diff's error, answered as a 500).
    const schema = this.schemaFor(info);
    const unknown = schema ? schema.prune(clone(applied)) : [];
    if (unknown.length > 0) {
      const errs = unknown.map((p) => `.${p}: field not declared in schema`);
      throw errors.bare(
        500,
        `failed to create typed patch object (${am.namespace ?? ''}/${am.name ?? ''}; ${this.apiVersionOf(info)}, Kind=${info.kind}): ${errs.length === 1 ? errs[0] : ['errors:', ...errs.map((x) => `  ${x}`)].join('\n')}`,
      );
    }
    const base = current ? this.present(info, current) : undefined;
    // The applied configuration is compared as sent, without schema defaults: an atomic list whose
    // live items carry defaults the manifest leaves out is a change (and a conflict), as in kube.
    const result: ApplyResult = applyManagedFields(
      base,
      applied,
      opts.fieldManager,
      this.apiVersionOf(info),
      opts.force ?? false,
      sub,
      info.schema,
    );
    // fieldmanager's lastAppliedUpdater: `kubectl apply --server-side` keeps an existing client-side
    // apply annotation in step with what it applied (outside managedFields, as kube does).
    const annotations = result.object.metadata?.annotations;
    if (opts.fieldManager === 'kubectl' && annotations?.[LAST_APPLIED] !== undefined)
      annotations[LAST_APPLIED] = buildLastApplied(applied);
    if (!current) {
      const obj = result.object;
      meta(obj).name = name;
      const created = this.create(info, ns, obj, { ...opts, fieldManager: '' });
      return created;
    }
    const amRv = am.resourceVersion;
    meta(result.object).resourceVersion = amRv ?? current.metadata?.resourceVersion;
    return this.update(info, ns, name, result.object, sub, opts, 'none');
  }

  /**
   * DELETE: objects with finalizers are only marked (deletionTimestamp); others go at once.
   * propagationPolicy: Orphan leaves dependents, Background/Foreground delete them.
   */
  delete(
    info: ResourceInfo,
    ns: string | undefined,
    name: string,
    opts: WriteOptions & {
      propagationPolicy?: string;
      preconditionRv?: string;
      preconditionUid?: string;
    } = {},
  ): { object: Obj; gone: boolean } {
    const key = storeKey(info);
    const current = this.store.get(key, info.namespaced ? ns : undefined, name);
    if (!current) throw errors.notFound(info.group, info.resource, name);
    // rest.BeforeDelete checks the preconditions, UID first, naming the kind (GroupResource{Group, Kind}).
    if (opts.preconditionUid && opts.preconditionUid !== current.metadata?.uid)
      throw errors.conflict(
        info.group,
        info.kind,
        name,
        `the UID in the precondition (${opts.preconditionUid}) does not match the UID in record (${current.metadata?.uid ?? ''}). The object might have been deleted and then recreated`,
      );
    if (opts.preconditionRv && opts.preconditionRv !== current.metadata?.resourceVersion)
      throw errors.conflict(
        info.group,
        info.kind,
        name,
        `the ResourceVersion in the precondition (${opts.preconditionRv}) does not match the ResourceVersion in record (${current.metadata?.resourceVersion ?? ''}). The object might have been modified`,
      );
    const next = clone(current);
    const m = meta(next);
    const policy = opts.propagationPolicy;
    const finalizers = [...(m.finalizers ?? [])];
    if (policy === 'Orphan' && !finalizers.includes('orphan') && this.hasDependents(current))
      finalizers.push('orphan');
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion') && this.hasDependents(current))
      finalizers.push('foregroundDeletion');
    if (info.resource === 'namespaces' && info.group === '') {
      if (opts.dryRun) return { object: this.present(info, current), gone: false };
      if (!m.deletionTimestamp) {
        m.deletionTimestamp = nowIso();
        m.deletionGracePeriodSeconds = 0;
        next.status = { phase: 'Terminating' };
        const rv = this.store.nextRv();
        m.resourceVersion = String(rv);
        this.store.put(key, next, 'MODIFIED', rv);
        this.reconcileNamespace(name);
      }
      const after = this.store.get(key, undefined, name);
      return { object: this.present(info, after ?? next), gone: after === undefined };
    }
    if (finalizers.length > 0) {
      if (opts.dryRun) return { object: this.present(info, current), gone: false };
      if (m.deletionTimestamp && sameList(finalizers, m.finalizers ?? []))
        return { object: this.present(info, current), gone: false };
      m.finalizers = finalizers;
      if (!m.deletionTimestamp) {
        m.deletionTimestamp = nowIso();
        m.deletionGracePeriodSeconds = 0;
        // rest.BeforeDelete: marking an object for deletion is a new generation.
        if ((m.generation ?? 0) > 0) m.generation = (m.generation ?? 0) + 1;
      }
      const rv = this.store.nextRv();
      m.resourceVersion = String(rv);
      this.store.put(key, next, 'MODIFIED', rv);
      if (info.resource === 'customresourcedefinitions') this.reconcileCrd(name);
      if (policy === 'Foreground' || policy === 'Orphan') this.reconcileDependents(current, policy);
      const after = this.store.get(key, info.namespaced ? ns : undefined, name);
      return { object: this.present(info, after ?? next), gone: after === undefined };
    }
    if (opts.dryRun) return { object: this.present(info, current), gone: true };
    const rv = this.store.nextRv();
    m.resourceVersion = String(rv);
    if (policy === 'Orphan') this.reconcileDependents(current, policy);
    this.remove(info, next, rv);
    return { object: this.present(info, next), gone: true };
  }

  private remove(info: ResourceInfo, obj: Obj, rv: number): void {
    this.store.put(storeKey(info), obj, 'DELETED', rv);
    const ns = obj.metadata?.namespace;
    if (info.resource === 'customresourcedefinitions') this.refreshCrds();
    if (info.custom && info.crdName) this.reconcileCrd(info.crdName);
    if (ns) this.reconcileNamespace(ns);
    // Garbage collection: dependents of a removed owner go too (orphaned ones lost the reference),
    // and an owner in foreground deletion may now be free to go.
    if (obj.metadata?.uid) this.reconcileDependents(obj, 'Background');
    for (const r of obj.metadata?.ownerReferences ?? []) this.reconcileOwner(r.uid);
  }

  // ---- controllers (namespace lifecycle, CRD cleanup, garbage collection) ---------------------

  private allObjects(): { info: ResourceInfo; obj: Obj }[] {
    const out: { info: ResourceInfo; obj: Obj }[] = [];
    const seen = new Set<string>();
    for (const info of this.resources()) {
      const key = storeKey(info);
      if (seen.has(key)) continue;
      seen.add(key);
      for (const obj of this.store.list(key)) out.push({ info, obj });
    }
    return out;
  }

  private infoForKey(key: string): ResourceInfo | undefined {
    return this.resources().find((r) => storeKey(r) === key);
  }

  private hasDependents(owner: Obj): boolean {
    const uid = owner.metadata?.uid;
    return uid !== undefined && this.store.dependents(uid).length > 0;
  }

  private stripOwner(uid: string): void {
    for (const d of this.store.dependents(uid)) {
      const info = this.infoForKey(d.key);
      if (!info) continue;
      const next = clone(d.obj);
      meta(next).ownerReferences = (d.obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (meta(next).ownerReferences!.length === 0) delete meta(next).ownerReferences;
      this.update(info, d.obj.metadata?.namespace, d.obj.metadata?.name ?? '', next, undefined, {}, 'none');
    }
  }

  private reconcileDependents(owner: Obj, policy: string | undefined): void {
    const uid = owner.metadata?.uid;
    if (!uid) return;
    if (policy === 'Orphan') this.stripOwner(uid);
    else
      for (const d of this.store.dependents(uid)) {
        const info = this.infoForKey(d.key);
        const live = this.store.get(d.key, d.obj.metadata?.namespace, d.obj.metadata?.name ?? '');
        if (!info || !live || live.metadata?.deletionTimestamp) continue;
        this.delete(info, live.metadata?.namespace, live.metadata?.name ?? '', {
          propagationPolicy: 'Background',
        });
      }
    this.reconcileOwner(uid);
  }

  /** Drops the orphan/foregroundDeletion finalizer of an owner once its dependents are handled. */
  private reconcileOwner(uid: string): void {
    const found = this.store.findUid(uid);
    const info = found ? this.infoForKey(found.key) : undefined;
    if (!found || !info) return;
    const obj = found.obj;
    if (!obj.metadata?.deletionTimestamp) return;
    const fins = obj.metadata.finalizers ?? [];
    if (!fins.includes('orphan') && !fins.includes('foregroundDeletion')) return;
    if (fins.includes('orphan')) this.stripOwner(uid);
    if (fins.includes('foregroundDeletion') && this.hasDependents(obj)) return;
    const fresh = this.store.findUid(uid)?.obj ?? obj;
    const next = clone(fresh);
    meta(next).finalizers = fins.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
    this.update(info, obj.metadata.namespace, obj.metadata.name ?? '', next, undefined, {}, 'none');
  }

  /** The namespace controller: deletes the contents of a terminating namespace, then the namespace. */
  private reconcileNamespace(ns: string): void {
    const nsObj = this.store.get('/namespaces', undefined, ns);
    if (!nsObj?.metadata?.deletionTimestamp) return;
    let remaining = 0;
    for (const { info, obj } of this.allObjects()) {
      if (!info.namespaced || obj.metadata?.namespace !== ns) continue;
      const live = this.store.get(storeKey(info), ns, obj.metadata.name ?? '');
      if (!live) continue;
      remaining++;
      if (!live.metadata?.deletionTimestamp) {
        const r = this.delete(info, ns, obj.metadata.name ?? '', { propagationPolicy: 'Background' });
        if (r.gone) remaining--;
      }
    }
    const fresh = this.store.get('/namespaces', undefined, ns);
    if (!fresh || remaining > 0) return;
    const specFins = (fresh.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    const next = clone(fresh);
    if (specFins.includes(NS_FINALIZER)) {
      next.spec = { ...(next.spec as object), finalizers: specFins.filter((f) => f !== NS_FINALIZER) };
    }
    const metaFins = next.metadata?.finalizers ?? [];
    const rv = this.store.nextRv();
    meta(next).resourceVersion = String(rv);
    const nsInfo = BUILTINS[0]!;
    if (metaFins.length === 0) this.store.put('/namespaces', next, 'DELETED', rv);
    else this.store.put('/namespaces', next, 'MODIFIED', rv);
    void nsInfo;
  }

  /** The CRD finalizer: delete every instance, then let the CRD go. */
  private reconcileCrd(crdName: string): void {
    const crd = this.store.get('apiextensions.k8s.io/customresourcedefinitions', undefined, crdName);
    if (!crd?.metadata?.deletionTimestamp) return;
    const infos = crdResources(crd);
    const info = infos[0];
    let remaining = 0;
    if (info) {
      for (const obj of this.store.list(storeKey(info))) {
        if (!this.store.get(storeKey(info), obj.metadata?.namespace, obj.metadata?.name ?? '')) continue;
        remaining++;
        if (!obj.metadata?.deletionTimestamp) {
          const r = this.delete(info, obj.metadata?.namespace, obj.metadata?.name ?? '', {});
          if (r.gone) remaining--;
        }
      }
    }
    if (remaining > 0) return;
    const fresh = this.store.get('apiextensions.k8s.io/customresourcedefinitions', undefined, crdName);
    if (!fresh?.metadata?.finalizers?.includes(CRD_FINALIZER)) return;
    const next = clone(fresh);
    meta(next).finalizers = (fresh.metadata.finalizers ?? []).filter((f) => f !== CRD_FINALIZER);
    const crdInfo = BUILTINS.find((b) => b.resource === 'customresourcedefinitions')!;
    this.update(crdInfo, undefined, crdName, next, undefined, {}, 'none');
  }

  /** Namespaces a fresh cluster has. */
  bootstrap(): void {
    const nsInfo = BUILTINS[0]!;
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      if (!this.store.get('/namespaces', undefined, name))
        this.create(nsInfo, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    this.refreshCrds();
  }

  isKubeError(e: unknown): e is KubeError {
    return e instanceof KubeError;
  }
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The applied object without the annotation, as Go's encoding/json writes it (sorted keys, newline). */
function buildLastApplied(applied: Obj): string {
  const o = clone(applied);
  const a = o.metadata?.annotations;
  if (a) delete a[LAST_APPLIED];
  return `${goJson(o)}\n`;
}

/** encoding/json of a map[string]interface{}: keys sorted, <, > and & escaped. */
function goJson(v: unknown): string {
  return sortedJson(v).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function stripRv(o: Obj): Obj {
  const c = clone(o);
  if (c.metadata) {
    delete c.metadata.resourceVersion;
    // A change of owners is a write; a fresh timestamp alone is not.
    if (Array.isArray(c.metadata.managedFields))
      c.metadata.managedFields = c.metadata.managedFields.map((e) => ({ ...(e as object), time: undefined }));
  }
  return c;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
