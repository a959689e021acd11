import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { isReady } from '../../../src/engine/conditions.ts';
import { ClassifiedError, type ManagedObject } from '../../../src/engine/contract.ts';
import { Engine } from '../../../src/engine/controller.ts';
import { FINALIZER } from '../../../src/engine/names.ts';
import { desiredStateChanged, referenceStateChanged } from '../../../src/engine/predicates.ts';
import { EXTERNAL_ARN_ANNOTATION, key, setup, widget, widgetHandler } from './harness.ts';

const widgetType = {
  group: 'test.incidentmanager.gitops.dev',
  version: 'v1alpha1',
  plural: 'widgets',
  namespaced: true,
};

function engine(h: ReturnType<typeof setup>, registry?: Registry) {
  const { lookup: _l, ...deps } = h.deps;
  return new Engine(
    [{ kind: 'Widget', handler: widgetHandler(h.aws), type: widgetType }],
    { get: h.kube.lookup },
    {
      ...deps,
      ...(registry ? { registry } : {}),
    },
  );
}

const snapshot = (o: ManagedObject | undefined) => structuredClone(o)!;

describe('predicates', () => {
  it('enqueue on spec, label, finalizer and deletion changes but not on status or our own metadata writes', () => {
    const a = widget('w', { size: 1, color: 'r' });
    const status = { ...structuredClone(a), status: { arn: 'x' } };
    expect(desiredStateChanged(a, status)).toBe(false);
    const arn = structuredClone(a);
    arn.metadata.annotations = { [EXTERNAL_ARN_ANNOTATION]: 'arn:x' };
    // The identity annotation: ours (written by this controller) is bookkeeping, a user's is adoption.
    expect(desiredStateChanged(a, arn, 'arn:x')).toBe(false);
    expect(desiredStateChanged(a, arn)).toBe(true);
    expect(desiredStateChanged(a, arn, 'arn:other')).toBe(true);
    // Our finalizer going on is our own write; another finalizer, or ours taken off, is not.
    const fin = structuredClone(a);
    fin.metadata.finalizers = [FINALIZER];
    expect(desiredStateChanged(a, fin)).toBe(false);
    expect(desiredStateChanged(fin, a)).toBe(true);
    expect(desiredStateChanged(a, { ...fin, metadata: { ...fin.metadata, finalizers: ['x'] } })).toBe(true);
    const gen = structuredClone(a);
    gen.metadata.generation = 2;
    expect(desiredStateChanged(a, gen)).toBe(true);
    const label = structuredClone(a);
    label.metadata.labels = { team: 'sre' };
    expect(desiredStateChanged(a, label)).toBe(true);
    const del = structuredClone(a);
    del.metadata.deletionTimestamp = 'now';
    expect(desiredStateChanged(a, del)).toBe(true);
    expect(desiredStateChanged(undefined, a)).toBe(true);
  });

  it('wake referrers when an AWSAccount becomes usable, stops being usable, or verifies as another caller', () => {
    const acct = (status: string, callerArn?: string) =>
      ({
        apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
        kind: 'AWSAccount',
        metadata: { name: 'prod', generation: 1 },
        spec: {},
        status: {
          ...(callerArn ? { callerArn } : {}),
          conditions: [{ type: 'Ready', status, reason: 'x', message: '', lastTransitionTime: 't' }],
        },
      }) as unknown as ManagedObject;
    const role = 'arn:aws:sts::111122223333:assumed-role/a/s';
    expect(referenceStateChanged(acct('False'), acct('True', role))).toBe(true);
    expect(referenceStateChanged(acct('True', role), acct('True', role))).toBe(false);
    expect(referenceStateChanged(acct('True', role), acct('True', `${role}-other`))).toBe(true);
    expect(referenceStateChanged(acct('True', role), acct('False', role))).toBe(true);
  });

  it('wake referrers in other accounts when a share gains or loses a principal, or an AWSAccount accepts a resource', () => {
    const ready = [
      { type: 'Ready', status: 'True', reason: 'Available', message: '', lastTransitionTime: 't' },
    ];
    const ep = (principals: { principal: string; status: string }[]) =>
      ({
        apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
        kind: 'EscalationPlan',
        metadata: { name: 'oncall', namespace: 'platform', generation: 1 },
        spec: {},
        status: { arn: 'arn:ep', conditions: ready, sharing: { resourceShareArn: 'arn:share', principals } },
      }) as unknown as ManagedObject;
    const invited = ep([{ principal: '333333333333', status: 'Associating' }]);
    expect(referenceStateChanged(invited, ep([{ principal: '333333333333', status: 'Associated' }]))).toBe(
      true,
    );
    expect(referenceStateChanged(invited, ep([]))).toBe(true);
    expect(referenceStateChanged(invited, structuredClone(invited))).toBe(false);
    const acct = (arns: string[]) =>
      ({
        apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
        kind: 'AWSAccount',
        metadata: { name: 'partner', generation: 1 },
        spec: {},
        status: {
          conditions: ready,
          resourceShares: {
            accepted: [{ arn: 'arn:share', owner: '1', resources: arns.map((arn) => ({ arn })) }],
          },
        },
      }) as unknown as ManagedObject;
    expect(referenceStateChanged(acct([]), acct(['arn:ep']))).toBe(true);
    expect(referenceStateChanged(acct(['arn:ep']), acct(['arn:ep']))).toBe(false);
  });
});

