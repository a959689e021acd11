// The AWS side of plan and import: the controller's account resolver (own credential chain, roles
// of AWSAccounts) behind a gate of its own, at the controller's default pace unless `--aws-rate`
// says otherwise (a large account reads faster where the account's quotas allow it).
import { InvalidArgumentError, Option } from 'commander';
import { AccountResolver } from '../aws/accounts.ts';
import { AwsGate, type AwsService, DEFAULT_LIMITS, type GateLimits } from '../aws/gate.ts';

export function awsRateOption(): Option {
  return new Option(
    '--aws-rate <n>',
    'AWS calls per second per account, Region and service (default: the controller’s)',
  )
    .env('IMCTL_AWS_RATE')
    .argParser((v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${v}" must be a whole number ≥ 1`);
      return n;
    });
}

export function readResolver(region: string, rate?: number): AccountResolver {
  const limits: Partial<Record<AwsService, GateLimits>> = {};
  if (rate)
    for (const service of Object.keys(DEFAULT_LIMITS) as AwsService[])
      limits[service] = { concurrency: Math.min(rate, 20), intervalCap: rate, intervalMs: 1_000 };
  return new AccountResolver({
    defaultRegion: region,
    gate: new AwsGate({ limits }),
    clientConfig: { maxAttempts: 3 },
  });
}
