// AWSAccount: no AWS object of its own; reconciling it means resolving credentials (AssumeRole with
// the external id when set), verifying the caller identity, and showing it on the status. Objects
// naming the account wait (DependencyNotReady) until it is Ready and are woken when it becomes so.
// While objects use it, its deletion waits (finalizer, Ready=False/DeleteBlocked naming them): their
// own deletions need its credentials.
import type { AWSAccountSpec } from '../crds/aws-account.ts';
import type { Clock } from '../engine/clock.ts';
import { type ConditionInput, Reason } from '../engine/conditions.ts';
import {
  asClassified,
  ClassifiedError,
  type ManagedObject,
  type Outcome,
  Outcomes,
  objectKey,
} from '../engine/contract.ts';
import type { EventRecorder } from '../engine/events.ts';
import type { MetadataPort } from '../engine/managed.ts';
import { FINALIZER } from '../engine/names.ts';
import { deriveStatus, StatusWriter } from '../engine/status.ts';
import type { AccountResolver } from './accounts.ts';
import type { ContactsRegionStatus, Observation } from './contacts-region.ts';
import type { AwsGate } from './gate.ts';
import {
  acceptResourceShares,
  INVITATION_ACCEPT_POLL_MS,
  invitationRegions,
  type ResourceSharesStatus,
} from './share-invitations.ts';

export interface AccountReconcilerDeps {
  lookup: (key: string) => ManagedObject | undefined;
  accounts: AccountResolver;
  /** Receives spec.limits so every call to the account honours them. */
  gate?: AwsGate;
  status: MetadataPort;
  /** The objects whose spec.accountRef names this account (from the informer caches). */
  users: (account: string) => ManagedObject[];
  /**
   * Every AWSAccount of the cluster (from the informer cache): an allow-listed owner among them
   * tells where its shares are made, so its invitations are looked for there.
   */
  awsAccounts?: () => ManagedObject[];
  /** While a deletion waits for users, the caches are looked at this often. Default 5 s. */
  pollMs?: number;
  events: EventRecorder;
  clock: Clock;
  /** Re-verify period (credentials can be revoked outside the cluster). Default 10 min. */
  resyncMs?: number;
  /** With spec.acceptResourceShares, invitations are looked for this often. Default 1 min. */
  invitationPollMs?: number;
  /** While the account has no ACTIVE replication set, its first Region is looked for this often. Default 30 s. */
  onboardingPollMs?: number;
}

export const ONBOARDING_POLL_MS = 30_000;

interface ContactsChoice {
  status?: ContactsRegionStatus;
  mismatch?: string;
  /** AWS did not answer: `status` is what was found before. */
  failed?: boolean;
}

export class AccountReconciler {
  readonly #d: AccountReconcilerDeps;
  readonly #status: StatusWriter;

  constructor(deps: AccountReconcilerDeps) {
    this.#d = deps;
    this.#status = new StatusWriter(deps.status);
  }

