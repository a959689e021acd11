import { describe, expect, it } from 'vitest';
import { getCondition, isReady, Reason, setCondition } from '../../../src/engine/conditions.ts';

const T1 = '2026-01-01T00:00:00.000Z';
const T2 = '2026-01-01T00:05:00.000Z';

describe('setCondition', () => {
  it('stamps a new condition with the transition time and observedGeneration', () => {
    const c = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: Reason.Creating, message: 'm' },
      3,
      T1,
    );
    expect(c).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Creating',
        message: 'm',
        lastTransitionTime: T1,
        observedGeneration: 3,
      },
    ]);
  });

  it('keeps lastTransitionTime when only the reason or message changes', () => {
    const a = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: Reason.Creating, message: 'a' },
      1,
      T1,
    );
    const b = setCondition(
      a,
      { type: 'Ready', status: 'False', reason: Reason.ReferencesNotReady, message: 'b' },
      2,
      T2,
    );
    expect(getCondition(b, 'Ready')).toMatchObject({
      reason: 'ReferencesNotReady',
      lastTransitionTime: T1,
      observedGeneration: 2,
    });
  });

  it('moves lastTransitionTime when the status flips', () => {
    const a = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: Reason.Creating, message: '' },
      1,
      T1,
    );
    const b = setCondition(
      a,
      { type: 'Ready', status: 'True', reason: Reason.Available, message: '' },
      1,
      T2,
    );
    expect(getCondition(b, 'Ready')?.lastTransitionTime).toBe(T2);
    expect(isReady({ status: { conditions: b } })).toBe(true);
  });

  it('keeps Ready before Synced whatever order they were set in', () => {
    const a = setCondition(
      undefined,
      { type: 'Synced', status: 'True', reason: Reason.ReconcileSuccess, message: '' },
      1,
      T1,
    );
    const b = setCondition(
      a,
      { type: 'Ready', status: 'True', reason: Reason.Available, message: '' },
      1,
      T1,
    );
    expect(b.map((c) => c.type)).toEqual(['Ready', 'Synced']);
    expect(a).toHaveLength(1); // input not mutated
  });
});
