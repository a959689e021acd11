// The Dockerfile without a container engine: what it COPYs exists and is in the build context, the
// runtime stage is distroless Node 24 as UID 65532 running `node src/cli/main.ts controller`, and the
// production dependency set (`npm ci --omit=dev`) holds every package `imctl controller` loads.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  body: Instruction[];
}

/** Dockerfile → stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const rest = m[2]!;
    if (op === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=');
      args.set(k!, v ?? '');
      continue;
    }
    if (op === 'FROM') {
      const sub = rest.replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? '');
      const fm = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(sub);
      stages.push({ from: fm![1]!, ...(fm![2] ? { name: fm![2] } : {}), body: [] });
      continue;
    }
    stages.at(-1)?.body.push({ op, args: rest });
  }
  return stages;
}

/** Sources of a COPY (JSON or shell form) and whether it copies from another stage. */
function copySources(args: string): { from?: string; sources: string[] } {
  const flags = [...args.matchAll(/--(\w+)=(\S+)/g)];
  const rest = args.replace(/--\w+=\S+\s*/g, '').trim();
  const parts = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  const from = flags.find((f) => f[1] === 'from')?.[2];
  return { ...(from ? { from } : {}), sources: parts.slice(0, -1) };
}

/** .dockerignore as Docker reads it: later lines win, `!` re-includes. Enough for `*` and paths. */
function ignored(path: string, patterns: string[]): boolean {
  let out = false;
  for (const raw of patterns) {
    const neg = raw.startsWith('!');
    const pat = (neg ? raw.slice(1) : raw).replace(/\/$/, '');
    const re = new RegExp(`^${pat.replace(/[.+^$()|[\]\\{}]/g, '\\$&').replace(/\*/g, '[^/]*')}(?:/.*)?$`);
    if (re.test(path)) out = !neg;
  }
  return out;
}

const stages = parseDockerfile(read('Dockerfile'));
const runtime = stages.at(-1)!;
const instr = (s: Stage, op: string) => s.body.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile', () => {
  it('copies only paths that exist in the repository and are in the build context', () => {
    const patterns = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const copied: string[] = [];
    for (const s of stages)
      for (const args of instr(s, 'COPY')) {
        const c = copySources(args);
        if (c.from) {
          expect(stages.map((x) => x.name)).toContain(c.from);
          continue;
        }
        copied.push(...c.sources);
      }
    expect(copied.length).toBeGreaterThan(0);
    for (const src of copied) {
      expect(existsSync(join(ROOT, src)), `${src} exists`).toBe(true);
      expect(ignored(src.replace(/\/$/, ''), patterns), `${src} is not excluded by .dockerignore`).toBe(
        false,
      );
    }
    // What bin/imctl.js and `imctl version` read at run time is in the image.
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'bin', 'src']));
  });

  it('installs production dependencies only, from the lockfile, in a build stage', () => {
    const build = stages.find((s) => s.name === 'deps')!;
    expect(build.from).toBe('node:24-bookworm-slim');
    expect(instr(build, 'RUN').join(' ')).toMatch(/\bnpm ci\b[^&]*--omit=dev/);
    expect(instr(build, 'COPY').join(' ')).toContain('package-lock.json');
  });

  it('runs node itself on distroless Node 24 as UID 65532: src/cli/main.ts controller', () => {
    expect(runtime.from).toBe('gcr.io/distroless/nodejs24-debian12:nonroot');
    expect(instr(runtime, 'USER')).toEqual(['65532:65532']);
    expect(JSON.parse(instr(runtime, 'ENTRYPOINT')[0]!)).toEqual(['/nodejs/bin/node', 'src/cli/main.ts']);
    expect(JSON.parse(instr(runtime, 'CMD')[0]!)).toEqual(['controller']);
    // No RUN in the runtime stage: distroless has no shell, and nothing is written to the image's fs.
    expect(instr(runtime, 'RUN')).toEqual([]);
    expect(instr(runtime, 'EXPOSE')).toEqual(['8080']);
    const labels = instr(runtime, 'LABEL').join(' ');
    for (const l of ['title', 'description', 'licenses', 'version', 'revision', 'source', 'created'])
      expect(labels).toContain(`org.opencontainers.image.${l}=`);
  });
});

