// The plug-in API between the generic engine and a kind's controller (see ARCHITECTURE.md, "The
// contracts", and docs/architecture.md). A kind supplies a KindClient (I/O verbs on the client set
// the engine resolved) plus pure functions; it never sees queues, conditions, finalizers, retries
// or policies.

import type { ClientSet } from '../aws/accounts.ts';
import type {
  Condition,
  DeletionPolicy,
  ManagedResource,
  ManagedSpec,
  ManagedStatus,
  ObjectMeta,
} from '../crds/common.ts';
import type { ReasonName } from './reasons.ts';

export type { Condition, ObjectMeta };

/** What the engine reads and writes on any managed kind (the API's common shape). */
export type ManagedObject = ManagedResource<ManagedSpec, ManagedStatus>;
/** Status as the engine writes it: the common block plus the kind's observed fields. */
export type ManagedStatusBase = ManagedStatus & { [field: string]: unknown };

/** Every object read from the API server has a uid; idempotency tokens and tags need it. */
export function uidOf(o: ManagedObject): string {
  const uid = o.metadata.uid;
  if (!uid) throw new ClassifiedError('Transient', `${o.kind} ${o.metadata.name} has no metadata.uid yet`);
  return uid;
}

/** One difference between desired and observed state, with its path in spec terms. */
export interface FieldDiff {
  path: string;
  desired: unknown;
  observed: unknown;
  /** false: AWS cannot change this field in place (immutable) → InvalidSpec, never a silent recreate. */
  updatable: boolean;
  /** For an immutable field: the way out to name in the condition, when the generic one does not fit. */
  remedy?: string;
}

export type Phase = 'Active' | 'Pending' | 'Failed';

/** What a read found: this object's AWS object, or nothing (NotFound, or not this object's to see). */
export type Found<D> = { exists: false } | ({ exists: true } & Read<D>);

/** A read plus the kind's diff of desired against it. */
export type Observation<D> = { exists: false } | ({ exists: true; diff: FieldDiff[] } & Read<D>);

/** A reference resolved to the ARN of the referenced object. */
export interface ResolvedRef {
  /** Spec path of the reference field, e.g. `spec.stages[0].targets[1].contactRef`. */
  path: string;
  arn: string;
}

/** Everything a client call needs besides the object itself. */
export interface Ctx<D> {
  /** The AWS identity (ARN) this call is about: the object read this visit, else the annotation. */
  identity: string | undefined;
  /** Deterministic idempotency token for `operation`, derived from uid and the create-pending mark. */
  idempotencyToken(operation: string): string;
  /** Canonical desired state (toDesired of spec and resolved refs). */
  desired: D;
  /**
   * The engine's policy decision for this pass: true when it may write to AWS (managementPolicy
   * Manage, not a deletion that leaves AWS alone, not another account's resource). False: only
   * read, and refuse nothing that only a write would run into.
   */
  writes: boolean;
  /**
   * Records an Event on the object (aggregated, rate-limited, secrets scrubbed), for what a user
   * must hear about beyond the engine's own Created/Updated events (e.g. a replaced sub-resource).
   */
  event?(type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
  /**
   * The account that owns `identity` when it is not the object's own (a resource another account
   * shares with it, observed read-only): read only what a consumer may read (no tags, no owner-only
   * sub-resources), and name what was skipped in `Read.unreadable`.
   */
  sharedBy?: string;
  /**
   * A resync visit of a settled object that may read partially (src/engine/read-policy.ts): the
   * object's existence and what a list call shared by the account's objects shows, from a list
   * taken at or after `listsSince` (stamp a list taken now with `nowMs`), the rest from the kind's
   * last full read of this object. Such a read says `partial`; one that differs from the spec is
   * taken again in full before anything is written. Absent: read everything (the kind may still
   * reuse what its own write did not touch, ReadMemory).
   */
  partial?: { nowMs: number; listsSince: number };
}

/** An AWS object as a kind's `read` returns it. */
export interface Read<D> {
  identity: string;
  observed: D;
  phase: Phase;
  message?: string;
  /** The Ready reason for a Failed phase when `Unavailable` says too little (a catalogued reason). */
  reason?: ReasonName;
  /** Spec paths this read could not see (a consumer's read of a shared resource): never drift. */
  unreadable?: string[];
  /**
   * Some of it came from the kind's memory of an earlier read or from a list shared by many
   * objects rather than from a read of this object now (Ctx.partial, ReadMemory): the engine's
   * count towards the next full read (read-policy.ts).
   */
  partial?: boolean;
}

/** An AWS object that carries this object's name (or alias), with its tags, for the adopt/refuse decision. */
export interface Candidate {
  identity: string;
  tags: Readonly<Record<string, string>>;
}

/**
 * A kind's I/O verbs, bound to the client set of the object's account (resolved by the engine).
 * Policy is the engine's: a NotFound error from `read` or `delete` is absence, never handled here;
 * which candidate to adopt or refuse, read lag, management and deletion policy are decided there.
 */
export interface KindClient<K extends ManagedObject, D> {
  /** The AWS object with this identity; undefined when it is not this object's to see (kind rule). */
  read(identity: string, mr: K, ctx: Ctx<D>): Promise<Read<D> | undefined>;
  /** Objects in the account with this object's name or alias, each with its tags. */
  findByName(mr: K, ctx: Ctx<D>): Promise<Candidate[]>;
  /** Creates with `ctx.idempotencyToken(...)` and `ctx.ownershipTags`; returns the identity. */
  create(mr: K, ctx: Ctx<D>): Promise<{ identity: string }>;
  /** Sends what `diff` says changed; `ctx.identity` is the object read this visit. */
  update(mr: K, observed: D, diff: FieldDiff[], ctx: Ctx<D>): Promise<void>;
  delete(mr: K, observed: D, ctx: Ctx<D>): Promise<void>;
  /**
   * Whether a referenced ARN of another account can still be read from this one (shared with it and
   * not deleted by its owner): one read. Absent: the kind names no such references.
   */
  referenceReadable?(arn: string): Promise<boolean>;
}

/** A reference field as declared by the kind: either a Ref to another managed object or a raw ARN. */
export interface ReferenceField {
  path: string;
  ref?: { kind: string; name: string; namespace?: string };
  arn?: string;
  /**
   * Watched for changes but not resolved to an ARN (e.g. a Secret holding activation codes): a
   * change to it wakes this object; the kind reads it through `lookup` itself.
   */
  indexOnly?: boolean;
}

/** A condition of the kind's own, beside Ready and Synced: advice a user must not miss, never a refusal. */
export interface KindCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: ReasonName;
  message: string;
}

