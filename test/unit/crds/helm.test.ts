// The Helm charts without rendering them (rendering needs Go: test/cluster/helm.test.ts): values
// against values.schema.json as `helm install` would check them, the schema and README generated
// from values.yaml, every controller flag reachable through a value, and the CRD templates being
// config/crd/ plus nothing but the keep annotation.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { command as controllerCommand } from '../../../src/cli/commands/controller.ts';
import { chartValues } from '../../../src/crds/chart-values.ts';
import { CHART, CHART_CRD_DIRS, CRDS_CHART, ROOT } from '../../../src/crds/generate.ts';
import { KINDS } from '../../../src/crds/registry.ts';

const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');
const valuesText = read(`${CHART}/values.yaml`);
const values = parse(valuesText) as Record<string, unknown>;
const schema = JSON.parse(read(`${CHART}/values.schema.json`)) as Record<string, unknown>;
const check = Compile(schema as never);
const errorsOf = (v: unknown) => [...check.Errors(v)].map((e) => `${e.instancePath} ${e.message}`);
const withValues = (patch: Record<string, unknown>) => {
  const merged = structuredClone(values);
  for (const [path, v] of Object.entries(patch)) {
    const keys = path.split('.');
    let node = merged as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
    node[keys.at(-1) as string] = v;
  }
  return merged;
};

describe('controller chart values', () => {
  it('values.schema.json is what values.yaml generates (run `npm run generate` after editing values.yaml)', () => {
    expect(schema).toEqual(chartValues(valuesText).schema);
  });

  it('the default values satisfy the schema: two replicas with leader election', () => {
    expect(errorsOf(values)).toEqual([]);
    expect(values.replicaCount).toBe(2);
    expect((values.controller as { leaderElect: boolean }).leaderElect).toBe(true);
  });

  it('accepts what platform teams set: IRSA annotation, digest, namespaces, tolerations, extra objects', () => {
    const custom = withValues({
      'serviceAccount.annotations': { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/im' },
      'image.digest': `sha256:${'a'.repeat(64)}`,
      'controller.region': 'eu-west-1',
      'controller.namespaces': ['payments', 'checkout'],
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ops', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: {} },
      extraObjects: [{ apiVersion: 'v1', kind: 'ConfigMap' }, 'apiVersion: v1\nkind: ConfigMap'],
    });
    expect(errorsOf(custom)).toEqual([]);
  });

  it.each([
    ['a misspelt top-level key', { replicas: 2 }],
    ['a misspelt nested key', { 'image.tags': 'v1' }],
    ['the old fixed argument list', { 'controller.args': ['controller'] }],
    ['zero replicas', { replicaCount: 0 }],
    ['a Region name that is not one', { 'controller.region': 'Ireland' }],
    ['an unknown log level', { 'controller.logLevel': 'trace' }],
    ['a tag where a digest belongs', { 'image.digest': 'v1.2.3' }],
    ['a duration the controller cannot parse', { 'controller.resync': 'ten minutes' }],
    ['a non-string node selector value', { nodeSelector: { 'kubernetes.io/os': 1 } }],
  ])('refuses %s', (_what, patch) => {
    expect(errorsOf(withValues(patch))).not.toEqual([]);
  });

  it('documents every value in the chart README', () => {
    const readme = read(`${CHART}/README.md`);
    const { rows } = chartValues(valuesText);
    expect(rows.length).toBeGreaterThan(40);
    for (const r of rows) expect(readme, r.key).toContain(`| \`${r.key}\` |`);
  });

  it('passes every `imctl controller` flag from a value, except those the chart sets from the pod', () => {
    const program = new Command();
    controllerCommand.register(program);
    // An alias ("the same as --label-selector") is passed through the flag it stands for.
    const flags = (program.commands[0]?.options ?? [])
      .filter((o) => !o.description.startsWith('the same as --'))
      .map((o) => o.long?.replace(/^--(no-)?/, '') as string);
    expect(flags.length).toBeGreaterThan(10);
    const helpers = read(`${CHART}/templates/_helpers.tpl`);
    // In a pod: in-cluster credentials (no kubeconfig/context); the identity is POD_NAME.
    const fromPod = ['kubeconfig', 'context', 'identity'];
    for (const f of flags.filter((x) => !fromPod.includes(x)))
      expect(helpers, `--${f}`).toMatch(new RegExp(`- --(no-)?${f}\\b`));
    expect(read(`${CHART}/templates/deployment.yaml`)).toMatch(/name: POD_NAME\n\s+valueFrom:/);
  });
});

describe('CRD templates of both charts', () => {
  // The two template lines the generator adds; without them the text is config/crd's, byte for byte.
  const untemplated = (text: string) =>
    text
      .split('\n')
      .filter((l) => !/^\s*\{\{.*\}\}\s*$/.test(l))
      .join('\n');

  it('are config/crd/ plus only the crds.enabled guard and the annotation include', () => {
    for (const dir of CHART_CRD_DIRS) {
      expect(
        readdirSync(join(ROOT, dir))
          .filter((f) => !f.startsWith('_'))
          .sort(),
        dir,
      ).toEqual(KINDS.map((k) => `${k.plural}.yaml`).sort());
      for (const def of KINDS) {
        const template = read(`${dir}/${def.plural}.yaml`);
        expect(
          template.split('\n').filter((l) => l.includes('{{')),
          `${dir}/${def.plural}`,
        ).toHaveLength(3);
        expect(untemplated(template)).toBe(read(`config/crd/${def.plural}.yaml`));
      }
    }
  });

  it('have helpers defining imo.crdAnnotations in both charts', () => {
    for (const chart of [CHART, CRDS_CHART])
      expect(read(`${chart}/templates/_helpers.tpl`)).toContain('define "imo.crdAnnotations"');
  });
});

describe('templates', () => {
  const files = (chart: string) =>
    readdirSync(join(ROOT, chart, 'templates'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(yaml|tpl|txt)$/.test(f))
      .map((f) => `${chart}/templates/${f}`);

  it('close every if/with/range/define with an end', () => {
    for (const file of [...files(CHART), ...files(CRDS_CHART)]) {
      const text = read(file);
      const actions = [...text.matchAll(/\{\{-?\s*(\w+)/g)].map((m) => m[1]);
      const opened = actions.filter((a) => ['if', 'with', 'range', 'define'].includes(a as string)).length;
      expect(actions.filter((a) => a === 'end').length, file).toBe(opened);
      expect(text.split('{{').length, file).toBe(text.split('}}').length);
    }
  });
});