describe('Engine', () => {
  it('a referenced object turning Ready wakes the objects that wait for it', async () => {
    const h = setup();
    const e = engine(h);
    const child = h.kube.put(widget('child', { size: 1, color: 'r', ownerRef: { name: 'owner' } }));
    e.onUpsert(child, undefined);
    await e.process((await e.queue('Widget')!.get())!);
    e.queue('Widget')!.done(key('child'));
    expect(h.aws.items.size).toBe(0);

    const owner = h.kube.put(widget('owner', { size: 1, color: 'r' }));
    e.onUpsert(owner, undefined);
    const q = e.queue('Widget')!;
    const woken: string[] = [];
    // Process the owner until it is Ready, feeding each change back as a watch event would.
    for (let i = 0; i < 8 && !woken.includes(key('child')); i++) {
      if (q.len() === 0) h.clock.advance(5_000);
      const k = (await q.get())!;
      if (k === key('child')) {
        if (isReady(h.kube.get('Widget', 'owner')!)) {
          woken.push(k);
          break;
        }
        // Woken by the owner's appearance: "does not exist" becomes "not Ready".
        await e.process(k);
        q.done(k);
        expect(h.kube.get('Widget', 'child')!.status?.conditions?.[0]?.message).toMatch(/owner is not Ready/);
        continue;
      }
      const before = snapshot(h.kube.get('Widget', 'owner'));
      await e.process(k);
      q.done(k);
      e.onUpsert(snapshot(h.kube.get('Widget', 'owner')), before);
    }
    expect(h.kube.get('Widget', 'owner')!.status?.conditions?.[0]).toMatchObject({
      type: 'Ready',
      status: 'True',
    });
    expect(woken).toEqual([key('child')]); // woken by the owner's Ready transition, not by a timer
    expect(h.clock.now() - Date.UTC(2026, 0, 1)).toBeLessThan(600_000);
  });

  it('an object of the awaited kind turning Ready while a reconcile decides to wait still wakes it', async () => {
    const h = setup();
    const gate = (status: 'True' | 'False'): ManagedObject => ({
      apiVersion: 'test.incidentmanager.gitops.dev/v1alpha1',
      kind: 'Gate',
      metadata: { name: 'g', namespace: 'default', uid: 'uid-g', generation: 1 },
      spec: {},
      status: { conditions: [{ type: 'Ready', status, reason: 'R', message: '', lastTransitionTime: '' }] },
    });
    let gateReady = false;
    const { lookup: _l, ...deps } = h.deps;
    const e: Engine = new Engine(
      [
        {
          kind: 'Widget',
          type: widgetType,
          handler: {
            ...widgetHandler(h.aws),
            createWaitsFor: () => {
              if (gateReady) return undefined;
              // The gate's Ready arrives between this look and the reconcile's end (a watch event
              // handled while the wait's status is being written): the wake finds no waiter yet.
              gateReady = true;
              e.onUpsert(gate('True'), gate('False'));
              return new ClassifiedError('DependencyNotReady', 'waiting for a Gate', {
                dependencies: ['Gate/*'],
              });
            },
          },
        },
      ],
      { get: h.kube.lookup },
      deps,
    );
    const w = h.kube.put(widget('w', { size: 1, color: 'r' }));
    e.onUpsert(w, undefined);
    const q = e.queue('Widget')!;
    const k = (await q.get())!;
    await e.process(k);
    q.done(k);
    // Looked at again at once, not at the next resync ten minutes later.
    expect(q.len()).toBe(1);
    await e.process((await q.get())!);
    expect(h.aws.items.size).toBe(1);
  });

  it('status-only updates do not enqueue the object itself', () => {
    const h = setup();
    const e = engine(h);
    const w = h.kube.put(widget('w', { size: 1, color: 'r' }));
    e.onUpsert(w, undefined);
    expect(e.queue('Widget')!.len()).toBe(1);
    void e.queue('Widget')!.get();
    e.queue('Widget')!.done(key('w'));
    e.onUpsert({ ...w, status: { observedGeneration: 1 } }, w);
    expect(e.queue('Widget')!.len()).toBe(0);
  });

  it('after a restart, objects already Ready for their generation wait behind new and edited ones', async () => {
    const h = setup();
    const e = engine(h);
    const settled = (n: string): ManagedObject => {
      const w = h.kube.put(widget(n, { size: 1, color: 'r' }));
      const generation = w.metadata.generation ?? 1;
      return {
        ...w,
        metadata: { ...w.metadata, generation },
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'Available',
              message: '',
              lastTransitionTime: '2026-12-05T00:00:00Z',
              observedGeneration: generation,
            },
          ],
        },
      };
    };
    const old = settled('old');
    const behind = settled('behind');
    // Ready for an older generation: edited while no controller ran, so it is not a mere re-check.
    const stale = settled('stale');
    stale.metadata.generation = (stale.metadata.generation ?? 1) + 1;
    for (const o of [old, behind, stale]) e.onUpsert(o, undefined);
    e.onUpsert(h.kube.put(widget('fresh', { size: 1, color: 'r' })), undefined);
    const q = e.queue('Widget')!;
    expect(q.lenLow()).toBe(2);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await q.get())!);
    expect(order).toEqual([key('stale'), key('fresh'), key('old'), key('behind')]);
  });

  it('runs workers until shutdown, finishing in-flight work, and exports metrics', async () => {
    const h = setup();
    const registry = new Registry();
    const e = engine(h, registry);
    for (const n of ['a', 'b', 'c']) e.onUpsert(h.kube.put(widget(n, { size: 1, color: 'r' })), undefined);
    const running = e.run();
    while (h.aws.calls.create < 3) await new Promise((r) => setImmediate(r));
    await e.shutdown();
    await running;
    expect(h.aws.items.size).toBe(3);
    const text = await registry.metrics();
    expect(text).toContain('imctl_reconciles_total{kind="Widget",result="progressing"} 3');
    expect(text).toContain('imctl_queue_depth{kind="Widget"} 0');
  });

  it('a change to a watched Secret wakes the objects that name it (index-only reference)', () => {
    const h = setup();
    const { lookup: _l, ...deps } = h.deps;
    const base = widgetHandler(h.aws);
    const e = new Engine(
      [
        {
          kind: 'Widget',
          type: widgetType,
          handler: {
            ...base,
            references: () => [
              { path: 'spec.codeSecretRef', ref: { kind: 'Secret', name: 'codes' }, indexOnly: true },
            ],
          },
        },
        {
          kind: 'Secret',
          type: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
          watchOnly: true,
        },
      ],
      { get: h.kube.lookup },
      deps,
    );
    const w = h.kube.put(widget('w', { size: 1, color: 'r' }));
    e.onUpsert(w, undefined);
    const q = e.queue('Widget')!;
    void q.get();
    q.done(key('w'));
    expect(q.len()).toBe(0);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'codes', namespace: 'default', uid: 's', resourceVersion: '1' },
      spec: {},
    };
    e.onUpsert(secret, undefined);
    expect(q.len()).toBe(1);
    void q.get();
    q.done(key('w'));
    e.onUpsert({ ...secret, metadata: { ...secret.metadata, resourceVersion: '2' } }, secret);
    expect(q.len()).toBe(1);
    expect(e.queue('Secret')).toBeUndefined(); // never reconciled
  });
});
