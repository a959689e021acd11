// @kubernetes/client-node against the emulator: informers (list + watch + relist after 410),
// watch options, optimistic concurrency under 50 concurrent writers.
import {
  CoreV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeEmulator, startKubeEmulator } from '../../../src/emulators/kube/index.ts';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let emu: KubeEmulator;
let kc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  emu = await startKubeEmulator({ port: 0 });
  kc = new KubeConfig();
  kc.loadFromString(emu.kubeconfigYaml);
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await emu.stop();
});

function cm(name: string, v: string, ns = 'default'): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { v } };
}

/** Resolves when `pred` holds after some informer callback. */
function until(pred: () => boolean, subscribe: (cb: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (pred()) return resolve();
    subscribe(() => {
      if (pred()) resolve();
    });
  });
}

describe('client-node against the kube emulator', () => {
  it('an informer sees every change in order and relists after 410 Gone', async () => {
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    await core.createNamespacedConfigMap({ namespace: 'inf', body: cm('a', '1', 'inf') });
    let lists = 0;
    const informer = makeInformer(kc, '/api/v1/namespaces/inf/configmaps', () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: 'inf' });
    });
    const seen: string[] = [];
    const listeners: (() => void)[] = [];
    const notify = () => {
      for (const l of listeners) l();
    };
    informer.on('add', (o) => {
      seen.push(`add ${o.metadata?.name}=${o.data?.v}`);
      notify();
    });
    informer.on('update', (o) => {
      seen.push(`update ${o.metadata?.name}=${o.data?.v}`);
      notify();
    });
    informer.on('delete', (o) => {
      seen.push(`delete ${o.metadata?.name}`);
      notify();
    });
    const errorsSeen: unknown[] = [];
    informer.on('error', (e) => errorsSeen.push(e));
    await informer.start();
    const has = (s: string) => () => seen.includes(s);
    await until(has('add a=1'), (cb) => listeners.push(cb));

    await core.createNamespacedConfigMap({ namespace: 'inf', body: cm('b', '1', 'inf') });
    await core.patchNamespacedConfigMap({ namespace: 'inf', name: 'a', body: { data: { v: '2' } } }, MERGE);
    await core.deleteNamespacedConfigMap({ namespace: 'inf', name: 'b' });
    await until(has('delete b'), (cb) => listeners.push(cb));
    expect(seen).toEqual(['add a=1', 'add b=1', 'update a=2', 'delete b']);

    // The watch drops and the history is compacted while changes happen: the informer's resume
    // gets 410 Expired, relists and converges.
    emu.dropWatches();
    const info = emu.api.find('', 'v1', 'configmaps')!;
    emu.api.create(info, 'inf', cm('c', '1', 'inf') as never);
    emu.api.delete(info, 'inf', 'a');
    emu.store.compact();
    await until(
      () => seen.includes('add c=1') && seen.includes('delete a'),
      (cb) => listeners.push(cb),
    );
    expect(lists).toBe(2);
    expect(seen.slice(4).sort()).toEqual(['add c=1', 'delete a']);
    await core.patchNamespacedConfigMap({ namespace: 'inf', name: 'c', body: { data: { v: '2' } } }, MERGE);
    await until(has('update c=2'), (cb) => listeners.push(cb));
    expect(informer.list('inf').map((o) => `${o.metadata?.name}=${o.data?.v}`)).toEqual(['c=2']);
    expect(errorsSeen).toEqual([]);
    await informer.stop();
  });

  it('a watch from a compacted resourceVersion gets an ERROR event with 410 Expired', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: cm('old', '1') });
    const rv = (await core.readNamespacedConfigMap({ namespace: 'default', name: 'old' })).metadata!
      .resourceVersion!;
    await core.patchNamespacedConfigMap(
      { namespace: 'default', name: 'old', body: { data: { v: '2' } } },
      MERGE,
    );
    emu.store.compact();
    const events: { type: string; obj: { code?: number; reason?: string; message?: string } }[] = [];
    await new Promise<void>((resolve, reject) => {
      new Watch(kc)
        .watch(
          '/api/v1/namespaces/default/configmaps',
          { resourceVersion: rv },
          (type, obj) => events.push({ type, obj }),
          () => resolve(),
        )
        .catch(reject);
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('ERROR');
    expect(events[0]!.obj).toMatchObject({ code: 410, reason: 'Expired' });
    expect(events[0]!.obj.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('a watch replays from a recent resourceVersion, filters by label and ends at timeoutSeconds', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const rv = list.metadata!.resourceVersion!;
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'labelled', labels: { team: 'payments' } }, data: { v: '1' } },
    });
    await core.createNamespacedConfigMap({ namespace: 'default', body: cm('unlabelled', '1') });
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      new Watch(kc)
        .watch(
          '/api/v1/namespaces/default/configmaps',
          { resourceVersion: rv, labelSelector: 'team in (payments)', timeoutSeconds: 1 },
          (type, obj: V1ConfigMap) => events.push(`${type} ${obj.metadata?.name}`),
          () => resolve(),
        )
        .catch(reject);
    });
    expect(events).toEqual(['ADDED labelled']);
  });

  it('lists in pages with limit/continue and filters by field selector', async () => {
    for (const n of ['p1', 'p2', 'p3'])
      await core.createNamespacedConfigMap({ namespace: 'default', body: cm(n, n) });
    const names: string[] = [];
    let cont: string | undefined;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace: 'default',
        limit: 2,
        ...(cont ? { _continue: cont } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      names.push(...page.items.map((i) => i.metadata!.name!));
      cont = page.metadata?._continue;
    } while (cont);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['p1', 'p2', 'p3']));
    const one = await core.listNamespacedConfigMap({
      namespace: 'default',
      fieldSelector: 'metadata.name=p2',
    });
    expect(one.items.map((i) => i.metadata!.name)).toEqual(['p2']);
    // A continue token from before a compaction is answered 410 Expired.
    const first = await core.listNamespacedConfigMap({ namespace: 'default', limit: 1 });
    await core.createNamespacedConfigMap({ namespace: 'default', body: cm('p4', 'p4') });
    emu.store.compact();
    const expired = await core
      .listNamespacedConfigMap({ namespace: 'default', limit: 1, _continue: first.metadata!._continue! })
      .then(
        () => undefined,
        (e: { code?: number; body?: string }) => e,
      );
    expect(expired?.code).toBe(410);
    expect(JSON.parse(expired?.body ?? '{}')).toMatchObject({ reason: 'Expired' });
  });

  it('50 writers with stale resourceVersions get 409 Conflict and no update is lost', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: cm('counter', '0') });
    let conflicts = 0;
    const writer = async () => {
      for (;;) {
        const cur = await core.readNamespacedConfigMap({ namespace: 'default', name: 'counter' });
        cur.data = { v: String(Number(cur.data?.v ?? '0') + 1) };
        try {
          await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'counter', body: cur });
          return;
        } catch (e) {
          const err = e as { code?: number; body?: string };
          if (err.code !== 409) throw e;
          const status = JSON.parse(err.body ?? '{}') as { reason?: string; message?: string };
          expect(status.reason).toBe('Conflict');
          expect(status.message).toBe(
            'Operation cannot be fulfilled on configmaps "counter": the object has been modified; please apply your changes to the latest version and try again',
          );
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: 50 }, writer));
    const final = await core.readNamespacedConfigMap({ namespace: 'default', name: 'counter' });
    expect(final.data?.v).toBe('50');
    expect(conflicts).toBeGreaterThan(0);
  });
});
