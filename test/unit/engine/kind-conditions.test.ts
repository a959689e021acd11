import { describe, expect, it } from 'vitest';
import { Reason } from '../../../src/engine/conditions.ts';
import { deriveStatus } from '../../../src/engine/status.ts';
import { widget } from './harness.ts';

describe("a kind's own conditions", () => {
  it('come after Ready and Synced, keep their transition time, and go when the kind stops reporting them', () => {
    const obj = widget('w', { size: 1, color: 'r' });
    const ready = { type: 'Ready', status: 'True' as const, reason: Reason.Available, message: '' };
    const advice = (status: 'True' | 'False', message: string) => ({
      type: 'Advice',
      status,
      reason: Reason.Available,
      message,
    });
    obj.status = deriveStatus(obj, { ready, kind: [advice('False', 'first')] }, 'T1');
    expect(obj.status.conditions?.map((c) => c.type)).toEqual(['Ready', 'Advice']);
    obj.status = deriveStatus(obj, { kind: [advice('False', 'second')] }, 'T2');
    expect(obj.status.conditions?.find((c) => c.type === 'Advice')).toMatchObject({
      message: 'second',
      lastTransitionTime: 'T1',
    });
    // A change without the kind's conditions (an error path) leaves them alone; an empty set removes them.
    obj.status = deriveStatus(obj, { ready }, 'T3');
    expect(obj.status.conditions?.map((c) => c.type)).toEqual(['Ready', 'Advice']);
    obj.status = deriveStatus(obj, { kind: [] }, 'T4');
    expect(obj.status.conditions?.map((c) => c.type)).toEqual(['Ready']);
  });
});
