// Which visits read an object in full (issue 17: AWS reads per object per resync). The resync is
// the drift check, and a full read costs 2–6 calls per object with the Incident Manager APIs (a
// contact is GetContact + ListContactChannels + ListTagsForResource; no call returns plans,
// channels or tags for many objects). So a resync visit of a settled object may read partially:
// existence and what one list call shared by the account's objects shows (ListContacts:
// alias, display name, type; ListRotations: whole rotations; ListResponsePlans: names), the rest
// from the kind's memory of its last full read. A partial read that differs from the spec in
// anything is taken again in full before anything is written, so memory never drives a write.
//
// Every `every`-th resync visit of an object reads in full. The first turn of each object is set by
// a hash of its uid, so after a start each resync period reads about 1/every of the objects in
// full (the account's gate sees an even load, not every object at once every `every` periods).
// Every other visit reads in full as before: the first in this process, a spec edit, the confirm of
// a write, a wake by a referenced object or Secret, a kind's own hint (a rotation's hand-off),
// anything not settled. Process memory: a restart or a new leader reads everything once.

/** Resync periods between two full reads of an object: the bound on finding drift lists do not show. */
export const FULL_READ_EVERY = 4;

/** A visit this close before its resync time is that resync (timers may fire a little early). */
const DUE_SLACK_MS = 1_000;

/** FNV-1a of the uid: a stable, even spread of the objects' turns. */
function spread(uid: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < uid.length; i++) {
    h ^= uid.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class ReadPolicy {
  readonly #every: number;
  /** Visits each object may still read partially before its next full read. */
  readonly #left = new Map<string, number>();
  /** When the resync visit this engine asked for is due (the queue keeps the earliest deadline). */
  readonly #due = new Map<string, number>();

  /** `every`: resync visits per full read (1: every visit reads in full). */
  constructor(every: number = FULL_READ_EVERY) {
    this.#every = Math.max(1, Math.round(every));
  }

  get every(): number {
    return this.#every;
  }

  /**
   * Whether this visit may read partially: it comes at the resync time this engine set after a
   * settled visit, and the object's turn for a full read has not come. The caller checks that the
   * object is still settled (nothing edited, written or pending since).
   */
  partial(key: string, nowMs: number): boolean {
    const due = this.#due.get(key);
    return due !== undefined && nowMs >= due - DUE_SLACK_MS && (this.#left.get(key) ?? 0) > 0;
  }

  /**
   * What a visit's read was: a partial one (the kind took parts from memory or a shared list) uses
   * a turn; a full one starts the count again. The first read in this process (a start, or an
   * object just created: many at once in a converge) sets the turn by the uid instead.
   */
  read(key: string, uid: string, partial: boolean): void {
    const left = this.#left.get(key);
    if (left === undefined) this.#left.set(key, spread(uid) % this.#every);
    else this.#left.set(key, partial ? left - 1 : this.#every - 1);
  }

  /**
   * A settled visit asked for its next resync at `resyncAt` (maybe after an earlier hint). A visit
   * before a resync already due keeps that earlier one, as the queue does.
   */
  settled(key: string, nowMs: number, resyncAt: number): void {
    const pending = this.#due.get(key);
    this.#due.set(key, pending !== undefined && pending > nowMs ? Math.min(pending, resyncAt) : resyncAt);
  }

  /** The visit did not end settled: its next one is not a resync of a settled object. */
  unsettled(key: string): void {
    this.#due.delete(key);
  }

  forget(key: string): void {
    this.#due.delete(key);
    this.#left.delete(key);
  }
}
