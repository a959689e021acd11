// Secrets Manager and KMS in the AWS emulator, through the real SDK clients: what a user does to set
// up a PagerDuty secret (a multi-Region customer managed key, a replicated secret, both policies),
// and the errors AWS answers when something is off.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  type CreateKeyCommandOutput,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  PutKeyPolicyCommand,
  ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ReplicateSecretToRegionsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, failure, type Harness, startHarness } from './helpers.ts';

let h: Harness;
const cfg = (region: string, who = ALICE) => ({
  endpoint: h.emu.url,
  region,
  credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
  maxAttempts: 1,
});
const kms = (region = 'us-east-1', who = ALICE) => new KMSClient(cfg(region, who));
/** The key's metadata (CreateKey and DescribeKey always return it). */
async function keyOf(
  client: KMSClient,
  command: CreateKeyCommand | DescribeKeyCommand,
): Promise<KeyMetadata> {
  const out = await client.send(command as CreateKeyCommand);
  if (!out.KeyMetadata?.KeyId || !out.KeyMetadata.Arn) throw new Error('no key metadata');
  return out.KeyMetadata as KeyMetadata;
}
type KeyMetadata = NonNullable<CreateKeyCommandOutput['KeyMetadata']> & { KeyId: string; Arn: string };
const sm = (region = 'us-east-1', who = ALICE) => new SecretsManagerClient(cfg(region, who));

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.emu.stop());

describe('KMS', () => {
  it('creates a multi-Region symmetric key, replicates it and reads both ends by alias and ARN', async () => {
    const key = await keyOf(
      kms(),
      new CreateKeyCommand({
        MultiRegion: true,
        Description: 'pagerduty',
        Tags: [{ TagKey: 't', TagValue: 'v' }],
      }),
    );
    expect(key).toMatchObject({
      KeyId: expect.stringMatching(/^mrk-[0-9a-f]{32}$/),
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyManager: 'CUSTOMER',
      KeyState: 'Enabled',
      MultiRegion: true,
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    });
    expect(key.CreationDate).toBeInstanceOf(Date);
    const arn = key.Arn as string;
    const replica = await kms().send(new ReplicateKeyCommand({ KeyId: arn, ReplicaRegion: 'eu-west-1' }));
    expect(replica.ReplicaKeyMetadata?.Arn).toBe(arn.replace('us-east-1', 'eu-west-1'));
    expect(replica.ReplicaKeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType).toBe('REPLICA');

    await kms().send(new CreateAliasCommand({ AliasName: 'alias/pagerduty', TargetKeyId: key.KeyId }));
    const viaAlias = await kms().send(new DescribeKeyCommand({ KeyId: 'alias/pagerduty' }));
    expect(viaAlias.KeyMetadata?.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: arn, Region: 'us-east-1' },
      ReplicaKeys: [{ Arn: arn.replace('us-east-1', 'eu-west-1'), Region: 'eu-west-1' }],
    });
    const aliases = await kms().send(new ListAliasesCommand({ KeyId: key.KeyId }));
    expect(aliases.Aliases?.map((a) => a.AliasName)).toEqual(['alias/pagerduty']);

    // A second replica in the same Region, and replicating a replica, are refused.
    expect(
      (await failure(() => kms().send(new ReplicateKeyCommand({ KeyId: arn, ReplicaRegion: 'eu-west-1' }))))
        .name,
    ).toBe('AlreadyExistsException');
    expect(
      (
        await failure(() =>
          kms('eu-west-1').send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'us-west-2' })),
        )
      ).name,
    ).toBe('UnsupportedOperationException');
  });

  it('key policies: the default one, a new one, and only key ids or ARNs (no alias) to read them', async () => {
    const key = await keyOf(kms(), new CreateKeyCommand({}));
    const read = await kms().send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }));
    expect(JSON.parse(read.Policy as string).Statement[0].Principal).toEqual({
      AWS: 'arn:aws:iam::111111111111:root',
    });
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'ssm-incidents.amazonaws.com' },
          Action: 'kms:Decrypt',
          Resource: '*',
        },
      ],
    });
    await kms().send(new PutKeyPolicyCommand({ KeyId: key.Arn, PolicyName: 'default', Policy: policy }));
    expect(
      (await kms().send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy,
    ).toBe(policy);

    await kms().send(new CreateAliasCommand({ AliasName: 'alias/plain', TargetKeyId: key.KeyId }));
    const byAlias = await failure(() =>
      kms().send(new GetKeyPolicyCommand({ KeyId: 'alias/plain', PolicyName: 'default' })),
    );
    expect(byAlias).toMatchObject({ name: 'NotFoundException', status: 400 });
    const bad = await failure(() =>
      kms().send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: '{"Version":' })),
    );
    expect(bad.name).toBe('MalformedPolicyDocumentException');
  });

  it('the AWS managed aws/secretsmanager key exists per Region and cannot be changed', async () => {
    const key = await keyOf(kms('eu-west-1'), new DescribeKeyCommand({ KeyId: 'alias/aws/secretsmanager' }));
    expect(key).toMatchObject({ KeyManager: 'AWS', KeySpec: 'SYMMETRIC_DEFAULT', MultiRegion: false });
    expect(key.Arn).toMatch(/^arn:aws:kms:eu-west-1:111111111111:key\//);
    const change = await failure(() =>
      kms('eu-west-1').send(
        new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: '{"Statement":[]}' }),
      ),
    );
    expect(change.name).toBe('AccessDeniedException');
    const reserved = await failure(() =>
      kms().send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: key.KeyId })),
    );
    expect(reserved.name).toBe('NotAuthorizedException');
  });

  it('answers AWS error codes: unknown key, incompatible key spec and usage, a constraint with its member path', async () => {
    const missing = await failure(() =>
      kms().send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })),
    );
    expect(missing).toMatchObject({ name: 'NotFoundException', status: 400 });
    expect(missing.message).toBe(
      "Key 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-4000-8000-000000000000' does not exist",
    );
    const alias = await failure(() => kms().send(new DescribeKeyCommand({ KeyId: 'alias/none' })));
    expect(alias.message).toBe('Alias arn:aws:kms:us-east-1:111111111111:alias/none is not found.');
    const usage = await failure(() =>
      kms().send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'SIGN_VERIFY' })),
    );
    expect(usage.name).toBe('ValidationException');
    const long = await failure(() => kms().send(new DescribeKeyCommand({ KeyId: 'k'.repeat(2049) })));
    expect(long.message).toContain(
      "at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048",
    );
    const other = await failure(() =>
      kms('us-east-1', BOB).send(new DescribeKeyCommand({ KeyId: 'alias/pagerduty' })),
    );
    expect(other.name).toBe('NotFoundException');
  });
});

