// AWSAccount → credentials → one client set per account and Region. The controller's own credential
// chain by default; AssumeRole with an external id per account, cached and refreshed before it
// expires; the caller identity verified. Endpoints come from the standard AWS environment
// (AWS_ENDPOINT_URL, AWS_REGION), which the SDK reads itself, so the emulator needs no special flag.
import { RAMClient } from '@aws-sdk/client-ram';
import { SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import { SSMIncidentsClient } from '@aws-sdk/client-ssm-incidents';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AWSAccountSpec } from '../crds/aws-account.ts';
import { type Clock, systemClock } from '../engine/clock.ts';
import { ClassifiedError } from '../engine/contract.ts';
import { type AwsGate, SDK_RETRY_CONFIG } from './gate.ts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type CredentialProvider = () => Promise<AwsCredentials>;

export const DEFAULT_SESSION_NAME = 'incident-manager-operator';

/** The STS calls the resolver needs; the SDK implementation is below, tests use their own. */
export interface StsPort {
  assumeRole(input: {
    roleArn: string;
    externalId?: string;
    sessionName: string;
    region: string;
    account: string;
  }): Promise<AwsCredentials>;
  callerIdentity(input: {
    credentials: CredentialProvider | undefined;
    region: string;
    account: string;
  }): Promise<{ account: string; arn: string }>;
}

/** STS through the gate, with the controller's own chain (or the given credentials). */
export function sdkSts(gate: AwsGate): StsPort {
  return {
    async assumeRole({ roleArn, externalId, sessionName, region, account }) {
      const sts = new STSClient({ region, ...SDK_RETRY_CONFIG });
      const out = await gate.call({ account, region, service: 'sts' }, 'AssumeRole', () =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: sessionName,
            ...(externalId ? { ExternalId: externalId } : {}),
            DurationSeconds: 3600,
          }),
        ),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw new ClassifiedError('AccessDenied', `AssumeRole ${roleArn} returned no credentials`);
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
    },
    async callerIdentity({ credentials, region, account }) {
      const sts = new STSClient({ region, ...SDK_RETRY_CONFIG, ...(credentials ? { credentials } : {}) });
      const out = await gate.call({ account, region, service: 'sts' }, 'GetCallerIdentity', () =>
        sts.send(new GetCallerIdentityCommand({})),
      );
      return { account: out.Account ?? '', arn: out.Arn ?? '' };
    },
  };
}

export interface ClientSet {
  account: string;
  region: string;
  contacts: SSMContactsClient;
  incidents: SSMIncidentsClient;
  ram: RAMClient;
}

export interface AccountResolverOptions {
  sts: StsPort;
  defaultRegion: string;
  clock?: Clock;
  /** Refresh assumed-role credentials this long before they expire. Default 5 min. */
  refreshBeforeMs?: number;
}

/** Name used for the controller's own account (no AWSAccount object). */
export const DEFAULT_ACCOUNT = 'default';

function fingerprint(spec: AWSAccountSpec | undefined): string {
  return spec
    ? `${spec.accountId}|${spec.roleArn ?? ''}|${spec.externalId ?? ''}|${spec.sessionName ?? ''}`
    : '';
}

export class AccountResolver {
  readonly #o: AccountResolverOptions & { clock: Clock; refreshBeforeMs: number };
  readonly #providers = new Map<string, { fp: string; provider: CredentialProvider | undefined }>();
  readonly #clients = new Map<string, { fp: string; set: ClientSet }>();

  constructor(opts: AccountResolverOptions) {
    this.#o = { clock: systemClock, refreshBeforeMs: 300_000, ...opts };
  }

