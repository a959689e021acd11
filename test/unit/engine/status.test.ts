import { describe, expect, it } from 'vitest';
import { Reason } from '../../../src/engine/conditions.ts';
import { deriveStatus, mergePatch, StatusWriter, statusEqual } from '../../../src/engine/status.ts';
import { widget } from './harness.ts';

describe('status', () => {
  it('a resync that only moves lastSyncTime writes nothing', async () => {
    const patches: unknown[] = [];
    const w = new StatusWriter({ patchStatus: async (_o, p) => void patches.push(p) });
    const obj = widget('w', { size: 1, color: 'r' });
    const ok = { type: 'Ready' as const, status: 'True' as const, reason: Reason.Available, message: '' };
    expect(await w.write(obj, deriveStatus(obj, { ready: ok, arn: 'arn:1', syncedNow: true }, 'T1'))).toBe(
      true,
    );
    expect(await w.write(obj, deriveStatus(obj, { ready: ok, arn: 'arn:1', syncedNow: true }, 'T2'))).toBe(
      false,
    );
    expect(patches).toHaveLength(1);
    expect(obj.status?.conditions?.[0]?.lastTransitionTime).toBe('T1');
  });

  it('writes a merge patch with only what changed, null for removed keys', () => {
    expect(mergePatch({ a: 1, b: { x: 1 }, c: 3 }, { a: 1, b: { x: 2 } })).toEqual({ b: { x: 2 }, c: null });
    // The server merges nested objects: a key gone from one is sent as null, not left behind.
    expect(mergePatch({ s: { accepted: [1], pending: [2] } }, { s: { accepted: [1, 3] } })).toEqual({
      s: { accepted: [1, 3], pending: null },
    });
    expect(statusEqual({ arn: 'a', lastSyncTime: '1' }, { lastSyncTime: '2', arn: 'a' })).toBe(true);
    expect(statusEqual({ arn: 'a' }, { arn: 'b' })).toBe(false);
  });

  it('a field the kind no longer reports is removed (null in the patch), the engine’s own fields stay', async () => {
    const patches: Record<string, unknown>[] = [];
    const w = new StatusWriter({ patchStatus: async (_o, p) => void patches.push(p) });
    const obj = widget('w', { size: 1, color: 'r' });
    const hand = { onCallNow: ['a'], nextHandOffTime: '2026-01-02T00:00:00Z' };
    await w.write(obj, deriveStatus(obj, { arn: 'arn:1', observed: hand, syncedNow: true }, 'T1'));
    await w.write(obj, deriveStatus(obj, { observed: { onCallNow: [], nextHandOffTime: undefined } }, 'T2'));
    expect(patches[1]).toEqual({ onCallNow: [], nextHandOffTime: null });
    expect(obj.status).toEqual({ arn: 'arn:1', observedGeneration: 1, lastSyncTime: 'T1', onCallNow: [] });
    // A change without observed fields (e.g. waiting) leaves the kind's fields alone.
    await w.write(obj, deriveStatus(obj, { arn: null }, 'T3'));
    expect(patches[2]).toEqual({ arn: null });
  });

  it('stamps observedGeneration from the object', () => {
    const obj = widget('w', { size: 1, color: 'r' });
    obj.metadata.generation = 7;
    expect(deriveStatus(obj, {}, 'T').observedGeneration).toBe(7);
  });
});
