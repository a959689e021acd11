// Requests built by hand, as another client (CLI, boto3, curl) would send them: the emulator must
// parse the wire format, not what our SDK happens to send.

import { ListPermissionsCommand } from '@aws-sdk/client-ram';
import { GetContactCommand, ListContactsCommand, SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import {
  GetResponsePlanCommand,
  ListReplicationSetsCommand,
  ListResponsePlansCommand,
} from '@aws-sdk/client-ssm-incidents';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, failure, type Harness, startHarness } from './helpers.ts';

let h: Harness;
beforeEach(async () => {
  if (!h) h = await startHarness();
  h.emu.admin.reset();
});
afterAll(async () => h?.emu.stop());

const auth = (key: string, region: string, service: string) =>
  `AWS4-HMAC-SHA256 Credential=${key}/20260101/${region}/${service}/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${'0'.repeat(64)}`;

describe('restJson1 from the wire', () => {
  it('routes by path, takes the account from the key and the Region from the scope, and percent-decodes ARN labels', async () => {
    const created = await fetch(`${h.emu.url}/createReplicationSet`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: auth('AKIAI44QH8DHBEXAMPLE', 'eu-west-1', 'ssm-incidents'),
      },
      body: JSON.stringify({ regions: { 'eu-west-1': {} }, tags: { a: 'b' } }),
    });
    expect(created.status).toBe(201);
    const { arn } = (await created.json()) as { arn: string };
    expect(arn).toContain(':222222222222:replication-set/');
    const tags = await fetch(`${h.emu.url}/tags/${encodeURIComponent(arn)}`, {
      headers: { authorization: auth('AKIAI44QH8DHBEXAMPLE', 'eu-west-1', 'ssm-incidents') },
    });
    expect(await tags.json()).toEqual({ tags: { a: 'b' } });
    const call = h.emu.admin.calls({ operation: 'CreateReplicationSet' })[0];
    expect([call?.account, call?.region, call?.status]).toEqual(['222222222222', 'eu-west-1', 201]);
  });

  it('serialises errors with the @httpError status, X-Amzn-ErrorType and a message', async () => {
    const r = await fetch(
      `${h.emu.url}/getResponsePlan?arn=${encodeURIComponent('arn:aws:ssm-incidents::000000000000:response-plan/x')}`,
    );
    expect(r.status).toBe(404);
    expect(r.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(((await r.json()) as { message: string }).message).toContain('not found');
    const unknown = await fetch(`${h.emu.url}/noSuchRoute`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('routes the lowercase RAM URIs under the ram scope; an operation RAM does not serve is a 404 that reaches no handler', async () => {
    const ram = await fetch(`${h.emu.url}/getresourcepolicies`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: auth('AKIAIOSFODNN7EXAMPLE', 'us-east-1', 'ram'),
      },
      body: '{}',
    });
    expect(ram.status).toBe(404);
    expect(h.emu.admin.calls().length).toBe(0);
    const share = await fetch(`${h.emu.url}/createresourceshare`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: auth('AKIAIOSFODNN7EXAMPLE', 'us-west-2', 'ram'),
      },
      body: JSON.stringify({ name: 'cli' }),
    });
    expect(share.status).toBe(200);
    const body = (await share.json()) as {
      resourceShare: { resourceShareArn: string; creationTime: number };
    };
    expect(body.resourceShare.resourceShareArn).toMatch(
      /^arn:aws:ram:us-west-2:111111111111:resource-share\//,
    );
    expect(typeof body.resourceShare.creationTime).toBe('number');
  });
});

describe('awsJson1_1 from the wire', () => {
  it('dispatches on X-Amz-Target and answers unknown operations with __type', async () => {
    const ok = await fetch(`${h.emu.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'SSMContacts.ListContacts',
        authorization: auth('AKIAIOSFODNN7EXAMPLE', 'us-east-1', 'ssm-contacts'),
      },
      body: '{}',
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ Contacts: [] });
    const bad = await fetch(`${h.emu.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SSMContacts.Nope' },
      body: '{}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    const malformed = await fetch(`${h.emu.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SSMContacts.ListContacts' },
      body: '{nope',
    });
    expect(((await malformed.json()) as { __type: string }).__type).toBe('SerializationException');
  });
});

