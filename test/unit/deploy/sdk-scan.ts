// Finds every AWS SDK v3 operation the source can send, by reading the source text (no import of
// the code, so a rework of the call sites cannot hide a call): a Command class imported as a value
// from an @aws-sdk/client-* package (named, aliased, or re-exported), `new ns.XCommand(` through a
// namespace import, a `paginateX` function, or either destructured from `await import(…)` (a client
// loaded on first use). Forms the scanner cannot follow (other dynamic imports of a client, the
// aggregated `SSMContacts`-style clients) are reported, so the IAM test fails loudly instead of
// missing an operation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface SdkOperation {
  /** Package suffix: `ssm-contacts` for @aws-sdk/client-ssm-contacts. */
  client: string;
  /** API operation name, e.g. `CreateContact`. */
  operation: string;
  /** Files (relative to the scanned root) where it was found. */
  files: string[];
}

export interface ScanResult {
  operations: SdkOperation[];
  /** Source constructs the scanner cannot resolve to operations. */
  unsupported: string[];
}

const AGGREGATED = /^(?:SSMContacts|SSMIncidents|RAM|STS)$/;

/**
 * Credential providers that call AWS themselves: `fromTemporaryCredentials` sends STS AssumeRole
 * with the caller's credentials (so it needs sts:AssumeRole like an AssumeRoleCommand); the web
 * identity ones send AssumeRoleWithWebIdentity, which needs no identity permission. Providers that
 * only read the environment or files send nothing. Any other provider is reported.
 */
const PROVIDERS: Record<string, [client: string, operation: string] | null> = {
  fromTemporaryCredentials: ['sts', 'AssumeRole'],
  fromWebToken: ['sts', 'AssumeRoleWithWebIdentity'],
  fromTokenFile: ['sts', 'AssumeRoleWithWebIdentity'],
  fromEnv: null,
  fromContainerMetadata: null,
  fromInstanceMetadata: null,
};

/** Scans one file's text; `file` labels the findings. */
export function scanSource(text: string, file: string): ScanResult {
  const found = new Map<string, SdkOperation>();
  const unsupported: string[] = [];
  const add = (client: string, operation: string) => {
    const key = `${client}:${operation}`;
    const cur = found.get(key);
    if (cur) {
      if (!cur.files.includes(file)) cur.files.push(file);
    } else found.set(key, { client, operation, files: [file] });
  };
  // import [type] { ... } from '@aws-sdk/client-x'  and  export { ... } from '@aws-sdk/client-x'
  const named = /\b(import|export)\s+(type\s+)?\{([^}]*)\}\s*from\s*['"]@aws-sdk\/client-([a-z0-9-]+)['"]/g;
  for (const m of text.matchAll(named)) {
    if (m[2]) continue; // import type { ... }: types only
    const client = m[4]!;
    for (const raw of m[3]!.split(',')) {
      const spec = raw.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '').trim();
      if (!spec || spec.startsWith('type ')) continue;
      const name = spec.split(/\s+as\s+/)[0]!.trim();
      if (/^[A-Z]\w*Command$/.test(name)) add(client, name.slice(0, -'Command'.length));
      else if (/^paginate[A-Z]\w*$/.test(name)) add(client, name.slice('paginate'.length));
      else if (AGGREGATED.test(name))
        unsupported.push(`${file}: aggregated client ${name} from @aws-sdk/client-${client}`);
    }
  }
  const providers = /\bimport\s+(type\s+)?\{([^}]*)\}\s*from\s*['"]@aws-sdk\/credential-provider[a-z-]*['"]/g;
  for (const m of text.matchAll(providers)) {
    if (m[1]) continue;
    for (const raw of m[2]!.split(',')) {
      const spec = raw.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '').trim();
      if (!spec || spec.startsWith('type ')) continue;
      const name = spec.split(/\s+as\s+/)[0]!.trim();
      const op = PROVIDERS[name];
      if (op) add(op[0], op[1]);
      else if (op === undefined)
        unsupported.push(`${file}: credential provider ${name} (add it to PROVIDERS)`);
    }
  }
  // import * as ns from '@aws-sdk/client-x'  →  new ns.XCommand(  /  ns.paginateX(
  const star = /\bimport\s+(type\s+)?\*\s+as\s+(\w+)\s+from\s*['"]@aws-sdk\/client-([a-z0-9-]+)['"]/g;
  for (const m of text.matchAll(star)) {
    if (m[1]) continue;
    const ns = m[2]!;
    const client = m[3]!;
    for (const c of text.matchAll(new RegExp(`\\b${ns}\\.([A-Z]\\w*)Command\\b`, 'g'))) add(client, c[1]!);
    for (const c of text.matchAll(new RegExp(`\\b${ns}\\.paginate([A-Z]\\w*)\\b`, 'g'))) add(client, c[1]!);
    if (new RegExp(`\\b${ns}\\[`).test(text)) unsupported.push(`${file}: computed member of ${ns}`);
  }
  // const { A, B } = await import('@aws-sdk/client-x'): a lazily loaded client, read as named imports
  const lazy = /\bconst\s+\{([^}]*)\}\s*=\s*await\s+import\(\s*['"`]@aws-sdk\/client-([a-z0-9-]+)['"`]\s*\)/g;
  for (const m of text.matchAll(lazy)) {
    const client = m[2]!;
    for (const raw of m[1]!.split(',')) {
      const name = raw.split(':')[0]!.trim();
      if (/^[A-Z]\w*Command$/.test(name)) add(client, name.slice(0, -'Command'.length));
      else if (/^paginate[A-Z]\w*$/.test(name)) add(client, name.slice('paginate'.length));
    }
  }
  if (/\bimport\(\s*['"`]@aws-sdk\/client-/.test(text.replace(lazy, '')))
    unsupported.push(`${file}: dynamic import of an @aws-sdk client`);
  if (/\brequire\(\s*['"`]@aws-sdk\/client-/.test(text))
    unsupported.push(`${file}: require of an @aws-sdk client`);
  return { operations: [...found.values()], unsupported };
}

function walk(dir: string, skip: (path: string) => boolean, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (skip(path)) continue;
    if (statSync(path).isDirectory()) walk(path, skip, out);
    else if (/\.(?:ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
}

/** Scans every source file under `root`, skipping paths for which `skip` is true. */
export function scanTree(root: string, skip: (path: string) => boolean = () => false): ScanResult {
  const files: string[] = [];
  walk(root, skip, files);
  const merged = new Map<string, SdkOperation>();
  const unsupported: string[] = [];
  for (const path of files.sort()) {
    const r = scanSource(readFileSync(path, 'utf8'), relative(root, path));
    unsupported.push(...r.unsupported);
    for (const op of r.operations) {
      const key = `${op.client}:${op.operation}`;
      const cur = merged.get(key);
      if (cur) cur.files.push(...op.files);
      else merged.set(key, { ...op, files: [...op.files] });
    }
  }
  return {
    operations: [...merged.values()].sort((a, b) =>
      `${a.client}:${a.operation}`.localeCompare(`${b.client}:${b.operation}`),
    ),
    unsupported,
  };
}
