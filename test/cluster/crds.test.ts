// The generated CRDs and the samples on a real kube-apiserver: what `kubectl apply` does on a
// user's cluster, judged by the server itself rather than by our emulator.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { allCrds } from '../../src/crds/registry.ts';
import { MAX_OVERRIDES } from '../../src/crds/rotation.ts';
import { type Cluster, CRD_DIR, SAMPLES_DIR, startCluster } from './support/cluster.ts';

let c: Cluster;
beforeAll(async () => {
  c = await startCluster();
});
afterAll(async () => {
  await c?.stop();
});

const sampleObjects = () =>
  readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(SAMPLES_DIR, f), 'utf8')).map((d) => d.toJSON()))
    .filter((o) => o && o.kind !== 'Secret');

describe('CRDs on a real kube-apiserver', () => {
  it('accepts all six generated CRDs from config/crd and reports each Established', async () => {
    await c.installCrds(CRD_DIR);
    const names = (await c.kubectlOk(['get', 'crd', '-o', 'name'])).trim().split('\n').sort();
    expect(names).toEqual(
      allCrds()
        .map(
          (crd) => `customresourcedefinition.apiextensions.k8s.io/${(crd.metadata as { name: string }).name}`,
        )
        .sort(),
    );
    const established = await c.kubectlOk([
      'get',
      'crd',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Established")].status}{"\\n"}{end}',
    ]);
    expect(
      established
        .trim()
        .split('\n')
        .every((l) => l.endsWith('=True')),
    ).toBe(true);
  });

  it('applies every sample client-side, then server-side with no conflict over our own fields', async () => {
    const created = await c.kubectlOk(['apply', '-f', SAMPLES_DIR]);
    const objects = sampleObjects();
    expect(created.match(/ created$/gm)?.length).toBe(objects.length + 1); // + the activation Secret
    // A second manager taking over with --server-side sees the same values: no error, nothing changed.
    const ssa = await c.kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', SAMPLES_DIR]);
    expect(ssa.match(/serverside-applied$/gm)?.length).toBe(objects.length + 1);
    for (const o of objects) {
      const ns = o.metadata.namespace ?? 'default';
      const live = JSON.parse(
        await c.kubectlOk([
          'get',
          `${o.kind.toLowerCase()}.incidentmanager.gitops.dev`,
          o.metadata.name,
          ...(o.kind === 'AWSAccount' ? [] : ['-n', ns]),
          '-o',
          'json',
        ]),
      );
      expect(live.spec, `${o.kind}/${o.metadata.name}`).toMatchObject(o.spec);
    }
  });

  it('server-side applies the samples into a fresh namespace from scratch', async () => {
    await c.kubectlOk(['create', 'namespace', 'ssa']);
    const namespaced = sampleObjects().filter((o) => o.kind !== 'AWSAccount');
    const docs = namespaced.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'ssa' } }));
    const out = await c.kubectlOk(
      ['apply', '--server-side', '-f', '-'],
      docs.map((d) => JSON.stringify(d)).join('\n'),
    );
    expect(out.match(/serverside-applied$/gm)?.length).toBe(namespaced.length);
  });

  it(`takes a rotation with ${MAX_OVERRIDES} overrides, members or not (the controller checks that), and refuses one more`, async () => {
    const ARN = (who: string) => `arn:aws:ssm-contacts:eu-west-1:111122223333:contact/${who}`;
    const rotation = (name: string, n: number) => ({
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Rotation',
      metadata: { name, namespace: 'default' },
      spec: {
        name,
        contacts: [{ contactArn: ARN('alice') }, { contactRef: { name: 'bob' } }],
        timeZoneId: 'UTC',
        recurrence: { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: ['09:00'] },
        overrides: Array.from({ length: n }, (_, i) => {
          const day = new Date(Date.UTC(2030, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
          return {
            startTime: `${day}T09:00:00Z`,
            endTime: `${day}T17:00:00Z`,
            newContacts: [i === 7 ? { contactArn: ARN('mallory') } : { contactRef: { name: 'bob' } }],
          };
        }),
      },
    });
    await c.kubectlOk(['apply', '-f', '-'], JSON.stringify(rotation('busy', MAX_OVERRIDES)));
    const refused = await c.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(rotation('too-busy', MAX_OVERRIDES + 1)),
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      `spec.overrides: Too many: ${MAX_OVERRIDES + 1}: must have at most ${MAX_OVERRIDES} items`,
    );
  });
});
