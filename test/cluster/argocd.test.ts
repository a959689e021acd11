// What deploy/argocd and docs/install.md promise Argo CD users, held against a real kube-apiserver:
// the argocd-cm patch command merges the six health checks into an existing argocd-cm, and the
// samples server-side applied wave by wave (as an Application with ServerSideApply=true syncs them)
// come back with nothing but schema defaults added, none of which Argo CD's comparison sees, so the
// Application needs no ignoreDifferences; applying them again changes nothing.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CM_PATCH, CUSTOMIZATIONS_DIR, healthKey } from '../../src/argocd/health.ts';
import { readSamples } from '../../src/cli/commands/demo.ts';
import { allCrds, KINDS, kindDefinition } from '../../src/crds/registry.ts';
import { REASONS } from '../../src/engine/reasons.ts';
import { byWave, healthStates } from '../support/argocd.ts';
import { type HealthResult, runHealthCheck } from '../support/lua.ts';
import { type Cluster, ROOT, SAMPLES_DIR, startCluster } from './support/cluster.ts';
import { buildGoTool } from './support/go-tool.ts';
import type { Obj } from './support/objects.ts';

let c: Cluster;

const LUA_HINT =
  "running the health checks in Argo CD's Lua VM needs Go and gopher-lua: " +
  'apt-get install -y golang-go golang-github-yuin-gopher-lua-dev';

/** The health checks as Argo CD runs them: gopher-lua (Lua 5.1), test/tools/lua-health. */
function gopherLua(script: string, objects: unknown[]): (HealthResult & { error?: string })[] {
  const bin = buildGoTool(join(ROOT, 'test/tools/lua-health/run.go'), 'lua-health', LUA_HINT);
  const out = execFileSync(bin, { input: JSON.stringify({ script, objects }), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString()) as (HealthResult & { error?: string })[];
}

beforeAll(async () => {
  c = await startCluster();
  await c.installCrds();
});
afterAll(async () => {
  await c?.stop();
});

/** Argo CD's comparison keeps only what the manifest sets: map keys it has, list items by index. */
function projectOnto(config: unknown, live: unknown): unknown {
  if (Array.isArray(config) && Array.isArray(live))
    return live.map((v, i) => (i < config.length ? projectOnto(config[i], v) : v));
  if (config && typeof config === 'object' && !Array.isArray(config) && live && typeof live === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config))
      if (k in (live as Record<string, unknown>))
        out[k] = projectOnto(v, (live as Record<string, unknown>)[k]);
    return out;
  }
  return live;
}

/** Paths (list indexes as []) with their values that are in live but not in config. */
function added(
  config: unknown,
  live: unknown,
  path: string,
  out: Map<string, unknown>,
): Map<string, unknown> {
  if (Array.isArray(config) && Array.isArray(live))
    live.forEach((v, i) => {
      added(config[i], v, `${path}[]`, out);
    });
  else if (live && typeof live === 'object' && !Array.isArray(live))
    for (const [k, v] of Object.entries(live)) {
      const c = (config as Record<string, unknown> | undefined)?.[k];
      if (config && typeof config === 'object' && !(k in config)) out.set(`${path}.${k}`, v);
      else added(c, v, `${path}.${k}`, out);
    }
  return out;
}

/** Every `default` in a kind's spec schema, by path (list items as []). */
function schemaDefaults(kind: string): Map<string, unknown> {
  const crd = allCrds().find(
    (d) => (d.spec as { names: { kind: string } }).names.kind === kind,
  ) as unknown as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
  type Node = { default?: unknown; properties?: Record<string, Node>; items?: Node };
  const out = new Map<string, unknown>();
  const walk = (n: Node | undefined, path: string) => {
    if (!n) return;
    if ('default' in n) out.set(path, n.default);
    for (const [k, v] of Object.entries(n.properties ?? {})) walk(v, `${path}.${k}`);
    walk(n.items, `${path}[]`);
  };
  walk(crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec, 'spec');
  return out;
}

