// The engine's AWS edge against the AWS emulator over HTTP with the real SDK v3: accounts
// (AssumeRole with external id, caller identity, AWS_ENDPOINT_URL), error classification of real
// SDK errors, and a throttling storm that converges with no error condition left. The Kubernetes
// side is the engine's in-memory store (the kube-emulator scenarios live in test/kube/engine).
import { ListContactsCommand, SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  GetReplicationSetCommand,
  SSMIncidentsClient,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactEngine, contactHandler, onboard, putContact } from '../../../bench/engine.bench.ts';
import { AccountResolver, sdkSts } from '../../../src/aws/accounts.ts';
import { AwsGate } from '../../../src/aws/gate.ts';
import { type RunningEmulator, startAwsEmulator } from '../../../src/emulators/aws/server.ts';
import { systemClock } from '../../../src/engine/clock.ts';
import { EventRecorder } from '../../../src/engine/events.ts';
import { MemoryEvents, MemoryKube, replicationSetTurningReady } from '../../unit/engine/harness.ts';

let emu: RunningEmulator;
const saved = { ...process.env };

beforeAll(async () => {
  emu = await startAwsEmulator({ port: 0, transitionMs: 0 });
  // The standard AWS environment is all the controller needs to reach the emulator.
  process.env.AWS_ENDPOINT_URL = emu.url;
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'us-east-1';
  await onboard(undefined); // through AWS_ENDPOINT_URL
});

afterAll(async () => {
  process.env = saved;
  await emu?.stop();
});

describe('accounts against the emulator', () => {
  it('uses the default chain, and AssumeRole with the external id, verifying the caller', async () => {
    const gate = new AwsGate();
    const accounts = new AccountResolver({ sts: sdkSts(gate), defaultRegion: 'us-east-1' });
    emu.admin.store.iamRoles.set('111111111111:incident-manager', { externalId: 'ext-42' });
    const id = await accounts.verify('prod', {
      accountId: '111111111111',
      region: 'us-east-1',
      roleArn: 'arn:aws:iam::111111111111:role/incident-manager',
      externalId: 'ext-42',
    });
    expect(id.arn).toBe('arn:aws:sts::111111111111:assumed-role/incident-manager/incident-manager-operator');
    await expect(
      accounts.verify('wrong', {
        accountId: '111111111111',
        region: 'us-east-1',
        roleArn: 'arn:aws:iam::111111111111:role/incident-manager',
        externalId: 'not-it',
      }),
    ).rejects.toMatchObject({ errorClass: 'AccessDenied' });
    await expect(
      accounts.verify('self', { accountId: '999999999999', region: 'us-east-1' }),
    ).rejects.toMatchObject({
      errorClass: 'AccessDenied',
      message: expect.stringContaining('belong to account 111111111111'),
    });
  });
});

