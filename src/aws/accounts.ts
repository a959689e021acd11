// AWSAccount → credentials → one client set per account and Region. The controller's own credential
// chain by default; AssumeRole with an external id per account through the SDK's
// fromTemporaryCredentials, cached per account and refreshed before it expires (memoize), and
// assumed again at once when AWS says the session expired. Every client carries the gate. Endpoints
// come from the standard AWS environment (AWS_ENDPOINT_URL, AWS_REGION), which the SDK reads itself.
import { createRequire } from 'node:module';
import type * as KmsSdk from '@aws-sdk/client-kms';
import type { KMSClient } from '@aws-sdk/client-kms';
import { RAMClient } from '@aws-sdk/client-ram';
import type * as SecretsSdk from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import { SSMIncidentsClient } from '@aws-sdk/client-ssm-incidents';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { memoize } from '@smithy/property-provider';
import type { AWSAccountSpec } from '../crds/aws-account.ts';
import { type Clock, systemClock } from '../engine/clock.ts';
import { ClassifiedError } from '../engine/contract.ts';
import {
  type ContactsRegionStatus,
  ContactsRegions,
  type ObserveDeps,
  type RegionAsk,
} from './contacts-region.ts';
import { AwsGate, classify, type GatedClient, type GateTarget, SDK_RETRY_CONFIG } from './gate.ts';

