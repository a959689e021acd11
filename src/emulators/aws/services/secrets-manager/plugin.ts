// Secrets Manager over awsJson1_1 (X-Amz-Target: secretsmanager.*): secrets with their versions,
// encryption key (KMS, through the `kmsKey` hook; the AWS managed `aws/secretsmanager` key when none
// is given), resource policy, deletion with a recovery window, and replication to other Regions.
// State is per account and Region. A replica is a record in its Region that reads the primary's
// versions and policy (what AWS keeps in sync) with its own ARN and key.
import { AwsError } from '../../errors.ts';
import { MODELS } from '../../model/generated.ts';
import { modelOf, summarise } from '../../model/validate.ts';
import type { Input, PluginFactory, RequestContext } from '../../service.ts';
import { camelViolations } from '../kms/plugin.ts';

const SERVICE = 'secretsmanager';
const DEFAULT_KEY = 'alias/aws/secretsmanager';
const DAY_MS = 86_400_000;
const SECRET_ARN = /^arn:aws(?:-cn|-us-gov)?:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;

interface Version {
  VersionId: string;
  SecretString?: string;
  SecretBinary?: string;
  stages: string[];
  created: number;
}
interface Replica {
  /** As the caller gave it; undefined = the Region's aws/secretsmanager key. */
  KmsKeyId?: string;
  Status: 'InSync' | 'Failed';
  StatusMessage: string;
}
interface Secret {
  ARN: string;
  Name: string;
  Description?: string;
  /** As the caller gave it; undefined = aws/secretsmanager (DescribeSecret then omits it). */
  KmsKeyId?: string;
  CreatedDate: number;
  LastChangedDate: number;
  Tags: { Key: string; Value: string }[];
  versions: Version[];
  policy?: string;
  deletedAt?: number;
  deletionDate?: number;
  /** Primary secrets: their replicas by Region. */
  replicas: Map<string, Replica>;
  /** Replica secrets: the primary's Region (the secret's name is the same there). */
  primaryRegion?: string;
}
interface State {
  secrets: Map<string, Secret>;
}
const init = (): State => ({ secrets: new Map() });

function notFound(): AwsError {
  return new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400);
}
function invalidRequest(message: string): AwsError {
  return new AwsError('InvalidRequestException', message, 400);
}
function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message, 400);
}

const sec = (ms: number) => ms / 1000;