// --- what `imctl controller` loads ---------------------------------------------------------------

const listTs = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listTs(p) : /\.ts$/.test(n) && !n.endsWith('.d.ts') ? [p] : [];
  });

/**
 * Modules reachable from bin/imctl.js: static and literal dynamic imports, plus the folders that
 * modules scan with readdirSync and import (commands, kinds, emulator services) in whole. Only
 * `import type` is erased at run time (verbatimModuleSyntax keeps `import { type X }` statements).
 */
function runtimeClosure(): { files: string[]; packages: Map<string, string[]> } {
  const seen = new Set<string>();
  const packages = new Map<string, string[]>();
  const queue = [join(ROOT, 'bin/imctl.js')];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    const specs: string[] = [];
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?from\s*['"]([^'"]+)['"]/gms))
      specs.push(m[1]!);
    for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specs.push(m[1]!);
    for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
    if (/readdirSync/.test(text) && /\bimport\(/.test(text)) queue.push(...listTs(dirname(file)));
    for (const spec of specs) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        packages.set(name, [...(packages.get(name) ?? []), relative(ROOT, file)]);
      }
    }
  }
  return { files: [...seen].map((f) => relative(ROOT, f)).sort(), packages };
}

describe('production dependencies', () => {
  const lock = JSON.parse(read('package-lock.json')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
  /** What `npm ci --omit=dev` installs: lockfile entries not marked dev. */
  const production = new Set(
    Object.entries(lock.packages)
      .filter(([k, v]) => k.startsWith('node_modules/') && !v.dev && !v.devOptional)
      .map(([k]) => k.replace(/^.*node_modules\//, '')),
  );

  it('holds every package imctl controller loads at run time, each declared in dependencies', () => {
    const { files, packages } = runtimeClosure();
    // The walk reaches the controller, the kinds and the command modules it discovers.
    expect(files).toEqual(
      expect.arrayContaining([
        'src/cli/main.ts',
        'src/cli/commands/controller.ts',
        'src/cli/manager.ts',
        'src/controllers/contact/index.ts',
      ]),
    );
    const problems: string[] = [];
    for (const [name, from] of packages) {
      if (!(name in pkg.dependencies)) problems.push(`${name} (from ${from[0]}) is not in dependencies`);
      if (!production.has(name))
        problems.push(`${name} (from ${from[0]}) is not installed by npm ci --omit=dev`);
    }
    expect(problems).toEqual([]);
    expect([...packages.keys()]).toEqual(
      expect.arrayContaining(['commander', '@kubernetes/client-node', 'pino']),
    );
  });
});

describe('.github/workflows/image.yml', () => {
  it('builds the Dockerfile for amd64 and arm64 on version tags and pushes it with an SBOM and provenance', async () => {
    const { parse } = await import('yaml');
    const wf = parse(read('.github/workflows/image.yml')) as {
      on: { push: { tags: string[] } };
      jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
    };
    expect(wf.on.push.tags).toEqual(['v*.*.*']);
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
    expect(build.with).toMatchObject({ context: '.', push: true, sbom: true, provenance: 'mode=max' });
    expect(String(build.with!.platforms).split(',').sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(steps.some((s) => s.uses?.startsWith('docker/setup-qemu-action@'))).toBe(true);
    // Every build-arg it passes is declared in the Dockerfile.
    const declared = read('Dockerfile')
      .match(/^ARG\s+(\w+)/gm)!
      .map((l) => l.split(/\s+/)[1]);
    for (const arg of String(build.with!['build-args']).trim().split('\n'))
      expect(declared).toContain(arg.trim().split('=')[0]);
  });
});
