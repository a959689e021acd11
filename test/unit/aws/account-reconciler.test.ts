import { describe, expect, it } from 'vitest';
import { AccountReconciler } from '../../../src/aws/account-reconciler.ts';
import { AccountResolver, type StsPort } from '../../../src/aws/accounts.ts';
import { EventRecorder } from '../../../src/engine/events.ts';
import { FakeClock } from '../engine/fake-clock.ts';
import { MemoryEvents, MemoryKube } from '../engine/harness.ts';

function account() {
  return {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'AWSAccount',
    metadata: { name: 'prod', uid: 'u', generation: 1 },
    spec: {
      accountId: '111122223333',
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::111122223333:role/im',
      externalId: 'x1',
    },
  };
}

function setup(identity: { account: string; arn: string }) {
  const clock = new FakeClock();
  const kube = new MemoryKube();
  const sts: StsPort = {
    assumeRole: async () => ({
      accessKeyId: 'ASIAX',
      secretAccessKey: 's',
      expiration: new Date(clock.now() + 3_600_000),
    }),
    callerIdentity: async () => identity,
  };
  const sink = new MemoryEvents();
  kube.put(account() as never);
  const r = new AccountReconciler({
    lookup: kube.lookup,
    accounts: new AccountResolver({ sts, defaultRegion: 'eu-west-1', clock }),
    status: kube,
    users: () => [],
    events: new EventRecorder({ sink, clock }),
    clock,
  });
  return { r, kube, sink };
}

describe('AccountReconciler', () => {
  it('shows the verified caller identity and becomes Ready', async () => {
    const { r, kube } = setup({
      account: '111122223333',
      arn: 'arn:aws:sts::111122223333:assumed-role/im/s',
    });
    expect((await r.reconcile('AWSAccount//prod')).type).toBe('synced');
    const o = kube.objects.get('AWSAccount//prod')!;
    expect(o.status).toMatchObject({
      callerArn: 'arn:aws:sts::111122223333:assumed-role/im/s',
      observedGeneration: 1,
    });
    expect(o.status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True', reason: 'Available' });
  });

  it('a wrong account is AccessDenied with a message that names both accounts', async () => {
    const { r, kube, sink } = setup({ account: '999988887777', arn: 'arn:aws:iam::999988887777:user/ci' });
    const out = await r.reconcile('AWSAccount//prod');
    expect(out).toMatchObject({ type: 'failed', error: { errorClass: 'AccessDenied' } });
    const ready = kube.objects.get('AWSAccount//prod')!.status?.conditions?.[0];
    expect(ready).toMatchObject({ status: 'False', reason: 'AccessDenied' });
    expect(ready?.message).toContain('999988887777');
    expect(ready?.message).toContain('111122223333');
    expect(sink.reasons()).toEqual(['AccessDenied']);
  });
});