const requireSdk = createRequire(import.meta.url);
/** An SDK client package loaded synchronously on first use (they ship CommonJS builds). */
function sdk(pkg: '@aws-sdk/client-kms'): typeof KmsSdk;
function sdk(pkg: '@aws-sdk/client-secrets-manager'): typeof SecretsSdk;
function sdk(pkg: string): unknown {
  return requireSdk(pkg);
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
/** `forceRefresh` skips the cache (an expired session). */
export type CredentialProvider = (options?: { forceRefresh?: boolean }) => Promise<AwsCredentials>;

export const DEFAULT_SESSION_NAME = 'incident-manager-operator';
/** Lifetime asked of each assumed-role session. */
export const SESSION_SECONDS = 3600;

export interface AssumeRoleInput {
  roleArn: string;
  externalId?: string;
  sessionName: string;
  region: string;
  account: string;
}

/** The STS calls the resolver needs; the SDK implementation is below, tests may use their own. */
export interface StsPort {
  /** One AssumeRole (no cache: the resolver caches). */
  assumeRole(input: AssumeRoleInput): Promise<AwsCredentials>;
  callerIdentity(input: {
    credentials: CredentialProvider | undefined;
    region: string;
    account: string;
  }): Promise<{ account: string; arn: string }>;
}

/** STS through the gate, with the controller's own chain as the source identity. */
export function sdkSts(gate: AwsGate, clientConfig: { maxAttempts?: number } = {}): StsPort {
  const assumers = new Map<string, () => Promise<AwsCredentials>>();
  const own = new Map<string, STSClient>();
  const byProvider = new WeakMap<CredentialProvider, Map<string, STSClient>>();
  const config = (region: string) => ({ region, ...SDK_RETRY_CONFIG, ...clientConfig });
  return {
    assumeRole(input) {
      const key = JSON.stringify([
        input.account,
        input.region,
        input.roleArn,
        input.externalId,
        input.sessionName,
      ]);
      let assume = assumers.get(key);
      if (!assume) {
        const target: GateTarget = { account: input.account, region: input.region, service: 'sts' };
        assume = fromTemporaryCredentials({
          params: {
            RoleArn: input.roleArn,
            RoleSessionName: input.sessionName,
            ...(input.externalId ? { ExternalId: input.externalId } : {}),
            DurationSeconds: SESSION_SECONDS,
          },
          clientConfig: config(input.region),
          clientPlugins: [gate.plugin(target)],
        }) as () => Promise<AwsCredentials>;
        assumers.set(key, assume);
      }
      return assume();
    },
    async callerIdentity({ credentials, region, account }) {
      // One client per account, Region and credential provider (a changed AWSAccount has a new one).
      let cache = credentials ? byProvider.get(credentials) : own;
      if (!cache) {
        cache = new Map();
        if (credentials) byProvider.set(credentials, cache);
      }
      const key = `${account}|${region}`;
      let sts = cache.get(key);
      if (!sts) {
        sts = new STSClient({ ...config(region), ...(credentials ? { credentials } : {}) });
        gate.attach(sts, { account, region, service: 'sts' }, refresher(sts, credentials));
        cache.set(key, sts);
      }
      const out = await sts.send(new GetCallerIdentityCommand({}));
      return { account: out.Account ?? '', arn: out.Arn ?? '' };
    },
  };
}

/** An expired session is refreshed through the client's own credential cache, down to AssumeRole. */
function refresher(
  client: { config: { credentials: unknown } },
  provider: CredentialProvider | undefined,
): { refreshCredentials?: () => Promise<unknown> } {
  if (!provider) return {};
  return {
    refreshCredentials: () =>
      (client.config.credentials as (o: { forceRefresh: boolean }) => Promise<unknown>)({
        forceRefresh: true,
      }),
  };
}

export interface ClientSet {
  account: string;
  region: string;
  /**
   * The 12-digit id of the account these clients act in: the AWSAccount's spec.accountId (verified
   * by its reconciler), or asked of STS once for the controller's own credentials.
   */
  accountId?(): Promise<string>;
  /**
   * The Region of `contacts` and `contactsRam`, resolved per call: the replication set's first
   * Region, where ssm-contacts accepts tags (src/aws/contacts-region.ts); `region` until a set exists.
   */
  contactsRegion(): Promise<string>;
  contacts: SSMContactsClient;
  /**
   * ssm-contacts of this account in a given Region: a contact another account shares lives in its
   * owner's contacts Region, and ssm-contacts answers only for its own Region's resources.
   */
  contactsIn(region: string): SSMContactsClient;
  incidents: SSMIncidentsClient;
  /** RAM in `region` (response plans, invitations). */
  ram: RAMClient;
  /** RAM in `contactsRegion`: a contact is shared from its own Region. */
  contactsRam: RAMClient;
  /** Secrets Manager, KMS and STS: read by the ResponsePlan PagerDuty preflight. */
  secrets: SecretsManagerClient;
  kms: KMSClient;
  sts: STSClient;
  /**
   * SSM in `region` (a response plan's runbook document). Built on first use, with the SDK module
   * loaded then: most processes never need it.
   */
  ssm(): Promise<SSMClient>;
}

export interface AccountResolverOptions {
  sts?: StsPort;
  /** Attached to every client built here; one of its own when none is given. */
  gate?: AwsGate;
  defaultRegion: string;
  clock?: Clock;
  /** Refresh assumed-role credentials this long before they expire. Default 5 min. */
  refreshBeforeMs?: number;
  /** SDK client settings over SDK_RETRY_CONFIG (tests: maxAttempts 1). */
  clientConfig?: { maxAttempts?: number };
  /** An AWSAccount's status.contactsRegion (what was chosen before a restart). */
  contactsSeed?: (account: string) => ContactsRegionStatus | undefined;
  /** How long a chosen contacts Region is used before AWS is asked again. Default 10 min. */
  contactsRegionTtlMs?: number;
}

/** Name used for the controller's own account (no AWSAccount object). */
export const DEFAULT_ACCOUNT = 'default';

function fingerprint(spec: AWSAccountSpec | undefined): string {
  return spec
    ? `${spec.accountId}|${spec.roleArn ?? ''}|${spec.externalId ?? ''}|${spec.sessionName ?? ''}`
    : '';
}

export class AccountResolver {
  readonly #o: AccountResolverOptions & {
    clock: Clock;
    refreshBeforeMs: number;
    gate: AwsGate;
    sts: StsPort;
  };
  readonly #providers = new Map<string, { fp: string; provider: CredentialProvider | undefined }>();
  readonly #clients = new Map<string, { fp: string; set: ClientSet }>();
  /** Each account's ssm-contacts Region (the replication set's first Region). */
  readonly contactsRegions: ContactsRegions;

  constructor(opts: AccountResolverOptions) {
    const clock = opts.clock ?? systemClock;
    const gate = opts.gate ?? new AwsGate({ clock });
    this.#o = {
      refreshBeforeMs: 300_000,
      ...opts,
      clock,
      gate,
      sts: opts.sts ?? sdkSts(gate, opts.clientConfig),
    };
    this.contactsRegions = new ContactsRegions({
      now: () => clock.now(),
      ...(opts.contactsRegionTtlMs ? { ttlMs: opts.contactsRegionTtlMs } : {}),
    });
  }

  /** What observing an account's contacts Region needs: ssm-incidents at home, ssm-contacts anywhere. */
  observeDeps(name: string, spec: AWSAccountSpec | undefined): ObserveDeps {
    const home = this.clients(name, spec);
    return {
      incidents: home.incidents,
      contactsIn: (region) => this.clients(name, spec, undefined, region).contacts,
      accountId: () => home.accountId?.() ?? Promise.resolve(''),
    };
  }

  /** What a contacts Region is chosen from: the home Region, spec.contactsRegion, the status. */
  contactsAsk(name: string, spec: AWSAccountSpec | undefined): RegionAsk {
    const seed = this.#o.contactsSeed?.(name);
    return {
      accountId: spec?.accountId,
      home: spec?.region ?? this.#o.defaultRegion,
      explicit: spec?.contactsRegion,
      ...(seed ? { seed } : {}),
    };
  }

  /**
   * The Region of the account's ssm-contacts clients: the replication set's first Region once a set
   * exists, else the home Region. An explicit spec.contactsRegion AWS contradicts is refused.
   */
  async contactsRegion(name: string, spec: AWSAccountSpec | undefined): Promise<string> {
    const ask = this.contactsAsk(name, spec);
    const got = await this.contactsRegions.regionOf(name, this.observeDeps(name, spec), ask);
    if (got?.mismatch)
      throw new ClassifiedError('InvalidSpec', got.mismatch, {
        field: 'spec.contactsRegion',
        reason: 'ContactsRegionMismatch',
      });
    return got?.region ?? ask.home;
  }

  get gate(): AwsGate {
    return this.#o.gate;
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
    const input: AssumeRoleInput = {
      roleArn,
      sessionName: spec.sessionName ?? DEFAULT_SESSION_NAME,
      region: spec.region,
      account: name,
      ...(spec.externalId ? { externalId: spec.externalId } : {}),
    };
    const assume = async (): Promise<AwsCredentials> => {
      try {
        return await this.#o.sts.assumeRole(input);
      } catch (e) {
        throw assumeRoleError(e, input);
      }
    };
    const { clock, refreshBeforeMs } = this.#o;
    // The SDK's memoize: one AssumeRole shared by concurrent callers and by every client of the
    // account; a new one when the session is within refreshBeforeMs of its end, or when forced.
    return memoize(
      assume,
      (c) => c.expiration !== undefined && c.expiration.getTime() - clock.now() <= refreshBeforeMs,
      (c) => c.expiration !== undefined,
    ) as CredentialProvider;
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

  /**
   * One client set per account and Region, rebuilt when the AWSAccount's settings change. The
   * ssm-contacts clients go to the account's contacts Region (`contactsRegion()`, resolved per
   * call), or to `contactsRegion` when given.
   */
  clients(
    name: string,
    spec: AWSAccountSpec | undefined,
    region?: string,
    contactsRegion?: string,
  ): ClientSet {
    const r = region ?? spec?.region ?? this.#o.defaultRegion;
    const fp = fingerprint(spec);
    const key = `${name}|${r}|${contactsRegion ?? ''}`;
    const hit = this.#clients.get(key);
    if (hit && hit.fp === fp) return hit.set;
    const credentials = this.credentials(name, spec);
    const config = {
      region: r,
      ...SDK_RETRY_CONFIG,
      ...this.#o.clientConfig,
      ...(credentials ? { credentials } : {}),
    };
    const gate = this.#o.gate;
    // A client whose Region is resolved per call is paced in the lane of the home Region.
    const gated = <C extends GatedClient & { config: { credentials: unknown } }>(
      client: C,
      service: GateTarget['service'],
      region: string = r,
    ) => gate.attach(client, { account: name, region, service }, refresher(client, credentials));
    const contactsRegionOf = () =>
      contactsRegion !== undefined ? Promise.resolve(contactsRegion) : this.contactsRegion(name, spec);
    // The SDK asks the region provider on every call (endpoint and signature).
    const inContacts = { ...config, region: contactsRegionOf };
    let own: Promise<string> | undefined;
    let ssm: Promise<SSMClient> | undefined;
    let secrets: SecretsManagerClient | undefined;
    let kms: KMSClient | undefined;
    // Every client is built on first use: each is ~20 KiB of heap (config, middleware stack, HTTP
    // handler), and most accounts' objects use one or two services (simple contacts: ssm-contacts).
    let contacts: SSMContactsClient | undefined;
    let incidents: SSMIncidentsClient | undefined;
    let ram: RAMClient | undefined;
    let contactsRam: RAMClient | undefined;
    let sts: STSClient | undefined;
    const set: ClientSet = {
      account: name,
      region: r,
      accountId: () => {
        if (spec) return Promise.resolve(spec.accountId);
        own ??= this.#o.sts
          .callerIdentity({ credentials, region: r, account: name })
          .then((id) => id.account)
          .catch((e: unknown) => {
            own = undefined; // asked again on the next visit
            throw e;
          });
        return own;
      },
      contactsRegion: contactsRegionOf,
      get contacts() {
        contacts ??= gated(new SSMContactsClient(inContacts), 'ssm-contacts', contactsRegion);
        return contacts;
      },
      contactsIn: (region) => this.clients(name, spec, r, region).contacts,
      get incidents() {
        incidents ??= gated(new SSMIncidentsClient(config), 'ssm-incidents');
        return incidents;
      },
      get ram() {
        ram ??= gated(new RAMClient(config), 'ram');
        return ram;
      },
      get contactsRam() {
        contactsRam ??= gated(new RAMClient(inContacts), 'ram', contactsRegion);
        return contactsRam;
      },
      // Their SDK packages too are loaded on first use: only a PagerDuty plan's preflight reads
      // them, and every controller loading both cost ~5 MiB of heap and tens of MiB of RSS.
      get secrets() {
        secrets ??= gated(
          new (sdk('@aws-sdk/client-secrets-manager').SecretsManagerClient)(config),
          'secretsmanager',
        );
        return secrets;
      },
      get kms() {
        kms ??= gated(new (sdk('@aws-sdk/client-kms').KMSClient)(config), 'kms');
        return kms;
      },
      get sts() {
        sts ??= gated(new STSClient(config), 'sts');
        return sts;
      },
      ssm: () => {
        ssm ??= (async () => {
          const { SSMClient } = await import('@aws-sdk/client-ssm');
          return gated(new SSMClient(config), 'ssm');
        })();
        return ssm;
      },
    };
    this.#clients.set(key, { fp, set });
    return set;
  }
}

/**
 * AssumeRole refused: say which settings decide it. A trust policy that requires an external id
 * refuses any other with the same AccessDenied as a role that does not trust us at all.
 */
function assumeRoleError(e: unknown, input: AssumeRoleInput): ClassifiedError {
  const err = classify(e, 'AssumeRole', 'sts');
  if (err.errorClass !== 'AccessDenied') return err;
  const aws = err.message.replace(/^AssumeRole: /, '').replace(/\. Grant the controller's role.*$/, '');
  return new ClassifiedError(
    'AccessDenied',
    `AssumeRole ${input.roleArn} was refused (${aws}). Check spec.externalId ${
      input.externalId ? 'matches' : 'is set to'
    } the sts:ExternalId the role's trust policy requires, and that the policy trusts the controller's identity (spec.roleArn)`,
    { cause: e, operation: 'AssumeRole', field: 'spec.externalId', rule: 'AssumeRoleDenied' },
  );
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
