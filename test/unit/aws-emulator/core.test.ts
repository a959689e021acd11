import { describe, expect, it } from 'vitest';
import { Accounts, DEFAULT_ACCOUNT } from '../../../src/emulators/aws/accounts.ts';
import { ManualClock } from '../../../src/emulators/aws/clock.ts';
import { AwsError, awsJsonError, awsQueryError, restJsonError } from '../../../src/emulators/aws/errors.ts';
import { Faults } from '../../../src/emulators/aws/faults.ts';
import { summariseRequest } from '../../../src/emulators/aws/observe.ts';
import { parseSigV4 } from '../../../src/emulators/aws/sigv4.ts';
import { EmulatorStore, paginate } from '../../../src/emulators/aws/store.ts';

describe('sigv4 scope', () => {
  it('reads key, region and service from the Authorization header and from a presigned query', () => {
    const h = {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/eu-west-1/ssm-incidents/aws4_request, SignedHeaders=host, Signature=abc',
    };
    expect(parseSigV4(h, new URLSearchParams())).toEqual({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      date: '20260101',
      region: 'eu-west-1',
      service: 'ssm-incidents',
    });
    const q = new URLSearchParams({ 'X-Amz-Credential': 'AKIDX/20260101/us-west-2/sts/aws4_request' });
    expect(parseSigV4({}, q)?.region).toBe('us-west-2');
    expect(parseSigV4({ authorization: 'Bearer x' }, new URLSearchParams())).toBeUndefined();
  });
});

describe('accounts', () => {
  it('maps test keys to their accounts and any other key to the default account', () => {
    const a = new Accounts();
    expect(a.resolve('AKIAI44QH8DHBEXAMPLE').account).toBe('222222222222');
    expect(a.resolve('AKIAANYTHINGELSE').account).toBe(DEFAULT_ACCOUNT);
    expect(a.resolve(undefined).account).toBe(DEFAULT_ACCOUNT);
  });
});

describe('error serialisation', () => {
  const e = new AwsError('ConflictException', 'busy', 409, { resourceType: 'REPLICATION_SET' });
  it('restJson1 uses the @httpError status, X-Amzn-ErrorType and a JSON body', () => {
    const r = restJsonError(e, 'rid');
    expect(r.status).toBe(409);
    expect(r.headers['x-amzn-errortype']).toBe('ConflictException');
    expect(JSON.parse(r.body)).toEqual({ message: 'busy', resourceType: 'REPLICATION_SET' });
  });
  it('awsJson1_1 sends __type with 400 for client errors and 500 for server errors', () => {
    expect(awsJsonError(e, 'rid').status).toBe(400);
    expect(JSON.parse(awsJsonError(e, 'rid').body).__type).toBe('ConflictException');
    expect(awsJsonError(new AwsError('InternalServerException', 'x', 500), 'r').status).toBe(500);
  });
  it('awsQuery sends an XML ErrorResponse with escaped text', () => {
    const r = awsQueryError(new AwsError('AccessDenied', 'a <b>', 403), 'rid', 'ns');
    expect(r.body).toContain('<Code>AccessDenied</Code><Message>a &lt;b&gt;</Message>');
    expect(r.body).toContain('<Type>Sender</Type>');
  });
});

describe('store helpers', () => {
  const bad = () => new AwsError('ValidationException', 'bad token');
  it('paginates with opaque tokens bound to their listing', () => {
    const items = [1, 2, 3, 4, 5];
    const p1 = paginate(items, 2, undefined, 10, bad, 'a');
    expect(p1.page).toEqual([1, 2]);
    const p2 = paginate(items, 2, p1.nextToken, 10, bad, 'a');
    expect(p2.page).toEqual([3, 4]);
    expect(paginate(items, 2, p2.nextToken, 10, bad, 'a')).toEqual({ page: [5] });
    expect(() => paginate(items, 2, p1.nextToken, 10, bad, 'other')).toThrow('bad token');
    expect(() => paginate(items, 2, 'garbage', 10, bad, 'a')).toThrow('bad token');
  });

  it('replays idempotent requests and rejects a reused token with another request', () => {
    const s = new EmulatorStore(new ManualClock());
    let runs = 0;
    const mismatch = () => new AwsError('ConflictException', 'mismatch', 409);
    const first = s.idempotent('x', 't', { a: 1, b: 2 }, mismatch, () => ++runs);
    expect(s.idempotent('x', 't', { b: 2, a: 1 }, mismatch, () => ++runs)).toBe(first);
    expect(runs).toBe(1);
    expect(() => s.idempotent('x', 't', { a: 2 }, mismatch, () => ++runs)).toThrow('mismatch');
    expect(s.idempotent('x', undefined, {}, mismatch, () => ++runs)).toBe(2);
  });

  it('answers hooks nobody provided with no, and chains resourceExists', () => {
    const s = new EmulatorStore(new ManualClock());
    expect(s.hooks.replicationSetActive('1')).toBe(false);
    s.provide({ resourceExists: (a) => a === 'x' });
    s.provide({ resourceExists: (a) => a === 'y' });
    expect([s.hooks.resourceExists('x'), s.hooks.resourceExists('y'), s.hooks.resourceExists('z')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe('faults', () => {
  it('throttles with a token bucket that refills with the clock', () => {
    const clock = new ManualClock();
    const f = new Faults(clock, { 'ssm-incidents:GetResponsePlan': { tps: 2 } });
    const take = () => f.take('ssm-incidents', 'GetResponsePlan', '1');
    expect([take(), take(), take()]).toEqual([true, true, false]);
    expect(f.take('ssm-incidents', 'GetResponsePlan', '2')).toBe(true);
    clock.advance(500);
    expect([take(), take()]).toEqual([true, false]);
  });

  it('injects server errors at the configured rate, reproducibly for a seed', () => {
    const run = () => {
      const f = new Faults(new ManualClock(), { '*': { errorRate: 0.3 } }, 7);
      return Array.from({ length: 1000 }, () => f.injectServerError('ram', 'X'));
    };
    const a = run();
    expect(run()).toEqual(a);
    const n = a.filter(Boolean).length;
    expect(n).toBeGreaterThan(230);
    expect(n).toBeLessThan(370);
  });

  it('hides recent writes from reads during the read-after-write lag', () => {
    const clock = new ManualClock();
    const f = new Faults(clock, { 'ssm-incidents:*': { staleReadMs: 1000 } });
    const written = clock.now();
    expect(f.hidden('ssm-incidents', 'GetResponsePlan', written)).toBe(true);
    clock.advance(1000);
    expect(f.hidden('ssm-incidents', 'GetResponsePlan', written)).toBe(false);
  });
});

describe('call log summaries', () => {
  it('redacts secrets', () => {
    expect(summariseRequest({ ActivationCode: '123456', ContactId: 'c', SecretAccessKey: 'x' })).toEqual({
      ActivationCode: '***',
      ContactId: 'c',
      SecretAccessKey: '***',
    });
  });
});

describe('default throttling', () => {
  it('applies the default rates per service and lets explicit faults override them', async () => {
    const { withDefaultThrottling, DEFAULT_TPS } = await import('../../../src/emulators/aws/faults.ts');
    const cfg = withDefaultThrottling({ 'ram:*': { tps: 1, errorRate: 0.5 } });
    expect(cfg['ssm-incidents:*']).toEqual({ tps: DEFAULT_TPS['ssm-incidents:*'] });
    expect(cfg['ram:*']).toEqual({ tps: 1, errorRate: 0.5 });
  });
});
