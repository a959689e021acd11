import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, failure, type Harness, startHarness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.emu.stop());

describe('sts', () => {
  it('identifies test keys, and maps any other key to the default account', async () => {
    const me = await h.sts().send(new GetCallerIdentityCommand({}));
    expect([me.Account, me.Arn]).toEqual(['111111111111', 'arn:aws:iam::111111111111:user/alice']);
    expect(me.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    const anyone = await h
      .sts({ accessKeyId: 'AKIADUMMYDUMMYDUMMY0', secretAccessKey: 'x' })
      .send(new GetCallerIdentityCommand({}));
    expect(anyone.Account).toBe('000000000000');
  });

  it('issues ASIA keys for the role account whose identity is the assumed-role session', async () => {
    const r = await h.sts().send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::222222222222:role/ops/Deployer',
        RoleSessionName: 'ci-run',
        DurationSeconds: 900,
      }),
    );
    expect(r.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(r.Credentials?.Expiration?.getTime()).toBe(h.clock.now() + 900_000);
    expect(r.AssumedRoleUser?.Arn).toBe('arn:aws:sts::222222222222:assumed-role/Deployer/ci-run');
    const session = h.sts({
      accessKeyId: r.Credentials?.AccessKeyId as string,
      secretAccessKey: r.Credentials?.SecretAccessKey as string,
      sessionToken: r.Credentials?.SessionToken as string,
    });
    const who = await session.send(new GetCallerIdentityCommand({}));
    expect([who.Account, who.Arn]).toEqual([
      '222222222222',
      'arn:aws:sts::222222222222:assumed-role/Deployer/ci-run',
    ]);
    h.clock.advance(900_000);
    const expired = await failure(() => session.send(new GetCallerIdentityCommand({})));
    expect([expired.name, expired.status]).toEqual(['ExpiredToken', 400]);
  });

  it('checks the external id of a role configured to require one (AccessDenied 403)', async () => {
    h.emu.admin.store.iamRoles.set(`${BOB.account}:Partner`, { externalId: 'secret-ext' });
    const RoleArn = `arn:aws:iam::${BOB.account}:role/Partner`;
    const none = await failure(() => h.sts().send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 's1' })));
    expect([none.name, none.status]).toEqual(['AccessDenied', 403]);
    const wrong = await failure(() =>
      h.sts().send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 's1', ExternalId: 'other' })),
    );
    expect(wrong.name).toBe('AccessDenied');
    const ok = await h
      .sts()
      .send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 's1', ExternalId: 'secret-ext' }));
    expect(ok.AssumedRoleUser?.Arn).toContain(':222222222222:assumed-role/Partner/s1');
  });

  it('validates role ARN, session name and duration (ValidationError 400)', async () => {
    for (const input of [
      { RoleArn: 'arn:aws:iam::222222222222:role/R', RoleSessionName: 'x' },
      { RoleArn: 'arn:aws:iam::222222222222:role/R', RoleSessionName: 'ok', DurationSeconds: 899 },
      { RoleArn: 'arn:aws:iam::222222222222:role/R', RoleSessionName: 'ok', DurationSeconds: 43201 },
      { RoleArn: 'not-an-arn', RoleSessionName: 'ok' },
    ]) {
      const e = await failure(() => h.sts().send(new AssumeRoleCommand(input)));
      expect([e.name, e.status]).toEqual(['ValidationError', 400]);
    }
    const inside = await h.sts().send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::222222222222:role/R',
        RoleSessionName: 'ok',
        DurationSeconds: 43200,
      }),
    );
    expect(inside.Credentials).toBeDefined();
  });
});
