// KMS over awsJson1_1 (X-Amz-Target: TrentService.*): keys (symmetric and asymmetric specs, single-
// and multi-Region with replicas), key policies, aliases and the AWS managed keys other services
// encrypt with by default (`alias/aws/secretsmanager`). No cryptography: keys are metadata and policy.
// State is per account and Region; a multi-Region key and its replicas share one key id.
import { AwsError } from '../../errors.ts';
import { MODELS } from '../../model/generated.ts';
import { modelOf, summarise, type Violation } from '../../model/validate.ts';
import type { Input, PluginFactory, RequestContext } from '../../service.ts';
import { type KmsKeyView, paginate, type TagMap, tags } from '../../store.ts';

const SERVICE = 'kms';
/** AWS managed keys a service creates on first use, by alias (the ones the emulated services use). */
const AWS_MANAGED = new Set(['alias/aws/secretsmanager', 'alias/aws/ssm']);
/** ListAliases / ListKeys page size when Limit is absent (API reference: 50). */
const DEFAULT_PAGE = 50;

type KeyState = 'Enabled' | 'Disabled';
interface Key {
  KeyId: string;
  Arn: string;
  Account: string;
  Region: string;
  CreationDate: number;
  Description: string;
  KeyUsage: string;
  KeySpec: string;
  Origin: string;
  KeyManager: 'CUSTOMER' | 'AWS';
  KeyState: KeyState;
  MultiRegion: boolean;
  /** Region of the primary key (multi-Region keys only). */
  primaryRegion?: string;
  policy: string;
  tags: TagMap;
}
interface Alias {
  AliasName: string;
  AliasArn: string;
  TargetKeyId: string;
  CreationDate: number;
}
interface State {
  keys: Map<string, Key>;
  aliases: Map<string, Alias>;
}
const init = (): State => ({ keys: new Map(), aliases: new Map() });

/** Key usages each key spec allows (KMS developer guide, key spec reference). */
function usagesOf(spec: string): string[] {
  if (spec === 'SYMMETRIC_DEFAULT') return ['ENCRYPT_DECRYPT'];
  if (spec.startsWith('HMAC_')) return ['GENERATE_VERIFY_MAC'];
  if (spec.startsWith('RSA_')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec === 'SM2') return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'];
  if (spec.startsWith('ECC_NIST') || spec === 'ECC_SECG_P256K1') return ['SIGN_VERIFY', 'KEY_AGREEMENT'];
  return ['SIGN_VERIFY'];
}
function algorithmsOf(spec: string, usage: string): Record<string, string[]> {
  if (usage === 'ENCRYPT_DECRYPT')
    return {
      EncryptionAlgorithms:
        spec === 'SYMMETRIC_DEFAULT' ? ['SYMMETRIC_DEFAULT'] : ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    };
  if (usage === 'GENERATE_VERIFY_MAC') return { MacAlgorithms: [spec.replace('HMAC_', 'HMAC_SHA_')] };
  if (usage === 'KEY_AGREEMENT') return { KeyAgreementAlgorithms: ['ECDH'] };
  return {
    SigningAlgorithms: spec.startsWith('RSA_')
      ? ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256']
      : ['ECDSA_SHA_256'],
  };
}

/** The policy KMS attaches when CreateKey has none: the account's IAM policies decide. */
export function defaultKeyPolicy(account: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

/** The policy of an AWS managed key: usable only through its service, by principals of the account. */
function awsManagedPolicy(account: string, region: string, service: string): string {
  const via = { 'kms:CallerAccount': account, 'kms:ViaService': `${service}.${region}.amazonaws.com` };
  return JSON.stringify({
    Version: '2012-10-17',
    Id: `auto-${service}-2`,
    Statement: [
      {
        Sid: `Allow access through ${service} for all principals in the account that are authorized to use it`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:CreateGrant',
          'kms:DescribeKey',
        ],
        Resource: '*',
        Condition: { StringEquals: via },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  });
}

const KEY_ARN = /^arn:aws(?:-cn|-us-gov)?:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws(?:-cn|-us-gov)?:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

function notFound(message: string): AwsError {
  return new AwsError('NotFoundException', message, 400);
}
function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicyDocumentException', message, 400);
}

/** A key policy must be a JSON object with a Statement (KMS checks much more; this is the shape). */
function checkPolicy(policy: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    throw malformed('The key policy is not valid JSON.');
  }
  const st = (doc as { Statement?: unknown })?.Statement;
  if (typeof doc !== 'object' || doc === null || st === undefined)
    throw malformed('The key policy must be a JSON object with a Statement.');
  for (const s of Array.isArray(st) ? st : [st]) {
    const { Effect, Principal, Action } = (s ?? {}) as Record<string, unknown>;
    if ((Effect !== 'Allow' && Effect !== 'Deny') || Principal === undefined || Action === undefined)
      throw malformed('Every key policy statement needs Effect (Allow or Deny), Principal and Action.');
  }
}

