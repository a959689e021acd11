// The Helm charts rendered as `helm template` does (test/tools/helm-render) and judged by a real
// kube-apiserver: the CRDs installed for real, everything else with `kubectl apply --dry-run=server`
// (full validation, strict field checking and admission, nothing persisted), with the default values
// and with every optional block switched on.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Cluster, CRD_DIR, startCluster } from './support/cluster.ts';
import { asStdin, CHART_DIR, CRDS_CHART_DIR, type Obj, objectsOf, renderChart } from './support/helm.ts';

const NS = 'incident-manager';
const defaults = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const schema = Compile(JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as never);

/** Helm's coalescing of a values file over values.yaml (maps merge, anything else replaces). */
function coalesce(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? coalesce(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

// Every optional block on, with values a platform team would write.
const everything = {
  replicaCount: 3,
  image: { tag: '0.1.0', digest: `sha256:${'ab'.repeat(32)}`, pullPolicy: 'Always' },
  imagePullSecrets: [{ name: 'regcred' }],
  serviceAccount: {
    name: 'im-operator',
    annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/im-operator' },
  },
  controller: {
    region: 'eu-west-1',
    namespaces: ['payments', 'checkout'],
    labelSelector: 'team=payments',
    workers: 4,
    resync: '5m',
    port: 9090,
    leaseName: 'im-leader',
    awsRate: 3,
    awsConcurrency: 2,
    logLevel: 'debug',
  },
  extraArgs: ['--workers=5'],
  extraEnv: [{ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' }],
  extraVolumes: [{ name: 'corp-ca', configMap: { name: 'corp-ca' } }],
  extraVolumeMounts: [{ name: 'corp-ca', mountPath: '/etc/corp-ca', readOnly: true }],
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
  affinity: {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'incident-manager-operator' } },
          },
        },
      ],
    },
  },
  topologySpreadConstraints: [
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
  ],
  priorityClassName: 'system-cluster-critical',
  podLabels: { team: 'sre' },
  podAnnotations: { 'example.com/owner': 'sre' },
  podDisruptionBudget: { enabled: true, minAvailable: 2 },
  metrics: {
    service: { port: 9090, annotations: { 'example.com/scrape': 'true' } },
    serviceMonitor: {
      enabled: true,
      labels: { release: 'kube-prometheus-stack' },
      interval: '15s',
      scrapeTimeout: '10s',
    },
  },
  networkPolicy: {
    enabled: true,
    metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
  },
  extraObjects: [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: '{{ include "imo.fullname" . }}-extra', namespace: '{{ .Release.Namespace }}' },
      data: { region: '{{ .Values.controller.region }}' },
    },
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra-text\n  namespace: {{ .Release.Namespace }}\n',
  ],
};

