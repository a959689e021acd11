// The engine's memory of references a referrer dropped while its AWS object may still hold them:
// a deletion waits until the referrer is Synced for the generation that dropped the reference.
import { describe, expect, it } from 'vitest';
import type { ManagedObject } from '../../../src/engine/contract.ts';
import { ReferenceIndex } from '../../../src/engine/references.ts';

const schedule = (generation: number, rotations: string[], synced?: number): ManagedObject =>
  ({
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'Contact',
    metadata: { name: 'primary', namespace: 'ns', generation },
    spec: { rotations },
    status:
      synced === undefined
        ? {}
        : {
            conditions: [
              {
                type: 'Synced',
                status: 'True',
                reason: 'ReconcileSuccess',
                message: '',
                lastTransitionTime: '2027-01-01T00:00:00Z',
                observedGeneration: synced,
              },
            ],
          },
  }) as unknown as ManagedObject;

const fields = (o: ManagedObject) =>
  ((o.spec as { rotations?: string[] }).rotations ?? []).map((name, i) => ({
    path: `spec.rotations[${i}]`,
    ref: { kind: 'Rotation', name },
  }));

describe('retiring references', () => {
  it('keeps a dropped target waiting until the referrer is Synced for the generation that dropped it', () => {
    const idx = new ReferenceIndex();
    const v1 = schedule(1, ['day', 'night'], 1);
    idx.indexObject(v1, fields(v1));
    const v2 = schedule(2, ['day'], 1);
    expect(idx.indexObject(v2, fields(v2))).toEqual(['Rotation/ns/night']);
    let current = v2;
    const lookup = () => current;
    expect(idx.referrersOf('Rotation/ns/night')).toEqual([]);
    expect(idx.retiring.waitingOn('Rotation/ns/night', lookup)).toEqual(['Contact/ns/primary']);
    expect(idx.retiring.confirmedBy(v2)).toEqual([]);
    current = schedule(2, ['day'], 2);
    expect(idx.retiring.confirmedBy(current)).toEqual(['Rotation/ns/night']);
    expect(idx.retiring.waitingOn('Rotation/ns/night', lookup)).toEqual([]);
  });

  it('forgets the wait when the referrer is gone or names the target again', () => {
    const idx = new ReferenceIndex();
    const v1 = schedule(1, ['night'], 1);
    idx.indexObject(v1, fields(v1));
    const v2 = schedule(2, [], 1);
    idx.indexObject(v2, fields(v2));
    expect(idx.retiring.waitingOn('Rotation/ns/night', () => undefined)).toEqual([]);

    idx.indexObject(v1, fields(v1));
    idx.indexObject(v2, fields(v2));
    const v3 = schedule(3, ['night'], 1);
    idx.indexObject(v3, fields(v3));
    expect(idx.retiring.waitingOn('Rotation/ns/night', () => v3)).toEqual([]);
    expect(idx.referrersOf('Rotation/ns/night')).toEqual(['Contact/ns/primary']);
  });
});