/** Controller-side validation failure: the field and the rule, in words a user can act on. */
export interface FieldError {
  path: string;
  rule: string;
  message: string;
  /** The condition reason when it is not InvalidSpec (e.g. InvalidKmsKey, InvalidReference). */
  reason?: ReasonName;
}

/** Everything a kind registers with the engine. Adding a kind is one of these and nothing more. */
export interface KindHandler<K extends ManagedObject, D> {
  kind: string;
  /** Controller-side checks the schema cannot express. Pure. */
  validate?(mr: K): FieldError[];
  /** The references the spec names. Pure. */
  references?(mr: K): ReferenceField[];
  /**
   * Pure: spec + resolved refs → canonical desired state. `writes` is Ctx.writes: false leaves out
   * what only a write would bring (ownership tags, activation codes), so it is never drift.
   */
  toDesired(mr: K, refs: ReadonlyMap<string, string>, writes: boolean): D;
  /** Pure: field paths that differ after normalisation. */
  diff(desired: D, observed: D): FieldDiff[];
  /** The kind's I/O verbs on the client set of the object's account, which the engine resolved. */
  client(clients: ClientSet, mr: K): KindClient<K, D>;
  /**
   * An AWS object found by name without any ownership tags is adopted rather than refused (an
   * account's single replication set). Default false: refused with `conflictReason`.
   */
  adoptUntagged?: boolean;
  /**
   * The create itself refuses a name already taken (ConflictException): an object no create was
   * tried for yet is created without a look-up by name first. Default false.
   */
  createRefusesTakenName?: boolean;
  /**
   * Why a create must wait (a DependencyNotReady naming what it waits for), checked before anything
   * is written for the create; undefined to go ahead.
   */
  createWaitsFor?(mr: K): ClassifiedError | undefined;
  /** The spec field that names the AWS object (unique in the account), for messages. Default spec.name. */
  nameField?: string;
  /**
   * Reason for a name taken by an AWS object this controller does not own (default AlreadyExists),
   * and for an identity another object of the kind manages (default AlreadyManaged).
   */
  conflictReason?: ReasonName;
  /**
   * What deleting an object without spec.deletionPolicy does to AWS (the CRD's default for the
   * kind). Default Delete.
   */
  defaultDeletionPolicy?: DeletionPolicy;
  /**
   * Objects (besides referrers) that must be gone before this one's AWS object is deleted; asked
   * only when the engine deletes in AWS.
   */
  deletionBlockers?(mr: K): ManagedObject[];
  /**
   * Why a deletion in AWS will be refused whatever else happens (e.g. deletion protection), said
   * with the blockers.
   */
  deletionRefusal?(mr: K): string | undefined;
  /**
   * ARNs the object's AWS object was last seen to reference (from its status, e.g. a response
   * plan's engagementArns): a reference of another account among them that can no longer be read
   * is lost (ReferenceLost); any other has not arrived yet (ReferencesNotReady). Absent: every
   * reference given as an ARN counts as used. Pure.
   */
  referencesInUse?(mr: K): readonly string[];
  /** Observed fields the kind's status schema declares (e.g. Contact `channels`); merged into status. Never secrets. */
  observedStatus?(observed: D): Record<string, unknown>;
  /**
   * The kind's own conditions (e.g. Contact `ChannelsActivated`), from the spec-side and observed
   * state of a visit that read AWS. Written after Ready and Synced, which they never change; a type
   * no longer returned is removed. Reasons come from the catalogue. Pure.
   */
  conditions?(desired: D, observed: D): KindCondition[];
  /** Resync period for this kind; the engine's default otherwise. */
  resyncMs?: number;
  /**
   * When AWS is expected to change by itself before the resync (a rotation's next hand-off): the
   * milliseconds from `nowMs` until the next visit. The engine comes back at min(resync, this),
   * never sooner than 1 s; undefined keeps the resync.
   */
  nextVisitMs?(observed: D, nowMs: number): number | undefined;
}

