// Sharding (`--shards N`): the objects are split by AWS account, so one account's gate (its rate and
// concurrency budget) lives in one process, and each shard is held through a Lease of its own
// (coordination.k8s.io, the leader election's semantics per shard). A replica first takes its home
// shard (the StatefulSet ordinal, else a hash of its identity); it takes another shard only when that
// shard's Lease has expired, or was never taken within two Lease durations of start, and only while
// it holds fewer than its fair share (shards ÷ live replicas, rounded up). A replica that dies stops
// renewing, and the others take its shards over once the Leases expire.
import { createHash } from 'node:crypto';
import type { Clock } from './clock.ts';
import type { ManagedObject } from './contract.ts';
import { LeaderElector, type Lease, type LeaseStore } from './leader.ts';

/** The shard of an account name ('' = the controller's own credentials). Stable across replicas and restarts. */
export function shardOf(account: string, shards: number): number {
  if (shards <= 1) return 0;
  return createHash('sha256').update(account).digest().readUInt32BE(0) % shards;
}

/** The account an object belongs to: an AWSAccount is its own, others name theirs (none = ''). */
export function accountOf(obj: ManagedObject): string {
  if (obj.kind === 'AWSAccount') return obj.metadata.name;
  return (obj.spec as { accountRef?: { name?: string } } | undefined)?.accountRef?.name ?? '';
}

/** A StatefulSet pod (`name-3`) starts with shard 3 (mod N); any other identity with a hash of it. */
export function homeShard(identity: string, shards: number): number {
  const ordinal = /-(\d+)$/.exec(identity)?.[1];
  return ordinal === undefined ? shardOf(identity, shards) : Number(ordinal) % shards;
}

export const shardLeaseName = (base: string, shard: number): string => `${base}-shard-${shard}`;

export interface ShardLeasesOptions {
  shards: number;
  identity: string;
  namespace: string;
  /** Lease names are `<leaseName>-shard-<i>`. */
  leaseName: string;
  store: (leaseName: string) => LeaseStore;
  clock: Clock;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onAcquired: (shard: number) => void;
  /** A held shard's Lease could not be renewed: another replica may take it over. */
  onLost: (shard: number) => void;
  onError?: (err: unknown) => void;
}

export class ShardLeases {
  readonly #o: ShardLeasesOptions;
  readonly #home: number;
  readonly #held = new Set<number>();
  /** Per shard: who holds its Lease and until when we consider them alive (our clock). */
  readonly #seen = new Map<number, { holder: string; renew: string; aliveUntil: number }>();
  readonly #electors: LeaderElector[] = [];
  /** Shards this replica decided to take, until the take shows (held) or a retry period passed. */
  readonly #claims = new Map<number, number>();
  #startedAt = 0;

  constructor(o: ShardLeasesOptions) {
    if (!Number.isInteger(o.shards) || o.shards < 1)
      throw new Error(`shards must be a positive integer, not ${o.shards}`);
    this.#o = o;
    this.#home = homeShard(o.identity, o.shards);
  }

  get home(): number {
    return this.#home;
  }

  held(): number[] {
    return [...this.#held].sort((a, b) => a - b);
  }

  /**
   * Whether this replica reconciles the object: its account's shard is held here, and the shard's
   * Lease was renewed within the renew deadline (a replica whose event loop stalled past it starts
   * no reconcile of that shard before its elector notices and it exits).
   */
  owns(obj: ManagedObject): boolean {
    return this.holdsAccount(accountOf(obj));
  }

  /** Whether the shard of this account (an AWSAccount name, '' for none) is held and renewed in time. */
  holdsAccount(account: string): boolean {
    const shard = shardOf(account, this.#o.shards);
    return this.#held.has(shard) && this.#o.clock.now() < (this.#electors[shard]?.validUntil() ?? 0);
  }

  start(): void {
    this.#startedAt = this.#o.clock.now();
    const duration = this.#o.leaseDurationMs ?? 15_000;
    for (let shard = 0; shard < this.#o.shards; shard++) {
      const name = shardLeaseName(this.#o.leaseName, shard);
      const elector = new LeaderElector({
        store: this.#o.store(name),
        identity: this.#o.identity,
        namespace: this.#o.namespace,
        name,
        clock: this.#o.clock,
        ...(this.#o.leaseDurationMs ? { leaseDurationMs: this.#o.leaseDurationMs } : {}),
        ...(this.#o.renewDeadlineMs ? { renewDeadlineMs: this.#o.renewDeadlineMs } : {}),
        ...(this.#o.retryPeriodMs ? { retryPeriodMs: this.#o.retryPeriodMs } : {}),
        onObserved: (lease) => this.#observe(shard, lease, duration),
        mayAcquire: (lease) => this.#mayAcquire(shard, lease, duration),
        onStartedLeading: () => {
          this.#held.add(shard);
          this.#o.onAcquired(shard);
        },
        onStoppedLeading: () => {
          this.#held.delete(shard);
          this.#o.onLost(shard);
        },
        ...(this.#o.onError ? { onError: this.#o.onError } : {}),
      });
      this.#electors.push(elector);
      elector.start();
    }
  }

  /** Releases every held Lease, so the other replicas take the shards over at their next retry. */
  async stop(): Promise<void> {
    this.#held.clear();
    await Promise.all(this.#electors.map((e) => e.stop()));
  }

  #observe(shard: number, lease: Lease | undefined, duration: number): void {
    const holder = lease?.spec.holderIdentity ?? '';
    const renew = lease?.spec.renewTime ?? '';
    const prev = this.#seen.get(shard);
    if (prev && prev.holder === holder && prev.renew === renew) return;
    const ms = (lease?.spec.leaseDurationSeconds ?? duration / 1000) * 1000;
    this.#seen.set(shard, { holder, renew, aliveUntil: this.#o.clock.now() + ms });
  }

  /** Replicas alive by the shard Leases (a replica without a shard is not seen), this one included. */
  #liveReplicas(): number {
    const now = this.#o.clock.now();
    const live = new Set<string>([this.#o.identity]);
    for (const s of this.#seen.values()) if (s.holder && s.aliveUntil > now) live.add(s.holder);
    return live.size;
  }

  #mayAcquire(shard: number, lease: Lease | undefined, duration: number): boolean {
    if (shard === this.#home) return true;
    const now = this.#o.clock.now();
    // A shard nobody ever took waits for its home replica a while (a rollout starts them together).
    if (!lease && now - this.#startedAt < 2 * duration) return false;
    // The shards' electors tick independently: a take still in flight counts against the share.
    const retry = this.#o.retryPeriodMs ?? 2_000;
    for (const [s, at] of this.#claims) if (this.#held.has(s) || now - at >= retry) this.#claims.delete(s);
    this.#claims.delete(shard);
    const fair = Math.ceil(this.#o.shards / this.#liveReplicas());
    if (this.#held.size + this.#claims.size >= fair) return false;
    this.#claims.set(shard, now);
    return true;
  }
}
