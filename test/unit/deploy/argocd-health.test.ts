// The Argo CD health checks in deploy/argocd, run as Lua (fengari, with only what gopher-lua 5.1
// offers): each kind's health_test.yaml over objects captured from controller runs, and every reason
// of the controller's catalogue on every kind, Degraded exactly for the terminal ones.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  CM_PATCH,
  CUSTOMIZATIONS_DIR,
  HEALTH_CONDITIONS,
  healthKey,
  luaDialectProblems,
  renderArgoCd,
} from '../../../src/argocd/health.ts';
import { readSamples } from '../../../src/cli/commands/demo.ts';
import { ROOT } from '../../../src/crds/generate.ts';
import { KINDS } from '../../../src/crds/registry.ts';
import { REASONS, type ReasonEntry } from '../../../src/engine/reasons.ts';
import { waveOf } from '../../support/argocd.ts';
import { runHealthCheck } from '../../support/lua.ts';

const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');
const luaOf = (kind: string) => read(`${CUSTOMIZATIONS_DIR}/${kind}/health.lua`);

interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration: number;
}
const cond = (type: string, status: string, reason: string, message = '', gen = 3): Cond => ({
  type,
  status,
  reason,
  message,
  observedGeneration: gen,
});
const READY = cond('Ready', 'True', 'Available');
const SYNCED = cond('Synced', 'True', 'ReconcileSuccess');

/** observed null: no status.observedGeneration. */
function object(kind: string, conditions: Cond[] | undefined, observed: number | null = 3) {
  return {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind,
    metadata: { name: 'x', generation: 3 },
    ...(conditions
      ? { status: { ...(observed !== null ? { observedGeneration: observed } : {}), conditions } }
      : {}),
  };
}

