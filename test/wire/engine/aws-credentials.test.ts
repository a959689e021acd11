// The account layer against the AWS emulator with the real SDK: every client it builds carries the
// gate as middleware (kinds send commands and page with the SDK's paginators), and an assumed-role
// session that AWS calls expired is assumed again at once, without a restart.

import { GetPermissionCommand } from '@aws-sdk/client-ram';
import {
  CreateContactCommand,
  GetContactCommand,
  ListContactsCommand,
  paginateListContacts,
} from '@aws-sdk/client-ssm-contacts';
import { GetResponsePlanCommand } from '@aws-sdk/client-ssm-incidents';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { onboard } from '../../../bench/engine.bench.ts';
import { AccountResolver } from '../../../src/aws/accounts.ts';
import { AwsGate } from '../../../src/aws/gate.ts';
import type { AWSAccountSpec } from '../../../src/crds/aws-account.ts';
import { type RunningEmulator, startAwsEmulator } from '../../../src/emulators/aws/server.ts';
import { ClassifiedError } from '../../../src/engine/contract.ts';

let emu: RunningEmulator;
const saved = { ...process.env };

beforeAll(async () => {
  // The system clock, which the admin path moves forward: AWS's time runs ahead of the controller's.
  emu = await startAwsEmulator({ port: 0, transitionMs: 0 });
  process.env.AWS_ENDPOINT_URL = emu.url;
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'us-east-1';
  await onboard(undefined);
});

afterAll(async () => {
  process.env = saved;
  await emu?.stop();
});

const ROLE: AWSAccountSpec = {
  accountId: '111111111111',
  region: 'us-east-1',
  roleArn: 'arn:aws:iam::111111111111:role/incident-manager',
  externalId: 'ext-42',
};

function resolver() {
  const registry = new Registry();
  const gate = new AwsGate({ registry });
  return { registry, gate, accounts: new AccountResolver({ gate, defaultRegion: 'us-east-1' }) };
}

const count = (operation: string) => emu.admin.calls({ operation }).length;

beforeEach(() => {
  emu.admin.store.iamRoles.set('111111111111:incident-manager', { externalId: 'ext-42' });
});

describe('the gate on the clients the account layer builds', () => {
  it('counts calls by operation and outcome and classifies errors into the closed set', async () => {
    const { registry, accounts } = resolver();
    const { contacts } = accounts.clients('default', undefined);
    await contacts.send(new ListContactsCommand({}));
    const missing = 'arn:aws:ssm-contacts:us-east-1:111111111111:contact/nobody';
    const err = await contacts.send(new GetContactCommand({ ContactId: missing })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClassifiedError);
    expect(err).toMatchObject({ errorClass: 'NotFound', operation: 'GetContact' });
    const text = await registry.metrics();
    expect(text).toContain(
      'imctl_aws_calls_total{service="ssm-contacts",operation="ListContacts",outcome="success"} 1',
    );
    expect(text).toContain(
      'imctl_aws_calls_total{service="ssm-contacts",operation="GetContact",outcome="NotFound"} 1',
    );
    expect(text).toMatch(
      /imctl_aws_gate_rate\{account="default",region="us-east-1",service="ssm-contacts"\} 5/,
    );
  });

  it('the SDK paginator walks the emulator pages through the gate', async () => {
    const { registry, accounts } = resolver();
    const { contacts } = accounts.clients('default', undefined);
    for (const n of [1, 2, 3, 4, 5])
      await contacts.send(
        new CreateContactCommand({ Alias: `pager-${n}`, Type: 'PERSONAL', Plan: { Stages: [] } }),
      );
    const before = count('ListContacts');
    const aliases: string[] = [];
    for await (const page of paginateListContacts(
      { client: contacts, pageSize: 2 },
      { AliasPrefix: 'pager-' },
    ))
      aliases.push(...(page.Contacts ?? []).map((c) => c.Alias ?? ''));
    expect(aliases.sort()).toEqual(['pager-1', 'pager-2', 'pager-3', 'pager-4', 'pager-5']);
    expect(count('ListContacts') - before).toBe(3);
    expect(await registry.metrics()).toContain(
      'imctl_aws_calls_total{service="ssm-contacts",operation="ListContacts",outcome="success"} 3',
    );
  });

  it('sits in every client after the SDK retry step and before signing, and classifies each service’s errors', async () => {
    const { accounts } = resolver();
    const set = accounts.clients('default', undefined);
    for (const client of [set.contacts, set.incidents, set.ram]) {
      const stack = client.middlewareStack.identify();
      const at = (name: string) => stack.findIndex((m) => m.startsWith(name));
      expect(at('imctlGateCall')).toBe(0);
      expect(at('retryMiddleware')).toBeLessThan(at('imctlGateLane'));
      expect(at('imctlGateLane')).toBeLessThan(at('httpSigningMiddleware'));
    }
    const arn = (service: string, kind: string) => `arn:aws:${service}:us-east-1:111111111111:${kind}/gone`;
    await expect(
      set.incidents.send(new GetResponsePlanCommand({ arn: arn('ssm-incidents', 'response-plan') })),
    ).rejects.toMatchObject({ errorClass: 'NotFound', operation: 'GetResponsePlan' });
    await expect(
      set.ram.send(new GetPermissionCommand({ permissionArn: 'arn:aws:ram::aws:permission/Gone' })),
    ).rejects.toMatchObject({ errorClass: 'NotFound', operation: 'GetPermission' });
    await expect(
      set.contacts.send(new GetContactCommand({ ContactId: arn('ssm-contacts', 'contact') })),
    ).rejects.toMatchObject({ errorClass: 'NotFound', operation: 'GetContact' });
  });
});

