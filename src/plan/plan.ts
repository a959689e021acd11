// `imctl plan` without the command line: for each desired object, in dependency order, what the
// controller would do on its next visit (create, update, nothing, or refuse with the reason and
// message it would set), read from AWS and never written. Built on the kind contract only
// (src/plan/kinds.ts): validate, references, toDesired, diff and the read verb.
import { createHash } from 'node:crypto';
import type { AccountResolver } from '../aws/accounts.ts';
import type { AWSAccount } from '../crds/aws-account.ts';
import { type Clock, systemClock } from '../engine/clock.ts';
import { asClassified, type FieldDiff, keyOf, type ManagedObject, objectKey } from '../engine/contract.ts';
import { alreadyManagedMessage, IdentityHolders } from '../engine/holders.ts';
import { isOwnershipTagKey } from '../engine/identity.ts';
import { EXTERNAL_ARN_ANNOTATION } from '../engine/names.ts';
import { managesAws } from '../engine/policy.ts';
import { presentDiff } from './format.ts';
import { type KindOps, kindOps } from './kinds.ts';
import { limiter, READS_IN_FLIGHT } from './limit.ts';
import { type LoadedObjects, labelOf } from './load.ts';
import { accountOf, dependencyOrder, kindRank, referencedKeys } from './order.ts';
import type { PlanAccount, PlanEntry, PlanOutput } from './schema.ts';

export interface PlanOptions {
  accounts: AccountResolver;
  defaultRegion: string;
  /** Only objects of this account (AWSAccount name, `default` for the controller's own). */
  account?: string | undefined;
  clock?: Clock;
}

/** The engine's message for immutable fields (src/engine/managed.ts), so plan says what status would. */
export function immutableMessage(immutable: readonly FieldDiff[]): string {
  return `${immutable.map((d) => d.path).join(', ')} cannot be changed in place (ImmutableField): AWS has ${immutable
    .map((d) => `${d.path}=${JSON.stringify(d.observed)}`)
    .join(', ')}; ${
    immutable.find((d) => d.remedy)?.remedy ??
    'restore the previous value, or create a new object under a new name and move references to it'
  }`;
}

/** `spec.tags.<key>` of the controller's ownership tags, in the current or a legacy spelling. */
export const isOwnershipTagPath = (path: string): boolean =>
  path.startsWith('spec.tags.') && isOwnershipTagKey(path.slice('spec.tags.'.length));

/** A stand-in uid: the kinds' own lookups compare ownership tags with it, and it never matches. */
const planUid = (o: ManagedObject) =>
  `imctl-plan-${createHash('sha256').update(objectKey(o)).digest('hex').slice(0, 24)}`;

/** Placeholder ARN of an object still to be created, shown by name in the diff. */
const pendingArn = (key: string) => `imctl-plan:pending:${key}`;

