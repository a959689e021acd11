// A kind waiting on something that is not a reference (ReplicationSet: the 24-hour rule, objects
// that must go before a Delete) names the waiting reason and when to look again; an immutable
// field may name its own way out.
import { describe, expect, it } from 'vitest';
import { getCondition } from '../../../src/engine/conditions.ts';
import { ClassifiedError } from '../../../src/engine/contract.ts';
import { key, setup, widget } from './harness.ts';

const ready = (h: ReturnType<typeof setup>) =>
  getCondition(h.kube.get('Widget', 'w1')?.status?.conditions, 'Ready');

async function drifted(h: ReturnType<typeof setup>) {
  h.kube.put(widget('w1', { size: 2, color: 'red' }));
  await h.reconciler.reconcile(key('w1'));
  await h.reconciler.reconcile(key('w1'));
  h.kube.editSpec('Widget', 'w1', { size: 3 });
}

describe('waiting reasons', () => {
  it('shows the rule as the Ready reason and comes back when the kind says', async () => {
    const h = setup();
    await drifted(h);
    h.aws.faults.push(
      new ClassifiedError('DependencyNotReady', 'Region x can be removed at T', {
        rule: 'RegionRemovalNotYetAllowed',
        retryAfterMs: 60_000,
      }),
    );
    const out = await h.reconciler.reconcile(key('w1'));
    expect(out).toEqual({
      type: 'waiting',
      reason: 'RegionRemovalNotYetAllowed',
      on: [],
      fallbackMs: 60_000,
    });
    expect(ready(h)).toMatchObject({
      status: 'False',
      reason: 'RegionRemovalNotYetAllowed',
      message: 'Region x can be removed at T',
    });
  });

  it('looks again at the resync at the latest, however far the kind’s time is', async () => {
    const h = setup();
    await drifted(h);
    h.aws.faults.push(
      new ClassifiedError('DependencyNotReady', 'later', { rule: 'DeleteBlocked', retryAfterMs: 86_400_000 }),
    );
    const out = await h.reconciler.reconcile(key('w1'));
    expect(out).toMatchObject({ type: 'waiting', reason: 'DeleteBlocked', fallbackMs: 600_000 });
  });

  it('falls back to ReferencesNotReady for any other rule', async () => {
    const h = setup();
    await drifted(h);
    h.aws.faults.push(new ClassifiedError('DependencyNotReady', 'x', { rule: 'SomethingElse' }));
    await h.reconciler.reconcile(key('w1'));
    expect(ready(h)?.reason).toBe('ReferencesNotReady');
  });
});