export const createPlugin: PluginFactory = ({ store }) => {
  const stateOf = (account: string, region: string) => store.partition<State>(SERVICE, account, region, init);

  /** A secret past its recovery window is gone (deletion is lazy, on the next look). */
  function purge(st: State, s: Secret): boolean {
    if (s.deletionDate !== undefined && store.clock.now() >= s.deletionDate) {
      st.secrets.delete(s.Name);
      return true;
    }
    return false;
  }

  /** The secret `id` (name, full ARN or ARN without the 6-character suffix) names for the caller. */
  function lookup(id: string, ctx: RequestContext): Secret {
    const st = stateOf(ctx.account, ctx.region);
    const arn = SECRET_ARN.exec(id);
    let s: Secret | undefined;
    if (arn) {
      if (arn[2] !== ctx.account)
        throw new AwsError(
          'AccessDeniedException',
          `User: ${ctx.callerArn} is not authorized to perform: secretsmanager:${ctx.operation} on resource: ${id} because no resource-based policy allows the secretsmanager:${ctx.operation} action`,
          400,
        );
      if (arn[1] !== ctx.region) throw notFound();
      s = [...st.secrets.values()].find((x) => x.ARN === id || x.ARN.slice(0, -7) === id);
    } else s = st.secrets.get(id);
    if (!s || purge(st, s)) throw notFound();
    return s;
  }

  function primaryOf(s: Secret, ctx: RequestContext): Secret {
    if (s.primaryRegion === undefined) return s;
    return stateOf(ctx.account, s.primaryRegion).secrets.get(s.Name) ?? s;
  }

  function notDeleted(s: Secret): void {
    if (s.deletedAt !== undefined)
      throw invalidRequest(
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
  }
  function notReplica(s: Secret): void {
    if (s.primaryRegion !== undefined)
      throw invalidRequest(
        `Operation not permitted on a replica secret. Call must be made in primary secret's region ${s.primaryRegion}.`,
      );
  }

  /** The key a secret is encrypted with must exist in the Region and encrypt (symmetric, enabled). */
  function encryptionKey(account: string, region: string, keyId: string | undefined): string | undefined {
    const key = store.hooks.kmsKey(account, region, keyId ?? DEFAULT_KEY);
    if (!key?.encrypts)
      return `Secrets Manager can't encrypt the protected secret text using the provided KMS key ${keyId ?? DEFAULT_KEY} in ${region}. Check that the KMS key is available, enabled, symmetric, and not in an invalid state.`;
    return undefined;
  }

  function newVersion(s: Secret, versionId: string, input: Input, stages: string[] | undefined): Version {
    if (input.SecretString !== undefined && input.SecretBinary !== undefined)
      throw invalidParameter(
        "You can't specify both a binary secret value and a string secret value in the same secret.",
      );
    const labels = stages ?? ['AWSCURRENT'];
    const now = store.clock.now();
    for (const v of s.versions) {
      if (labels.includes('AWSCURRENT') && v.stages.includes('AWSCURRENT'))
        v.stages = [...v.stages.filter((l) => l !== 'AWSCURRENT' && l !== 'AWSPREVIOUS'), 'AWSPREVIOUS'];
      else if (labels.includes('AWSCURRENT')) v.stages = v.stages.filter((l) => l !== 'AWSPREVIOUS');
      v.stages = v.stages.filter((l) => l === 'AWSPREVIOUS' || !labels.includes(l));
    }
    s.versions = s.versions.filter((v) => v.stages.length > 0);
    const version: Version = {
      VersionId: versionId,
      ...(input.SecretString !== undefined ? { SecretString: input.SecretString } : {}),
      ...(input.SecretBinary !== undefined ? { SecretBinary: input.SecretBinary } : {}),
      stages: labels,
      created: now,
    };
    s.versions.push(version);
    s.LastChangedDate = now;
    return version;
  }

  /** Creates or refreshes the replicas of `primary` in `regions` and reports their status. */
  function replicate(
    primary: Secret,
    regions: { Region: string; KmsKeyId?: string }[],
    force: boolean,
    ctx: RequestContext,
  ): void {
    for (const { Region, KmsKeyId } of regions) {
      if (Region === ctx.region)
        throw invalidParameter(`Invalid replica Region: ${Region} is the primary Region.`);
      const st = stateOf(ctx.account, Region);
      const there = st.secrets.get(primary.Name);
      const problem =
        there && there.primaryRegion !== ctx.region && !force
          ? `Replication failed: Secret name already exists in Region ${Region}.`
          : encryptionKey(ctx.account, Region, KmsKeyId);
      primary.replicas.set(Region, {
        ...(KmsKeyId !== undefined ? { KmsKeyId } : {}),
        Status: problem ? 'Failed' : 'InSync',
        StatusMessage: problem ?? 'Replication succeeded',
      });
      if (problem) continue;
      const suffix = primary.ARN.slice(primary.ARN.lastIndexOf('-'));
      st.secrets.set(primary.Name, {
        ARN: `arn:aws:secretsmanager:${Region}:${ctx.account}:secret:${primary.Name}${suffix}`,
        Name: primary.Name,
        ...(KmsKeyId !== undefined ? { KmsKeyId } : {}),
        CreatedDate: store.clock.now(),
        LastChangedDate: store.clock.now(),
        Tags: primary.Tags,
        versions: [],
        replicas: new Map(),
        primaryRegion: ctx.region,
      });
    }
  }

  function replicationStatus(s: Secret) {
    return [...s.replicas].map(([Region, r]) => ({
      Region,
      KmsKeyId: r.KmsKeyId ?? DEFAULT_KEY,
      Status: r.Status,
      StatusMessage: r.StatusMessage,
    }));
  }

  store.provide({
    resourceExists: (arn) => {
      const m = SECRET_ARN.exec(arn);
      if (!m) return false;
      return [...stateOf(m[2] as string, m[1] as string).secrets.values()].some((s) => s.ARN === arn);
    },
  });

  return {
    name: SERVICE,
    protocol: 'awsJson1_1',
    targetPrefix: 'secretsmanager',
    model: modelOf(MODELS, SERVICE),
    validationError: (v) => new AwsError('ValidationException', summarise(camelViolations(v)), 400),
    throttlingError: () => new AwsError('ThrottlingException', 'Rate exceeded', 400),
    internalError: () => new AwsError('InternalServiceError', 'An internal error occurred', 500),
    handlers: {
      CreateSecret(input: Input, ctx) {
        const st = stateOf(ctx.account, ctx.region);
        const existing = st.secrets.get(input.Name);
        if (existing && !purge(st, existing)) {
          if (existing.deletedAt !== undefined)
            throw invalidRequest(
              "You can't create this secret because a secret with this name is already scheduled for deletion.",
            );
          // The SDK's ClientRequestToken is the version id: a retried create is answered once more.
          const same = existing.versions.find((v) => v.VersionId === input.ClientRequestToken);
          if (same && same.SecretString === input.SecretString && same.SecretBinary === input.SecretBinary)
            return {
              ARN: existing.ARN,
              Name: existing.Name,
              VersionId: same.VersionId,
              ReplicationStatus: replicationStatus(existing),
            };
          throw new AwsError(
            'ResourceExistsException',
            `The operation failed because the secret ${input.Name} already exists.`,
            400,
          );
        }
        const problem = encryptionKey(ctx.account, ctx.region, input.KmsKeyId);
        if (problem) throw new AwsError('EncryptionFailure', problem, 400);
        const now = store.clock.now();
        const s: Secret = {
          ARN: `arn:aws:secretsmanager:${ctx.region}:${ctx.account}:secret:${input.Name}-${store.random.upperAlnum(6)}`,
          Name: input.Name,
          ...(input.Description !== undefined ? { Description: input.Description } : {}),
          ...(input.KmsKeyId !== undefined ? { KmsKeyId: input.KmsKeyId } : {}),
          CreatedDate: now,
          LastChangedDate: now,
          Tags: input.Tags ?? [],
          versions: [],
          replicas: new Map(),
        };
        const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
        const version = hasValue
          ? newVersion(s, input.ClientRequestToken ?? store.random.uuid(), input, undefined)
          : undefined;
        st.secrets.set(s.Name, s);
        replicate(s, input.AddReplicaRegions ?? [], input.ForceOverwriteReplicaSecret === true, ctx);
        return {
          ARN: s.ARN,
          Name: s.Name,
          ...(version ? { VersionId: version.VersionId } : {}),
          ReplicationStatus: replicationStatus(s),
        };
      },
      DescribeSecret(input: Input, ctx) {
        const s = lookup(input.SecretId, ctx);
        const p = primaryOf(s, ctx);
        return {
          ARN: s.ARN,
          Name: s.Name,
          ...(p.Description !== undefined ? { Description: p.Description } : {}),
          ...(s.KmsKeyId !== undefined ? { KmsKeyId: s.KmsKeyId } : {}),
          CreatedDate: sec(s.CreatedDate),
          LastChangedDate: sec(p.LastChangedDate),
          ...(s.deletedAt !== undefined ? { DeletedDate: sec(s.deletedAt) } : {}),
          Tags: p.Tags,
          VersionIdsToStages: Object.fromEntries(p.versions.map((v) => [v.VersionId, v.stages])),
          PrimaryRegion: s.primaryRegion ?? ctx.region,
          ...(s.replicas.size > 0 ? { ReplicationStatus: replicationStatus(s) } : {}),
        };
      },
      GetSecretValue(input: Input, ctx) {
        const s = lookup(input.SecretId, ctx);
        notDeleted(s);
        const p = primaryOf(s, ctx);
        const stage = input.VersionStage ?? (input.VersionId === undefined ? 'AWSCURRENT' : undefined);
        const v = p.versions.find(
          (x) =>
            (input.VersionId === undefined || x.VersionId === input.VersionId) &&
            (stage === undefined || x.stages.includes(stage)),
        );
        if (!v)
          throw new AwsError(
            'ResourceNotFoundException',
            input.VersionId !== undefined
              ? `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`
              : `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
            400,
          );
        return {
          ARN: s.ARN,
          Name: s.Name,
          VersionId: v.VersionId,
          ...(v.SecretString !== undefined ? { SecretString: v.SecretString } : {}),
          ...(v.SecretBinary !== undefined ? { SecretBinary: v.SecretBinary } : {}),
          VersionStages: v.stages,
          CreatedDate: sec(v.created),
        };
      },
      PutSecretValue(input: Input, ctx) {
        const s = lookup(input.SecretId, ctx);
        notDeleted(s);
        notReplica(s);
        if (input.SecretString === undefined && input.SecretBinary === undefined)
          throw invalidParameter('You must provide either SecretString or SecretBinary.');
        const token: string = input.ClientRequestToken ?? store.random.uuid();
        const same = s.versions.find((v) => v.VersionId === token);
        if (same) {
          if (same.SecretString !== input.SecretString || same.SecretBinary !== input.SecretBinary)
            throw new AwsError(
              'ResourceExistsException',
              "You can't modify an existing version, you can only create a new version.",
              400,
            );
          return { ARN: s.ARN, Name: s.Name, VersionId: same.VersionId, VersionStages: same.stages };
        }
        const v = newVersion(s, token, input, input.VersionStages);
        return { ARN: s.ARN, Name: s.Name, VersionId: v.VersionId, VersionStages: v.stages };
      },
      GetResourcePolicy(input: Input, ctx) {
        const s = lookup(input.SecretId, ctx);
        const policy = primaryOf(s, ctx).policy;
        return { ARN: s.ARN, Name: s.Name, ...(policy !== undefined ? { ResourcePolicy: policy } : {}) };
      },
      PutResourcePolicy(input: Input, ctx) {
        const s = lookup(input.SecretId, ctx);
        notReplica(s);
        let doc: unknown;
        try {
          doc = JSON.parse(input.ResourcePolicy);
        } catch {
          throw new AwsError(
            'MalformedPolicyDocumentException',
            'The resource policy is not valid JSON.',
            400,
          );
        }
        if (typeof doc !== 'object' || doc === null || !('Statement' in doc))
          throw new AwsError(
            'MalformedPolicyDocumentException',
            'The resource policy must be a JSON object with a Statement.',
            400,
          );
        s.policy = input.ResourcePolicy;
        return { ARN: s.ARN, Name: s.Name };
      },
      DeleteResourcePolicy(input: Input, ctx) {
        const s = lookup(input.SecretId, ctx);
        notReplica(s);
        delete s.policy;
        return { ARN: s.ARN, Name: s.Name };
      },
      DeleteSecret(input: Input, ctx) {
        const s = lookup(input.SecretId, ctx);
        notReplica(s);
        const force = input.ForceDeleteWithoutRecovery === true;
        if (force && input.RecoveryWindowInDays !== undefined)
          throw invalidParameter(
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
          );
        const live = [...s.replicas].filter(([, r]) => r.Status === 'InSync').map(([region]) => region);
        if (live.length > 0)
          throw invalidRequest(
            `You can't delete secret ${s.Name} that still has replica regions [${live.join(', ')}]; remove them from replication first.`,
          );
        const now = store.clock.now();
        s.deletedAt ??= now;
        s.deletionDate = force ? now : now + (input.RecoveryWindowInDays ?? 30) * DAY_MS;
        const out = { ARN: s.ARN, Name: s.Name, DeletionDate: sec(s.deletionDate) };
        if (force) stateOf(ctx.account, ctx.region).secrets.delete(s.Name);
        return out;
      },
      RestoreSecret(input: Input, ctx) {
        const s = lookup(input.SecretId, ctx);
        delete s.deletedAt;
        delete s.deletionDate;
        return { ARN: s.ARN, Name: s.Name };
      },
      ReplicateSecretToRegions(input: Input, ctx) {
        const s = lookup(input.SecretId, ctx);
        notDeleted(s);
        notReplica(s);
        replicate(s, input.AddReplicaRegions, input.ForceOverwriteReplicaSecret === true, ctx);
        return { ARN: s.ARN, ReplicationStatus: replicationStatus(s) };
      },
      RemoveRegionsFromReplication(input: Input, ctx) {
        const s = lookup(input.SecretId, ctx);
        notReplica(s);
        for (const region of input.RemoveReplicaRegions as string[]) {
          if (!s.replicas.delete(region)) continue;
          const st = stateOf(ctx.account, region);
          if (st.secrets.get(s.Name)?.primaryRegion === ctx.region) st.secrets.delete(s.Name);
        }
        return { ARN: s.ARN, ReplicationStatus: replicationStatus(s) };
      },
    },
  };
};
