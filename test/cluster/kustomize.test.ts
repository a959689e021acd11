// The kustomize bases (config/default = crd + rbac + manager + a namespace) built by kubectl's own
// kustomize and judged by a real kube-apiserver, and kept in step with the Helm chart: the same
// RBAC rules and the same pod as the chart's default render (the chart's RBAC is the one
// test/cluster/rbac.test.ts proves against the running controller).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type Cluster, ROOT, SAMPLES_DIR, startCluster } from './support/cluster.ts';
import { asStdin, CHART_DIR, type Obj, objectsOf, renderChart } from './support/helm.ts';

const NS = 'incident-manager';
let c: Cluster;
let built: Obj[];

beforeAll(async () => {
  c = await startCluster();
  const out = await c.kubectlOk(['kustomize', join(ROOT, 'config/default')]);
  built = parseAllDocuments(out).map((d) => d.toJS() as Obj);
});
afterAll(async () => {
  await c?.stop();
});

const find = (objects: Obj[], kind: string, nameSuffix = '') =>
  objects.find((o) => o.kind === kind && o.metadata.name.endsWith(nameSuffix)) as Obj;

describe('kustomize bases on a real kube-apiserver', () => {
  it('config/default: CRDs and the namespace applied, every other object accepted by a server dry run, no Pod Security warning', async () => {
    expect(built.map((o) => o.kind).sort()).toEqual(
      [
        ...Array(6).fill('CustomResourceDefinition'),
        'ClusterRole',
        'ClusterRoleBinding',
        'Deployment',
        'Namespace',
        'PodDisruptionBudget',
        'Role',
        'RoleBinding',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
    const first = built.filter((o) => o.kind === 'CustomResourceDefinition' || o.kind === 'Namespace');
    await c.kubectlOk(['apply', '-f', '-'], asStdin(first));
    await c.kubectlOk([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      '-f',
      join(ROOT, 'config/crd'),
    ]);
    const rest = built.filter((o) => !first.includes(o));
    const r = await c.kubectl(['apply', '--dry-run=server', '-f', '-'], asStdin(rest));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(rest.length);
    // The namespace enforces the restricted Pod Security Standard; the Deployment's template meets it.
    expect(r.stderr).not.toMatch(/PodSecurity/);
  });

  it('config/crd and config/samples build with kustomize and still apply with kubectl -f', async () => {
    const crds = await c.kubectlOk(['kustomize', join(ROOT, 'config/crd')]);
    expect(parseAllDocuments(crds)).toHaveLength(6);
    const samples = await c.kubectlOk(['kustomize', SAMPLES_DIR]);
    const out = await c.kubectlOk(['apply', '--dry-run=server', '-f', '-'], samples);
    expect(out.trim().split('\n').length).toBe(parseAllDocuments(samples).length);
    // kubectl -f on the folders ignores the extension-less Kustomization file.
    const sorted = (text: string) => text.trim().split('\n').sort();
    expect(sorted(await c.kubectlOk(['apply', '--dry-run=server', '-f', SAMPLES_DIR]))).toEqual(sorted(out));
  });

  it('grants the same RBAC and runs the same pod as the Helm chart with its defaults', async () => {
    const chart = objectsOf(
      await renderChart(CHART_DIR, { name: 'incident-manager-operator', namespace: NS }),
    );
    expect(find(built, 'ClusterRole').rules).toEqual(find(chart, 'ClusterRole').rules);
    expect(find(built, 'Role', '-leader-election').rules).toEqual(
      find(chart, 'Role', '-leader-election').rules,
    );
    for (const kind of ['ClusterRoleBinding', 'RoleBinding'])
      expect(find(built, kind).subjects, kind).toEqual(find(chart, kind).subjects);

    const pod = find(built, 'Deployment').spec.template.spec;
    const chartPod = find(chart, 'Deployment').spec.template.spec;
    const [k, h] = [pod.containers[0], chartPod.containers[0]];
    for (const field of [
      'securityContext',
      'serviceAccountName',
      'nodeSelector',
      'volumes',
      'terminationGracePeriodSeconds',
    ])
      expect(pod[field], field).toEqual(chartPod[field]);
    for (const field of [
      'image',
      'ports',
      'livenessProbe',
      'readinessProbe',
      'securityContext',
      'resources',
      'volumeMounts',
    ])
      expect(k[field], field).toEqual(h[field]);
    // kustomize takes the Lease namespace from POD_NAMESPACE (an overlay's namespace moves it);
    // the chart passes the release namespace as a flag. Everything else is the same.
    expect(k.args).toEqual(h.args.filter((a: string) => !a.startsWith('--lease-namespace=')));
    expect(h.args).toContain(`--lease-namespace=${NS}`);
    const env = (c: { env: Array<{ name: string }> }) =>
      c.env.filter((e) => !['POD_NAMESPACE', 'AWS_REGION'].includes(e.name));
    expect(env(k)).toEqual(env(h));
    expect(find(built, 'Deployment').spec.replicas).toBe(find(chart, 'Deployment').spec.replicas);
    expect(find(built, 'PodDisruptionBudget').spec.minAvailable).toBe(
      find(chart, 'PodDisruptionBudget').spec.minAvailable,
    );
  });
});
