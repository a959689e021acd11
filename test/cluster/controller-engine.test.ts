// The engine's metadata writes judged by a real kube-apiserver: a finalizer or annotation patch
// built from a stale read must fail as a retryable Conflict. The real server answers a failed
// JSON-patch `test` with a bare 422 (reason Invalid, no causes) where our emulator named the
// failed test; read as InvalidSpec, the controller gave up and the finalizer stayed forever.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindDefinition } from '../../src/crds/registry.ts';
import { ClassifiedError, type ManagedObject } from '../../src/engine/contract.ts';
import { KubeMetadataPort } from '../../src/engine/kube.ts';
import { resourceTypeOf } from '../../src/engine/plugin.ts';
import { type Cluster, startCluster } from './support/cluster.ts';

const CONTACTS = resourceTypeOf(kindDefinition('Contact')!);
let c: Cluster;
let port: KubeMetadataPort;

beforeAll(async () => {
  c = await startCluster();
  await c.installCrds();
  port = new KubeMetadataPort(c.client, new Map([['Contact', CONTACTS]]));
});
afterAll(async () => {
  await c?.stop();
});

const errorClassOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof ClassifiedError ? e.errorClass : String(e)),
  );

describe('metadata patches guarded by resourceVersion on a real kube-apiserver', () => {
  it('a stale finalizer removal or annotation change is a Conflict; a fresh one goes through', async () => {
    const created = await c.client.create<ManagedObject>(
      CONTACTS,
      {
        apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
        kind: 'Contact',
        metadata: {
          name: 'stale',
          namespace: 'default',
          finalizers: ['incidentmanager.gitops.dev/finalizer'],
        },
        spec: { accountRef: { name: 'nobody' }, alias: 'stale', displayName: 'Stale', type: 'Personal' },
      } as unknown as ManagedObject,
      'default',
    );
    const fresh = await port.patchAnnotations(created, { 'example.com/touched': 'yes' });
    expect(await errorClassOf(port.removeFinalizer(created, 'incidentmanager.gitops.dev/finalizer'))).toBe(
      'Conflict',
    );
    expect(await errorClassOf(port.patchAnnotations(created, { 'example.com/again': 'no' }))).toBe(
      'Conflict',
    );
    const done = await port.removeFinalizer(fresh, 'incidentmanager.gitops.dev/finalizer');
    expect(done.metadata.finalizers ?? []).toEqual([]);
  });
});