describe('Argo CD health checks (deploy/argocd)', () => {
  it('are committed as generated from the reason catalogue (run `npm run generate`)', () => {
    for (const [rel, text] of renderArgoCd()) expect(read(rel), `${rel} is stale`).toBe(text);
  });

  it('argocd-cm carries the same Lua under resource.customizations.health.<group>_<Kind> for all six kinds', () => {
    const cm = parse(read(CM_PATCH)) as { metadata: { name: string }; data: Record<string, string> };
    expect(cm.metadata.name).toBe('argocd-cm');
    expect(Object.keys(cm.data).sort()).toEqual(KINDS.map((k) => healthKey(k.kind)).sort());
    for (const k of KINDS) expect(cm.data[healthKey(k.kind)]).toBe(luaOf(k.kind));
  });

  it('keep to Lua 5.1 (gopher-lua): no 5.2+ syntax or library; the check itself catches them', () => {
    for (const k of KINDS) expect(luaDialectProblems(luaOf(k.kind)), k.kind).toEqual([]);
    expect(luaDialectProblems('local a = 7 // 2')).toHaveLength(1);
    expect(luaDialectProblems('local t = table.unpack(x)')).toHaveLength(1);
    expect(luaDialectProblems('goto done')).toHaveLength(1);
    expect(luaDialectProblems('local m = "a // b" -- x // y')).toEqual([]);
  });

  describe.each(KINDS.map((k) => k.kind))('%s', (kind) => {
    const lua = luaOf(kind);
    const health = (o: unknown) => runHealthCheck(lua, o);

    it('passes every case of its health_test.yaml (objects captured from controller runs)', () => {
      const dir = `${CUSTOMIZATIONS_DIR}/${kind}`;
      expect(existsSync(join(ROOT, dir, 'health_test.yaml')), `${dir}/health_test.yaml`).toBe(true);
      const suite = parse(read(`${dir}/health_test.yaml`)) as {
        tests: { healthStatus: { status: string; message?: string }; inputPath: string }[];
      };
      expect(suite.tests.length).toBeGreaterThan(0);
      for (const t of suite.tests)
        expect(health(parse(read(`${dir}/${t.inputPath}`))), t.inputPath).toEqual(t.healthStatus);
    });

    it('every reason of the catalogue, on each condition that carries it: Degraded only when terminal', () => {
      for (const [reason, entry] of Object.entries(REASONS as Record<string, ReasonEntry>)) {
        if (!HEALTH_CONDITIONS.includes(entry.condition)) {
          // An advisory condition of the kind (e.g. a Contact's channels): never changes health.
          const advice = cond(entry.condition, 'False', reason, 'advice');
          expect(health(object(kind, [READY, SYNCED, advice])).status, reason).toBe('Healthy');
          continue;
        }
        const on = entry.condition === 'Ready+Synced' ? ['Ready', 'Synced'] : [entry.condition];
        const refused = { Ready: READY, Synced: SYNCED } as Record<string, Cond>;
        for (const c of on) refused[c] = cond(c, 'False', reason, `why ${reason}`);
        const result = health(object(kind, [refused.Ready as Cond, refused.Synced as Cond]));
        // Degraded names the first refusing condition (Ready); Progressing names Synced when it is False.
        const named = entry.terminal
          ? on.includes('Ready')
            ? 'Ready'
            : 'Synced'
          : on.includes('Synced')
            ? 'Synced'
            : 'Ready';
        expect(result, reason).toEqual({
          status: entry.terminal ? 'Degraded' : 'Progressing',
          message: `${named}=False ${reason}: why ${reason}`,
        });
        // The same reason with status True (Available, ReconcileSuccess, ObserveOnly) is Healthy.
        const fine = { Ready: READY, Synced: SYNCED } as Record<string, Cond>;
        for (const c of on) fine[c] = cond(c, 'True', reason);
        expect(health(object(kind, [fine.Ready as Cond, fine.Synced as Cond])).status, reason).toBe(
          'Healthy',
        );
      }
    });

    it('a reason it does not know (a newer controller) is Progressing, never Degraded', () => {
      expect(health(object(kind, [cond('Ready', 'False', 'SomethingNew', 'new'), SYNCED]))).toEqual({
        status: 'Progressing',
        message: 'Ready=False SomethingNew: new',
      });
    });

    it('Healthy needs Ready=True for the current generation; no Synced (AWSAccount) is in sync', () => {
      expect(health(object(kind, [READY, SYNCED]))).toEqual({
        status: 'Healthy',
        message: 'Ready=True Available',
      });
      expect(health(object(kind, [READY])).status).toBe('Healthy');
      expect(health(object(kind, [cond('Ready', 'True', 'Available', '', 2), SYNCED]))).toEqual({
        status: 'Progressing',
        message: 'Waiting for the controller to report Ready for generation 3',
      });
    });

    it('Progressing while the controller has not observed the generation, whatever the conditions say', () => {
      const lag = { status: 'Progressing', message: 'Waiting for the controller to observe generation 3' };
      expect(health(object(kind, [READY, SYNCED], 2))).toEqual(lag);
      const refused = cond('Ready', 'False', 'InvalidSpec', 'old', 2);
      expect(health(object(kind, [refused, cond('Synced', 'False', 'InvalidSpec', 'old', 2)], 2))).toEqual(
        lag,
      );
      // Without status.observedGeneration, the Ready condition's tells.
      expect(health(object(kind, [cond('Ready', 'True', 'Available', '', 2)], null))).toEqual(lag);
      expect(health(object(kind, undefined))).toEqual({
        status: 'Progressing',
        message: 'Waiting for the controller to report Ready',
      });
    });

    it('a terminal reason left from an older generation does not make a retried reconcile Degraded', () => {
      const stale = cond('Ready', 'False', 'InvalidSpec', 'old', 2);
      expect(health(object(kind, [stale, cond('Synced', 'False', 'ReconcileError', 'HTTP 500')]))).toEqual({
        status: 'Progressing',
        message: 'Synced=False ReconcileError: HTTP 500',
      });
    });
  });
});

