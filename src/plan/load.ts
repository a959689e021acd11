// Reading the objects a user applies (`imctl plan -f DIR|FILE [-R]`): our kinds, the AWSAccounts they
// name and the Secrets that hold activation codes; everything else is skipped. Namespaced kinds
// without a namespace get `default`, as kubectl would place them. Each object is checked as the API
// server would on create: the schema, then the CRD's CEL rules (x-kubernetes-validations).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AWSAccount } from '../crds/aws-account.ts';
import { isOurs, parseManifestText } from '../crds/manifests.ts';
import { checkObject, crdFor, type KindDefinition, kindDefinition } from '../crds/registry.ts';
// The kube emulator's validator is the project's one evaluator of CRD schemas and CEL rules (its
// cost and messages follow kube-apiserver); plan applies it as the API server would on create.
import { type CompiledSchema, causeToString, compileVersionSchema } from '../emulators/kube/schema/index.ts';
import type { ManagedObject } from '../engine/contract.ts';

const MANIFEST = /\.(ya?ml|json)$/;

export interface LoadedObjects {
  managed: ManagedObject[];
  accounts: AWSAccount[];
  /** Secrets (activation codes), by `Secret/namespace/name`. */
  secrets: Map<string, unknown>;
  /** Schema errors, as the API server would refuse the object: `Kind ns/name` → messages. */
  invalid: Map<string, string[]>;
}

/** The manifest files under `path`: the file itself, a directory's files, sub-directories with `recursive`. */
export function manifestFiles(path: string, recursive: boolean): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path).sort()) {
    const p = join(path, entry);
    if (statSync(p).isDirectory()) {
      if (recursive) out.push(...manifestFiles(p, true));
    } else if (MANIFEST.test(entry)) out.push(p);
  }
  return out;
}

export function loadObjects(paths: readonly string[], recursive: boolean): LoadedObjects {
  const loaded: LoadedObjects = { managed: [], accounts: [], secrets: new Map(), invalid: new Map() };
  for (const file of paths.flatMap((p) => manifestFiles(p, recursive))) {
    const { docs, problems } = parseManifestText(file, readFileSync(file, 'utf8'));
    if (problems[0]) throw new Error(`${file}: ${problems[0].message}`);
    for (const { object } of docs) addObject(loaded, object);
  }
  return loaded;
}

export function addObject(loaded: LoadedObjects, object: unknown): void {
  const o = object as ManagedObject & { kind?: string };
  if (o?.kind === 'Secret' && o.apiVersion === 'v1') {
    const ns = o.metadata?.namespace ?? 'default';
    loaded.secrets.set(`Secret/${ns}/${o.metadata?.name}`, o);
    return;
  }
  if (!isOurs(o)) return;
  const def = kindDefinition(o.kind);
  if (!def) return;
  const copy = structuredClone(o);
  if (def.scope === 'Namespaced') copy.metadata.namespace ??= 'default';
  const errors = checkObject(copy).map((e) => `${e.path}: ${e.message}`);
  // CEL rules are checked on an object the schema accepts (their messages are the useful ones then).
  if (errors.length === 0) errors.push(...celErrors(def, copy));
  if (errors.length > 0) loaded.invalid.set(labelOf(copy), errors);
  if (o.kind === 'AWSAccount') loaded.accounts.push(copy as unknown as AWSAccount);
  else loaded.managed.push(copy);
}

const compiled = new Map<string, CompiledSchema>();

/**
 * What the API server's validation of the CRD adds to the schema check: its x-kubernetes-validations
 * (CEL), on the object with the schema's defaults applied, as on a create (no oldSelf). Messages in
 * the API server's words: `spec: Invalid value: "object": <the rule's message>`.
 */
export function celErrors(def: KindDefinition, object: ManagedObject): string[] {
  let schema = compiled.get(def.kind);
  if (!schema) {
    const crd = crdFor(def) as { spec: { versions: [{ schema: { openAPIV3Schema: object } }] } };
    schema = compileVersionSchema(crd.spec.versions[0].schema.openAPIV3Schema);
    compiled.set(def.kind, schema);
  }
  return schema.validate(schema.applyDefaults(structuredClone(object))).map(causeToString);
}

/** `Kind ns/name` (cluster-scoped: `Kind name`), as messages name objects. */
export function labelOf(o: {
  kind: string;
  metadata: { name: string; namespace?: string | undefined };
}): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}
