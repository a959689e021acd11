// The informer wrapper against the Kubernetes emulator: initial list and hasSynced, events, a
// dropped watch stream reconnecting, and a compacted history (410 Expired) forcing a relist.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCrds } from '../../../src/crds/registry.ts';
import { type KubeEmulator, startKubeEmulator } from '../../../src/emulators/kube/index.ts';
import { systemClock } from '../../../src/engine/clock.ts';
import type { ManagedObject } from '../../../src/engine/contract.ts';
import { Informer } from '../../../src/engine/informer.ts';
import { KubeClient, KubeMetadataPort, type ResourceType } from '../../../src/engine/kube.ts';
import { KubeConfig } from '../../../src/engine/kubeconfig.ts';
import { kubeconfigDoc } from '../../support/kubeconfig.ts';

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
}, 60_000); // emulator start and CRD install can take long on a loaded machine (a guard, not a wait)

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

describe('Informer on an idle watch', () => {
  it('asks for bookmarks and re-watches at once after a quiet session ends or its history expired', async () => {
    const emu = await startKubeEmulator({ port: 0, bookmarkIntervalMs: 20 });
    const ekc = new KubeConfig();
    ekc.loadFromString(emu.kubeconfigYaml);
    const c = new KubeClient(ekc);
    for (const crd of allCrds()) await c.create(CRDS, crd);
    const waiters: Array<{ type: string; resolve: () => void }> = [];
    const next = (type: string) => new Promise<void>((resolve) => waiters.push({ type, resolve }));
    let addedResolve: ((name: string) => void) | undefined;
    const inf = new Informer<ManagedObject>({
      client: c,
      type: CONTACTS,
      clock: systemClock,
      namespace: 'default',
      handlers: { add: (o) => addedResolve?.(o.metadata.name) },
      onWatchEvent: (type) => {
        for (const w of waiters.splice(0))
          if (w.type === type) w.resolve();
          else waiters.push(w);
      },
    });
    try {
      const firstBookmark = next('BOOKMARK');
      await inf.start();
      await firstBookmark;
      // The server ends quiet watches (its timeout, an apiserver restart): each resumes at once.
      for (let i = 0; i < 3; i++) {
        const again = next('BOOKMARK');
        emu.dropWatches();
        await again; // a bookmark arrives only on a new watch
      }
      // History compacted while the watch was away: 410, relist, and the new watch starts without a pause.
      await c.create(
        { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } },
      );
      emu.store.compact();
      const relisted = next('BOOKMARK');
      emu.dropWatches();
      await relisted;
      const added = new Promise<string>((resolve) => {
        addedResolve = resolve;
      });
      await c.create(CONTACTS, contact('after-idle'), 'default');
      expect(await added).toBe('after-idle');
      const stats = inf.watchStats();
      expect(stats.bookmarks).toBeGreaterThanOrEqual(5);
      expect(stats.sessions).toBeGreaterThanOrEqual(5);
      expect(stats.delaysAsked).toBeGreaterThanOrEqual(1); // the expired session ended without news, yet needs no wait
      expect(stats.delaysWaited).toBe(0);
    } finally {
      await inf.stop();
      await emu.stop();
    }
  });
});

describe('Informer watchdog', () => {
  it('restarts a silent watch in place: no error, no backoff, and events keep flowing', async () => {
    const connects: Array<() => void> = [];
    let sessions = 0;
    const errors: unknown[] = [];
    let addedResolve: ((name: string) => void) | undefined;
    const inf = new Informer<ManagedObject>({
      client,
      type: CONTACTS,
      clock: systemClock,
      namespace: 'default',
      watchdogMs: 100, // the shared emulator sends no bookmark for a minute: every watch looks silent
      handlers: { add: (o) => addedResolve?.(o.metadata.name) },
      onError: (e) => errors.push(e),
      onWatchEvent: (type) => {
        if (type !== 'CONNECT') return;
        sessions++;
        for (const c of connects.splice(0)) c();
      },
    });
    await inf.start();
    try {
      while (sessions < 4) await new Promise<void>((resolve) => connects.push(resolve));
      const added = new Promise<string>((resolve) => {
        addedResolve = resolve;
      });
      await client.create(CONTACTS, contact('after-watchdog'), 'default');
      expect(await added).toBe('after-watchdog');
      expect(errors).toEqual([]);
      expect(inf.watchStats().delaysWaited).toBe(0);
    } finally {
      await inf.stop();
    }
  });
});