/** KMS error paths are the member names in lower camel case (`keyId`, `policy`). */
function camelPath(path: string): string {
  return path
    .split('.')
    .map((s) => s.charAt(0).toLowerCase() + s.slice(1))
    .join('.');
}

/** Violations with AWS's lower-camel member paths, for the awsJson1_1 services that use them. */
export function camelViolations(violations: Violation[]): Violation[] {
  return violations.map((v) => {
    const path = camelPath(v.path);
    return { ...v, path, message: v.message.replace(`at '${v.path}'`, `at '${path}'`) };
  });
}

export const createPlugin: PluginFactory = ({ store }) => {
  const stateOf = (account: string, region: string) => store.partition<State>(SERVICE, account, region, init);
  const arnBase = (account: string, region: string) => `arn:aws:kms:${region}:${account}`;

  function newKey(account: string, region: string, fields: Partial<Key> & { KeyId: string }): Key {
    const key: Key = {
      Arn: `${arnBase(account, region)}:key/${fields.KeyId}`,
      Account: account,
      Region: region,
      CreationDate: store.clock.now(),
      Description: '',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      KeyState: 'Enabled',
      MultiRegion: false,
      policy: defaultKeyPolicy(account),
      tags: {},
      ...fields,
    };
    stateOf(account, region).keys.set(key.KeyId, key);
    return key;
  }

  /** An AWS managed key exists once its service (or a DescribeKey of its alias) asks for it. */
  function awsManaged(account: string, region: string, aliasName: string): Key | undefined {
    if (!AWS_MANAGED.has(aliasName)) return undefined;
    const st = stateOf(account, region);
    const hit = st.aliases.get(aliasName);
    if (hit) return st.keys.get(hit.TargetKeyId);
    const service = aliasName.slice('alias/aws/'.length);
    const key = newKey(account, region, {
      KeyId: store.random.uuid(),
      KeyManager: 'AWS',
      Description: `Default key that protects my ${service} data when no other key is defined`,
      policy: awsManagedPolicy(account, region, service),
    });
    st.aliases.set(aliasName, {
      AliasName: aliasName,
      AliasArn: `${arnBase(account, region)}:${aliasName}`,
      TargetKeyId: key.KeyId,
      CreationDate: key.CreationDate,
    });
    return key;
  }

  /**
   * The key `id` names for a caller in (account, region). `aliases`: whether this operation takes
   * alias names and ARNs (DescribeKey does; GetKeyPolicy, PutKeyPolicy, ReplicateKey do not).
   */
  function resolve(id: string, account: string, region: string, aliases: boolean, ctx?: RequestContext): Key {
    const foreign = (owner: string, arn: string) => {
      if (owner !== account)
        throw new AwsError(
          'AccessDeniedException',
          `User: ${ctx?.callerArn ?? account} is not authorized to perform: kms:${ctx?.operation ?? 'DescribeKey'} on resource: ${arn} because no resource-based policy allows the kms:${ctx?.operation ?? 'DescribeKey'} action`,
          400,
        );
    };
    const keyArn = KEY_ARN.exec(id);
    if (keyArn) {
      foreign(keyArn[2] as string, id);
      const key = keyArn[1] === region ? stateOf(account, region).keys.get(keyArn[3] as string) : undefined;
      if (!key) throw notFound(`Key '${id}' does not exist`);
      return key;
    }
    const aliasArn = ALIAS_ARN.exec(id);
    const aliasName = aliasArn ? (aliasArn[3] as string) : id.startsWith('alias/') ? id : undefined;
    if (aliasName !== undefined) {
      if (!aliases) throw notFound(`Invalid keyId '${id}'`);
      if (aliasArn) foreign(aliasArn[2] as string, id);
      const aliasRegion = aliasArn ? (aliasArn[1] as string) : region;
      const st = stateOf(account, region);
      const alias = aliasRegion === region ? st.aliases.get(aliasName) : undefined;
      const key = alias ? st.keys.get(alias.TargetKeyId) : awsManaged(account, region, aliasName);
      if (!key || aliasRegion !== region)
        throw notFound(`Alias ${arnBase(account, region)}:${aliasName} is not found.`);
      return key;
    }
    const key = stateOf(account, region).keys.get(id);
    if (!key) throw notFound(`Key '${arnBase(account, region)}:key/${id}' does not exist`);
    return key;
  }

  function replicasOf(key: Key): Key[] {
    const out: Key[] = [];
    for (const p of store.partitionsOf<State>(SERVICE)) {
      if (p.account !== key.Account) continue;
      const k = p.state.keys.get(key.KeyId);
      if (k && k.primaryRegion !== k.Region) out.push(k);
    }
    return out.sort((a, b) => a.Region.localeCompare(b.Region));
  }

  function metadata(key: Key) {
    const multi = key.MultiRegion
      ? (() => {
          const primaryRegion = key.primaryRegion ?? key.Region;
          return {
            MultiRegionConfiguration: {
              MultiRegionKeyType: primaryRegion === key.Region ? 'PRIMARY' : 'REPLICA',
              PrimaryKey: {
                Arn: `${arnBase(key.Account, primaryRegion)}:key/${key.KeyId}`,
                Region: primaryRegion,
              },
              ReplicaKeys: replicasOf(key).map((r) => ({ Arn: r.Arn, Region: r.Region })),
            },
          };
        })()
      : {};
    return {
      AWSAccountId: key.Account,
      KeyId: key.KeyId,
      Arn: key.Arn,
      CreationDate: key.CreationDate / 1000,
      Enabled: key.KeyState === 'Enabled',
      Description: key.Description,
      KeyUsage: key.KeyUsage,
      KeyState: key.KeyState,
      Origin: key.Origin,
      KeyManager: key.KeyManager,
      CustomerMasterKeySpec: key.KeySpec,
      KeySpec: key.KeySpec,
      ...algorithmsOf(key.KeySpec, key.KeyUsage),
      MultiRegion: key.MultiRegion,
      ...multi,
    };
  }

  function customerKey(key: Key, ctx: RequestContext): Key {
    if (key.KeyManager === 'AWS')
      throw new AwsError(
        'AccessDeniedException',
        `User: ${ctx.callerArn} is not authorized to perform: kms:${ctx.operation} on resource: ${key.Arn} (an AWS managed key can't be changed)`,
        400,
      );
    return key;
  }

  const kmsKey = (account: string, region: string, keyId: string): KmsKeyView | undefined => {
    try {
      const key = resolve(keyId, account, region, true);
      return {
        arn: key.Arn,
        encrypts:
          key.KeyState === 'Enabled' &&
          key.KeySpec === 'SYMMETRIC_DEFAULT' &&
          key.KeyUsage === 'ENCRYPT_DECRYPT',
      };
    } catch {
      return undefined;
    }
  };
  store.provide({
    kmsKey,
    resourceExists: (arn) => {
      const m = KEY_ARN.exec(arn);
      return m ? stateOf(m[2] as string, m[1] as string).keys.has(m[3] as string) : false;
    },
  });

  return {
    name: SERVICE,
    protocol: 'awsJson1_1',
    targetPrefix: 'TrentService',
    model: modelOf(MODELS, SERVICE),
    validationError: (v) => new AwsError('ValidationException', summarise(camelViolations(v)), 400),
    throttlingError: () => new AwsError('ThrottlingException', 'Rate exceeded', 400),
    internalError: () => new AwsError('KMSInternalException', 'An internal error occurred', 500),
    handlers: {
      CreateKey(input: Input, ctx) {
        if (
          input.CustomKeyStoreId !== undefined ||
          input.XksKeyId !== undefined ||
          (input.Origin ?? 'AWS_KMS') !== 'AWS_KMS'
        )
          throw new AwsError(
            'UnsupportedOperationException',
            'The emulator creates keys with Origin AWS_KMS only (no custom key stores, no imported key material)',
            400,
          );
        const spec: string = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
        if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined)
          throw new AwsError(
            'ValidationException',
            'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated. Use KeySpec only',
            400,
          );
        const allowed = usagesOf(spec);
        const usage: string = input.KeyUsage ?? (allowed.length === 1 ? allowed[0] : undefined) ?? '';
        if (!allowed.includes(usage))
          throw new AwsError(
            'ValidationException',
            input.KeyUsage === undefined
              ? `KeyUsage is required for KeySpec ${spec}: one of ${allowed.join(', ')}`
              : `KeyUsage ${usage} is not compatible with KeySpec ${spec}`,
            400,
          );
        if (input.Policy !== undefined) checkPolicy(input.Policy);
        const multi = input.MultiRegion === true;
        const key = newKey(ctx.account, ctx.region, {
          KeyId: multi ? `mrk-${store.random.hex(32)}` : store.random.uuid(),
          Description: input.Description ?? '',
          KeyUsage: usage,
          KeySpec: spec,
          MultiRegion: multi,
          ...(multi ? { primaryRegion: ctx.region } : {}),
          policy: input.Policy ?? defaultKeyPolicy(ctx.account),
          tags: tags.fromList(input.Tags ?? [], 'TagKey', 'TagValue'),
        });
        return { KeyMetadata: metadata(key) };
      },
      DescribeKey(input: Input, ctx) {
        return { KeyMetadata: metadata(resolve(input.KeyId, ctx.account, ctx.region, true, ctx)) };
      },
      GetKeyPolicy(input: Input, ctx) {
        const name = input.PolicyName ?? 'default';
        const key = resolve(input.KeyId, ctx.account, ctx.region, false, ctx);
        if (name !== 'default') throw notFound(`Policy ${name} is not found for key ${key.Arn}`);
        return { Policy: key.policy, PolicyName: name };
      },
      PutKeyPolicy(input: Input, ctx) {
        const name = input.PolicyName ?? 'default';
        const key = customerKey(resolve(input.KeyId, ctx.account, ctx.region, false, ctx), ctx);
        if (name !== 'default') throw notFound(`Policy ${name} is not found for key ${key.Arn}`);
        checkPolicy(input.Policy);
        key.policy = input.Policy;
        return {};
      },
      ReplicateKey(input: Input, ctx) {
        const key = customerKey(resolve(input.KeyId, ctx.account, ctx.region, false, ctx), ctx);
        if (!key.MultiRegion)
          throw new AwsError('UnsupportedOperationException', `${key.Arn} is not a multi-Region key`, 400);
        if (key.primaryRegion !== key.Region)
          throw new AwsError(
            'UnsupportedOperationException',
            `${key.Arn} is a replica key; replicate the primary key in ${key.primaryRegion}`,
            400,
          );
        const region: string = input.ReplicaRegion;
        if (region === ctx.region)
          throw new AwsError(
            'ValidationException',
            `The replica Region ${region} is the primary key's Region`,
            400,
          );
        if (stateOf(ctx.account, region).keys.has(key.KeyId))
          throw new AwsError(
            'AlreadyExistsException',
            `${arnBase(ctx.account, region)}:key/${key.KeyId} already exists`,
            400,
          );
        if (input.Policy !== undefined) checkPolicy(input.Policy);
        const replica = newKey(ctx.account, region, {
          KeyId: key.KeyId,
          Description: input.Description ?? key.Description,
          KeyUsage: key.KeyUsage,
          KeySpec: key.KeySpec,
          MultiRegion: true,
          primaryRegion: key.Region,
          policy: input.Policy ?? defaultKeyPolicy(ctx.account),
          tags: tags.fromList(input.Tags ?? [], 'TagKey', 'TagValue'),
        });
        return {
          ReplicaKeyMetadata: metadata(replica),
          ReplicaPolicy: replica.policy,
          ReplicaTags: tags.toList(replica.tags, 'TagKey', 'TagValue'),
        };
      },
      EnableKey(input: Input, ctx) {
        customerKey(resolve(input.KeyId, ctx.account, ctx.region, false, ctx), ctx).KeyState = 'Enabled';
        return {};
      },
      DisableKey(input: Input, ctx) {
        customerKey(resolve(input.KeyId, ctx.account, ctx.region, false, ctx), ctx).KeyState = 'Disabled';
        return {};
      },
      CreateAlias(input: Input, ctx) {
        const name: string = input.AliasName;
        if (!name.startsWith('alias/') || name === 'alias/')
          throw new AwsError(
            'ValidationException',
            `Alias must start with the prefix "alias/": ${name}`,
            400,
          );
        if (name.startsWith('alias/aws/'))
          throw new AwsError(
            'NotAuthorizedException',
            `The alias ${name} is reserved for AWS managed keys`,
            400,
          );
        const key = customerKey(resolve(input.TargetKeyId, ctx.account, ctx.region, false, ctx), ctx);
        const st = stateOf(ctx.account, ctx.region);
        const arn = `${arnBase(ctx.account, ctx.region)}:${name}`;
        if (st.aliases.has(name))
          throw new AwsError('AlreadyExistsException', `An alias with the name ${arn} already exists`, 400);
        st.aliases.set(name, {
          AliasName: name,
          AliasArn: arn,
          TargetKeyId: key.KeyId,
          CreationDate: store.clock.now(),
        });
        return {};
      },
      DeleteAlias(input: Input, ctx) {
        const st = stateOf(ctx.account, ctx.region);
        const name: string = input.AliasName;
        if (!st.aliases.has(name) || name.startsWith('alias/aws/'))
          throw notFound(`Alias ${arnBase(ctx.account, ctx.region)}:${name} is not found.`);
        st.aliases.delete(name);
        return {};
      },
      ListAliases(input: Input, ctx) {
        const st = stateOf(ctx.account, ctx.region);
        // The AWS managed aliases of the emulated services are listed even before first use.
        for (const name of AWS_MANAGED)
          if (input.KeyId === undefined) awsManaged(ctx.account, ctx.region, name);
        const target =
          input.KeyId === undefined ? undefined : resolve(input.KeyId, ctx.account, ctx.region, false, ctx);
        const all = [...st.aliases.values()]
          .filter((a) => target === undefined || a.TargetKeyId === target.KeyId)
          .sort((a, b) => a.AliasName.localeCompare(b.AliasName));
        const { page, more } = markerPage(all, input, `${ctx.account}|${ctx.region}|${target?.KeyId ?? ''}`);
        return {
          Aliases: page.map((a) => ({
            ...a,
            CreationDate: a.CreationDate / 1000,
            LastUpdatedDate: a.CreationDate / 1000,
          })),
          ...more,
        };
      },
      ListKeys(input: Input, ctx) {
        const all = [...stateOf(ctx.account, ctx.region).keys.values()].sort((a, b) =>
          a.KeyId.localeCompare(b.KeyId),
        );
        const { page, more } = markerPage(all, input, `${ctx.account}|${ctx.region}`);
        return { Keys: page.map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })), ...more };
      },
    },
  };
};

/** KMS pages with Limit / Marker and answers Truncated + NextMarker. */
function markerPage<T>(items: readonly T[], input: Input, context: string) {
  const bad = () => new AwsError('InvalidMarkerException', 'The marker is not valid', 400);
  const { page, nextToken } = paginate(items, input.Limit, input.Marker, DEFAULT_PAGE, bad, context);
  return {
    page,
    more: { Truncated: nextToken !== undefined, ...(nextToken ? { NextMarker: nextToken } : {}) },
  };
}
