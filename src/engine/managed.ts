// The generic managed-resource reconciler (ARCHITECTURE.md, "Engine rules"): one small function per
// step — read → deletion branch → validation → references → finalizer → client → observe →
// create | update | nothing. It returns an Outcome; only the controller loop schedules.
import type { ClientSet } from '../aws/accounts.ts';
import { chooseCandidate, notOwner, readFound, sharedBy } from './adoption.ts';
import { describeChange, EVENT_MESSAGE_MAX, referenceNames } from './change.ts';
import type { Clock } from './clock.ts';
import { type ConditionInput, getCondition, Reason } from './conditions.ts';
import {
  asClassified,
  ClassifiedError,
  type Ctx,
  changedAt,
  type ErrorClass,
  type FieldDiff,
  type Found,
  isNotFound,
  type KindClient,
  type KindHandler,
  type ManagedObject,
  type Observation,
  type Outcome,
  Outcomes,
  objectKey,
  parseKey,
  type ReferenceField,
  uidOf,
} from './contract.ts';
import type { EventRecorder } from './events.ts';
import { alreadyManagedMessage, objectLabel } from './holders.ts';
import { idempotencyToken, newPendingMark, ownedBy } from './identity.ts';
import {
  CREATE_PENDING_ANNOTATION,
  EXTERNAL_ARN_ANNOTATION,
  FINALIZER,
  LAST_WRITE_ANNOTATION,
} from './names.ts';
import { deletionPolicyOf, managesAws, writesAws } from './policy.ts';
import { FULL_READ_EVERY, ReadPolicy } from './read-policy.ts';
import { isReasonName, type ReasonName } from './reasons.ts';
import {
  checkForeignReferences,
  consumerShares,
  describeUnresolved,
  foreignReferences,
  indexedFields,
  type Lookup,
  type ReferenceIndex,
  refOfOtherAccount,
  resolveReferences,
} from './references.ts';
import { deriveStatus, type StatusChange, type StatusPort, StatusWriter } from './status.ts';

/** Metadata writes the reconciler needs; each returns the object as stored after the write. */
export interface MetadataPort extends StatusPort {
  addFinalizer(obj: ManagedObject, finalizer: string): Promise<ManagedObject>;
  removeFinalizer(obj: ManagedObject, finalizer: string): Promise<ManagedObject>;
  /**
   * Sets (string) or removes (null) annotations, guarded by the object's resourceVersion unless
   * `unguarded` (a stamp that must not be lost to a stale cache after an AWS write went through).
   */
  patchAnnotations(
    obj: ManagedObject,
    changes: Record<string, string | null>,
    opts?: { unguarded?: boolean },
  ): Promise<ManagedObject>;
}