describe('Secrets Manager', () => {
  it('creates a secret with a customer managed key, replicates it, and reads value and policy in each Region', async () => {
    const key = await keyOf(kms(), new CreateKeyCommand({ MultiRegion: true }));
    await kms().send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'us-west-2' }));
    const value = JSON.stringify({
      pagerDutyToken: 't',
      pagerDutyServiceRegion: 'US',
      pagerDutyFromEmail: 'a@b.c',
    });
    const created = await sm().send(
      new CreateSecretCommand({
        Name: 'pagerduty/payments',
        KmsKeyId: key.Arn,
        SecretString: value,
        AddReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: key.KeyId }],
      }),
    );
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:111111111111:secret:pagerduty\/payments-[A-Za-z0-9]{6}$/,
    );
    expect(created.ReplicationStatus).toEqual([
      { Region: 'us-west-2', KmsKeyId: key.KeyId, Status: 'InSync', StatusMessage: 'Replication succeeded' },
    ]);
    const described = await sm().send(new DescribeSecretCommand({ SecretId: created.ARN }));
    expect(described).toMatchObject({
      Name: 'pagerduty/payments',
      KmsKeyId: key.Arn,
      PrimaryRegion: 'us-east-1',
    });
    const replica = await sm('us-west-2').send(new DescribeSecretCommand({ SecretId: 'pagerduty/payments' }));
    expect(replica).toMatchObject({ KmsKeyId: key.KeyId, PrimaryRegion: 'us-east-1' });
    expect(replica.ARN).toBe(created.ARN?.replace('us-east-1', 'us-west-2'));

    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'ssm-incidents.amazonaws.com' },
          Action: 'secretsmanager:GetSecretValue',
          Resource: '*',
        },
      ],
    });
    await sm().send(new PutResourcePolicyCommand({ SecretId: 'pagerduty/payments', ResourcePolicy: policy }));
    expect(
      (await sm('us-west-2').send(new GetResourcePolicyCommand({ SecretId: 'pagerduty/payments' })))
        .ResourcePolicy,
    ).toBe(policy);
    // The partial ARN (without the random suffix) names the secret too.
    const read = await sm('us-west-2').send(
      new GetSecretValueCommand({ SecretId: replica.ARN?.slice(0, -7) }),
    );
    expect(read.SecretString).toBe(value);

    const put = await sm().send(
      new PutSecretValueCommand({ SecretId: 'pagerduty/payments', SecretString: '{"a":1}' }),
    );
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    expect(
      (await sm('us-west-2').send(new GetSecretValueCommand({ SecretId: 'pagerduty/payments' })))
        .SecretString,
    ).toBe('{"a":1}');
    const onReplica = await failure(() =>
      sm('us-west-2').send(new PutSecretValueCommand({ SecretId: 'pagerduty/payments', SecretString: 'x' })),
    );
    expect(onReplica.name).toBe('InvalidRequestException');
    const stillReplicated = await failure(() =>
      sm().send(new DeleteSecretCommand({ SecretId: 'pagerduty/payments' })),
    );
    expect(stillReplicated.name).toBe('InvalidRequestException');
  });

  it('without KmsKeyId the secret uses aws/secretsmanager (DescribeSecret names no key); a replica to a Region without the key fails', async () => {
    const created = await sm().send(new CreateSecretCommand({ Name: 'default-key', SecretString: 'x' }));
    const described = await sm().send(new DescribeSecretCommand({ SecretId: 'default-key' }));
    expect(described.KmsKeyId).toBeUndefined();
    const key = await keyOf(kms(), new CreateKeyCommand({}));
    const out = await sm().send(
      new ReplicateSecretToRegionsCommand({
        SecretId: created.ARN,
        AddReplicaRegions: [{ Region: 'eu-west-1', KmsKeyId: key.Arn }, { Region: 'us-west-2' }],
      }),
    );
    expect(out.ReplicationStatus?.map((r) => [r.Region, r.Status, r.KmsKeyId])).toEqual([
      ['eu-west-1', 'Failed', key.Arn],
      ['us-west-2', 'InSync', 'alias/aws/secretsmanager'],
    ]);
    expect(
      (await failure(() => sm('eu-west-1').send(new DescribeSecretCommand({ SecretId: 'default-key' }))))
        .name,
    ).toBe('ResourceNotFoundException');
  });

  it('answers AWS error codes: missing secret, existing name, deleted secret, asymmetric key, bad policy', async () => {
    const missing = await failure(() => sm().send(new GetSecretValueCommand({ SecretId: 'nope' })));
    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 400,
      message: "Secrets Manager can't find the specified secret.",
    });
    await sm().send(new CreateSecretCommand({ Name: 'twice', SecretString: 'x' }));
    expect(
      (await failure(() => sm().send(new CreateSecretCommand({ Name: 'twice', SecretString: 'y' })))).name,
    ).toBe('ResourceExistsException');
    const gone = await sm().send(new DeleteSecretCommand({ SecretId: 'twice', RecoveryWindowInDays: 7 }));
    expect(gone.DeletionDate).toBeInstanceOf(Date);
    expect((await failure(() => sm().send(new GetSecretValueCommand({ SecretId: 'twice' })))).name).toBe(
      'InvalidRequestException',
    );
    const rsa = await keyOf(kms(), new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }));
    const asym = await failure(() =>
      sm().send(new CreateSecretCommand({ Name: 'rsa', KmsKeyId: rsa.KeyId, SecretString: 'x' })),
    );
    expect(asym.name).toBe('EncryptionFailure');
    const policy = await failure(() =>
      sm().send(new PutResourcePolicyCommand({ SecretId: 'default-key', ResourcePolicy: 'not json' })),
    );
    expect(policy.name).toBe('MalformedPolicyDocumentException');
    const long = await failure(() => sm().send(new DescribeSecretCommand({ SecretId: 's'.repeat(2049) })));
    expect(long).toMatchObject({ name: 'ValidationException' });
    expect(long.message).toContain("at 'secretId' failed to satisfy constraint");
    // Another account's secret by ARN: no resource policy lets it in.
    const foreign = await failure(() =>
      sm('us-east-1', BOB).send(new DescribeSecretCommand({ SecretId: gone.ARN })),
    );
    expect(foreign.name).toBe('AccessDeniedException');
  });

  it('a retried CreateSecret with the same ClientRequestToken answers the first result', async () => {
    const input = { Name: 'retried', SecretString: 'x', ClientRequestToken: 'a'.repeat(32) };
    const first = await sm().send(new CreateSecretCommand(input));
    const again = await sm().send(new CreateSecretCommand(input));
    expect(again).toMatchObject({ ARN: first.ARN, VersionId: first.VersionId });
  });
});
