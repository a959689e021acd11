// The engine against the Kubernetes emulator over HTTP: informers, status subresource, finalizer
// and annotation patches, Events and the Lease, with a trivial AWS-side double for the Contact kind
// (the real Contact controller comes with issue 7). Waits are watch-driven.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientSet } from '../../../src/aws/accounts.ts';
import { allCrds } from '../../../src/crds/registry.ts';
import { type KubeEmulator, startKubeEmulator } from '../../../src/emulators/kube/index.ts';
import { systemClock } from '../../../src/engine/clock.ts';
import {
  ClassifiedError,
  type FieldDiff,
  type KindClient,
  type KindHandler,
  type ManagedObject,
} from '../../../src/engine/contract.ts';
import { Controller } from '../../../src/engine/controller.ts';
import { EventRecorder } from '../../../src/engine/events.ts';
import { identityTags } from '../../../src/engine/identity.ts';
import { KubeClient, KubeEventSink, KubeMetadataPort, type ResourceType } from '../../../src/engine/kube.ts';
import { kubeLeaseStore, LeaderElector } from '../../../src/engine/leader.ts';
import type { MetadataPort } from '../../../src/engine/managed.ts';
import { CREATE_PENDING_ANNOTATION, EXTERNAL_ARN_ANNOTATION, FINALIZER } from '../../../src/engine/names.ts';
import { ReferenceIndex } from '../../../src/engine/references.ts';
import { waitForObject } from '../../support/wait.ts';

const CONTACTS: ResourceType = {
  group: 'incidentmanager.gitops.dev',
  version: 'v1alpha1',
  plural: 'contacts',
  namespaced: true,
};
const CRDS: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  namespaced: false,
};

interface State {
  displayName: string;
}

/** Stands in for AWS: idempotent by token, counts calls. */
class FakeContacts {
  readonly items = new Map<string, State & { token: string; name: string; tags: Record<string, string> }>();
  readonly calls = { observe: 0, create: 0, update: 0, delete: 0 };
  /** Errors the next creates throw (AWS refusing a create). */
  refuseCreates: ClassifiedError[] = [];
  /** The labels each create saw on the object (which visit sent it). */
  createdWith: Array<Record<string, string>> = [];
  #createWaiters: Array<{ at: number; resolve: () => void }> = [];
  created(n: number): Promise<void> {
    if (this.calls.create >= n) return Promise.resolve();
    return new Promise((resolve) => this.#createWaiters.push({ at: n, resolve }));
  }
  /** Resolvers waiting for a number of further observe calls. */
  waiters: Array<{ at: number; resolve: () => void }> = [];
  observed(n: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ at: this.calls.observe + n, resolve }));
  }
  writes(): number {
    return this.calls.create + this.calls.update + this.calls.delete;
  }
  #n = 0;
  #looked(): void {
    this.calls.observe++;
    for (const w of this.waiters.filter((x) => x.at <= this.calls.observe)) w.resolve();
    this.waiters = this.waiters.filter((x) => x.at > this.calls.observe);
  }
  client(): KindClient<ManagedObject, State> {
    return {
      read: async (id) => {
        this.#looked();
        const item = this.items.get(id);
        return item && { identity: id, observed: { displayName: item.displayName }, phase: 'Active' };
      },
      findByName: async (mr) => {
        this.#looked();
        return [...this.items]
          .filter(([, v]) => v.name === mr.metadata.name)
          .map(([identity, v]) => ({ identity, tags: v.tags }));
      },
      create: async (mr, ctx) => {
        this.calls.create++;
        this.createdWith.push({ ...(mr.metadata.labels ?? {}) });
        for (const w of this.#createWaiters.filter((x) => x.at <= this.calls.create)) w.resolve();
        const refused = this.refuseCreates.shift();
        if (refused) throw refused;
        const token = ctx.idempotencyToken('CreateContact');
        const same = [...this.items].find(([, v]) => v.token === token);
        if (same) return { identity: same[0] };
        const arn = `arn:aws:ssm-contacts:eu-west-1:111122223333:contact/c${++this.#n}`;
        const tags = identityTags({ ...mr, metadata: { ...mr.metadata, uid: mr.metadata.uid ?? '' } });
        this.items.set(arn, { ...ctx.desired, token, name: mr.metadata.name, tags });
        return { identity: arn };
      },
      update: async (_mr, _o, _d, ctx) => {
        this.calls.update++;
        const item = this.items.get(ctx.identity!);
        if (!item) throw new ClassifiedError('NotFound', 'gone');
        item.displayName = ctx.desired.displayName;
      },
      delete: async (_mr, _o, ctx) => {
        this.calls.delete++;
        this.items.delete(ctx.identity!);
      },
    };
  }
}