export async function plan(loaded: LoadedObjects, opts: PlanOptions): Promise<PlanOutput> {
  const clock = opts.clock ?? systemClock;
  const accountsByName = new Map(loaded.accounts.map((a) => [a.metadata.name, a]));
  const wanted = loaded.managed.filter((o) => opts.account === undefined || accountOf(o) === opts.account);
  const objects = wanted.map((o) => {
    const c = structuredClone(o);
    c.metadata.uid ??= planUid(c);
    return c;
  });

  // What the kinds may look up: Ready AWSAccounts (verified below), Secrets, the planned objects.
  const store = new Map<string, unknown>(loaded.secrets);
  for (const a of loaded.accounts)
    store.set(keyOf('AWSAccount', undefined, a.metadata.name), {
      ...a,
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: '' }] },
    });
  for (const o of objects) store.set(objectKey(o), o);
  // One managing object per AWS resource, as the engine decides it (holders.ts).
  const holders = new IdentityHolders();
  for (const o of objects) holders.update(o, undefined);
  const lookup = (key: string) => store.get(key) as ManagedObject | undefined;
  const list = (kind: string) => objects.filter((o) => o.kind === kind);
  const ops = kindOps({ accounts: opts.accounts, lookup, list, defaultRegion: opts.defaultRegion, clock });

  const accounts = await verifyAccounts(objects, accountsByName, opts.accounts);
  const failedAccounts = new Map(accounts.filter((a) => a.error).map((a) => [a.name, a.error as string]));
  const identities = new Map<string, string>();
  const names = new Map<string, string>();
  const planned = new Map<string, PlanEntry>();

  const record = (o: ManagedObject, entry: PlanEntry): PlanEntry => {
    const key = objectKey(o);
    const label = labelOf(o);
    if (entry.identity) {
      identities.set(key, entry.identity);
      names.set(entry.identity, label);
      // Referrers' kinds may read it from the cache by key (e.g. escalation-plan cycle checks).
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        [EXTERNAL_ARN_ANNOTATION]: entry.identity,
      };
    } else if (entry.action === 'create') {
      identities.set(key, pendingArn(key));
      names.set(pendingArn(key), `${label} (to be created)`);
    }
    planned.set(key, entry);
    return entry;
  };

  // In dependency order, several at a time: an object waits for every object of an earlier
  // creation step and for the objects it references, so what it reads of them is final.
  const limit = limiter(READS_IN_FLIGHT);
  const done = new Map<string, Promise<PlanEntry>>();
  let step: number | undefined;
  let stepStart: Promise<unknown> = Promise.resolve();
  for (const o of dependencyOrder(objects, ops)) {
    if (kindRank(o) !== step) {
      step = kindRank(o);
      stepStart = Promise.all(done.values());
    }
    const refs = referencedKeys(o, ops.get(o.kind)).flatMap((k) => done.get(k) ?? []);
    const ctx: PlanOneCtx = {
      ops: ops.get(o.kind),
      invalid: loaded.invalid.get(labelOf(o)),
      accountError: accountErrorOf(o, accountsByName, failedAccounts),
      identities,
      planned,
      names,
      holder: holders.holderOf(o),
    };
    const entry = Promise.all([stepStart, ...refs]).then(() => limit(() => planOne(o, ctx)));
    done.set(
      objectKey(o),
      entry.then((e) => record(o, e)),
    );
  }
  const entries = await Promise.all(done.values());
  // References by name: the ARNs of every planned object, known by now.
  for (const e of entries) e.diff = presentDiff(e.diff, names);
  return {
    apiVersion: 'imctl.incidentmanager.gitops.dev/plan/v1',
    summary: {
      create: entries.filter((e) => e.action === 'create').length,
      update: entries.filter((e) => e.action === 'update').length,
      noChange: entries.filter((e) => e.action === 'no-change').length,
      refused: entries.filter((e) => e.action === 'refused').length,
    },
    accounts,
    objects: entries,
  };
}

async function verifyAccounts(
  objects: readonly ManagedObject[],
  byName: ReadonlyMap<string, AWSAccount>,
  resolver: AccountResolver,
): Promise<PlanAccount[]> {
  const out: PlanAccount[] = [];
  for (const name of [...new Set(objects.map(accountOf))].sort()) {
    const acct = byName.get(name);
    if (!acct) {
      out.push({ name });
      continue;
    }
    try {
      const id = await resolver.verify(name, acct.spec);
      out.push({ name, accountId: acct.spec.accountId, callerArn: id.arn });
    } catch (e) {
      out.push({ name, accountId: acct.spec.accountId, error: asClassified(e).message });
    }
  }
  return out;
}

function accountErrorOf(
  o: ManagedObject,
  byName: ReadonlyMap<string, AWSAccount>,
  failed: ReadonlyMap<string, string>,
): { reason: string; message: string } | undefined {
  const name = o.spec.accountRef?.name;
  if (!name) return undefined;
  if (!byName.has(name))
    return {
      reason: 'ReferencesNotReady',
      message: `spec.accountRef: AWSAccount ${name} does not exist (it is not in the planned files)`,
    };
  const err = failed.get(name);
  return err ? { reason: 'AccessDenied', message: err } : undefined;
}

interface PlanOneCtx {
  ops: KindOps | undefined;
  invalid: string[] | undefined;
  accountError: { reason: string; message: string } | undefined;
  identities: ReadonlyMap<string, string>;
  /** Entries of the objects planned so far, by key. */
  planned: ReadonlyMap<string, PlanEntry>;
  names: Map<string, string>;
  /** Another planned object that manages the AWS object this one names by its annotation. */
  holder: ManagedObject | undefined;
}

/** Named sub-objects AWS gives ARNs to (a contact's channels): `channel <name>` in the diff. */
function learnNames(observed: unknown, names: Map<string, string>, depth = 0): void {
  if (!observed || typeof observed !== 'object' || depth > 3) return;
  if (Array.isArray(observed)) {
    for (const v of observed) learnNames(v, names, depth + 1);
    return;
  }
  const o = observed as Record<string, unknown>;
  if (depth > 0 && typeof o.arn === 'string' && typeof o.name === 'string' && !names.has(o.arn))
    names.set(o.arn, `channel ${o.name}`);
  for (const v of Object.values(o)) learnNames(v, names, depth + 1);
}

