// Renders the Helm charts with test/tools/helm-render (Go text/template + sprig, as Helm does; there
// is no helm binary here). The tool is built once per render.go content into a temp folder shared by
// the test files; without Go the test fails with the packages to install.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './cluster.ts';

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

let built: string | undefined;

/** Path of the built helm-render binary (built on first use). */
export function helmRender(): string {
  if (built) return built;
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `imctl-helm-render-${hash}`);
  const bin = join(dir, 'helm-render');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const work = mkdtempSync(join(dir, 'build-'));
    try {
      execFileSync('go', ['build', '-o', join(work, 'helm-render'), SOURCE], {
        env: {
          ...process.env,
          GO111MODULE: 'off',
          GOPATH: '/usr/share/gocode',
          GOCACHE: join(dir, 'gocache'),
          GOFLAGS: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      throw new Error(
        err.code === 'ENOENT'
          ? `go is not installed; ${GO_HINT}`
          : `${GO_HINT}\n${err.stderr?.toString() ?? err}`,
      );
    }
    // Another test file may have built it meanwhile: rename is atomic, either copy is the same.
    renameSync(join(work, 'helm-render'), bin);
    rmSync(work, { recursive: true, force: true });
  }
  built = bin;
  return bin;
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
