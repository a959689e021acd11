// Emulator state: partitioned by service, account and region; plus the shared helpers every
// service uses (ids, pagination, tags, idempotency, cross-service hooks). See CORE.md.
import { createHash } from 'node:crypto';
import { Accounts } from './accounts.ts';
import type { EmulatorClock } from './clock.ts';
import type { AwsError } from './errors.ts';
import { Random } from './random.ts';

/**
 * Cross-service questions. Each service installs the answers it owns; the others call them.
 * Unset hooks answer "no" so a service works alone.
 */
export interface Hooks {
  /** ssm-incidents: does `account` have a replication set whose status is ACTIVE? */
  replicationSetActive(account: string): boolean;
  /**
   * ssm-incidents: the first Region of the account's replication set (ssm-contacts tags may only be
   * set there), undefined without a set.
   */
  replicationSetFirstRegion(account: string): string | undefined;
  /**
   * ssm-incidents: applies the account's due replication-set transition now (transitions are lazy);
   * a finished delete calls `incidentManagerDataDeleted`. Services call it before reading their state.
   */
  settleReplicationSet(account: string): void;
  /** ssm-contacts: the account's replication set is gone; delete all its Incident Manager data. */
  incidentManagerDataDeleted(account: string): void;
  /** ssm-contacts: does this contact (or escalation plan / on-call schedule) ARN exist? */
  contactExists(contactArn: string): boolean;
  /** ram: is `resourceArn` shared with `account` by an ASSOCIATED share the account accepted? */
  sharedWith(resourceArn: string, account: string): boolean;
  /** ram: does `resourceArn` exist (so it can be associated with a share)? Resolved per service. */
  resourceExists(resourceArn: string): boolean;
  /**
   * kms: the key a key id, key ARN or alias (name or ARN) names in (account, region), as another
   * service sees it (`alias/aws/<service>` is created on first use); undefined when there is none.
   */
  kmsKey(account: string, region: string, keyId: string): KmsKeyView | undefined;
}

export interface KmsKeyView {
  arn: string;
  /** Enabled, symmetric and ENCRYPT_DECRYPT: what a service can encrypt data with. */
  encrypts: boolean;
}

export interface IdempotentEntry {
  fingerprint: string;
  result: unknown;
}

export class EmulatorStore {
  readonly clock: EmulatorClock;
  readonly accounts = new Accounts();
  readonly hooks: Hooks;
  random: Random;
  private readonly seed: number;
  private partitions = new Map<string, unknown>();
  private idempotency = new Map<string, IdempotentEntry>();
  private readonly hookImpls: Partial<Hooks> = {};
  /** IAM roles with settings for STS AssumeRole, keyed `account:roleName` (admin path PUT /__emulator/roles). */
  iamRoles = new Map<string, { externalId?: string }>();

  constructor(clock: EmulatorClock, seed = 1) {
    this.clock = clock;
    this.seed = seed;
    this.random = new Random(seed);
    const impls = this.hookImpls;
    this.hooks = {
      replicationSetActive: (a) => impls.replicationSetActive?.(a) ?? false,
      replicationSetFirstRegion: (a) => impls.replicationSetFirstRegion?.(a),
      settleReplicationSet: (a) => impls.settleReplicationSet?.(a),
      incidentManagerDataDeleted: (a) => impls.incidentManagerDataDeleted?.(a),
      contactExists: (c) => impls.contactExists?.(c) ?? false,
      sharedWith: (r, a) => impls.sharedWith?.(r, a) ?? false,
      kmsKey: (a, r, k) => impls.kmsKey?.(a, r, k),
      resourceExists: (r) => {
        const fn = impls.resourceExists;
        if (fn) return fn(r);
        return impls.contactExists?.(r) ?? false;
      },
    };
  }

  /** A service installs the hooks it answers. `resourceExists` implementations are chained. */
  provide(h: Partial<Hooks>): void {
    const prevExists = this.hookImpls.resourceExists;
    Object.assign(this.hookImpls, h);
    if (h.resourceExists && prevExists) {
      const next = h.resourceExists;
      this.hookImpls.resourceExists = (r) => next(r) || prevExists(r);
    }
  }

  /** The state object of `service` in (account, region), created by `init` on first use. Use region '' for account-global state. */
  partition<T>(service: string, account: string, region: string, init: () => T): T {
    const key = `${service}|${account}|${region}`;
    let p = this.partitions.get(key) as T | undefined;
    if (p === undefined) {
      p = init();
      this.partitions.set(key, p);
    }
    return p;
  }

  /** Every partition of a service (for cross-account lookups by ARN and hooks). */
  *partitionsOf<T>(service: string): Generator<{ account: string; region: string; state: T }> {
    for (const [key, state] of this.partitions) {
      const [svc, account, region] = key.split('|') as [string, string, string];
      if (svc === service) yield { account, region, state: state as T };
    }
  }

  /**
   * Idempotency registry. Returns the first result when the same token arrives with the same
   * request; throws `mismatch()` when it arrives with a different one; otherwise runs `fn`
   * and records its result. Requests without a token always run.
   */
  idempotent<R>(
    scope: string,
    token: string | undefined,
    request: unknown,
    mismatch: () => AwsError,
    fn: () => R,
  ): R {
    if (!token) return fn();
    const key = `${scope}|${token}`;
    const fingerprint = fingerprintOf(request);
    const seen = this.idempotency.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw mismatch();
      return seen.result as R;
    }
    const result = fn();
    this.idempotency.set(key, { fingerprint, result });
    return result;
  }

  dump(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.partitions) out[k] = v;
    return JSON.parse(JSON.stringify(out, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v)));
  }

  reset(): void {
    this.partitions = new Map();
    this.idempotency = new Map();
    this.accounts.reset();
    this.iamRoles = new Map();
    this.random = new Random(this.seed);
  }
}

export function fingerprintOf(request: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify(canon(request)))
    .digest('hex');
}

/** Opaque NextToken pagination. `bad()` builds the service's error for a token it did not issue. */
export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  defaultMax: number,
  bad: () => AwsError,
  context = '',
): { page: T[]; nextToken?: string } {
  let offset = 0;
  if (nextToken) {
    try {
      const d = JSON.parse(Buffer.from(nextToken, 'base64url').toString('utf8')) as { o: number; c: string };
      if (typeof d.o !== 'number' || d.c !== context) throw new Error('context');
      offset = d.o;
    } catch {
      throw bad();
    }
  }
  const size = maxResults ?? defaultMax;
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  if (next < items.length) {
    return { page, nextToken: Buffer.from(JSON.stringify({ o: next, c: context })).toString('base64url') };
  }
  return { page };
}

export type TagMap = Record<string, string>;
export type TagList = { key: string; value: string }[];

export const tags = {
  toList(m: TagMap, keyName = 'key', valueName = 'value'): Record<string, string>[] {
    return Object.entries(m).map(([k, v]) => ({ [keyName]: k, [valueName]: v }));
  },
  fromList(l: Record<string, string | undefined>[], keyName = 'key', valueName = 'value'): TagMap {
    const m: TagMap = {};
    for (const t of l) {
      const k = t[keyName];
      if (k !== undefined) m[k] = t[valueName] ?? '';
    }
    return m;
  },
  merge(into: TagMap, add: TagMap): TagMap {
    return { ...into, ...add };
  },
  remove(from: TagMap, keys: readonly string[]): TagMap {
    const m = { ...from };
    for (const k of keys) delete m[k];
    return m;
  },
};
