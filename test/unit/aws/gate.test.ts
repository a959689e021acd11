import {
  AccessDeniedException,
  ConflictException,
  ListContactsCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  SSMContactsClient,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-ssm-contacts';
import { InternalServerException } from '@aws-sdk/client-ssm-incidents';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AwsGate, classify, retryAfterMs } from '../../../src/aws/gate.ts';
import { ClassifiedError } from '../../../src/engine/contract.ts';
import { FakeClock } from '../engine/fake-clock.ts';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('classify', () => {
  it('maps the services’ exceptions into the closed set', () => {
    const cases: Array<[unknown, string]> = [
      [
        new ResourceNotFoundException({
          message: 'no such contact',
          Message: 'no such contact',
          ResourceId: 'x',
          ResourceType: 'CONTACT',
          ...meta(400),
        }),
        'NotFound',
      ],
      [
        new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', ...meta(429) }),
        'Throttled',
      ],
      [
        new AccessDeniedException({ message: 'not authorized', Message: 'not authorized', ...meta(403) }),
        'AccessDenied',
      ],
      [
        new ValidationException({ message: 'Alias too long', Message: 'Alias too long', ...meta(400) }),
        'InvalidSpec',
      ],
      [new InternalServerException({ message: 'oops', ...meta(500) }), 'Transient'],
      [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'Transient'],
    ];
    for (const [err, cls] of cases) expect(classify(err, 'CreateContact').errorClass).toBe(cls);
  });

  it('honours RetryAfterSeconds and the Retry-After header', () => {
    const t = new ThrottlingException({
      message: 'slow down',
      Message: 'slow down',
      RetryAfterSeconds: 7,
      ...meta(429),
    });
    expect(classify(t, 'GetContact').retryAfterMs).toBe(7_000);
    expect(retryAfterMs({ $response: { headers: { 'retry-after': '3' } } })).toBe(3_000);
    expect(
      retryAfterMs({ $response: { headers: { 'retry-after': new Date(10_000).toUTCString() } } }, 4_000),
    ).toBe(6_000);
  });

  it('quota errors are terminal and name the quota code', () => {
    const e = classify(
      new ServiceQuotaExceededException({
        message: 'limit reached',
        Message: 'limit reached',
        QuotaCode: 'L-1234',
        ServiceCode: 'ssm-contacts',
        ResourceId: 'x',
        ResourceType: 'CONTACT',
        ...meta(402),
      }),
      'CreateContact',
    );
    expect(e).toMatchObject({ errorClass: 'InvalidSpec', rule: 'QuotaExceeded' });
    expect(e.message).toContain('L-1234');
  });

  it('a refusal for want of an ACTIVE replication set waits for one (never InvalidSpec, never an empty message)', () => {
    // Real ssm-contacts: an empty ValidationException right after onboarding (terraform-provider-aws #33135).
    const empty = classify(
      new ValidationException({ message: '', Message: '', ...meta(400) }),
      'CreateContact',
      'ssm-contacts',
    );
    expect(empty).toMatchObject({
      errorClass: 'DependencyNotReady',
      rule: 'ReplicationSetNotReady',
      dependencies: ['ReplicationSet/*'],
    });
    expect(empty.message).toMatch(/empty ValidationException.*replication set/);
    expect(empty.retryAfterMs).toBeGreaterThan(0);
    const said = classify(
      new ValidationException({
        message: 'Incident Manager is not onboarded in this account: an ACTIVE replication set is required',
        Message: 'x',
        ...meta(400),
      }),
      'CreateRotation',
      'ssm-contacts',
    );
    expect(said).toMatchObject({ errorClass: 'DependencyNotReady', rule: 'ReplicationSetNotReady' });
    expect(said.message).toContain('not onboarded');
    // A real spec error that mentions the replication set stays InvalidSpec.
    const tags = classify(
      new ValidationException({
        message: 'Tags can only be set on resources in the first Region of the replication set (eu-west-1)',
        Message: 'x',
        ...meta(400),
      }),
      'TagResource',
      'ssm-contacts',
    );
    expect(tags.errorClass).toBe('InvalidSpec');
    // RAM's validation errors are never about onboarding.
    expect(
      classify({ name: 'ValidationException', message: '', ...meta(400) }, 'CreateResourceShare', 'ram')
        .errorClass,
    ).toBe('InvalidSpec');
  });

  it('an AWS ConflictException lists the dependent resources and is retried', () => {
    const e = classify(
      new ConflictException({
        message: 'contact in use',
        Message: 'contact in use',
        ResourceId: 'c',
        ResourceType: 'CONTACT',
        DependentEntities: [{ RelationType: 'ROTATION', DependentResourceIds: ['arn:rot/1'] }],
        ...meta(409),
      }),
      'DeleteContact',
    );
    expect(e.errorClass).toBe('Transient');
    expect(e.message).toContain('arn:rot/1');
  });
});

