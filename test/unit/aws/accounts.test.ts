import { describe, expect, it } from 'vitest';
import { AccountResolver, type AwsCredentials, type StsPort } from '../../../src/aws/accounts.ts';
import type { AWSAccountSpec } from '../../../src/crds/aws-account.ts';
import { FakeClock } from '../engine/fake-clock.ts';

class MemorySts implements StsPort {
  assumed: Array<{ roleArn: string; externalId?: string; sessionName: string }> = [];
  identity = {
    account: '111122223333',
    arn: 'arn:aws:sts::111122223333:assumed-role/im/incident-manager-operator',
  };
  readonly clock: FakeClock;
  constructor(clock: FakeClock) {
    this.clock = clock;
  }
  async assumeRole(input: {
    roleArn: string;
    externalId?: string;
    sessionName: string;
  }): Promise<AwsCredentials> {
    this.assumed.push(input);
    const n = this.assumed.length;
    return {
      accessKeyId: `ASIA${n}`,
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(this.clock.now() + 3_600_000),
    };
  }
  async callerIdentity() {
    return this.identity;
  }
}

const spec: AWSAccountSpec = {
  accountId: '111122223333',
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::111122223333:role/im',
  externalId: 'ext-1',
};

describe('AccountResolver', () => {
  it('uses the default credential chain when no role is set', () => {
    const clock = new FakeClock();
    const r = new AccountResolver({ sts: new MemorySts(clock), defaultRegion: 'us-east-1', clock });
    expect(r.credentials('default', undefined)).toBeUndefined();
    expect(r.clients('default', undefined).region).toBe('us-east-1');
  });

  it('assumes the role with the external id, caches it, and refreshes before expiry', async () => {
    const clock = new FakeClock();
    const sts = new MemorySts(clock);
    const r = new AccountResolver({ sts, defaultRegion: 'us-east-1', clock, refreshBeforeMs: 300_000 });
    const provider = r.credentials('prod', spec)!;
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a.accessKeyId).toBe('ASIA1');
    expect(b.accessKeyId).toBe('ASIA1'); // concurrent callers share one AssumeRole
    expect(sts.assumed).toEqual([
      {
        roleArn: spec.roleArn,
        externalId: 'ext-1',
        sessionName: 'incident-manager-operator',
        region: 'eu-west-1',
        account: 'prod',
      },
    ]);
    clock.advance(3_600_000 - 300_001);
    expect((await provider()).accessKeyId).toBe('ASIA1');
    clock.advance(2);
    expect((await provider()).accessKeyId).toBe('ASIA2');
  });

  it('keeps one client set per account and Region, rebuilt when the account settings change', () => {
    const clock = new FakeClock();
    const r = new AccountResolver({ sts: new MemorySts(clock), defaultRegion: 'us-east-1', clock });
    const a = r.clients('prod', spec);
    expect(r.clients('prod', spec)).toBe(a);
    expect(a.region).toBe('eu-west-1');
    expect(r.clients('prod', spec, 'eu-central-1')).not.toBe(a);
    expect(r.clients('prod', { ...spec, externalId: 'ext-2' })).not.toBe(a);
  });

  it('verifies the caller identity and says so when it is the wrong account', async () => {
    const clock = new FakeClock();
    const sts = new MemorySts(clock);
    const r = new AccountResolver({ sts, defaultRegion: 'us-east-1', clock });
    await expect(r.verify('prod', spec)).resolves.toMatchObject({ account: '111122223333' });
    sts.identity = { account: '999988887777', arn: 'arn:aws:iam::999988887777:user/ci' };
    await expect(r.verify('prod', spec)).rejects.toMatchObject({
      errorClass: 'AccessDenied',
      message: expect.stringContaining('belong to account 999988887777'),
    });
  });

  it('assumes the role again when forced (AWS said the session expired), even before its expiry', async () => {
    const clock = new FakeClock();
    const sts = new MemorySts(clock);
    const r = new AccountResolver({ sts, defaultRegion: 'us-east-1', clock });
    const provider = r.credentials('prod', spec)!;
    expect((await provider()).accessKeyId).toBe('ASIA1');
    expect((await provider({ forceRefresh: true })).accessKeyId).toBe('ASIA2');
    expect((await provider()).accessKeyId).toBe('ASIA2');
  });

  it('a refused AssumeRole is AccessDenied on spec.externalId, without echoing the id', async () => {
    const clock = new FakeClock();
    const sts = new MemorySts(clock);
    sts.assumeRole = async () => {
      throw Object.assign(
        new Error('User: arn:aws:iam::111122223333:user/ci is not authorized to perform: sts:AssumeRole'),
        {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        },
      );
    };
    const r = new AccountResolver({ sts, defaultRegion: 'us-east-1', clock });
    const err = await r.credentials('prod', spec)!().catch((e: unknown) => e);
    expect(err).toMatchObject({
      errorClass: 'AccessDenied',
      field: 'spec.externalId',
      rule: 'AssumeRoleDenied',
    });
    expect((err as Error).message).toMatch(
      /^AssumeRole arn:aws:iam::111122223333:role\/im was refused \(User: .* sts:AssumeRole\)\. Check spec\.externalId matches/,
    );
    expect((err as Error).message).not.toContain('ext-1');
  });
});