describe('assumed-role credentials', () => {
  it('are assumed once with the external id and shared by the account clients', async () => {
    const { accounts } = resolver();
    const before = count('AssumeRole');
    const id = await accounts.verify('prod', ROLE);
    expect(id.arn).toBe('arn:aws:sts::111111111111:assumed-role/incident-manager/incident-manager-operator');
    const set = accounts.clients('prod', ROLE);
    await Promise.all([
      set.contacts.send(new ListContactsCommand({})),
      set.contacts.send(new ListContactsCommand({})),
    ]);
    expect(count('AssumeRole') - before).toBe(1);
    const assume = emu.admin.calls({ operation: 'AssumeRole' }).at(-1);
    expect(assume?.request).toMatchObject({
      ExternalId: 'ext-42',
      RoleSessionName: 'incident-manager-operator',
    });
  });

  it('an expired session is assumed again and the call succeeds, for the account check and for the kinds', async () => {
    const { accounts } = resolver();
    const set = accounts.clients('prod', ROLE);
    await accounts.verify('prod', ROLE);
    await set.contacts.send(new ListContactsCommand({}));
    const assumed = count('AssumeRole');
    // AWS's clock passes the session's end while the controller still counts 60 minutes left.
    emu.admin.advance(3_600_000);
    await expect(accounts.verify('prod', ROLE)).resolves.toMatchObject({ account: '111111111111' });
    expect(count('AssumeRole') - assumed).toBe(1);
    const expired = emu.admin
      .calls({ operation: 'GetCallerIdentity' })
      .filter((c) => c.errorCode === 'ExpiredToken');
    expect(expired).toHaveLength(1);
    // The contacts client held the old session too: refused once, re-assumed, sent again.
    await expect(set.contacts.send(new ListContactsCommand({}))).resolves.toBeDefined();
    const refused = emu.admin
      .calls({ operation: 'ListContacts' })
      .filter((c) => c.errorCode === 'ExpiredTokenException');
    expect(refused).toHaveLength(1);
    await set.contacts.send(new ListContactsCommand({}));
    expect(emu.admin.calls({ operation: 'ListContacts' }).at(-1)?.outcome).toBe('ok');
  });

  it('a wrong external id is AccessDenied naming spec.externalId', async () => {
    const { accounts } = resolver();
    const err = await accounts.verify('wrong', { ...ROLE, externalId: 'not-it' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClassifiedError);
    expect(err).toMatchObject({ errorClass: 'AccessDenied', field: 'spec.externalId' });
    expect((err as Error).message).toContain('spec.externalId');
    expect((err as Error).message).toContain(ROLE.roleArn);
    expect((err as Error).message).not.toContain('not-it');
  });
});
