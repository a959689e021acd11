// Test access keys → accounts. Any other key maps to DEFAULT_ACCOUNT so an SDK or CLI configured
// with dummy credentials just works. Keys issued by STS AssumeRole (ASIA…) are registered at runtime.
export interface KeyIdentity {
  account: string;
  /** ARN returned by GetCallerIdentity. */
  arn: string;
  userId: string;
}

export const DEFAULT_ACCOUNT = '000000000000';

/** Fixed test keys, documented in docs/aws-emulator.md. */
export const TEST_KEYS: Readonly<Record<string, { account: string; user: string }>> = {
  AKIAIOSFODNN7EXAMPLE: { account: '111111111111', user: 'alice' },
  AKIAI44QH8DHBEXAMPLE: { account: '222222222222', user: 'bob' },
  AKIAJ3333333EXAMPLE3: { account: '333333333333', user: 'carol' },
};

/**
 * The emulated AWS Organization: the management account and members. 333333333333 and the default
 * account are outside it, so sharing with them goes through an invitation.
 */
export const ORGANIZATION = {
  id: 'o-emulator0001',
  arn: 'arn:aws:organizations::111111111111:organization/o-emulator0001',
  rootOu: 'arn:aws:organizations::111111111111:ou/o-emulator0001/ou-root-emulator',
  managementAccount: '111111111111',
  members: ['111111111111', '222222222222'] as readonly string[],
};

/** IAM user ids look like AIDA + 17 base32 characters; derived from the key so they are stable. */
function userIdOf(accessKeyId: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let h = 2166136261;
  let out = 'AIDA';
  for (let i = 0; i < 17; i++) {
    for (const c of accessKeyId) h = Math.imul(h ^ (c.codePointAt(0) ?? 0), 16777619) >>> 0;
    h = Math.imul(h ^ i, 16777619) >>> 0;
    out += alphabet[h % 32];
  }
  return out;
}

export class Accounts {
  private readonly temporary = new Map<string, KeyIdentity & { secret: string; expiresAt: number }>();

  /** Expiry (emulator ms) of a temporary key issued by AssumeRole; undefined for long-term keys. */
  expiresAt(accessKeyId: string | undefined): number | undefined {
    return accessKeyId ? this.temporary.get(accessKeyId)?.expiresAt : undefined;
  }

  resolve(accessKeyId: string | undefined): KeyIdentity {
    if (accessKeyId) {
      const t = this.temporary.get(accessKeyId);
      if (t) return { account: t.account, arn: t.arn, userId: t.userId };
      const k = TEST_KEYS[accessKeyId];
      if (k)
        return {
          account: k.account,
          arn: `arn:aws:iam::${k.account}:user/${k.user}`,
          userId: userIdOf(accessKeyId),
        };
    }
    return {
      account: DEFAULT_ACCOUNT,
      arn: `arn:aws:iam::${DEFAULT_ACCOUNT}:user/emulator`,
      userId: userIdOf(accessKeyId ?? 'default'),
    };
  }

  registerTemporary(accessKeyId: string, id: KeyIdentity & { secret: string; expiresAt: number }): void {
    this.temporary.set(accessKeyId, id);
  }

  reset(): void {
    this.temporary.clear();
  }
}
