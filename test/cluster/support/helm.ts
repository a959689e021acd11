// Renders the Helm charts with test/tools/helm-render (Go text/template + sprig, as Helm does; there
// is no helm binary here). The tool is built once per render.go content into a temp folder shared by
// the test files; without Go the test fails with the packages to install.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './cluster.ts';
import { buildGoTool } from './go-tool.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are arbitrary Kubernetes objects
export type Obj = Record<string, any> & {
  kind: string;
  // biome-ignore lint/suspicious/noExplicitAny: labels, annotations and the like, read by tests
  metadata: { name: string; namespace?: string; [k: string]: any };
};

export const CHART_DIR = join(ROOT, 'deploy/helm/incident-manager-operator');
export const CRDS_CHART_DIR = join(ROOT, 'deploy/helm/incident-manager-operator-crds');
const SOURCE = join(ROOT, 'test/tools/helm-render/render.go');

export const GO_HINT =
  'rendering the Helm chart needs Go and sprig (no helm binary here): ' +
  'apt-get install -y golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev';

/** Path of the built helm-render binary (built on first use). */
export function helmRender(): string {
  return buildGoTool(SOURCE, 'helm-render', GO_HINT);
}

export interface RenderOptions {
  name?: string;
  namespace?: string;
  /** Values, written to a file and passed with -f (as a user's values file). */
  values?: Record<string, unknown>;
  set?: string[];
  notes?: boolean;
  /** Extra API versions for .Capabilities.APIVersions. */
  apiVersions?: string[];
}

/** `helm template` of a chart: the rendered text, or a rejection carrying the template error. */
export function renderChart(chart: string, o: RenderOptions = {}): Promise<string> {
  const args = ['-name', o.name ?? 'imo', '-namespace', o.namespace ?? 'incident-manager'];
  let tmp: string | undefined;
  if (o.values) {
    tmp = mkdtempSync(join(tmpdir(), 'imctl-values-'));
    writeFileSync(join(tmp, 'values.yaml'), JSON.stringify(o.values));
    args.push('-f', join(tmp, 'values.yaml'));
  }
  for (const s of o.set ?? []) args.push('-set', s);
  for (const a of o.apiVersions ?? []) args.push('-a', a);
  if (o.notes) args.push('-notes');
  args.push(chart);
  return new Promise((resolve, reject) => {
    execFile(helmRender(), args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      if (err) reject(new Error(stderr.trim() || String(err)));
      else resolve(stdout);
    });
  });
}

/** The objects of a rendered chart, in order. */
export function objectsOf(rendered: string): Obj[] {
  return parseAllDocuments(rendered)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null && typeof o === 'object' && 'kind' in o);
}

/** JSON lines for `kubectl apply -f -`. */
export const asStdin = (objects: Obj[]) => objects.map((o) => JSON.stringify(o)).join('\n');