describe('AwsGate', () => {
  it('caps concurrent calls per account+region+service, and keeps other accounts independent', async () => {
    const gate = new AwsGate({
      limits: { 'ssm-contacts': { concurrency: 2, intervalCap: 100, intervalMs: 1_000 } },
    });
    let running = 0;
    let max = 0;
    const releases: Array<() => void> = [];
    const call = () =>
      gate.call({ account: 'a', region: 'eu-west-1', service: 'ssm-contacts' }, 'GetContact', async () => {
        running++;
        max = Math.max(max, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
        return 'ok';
      });
    const all = [call(), call(), call(), call()];
    let other = false;
    const b = gate
      .call({ account: 'b', region: 'eu-west-1', service: 'ssm-contacts' }, 'GetContact', async () => {
        other = true;
      })
      .then(() => undefined);
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(2);
    expect(other).toBe(true);
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(all)).toEqual(['ok', 'ok', 'ok', 'ok']);
    await b;
    expect(max).toBe(2);
  });

  it('counts calls by operation and outcome and throws classified errors', async () => {
    const registry = new Registry();
    const clock = new FakeClock();
    const gate = new AwsGate({ registry, clock });
    const t = { account: 'a', region: 'eu-west-1', service: 'ssm-contacts' as const };
    await gate.call(t, 'GetContact', async () => 1);
    const err = await gate
      .call(t, 'GetContact', async () => {
        throw new ThrottlingException({
          message: 'Rate exceeded',
          Message: 'Rate exceeded',
          RetryAfterSeconds: 2,
          ...meta(429),
        });
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClassifiedError);
    expect((err as ClassifiedError).errorClass).toBe('Throttled');
    const text = await registry.metrics();
    expect(text).toContain(
      'imctl_aws_calls_total{service="ssm-contacts",operation="GetContact",outcome="success"} 1',
    );
    expect(text).toContain(
      'imctl_aws_calls_total{service="ssm-contacts",operation="GetContact",outcome="Throttled"} 1',
    );
    // The throttled queue is held for the advised time, then resumes.
    let ran = false;
    const p = gate.call(t, 'GetContact', async () => {
      ran = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(ran).toBe(false);
    clock.advance(2_000);
    await p;
    expect(ran).toBe(true);
  });

  it('sends nothing for an account whose Lease hold lapsed, through call() and through an SDK client; the refusal is a silent Conflict', async () => {
    let held = true;
    const asked: string[] = [];
    const gate = new AwsGate({
      admit: (t) => {
        asked.push(t.account);
        return held ? undefined : `replica-1 does not hold shard 2 (AWSAccount ${t.account})`;
      },
    });
    const t = { account: 'payments', region: 'eu-west-1', service: 'ssm-contacts' as const };
    let sent = 0;
    const client = gate.attach(
      new SSMContactsClient({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
        maxAttempts: 3,
        requestHandler: {
          handle: async () => {
            sent++;
            // The shape of an HTTP response the SDK's deserializer reads.
            return {
              response: {
                statusCode: 200,
                headers: { 'content-type': 'application/x-amz-json-1.1' },
                body: Buffer.from(JSON.stringify({ Contacts: [] })),
              },
            };
          },
        },
      }),
      t,
    );
    expect(await gate.call(t, 'GetContact', async () => 'sent')).toBe('sent');
    await client.send(new ListContactsCommand({}));
    expect(sent).toBe(1);

    held = false;
    let ran = false;
    const viaCall = await gate
      .call(t, 'UpdateContact', async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    const viaSdk = await client.send(new ListContactsCommand({})).catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(sent).toBe(1); // and the SDK did not retry the refusal
    for (const [err, op] of [
      [viaCall, 'UpdateContact'],
      [viaSdk, 'ListContacts'],
    ] as const) {
      expect(err).toBeInstanceOf(ClassifiedError);
      expect((err as ClassifiedError).errorClass).toBe('Conflict');
      expect((err as ClassifiedError).message).toBe(
        `${op} not sent: replica-1 does not hold shard 2 (AWSAccount payments)`,
      );
    }
    expect(new Set(asked)).toEqual(new Set(['payments']));
  });

  it('a throttled queue resumes after the longest advised pause, even when throttled again meanwhile', async () => {
    const clock = new FakeClock();
    const gate = new AwsGate({ clock });
    const t = { account: 'a', region: 'eu-west-1', service: 'ssm-contacts' as const };
    const throttle = (s: number) => async () => {
      throw new ThrottlingException({ message: 'slow', Message: 'slow', RetryAfterSeconds: s, ...meta(429) });
    };
    await gate.call(t, 'GetContact', throttle(1)).catch(() => undefined);
    clock.advance(500);
    // queued behind the pause; when it runs it is throttled again with a longer advice
    const second = gate.call(t, 'GetContact', throttle(3)).catch(() => undefined);
    clock.advance(500);
    await second;
    let ran = false;
    const third = gate.call(t, 'GetContact', async () => {
      ran = true;
    });
    clock.advance(2_999);
    await new Promise((r) => setImmediate(r));
    expect(ran).toBe(false);
    clock.advance(1);
    await third;
    expect(ran).toBe(true);
  });

  it("honours an AWSAccount's spec.limits, which only lower the defaults", async () => {
    const gate = new AwsGate({
      limits: { 'ssm-contacts': { concurrency: 4, intervalCap: 100, intervalMs: 1_000 } },
    });
    gate.setAccountLimits('prod', { maxConcurrency: 1 });
    let running = 0;
    let max = 0;
    const releases: Array<() => void> = [];
    const call = (account: string) =>
      gate.call({ account, region: 'eu-west-1', service: 'ssm-contacts' }, 'GetContact', async () => {
        running++;
        max = Math.max(max, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
      });
    const all = [call('prod'), call('prod'), call('prod')];
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(1);
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    expect(max).toBe(1);
    gate.setAccountLimits('prod', { maxConcurrency: 64 }); // cannot raise above the service default
    const more = [call('prod'), call('prod'), call('prod'), call('prod'), call('prod')];
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(4);
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(more);
  });
});

describe('AwsGate pacing', () => {
  const t = { account: 'prod', region: 'eu-west-1', service: 'ssm-contacts' as const };
  const flush = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };

  it('a changed spec.limits.requestsPerSecond paces the running lane at once', async () => {
    const clock = new FakeClock();
    const gate = new AwsGate({ clock });
    let started = 0;
    const call = () => gate.call(t, 'GetContact', async () => void started++);
    await Promise.all([call(), call(), call(), call(), call()]); // the burst of 5
    gate.setAccountLimits('prod', { requestsPerSecond: 1 });
    const queued = [call(), call(), call()];
    await flush();
    expect(started).toBe(5);
    clock.advance(999);
    await flush();
    expect(started).toBe(5);
    clock.advance(1);
    await flush();
    expect(started).toBe(6);
    clock.advance(2_000);
    await Promise.all(queued);
    expect(started).toBe(8);
    expect(gate.lane(t)?.ceiling).toBe(1);
  });

  it('a throttle without Retry-After halves the rate and holds the lane for a full-jitter backoff that grows', async () => {
    const clock = new FakeClock();
    const gate = new AwsGate({ clock, random: () => 0.5 });
    const throttle = async () => {
      throw new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', ...meta(400) });
    };
    const first = (await gate.call(t, 'GetContact', throttle).catch((e: unknown) => e)) as ClassifiedError;
    expect(gate.lane(t)).toMatchObject({ rate: 2.5, throttles: 1, pausedUntil: clock.now() + 500 });
    expect(first.retryAfterMs).toBe(500); // the caller stays away as long as the lane does
    clock.advance(500);
    const second = (await gate.call(t, 'GetContact', throttle).catch((e: unknown) => e)) as ClassifiedError;
    expect(gate.lane(t)).toMatchObject({ rate: 1.25, throttles: 2, pausedUntil: clock.now() + 1_000 });
    expect(second.retryAfterMs).toBe(1_000);
    clock.advance(1_000);
    await gate.call(t, 'GetContact', async () => undefined);
    expect(gate.lane(t)).toMatchObject({ rate: 1.35, throttles: 0 });
  });
});
