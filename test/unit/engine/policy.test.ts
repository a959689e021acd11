// The engine decides the management and deletion policies (src/engine/policy.ts); a kind only
// declares its default deletion policy and is told, per pass, whether it may write (Ctx.writes).
import { describe, expect, it } from 'vitest';
import type { KindHandler } from '../../../src/engine/contract.ts';
import { ManagedReconciler } from '../../../src/engine/managed.ts';
import { deletionPolicyOf, writesAws } from '../../../src/engine/policy.ts';
import {
  EXTERNAL_ARN_ANNOTATION,
  key,
  setup,
  type Widget,
  type WidgetState,
  widget,
  widgetHandler,
} from './harness.ts';

type Handler = KindHandler<Widget, WidgetState>;

/** The Widget kind with `extra` declarations, noting the `writes` each read and toDesired was given. */
function recording(h: ReturnType<typeof setup>, extra: Partial<Handler> = {}) {
  const seen = { read: [] as boolean[], toDesired: [] as boolean[] };
  const base = widgetHandler(h.aws);
  const handler: Handler = {
    ...base,
    ...extra,
    toDesired: (mr, refs, writes) => {
      seen.toDesired.push(writes);
      return base.toDesired(mr, refs, writes);
    },
    client: (clients, mr) => {
      const c = base.client(clients, mr);
      return {
        ...c,
        read: (identity, obj, ctx) => {
          seen.read.push(ctx.writes);
          return c.read(identity, obj, ctx);
        },
      };
    },
  };
  return { seen, reconciler: new ManagedReconciler(handler, h.deps) };
}

async function converge(r: ManagedReconciler<Widget, WidgetState>, name: string) {
  for (let i = 0; i < 3; i++) if ((await r.reconcile(key(name))).type !== 'progressing') return;
}

describe('policy helpers', () => {
  const deleting = (extra: Parameters<typeof widget>[2]) => {
    const w = widget('w', { size: 1, color: 'red' }, extra);
    w.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    return w;
  };

  it('the spec policy wins, else the kind default, else Delete', () => {
    const w = widget('w', { size: 1, color: 'red' });
    expect(deletionPolicyOf({}, w)).toBe('Delete');
    expect(deletionPolicyOf({ defaultDeletionPolicy: 'Retain' }, w)).toBe('Retain');
    expect(
      deletionPolicyOf(
        { defaultDeletionPolicy: 'Retain' },
        { ...w, spec: { ...w.spec, deletionPolicy: 'Delete' } },
      ),
    ).toBe('Delete');
  });

  it('writes only when managing, and not in a deletion that leaves AWS alone', () => {
    expect(writesAws({}, widget('w', { size: 1, color: 'red' }))).toBe(true);
    expect(writesAws({}, widget('w', { size: 1, color: 'red' }, { managementPolicy: 'Observe' }))).toBe(
      false,
    );
    expect(writesAws({}, deleting({}))).toBe(true);
    expect(writesAws({}, deleting({ deletionPolicy: 'Retain' }))).toBe(false);
    expect(writesAws({ defaultDeletionPolicy: 'Retain' }, deleting({}))).toBe(false);
    expect(writesAws({ defaultDeletionPolicy: 'Retain' }, deleting({ deletionPolicy: 'Delete' }))).toBe(true);
  });
});

describe('the engine applies the policies for the kind', () => {
  it('a kind whose default is Retain, deleted without spec.deletionPolicy, leaves AWS alone', async () => {
    const h = setup();
    const { seen, reconciler } = recording(h, { defaultDeletionPolicy: 'Retain' });
    h.kube.put(widget('w1', { size: 2, color: 'red' }));
    await converge(reconciler, 'w1');
    expect(h.aws.items.size).toBe(1);
    const reads = seen.read.length;
    h.kube.markDeleted('Widget', 'w1');
    expect((await reconciler.reconcile(key('w1'))).type).toBe('done');
    expect(h.aws.items.size).toBe(1);
    expect(h.aws.calls.delete).toBe(0);
    expect(seen.read.length).toBe(reads); // not even read: nothing to judge
    expect(h.kube.get('Widget', 'w1')).toBeUndefined();
    expect(h.sink.events.find((e) => e.reason === 'Retained')?.message).toContain('deletionPolicy Retain');
  });

  it('the same kind deletes in AWS when the spec says Delete, and its pass may write', async () => {
    const h = setup();
    const { seen, reconciler } = recording(h, { defaultDeletionPolicy: 'Retain' });
    h.kube.put(widget('w1', { size: 2, color: 'red' }, { deletionPolicy: 'Delete' }));
    await converge(reconciler, 'w1');
    h.kube.markDeleted('Widget', 'w1');
    seen.read.length = 0;
    await converge(reconciler, 'w1');
    expect(h.aws.calls.delete).toBe(1);
    expect(h.aws.items.size).toBe(0);
    expect(seen.read).toContain(true);
    expect(seen.read).not.toContain(false);
  });

  it('an Observe pass is told writes=false, a Manage pass writes=true', async () => {
    const h = setup();
    const { seen, reconciler } = recording(h);
    h.kube.put(widget('w0', { size: 3, color: 'blue' }));
    await converge(reconciler, 'w0');
    expect(seen.read.length).toBeGreaterThan(0);
    expect([...seen.read, ...seen.toDesired].every((w) => w)).toBe(true);
    seen.read.length = 0;
    seen.toDesired.length = 0;
    const w = widget('w1', { size: 3, color: 'blue' }, { managementPolicy: 'Observe' });
    w.metadata.annotations = { [EXTERNAL_ARN_ANNOTATION]: [...h.aws.items.keys()][0]! };
    h.kube.put(w);
    await converge(reconciler, 'w1');
    expect(seen.read.length).toBeGreaterThan(0);
    expect([...seen.read, ...seen.toDesired].every((w) => !w)).toBe(true);
  });
});