// ---- The closed set of error classes, assigned once at the edges (AWS gate, kube client). ----

export type ErrorClass =
  | 'NotFound'
  | 'Conflict'
  | 'Throttled'
  | 'Transient'
  | 'AccessDenied'
  | 'InvalidSpec'
  | 'DependencyNotReady';

export interface ClassifiedErrorOptions {
  cause?: unknown;
  /** Server-requested wait (Retry-After / RetryAfterSeconds). */
  retryAfterMs?: number | undefined;
  /** Spec path at fault, for InvalidSpec. */
  field?: string | undefined;
  /** Short rule name, e.g. `ImmutableField`, `QuotaExceeded`, `ValidationException`. */
  rule?: string | undefined;
  /** The condition reason (catalogue) when the class's default does not say enough. */
  reason?: ReasonName | undefined;
  /** AWS operation that failed, for messages and metrics. */
  operation?: string | undefined;
  /** Keys of objects this error waits on (DependencyNotReady). */
  dependencies?: string[] | undefined;
}

export class ClassifiedError extends Error {
  readonly errorClass: ErrorClass;
  readonly retryAfterMs: number | undefined;
  readonly field: string | undefined;
  readonly rule: string | undefined;
  readonly reason: ReasonName | undefined;
  readonly operation: string | undefined;
  readonly dependencies: readonly string[];

  constructor(errorClass: ErrorClass, message: string, opts: ClassifiedErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = `${errorClass}Error`;
    this.errorClass = errorClass;
    this.retryAfterMs = opts.retryAfterMs;
    this.field = opts.field;
    this.rule = opts.rule;
    this.reason = opts.reason;
    this.operation = opts.operation;
    this.dependencies = opts.dependencies ?? [];
  }
}

export const isClassified = (e: unknown): e is ClassifiedError => e instanceof ClassifiedError;
export const isNotFound = (e: unknown): boolean => isClassified(e) && e.errorClass === 'NotFound';
/** For `.catch` on deleting a sub-resource (an override, a channel): already gone is done. */
export const ignoreNotFound = (e: unknown): void => {
  if (!isNotFound(e)) throw e;
};

/** Anything unclassified that escapes a client is treated as Transient (retried with backoff). */
export function asClassified(e: unknown): ClassifiedError {
  if (e instanceof ClassifiedError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ClassifiedError('Transient', message || 'unknown error', { cause: e });
}

// ---- Outcome: what a reconcile returns; only the controller loop turns it into queue actions. ----

export type Outcome =
  | { type: 'synced'; requeueAfterMs: number }
  | { type: 'progressing'; pollAfterMs: number }
  | { type: 'waiting'; reason: string; on: string[]; fallbackMs: number }
  | { type: 'failed'; error: ClassifiedError }
  | { type: 'done' };

export const Outcomes = {
  synced: (requeueAfterMs: number): Outcome => ({ type: 'synced', requeueAfterMs }),
  progressing: (pollAfterMs: number): Outcome => ({ type: 'progressing', pollAfterMs }),
  waiting: (reason: string, on: string[], fallbackMs: number): Outcome => ({
    type: 'waiting',
    reason,
    on,
    fallbackMs,
  }),
  failed: (error: ClassifiedError): Outcome => ({ type: 'failed', error }),
  /** Nothing further to do for this key (object gone, finalizer removed). */
  done: (): Outcome => ({ type: 'done' }),
};

/** ACK-style helpers that keep planners short. */
export const changedAt = (diff: readonly FieldDiff[], prefix: string): boolean =>
  diff.some((d) => d.path === prefix || d.path.startsWith(`${prefix}.`) || d.path.startsWith(`${prefix}[`));

export const onlyChanged = (diff: readonly FieldDiff[], ...prefixes: string[]): boolean =>
  diff.length > 0 && diff.every((d) => prefixes.some((p) => changedAt([d], p)));

export function objectKey(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return keyOf(o.kind, o.metadata.namespace, o.metadata.name);
}

export function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export function parseKey(key: string): { kind: string; namespace: string | undefined; name: string } {
  const [kind = '', ns = '', ...rest] = key.split('/');
  return { kind, namespace: ns === '' ? undefined : ns, name: rest.join('/') };
}
