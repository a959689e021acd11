// Deletion order against both emulators: an object that a referrer stops naming in the same apply
// that deletes the object is deleted in AWS only once the referrer's AWS object has that change.
// Here an on-call schedule drops a rotation (and names a rotation still to come, so its update
// cannot reach AWS yet) while the rotation is deleted: AWS must never lose a rotation that a
// schedule still holds (DeleteRotation silently removes it from every schedule).
import { GetContactCommand, GetRotationCommand } from '@aws-sdk/client-ssm-contacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import { module as rotationModule } from '../../../src/controllers/rotation/index.ts';
import { condition, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';

const NS = 'deletion-order';
const API = 'incidentmanager.gitops.dev/v1alpha1';

let op: Operator;
let alice: string;

const rotation = (name: string): KubeObject => ({
  apiVersion: API,
  kind: 'Rotation',
  metadata: { name, namespace: NS },
  spec: {
    name,
    contacts: [{ contactArn: alice }],
    timeZoneId: 'UTC',
    recurrence: { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: ['09:00'] },
  },
});

const schedule = (rotations: string[]): KubeObject => ({
  apiVersion: API,
  kind: 'Contact',
  metadata: { name: 'primary', namespace: NS },
  spec: {
    alias: 'primary-on-call',
    displayName: 'Primary on-call',
    type: 'OnCallSchedule',
    rotations: rotations.map((name) => ({ rotationRef: { name } })),
  },
});

beforeAll(async () => {
  op = await startOperator({ modules: [rotationModule, contactModule], namespace: NS, pollMs: 100 });
  await op.onboard();
  await op.apply({
    apiVersion: API,
    kind: 'Contact',
    metadata: { name: 'alice', namespace: NS },
    spec: { alias: 'alice', displayName: 'Alice', type: 'Personal' },
  });
  alice = (await op.ready('Contact', 'alice')).status.arn as string;
});

afterAll(async () => {
  await op?.stop();
});

describe('deleting an object a referrer stops naming', () => {
  it('waits until the referrer has the change in AWS, then deletes it', async () => {
    await op.apply(rotation('day'));
    await op.apply(rotation('night'));
    const day = (await op.ready('Rotation', 'day')).status.arn as string;
    const night = (await op.ready('Rotation', 'night')).status.arn as string;
    await op.apply(schedule(['day', 'night']));
    const arn = (await op.ready('Contact', 'primary')).status.arn as string;

    // One apply: the schedule drops "night" and names "late", which does not exist yet; "night" is deleted.
    const since = op.mark();
    await op.apply(schedule(['day', 'late']));
    await op.remove('Rotation', 'night');
    const blocked = await op.waitFor(
      'Rotation',
      'night',
      (o) => condition(o, 'Ready')?.reason === 'DeleteBlocked',
    );
    expect(condition(blocked, 'Ready')?.message).toContain(
      `Contact ${NS}/primary (in AWS until its change is Synced)`,
    );
    // AWS still has the rotation, and the schedule still holds it.
    await op.sdk.contacts.send(new GetRotationCommand({ RotationId: night }));
    const held = await op.sdk.contacts.send(new GetContactCommand({ ContactId: arn }));
    expect(held.Plan?.RotationIds).toEqual([day, night]);
    expect(op.writes(since).map((c) => c.operation)).not.toContain('DeleteRotation');

    // "late" appears: the schedule's update reaches AWS, and only then is "night" deleted.
    await op.apply(rotation('late'));
    await op.gone('Rotation', 'night');
    const late = (await op.get('Rotation', 'late'))?.status.arn as string;
    const now = await op.sdk.contacts.send(new GetContactCommand({ ContactId: arn }));
    expect(now.Plan?.RotationIds).toEqual([day, late]);
    const order = op
      .writes(since)
      .map((c) => c.operation)
      .filter((o) => o === 'UpdateContact' || o === 'DeleteRotation');
    expect(order.indexOf('UpdateContact')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('UpdateContact')).toBeLessThan(order.indexOf('DeleteRotation'));
  });
});
