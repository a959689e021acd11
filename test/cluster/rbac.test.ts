// The chart's RBAC proven on a real kube-apiserver, not assumed: the chart is rendered and applied
// for real, `imctl controller` runs with the chart's own arguments as the chart's ServiceAccount (a
// token the API server issues for it, so RBAC judges every request), converges and deletes the
// samples against the AWS emulator, and the API server's audit log then says which permissions the
// controller used: none may be refused, and every verb the roles grant must have been used or be
// listed below with the reason the run cannot show it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { kindDefinition } from '../../src/crds/registry.ts';
import { type RunningEmulator, startAwsEmulator } from '../../src/emulators/aws/server.ts';
import { resourceTypeOf } from '../../src/engine/plugin.ts';
import { createSamplePrerequisites } from '../../src/local/sample-prerequisites.ts';
import { type Cluster, SAMPLES_DIR, startCluster } from './support/cluster.ts';
import { asStdin, CHART_DIR, type Obj, objectsOf, renderChart } from './support/helm.ts';
import { conditionOf, converged, keyOf, type LiveObjects, watchObjects } from './support/objects.ts';
import { type ImctlProcess, startImctl } from './support/processes.ts';

const NS = 'incident-manager';
const saOf = (release: string) => `${release}-incident-manager-operator`;
const userOf = (release: string) => `system:serviceaccount:${NS}:${saOf(release)}`;
const REGION = 'eu-west-1';

/**
 * Granted but not used by this run, each for a reason the run cannot show. Anything else granted
 * and unused is a permission to remove; anything used and missing here fails the converge.
 */
const GRANTED_NOT_EXERCISED: Record<string, string> = {
  // An Event is patched only when the same Event repeats (aggregation: count + lastTimestamp).
  'events patch': 'patched when an Event repeats on one object, which a clean converge does not cause',
};

interface AuditEvent {
  verb: string;
  user: { username: string };
  objectRef?: {
    resource?: string;
    subresource?: string;
    apiGroup?: string;
    namespace?: string;
    name?: string;
  };
  requestURI: string;
  responseStatus?: { code?: number };
  stage: string;
}

const SAMPLE_FILES = [
  '00-awsaccounts',
  '01-replication-set',
  '02-activation-codes-secret',
  '03-contacts',
  '04-rotations',
  '05-oncall-schedule',
  '06-escalation-plan',
  '07-response-plan',
];
const samples: Obj[] = parseAllDocuments(
  SAMPLE_FILES.map((f) => readFileSync(join(SAMPLES_DIR, `${f}.yaml`), 'utf8')).join('\n---\n'),
)
  .map((d) => d.toJS() as Obj)
  .filter((o) => o?.kind && kindDefinition(o.kind));
const sampleKey = (o: Obj) =>
  keyOf(
    o.kind,
    o.metadata.name,
    resourceTypeOf(kindDefinition(o.kind)!).namespaced ? (o.metadata.namespace ?? 'default') : undefined,
  );

let c: Cluster;

const permissionOf = (e: AuditEvent) => {
  const r = e.objectRef ?? {};
  return `${r.apiGroup ? `${r.apiGroup}/` : ''}${r.resource}${r.subresource ? `/${r.subresource}` : ''} ${e.verb}`;
};

beforeAll(async () => {
  c = await startCluster({
    auditPolicy: {
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived'],
      rules: [{ level: 'Metadata', users: ['imo', 'imo-ns'].map(userOf) }, { level: 'None' }],
    },
  });
  await c.kubectlOk(['create', 'namespace', NS]);
});

afterAll(async () => {
  await c?.stop();
});

