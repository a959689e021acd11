// References a referrer has dropped from its spec but whose AWS object may still hold them: the
// referrer's update has not reached AWS yet. A referenced object is deleted in AWS only after every
// referrer that used it has confirmed the change (Synced for the generation that dropped it), so
// AWS never loses an object a plan or schedule still points at (deleting a rotation silently
// removes it from every on-call schedule; a deleted contact leaves a dangling ARN).
//
// Process memory: after a restart only what the specs name now blocks a deletion.
import { getCondition } from './conditions.ts';
import { type ManagedObject, objectKey } from './contract.ts';

type Lookup = (key: string) => ManagedObject | undefined;

/** The referrer's AWS object has its spec of `generation` or later: the dropped reference is gone. */
function confirmed(referrer: ManagedObject, generation: number): boolean {
  const s = getCondition(referrer.status?.conditions, 'Synced');
  return s?.status === 'True' && (s.observedGeneration ?? 0) >= generation;
}

export class RetiringReferences {
  /** target → referrer → the referrer's generation that stopped naming it. */
  readonly #byTarget = new Map<string, Map<string, number>>();

  /** Records what `referrer` dropped (and forgets what it names again: a plain reference then). */
  note(referrer: ManagedObject, dropped: readonly string[], names: readonly string[]): void {
    const key = objectKey(referrer);
    for (const t of names) this.#release(t, key);
    for (const t of dropped) {
      let m = this.#byTarget.get(t);
      if (!m) {
        m = new Map();
        this.#byTarget.set(t, m);
      }
      m.set(key, referrer.metadata.generation ?? 0);
    }
  }

  /** Referrers whose AWS object may still use `target`; gone or confirmed ones are forgotten. */
  waitingOn(target: string, lookup: Lookup): string[] {
    for (const [r, gen] of this.#byTarget.get(target) ?? []) {
      const o = lookup(r);
      if (!o || confirmed(o, gen)) this.#release(target, r);
    }
    return [...(this.#byTarget.get(target)?.keys() ?? [])].sort();
  }

  /** Targets whose wait on `referrer` its status now ends (to wake their deletion). */
  confirmedBy(referrer: ManagedObject): string[] {
    const key = objectKey(referrer);
    const out: string[] = [];
    for (const [t, m] of this.#byTarget) {
      const gen = m.get(key);
      if (gen === undefined || !confirmed(referrer, gen)) continue;
      this.#release(t, key);
      out.push(t);
    }
    return out;
  }

  #release(target: string, referrer: string): void {
    const m = this.#byTarget.get(target);
    m?.delete(referrer);
    if (m?.size === 0) this.#byTarget.delete(target);
  }
}
