// What the last read of an ssm-contacts object found besides its main Get (a contact's channels,
// tags), so the visits that cannot need those parts fresh do not read them again: the read that
// confirms our own write which did not touch them, and a visit for a spec change that leaves their
// part of the spec as it was. Every other visit (the resync's drift check, a Secret change, a
// restart) reads them. Process memory, keyed by ARN.

/** Each part's spec, as JSON: a spec change that keeps it keeps what AWS had. */
export type PartSpecs<P> = Record<keyof P, string>;

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
    for (const k of Object.keys(e.parts) as (keyof P)[])
      if (e.confirm || (specChanged && e.spec[k] === spec[k])) out[k] = e.parts[k];
    return out;
  }

  /** What a read found (every part), or what a create wrote (the parts it knows: confirm those). */
  remember(
    arn: string,
    generation: number | undefined,
    spec: PartSpecs<P>,
    parts: Partial<P>,
    confirm = false,
  ): void {
    this.#entries.set(arn, { generation, spec, parts, confirm });
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