/** One release of the chart, its controller run as its ServiceAccount, and the three proofs. */
function provesRbac(title: string, release: string, values: Record<string, unknown>): void {
  describe(title, () => {
    const SA = saOf(release);
    const USER = userOf(release);
    let aws: RunningEmulator;
    let controller: ImctlProcess;
    let live: LiveObjects;
    let rendered: Obj[];

    const audit = (): AuditEvent[] =>
      readFileSync(c.cp.auditLogPath as string, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEvent)
        .filter((e) => e.user.username === USER && e.stage === 'ResponseComplete');

    beforeAll(async () => {
      aws = await startAwsEmulator({ port: 0, transitionMs: 0 });
      // The payments-prod role of the samples requires their external id.
      aws.admin.store.iamRoles.set('111122223333:incident-manager-operator', {
        externalId: 'payments-prod-im-operator',
      });
      // The response plan's PagerDuty secret and runbook, as a user sets them up before applying the samples.
      await createSamplePrerequisites(
        {
          AWS_ENDPOINT_URL: aws.url,
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'test',
        },
        samples,
      );
      rendered = objectsOf(await renderChart(CHART_DIR, { name: release, namespace: NS, values }));
      // The whole release, for real: CRDs first, then the ServiceAccount, RBAC, Deployment and the rest.
      const crds = rendered.filter((o) => o.kind === 'CustomResourceDefinition');
      await c.kubectlOk(['apply', '-f', '-'], asStdin(crds));
      await c.kubectlOk([
        'wait',
        '--for=condition=Established',
        '--timeout=60s',
        'crd',
        ...crds.map((o) => o.metadata.name),
      ]);
      await c.kubectlOk(
        ['apply', '-f', '-'],
        asStdin(rendered.filter((o) => o.kind !== 'CustomResourceDefinition')),
      );

      // A token the API server issues for the chart's ServiceAccount: what the pod would mount.
      const token = (await c.kubectlOk(['create', 'token', SA, '-n', NS, '--duration=2h'])).trim();
      const home = join(c.cp.dir, release);
      mkdirSync(home);
      writeFileSync(
        join(home, 'kubeconfig'),
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'envtest', cluster: { server: c.cp.url, 'insecure-skip-tls-verify': true } }],
          users: [{ name: SA, user: { token } }],
          contexts: [{ name: SA, context: { cluster: 'envtest', user: SA, namespace: NS } }],
          'current-context': SA,
        }),
      );
      // The chart's own arguments (listen moved to a free loopback port: several tests share the host).
      const deployment = rendered.find((o) => o.kind === 'Deployment') as Obj;
      const args = deployment.spec.template.spec.containers[0].args as string[];
      controller = startImctl([...args, '--listen=127.0.0.1:0'], {
        PATH: process.env.PATH,
        HOME: home,
        KUBECONFIG: join(home, 'kubeconfig'),
        POD_NAME: `${SA}-5d8f7c9b6d-x2k4p`,
        AWS_ENDPOINT_URL: aws.url,
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'test',
      });
      await controller.waitLog('caches synced; starting workers');
      live = await watchObjects(
        c.kc,
        c.client,
        [...new Set(samples.map((s) => s.kind))].map((kind) => ({
          kind,
          type: resourceTypeOf(kindDefinition(kind)!),
        })),
        (all) =>
          samples
            .map((s) => {
              const r = conditionOf(all.get(sampleKey(s)), 'Ready');
              return `  ${sampleKey(s)}: Ready=${r?.status} ${r?.reason}: ${r?.message}`;
            })
            .join('\n'),
      );
    });

    afterAll(async () => {
      live?.stop();
      await controller?.stop();
      await aws?.stop();
    });

    it('is enough to win the Lease and converge every sample, with no request refused', async () => {
      const leader = await controller.waitLog('became leader');
      expect(leader.lease).toBe(`${NS}/${SA}`);
      await c.kubectlOk(['apply', '-f', SAMPLES_DIR]);
      await live.until(
        (all) => samples.every((s) => converged(all.get(sampleKey(s)))),
        'every sample is Ready',
      );
      const refused = audit().filter((e) => e.responseStatus?.code === 403);
      expect(refused.map((e) => `${permissionOf(e)} ${e.requestURI}`)).toEqual([]);
      expect(controller.lines.filter((l) => /forbidden/i.test(l))).toEqual([]);
    });

    it('is enough to delete every sample through its finalizer', async () => {
      // One file at a time, dependants first (07 … 00), each waited for: an AWSAccount has no finalizer
      // and must outlive the objects using it; a referenced object waits (DeleteBlocked) for its referrers.
      for (const file of [...SAMPLE_FILES].reverse())
        await c.kubectlOk(['delete', '--timeout=120s', '-f', join(SAMPLES_DIR, `${file}.yaml`)]);
      await live.until((all) => samples.every((s) => !all.has(sampleKey(s))), 'every sample is gone');
      expect(
        audit()
          .filter((e) => e.responseStatus?.code === 403)
          .map(permissionOf),
      ).toEqual([]);
    });

    it('grants nothing the controller did not use, beyond the listed exceptions', async () => {
      // A graceful stop releases the Lease (an update), so the whole life of a replica is in the log.
      expect(await controller.stop()).toBe(0);
      const used = new Set(
        audit()
          .filter((e) => e.objectRef?.resource)
          .map(permissionOf),
      );

      const granted = new Set<string>();
      for (const role of rendered.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role'))
        for (const rule of role.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>)
          for (const g of rule.apiGroups)
            for (const r of rule.resources)
              for (const v of rule.verbs) granted.add(`${g ? `${g}/` : ''}${r} ${v}`);

      expect([...used].filter((p) => !granted.has(p)).sort(), 'used but not granted').toEqual([]);
      expect([...granted].filter((p) => !used.has(p)).sort(), 'granted but never used').toEqual(
        Object.keys(GRANTED_NOT_EXERCISED).sort(),
      );
    });
  });
}

provesRbac("the chart's RBAC (defaults: a ClusterRole), as the chart's ServiceAccount", 'imo', {
  controller: { region: REGION },
});
provesRbac("the chart's RBAC with controller.namespaces (Roles in the watched namespace)", 'imo-ns', {
  controller: { region: REGION, namespaces: ['default'] },
});