describe('sync waves in config/samples', () => {
  const samples = readSamples(join(ROOT, 'config/samples')) as unknown as {
    kind: string;
    metadata: { name: string; annotations?: Record<string, string> };
    spec?: unknown;
  }[];
  const REF_KIND: Record<string, string> = {
    accountRef: 'AWSAccount',
    contactRef: 'Contact',
    rotationRef: 'Rotation',
    escalationPlanRef: 'EscalationPlan',
    activationCodeSecretRef: 'Secret',
  };
  function refs(v: unknown, out: { kind: string; name: string }[] = []) {
    if (Array.isArray(v)) for (const x of v) refs(x, out);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k.endsWith('Ref')) {
          expect(REF_KIND[k], `a reference field this test does not know: ${k}`).toBeDefined();
          out.push({ kind: REF_KIND[k] as string, name: (x as { name: string }).name });
        } else refs(x, out);
      }
    return out;
  }

  it('order the kinds: accounts and replication set, contacts and rotations, schedules and escalation plans, response plans', () => {
    const wave = (kind: string, pred: (o: (typeof samples)[number]) => boolean = () => true) => [
      ...new Set(samples.filter((o) => o.kind === kind && pred(o)).map(waveOf)),
    ];
    const type = (t: string) => (o: (typeof samples)[number]) => (o.spec as { type?: string }).type === t;
    expect(wave('AWSAccount')).toEqual([1]);
    expect(wave('ReplicationSet')).toEqual([1]);
    expect(wave('Contact', type('Personal'))).toEqual([2]);
    expect(wave('Rotation')).toEqual([2]);
    expect(wave('Contact', type('OnCallSchedule'))).toEqual([3]);
    expect(wave('EscalationPlan')).toEqual([3]);
    expect(wave('ResponsePlan')).toEqual([4]);
    expect(wave('Secret')).toEqual([2]);
  });

  it('never reference an object of a later wave', () => {
    for (const o of samples)
      for (const r of refs(o.spec)) {
        const target = samples.find((t) => t.kind === r.kind && t.metadata.name === r.name);
        expect(target, `${o.kind}/${o.metadata.name} → ${r.kind}/${r.name}`).toBeDefined();
        expect(
          waveOf(target as object),
          `${o.kind}/${o.metadata.name} → ${r.kind}/${r.name}`,
        ).toBeLessThanOrEqual(waveOf(o));
      }
  });
});

describe('deploy/argocd/application.yaml', () => {
  type App = {
    kind: string;
    metadata: { name: string; annotations: Record<string, string> };
    spec: {
      source: { path: string; helm?: { valuesObject?: Record<string, unknown> } };
      syncPolicy: { syncOptions: string[] };
      ignoreDifferences?: unknown;
    };
  };
  const apps = parseAllDocuments(read('deploy/argocd/application.yaml')).map((d) => d.toJS() as App);
  const app = (name: string) => apps.find((a) => a.metadata.name === name) as App;

  it('CRDs (CRDs-only chart) before the controller (chart without CRDs) before the resources, all server-side applied, no ignoreDifferences', () => {
    expect(apps.map((a) => [a.metadata.name, waveOf(a)])).toEqual([
      ['incident-manager-operator-crds', -1],
      ['incident-manager-operator', 0],
      ['incident-manager-resources', 1],
    ]);
    for (const a of apps) {
      expect(a.kind).toBe('Application');
      expect(a.spec.syncPolicy.syncOptions, a.metadata.name).toContain('ServerSideApply=true');
      expect(a.spec.ignoreDifferences, a.metadata.name).toBeUndefined();
      expect(existsSync(join(ROOT, a.spec.source.path)), a.spec.source.path).toBe(true);
    }
    expect(app('incident-manager-operator-crds').spec.source.path).toBe(
      'deploy/helm/incident-manager-operator-crds',
    );
    expect(app('incident-manager-operator').spec.source.helm?.valuesObject?.crds).toEqual({ enabled: false });
  });
});

describe('docs/install.md, troubleshooting by condition reason', () => {
  it('names only reasons of the catalogue, each with the health Argo CD shows for it', () => {
    const doc = read('docs/install.md');
    const section = doc.slice(doc.indexOf('## 7. Troubleshooting by condition reason'));
    const rows = section.split('\n').filter((l) => /^\| `[A-Z]/.test(l));
    expect(rows.length).toBeGreaterThan(5);
    const catalogue = REASONS as Record<string, ReasonEntry>;
    for (const row of rows) {
      const [reasons = '', shown = ''] = row
        .split('|')
        .slice(1)
        .map((c) => c.trim());
      const names = [...reasons.matchAll(/`([A-Za-z]+)…?`/g)].map((m) => m[1] as string);
      for (const name of names) {
        const matching = name.startsWith('PagerDuty')
          ? Object.keys(catalogue).filter((r) => r.startsWith(name))
          : [name];
        expect(matching.length, `${name} in the catalogue`).toBeGreaterThan(0);
        for (const r of matching) {
          expect(catalogue[r], `${r} in the catalogue`).toBeDefined();
          expect(shown, r).toBe((catalogue[r] as ReasonEntry).terminal ? 'Degraded' : 'Progressing');
        }
      }
    }
  });
});
