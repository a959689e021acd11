import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../../src/crds/generate.ts';
import { KINDS } from '../../../src/crds/registry.ts';

const CHART = join(ROOT, 'deploy/helm/incident-manager-operator');
const read = (rel: string) => readFileSync(join(CHART, rel), 'utf8');

describe('helm chart', () => {
  const schema = JSON.parse(read('values.schema.json')) as Record<string, unknown>;
  const values = parse(read('values.yaml')) as Record<string, unknown>;

  it('ships default values that satisfy values.schema.json, with two replicas', () => {
    const check = Compile(schema as never);
    expect([...check.Errors(values)]).toEqual([]);
    expect(values.replicaCount).toBe(2);
  });

  it('rejects values the schema forbids (typos, bad regions, zero replicas)', () => {
    const check = Compile(schema as never);
    expect(check.Check({ ...values, replicas: 2 })).toBe(false);
    expect(check.Check({ ...values, replicaCount: 0 })).toBe(false);
    expect(check.Check({ ...values, controller: { args: ['controller'], awsRegion: 'Ireland' } })).toBe(
      false,
    );
  });

  it('grants RBAC on every kind, its status and finalizers, secrets (read-only), events and leases', () => {
    const rbac = read('templates/rbac.yaml');
    for (const def of KINDS) {
      expect(rbac).toContain(`"${def.plural}"`);
      expect(rbac).toContain(`- ${def.plural}/status`);
    }
    expect(rbac).toMatch(/resources: \["secrets"\]\n\s+verbs: \["get", "list", "watch"\]/);
    expect(rbac).toContain('resources: ["events"]');
    expect(rbac).toMatch(/apiGroups: \["coordination.k8s.io"\]\n\s+resources: \["leases"\]/);
  });

  it('has balanced template actions in every template (each if/with/range/define closed by end)', () => {
    for (const file of [
      '_helpers.tpl',
      'deployment.yaml',
      'rbac.yaml',
      'service.yaml',
      'serviceaccount.yaml',
    ]) {
      const text = read(`templates/${file}`);
      const actions = [...text.matchAll(/\{\{-?\s*(\w+)/g)].map((m) => m[1]);
      const opened = actions.filter(
        (a) => a === 'if' || a === 'with' || a === 'range' || a === 'define',
      ).length;
      expect(actions.filter((a) => a === 'end').length, file).toBe(opened);
      expect(text.split('{{').length, file).toBe(text.split('}}').length);
    }
  });

  it('runs the controller as a Deployment with a metrics port and Service', () => {
    const deployment = read('templates/deployment.yaml');
    expect(deployment).toContain('kind: Deployment');
    expect(deployment).toContain('replicas: {{ .Values.replicaCount }}');
    expect(deployment).toContain('containerPort: {{ .Values.metrics.port }}');
    expect(read('templates/service.yaml')).toContain('targetPort: metrics');
  });
});
