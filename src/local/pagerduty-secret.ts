// Sets up a PagerDuty secret the way the Incident Manager guide asks (domain doc §6.6), through the
// AWS SDK as a user would: a multi-Region customer managed key whose policy lets Incident Manager
// and the plan's writer decrypt, replicated to the replication set's Regions, the secret encrypted
// with it and replicated alongside, and a resource policy letting Incident Manager read it. The demo
// and the tests use it against the AWS emulator for the samples' response plans.
import { CreateKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

export const INCIDENTS = 'ssm-incidents.amazonaws.com';

export interface PagerDutySecretOptions {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The response plan's Region: the secret's primary Region. */
  region: string;
  /** The replication set's other Regions. */
  replicaRegions: readonly string[];
  secretId: string;
  /** Who writes response plans (role or user ARN); default: the identity of `credentials`. */
  writerArn?: string;
  /** A made-up value of the right shape unless given. */
  value?: string;
}

export const SAMPLE_VALUE = JSON.stringify({
  pagerDutyToken: 'y_NbAkKc66ryYTWUXYEu',
  pagerDutyServiceRegion: 'US',
  pagerDutyFromEmail: 'oncall@example.com',
});

const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** The key policy the guide asks for: the account root, Incident Manager and the writer. */
export function pagerDutyKeyPolicy(account: string, writerArn: string): string {
  const use = ['kms:Decrypt', 'kms:GenerateDataKey*'];
  return policy([
    {
      Sid: 'AccountRoot',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'IncidentManager',
      Effect: 'Allow',
      Principal: { Service: INCIDENTS },
      Action: use,
      Resource: '*',
    },
    {
      Sid: 'ResponsePlanWriter',
      Effect: 'Allow',
      Principal: { AWS: writerArn },
      Action: use,
      Resource: '*',
    },
  ]);
}

/** The secret's resource policy: Incident Manager may read the value. */
export const PAGERDUTY_SECRET_POLICY = policy([
  {
    Sid: 'IncidentManager',
    Effect: 'Allow',
    Principal: { Service: INCIDENTS },
    Action: 'secretsmanager:GetSecretValue',
    Resource: '*',
  },
]);

export async function createPagerDutySecret(
  o: PagerDutySecretOptions,
): Promise<{ arn: string; keyArn: string }> {
  const cfg = (region: string) => ({
    endpoint: o.endpoint,
    region,
    credentials: o.credentials,
    maxAttempts: 1,
  });
  const kms = new KMSClient(cfg(o.region));
  const sm = new SecretsManagerClient(cfg(o.region));
  const sts = new STSClient(cfg(o.region));
  try {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    const account = me.Account as string;
    // An assumed-role session is named in key policies by its role.
    const writer =
      o.writerArn ??
      (me.Arn as string).replace(
        /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.*$/,
        'arn:aws:iam::$1:role/$2',
      );
    const key = await kms.send(
      new CreateKeyCommand({
        MultiRegion: true,
        Description: `PagerDuty secret ${o.secretId}`,
        Policy: pagerDutyKeyPolicy(account, writer),
      }),
    );
    const keyArn = key.KeyMetadata?.Arn as string;
    for (const r of o.replicaRegions)
      await kms.send(
        new ReplicateKeyCommand({
          KeyId: keyArn,
          ReplicaRegion: r,
          Policy: pagerDutyKeyPolicy(account, writer),
        }),
      );
    const secret = await sm.send(
      new CreateSecretCommand({
        Name: o.secretId,
        KmsKeyId: keyArn,
        SecretString: o.value ?? SAMPLE_VALUE,
        ...(o.replicaRegions.length
          ? {
              AddReplicaRegions: o.replicaRegions.map((r) => ({
                Region: r,
                KmsKeyId: keyArn.replace(`:${o.region}:`, `:${r}:`),
              })),
            }
          : {}),
      }),
    );
    await sm.send(
      new PutResourcePolicyCommand({ SecretId: o.secretId, ResourcePolicy: PAGERDUTY_SECRET_POLICY }),
    );
    return { arn: secret.ARN as string, keyArn };
  } finally {
    kms.destroy();
    sm.destroy();
    sts.destroy();
  }
}