  async reconcile(key: string): Promise<Outcome> {
    const cached = this.#d.lookup(key);
    if (!cached) return Outcomes.done();
    let obj = structuredClone(cached);
    if (obj.metadata.deletionTimestamp) return this.#deletion(obj);
    if (!obj.metadata.finalizers?.includes(FINALIZER))
      obj = await this.#d.status.addFinalizer(obj, FINALIZER);
    const spec = obj.spec as unknown as AWSAccountSpec;
    const now = new Date(this.#d.clock.now()).toISOString();
    this.#d.gate?.setAccountLimits(obj.metadata.name, spec.limits);
    let contacts: ContactsChoice = {};
    try {
      const id = await this.#d.accounts.verify(obj.metadata.name, spec);
      const how = spec.roleArn ? `assumed ${spec.roleArn}` : "the controller's own credentials";
      const allow = spec.acceptResourceShares?.accountIds;
      contacts = await this.#contactsRegion(obj, spec);
      if (contacts.mismatch)
        throw new ClassifiedError('InvalidSpec', contacts.mismatch, {
          field: 'spec.contactsRegion',
          reason: 'ContactsRegionMismatch',
        });
      const shares = allow ? await this.#acceptShares(obj, spec, allow, contacts.status) : undefined;
      await this.#status.write(
        obj,
        deriveStatus(
          obj,
          {
            ready: {
              type: 'Ready',
              status: 'True',
              reason: Reason.Available,
              message: `Verified ${id.arn} (${how})`,
            },
            synced: { type: 'Synced', status: 'True', reason: Reason.ReconcileSuccess, message: '' },
            observed: {
              callerArn: id.arn,
              resourceShares: shares?.observed,
              contactsRegion: contacts.status,
            },
            kind: shares ? [shares.condition] : [],
            syncedNow: true,
          },
          now,
        ),
      );
      let next = this.#d.resyncMs ?? 600_000;
      if (shares) next = Math.min(next, this.#d.invitationPollMs ?? INVITATION_ACCEPT_POLL_MS);
      // No replication set yet (or one being created, or AWS did not answer): looked for again soon.
      if (!contacts.status || contacts.failed)
        next = Math.min(next, this.#d.onboardingPollMs ?? ONBOARDING_POLL_MS);
      return Outcomes.synced(next);
    } catch (e) {
      const err = asClassified(e);
      const reason =
        err.reason === 'ContactsRegionMismatch'
          ? Reason.ContactsRegionMismatch
          : err.errorClass === 'AccessDenied'
            ? Reason.AccessDenied
            : err.errorClass === 'Throttled'
              ? Reason.Throttled
              : Reason.ReconcileError;
      await this.#status.write(
        obj,
        deriveStatus(
          obj,
          {
            ready: { type: 'Ready', status: 'False', reason, message: err.message },
            synced: { type: 'Synced', status: 'False', reason, message: err.message },
            ...(contacts.status ? { observed: { contactsRegion: contacts.status } } : {}),
          },
          now,
        ),
      );
      if (err.errorClass !== 'Throttled') await this.#d.events.record(obj, 'Warning', reason, err.message);
      return Outcomes.failed(err);
    }
  }

  /**
   * The replication set's first Region, where the account's ssm-contacts clients go: observed from
   * AWS (one GetReplicationSet when nothing changed), kept in status.contactsRegion.
   */
  async #contactsRegion(obj: ManagedObject, spec: AWSAccountSpec): Promise<ContactsChoice> {
    const name = obj.metadata.name;
    const seed = (obj.status as { contactsRegion?: ContactsRegionStatus } | undefined)?.contactsRegion;
    const accounts = this.#d.accounts;
    let obs: Observation;
    try {
      obs = await accounts.contactsRegions.refresh(name, accounts.observeDeps(name, spec), {
        ...accounts.contactsAsk(name, spec),
        seed,
      });
    } catch (e) {
      // The credentials work: the account stays Ready on what was found before; asked again soon.
      const err = asClassified(e);
      if (err.errorClass !== 'Throttled')
        await this.#d.events.record(
          obj,
          'Warning',
          Reason.ReconcileError,
          `Could not read the replication set to find its first Region (where contacts go): ${err.message}`,
        );
      return { ...(seed ? { status: seed } : {}), failed: true };
    }
    if (obs.kind !== 'chosen') return {};
    if (!obs.reused && obs.status.region !== seed?.region)
      await this.#d.events.record(
        obj,
        'Normal',
        Reason.Available,
        `Contacts, escalation plans and rotations of this account go to ${obs.status.region}: ${obs.status.message}`,
      );
    return { status: obs.status, ...(obs.mismatch ? { mismatch: obs.mismatch } : {}) };
  }

  /**
   * spec.acceptResourceShares: accept what the allow-list covers, in every Region an allow-listed
   * owner's invitation can arrive in (`invitationRegions`). A RAM refusal is the condition's (the
   * account's credentials still work for everything else); what was listed before in a Region RAM
   * did not answer in stays.
   */
  async #acceptShares(
    obj: ManagedObject,
    spec: AWSAccountSpec,
    allow: readonly string[],
    contacts: ContactsRegionStatus | undefined,
  ): Promise<{ observed: unknown; condition: ConditionInput }> {
    const type = 'SharesAccepted';
    const name = obj.metadata.name;
    const previous = (obj.status as { resourceShares?: Partial<ResourceSharesStatus> } | undefined)
      ?.resourceShares;
    const home = this.#d.accounts.clients(name, spec).region;
    const owners = (this.#d.awsAccounts?.() ?? []).flatMap((o) => {
      const s = o.spec as unknown as AWSAccountSpec | undefined;
      if (!s || s.accountId === spec.accountId || !allow.includes(s.accountId)) return [];
      const cr = (o.status as { contactsRegion?: ContactsRegionStatus } | undefined)?.contactsRegion;
      return [{ region: s.region ?? home, contactsRegion: cr?.region }];
    });
    const regions = invitationRegions({ home, contacts, owners });
    try {
      const r = await acceptResourceShares(
        (region) => this.#d.accounts.clients(name, spec, region).ram,
        regions,
        spec.accountId,
        allow,
        previous,
      );
      for (const a of r.acceptedNow)
        await this.#d.events.record(
          obj,
          'Normal',
          Reason.SharesAccepted,
          `Accepted the AWS RAM invitation to share ${a.shareName ?? a.invitationArn} from account ${a.sender} in ${a.region}`,
        );
      const { accepted, pending } = r.status;
      const observed = {
        ...(accepted.length ? { accepted } : {}),
        ...(pending.length ? { pending } : {}),
      };
      if (r.failed.length > 0)
        return {
          observed,
          condition: {
            type,
            status: 'False',
            reason: Reason.ShareAcceptFailed,
            message: r.failed.map((f) => `${f.region}: ${f.message}`).join('; '),
          },
        };
      const message = `${accepted.length} share(s) from other accounts hold Incident Manager resources (looked in ${regions.join(', ')})${
        pending.length
          ? `; ${pending.length} invitation(s) left pending (see status.resourceShares.pending)`
          : ''
      }`;
      return { observed, condition: { type, status: 'True', reason: Reason.SharesAccepted, message } };
    } catch (e) {
      const err = asClassified(e);
      return {
        observed: previous,
        condition: { type, status: 'False', reason: Reason.ShareAcceptFailed, message: err.message },
      };
    }
  }

  /** Deleted while objects still use it: it stays, saying who; the finalizer goes with the last user. */
  async #deletion(obj: ManagedObject): Promise<Outcome> {
    if (!obj.metadata.finalizers?.includes(FINALIZER)) return Outcomes.done();
    const users = this.#d.users(obj.metadata.name);
    if (users.length === 0) {
      await this.#d.status.removeFinalizer(obj, FINALIZER);
      return Outcomes.done();
    }
    const label = (o: ManagedObject) =>
      `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
    const more = users.length > 10 ? ` and ${users.length - 10} more` : '';
    const message = `Deletion waits: ${users.length} object(s) use this account (${users.slice(0, 10).map(label).join(', ')}${more}); delete them or point their spec.accountRef at another AWSAccount first`;
    await this.#status.write(
      obj,
      deriveStatus(
        obj,
        { ready: { type: 'Ready', status: 'False', reason: Reason.DeleteBlocked, message } },
        new Date(this.#d.clock.now()).toISOString(),
      ),
    );
    // Users do not reference the account through the index: nothing wakes it when they go.
    return Outcomes.waiting(Reason.DeleteBlocked, users.map(objectKey), this.#d.pollMs ?? 5_000);
  }
}
