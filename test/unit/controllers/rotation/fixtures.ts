// Builders for Rotation unit tests: a spec with every field, and what AWS returns for it.
import type { Rotation, RotationSpec } from '../../../../src/crds/rotation.ts';

export const ALICE = 'arn:aws:ssm-contacts:us-east-1:111111111111:contact/alice';
export const BOB = 'arn:aws:ssm-contacts:us-east-1:111111111111:contact/bob';
export const CARA = 'arn:aws:ssm-contacts:us-east-1:111111111111:contact/cara';
export const ROTATION_ARN = 'arn:aws:ssm-contacts:us-east-1:111111111111:rotation/Payments';
export const NOW = Date.parse('2027-03-01T12:00:00Z');

export function rotation(spec: Partial<RotationSpec> = {}): Rotation {
  return {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'Rotation',
    metadata: { name: 'payments', namespace: 'team', uid: 'uid-1', generation: 1 },
    spec: {
      name: 'Payments',
      contacts: [{ contactRef: { name: 'alice' } }, { contactArn: BOB }],
      startTime: '2027-03-01T09:00:00-08:00',
      timeZoneId: 'America/Los_Angeles',
      recurrence: {
        numberOfOnCalls: 1,
        recurrenceMultiplier: 2,
        weeklySettings: [
          { dayOfWeek: 'Thu', handOffTime: '09:00' },
          { dayOfWeek: 'Mon', handOffTime: '09:00' },
        ],
        shiftCoverages: [
          { dayOfWeek: 'Tue', windows: [{ start: '09:00', end: '17:00' }] },
          {
            dayOfWeek: 'Mon',
            windows: [
              { start: '13:00', end: '17:00' },
              { start: '09:00', end: '12:00' },
            ],
          },
        ],
      },
      overrides: [
        {
          startTime: '2027-03-10T09:00:00-08:00',
          endTime: '2027-03-10T17:00:00-08:00',
          newContacts: [{ contactArn: BOB }],
        },
      ],
      tags: { team: 'payments' },
      ...spec,
    },
  };
}

/** Refs as the engine resolves them for `rotation()`. */
export const REFS: ReadonlyMap<string, string> = new Map([['spec.contacts[0].contactRef', ALICE]]);

/** The Kubernetes identity `createInput` tags the rotation with. */
export const OWNER = { kind: 'Rotation', metadata: { name: 'payments', namespace: 'team', uid: 'uid-1' } };