describe('engine against the AWS emulator', () => {
  it('a throttling storm converges: every object Ready, no error condition left, one AWS object each', async () => {
    // More callers than the bucket holds, so calls are refused; a short pause keeps the test fast
    // (the storm's length is set by the emulator's real-time token bucket, not by the engine).
    emu.admin.setFaults({ 'ssm-contacts:*': { tps: 40, burst: 3 } });
    const client = new SSMContactsClient({ maxAttempts: 1 });
    const gate = new AwsGate({
      limits: { 'ssm-contacts': { concurrency: 8, intervalCap: 1000, intervalMs: 1000 } },
      throttlePauseMs: 50,
    });
    const kube = new MemoryKube();
    const engine = contactEngine(contactHandler(client, gate), kube, {
      pollMs: 10,
      workers: 8,
      throttledThreshold: 2,
      queue: { baseDelayMs: 20, maxDelayMs: 500 },
    });
    const n = 20;
    const keys: string[] = [];
    for (let i = 0; i < n; i++) keys.push(putContact(kube, engine, `storm-${i}`));
    const cond = (k: string, type: string) =>
      kube.lookup(k)?.status?.conditions?.find((c) => c.type === type);
    const running = engine.run();
    const converged = () =>
      keys.every((k) => cond(k, 'Ready')?.status === 'True' && cond(k, 'Synced')?.status === 'True');
    await kube.until(converged); // checked on every status write
    await engine.shutdown();
    await running;
    emu.admin.setFaults({});
    const counters = emu.admin.counters();
    const throttled = Object.values(counters).reduce((s, c) => s + (c.errors.ThrottlingException ?? 0), 0);
    expect(throttled).toBeGreaterThan(0); // the storm really happened
    expect(counters['ssm-contacts:CreateContact']?.calls ?? 0).toBeGreaterThanOrEqual(n);
    const list = await client.send(new ListContactsCommand({ AliasPrefix: 'storm-' }));
    expect(list.Contacts).toHaveLength(n);
    for (const k of keys) expect(cond(k, 'Synced')?.reason).toBe('ReconcileSuccess');
  });

  it('a Contact in an account that is not onboarded waits (ReplicationSetNotReady), and proceeds once a ReplicationSet is Ready', async () => {
    // Account 222222222222 has no replication set: ssm-contacts refuses every create there.
    const credentials = { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'test' };
    const client = new SSMContactsClient({ credentials, maxAttempts: 1 });
    const kube = new MemoryKube();
    const events = new MemoryEvents();
    const engine = contactEngine(contactHandler(client, new AwsGate()), kube, {
      pollMs: 10,
      events: new EventRecorder({ sink: events, clock: systemClock }),
    });
    const key = putContact(kube, engine, 'early', 'early-bird');
    const ready = () => kube.lookup(key)?.status?.conditions?.find((c) => c.type === 'Ready');
    const running = engine.run();
    try {
      await kube.until(() => ready()?.reason === 'ReplicationSetNotReady');
      expect(ready()?.message).toMatch(/replication set/i);
      expect(events.reasons()).not.toContain('InvalidSpec');

      const incidents = new SSMIncidentsClient({ credentials });
      const { arn } = await incidents.send(new CreateReplicationSetCommand({ regions: { 'us-east-1': {} } }));
      while (
        (await incidents.send(new GetReplicationSetCommand({ arn }))).replicationSet?.status !== 'ACTIVE'
      );
      // The ReplicationSet object turning Ready (as its controller reports) wakes the waiting Contact.
      const [rs, rsReady] = replicationSetTurningReady(arn as string);
      engine.onUpsert(rsReady, rs);
      await kube.until(() => ready()?.status === 'True');
      const list = await client.send(new ListContactsCommand({ AliasPrefix: 'early-bird' }));
      expect(list.Contacts).toHaveLength(1);
    } finally {
      await engine.shutdown();
      await running;
    }
  });

  it('steady state, by the emulator call counters: one read per object per resync and no write', async () => {
    const client = new SSMContactsClient({ maxAttempts: 1 });
    const kube = new MemoryKube();
    const handler = contactHandler(client, new AwsGate());
    // Resolves after the given number of further reads (each resync is one).
    let observes = 0;
    const waiters: Array<{ at: number; resolve: () => void }> = [];
    const kindClient = handler.client;
    handler.client = (clients, mr) => {
      const ext = kindClient(clients, mr);
      return {
        ...ext,
        read: async (id, m, ctx) => {
          const r = await ext.read(id, m, ctx);
          observes++;
          for (const w of waiters.filter((x) => x.at <= observes)) w.resolve();
          return r;
        },
      };
    };
    const visits = (n: number) => new Promise<void>((resolve) => waiters.push({ at: observes + n, resolve }));
    const engine = contactEngine(handler, kube, {
      pollMs: 10,
      resyncMs: 20,
      resyncJitter: 0,
      workers: 1, // visits one at a time, so the counters are read between two visits
    });
    const keys = ['steady-a', 'steady-b'].map((name) => putContact(kube, engine, name));
    const running = engine.run();
    try {
      await kube.until(() =>
        keys.every(
          (k) => kube.lookup(k)?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
        ),
      );
      await visits(2); // past any confirmation poll
      const count = () => {
        const c = emu.admin.counters();
        const n = (op: string) => c[`ssm-contacts:${op}`]?.calls ?? 0;
        return {
          reads: n('GetContact') + n('ListContacts'),
          writes: n('CreateContact') + n('UpdateContact') + n('DeleteContact'),
        };
      };
      const before = count();
      const statusWrites = kube.writes.status;
      const seen = observes;
      await visits(10); // ten more resync visits across the two objects
      const now = count();
      expect(now.writes).toBe(before.writes);
      expect(now.reads - before.reads).toBe(observes - seen); // exactly one AWS read per visit
      expect(kube.writes.status).toBe(statusWrites);
    } finally {
      await engine.shutdown();
      await running;
    }
  });
});
