// Outcome → queue action: the single retry policy of the engine (house rule 2). Pure apart from the
// queue it drives, so it is tested on a fake clock.
import type { Outcome } from './contract.ts';
import type { WorkQueue } from './work-queue.ts';

export interface SchedulePolicy {
  /** Resync used for classes that wait for an outside fix (InvalidSpec, AccessDenied). */
  resyncMs: number;
  /**
   * Conflict only: whether a newer copy of the object than the one this reconcile started from is
   * already cached. If not, retrying now would fail the same way; the caller wakes the key when the
   * watch delivers the newer copy, and the backoff is only the fallback.
   */
  fresherCopy?: boolean;
}

export interface Scheduled {
  /** What happened, for metrics and logs. */
  action: 'forget' | 'after' | 'backoff' | 'now' | 'await-fresh';
  delayMs: number;
}

export function applyOutcome(
  queue: WorkQueue,
  key: string,
  outcome: Outcome,
  policy: SchedulePolicy,
): Scheduled {
  switch (outcome.type) {
    case 'done':
      queue.forget(key);
      return { action: 'forget', delayMs: 0 };
    case 'synced':
      queue.forget(key);
      queue.addAfter(key, outcome.requeueAfterMs);
      return { action: 'after', delayMs: outcome.requeueAfterMs };
    case 'progressing':
      queue.forget(key);
      // Work in progress is finished before new work is started (the queue's first lane).
      queue.addAfter(key, outcome.pollAfterMs, 'first');
      return { action: 'after', delayMs: outcome.pollAfterMs };
    case 'waiting':
      // Woken earlier by the dependency's own change (reverse index); this is the fallback.
      queue.forget(key);
      queue.addAfter(key, outcome.fallbackMs);
      return { action: 'after', delayMs: outcome.fallbackMs };
    case 'failed': {
      const e = outcome.error;
      switch (e.errorClass) {
        case 'Conflict': {
          if (policy.fresherCopy !== false) {
            queue.add(key);
            return { action: 'now', delayMs: 0 };
          }
          const delayMs = queue.addRateLimited(key);
          return { action: 'await-fresh', delayMs };
        }
        case 'InvalidSpec':
        case 'AccessDenied':
          // Terminal until the spec or the account changes (a generation change enqueues at once);
          // no hot retries, only the slow resync visit.
          queue.forget(key);
          queue.addAfter(key, policy.resyncMs);
          return { action: 'after', delayMs: policy.resyncMs };
        case 'DependencyNotReady':
          queue.forget(key);
          queue.addAfter(key, policy.resyncMs);
          return { action: 'after', delayMs: policy.resyncMs };
        default: {
          const delayMs = queue.addRateLimited(key, e.retryAfterMs ?? 0);
          return { action: 'backoff', delayMs };
        }
      }
    }
  }
}