// A stand-in for prometheus-operator's ServiceMonitor CRD: only the fields the chart writes, so that
// strict field validation catches a misspelt one (the upstream CRD is not vendored here).
const SERVICE_MONITOR_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com',
    names: {
      kind: 'ServiceMonitor',
      listKind: 'ServiceMonitorList',
      plural: 'servicemonitors',
      singular: 'servicemonitor',
    },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['selector'],
                properties: {
                  namespaceSelector: {
                    type: 'object',
                    properties: { matchNames: { type: 'array', items: { type: 'string' } } },
                  },
                  selector: {
                    type: 'object',
                    properties: {
                      matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
                    },
                  },
                  endpoints: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        port: { type: 'string' },
                        path: { type: 'string' },
                        interval: {
                          type: 'string',
                          pattern:
                            '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
                        },
                        scrapeTimeout: {
                          type: 'string',
                          pattern:
                            '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

let c: Cluster;
beforeAll(async () => {
  c = await startCluster();
  for (const ns of [NS, 'payments', 'checkout']) await c.kubectlOk(['create', 'namespace', ns]);
});
afterAll(async () => {
  await c?.stop();
});

const kindsOf = (objects: Obj[]) => objects.map((o) => o.kind).sort();
const isCrd = (o: Obj) => o.kind === 'CustomResourceDefinition';

/** CRDs for real (and Established), then the rest with --dry-run=server; returns kubectl's lines. */
async function applyRendered(objects: Obj[]): Promise<string[]> {
  const crds = objects.filter(isCrd);
  if (crds.length) {
    await c.kubectlOk(['apply', '-f', '-'], asStdin(crds));
    await c.kubectlOk([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd',
      ...crds.map((o) => o.metadata.name),
    ]);
  }
  const out = await c.kubectlOk(
    ['apply', '--dry-run=server', '-f', '-'],
    asStdin(objects.filter((o) => !isCrd(o))),
  );
  return out.trim().split('\n');
}

const byKind = (objects: Obj[], kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as Obj;

describe('the controller chart on a real kube-apiserver', () => {
  it('with the default values: CRDs installed and Established, every other object accepted by a server dry run', async () => {
    const objects = objectsOf(await renderChart(CHART_DIR));
    expect(kindsOf(objects)).toEqual(
      [
        ...Array(6).fill('CustomResourceDefinition'),
        'ClusterRole',
        'ClusterRoleBinding',
        'Deployment',
        'PodDisruptionBudget',
        'Role',
        'RoleBinding',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
    const lines = await applyRendered(objects);
    expect(lines).toHaveLength(objects.length - 6);
    for (const l of lines) expect(l).toMatch(/ created \(server dry run\)$/);

    const pod = byKind(objects, 'Deployment').spec.template.spec;
    const container = pod.containers[0];
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(container.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=384' }); // 75 % of 512Mi
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(container.args).toEqual([
      'controller',
      '--listen=:8080',
      '--workers=2',
      '--resync=10m',
      '--shutdown-grace=25s',
      `--lease-namespace=${NS}`,
      '--lease-name=imo-incident-manager-operator',
      '--log-level=info',
    ]);
  });

  it('renders CRDs that are config/crd/ plus only helm.sh/resource-policy: keep, and re-applying config/crd changes nothing else', async () => {
    const rendered = objectsOf(await renderChart(CHART_DIR)).filter(isCrd);
    const files = readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml'));
    expect(rendered.map((o) => `${o.spec.names.plural}.yaml`).sort()).toEqual(files.sort());
    for (const crd of rendered) {
      expect(crd.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
      const { annotations: _, ...metadata } = crd.metadata;
      expect({ ...crd, metadata }).toEqual(
        parse(readFileSync(join(CRD_DIR, `${crd.spec.names.plural}.yaml`), 'utf8')),
      );
    }
    // The chart's CRDs are installed (previous test); config/crd on top is an upgrade that only drops the annotation.
    const diff = await c.kubectl(['diff', '-f', CRD_DIR]);
    expect(diff.code, diff.stderr).toBe(1); // 1: differences found
    const changed = diff.stdout.split('\n').filter((l) => /^[-+]\s/.test(l));
    expect(
      changed.every((l) => /helm\.sh\/resource-policy|annotations:|generation:/.test(l)),
      changed.join('\n'),
    ).toBe(true);
  });

  it('with every optional block on: the values pass the schema, and the API server accepts every object', async () => {
    expect([...schema.Errors(coalesce(defaults, everything))]).toEqual([]);
    await c.kubectlOk(['apply', '-f', '-'], JSON.stringify(SERVICE_MONITOR_CRD));
    await c.kubectlOk([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/servicemonitors.monitoring.coreos.com',
    ]);
    const objects = objectsOf(await renderChart(CHART_DIR, { values: everything }));
    expect(kindsOf(objects.filter((o) => !isCrd(o)))).toEqual(
      [
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'ConfigMap',
        'Deployment',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Role', // payments
        'Role', // checkout
        'Role', // events about AWSAccounts, in default
        'Role', // leader election
        'RoleBinding',
        'RoleBinding',
        'RoleBinding',
        'RoleBinding',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
      ].sort(),
    );
    const lines = await applyRendered(objects);
    expect(lines).toHaveLength(objects.length - 6);
    for (const l of lines) expect(l).toMatch(/ (created|configured|unchanged) \(server dry run\)$/);

    const deployment = byKind(objects, 'Deployment');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe(
      `ghcr.io/incident-manager-operator/incident-manager-operator:0.1.0@sha256:${'ab'.repeat(32)}`,
    );
    expect(container.args).toEqual([
      'controller',
      '--listen=:9090',
      '--region=eu-west-1',
      '--namespaces=payments,checkout',
      '--label-selector=team=payments',
      '--workers=4',
      '--resync=5m',
      '--shutdown-grace=25s',
      `--lease-namespace=${NS}`,
      '--lease-name=im-leader',
      '--aws-rate=3',
      '--aws-concurrency=2',
      '--log-level=debug',
      '--workers=5',
    ]);
    expect(container.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=768' }); // 75 % of 1Gi
    expect(container.env).toContainEqual({ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' });
    expect(pod.serviceAccountName).toBe('im-operator');
    expect(pod.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'incident-manager-operator',
      'app.kubernetes.io/instance': 'imo',
    });
    expect(deployment.spec.template.metadata.labels.team).toBe('sre');
    expect(byKind(objects, 'ServiceAccount').metadata.annotations).toEqual(
      everything.serviceAccount.annotations,
    );
    expect(byKind(objects, 'ConfigMap', 'imo-incident-manager-operator-extra').data).toEqual({
      region: 'eu-west-1',
    });
    expect(byKind(objects, 'ConfigMap', 'imo-extra-text')).toBeDefined();
    // --namespaces: the namespaced kinds and Secrets only through Roles there; the ClusterRole keeps AWSAccount.
    const clusterRole = byKind(objects, 'ClusterRole');
    expect(clusterRole.rules.flatMap((r: { resources: string[] }) => r.resources).sort()).toEqual([
      'awsaccounts',
      'awsaccounts/status',
    ]);
    const roles = objects.filter((o) => o.kind === 'Role');
    expect(roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`).sort()).toEqual([
      'checkout/imo-incident-manager-operator',
      'default/imo-incident-manager-operator-events',
      `${NS}/imo-incident-manager-operator-leader-election`,
      'payments/imo-incident-manager-operator',
    ]);
    const leader = roles.find((r) => r.metadata.name.endsWith('-leader-election')) as Obj;
    expect(leader.rules).toContainEqual({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: ['im-leader'],
      verbs: ['get', 'update'],
    });
    expect(byKind(objects, 'ServiceMonitor').spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '10s' },
    ]);
    expect(byKind(objects, 'NetworkPolicy').spec.ingress).toEqual([
      { ports: [{ protocol: 'TCP', port: 9090 }], from: everything.networkPolicy.metricsFrom },
    ]);
  });

  it('leaves the CRDs out with crds.enabled=false, and annotates none with crds.keep=false', async () => {
    expect(objectsOf(await renderChart(CHART_DIR, { set: ['crds.enabled=false'] })).filter(isCrd)).toEqual(
      [],
    );
    const plain = objectsOf(await renderChart(CHART_DIR, { set: ['crds.keep=false'] })).filter(isCrd);
    expect(plain).toHaveLength(6);
    for (const crd of plain) expect(crd.metadata.annotations).toBeUndefined();
  });

  it('refuses, at render time, two replicas without leader election and a memory limit it cannot size the heap from', async () => {
    await expect(renderChart(CHART_DIR, { set: ['controller.leaderElect=false'] })).rejects.toThrow(
      /replicaCount > 1 needs controller.leaderElect/,
    );
    const single = objectsOf(
      await renderChart(CHART_DIR, { set: ['controller.leaderElect=false', 'replicaCount=1'] }),
    );
    expect(byKind(single, 'Deployment').spec.template.spec.containers[0].args).toContain('--no-leader-elect');
    expect(kindsOf(single)).not.toContain('PodDisruptionBudget'); // one replica: a PDB would block every drain
    expect(single.filter((o) => o.kind === 'Role')).toEqual([]); // no Lease, no Lease permissions
    await expect(renderChart(CHART_DIR, { set: ['resources.limits.memory=lots'] })).rejects.toThrow(
      /resources.limits.memory "lots" is not a memory quantity/,
    );
    await expect(
      renderChart(CHART_DIR, {
        set: ['controller.leaderElect=false', 'replicaCount=1', 'controller.shards=2'],
      }),
    ).rejects.toThrow(/controller.shards > 1 needs controller.leaderElect/);
    const noLimit = objectsOf(await renderChart(CHART_DIR, { set: ['resources.limits=null'] }));
    const env = byKind(noLimit, 'Deployment').spec.template.spec.containers[0].env as Array<{ name: string }>;
    expect(env.map((e) => e.name)).toEqual(['POD_NAME']);
  });
});

describe('sharding', () => {
  it('controller.shards=3: --shards=3, and the Lease permissions name the three shard Leases, accepted by the API server', async () => {
    const objects = objectsOf(
      await renderChart(CHART_DIR, { set: ['controller.shards=3', 'replicaCount=3'] }),
    );
    const args = byKind(objects, 'Deployment').spec.template.spec.containers[0].args as string[];
    expect(args).toContain('--shards=3');
    const leader = objects.find(
      (o) => o.kind === 'Role' && o.metadata.name.endsWith('-leader-election'),
    ) as Obj;
    const lease = args.find((a) => a.startsWith('--lease-name='))?.slice('--lease-name='.length);
    expect(leader.rules[1].resourceNames).toEqual([0, 1, 2].map((i) => `${lease}-shard-${i}`));
    const lines = await applyRendered(objects.filter((o) => o.kind === 'Role' || o.kind === 'Deployment'));
    for (const l of lines) expect(l).toMatch(/ (created|configured|unchanged) \(server dry run\)$/);
  });
});

describe('the CRDs-only chart', () => {
  it('renders the same six CRDs with the Argo CD annotations asked for, and the server accepts them', async () => {
    const objects = objectsOf(
      await renderChart(CRDS_CHART_DIR, {
        values: { annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
      }),
    );
    const main = objectsOf(await renderChart(CHART_DIR)).filter(isCrd);
    expect(objects.map((o) => o.metadata.name)).toEqual(main.map((o) => o.metadata.name));
    for (const crd of objects) {
      expect(crd.metadata.annotations).toEqual({
        'argocd.argoproj.io/sync-wave': '-1',
        'helm.sh/resource-policy': 'keep',
      });
      const twin = main.find((o) => o.metadata.name === crd.metadata.name) as Obj;
      expect({ ...crd, metadata: { ...crd.metadata, annotations: {} } }).toEqual({
        ...twin,
        metadata: { ...twin.metadata, annotations: {} },
      });
    }
    const out = await c.kubectlOk(['apply', '--dry-run=server', '-f', '-'], asStdin(objects));
    expect(out.trim().split('\n')).toHaveLength(6);
  });
});