describe("the health checks in Argo CD's own Lua VM (gopher-lua 5.1)", () => {
  it.each(KINDS.map((k) => k.kind))(
    '%s: every health_test.yaml case as expected, every state as fengari answers in the unit tier',
    (kind) => {
      const dir = join(ROOT, CUSTOMIZATIONS_DIR, kind);
      const script = readFileSync(join(dir, 'health.lua'), 'utf8');
      const suite = parse(readFileSync(join(dir, 'health_test.yaml'), 'utf8')) as {
        tests: { healthStatus: HealthResult; inputPath: string }[];
      };
      expect(suite.tests.length).toBe(readdirSync(join(dir, 'testdata')).length);
      const captured = suite.tests.map((t) => parse(readFileSync(join(dir, t.inputPath), 'utf8')) as unknown);
      const results = gopherLua(script, captured);
      suite.tests.forEach((t, i) => {
        expect(results[i], t.inputPath).toEqual(t.healthStatus);
      });
      const states = healthStates(kind, Object.keys(REASONS));
      const gopher = gopherLua(script, states);
      states.forEach((o, i) => {
        expect(gopher[i], JSON.stringify(o)).toEqual(runHealthCheck(script, o));
      });
    },
  );
});

describe('Argo CD on a real kube-apiserver', () => {
  it('`kubectl patch configmap argocd-cm --patch-file deploy/argocd/argocd-cm-health.yaml` adds the six health checks and keeps the other keys', async () => {
    await c.kubectlOk(['create', 'namespace', 'argocd']);
    await c.kubectlOk([
      '-n',
      'argocd',
      'create',
      'configmap',
      'argocd-cm',
      '--from-literal=url=https://argocd.example.com',
    ]);
    await c.kubectlOk([
      '-n',
      'argocd',
      'patch',
      'configmap',
      'argocd-cm',
      '--patch-file',
      join(ROOT, CM_PATCH),
    ]);
    const cm = JSON.parse(await c.kubectlOk(['-n', 'argocd', 'get', 'configmap', 'argocd-cm', '-o', 'json']));
    expect(cm.data.url).toBe('https://argocd.example.com');
    for (const k of KINDS)
      expect(cm.data[healthKey(k.kind)], k.kind).toBe(
        readFileSync(join(ROOT, CUSTOMIZATIONS_DIR, k.kind, 'health.lua'), 'utf8'),
      );
  });

  it('the samples, server-side applied wave by wave: only schema defaults added, none visible to Argo CD; a second apply changes nothing', async () => {
    const waves = byWave(readSamples(SAMPLES_DIR)).map(([w, objs]) => [
      w,
      objs.map(({ file: _f, ...o }) => o as unknown as Obj),
    ]) as [number, Obj[]][];
    expect(waves.map(([w]) => w)).toEqual([1, 2, 3, 4]);
    const defaulted = new Set<string>();
    for (const [, objs] of waves) {
      const yaml = objs.map((o) => stringify(o)).join('---\n');
      const apply = ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'];
      await c.kubectlOk(apply, yaml);
      const before = JSON.parse(await c.kubectlOk(['get', '-f', '-', '-o', 'json'], yaml)) as {
        items: Obj[];
      };
      // Argo CD's self-heal re-applies on every difference: an apply that changed something would loop.
      await c.kubectlOk(apply, yaml);
      const after = JSON.parse(await c.kubectlOk(['get', '-f', '-', '-o', 'json'], yaml)) as { items: Obj[] };
      expect(after.items.map((o) => o.metadata.resourceVersion)).toEqual(
        before.items.map((o) => o.metadata.resourceVersion),
      );
      for (const config of objs.filter((o) => kindDefinition(o.kind))) {
        const live = before.items.find(
          (o) => o.kind === config.kind && o.metadata.name === config.metadata.name,
        ) as Obj;
        const what = `${config.kind}/${config.metadata.name}`;
        expect(projectOnto(config.spec, live.spec), what).toEqual(config.spec);
        expect(projectOnto(config.metadata.annotations, live.metadata.annotations), what).toEqual(
          config.metadata.annotations,
        );
        const defaults = schemaDefaults(config.kind);
        for (const [path, value] of added(config.spec, live.spec, 'spec', new Map())) {
          expect(defaults.has(path), `${what}: ${path} added by the server is not a schema default`).toBe(
            true,
          );
          expect(value, `${what}: ${path}`).toEqual(defaults.get(path));
          defaulted.add(path);
        }
      }
    }
    // The defaults the samples leave to the server, two of them inside list items.
    expect([...defaulted].sort()).toEqual([
      'spec.channels[].deferActivation',
      'spec.deletionPolicy',
      'spec.managementPolicy',
      'spec.stages[].targets[].isEssential',
    ]);
  });
});