export interface ManagedDeps {
  clock: Clock;
  /** Reads objects from the informer caches by key (kind/namespace/name). */
  lookup: Lookup;
  kube: MetadataPort;
  events: EventRecorder;
  refs: ReferenceIndex;
  /**
   * The other object of the kind that manages `identity` (default: the object's external-arn
   * annotation), when this one must not (holders.ts); the Engine keeps the index.
   */
  holderOf?: (obj: ManagedObject, identity?: string) => ManagedObject | undefined;
  /**
   * The client set of the object's account and Region (the one account-resolution path); throws
   * DependencyNotReady while its AWSAccount is missing or not Ready.
   */
  clientsFor: (obj: ManagedObject) => ClientSet;
  /** Drift-check period and its ± jitter fraction. Defaults 10 min and 0.1. */
  resyncMs?: number;
  resyncJitter?: number;
  /** First poll while AWS works asynchronously; doubles up to the resync. Default 5 s. */
  pollMs?: number;
  /**
   * First read after this controller's own write (create or update), so Ready follows AWS rather
   * than a fixed wait; doubles while AWS does not show the write yet. Default 250 ms (pollMs when smaller).
   */
  confirmMs?: number;
  /**
   * How long after its own successful write (create or update) this controller trusts that write
   * over a read that does not find the object (eventual consistency): it polls instead of taking
   * the object for deleted. The time of the write is kept in an annotation, so a restart keeps
   * the allowance. Default 2 min.
   */
  readLagMs?: number;
  /**
   * Resync periods between two full reads of a settled object; the resync visits in between read
   * partially where the kind can (read-policy.ts). Default FULL_READ_EVERY (4); 1 reads every
   * visit in full.
   */
  fullReadEvery?: number;
  /** Consecutive throttled attempts before Synced=False/Throttled is shown. Default 3. */
  throttledThreshold?: number;
  random?: () => number;
  /** Called after an update was sent to AWS (drift-corrections metric). */
  onUpdate?: (kind: string, paths: string[]) => void;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export interface ReconcileInfo {
  /** Consecutive failures of this key so far (from the queue). */
  attempt: number;
}

type Managed = ManagedObject;

/** Earliest revisit a kind's nextVisitMs may ask for (no hot loop on a time already past). */
const MIN_VISIT_MS = 1_000;

const ready = (status: ConditionInput['status'], reason: Reason, message = ''): ConditionInput => ({
  type: 'Ready',
  status,
  reason,
  message,
});
const synced = (status: ConditionInput['status'], reason: Reason, message = ''): ConditionInput => ({
  type: 'Synced',
  status,
  reason,
  message,
});

const CLASS_REASONS: Partial<Record<ErrorClass, ReasonName>> = {
  InvalidSpec: Reason.InvalidSpec,
  AccessDenied: Reason.AccessDenied,
  Throttled: Reason.Throttled,
  DependencyNotReady: Reason.ReferencesNotReady,
};

/** The condition reason of an error: its own, its rule when that is a catalogued reason, else its class's. */
export function reasonOf(err: ClassifiedError): ReasonName {
  if (err.reason) return err.reason;
  if (isReasonName(err.rule)) return err.rule;
  return CLASS_REASONS[err.errorClass] ?? Reason.ReconcileError;
}

/** A read plus "not found, but we wrote it a moment ago": read lag, not deletion. */
type Looked<D> = Found<D> | { exists: false; lag: true };

/**
 * Every object always carries both Ready and Synced: a condition not written yet takes the other's
 * reason and message with status False (waiting for an AWSAccount says why it has not synced; an
 * AccessDenied first create says why it is not ready).
 */
function bothConditions(obj: Managed, change: StatusChange): StatusChange {
  const has = (t: 'Ready' | 'Synced') => getCondition(obj.status?.conditions, t) !== undefined;
  const missing = (t: 'Ready' | 'Synced') =>
    !has(t) && change[t === 'Ready' ? 'ready' : 'synced'] === undefined;
  const from = change.ready ?? change.synced;
  if (!from) return change;
  const fill = (t: 'Ready' | 'Synced') => ({ ...from, type: t, status: 'False' as const });
  return {
    ...change,
    ...(missing('Ready') ? { ready: fill('Ready') } : {}),
    ...(missing('Synced') ? { synced: fill('Synced') } : {}),
  };
}

/** `prefix` then the before/after of each field (AWS → spec), within an Event message's bound. */
function change(prefix: string, diff: readonly FieldDiff[], names: ReadonlyMap<string, string>): string {
  return prefix + describeChange(diff, { names, max: EVENT_MESSAGE_MAX - prefix.length });
}

export function describeDiff(diff: readonly FieldDiff[]): string {
  return diff.map((d) => d.path).join(', ');
}

export class ManagedReconciler<K extends Managed, D> {
  readonly #h: KindHandler<K, D>;
  readonly #d: ManagedDeps;
  readonly #status: StatusWriter;
  readonly #resyncMs: number;
  readonly #pollMs: number;
  readonly #confirmMs: number;
  /** The last poll delay of each key while it is polled (doubled by the next poll). */
  readonly #polls = new Map<string, number>();
  /**
   * Writes this process made and has not read back yet (key → when): the cache may not show our
   * own annotation and status yet on the next visit. After a restart the annotation speaks.
   */
  readonly #unread = new Map<string, number>();
  /**
   * The difference each of our updates corrected (key → its JSON) until a read shows none: a read
   * showing exactly it again is read lag. Process memory: after a restart such a read costs one
   * repeated update, as before.
   */
  readonly #sent = new Map<string, string>();
  /** Which resync visits may read partially. */
  readonly #reads: ReadPolicy;

  constructor(handler: KindHandler<K, D>, deps: ManagedDeps) {
    this.#h = handler;
    this.#d = deps;
    this.#status = new StatusWriter(deps.kube);
    this.#resyncMs = handler.resyncMs ?? deps.resyncMs ?? 600_000;
    this.#pollMs = deps.pollMs ?? 5_000;
    this.#confirmMs = Math.min(deps.confirmMs ?? 250, this.#pollMs);
    // A full read every k resync periods of the engine, whatever this kind's own resync (a kind
    // that comes back more often for time-driven status reads in full no more often for it).
    const every = deps.fullReadEvery ?? FULL_READ_EVERY;
    this.#reads = new ReadPolicy((every * (deps.resyncMs ?? 600_000)) / this.#resyncMs);
  }

  get kind(): string {
    return this.#h.kind;
  }

