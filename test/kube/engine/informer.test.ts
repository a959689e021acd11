// The informer wrapper against the Kubernetes emulator: initial list and hasSynced, events, a
// dropped watch stream reconnecting, and a compacted history (410 Expired) forcing a relist.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCrds } from '../../../src/crds/registry.ts';
import { type KubeEmulator, startKubeEmulator } from '../../../src/emulators/kube/index.ts';
import { systemClock } from '../../../src/engine/clock.ts';
import type { ManagedObject } from '../../../src/engine/contract.ts';
import { Informer } from '../../../src/engine/informer.ts';
import { KubeClient, type ResourceType } from '../../../src/engine/kube.ts';

const CRDS: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  namespaced: false,
};
const CONTACTS: ResourceType = {
  group: 'incidentmanager.gitops.dev',
  version: 'v1alpha1',
  plural: 'contacts',
  namespaced: true,
};

let kube: KubeEmulator;
let client: KubeClient;
let kc: KubeConfig;

beforeAll(async () => {
  kube = await startKubeEmulator({ port: 0 });
  kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfigYaml);
  client = new KubeClient(kc);
  for (const crd of allCrds()) await client.create(CRDS, crd);
});

afterAll(async () => {
  await kube?.stop();
});

const contact = (name: string) => ({
  apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
  kind: 'Contact',
  metadata: { name, namespace: 'default' },
  spec: { alias: name, type: 'Personal', displayName: name },
});

describe('Informer', () => {
  it('lists, syncs, follows events, reconnects after a dropped stream and relists after 410', async () => {
    await client.create(CONTACTS, contact('pre'), 'default');
    const seen = new Map<string, (o: ManagedObject) => void>();
    const added = (name: string) => new Promise<ManagedObject>((resolve) => seen.set(name, resolve));
    const deleted: string[] = [];
    let deletedResolve: (() => void) | undefined;
    const errors: unknown[] = [];
    const inf = new Informer<ManagedObject>({
      kc,
      client,
      type: CONTACTS,
      clock: systemClock,
      namespace: 'default',
      restartBaseMs: 50,
      handlers: {
        add: (o) => seen.get(o.metadata.name)?.(o),
        delete: (o) => {
          deleted.push(o.metadata.name);
          deletedResolve?.();
        },
      },
      onError: (e) => errors.push(e),
    });
    const pre = added('pre');
    await inf.start();
    await pre;
    expect(inf.hasSynced()).toBe(true);
    expect(inf.get('pre', 'default')?.spec).toMatchObject({ alias: 'pre' });

    const live = added('live');
    await client.create(CONTACTS, contact('live'), 'default');
    await live;

    kube.dropWatches(); // the server ends the stream; the watch resumes from its resourceVersion
    const afterDrop = added('after-drop');
    await client.create(CONTACTS, contact('after-drop'), 'default');
    await afterDrop;

    kube.store.compact(); // history gone: resuming gets 410 Expired → relist
    kube.dropWatches();
    const afterCompact = added('after-compact');
    const gone = new Promise<void>((resolve) => {
      deletedResolve = resolve;
    });
    await client.create(CONTACTS, contact('after-compact'), 'default');
    await client.request('DELETE', KubeClient.objectPath(CONTACTS, 'pre', 'default'));
    await afterCompact;
    await gone;
    expect(deleted).toContain('pre');
    expect(
      inf
        .list('default')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['after-compact', 'after-drop', 'live']);
    await inf.stop();
  });
});