function handler(aws: FakeContacts): KindHandler<ManagedObject, State> {
  return {
    kind: 'Contact',
    toDesired: (mr) => ({ displayName: String((mr.spec as { displayName?: string }).displayName ?? '') }),
    diff: (d, o): FieldDiff[] =>
      d.displayName === o.displayName
        ? []
        : [{ path: 'spec.displayName', desired: d.displayName, observed: o.displayName, updatable: true }],
    client: () => aws.client(),
  };
}

let kube: KubeEmulator;
let kc: KubeConfig;
let client: KubeClient;

beforeAll(async () => {
  kube = await startKubeEmulator({ port: 0 });
  kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfigYaml); // the emulator's own kubeconfig, as a user would
  client = new KubeClient(kc);
  for (const crd of allCrds()) await client.create(CRDS, crd);
}, 60_000); // emulator start and CRD install can take long on a loaded machine (a guard, not a wait)

afterAll(async () => {
  await kube?.stop();
});

/** Each scenario gets its own namespace, so a controller never sees another scenario's objects. */
async function namespace(name: string): Promise<string> {
  await client.create(
    { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    },
  );
  return name;
}

/** Resolves with the first Contact state (or deletion) that satisfies `pred`, seen through a watch. */
function waitFor(
  name: string,
  pred: (o: ManagedObject | undefined) => boolean,
  ns = 'default',
): Promise<ManagedObject | undefined> {
  return waitForObject<ManagedObject>({ kc, client, type: CONTACTS, name, namespace: ns, pred });
}

const ready = (o: ManagedObject | undefined) =>
  o?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

function startController(
  aws: FakeContacts,
  identity = 'test',
  opts: {
    resyncMs?: number;
    metadata?: MetadataPort;
    namespace?: string;
    /** Runs before each visit's first AWS call (after the finalizer). */
    beforeAws?: (mr: ManagedObject) => Promise<void>;
  } = {},
) {
  const metadata = opts.metadata ?? new KubeMetadataPort(client, new Map([['Contact', CONTACTS]]));
  // The test kind names another Contact through a label (the real kinds use …Ref spec fields).
  const base = handler(aws);
  const withRefs: KindHandler<ManagedObject, State> = {
    ...base,
    client: (clients, mr) => {
      const c = base.client(clients, mr);
      const first = opts.beforeAws?.(mr);
      return {
        ...c,
        read: async (id, m, ctx) => {
          await first;
          return c.read(id, m, ctx);
        },
        findByName: async (m, ctx) => {
          await first;
          return c.findByName(m, ctx);
        },
      };
    },
    references: (mr) => {
      const owner = mr.metadata.labels?.['test.imctl/owner'];
      return owner
        ? [{ path: 'metadata.labels[test.imctl/owner]', ref: { kind: 'Contact', name: owner } }]
        : [];
    },
  };
  return new Controller([{ kind: 'Contact', handler: withRefs, type: CONTACTS }], {
    client,
    clock: systemClock,
    kube: metadata,
    events: new EventRecorder({ sink: new KubeEventSink(client), clock: systemClock, instance: identity }),
    refs: new ReferenceIndex(),
    clientsFor: () => ({}) as ClientSet, // the double needs no AWS account
    pollMs: 50,
    namespaces: [opts.namespace ?? 'default'],
    ...(opts.resyncMs ? { resyncMs: opts.resyncMs, resyncJitter: 0 } : {}),
  });
}

function contact(
  name: string,
  displayName: string,
  extra: Record<string, unknown> = {},
  namespace = 'default',
) {
  return {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'Contact',
    metadata: { name, namespace },
    spec: { alias: name, type: 'Personal', displayName, ...extra },
  };
}