  async reconcile(key: string, info: ReconcileInfo = { attempt: 0 }): Promise<Outcome> {
    const cached = this.#d.lookup(key) as K | undefined;
    if (!cached) {
      this.#d.refs.remove(key);
      this.#forget(key);
      return Outcomes.done();
    }
    // Work on a copy: the cache belongs to the informer.
    let obj = structuredClone(cached);
    try {
      if (obj.metadata.deletionTimestamp) return await this.#deletion(obj);
      const invalid = this.#validate(obj);
      if (invalid) return await this.#fail(obj, invalid, info);
      // Another object manages this identity: refused before any AWS call.
      if (this.#manages(obj)) this.#refuseHeld(obj);
      const refs = await this.#references(obj);
      if (!refs.ok) return refs.outcome;
      const owner = await this.#sharedBy(obj);
      if (owner !== undefined && this.#manages(obj)) throw await this.#notOwner(obj, owner);
      const client = this.#client(obj);
      // A reference of another account that has not arrived is waited for before any write.
      await this.#foreignReferencesReadable(obj, client, refs.fields, refs.resolved);
      if (this.#manages(obj)) obj = await this.#ensureFinalizer(obj);
      const desired = this.#h.toDesired(obj, refs.resolved, writesAws(this.#h, obj));
      const partial = this.#partialRead(obj);
      const obs = await this.#observe(obj, client, desired, owner, partial);
      if (!obs.exists) {
        if ('lag' in obs) return await this.#awaitRead(obj);
        return await this.#create(obj, client, desired);
      }
      this.#unread.delete(key);
      return await this.#sync(obj, client, desired, obs, refs.names);
    } catch (e) {
      return await this.#fail(obj, asClassified(e), info);
    }
  }

  // ---- steps ----

  /** Throws AlreadyManaged when another live object of the kind manages `identity` (holders.ts). */
  #refuseHeld(obj: K, identity?: string): void {
    const holder = this.#d.holderOf?.(obj, identity);
    if (!holder) return;
    const arn = identity ?? obj.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION] ?? '';
    throw new ClassifiedError('InvalidSpec', alreadyManagedMessage(obj, holder, arn), {
      field: `metadata.annotations.${EXTERNAL_ARN_ANNOTATION}`,
      reason: this.#h.conflictReason ?? Reason.AlreadyManaged,
    });
  }

  #manages(obj: K): boolean {
    return managesAws(obj);
  }

  #validate(obj: K): ClassifiedError | undefined {
    const errs = this.#h.validate?.(obj) ?? [];
    const first = errs[0];
    if (!first) return undefined;
    const message = errs.map((e) => `${e.path}: ${e.message}`).join('; ');
    return new ClassifiedError('InvalidSpec', message, {
      field: first.path,
      rule: first.rule,
      reason: first.reason,
    });
  }

  async #references(obj: K): Promise<
    | {
        ok: true;
        resolved: ReadonlyMap<string, string>;
        names: ReadonlyMap<string, string>;
        fields: ReferenceField[];
      }
    | { ok: false; outcome: Outcome }
  > {
    const fields = this.#h.references?.(obj) ?? [];
    this.#d.refs.indexObject(obj, indexedFields(obj, fields));
    const r = resolveReferences(obj, fields, this.#d.lookup);
    if (r.ok)
      return {
        ok: true,
        fields,
        resolved: r.resolved,
        names: referenceNames(fields, r.resolved, obj.metadata.namespace),
      };
    const message = `Waiting for references: ${describeUnresolved(r.unresolved)}`;
    await this.#write(obj, { ready: ready('False', Reason.ReferencesNotReady, message) });
    return {
      ok: false,
      outcome: Outcomes.waiting(
        Reason.ReferencesNotReady,
        r.unresolved.map((u) => u.key),
        this.#jittered(),
      ),
    };
  }

  /**
   * The owner account when the external-arn annotation names a resource another account shares
   * with this one: observed read-only, managing it is refused at once (NotOwner), deleting the
   * object leaves it in place.
   */
  async #sharedBy(obj: K): Promise<string | undefined> {
    if (obj.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION] === undefined) return undefined;
    return sharedBy(obj, await this.#d.clientsFor(obj).accountId?.());
  }

  async #notOwner(obj: K, owner: string): Promise<ClassifiedError> {
    return notOwner(obj, owner, (await this.#d.clientsFor(obj).accountId?.()) ?? '');
  }

  /**
   * Referenced ARNs of other accounts (given, or resolved from another AWSAccount's object), one
   * read each per visit: one the AWS object uses that is gone is ReferenceLost, one whose share has
   * not arrived yet is ReferencesNotReady saying what is missing.
   */
  async #foreignReferencesReadable(
    obj: K,
    c: KindClient<K, D>,
    fields: ReferenceField[],
    resolved: ReadonlyMap<string, string>,
  ): Promise<void> {
    const readable = c.referenceReadable?.bind(c);
    const lookup = this.#d.lookup;
    if (!readable || !fields.some((f) => f.arn !== undefined || refOfOtherAccount(obj, f, lookup))) return;
    const own = await this.#d.clientsFor(obj).accountId?.();
    if (own === undefined) return;
    const refs = foreignReferences(obj, fields, resolved, own, lookup);
    if (refs.length === 0) return;
    const inUse = this.#h.referencesInUse?.(obj);
    await checkForeignReferences(refs, own, readable, {
      ...(inUse ? { inUse: new Set(inUse) } : {}),
      consumer: consumerShares(obj, lookup),
    });
  }

  async #ensureFinalizer(obj: K): Promise<K> {
    if (obj.metadata.finalizers?.includes(FINALIZER)) return obj;
    return (await this.#d.kube.addFinalizer(obj, FINALIZER)) as K;
  }

