// One AWS SDK runtime: the six service clients and the credential providers must load the same
// @smithy/smithy-client, @smithy/middleware-retry and @aws-sdk/core, so retries, middleware and
// error shapes are the same whichever client a kind uses (README, dependencies).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const CLIENTS = [
  '@aws-sdk/client-ssm-contacts',
  '@aws-sdk/client-ssm-incidents',
  '@aws-sdk/client-ram',
  '@aws-sdk/client-sts',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-kms',
  '@aws-sdk/credential-providers',
];
const RUNTIME = ['@smithy/smithy-client', '@smithy/middleware-retry', '@smithy/core', '@aws-sdk/core'];

describe('AWS SDK runtime', () => {
  it.each(RUNTIME)('every client loads one copy of %s', (dep) => {
    const root = createRequire(import.meta.url);
    const seen = new Set(
      CLIENTS.map((client) => {
        const fromClient = createRequire(root.resolve(`${client}/package.json`));
        try {
          return fromClient.resolve(dep);
        } catch {
          return undefined; // not a dependency of this package
        }
      }).filter((p) => p !== undefined),
    );
    expect([...seen]).toHaveLength(1);
  });
});