async function planOne(o: ManagedObject, c: PlanOneCtx): Promise<PlanEntry> {
  const base = {
    kind: o.kind,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata.name,
    account: accountOf(o),
  };
  const refused = (reason: string, message: string, extra: Partial<PlanEntry> = {}): PlanEntry => ({
    ...base,
    action: 'refused',
    reason,
    message,
    diff: [],
    ...extra,
  });
  if (c.invalid) return refused('SchemaInvalid', `the API server rejects it: ${c.invalid.join('; ')}`);
  if (!c.ops) return refused('UnknownKind', `no controller for kind ${o.kind}`);
  if (c.accountError) return refused(c.accountError.reason, c.accountError.message);
  const claimed = o.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION];
  if (c.holder && claimed)
    return refused(c.ops.conflictReason ?? 'AlreadyManaged', alreadyManagedMessage(o, c.holder, claimed));
  const invalid = c.ops.validate(o);
  if (invalid[0])
    return refused(
      invalid[0].reason ?? 'InvalidSpec',
      invalid.map((e) => `${e.path}: ${e.message}`).join('; '),
    );

  const refs = resolve(o, c);
  if (!refs.ok) return refused('ReferencesNotReady', `Waiting for references: ${refs.why.join('; ')}`);
  const manages = managesAws(o);
  try {
    const desired = c.ops.toDesired(o, refs.resolved);
    const obs = await c.ops.read(o, desired);
    if (!obs.exists) {
      if (!manages)
        return refused(
          'ExternalNotFound',
          'No AWS object found; with managementPolicy Observe the controller does not create it',
        );
      return { ...base, action: 'create', diff: [] };
    }
    const all = c.ops.diff(desired, obs.observed);
    learnNames(obs.observed, c.names);
    // Ownership tags are the controller's bookkeeping (written at create with the object's uid,
    // which plan does not know), never a change of the spec.
    const diff = all.filter((d) => !isOwnershipTagPath(d.path));
    const found = { identity: obs.identity, diff };
    if (diff.length === 0) {
      const note = obs.phase !== 'Active' ? obs.message : undefined;
      return { ...base, action: 'no-change', ...found, ...(note ? { message: note } : {}) };
    }
    if (!manages)
      return {
        ...base,
        action: 'no-change',
        ...found,
        reason: 'DriftDetected',
        message: 'managementPolicy is Observe: the drift is reported, not corrected',
      };
    const immutable = diff.filter((d) => !d.updatable);
    if (immutable.length > 0) return refused('InvalidSpec', immutableMessage(immutable), found);
    return { ...base, action: 'update', ...found };
  } catch (e) {
    const err = asClassified(e);
    // The condition reason the controller would show: the catalogued one when the error names it.
    if (err.errorClass === 'InvalidSpec' || err.errorClass === 'AccessDenied')
      return refused(err.reason ?? err.errorClass, err.message);
    if (err.errorClass === 'DependencyNotReady')
      return refused(err.rule ?? 'ReferencesNotReady', err.message);
    throw err;
  }
}

/** References among the planned objects: existing ones by ARN, ones still to be created by placeholder. */
function resolve(
  o: ManagedObject,
  c: PlanOneCtx,
): { ok: true; resolved: Map<string, string> } | { ok: false; why: string[] } {
  const resolved = new Map<string, string>();
  const why: string[] = [];
  for (const f of c.ops?.references(o) ?? []) {
    if (f.arn !== undefined) resolved.set(f.path, f.arn);
    if (!f.ref || f.indexOnly) continue;
    const key = keyOf(f.ref.kind, f.ref.namespace ?? o.metadata.namespace, f.ref.name);
    const label = `${f.ref.kind} ${f.ref.namespace ?? o.metadata.namespace ?? ''}/${f.ref.name}`;
    const arn = c.identities.get(key);
    const target = c.planned.get(key);
    if (arn) resolved.set(f.path, arn);
    else if (target)
      why.push(
        `${f.path}: ${label} is not Ready (${target.reason ?? target.action}: ${target.message ?? ''})`,
      );
    else why.push(`${f.path}: ${label} is not in the planned files`);
  }
  return why.length === 0 ? { ok: true, resolved } : { ok: false, why };
}