  /** The kind's I/O on the object's account: resolved here, once, for every kind. */
  #client(obj: K): KindClient<K, D> {
    return this.#h.client(this.#d.clientsFor(obj), obj);
  }

  #ctx(obj: K, desired: D, identity?: string): Ctx<D> {
    const ann = obj.metadata.annotations ?? {};
    const pendingMark = ann[CREATE_PENDING_ANNOTATION];
    return {
      identity: identity ?? ann[EXTERNAL_ARN_ANNOTATION],
      idempotencyToken: (operation) => idempotencyToken(uidOf(obj), pendingMark ?? '', operation),
      desired,
      writes: writesAws(this.#h, obj),
      event: (type, reason, message) => this.#d.events.record(obj, type, reason, message),
    };
  }

  /**
   * This visit may read partially (read-policy.ts): the resync of an object that is settled for its
   * generation, with nothing of ours pending.
   */
  #partialRead(obj: K): boolean {
    const key = objectKey(obj);
    const settled = (t: 'Ready' | 'Synced') => getCondition(obj.status?.conditions, t)?.status === 'True';
    return (
      this.#reads.partial(key, this.#d.clock.now()) &&
      settled('Ready') &&
      settled('Synced') &&
      obj.status?.observedGeneration === obj.metadata.generation &&
      !this.#unread.has(key) &&
      !this.#sent.has(key) &&
      !this.#polls.has(key)
    );
  }

  async #observe(
    obj: K,
    c: KindClient<K, D>,
    desired: D,
    owner: string | undefined,
    partial: boolean,
  ): Promise<Observation<D> | { exists: false; lag: true }> {
    const base = this.#ctx(obj, desired);
    const ctx = owner === undefined ? base : { ...base, sharedBy: owner, writes: false };
    const now = this.#d.clock.now();
    // Lists a partial read may share: taken within half the engine's resync (about two per account
    // and period; a kind that comes back more often, a rotation, shares them across its visits).
    const lists = { nowMs: now, listsSince: now - (this.#d.resyncMs ?? 600_000) / 2 };
    let found = await this.#find(obj, c, partial ? { ...ctx, partial: lists } : ctx);
    // What a consumer cannot read of a shared resource is not drift.
    const diffOf = (f: Extract<Looked<D>, { exists: true }>) =>
      this.#h.diff(desired, f.observed).filter((d) => !(f.unreadable ?? []).some((p) => changedAt([d], p)));
    let diff = found.exists ? diffOf(found) : [];
    // Memory never drives a write nor a change of Ready: a partial read that shows anything is
    // taken again in full.
    if (partial && found.exists && found.partial && (diff.length > 0 || found.phase !== 'Active')) {
      found = await this.#find(obj, c, ctx);
      diff = found.exists ? diffOf(found) : [];
    }
    if (found.exists) this.#reads.read(objectKey(obj), uidOf(obj), found.partial === true);
    if (!found.exists) return found;
    const obs: Observation<D> = { ...found, diff };
    if (owner !== undefined)
      obs.message = `Shared by account ${owner}, observed read-only: only the owner account can change, tag or share it`;
    return obs;
  }

  /**
   * The engine's one policy for finding the AWS object: by identity when known (NotFound right
   * after our own write is read lag); else by name, where an object carrying our ownership tag is
   * ours to adopt, anyone else's is observed (Observe) or refused, never taken over silently.
   */
  async #find(obj: K, c: KindClient<K, D>, ctx: Ctx<D>): Promise<Looked<D>> {
    const identity = obj.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION];
    if (identity !== undefined) {
      const read = await readFound(c, identity, obj, ctx);
      if (read.exists || obj.metadata.deletionTimestamp || !this.#withinReadLag(obj)) return read;
      return { exists: false, lag: true };
    }
    if (this.#neverCreated(obj)) return { exists: false };
    const pick = chooseCandidate(this.#h, obj, await c.findByName(obj, ctx), this.#d.lookup);
    return pick ? readFound(c, pick.identity, obj, ctx) : { exists: false };
  }

  /**
   * No create was ever tried for this object (the pending mark goes on before every create) and
   * the kind's create refuses a taken name: the look-up by name would find nothing of ours, and
   * anyone else's name is told by the create's conflict (#createOrAdopt), so it is not made.
   */
  #neverCreated(obj: K): boolean {
    return (
      this.#h.createRefusesTakenName === true &&
      this.#manages(obj) &&
      !obj.metadata.deletionTimestamp &&
      obj.metadata.annotations?.[CREATE_PENDING_ANNOTATION] === undefined
    );
  }

  async #create(obj: K, client: KindClient<K, D>, desired: D): Promise<Outcome> {
    if (!this.#manages(obj)) {
      await this.#write(obj, {
        ready: ready('False', Reason.ExternalNotFound, this.#missingMessage(obj)),
        synced: synced(
          'True',
          Reason.ObserveOnly,
          'managementPolicy is Observe: the controller never writes to AWS',
        ),
      });
      return Outcomes.synced(this.#jittered());
    }
    // Before the pending mark: a create that must wait leaves no mark (a mark costs a look-up later).
    const wait = this.#h.createWaitsFor?.(obj);
    if (wait) throw wait;
    const ann = obj.metadata.annotations ?? {};
    const lostIdentity = ann[EXTERNAL_ARN_ANNOTATION];
    let mark = ann[CREATE_PENDING_ANNOTATION];
    if (lostIdentity !== undefined || mark === undefined) {
      // A fresh mark (hence a fresh token) for a first create, or for a re-create after the AWS
      // object vanished: replaying the old token would return the deleted object's ARN.
      mark = newPendingMark(this.#d.clock.now());
      obj = (await this.#d.kube.patchAnnotations(obj, {
        [CREATE_PENDING_ANNOTATION]: mark,
        [EXTERNAL_ARN_ANNOTATION]: null,
      })) as K;
      if (lostIdentity !== undefined)
        await this.#d.events.record(
          obj,
          'Warning',
          'ExternalMissing',
          `AWS object ${lostIdentity} no longer exists; creating it again`,
        );
    }
    const identity = await this.#createOrAdopt(obj, client, this.#ctx(obj, desired));
    this.#unread.set(objectKey(obj), this.#d.clock.now());
    obj = (await this.#d.kube.patchAnnotations(obj, {
      [EXTERNAL_ARN_ANNOTATION]: identity,
      [CREATE_PENDING_ANNOTATION]: null,
      [LAST_WRITE_ANNOTATION]: this.#nowIso(),
    })) as K;
    await this.#d.events.record(obj, 'Normal', 'Created', `Created ${identity}`);
    await this.#write(obj, {
      ready: ready('False', Reason.Creating, `Created ${identity}; waiting for AWS to report it`),
      synced: synced('True', Reason.ReconcileSuccess),
      arn: identity,
      syncedNow: true,
    });
    return Outcomes.progressing(this.#nextPoll(objectKey(obj), true));
  }

  /**
   * A create AWS refuses as a conflict (the name was taken between our look-up and the create, or
   * the look-up lagged): looked up again by name, ours is adopted, anyone else's refused.
   */
  async #createOrAdopt(obj: K, c: KindClient<K, D>, ctx: Ctx<D>): Promise<string> {
    try {
      return (await c.create(obj, ctx)).identity;
    } catch (e) {
      if (!(e instanceof ClassifiedError) || e.rule !== 'ConflictException') throw e;
      const found = await c.findByName(obj, ctx);
      const mine = found.find((c) => ownedBy(c.tags, uidOf(obj)));
      if (mine) return mine.identity;
      // Whose the name is, said as a look-up before the create would have said it.
      if (found.length > 0) chooseCandidate(this.#h, obj, found, this.#d.lookup);
      throw new ClassifiedError(
        'InvalidSpec',
        `${e.message}: the name is taken by an object this controller does not own; choose another name, or set the ${EXTERNAL_ARN_ANNOTATION} annotation to adopt it`,
        {
          cause: e,
          reason: this.#h.conflictReason ?? Reason.AlreadyExists,
        },
      );
    }
  }

  /**
   * A not-found shortly after this controller's own successful write is read lag, not deletion
   * (the time lives in the object, so it survives a restart or a change of leader).
   */
  #withinReadLag(obj: K): boolean {
    if (!this.#manages(obj)) return false;
    const lag = this.#d.readLagMs ?? 120_000;
    const now = this.#d.clock.now();
    const mine = this.#unread.get(objectKey(obj));
    if (mine !== undefined && now - mine < lag) return true;
    // Only until a read confirms the write (Ready moves on from Creating/Updating).
    const unconfirmed = [Reason.Creating, Reason.Updating] as string[];
    const reason = getCondition(obj.status?.conditions, 'Ready')?.reason ?? '';
    const at = Date.parse(obj.metadata.annotations?.[LAST_WRITE_ANNOTATION] ?? '');
    return unconfirmed.includes(reason) && now - at < lag;
  }

  /**
   * A read that shows exactly the difference our own update just corrected, within the read-lag
   * allowance and with the spec unchanged since: AWS does not show the update yet. Any other
   * difference is drift, corrected at once.
   */
  #updateUnconfirmed(obj: K, diff: readonly FieldDiff[]): boolean {
    const reason = getCondition(obj.status?.conditions, 'Ready')?.reason;
    return (
      reason === Reason.Updating &&
      this.#sent.get(objectKey(obj)) === JSON.stringify(diff) &&
      obj.status?.observedGeneration === obj.metadata.generation &&
      this.#withinReadLag(obj)
    );
  }

  async #awaitRead(obj: K): Promise<Outcome> {
    const identity = obj.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION] ?? '';
    const current = getCondition(obj.status?.conditions, 'Ready')?.reason;
    await this.#write(obj, {
      ready:
        current === Reason.Updating
          ? ready('False', Reason.Updating, `Updated ${identity}; AWS does not show it yet`)
          : ready('False', Reason.Creating, `Created ${identity}; AWS does not list it yet`),
    });
    return Outcomes.progressing(this.#nextPoll(objectKey(obj), false));
  }

  #nowIso(): string {
    return new Date(this.#d.clock.now()).toISOString();
  }

  #missingMessage(obj: K): string {
    const arn = obj.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION];
    return arn
      ? `AWS object ${arn} was not found; with managementPolicy Observe the controller does not create it`
      : `No AWS object found; with managementPolicy Observe set the ${EXTERNAL_ARN_ANNOTATION} annotation to the ARN to observe`;
  }

  async #sync(
    obj: K,
    client: KindClient<K, D>,
    desired: D,
    obs: Extract<Observation<D>, { exists: true }>,
    names: ReadonlyMap<string, string>,
  ): Promise<Outcome> {
    const key = objectKey(obj);
    const ann = obj.metadata.annotations ?? {};
    if (
      this.#manages(obj) &&
      (ann[EXTERNAL_ARN_ANNOTATION] !== obs.identity || ann[CREATE_PENDING_ANNOTATION])
    ) {
      // Found by name (untagged, adoptUntagged): another object may hold it by its annotation.
      this.#refuseHeld(obj, obs.identity);
      // Adoption after an interrupted create or a status-less restore: found by our ownership tag.
      const recovered = ann[EXTERNAL_ARN_ANNOTATION] === undefined;
      obj = (await this.#d.kube.patchAnnotations(obj, {
        [EXTERNAL_ARN_ANNOTATION]: obs.identity,
        [CREATE_PENDING_ANNOTATION]: null,
      })) as K;
      if (recovered)
        await this.#d.events.record(
          obj,
          'Normal',
          'Adopted',
          `Found ${obs.identity} carrying this object's ownership tag and adopted it`,
        );
    }
    const observed = this.#h.observedStatus?.(obs.observed);
    // A consumer's read of a shared resource lacks what the kind's own conditions judge (channels).
    const kind = obs.unreadable?.length ? undefined : this.#h.conditions?.(desired, obs.observed);
    const base: StatusChange = {
      arn: obs.identity,
      ...(observed === undefined ? {} : { observed }),
      ...(kind === undefined ? {} : { kind }),
    };

    if (obs.diff.length > 0) {
      const paths = describeDiff(obs.diff);
      if (!this.#manages(obj)) {
        await this.#write(obj, {
          ...base,
          ready: this.#readyFromPhase(obj, obs),
          synced: synced(
            'False',
            Reason.DriftDetected,
            change('AWS differs from the spec (managementPolicy Observe: not corrected): ', obs.diff, names),
          ),
        });
        return Outcomes.synced(this.#jittered());
      }
      const immutable = obs.diff.filter((d) => !d.updatable);
      if (immutable.length > 0) {
        const fields = describeDiff(immutable);
        throw new ClassifiedError(
          'InvalidSpec',
          `${fields} cannot be changed in place: AWS has ${immutable
            .map((d) => `${d.path}=${JSON.stringify(d.observed)}`)
            .join(', ')}; ${
            immutable.find((d) => d.remedy)?.remedy ??
            'restore the previous value, or create a new object under a new name and move references to it'
          }`,
          { field: immutable[0]?.path, rule: 'ImmutableField', reason: Reason.ImmutableField },
        );
      }
      if (obs.phase === 'Pending') {
        await this.#write(obj, {
          ...base,
          ready: this.#readyFromPhase(obj, obs),
          synced: synced('True', Reason.ReconcileSuccess),
        });
        return Outcomes.progressing(this.#nextPoll(key, false));
      }
      if (this.#updateUnconfirmed(obj, obs.diff)) {
        // A read soon after our own update may not show it yet (eventual consistency): read again
        // instead of sending the same change twice, until the read-lag allowance runs out.
        await this.#write(obj, {
          ...base,
          ready: ready('False', Reason.Updating, `Updated ${paths}; AWS does not show the change yet`),
        });
        return Outcomes.progressing(this.#nextPoll(key, false));
      }
      try {
        await client.update(obj, obs.observed, obs.diff, this.#ctx(obj, desired, obs.identity));
      } catch (e) {
        // What was observed is shown whatever the update's fate (#fail adds the conditions).
        await this.#write(obj, base).catch(() => undefined);
        throw e;
      }
      this.#unread.set(key, this.#d.clock.now());
      this.#sent.set(key, JSON.stringify(obs.diff));
      obj = (await this.#d.kube.patchAnnotations(
        obj,
        { [LAST_WRITE_ANNOTATION]: this.#nowIso() },
        { unguarded: true },
      )) as K;
      this.#d.onUpdate?.(
        this.#h.kind,
        obs.diff.map((d) => d.path),
      );
      await this.#d.events.record(
        obj,
        'Normal',
        'Updated',
        change(`Updated ${obs.identity}: `, obs.diff, names),
      );
      // The observation predates the write: Ready waits for a read that shows the change applied.
      await this.#write(obj, {
        ...base,
        ready: ready('False', Reason.Updating, `Updated ${paths}; waiting for AWS to report the change`),
        synced: synced('True', Reason.ReconcileSuccess),
        syncedNow: true,
      });
      return Outcomes.progressing(this.#nextPoll(key, true));
    }

    const r = this.#readyFromPhase(obj, obs);
    const s = this.#manages(obj)
      ? synced('True', Reason.ReconcileSuccess)
      : synced('True', Reason.ObserveOnly, 'managementPolicy is Observe: the controller never writes to AWS');
    await this.#write(obj, { ...base, ready: r, synced: s, syncedNow: true });
    this.#sent.delete(key);
    if (obs.phase === 'Pending') return Outcomes.progressing(this.#nextPoll(key, false));
    this.#polls.delete(key);
    return Outcomes.synced(this.#nextVisit(key, obs.observed, r.status === 'True'));
  }

  /**
   * The resync, or earlier when the kind expects AWS to change by itself (e.g. a hand-off); the
   * resync of a settled object is the one visit that may read partially.
   */
  #nextVisit(key: string, observed: D, settled: boolean): number {
    const resync = this.#jittered();
    const now = this.#d.clock.now();
    if (settled) this.#reads.settled(key, now, now + resync);
    else this.#reads.unsettled(key);
    const hint = this.#h.nextVisitMs?.(observed, now);
    if (hint === undefined || !Number.isFinite(hint)) return resync;
    return Math.min(resync, Math.max(MIN_VISIT_MS, Math.round(hint)));
  }

  #readyFromPhase(obj: K, obs: Extract<Observation<D>, { exists: true }>): ConditionInput {
    switch (obs.phase) {
      case 'Active':
        return ready('True', Reason.Available, obs.message ?? '');
      case 'Pending': {
        // Creating only until the object has been seen settled once; afterwards AWS is updating it.
        const current = getCondition(obj.status?.conditions, 'Ready');
        const creating = !obj.status?.arn || current === undefined || current.reason === Reason.Creating;
        return creating
          ? ready('False', Reason.Creating, obs.message ?? 'AWS is still creating the object')
          : ready('False', Reason.Updating, obs.message ?? 'AWS is still applying a change');
      }
      case 'Failed':
        return ready(
          'False',
          obs.reason ?? Reason.Unavailable,
          obs.message ?? 'AWS reports the object as failed',
        );
    }
  }

  // ---- deletion ----

  async #deletion(obj: K): Promise<Outcome> {
    const key = objectKey(obj);
    if (!obj.metadata.finalizers?.includes(FINALIZER)) return Outcomes.done();
    const policy = deletionPolicyOf(this.#h, obj);
    // Another account's resource is never ours to delete (an object made before NotOwner existed).
    const owner = await this.#sharedBy(obj).catch(() => undefined);
    // Another live object manages it (this one was refused, or the holder gave way): never touched.
    const holder = this.#d.holderOf?.(obj);
    if (policy === 'Retain' || !this.#manages(obj) || owner !== undefined || holder) {
      await this.#d.kube.removeFinalizer(obj, FINALIZER);
      const arn = obj.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION];
      const why = holder
        ? `it stays, managed by ${objectLabel(holder)}`
        : owner !== undefined
          ? `owned by account ${owner}`
          : policy === 'Retain'
            ? 'deletionPolicy Retain'
            : 'managementPolicy Observe';
      await this.#d.events.record(
        obj,
        'Normal',
        'Retained',
        `Left ${arn ?? 'the AWS object'} in place (${why})`,
      );
      this.#forget(key);
      return Outcomes.done();
    }
    const blocked = await this.#deleteBlocked(obj);
    if (blocked) return blocked;
    const ann = obj.metadata.annotations ?? {};
    if (ann[EXTERNAL_ARN_ANNOTATION] === undefined && ann[CREATE_PENDING_ANNOTATION] === undefined) {
      // Never created in AWS (the finalizer goes on before the pending mark).
      await this.#d.kube.removeFinalizer(obj, FINALIZER);
      this.#forget(key);
      return Outcomes.done();
    }
    const client = this.#client(obj);
    let desired: D;
    try {
      desired = this.#h.toDesired(obj, new Map(), writesAws(this.#h, obj));
    } catch {
      desired = undefined as D; // refs may be gone during deletion; delete needs only the identity
    }
    // No diff while deleting: the desired state may not resolve any more.
    const obs = await this.#find(obj, client, this.#ctx(obj, desired));
    if (obs.exists) {
      await this.#write(obj, { ready: ready('False', Reason.Deleting, `Deleting ${obs.identity}`) });
      try {
        await client.delete(obj, obs.observed, this.#ctx(obj, desired, obs.identity));
      } catch (e) {
        if (!isNotFound(e)) throw e; // already gone is what a delete wants
      }
      await this.#d.events.record(obj, 'Normal', 'Deleting', `Deleting ${obs.identity}`);
      return Outcomes.progressing(this.#nextPoll(key, false));
    }
    await this.#d.kube.removeFinalizer(obj, FINALIZER);
    await this.#d.events.record(
      obj,
      'Normal',
      'Deleted',
      `Deleted ${ann[EXTERNAL_ARN_ANNOTATION] ?? 'the AWS object'}`,
    );
    this.#forget(key);
    return Outcomes.done();
  }

  /**
   * What holds the deletion back, said at once: objects that reference this one, objects the kind
   * names (a replication set's account objects) and a refusal that will follow (deletion protection).
   */
  async #deleteBlocked(obj: K): Promise<Outcome | undefined> {
    const key = objectKey(obj);
    const referrers = this.#d.refs.referrersOf(key).filter((k) => this.#d.lookup(k) !== undefined);
    // Referrers whose spec dropped this object but whose AWS object may still use it.
    const retiring = new Set(this.#d.refs.retiring.waitingOn(key, this.#d.lookup));
    const others = (this.#h.deletionBlockers?.(obj) ?? []).map(objectKey);
    const blockers = [...new Set([...referrers, ...retiring, ...others])];
    if (blockers.length === 0) return undefined;
    const names = blockers.slice(0, 10).map((k) => {
      const p = parseKey(k);
      const name = `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
      return retiring.has(k) ? `${name} (in AWS until its change is Synced)` : name;
    });
    const more = blockers.length > 10 ? ` and ${blockers.length - 10} more` : '';
    const todo = blockers.every((k) => retiring.has(k))
      ? 'their specs no longer name it; waiting for AWS to have that change'
      : 'remove those references or delete those objects first';
    const used = `still used by ${names.join(', ')}${more}: ${todo}`;
    const refusal = this.#h.deletionRefusal?.(obj);
    const reason = refusal ? Reason.DeletionProtected : Reason.DeleteBlocked;
    await this.#write(obj, {
      ready: ready('False', reason, refusal ? `${refusal}; and it is ${used}` : `Deletion waits: ${used}`),
    });
    // Objects the kind names do not reference this one, so nothing wakes it when they go: poll.
    const again = others.length > 0 ? this.#pollMs : this.#jittered();
    return Outcomes.waiting(reason, blockers, again);
  }

  #forget(key: string): void {
    this.#reads.forget(key);
    this.#polls.delete(key);
    this.#unread.delete(key);
    this.#sent.delete(key);
  }

  // ---- errors ----

  async #fail(obj: K, err: ClassifiedError, info: ReconcileInfo): Promise<Outcome> {
    const c = err.errorClass;
    const msg = err.message || `${c} error`;
    // Waiting on a dependency is an expected state, not a failure.
    const waiting = c === 'DependencyNotReady';
    this.#d.log?.(
      c === 'Throttled' || c === 'Conflict' ? 'debug' : waiting ? 'info' : 'warn',
      waiting ? 'waiting' : 'reconcile failed',
      {
        key: objectKey(obj),
        errorClass: c,
        ...(waiting ? { reason: reasonOf(err) } : {}),
        error: msg,
      },
    );
    try {
      const waiting = await this.#surface(obj, err, msg, info);
      if (waiting) return waiting;
    } catch (e) {
      // Showing the error failed too (the object may be gone): retry the key, keep the first error.
      this.#d.log?.('debug', 'could not write the error status', {
        key: objectKey(obj),
        error: String(e),
      });
    }
    return Outcomes.failed(err);
  }

  /** Status and Event for an error; returns the outcome when the error means waiting, not failing. */
  async #surface(
    obj: K,
    err: ClassifiedError,
    msg: string,
    info: ReconcileInfo,
  ): Promise<Outcome | undefined> {
    switch (err.errorClass) {
      case 'Conflict':
        break; // silent requeue; the next visit reads the newer object
      case 'Throttled':
        if (info.attempt + 1 >= (this.#d.throttledThreshold ?? 3))
          await this.#write(obj, {
            synced: synced(
              'False',
              Reason.Throttled,
              `AWS is throttling requests; retrying with backoff (${msg})`,
            ),
          });
        break;
      case 'InvalidSpec': {
        const reason = reasonOf(err);
        await this.#write(obj, { ready: ready('False', reason, msg), synced: synced('False', reason, msg) });
        await this.#d.events.record(obj, 'Warning', reason, msg);
        break;
      }
      case 'AccessDenied':
        await this.#write(obj, { synced: synced('False', reasonOf(err), msg) });
        await this.#d.events.record(obj, 'Warning', reasonOf(err), msg);
        break;
      case 'DependencyNotReady': {
        // A kind may name a more precise waiting reason and when to look again (retryAfterMs).
        const reason = reasonOf(err);
        await this.#write(obj, { ready: ready('False', reason, msg) });
        const again = this.#jittered();
        return Outcomes.waiting(
          reason,
          [...err.dependencies],
          err.retryAfterMs === undefined ? again : Math.min(again, err.retryAfterMs),
        );
      }
      default:
        await this.#write(obj, { synced: synced('False', Reason.ReconcileError, msg) });
        await this.#d.events.record(obj, 'Warning', Reason.ReconcileError, msg);
    }
    return undefined;
  }

  // ---- helpers ----

  async #write(obj: K, change: StatusChange): Promise<void> {
    const next = deriveStatus(obj, bothConditions(obj, change), this.#nowIso());
    await this.#status.write(obj, next);
  }

  #jittered(): number {
    const j = this.#d.resyncJitter ?? 0.1;
    const r = (this.#d.random ?? Math.random)();
    return Math.round(this.#resyncMs * (1 - j + 2 * j * r));
  }

  /**
   * Short poll that doubles while AWS keeps working, capped at the resync: `afterWrite` starts a
   * new series at the confirm delay (a read soon after our own write), else it goes on doubling
   * (from pollMs when nothing is being polled).
   */
  #nextPoll(key: string, afterWrite: boolean): number {
    const last = this.#polls.get(key);
    const next = afterWrite ? this.#confirmMs : last === undefined ? this.#pollMs : last * 2;
    const capped = Math.min(this.#resyncMs, next);
    this.#polls.set(key, capped);
    return capped;
  }
}
