// Reading and checking manifest files (used by `imctl validate` and the sample/fixture tests).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkObject, GROUP, type SchemaError } from './registry.ts';

export interface ManifestDocument {
  file: string;
  /** 0-based position of the document in its file. */
  index: number;
  object: unknown;
}

export interface ManifestProblem {
  file: string;
  /** `Kind/name` (or `document N` when the object has no kind/name). */
  object: string;
  path: string;
  rule: string;
  message: string;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/;

/** Files named on the command line, with directories expanded (recursively, sorted). */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      const entries = readdirSync(p).sort();
      out.push(
        ...expandPaths(
          entries.map((e) => join(p, e)).filter((e) => statSync(e).isDirectory() || MANIFEST_EXT.test(e)),
        ),
      );
    } else out.push(p);
  }
  return out;
}

/** Parses a file's YAML documents; syntax errors come back as problems. */
export function parseManifestText(
  file: string,
  text: string,
): { docs: ManifestDocument[]; problems: ManifestProblem[] } {
  const docs: ManifestDocument[] = [];
  const problems: ManifestProblem[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        problems.push({ file, object: `document ${index + 1}`, path: '', rule: 'yaml', message: e.message });
      }
      return;
    }
    const object = doc.toJS() as unknown;
    if (object !== null && object !== undefined) docs.push({ file, index, object });
  });
  return { docs, problems };
}

export function objectLabel(doc: ManifestDocument): string {
  const o = doc.object as { kind?: unknown; metadata?: { name?: unknown } } | null;
  const kind = typeof o?.kind === 'string' ? o.kind : undefined;
  const name = typeof o?.metadata?.name === 'string' ? o.metadata.name : undefined;
  return kind && name ? `${kind}/${name}` : `document ${doc.index + 1}`;
}

/** True for objects of this API group (others, e.g. Secrets, are left to the API server). */
export function isOurs(object: unknown): boolean {
  const v = (object as { apiVersion?: unknown } | null)?.apiVersion;
  return typeof v === 'string' && v.startsWith(`${GROUP}/`);
}

/**
 * An additional checker for an object that already passed through `checkObject` (whose errors it
 * receives, to avoid reporting a field twice). `imctl validate` plugs in the API server's CEL rules.
 */
export type ExtraCheck = (object: unknown, found: readonly SchemaError[]) => SchemaError[];

export function checkDocument(doc: ManifestDocument, extra?: ExtraCheck): ManifestProblem[] {
  if (!isOurs(doc.object)) return [];
  const label = objectLabel(doc);
  const errors: SchemaError[] = checkObject(doc.object);
  if (extra) errors.push(...extra(doc.object, [...errors]));
  return errors.map((e) => ({ file: doc.file, object: label, ...e }));
}

export interface ValidationReport {
  files: number;
  checked: number;
  skipped: number;
  problems: ManifestProblem[];
}

export interface ValidateOptions {
  /** Reads standard input for the path `-`. */
  readStdin?: () => string;
  extra?: ExtraCheck;
  /** Checks a CustomResourceDefinition document (any group) as the API server would on create. */
  crd?: (object: unknown) => SchemaError[];
}

/** True for an apiextensions.k8s.io/v1 CustomResourceDefinition. */
export function isCrd(object: unknown): boolean {
  const o = object as { apiVersion?: unknown; kind?: unknown } | null;
  return o?.apiVersion === 'apiextensions.k8s.io/v1' && o.kind === 'CustomResourceDefinition';
}

/** Validates files and directories; `-` reads standard input (e.g. `kustomize build | imctl validate -`). */
export function validateFiles(paths: readonly string[], options: ValidateOptions = {}): ValidationReport {
  const readStdin = options.readStdin ?? (() => readFileSync(0, 'utf8'));
  const report: ValidationReport = { files: 0, checked: 0, skipped: 0, problems: [] };
  const files = paths.flatMap((p) => (p === '-' ? ['-'] : expandPaths([p])));
  for (const file of files) {
    report.files++;
    const text = file === '-' ? readStdin() : readFileSync(file, 'utf8');
    const { docs, problems } = parseManifestText(file === '-' ? '<stdin>' : file, text);
    report.problems.push(...problems);
    for (const doc of docs) {
      if (options.crd && isCrd(doc.object)) {
        report.checked++;
        const label = objectLabel(doc);
        for (const e of options.crd(doc.object))
          report.problems.push({ file: doc.file, object: label, ...e });
        continue;
      }
      if (!isOurs(doc.object)) {
        report.skipped++;
        continue;
      }
      report.checked++;
      report.problems.push(...checkDocument(doc, options.extra));
    }
  }
  return report;
}

export function formatProblem(p: ManifestProblem): string {
  return `${p.file}: ${p.object}: ${p.path === '' ? '(object)' : p.path}: ${p.message} [${p.rule}]`;
}