describe('Informer cache', () => {
  it('keeps objects without managedFields or the last-applied annotation, from the list and from the watch', async () => {
    const withNoise = (name: string) => ({
      ...contact(name),
      metadata: {
        name,
        namespace: 'default',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"copy"}', keep: 'me' },
      },
    });
    await client.create(CONTACTS, withNoise('slim-listed'), 'default');
    const stored = await client.get<ManagedObject>(CONTACTS, 'slim-listed', 'default');
    expect((stored.metadata as { managedFields?: unknown }).managedFields).toBeDefined(); // the server has them; the cache drops them
    let watchedResolve: ((o: ManagedObject) => void) | undefined;
    const watched = new Promise<ManagedObject>((resolve) => {
      watchedResolve = resolve;
    });
    const inf = new Informer<ManagedObject>({
      client,
      type: CONTACTS,
      clock: systemClock,
      namespace: 'default',
      handlers: { add: (o) => o.metadata.name === 'slim-watched' && watchedResolve?.(o) },
    });
    await inf.start();
    try {
      await client.create(CONTACTS, withNoise('slim-watched'), 'default');
      await watched;
      for (const name of ['slim-listed', 'slim-watched']) {
        const o = inf.get(name, 'default');
        expect(o).toBeDefined();
        expect((o?.metadata as { managedFields?: unknown } | undefined)?.managedFields).toBeUndefined();
        expect(o?.metadata.annotations).toEqual({ keep: 'me' });
        expect(o?.spec).toMatchObject({ alias: name });
      }
    } finally {
      await inf.stop();
    }
  });

  it("keeps the answers to the controller's own writes just as slim, with the status it wrote", async () => {
    await client.create(
      CONTACTS,
      {
        ...contact('slim-written'),
        metadata: {
          name: 'slim-written',
          namespace: 'default',
          labels: { team: 'a' },
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"copy"}', keep: 'me' },
        },
      },
      'default',
    );
    const port = new KubeMetadataPort(client, new Map([['Contact', CONTACTS]]));
    const obj = await client.get<ManagedObject>(CONTACTS, 'slim-written', 'default');
    const status = {
      observedGeneration: 1,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Available',
          message: '',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    };
    const written = await port.patchStatus(obj, status);
    const annotated = await port.patchAnnotations(written, { 'incidentmanager.gitops.dev/last-write': 'x' });
    for (const o of [written, annotated]) {
      expect((o.metadata as { managedFields?: unknown }).managedFields).toBeUndefined();
      expect(o.metadata.labels).toEqual({ team: 'a' });
      expect(o.status).toMatchObject(status);
    }
    expect(annotated.metadata.annotations).toEqual({
      keep: 'me',
      'incidentmanager.gitops.dev/last-write': 'x',
    });
    // The server keeps what the cache leaves out.
    const stored = await client.get<ManagedObject>(CONTACTS, 'slim-written', 'default');
    expect(Object.keys(stored.metadata.annotations ?? {})).toContain(
      'kubectl.kubernetes.io/last-applied-configuration',
    );
  });
});

describe('Informer list', () => {
  it('lists in pages, following continue tokens, and syncs at the list resourceVersion', async () => {
    const pages = [
      { names: ['a', 'b'], next: 'page-2' },
      { names: ['c'], next: '' },
    ];
    const asked: string[] = [];
    let watchedFrom = '';
    const api = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.searchParams.get('watch') === 'true') {
        watchedFrom = url.searchParams.get('resourceVersion') ?? '';
        // An open, quiet watch: the headers go out now (the informer waits for them), no events.
        res.writeHead(200, { 'content-type': 'application/json' }).flushHeaders();
        return;
      }
      asked.push(`limit=${url.searchParams.get('limit')} continue=${url.searchParams.get('continue') ?? ''}`);
      const page = url.searchParams.get('continue') === 'page-2' ? pages[1] : pages[0];
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          metadata: { resourceVersion: '77', ...(page?.next ? { continue: page.next } : {}) },
          items: (page?.names ?? []).map((n) => ({
            ...contact(n),
            metadata: { name: n, namespace: 'default', resourceVersion: '5' },
          })),
        }),
      );
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const kc = new KubeConfig();
    kc.loadFromString(
      kubeconfigDoc(`http://127.0.0.1:${(api.address() as AddressInfo).port}`, { token: 't' }),
    );
    const inf = new Informer<ManagedObject>({
      client: new KubeClient(kc),
      type: CONTACTS,
      clock: systemClock,
      handlers: {},
    });
    try {
      await inf.start();
      expect(inf.list().map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
      expect(asked).toEqual(['limit=500 continue=', 'limit=500 continue=page-2']);
      expect(inf.hasSynced()).toBe(true);
      expect(watchedFrom).toBe('77');
    } finally {
      await inf.stop();
      api.closeAllConnections();
      await new Promise((r) => api.close(r));
    }
  });
});
