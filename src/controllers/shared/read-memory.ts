// What the last read of an object found (its main Get, a contact's channels, tags, a schedule's
// shifts), so the visits that cannot need those parts fresh do not read them again: the read that
// confirms our own write which did not touch them, a visit for a spec change that leaves their part
// of the spec as it was (both only the parts that have a spec), and the engine's partial read at a
// resync (src/engine/read-policy.ts: everything from here, checked against a list shared by the
// account's objects, SharedList below). Every other visit (a full resync read, a Secret change, a
// restart) reads them. Process memory, keyed by ARN.
import { createHash } from 'node:crypto';
import { share, shareStrings } from '../../engine/shared-strings.ts';

/**
 * Each part's spec, as JSON: a spec change that keeps it keeps what AWS had. A part without one
 * (the main Get) is reused only by a partial read.
 */
export type PartSpecs<P> = Partial<Record<keyof P, string>>;

interface Entry<P> {
  /** The object's generation when this was read (a newer one: the spec changed since). */
  generation: number | undefined;
  spec: PartSpecs<P>;
  parts: Partial<P>;
  /** Our own write since the read did not touch what is kept: the next read confirms only the rest. */
  confirm: boolean;
}

export class ReadMemory<P extends object> {
  readonly #entries = new Map<string, Entry<P>>();

  /** The parts this visit may take from the last read instead of AWS. */
  reusable(arn: string, generation: number | undefined, spec: PartSpecs<P>): Partial<P> {
    const e = this.#entries.get(arn);
    if (!e) return {};
    const specChanged = e.generation !== generation;
    const out: Partial<P> = {};
    for (const k of Object.keys(spec) as (keyof P)[])
      if (k in e.parts && (e.confirm || (specChanged && e.spec[k] === digest(spec[k])))) out[k] = e.parts[k];
    return out;
  }

  /**
   * Everything the last read found, for the engine's partial read at a resync: only for the
   * generation it was read for and with no write of ours since (undefined otherwise: read it all).
   */
  last(arn: string, generation: number | undefined): Partial<P> | undefined {
    const e = this.#entries.get(arn);
    return e && !e.confirm && e.generation === generation ? e.parts : undefined;
  }

  /** What a read found (every part), or what a create wrote (the parts it knows: confirm those). */
  remember(
    arn: string,
    generation: number | undefined,
    spec: PartSpecs<P>,
    parts: Partial<P>,
    confirm = false,
  ): void {
    const kept: PartSpecs<P> = {};
    for (const k of Object.keys(spec) as (keyof P)[]) kept[k] = digest(spec[k]);
    const lean: Partial<P> = {};
    for (const k of Object.keys(parts) as (keyof P)[]) lean[k] = withoutMetadata(parts[k]);
    shareStrings(lean);
    this.#entries.set(arn, { generation, spec: kept, parts: lean, confirm });
  }

  /** A write went through: what it touched is read again, the rest only confirmed. */
  wrote(arn: string, touched: Partial<Record<keyof P, boolean>>): void {
    const e = this.#entries.get(arn);
    if (!e) return;
    for (const k of Object.keys(touched) as (keyof P)[]) if (touched[k]) delete e.parts[k];
    e.confirm = true;
  }

  /** A write failed or the object is gone: nothing kept is trusted. */
  forget(arn: string): void {
    this.#entries.delete(arn);
  }
}

/**
 * A part's spec JSON is only compared for equality: a long one is kept as its SHA-1 (a contact's
 * channels and plan run to hundreds of characters, at every object).
 */
function digest(json: string | undefined): string | undefined {
  if (json === undefined) return undefined;
  return json.length <= 28 ? share(json) : createHash('sha1').update(json).digest('base64');
}

/** One metadata for every kept SDK answer: each answer's own (request id, attempts) is never read. */
const NO_METADATA = Object.freeze({});

function withoutMetadata<V>(v: V): V {
  return v && typeof v === 'object' && '$metadata' in v ? { ...v, $metadata: NO_METADATA } : v;
}

/**
 * One list call's answer (ListContacts, ListRotations, ListResponsePlans: every page), by ARN,
 * shared by the partial reads of every object of the account it was sent to (`owner`: the
 * account's SDK client) while it is recent enough for them (Ctx.partial.listsSince); concurrent
 * readers share one call, a failed call is not kept.
 */
export class SharedList<O extends object, T> {
  readonly #fetch: (owner: O) => Promise<ReadonlyMap<string, T>>;
  readonly #lists = new WeakMap<O, { at: number; items: Promise<ReadonlyMap<string, T>> }>();

  constructor(fetch: (owner: O) => Promise<ReadonlyMap<string, T>>) {
    this.#fetch = fetch;
  }

  /** The item with this ARN in a list taken at or after `listsSince` (taken now, at `nowMs`, if none is). */
  async find(owner: O, arn: string, when: { nowMs: number; listsSince: number }): Promise<T | undefined> {
    let list = this.#lists.get(owner);
    if (!list || list.at < when.listsSince) {
      const taken = { at: when.nowMs, items: this.#fetch(owner) };
      list = taken;
      this.#lists.set(owner, taken);
      taken.items.catch(() => {
        if (this.#lists.get(owner) === taken) this.#lists.delete(owner);
      });
    }
    return (await list.items).get(arn);
  }
}