describe('hostile input', () => {
  it('answers a 2048-character ARN that fails the nested-quantifier pattern on its last character', async () => {
    // A backtracking matcher needs 2^n steps here; the emulator must answer at once.
    const prefix = 'arn:aws:ssm-contacts:us-east-1:111111111111:';
    const arn = `${prefix}${'contact/a:'.repeat(300)}`.slice(0, 2047) + '!';
    const c = new SSMContactsClient({
      endpoint: h.emu.url,
      region: 'us-east-1',
      credentials: ALICE,
      maxAttempts: 1,
    });
    const e = await failure(() => c.send(new GetContactCommand({ ContactId: arn })));
    expect([e.name, e.status]).toEqual(['ValidationException', 400]);
    expect(e.error.Fields).toEqual([expect.objectContaining({ Name: 'ContactId' })]);
    expect(e.message).toContain(
      'failed to satisfy constraint: Member must satisfy regular expression pattern',
    );
  });
});

describe('awsQuery from the wire', () => {
  it('answers a form-encoded GetCallerIdentity and a presigned GET with XML', async () => {
    const form = await fetch(`${h.emu.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: auth('AKIAJ3333333EXAMPLE3', 'us-east-1', 'sts'),
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const xml = await form.text();
    expect(xml).toContain('<Account>333333333333</Account>');
    expect(xml).toMatch(
      /^<GetCallerIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">/,
    );
    const q = new URLSearchParams({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Credential': 'AKIAI44QH8DHBEXAMPLE/20260101/us-east-1/sts/aws4_request',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    });
    const presigned = await (await fetch(`${h.emu.url}/?${q}`)).text();
    expect(presigned).toContain('<Account>222222222222</Account>');
    const bad = await fetch(`${h.emu.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=Nope&Version=2011-06-15',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<Code>InvalidAction</Code>');
  });
});

describe('faults and the admin path', () => {
  it('throttles at the configured TPS with ThrottlingException 429, refilled by the clock', async () => {
    await fetch(`${h.emu.url}/__emulator/faults`, {
      method: 'PUT',
      body: JSON.stringify({ 'ssm-incidents:ListResponsePlans': { tps: 1 } }),
    });
    const c = h.incidents();
    await c.send(new ListResponsePlansCommand({}));
    const e = await failure(() => c.send(new ListResponsePlansCommand({})));
    expect([e.name, e.status]).toEqual(['ThrottlingException', 429]);
    await fetch(`${h.emu.url}/__emulator/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 1000 }),
    });
    await c.send(new ListResponsePlansCommand({}));
    const counters = (await (await fetch(`${h.emu.url}/__emulator/counters`)).json()) as Record<
      string,
      { calls: number; errors: Record<string, number> }
    >;
    expect(counters['ssm-incidents:ListResponsePlans']).toEqual({
      calls: 3,
      errors: { ThrottlingException: 1 },
    });
  });

  it('injects 5xx at rate 1 (InternalServerException 500) and hides fresh writes during read-after-write lag', async () => {
    h.emu.admin.setFaults({ 'ssm-incidents:GetResponsePlan': { errorRate: 1 } });
    const e = await failure(() =>
      h
        .incidents()
        .send(new GetResponsePlanCommand({ arn: 'arn:aws:ssm-incidents::111111111111:response-plan/x' })),
    );
    expect([e.name, e.status]).toEqual(['InternalServerException', 500]);
    h.emu.admin.setFaults({ 'ssm-incidents:*': { staleReadMs: 2000 } });
    const r = await fetch(`${h.emu.url}/createReplicationSet`, {
      method: 'POST',
      body: JSON.stringify({ regions: { 'us-east-1': {} } }),
    });
    const { arn } = (await r.json()) as { arn: string };
    const lagging = await fetch(`${h.emu.url}/getReplicationSet?arn=${encodeURIComponent(arn)}`);
    expect(lagging.status).toBe(404);
    h.clock.advance(2000);
    expect((await fetch(`${h.emu.url}/getReplicationSet?arn=${encodeURIComponent(arn)}`)).status).toBe(200);
  });

  // Each service's own throttling and internal errors, as its SDK client sees them.
  const perService = {
    'ssm-contacts:ListContacts': {
      call: () =>
        new SSMContactsClient({
          endpoint: h.emu.url,
          region: 'us-east-1',
          credentials: ALICE,
          maxAttempts: 1,
        }).send(new ListContactsCommand({})),
      throttled: ['ThrottlingException', 400],
      internal: ['InternalServerException', 500],
    },
    'ram:ListPermissions': {
      call: () => h.ram().send(new ListPermissionsCommand({})),
      throttled: ['ThrottlingException', 429],
      internal: ['ServerInternalException', 500],
    },
    'sts:GetCallerIdentity': {
      call: () => h.sts().send(new GetCallerIdentityCommand({})),
      throttled: ['Throttling', 400],
      internal: ['InternalFailure', 500],
    },
  };
  it.each(Object.keys(perService))('%s: throttling and 5xx faults use the service’s errors', async (key) => {
    const c = perService[key as keyof typeof perService];
    h.emu.admin.setFaults({ [key]: { tps: 1, burst: 1 } });
    await c.call();
    const throttled = await failure(c.call);
    expect([throttled.name, throttled.status]).toEqual(c.throttled);
    h.emu.admin.setFaults({ [key]: { errorRate: 1 } });
    const internal = await failure(c.call);
    expect([internal.name, internal.status]).toEqual(c.internal);
  });

  it('delays only the operation configured with latency: a later call to another one answers first', async () => {
    h.emu.admin.setFaults({ 'ssm-incidents:ListResponsePlans': { latencyMs: 1000 } });
    const c = h.incidents();
    const order: string[] = [];
    const slow = c.send(new ListResponsePlansCommand({})).then(() => order.push('delayed'));
    await c.send(new ListReplicationSetsCommand({}));
    order.push('undelayed');
    await slow;
    expect(order).toEqual(['undelayed', 'delayed']);
  });

  it('dumps state, lists calls with tokens and resets over HTTP', async () => {
    await fetch(`${h.emu.url}/createReplicationSet`, {
      method: 'POST',
      body: JSON.stringify({ regions: { 'us-east-1': {} }, clientToken: 'abc' }),
    });
    const calls = (await (await fetch(`${h.emu.url}/__emulator/calls?service=ssm-incidents`)).json()) as {
      token?: string;
      account: string;
    }[];
    expect(calls.map((c) => [c.token, c.account])).toEqual([['abc', '000000000000']]);
    const state = (await (await fetch(`${h.emu.url}/__emulator/state`)).json()) as Record<string, unknown>;
    expect(Object.keys(state)).toContain('ssm-incidents|000000000000|');
    await fetch(`${h.emu.url}/__emulator/reset`, { method: 'POST' });
    expect(await (await fetch(`${h.emu.url}/__emulator/calls`)).json()).toEqual([]);
  });
});

describe('read-after-write lag in RAM', () => {
  it('omits a just-created share from GetResourceShares until the lag has passed', async () => {
    const { CreateResourceShareCommand, GetResourceSharesCommand } = await import('@aws-sdk/client-ram');
    h.emu.admin.setFaults({ 'ram:GetResourceShares': { staleReadMs: 1000 } });
    await h.ram().send(new CreateResourceShareCommand({ name: 'fresh' }));
    expect(
      (await h.ram().send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares,
    ).toEqual([]);
    h.clock.advance(1000);
    const later = await h.ram().send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }));
    expect(later.resourceShares?.map((s) => s.name)).toEqual(['fresh']);
  });
});
