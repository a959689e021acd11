// Lease-based leader election on coordination.k8s.io/v1 (client-go's leaderelection semantics):
// one replica holds the Lease and renews it; others take over only after it expired or was
// released. A graceful shutdown releases the Lease so the hand-over is immediate.
import type { Clock, TimerHandle } from './clock.ts';
import { ClassifiedError } from './contract.ts';
import type { KubeClient, ResourceType } from './kube.ts';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** Storage of the one Lease; replace must fail with Conflict on a stale resourceVersion. */
export interface LeaseStore {
  get(): Promise<Lease | undefined>;
  create(lease: Lease): Promise<Lease>;
  replace(lease: Lease): Promise<Lease>;
}

const LEASES: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  namespaced: true,
};

export function kubeLeaseStore(client: KubeClient, namespace: string, name: string): LeaseStore {
  return {
    async get() {
      try {
        return await client.get<Lease>(LEASES, name, namespace);
      } catch (e) {
        if (e instanceof ClassifiedError && e.errorClass === 'NotFound') return undefined;
        throw e;
      }
    },
    create: (lease) => client.create(LEASES, lease, namespace),
    replace: (lease) => client.replace(LEASES, name, lease, namespace),
  };
}

export interface LeaderElectorOptions {
  store: LeaseStore;
  identity: string;
  namespace: string;
  name: string;
  clock: Clock;
  /** Defaults as in client-go: 15 s lease, renew deadline 10 s, retry every 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  onError?: (err: unknown) => void;
  /** Each read of the Lease (sharding counts the live replicas from what every shard Lease says). */
  onObserved?: (lease: Lease | undefined) => void;
  /**
   * Asked before taking a Lease this replica does not hold (absent, expired or released); false
   * leaves it for another replica this round. Renewing a held Lease is never asked.
   */
  mayAcquire?: (lease: Lease | undefined) => boolean;
}

export class LeaderElector {
  readonly #o: Required<Omit<LeaderElectorOptions, 'onError' | 'onObserved' | 'mayAcquire'>> &
    Pick<LeaderElectorOptions, 'onError' | 'onObserved' | 'mayAcquire'>;
  #leading = false;
  #stopped = false;
  #timer: TimerHandle | undefined;
  #lastRenew = 0;
  #observed: { holder: string; renew: string; seenAt: number } | undefined;

  constructor(opts: LeaderElectorOptions) {
    this.#o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
  }

  isLeader(): boolean {
    return this.#leading;
  }

  /**
   * Until when (clock ms) this replica may act as the holder: the start of its last successful
   * renewal plus the renew deadline; 0 when not leading. Past it the Lease may be another's soon,
   * even if the timer that stops leading has not run yet (an event loop stalled for seconds).
   */
  validUntil(): number {
    return this.#leading ? this.#lastRenew + this.#o.renewDeadlineMs : 0;
  }

  /** Starts trying to acquire the Lease, and renewing it once held. */
  start(): void {
    this.#stopped = false;
    void this.#tick();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimer(() => void this.#tick(), this.#o.retryPeriodMs);
  }

  async #tick(): Promise<void> {
    // The write lands after this moment: the others count the Lease from then or later.
    const attemptAt = this.#o.clock.now();
    try {
      const ok = await this.#withinRenewDeadline(this.#tryAcquireOrRenew());
      if (ok === 'deadline') {
        // A renewal still pending at the renew deadline (an API server or a connection pool slow
        // to answer): stop leading now, before the Lease can expire in the others' eyes; waiting
        // for the answer would let another replica take over while this one still writes.
        if (this.#leading) this.#lose();
      } else if (ok) {
        this.#lastRenew = attemptAt;
        if (!this.#leading && !this.#stopped) {
          this.#leading = true;
          this.#o.onStartedLeading();
        }
      } else if (this.#leading) this.#lose();
    } catch (e) {
      this.#o.onError?.(e);
      if (this.#leading && this.#o.clock.now() - this.#lastRenew > this.#o.renewDeadlineMs) this.#lose();
    }
    this.#schedule();
  }

  /** While leading, the attempt races the renew deadline (counted from the last successful attempt's start). */
  #withinRenewDeadline(attempt: Promise<boolean>): Promise<boolean | 'deadline'> {
    if (!this.#leading) return attempt;
    const left = this.#lastRenew + this.#o.renewDeadlineMs - this.#o.clock.now();
    return new Promise((resolve, reject) => {
      const timer = this.#o.clock.setTimer(() => resolve('deadline'), Math.max(0, left));
      attempt.then(
        (ok) => {
          timer.cancel();
          resolve(ok);
        },
        (e: unknown) => {
          timer.cancel();
          reject(e);
        },
      );
    });
  }

  #lose(): void {
    this.#leading = false;
    this.#o.onStoppedLeading();
  }

  #now(): string {
    return new Date(this.#o.clock.now()).toISOString().replace(/Z$/, '000Z'); // MicroTime
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = this.#o.clock.now();
    const me = this.#o.identity;
    const fresh = (): LeaseSpec => ({
      holderIdentity: me,
      leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
      acquireTime: this.#now(),
      renewTime: this.#now(),
    });
    const cur = await this.#o.store.get();
    this.#o.onObserved?.(cur);
    if (!cur) {
      if (this.#o.mayAcquire && !this.#o.mayAcquire(undefined)) return false;
      try {
        await this.#o.store.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.#o.name, namespace: this.#o.namespace },
          spec: { ...fresh(), leaseTransitions: 0 },
        });
        return true;
      } catch (e) {
        if (e instanceof ClassifiedError && e.errorClass === 'Conflict') return false;
        throw e;
      }
    }
    const holder = cur.spec.holderIdentity ?? '';
    const renew = cur.spec.renewTime ?? '';
    // Expiry is judged by our own clock from when we last saw the record change (client-go does
    // the same), so clock skew between replicas does not matter.
    if (!this.#observed || this.#observed.holder !== holder || this.#observed.renew !== renew)
      this.#observed = { holder, renew, seenAt: now };
    const duration = (cur.spec.leaseDurationSeconds ?? 15) * 1000;
    const held = holder !== '' && holder !== me && now < this.#observed.seenAt + duration;
    if (held) return false;
    if (holder !== me && this.#o.mayAcquire && !this.#o.mayAcquire(cur)) return false;
    const spec: LeaseSpec =
      holder === me
        ? { ...cur.spec, renewTime: this.#now() }
        : { ...fresh(), leaseTransitions: (cur.spec.leaseTransitions ?? 0) + 1 };
    try {
      await this.#o.store.replace({ ...cur, spec });
      return true;
    } catch (e) {
      if (e instanceof ClassifiedError && e.errorClass === 'Conflict') return false;
      throw e;
    }
  }

  /** Stops; when leading, releases the Lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    if (!this.#leading) return;
    this.#leading = false;
    try {
      const cur = await this.#o.store.get();
      if (cur && cur.spec.holderIdentity === this.#o.identity)
        await this.#o.store.replace({
          ...cur,
          spec: { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: this.#now() },
        });
    } catch (e) {
      this.#o.onError?.(e);
    }
  }
}