describe('engine against the Kubernetes emulator', () => {
  it('create → Ready; spec change → one update; delete removes AWS object and finalizer', async () => {
    const aws = new FakeContacts();
    const ctl = startController(aws);
    await ctl.start();
    const running = ctl.engine.run();
    try {
      await client.create(CONTACTS, contact('alice', 'Alice'), 'default');
      const o = await waitFor('alice', ready);
      expect(o?.metadata.finalizers).toContain(FINALIZER);
      expect(o?.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION]).toMatch(/^arn:aws:ssm-contacts:/);
      expect(o?.metadata.annotations?.[CREATE_PENDING_ANNOTATION]).toBeUndefined();
      expect(o?.status?.arn).toBe(o?.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION]);
      expect(aws.items.size).toBe(1);

      await client.mergePatch(CONTACTS, 'alice', { spec: { displayName: 'Alice B.' } }, 'default');
      await waitFor('alice', (x) => ready(x) && x?.status?.observedGeneration === 2);
      expect(aws.calls.update).toBe(1);
      expect([...aws.items.values()][0]?.displayName).toBe('Alice B.');
      const events = await client.list<{ reason: string; message: string; involvedObject: { name: string } }>(
        { group: '', version: 'v1', plural: 'events', namespaced: true },
        { namespace: 'default' },
      );
      expect(events.items.filter((e) => e.involvedObject.name === 'alice').map((e) => e.reason)).toEqual(
        expect.arrayContaining(['Created', 'Updated']),
      );

      await client.request('DELETE', KubeClient.objectPath(CONTACTS, 'alice', 'default'));
      await waitFor('alice', (x) => x === undefined);
      expect(aws.items.size).toBe(0);
    } finally {
      await ctl.stop();
      await running;
    }
  });

  it('a create AWS refuses is sent once: our own finalizer and mark coming back through the watch do not resend it', async () => {
    const aws = new FakeContacts();
    aws.refuseCreates.push(
      new ClassifiedError('InvalidSpec', 'role cannot be assumed', { rule: 'ValidationException' }),
    );
    const ns = await namespace('refused-create');
    const ctl = startController(aws, 'test', { namespace: ns });
    await ctl.start();
    const running = ctl.engine.run();
    try {
      await client.create(CONTACTS, contact('carol', 'Carol', {}, ns), ns);
      await waitFor(
        'carol',
        (o) => o?.status?.conditions?.some((c) => c.reason === 'InvalidSpec') ?? false,
        ns,
      );
      // Only a change by the user visits it again (InvalidSpec otherwise waits for the resync).
      await client.mergePatch(CONTACTS, 'carol', { metadata: { labels: { fixed: 'yes' } } }, ns);
      await aws.created(2);
      await waitFor('carol', ready, ns);
      expect(aws.createdWith).toEqual([{}, { fixed: 'yes' }]);
      expect(aws.items.size).toBe(1);
    } finally {
      await ctl.stop();
      await running;
    }
  });

  it('setting the external-arn annotation adopts that AWS object at once', async () => {
    const aws = new FakeContacts();
    const ns = await namespace('adopt-now');
    const arn = 'arn:aws:ssm-contacts:eu-west-1:111122223333:contact/made-elsewhere';
    // Not found by name (a look-up that lags), so the create runs and AWS refuses it as a conflict.
    aws.items.set(arn, { displayName: 'Dave', token: 'console', name: 'made-elsewhere', tags: {} });
    aws.refuseCreates.push(new ClassifiedError('InvalidSpec', 'alias taken', { rule: 'ConflictException' }));
    const ctl = startController(aws, 'test', { namespace: ns });
    await ctl.start();
    const running = ctl.engine.run();
    try {
      await client.create(CONTACTS, contact('dave', 'Dave', {}, ns), ns);
      await waitFor(
        'dave',
        (o) => o?.status?.conditions?.some((c) => c.reason === 'AlreadyExists') ?? false,
        ns,
      );
      await client.mergePatch(
        CONTACTS,
        'dave',
        { metadata: { annotations: { [EXTERNAL_ARN_ANNOTATION]: arn } } },
        ns,
      );
      const o = await waitFor('dave', ready, ns);
      expect(o?.status?.arn).toBe(arn);
      expect(aws.calls.create).toBe(1);
      expect(aws.items.size).toBe(1);
    } finally {
      await ctl.stop();
      await running;
    }
  });

  it('steady state costs one AWS read per resync and no write; drift is corrected with an Event naming the path', async () => {
    const aws = new FakeContacts();
    const ns = await namespace('steady');
    const ctl = startController(aws, 'steady', { resyncMs: 100, namespace: ns });
    await ctl.start();
    const running = ctl.engine.run();
    try {
      await client.create(CONTACTS, contact('bob', 'Bob', {}, ns), ns);
      const o = await waitFor('bob', ready, ns);
      const writes = aws.writes();
      const reads = aws.calls.observe;
      await aws.observed(3); // three resyncs
      expect(aws.writes()).toBe(writes);
      expect(aws.calls.observe - reads).toBeGreaterThanOrEqual(3);
      const again = await client.get<ManagedObject>(CONTACTS, 'bob', ns);
      expect(again.metadata.resourceVersion).toBe(o?.metadata.resourceVersion); // no Kubernetes write either

      const arn = o?.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION] as string;
      aws.items.get(arn)!.displayName = 'changed in the console';
      await aws.observed(2);
      await waitFor('bob', ready, ns);
      expect(aws.items.get(arn)?.displayName).toBe('Bob');
      const events = await client.list<{ reason: string; message: string; involvedObject: { name: string } }>(
        { group: '', version: 'v1', plural: 'events', namespaced: true },
        { namespace: ns },
      );
      const updated = events.items.find((e) => e.involvedObject.name === 'bob' && e.reason === 'Updated');
      expect(updated?.message).toContain('spec.displayName: "changed in the console" → "Bob"');
    } finally {
      await ctl.stop();
      await running;
    }
  });

  it('a controller killed after create and before the identity write leaves exactly one AWS object', async () => {
    const aws = new FakeContacts();
    const real = new KubeMetadataPort(client, new Map([['Contact', CONTACTS]]));
    // The first identity write "kills" the process: from then on this controller writes nothing
    // to Kubernetes any more (a dead process cannot adopt its own create later), and is stopped.
    let killed = false;
    let kill!: () => void;
    const died = new Promise<void>((resolve) => {
      kill = resolve;
    });
    const alive = <T>(write: () => Promise<T>): Promise<T> =>
      killed ? Promise.reject(new Error('killed')) : write();
    const dying: MetadataPort = {
      patchStatus: (o, st) => alive(() => real.patchStatus(o, st)),
      addFinalizer: (o, f) => alive(() => real.addFinalizer(o, f)),
      removeFinalizer: (o, f) => alive(() => real.removeFinalizer(o, f)),
      patchAnnotations: (obj, changes) => {
        if (typeof changes[EXTERNAL_ARN_ANNOTATION] === 'string' && !killed) {
          killed = true;
          kill();
        }
        return alive(() => real.patchAnnotations(obj, changes));
      },
    };
    const ns = await namespace('killed');
    const first = startController(aws, 'first', { metadata: dying, namespace: ns });
    await first.start();
    const r1 = first.engine.run();
    await client.create(CONTACTS, contact('carol', 'Carol', {}, ns), ns);
    await died;
    await first.stop();
    await r1;
    expect(aws.items.size).toBe(1);
    const left = await client.get<ManagedObject>(CONTACTS, 'carol', ns);
    expect(left.metadata.annotations?.[CREATE_PENDING_ANNOTATION]).toBeDefined();
    expect(left.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION]).toBeUndefined();

    const second = startController(aws, 'second', { namespace: ns });
    await second.start();
    const r2 = second.engine.run();
    try {
      const o = await waitFor('carol', ready, ns);
      expect(aws.items.size).toBe(1);
      expect(o?.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION]).toBe([...aws.items.keys()][0]);
    } finally {
      await second.stop();
      await r2;
    }
  });

  it('a write by someone else between our read and our patch is a Conflict, retried once the newer copy arrives', async () => {
    const aws = new FakeContacts();
    const ns = await namespace('conflict');
    let raced = false;
    const ctl = startController(aws, 'conflict', {
      namespace: ns,
      // Another writer touches only the status (no reconcile trigger) right before our first patch.
      beforeAws: async (mr) => {
        if (raced) return;
        raced = true;
        await client.mergePatch(
          CONTACTS,
          mr.metadata.name,
          { status: { arn: 'someone else' } },
          ns,
          'status',
        );
      },
    });
    await ctl.start();
    const running = ctl.engine.run();
    try {
      await client.create(CONTACTS, contact('erin', 'Erin', {}, ns), ns);
      const o = await waitFor('erin', ready, ns);
      expect(raced).toBe(true);
      expect(aws.items.size).toBe(1);
      expect(o?.status?.arn).toBe([...aws.items.keys()][0]);
      const events = await client.list<{ reason: string; involvedObject: { name: string } }>(
        { group: '', version: 'v1', plural: 'events', namespaced: true },
        { namespace: ns },
      );
      // A stale read is not the user's mistake: never InvalidSpec, never a warning.
      expect(events.items.map((e) => e.reason)).not.toContain('InvalidSpec');
      expect(events.items.map((e) => e.reason)).not.toContain('ReconcileError');
    } finally {
      await ctl.stop();
      await running;
    }
  });

  it('deletionPolicy Retain removes the object and leaves the AWS resource', async () => {
    const aws = new FakeContacts();
    const ns = await namespace('retain');
    const ctl = startController(aws, 'retain', { namespace: ns });
    await ctl.start();
    const running = ctl.engine.run();
    try {
      await client.create(CONTACTS, contact('dave', 'Dave', { deletionPolicy: 'Retain' }, ns), ns);
      await waitFor('dave', ready, ns);
      await client.request('DELETE', KubeClient.objectPath(CONTACTS, 'dave', ns));
      await waitFor('dave', (x) => x === undefined, ns);
      expect(aws.items.size).toBe(1);
      expect(aws.calls.delete).toBe(0);
    } finally {
      await ctl.stop();
      await running;
    }
  });

  it('deletion waits while another object references it, naming it, and proceeds once it is gone', async () => {
    const aws = new FakeContacts();
    const ns = await namespace('blocked');
    const ctl = startController(aws, 'blocked', { namespace: ns });
    await ctl.start();
    const running = ctl.engine.run();
    try {
      await client.create(CONTACTS, contact('owner', 'Owner', {}, ns), ns);
      await waitFor('owner', ready, ns);
      const child = contact('child', 'Child', {}, ns);
      (child.metadata as { labels?: Record<string, string> }).labels = { 'test.imctl/owner': 'owner' };
      await client.create(CONTACTS, child, ns);
      await waitFor('child', ready, ns);

      await client.request('DELETE', KubeClient.objectPath(CONTACTS, 'owner', ns));
      const blocked = await waitFor(
        'owner',
        (x) => x?.status?.conditions?.find((c) => c.type === 'Ready')?.reason === 'DeleteBlocked',
        ns,
      );
      expect(blocked?.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
        `Contact ${ns}/child`,
      );
      expect(aws.calls.delete).toBe(0);

      await client.request('DELETE', KubeClient.objectPath(CONTACTS, 'child', ns));
      await waitFor('owner', (x) => x === undefined, ns); // woken by the referrer's deletion
      expect(aws.items.size).toBe(0);
    } finally {
      await ctl.stop();
      await running;
    }
  });

  it('leader hand-over between two instances through a Lease', async () => {
    const log: string[] = [];
    const leading = new Map<string, () => void>();
    const leads = (id: string) => new Promise<void>((resolve) => leading.set(id, resolve));
    const mk = (id: string) =>
      new LeaderElector({
        store: kubeLeaseStore(client, 'default', 'engine-test'),
        identity: id,
        namespace: 'default',
        name: 'engine-test',
        clock: systemClock,
        retryPeriodMs: 100,
        onStartedLeading: () => {
          log.push(`${id} leads`);
          leading.get(id)?.();
        },
        onStoppedLeading: () => log.push(`${id} stopped`),
      });
    const a = mk('a');
    const aLeads = leads('a');
    a.start();
    await aLeads;
    const b = mk('b');
    const bLeads = leads('b');
    b.start();
    await a.stop(); // releases the Lease: b takes over at its next retry, not after expiry
    await bLeads;
    await b.stop();
    expect(log).toEqual(['a leads', 'b leads']);
  });
});
