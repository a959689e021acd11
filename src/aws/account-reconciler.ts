// AWSAccount: no AWS object of its own; reconciling it means resolving credentials (AssumeRole with
// the external id when set), verifying the caller identity, and showing it on the status. Objects
// naming the account wait (DependencyNotReady) until it is Ready and are woken when it becomes so.
import type { AWSAccountSpec } from '../crds/aws-account.ts';
import type { Clock } from '../engine/clock.ts';
import { Reason } from '../engine/conditions.ts';
import { asClassified, type ManagedObject, type Outcome, Outcomes } from '../engine/contract.ts';
import type { EventRecorder } from '../engine/events.ts';
import { deriveStatus, type StatusPort, StatusWriter } from '../engine/status.ts';
import type { AccountResolver } from './accounts.ts';
import type { AwsGate } from './gate.ts';

export interface AccountReconcilerDeps {
  lookup: (key: string) => ManagedObject | undefined;
  accounts: AccountResolver;
  /** Receives spec.limits so every call to the account honours them. */
  gate?: AwsGate;
  status: StatusPort;
  events: EventRecorder;
  clock: Clock;
  /** Re-verify period (credentials can be revoked outside the cluster). Default 10 min. */
  resyncMs?: number;
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
    if (!cached || cached.metadata.deletionTimestamp) return Outcomes.done();
    const obj = structuredClone(cached);
    const spec = obj.spec as unknown as AWSAccountSpec;
    const now = new Date(this.#d.clock.now()).toISOString();
    this.#d.gate?.setAccountLimits(obj.metadata.name, spec.limits);
    try {
      const id = await this.#d.accounts.verify(obj.metadata.name, spec);
      const how = spec.roleArn ? `assumed ${spec.roleArn}` : "the controller's own credentials";
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
            observed: { callerArn: id.arn },
            syncedNow: true,
          },
          now,
        ),
      );
      return Outcomes.synced(this.#d.resyncMs ?? 600_000);
    } catch (e) {
      const err = asClassified(e);
      const reason =
        err.errorClass === 'AccessDenied'
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
          },
          now,
        ),
      );
      if (err.errorClass !== 'Throttled') await this.#d.events.record(obj, 'Warning', reason, err.message);
      return Outcomes.failed(err);
    }
  }
}
