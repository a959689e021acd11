import { describe, expect, it } from 'vitest';
import { nextVisitMs } from '../../../../src/controllers/rotation/handler.ts';
import type { RotationState } from '../../../../src/controllers/rotation/mapping.ts';

const at = (nextHandOff?: string) =>
  ({
    live: { onCallNow: [], upcoming: [], ...(nextHandOff ? { nextHandOff } : {}) },
  }) as unknown as RotationState;

describe('Rotation next visit', () => {
  it('comes back one second after the next hand-off, so onCallNow follows the shift', () => {
    const now = Date.parse('2027-03-01T10:00:00Z');
    expect(nextVisitMs(at('2027-03-01T10:02:00Z'), now)).toBe(121_000);
    expect(nextVisitMs(at('2027-03-01T09:00:00Z'), now)).toBe(1_000); // already past: soon
    expect(nextVisitMs(at(), now)).toBeUndefined(); // no hand-off known: the resync
  });
});