  /**
   * Credentials for an account: undefined = the SDK's default chain (the controller's own identity);
   * otherwise a provider that assumes the role, caches the result and refreshes it before expiry.
   */
  credentials(name: string, spec: AWSAccountSpec | undefined): CredentialProvider | undefined {
    const fp = fingerprint(spec);
    const cached = this.#providers.get(name);
    if (cached && cached.fp === fp) return cached.provider;
    const provider = spec?.roleArn ? this.#assumeRoleProvider(name, spec, spec.roleArn) : undefined;
    this.#providers.set(name, { fp, provider });
    for (const k of [...this.#clients.keys()]) if (k.startsWith(`${name}|`)) this.#clients.delete(k);
    return provider;
  }

  #assumeRoleProvider(name: string, spec: AWSAccountSpec, roleArn: string): CredentialProvider {
    let current: AwsCredentials | undefined;
    let inflight: Promise<AwsCredentials> | undefined;
    const fresh = (c: AwsCredentials | undefined) =>
      c !== undefined &&
      (c.expiration === undefined || c.expiration.getTime() - this.#o.clock.now() > this.#o.refreshBeforeMs);
    return async () => {
      if (fresh(current)) return current!;
      inflight ??= this.#o.sts
        .assumeRole({
          roleArn,
          sessionName: spec.sessionName ?? DEFAULT_SESSION_NAME,
          region: spec.region,
          account: name,
          ...(spec.externalId ? { externalId: spec.externalId } : {}),
        })
        .then((c) => {
          current = c;
          return c;
        })
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    };
  }

  /**
   * Checks who we are in the account; an account id different from the spec is AccessDenied with
   * a message that says which identity was found (it is shown on the AWSAccount status).
   */
  async verify(name: string, spec: AWSAccountSpec): Promise<{ account: string; arn: string }> {
    const id = await this.#o.sts.callerIdentity({
      credentials: this.credentials(name, spec),
      region: spec.region,
      account: name,
    });
    if (id.account !== spec.accountId)
      throw new ClassifiedError(
        'AccessDenied',
        `The credentials for AWSAccount ${name} belong to account ${id.account} (${id.arn}), not spec.accountId ${spec.accountId}; ${
          spec.roleArn
            ? 'check spec.roleArn'
            : "set spec.roleArn or run the controller with this account's credentials"
        }`,
        { field: 'spec.accountId', rule: 'CallerIdentityMismatch' },
      );
    return id;
  }

  /** One client set per account and Region, rebuilt when the AWSAccount's settings change. */
  clients(name: string, spec: AWSAccountSpec | undefined, region?: string): ClientSet {
    const r = region ?? spec?.region ?? this.#o.defaultRegion;
    const fp = fingerprint(spec);
    const key = `${name}|${r}`;
    const hit = this.#clients.get(key);
    if (hit && hit.fp === fp) return hit.set;
    const credentials = this.credentials(name, spec);
    const config = { region: r, ...SDK_RETRY_CONFIG, ...(credentials ? { credentials } : {}) };
    const set: ClientSet = {
      account: name,
      region: r,
      contacts: new SSMContactsClient(config),
      incidents: new SSMIncidentsClient(config),
      ram: new RAMClient(config),
    };
    this.#clients.set(key, { fp, set });
    return set;
  }
}

/**
 * The AWSAccount an object names (spec.accountRef), read from the informer cache. No accountRef →
 * the controller's own credentials. A missing or not-Ready AWSAccount is DependencyNotReady, so
 * the object waits and is woken when the account becomes Ready.
 */
export function accountFor(
  lookup: (
    key: string,
  ) =>
    | { status?: { conditions?: Array<{ type: string; status: string; message?: string }> }; spec?: unknown }
    | undefined,
  mr: { spec: { accountRef?: { name: string } } },
): { name: string; spec: AWSAccountSpec | undefined } {
  const name = mr.spec.accountRef?.name;
  if (!name) return { name: DEFAULT_ACCOUNT, spec: undefined };
  const key = `AWSAccount//${name}`;
  const acct = lookup(key);
  if (!acct)
    throw new ClassifiedError('DependencyNotReady', `spec.accountRef: AWSAccount ${name} does not exist`, {
      dependencies: [key],
      field: 'spec.accountRef',
    });
  const ready = acct.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True')
    throw new ClassifiedError(
      'DependencyNotReady',
      `spec.accountRef: AWSAccount ${name} is not Ready${ready?.message ? ` (${ready.message})` : ''}`,
      { dependencies: [key], field: 'spec.accountRef' },
    );
  return { name, spec: acct.spec as AWSAccountSpec };
}
