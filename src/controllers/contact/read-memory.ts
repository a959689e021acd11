// What the last read of each contact found besides GetContact (its channels and its tags), so the
// visits that cannot need them fresh do not read them again: the read that confirms our own write
// which did not touch them, and a visit for a spec change that leaves them as they were. Every
// other visit (the resync's drift check, a Secret change, a restart) reads them. Process memory,
// keyed by contact ARN.
import type { ContactChannel } from '@aws-sdk/client-ssm-contacts';
import type { Contact } from '../../crds/contact.ts';

interface Parts {
  /** The object's generation when this was read (a newer one: the spec changed since). */
  generation: number | undefined;
  /** The spec's channels and tags then, as JSON: a spec change that keeps them keeps what AWS had. */
  channelsSpec: string;
  tagsSpec: string;
  channels?: ContactChannel[];
  tags?: Record<string, string>;
  /** Our own write since the read did not touch what is kept: the next read confirms only the rest. */
  confirm: boolean;
}

const specOf = (mr: Contact) => ({
  channels: JSON.stringify(mr.spec.channels ?? []),
  tags: JSON.stringify(mr.spec.tags ?? {}),
});

export class ReadMemory {
  readonly #parts = new Map<string, Parts>();

  /** The channels and tags this visit may take from the last read instead of AWS. */
  reusable(arn: string, mr: Contact): { channels?: ContactChannel[]; tags?: Record<string, string> } {
    const p = this.#parts.get(arn);
    if (!p) return {};
    const spec = specOf(mr);
    const specChanged = p.generation !== mr.metadata.generation;
    const keep = (same: boolean) => p.confirm || (specChanged && same);
    return {
      ...(p.channels && keep(p.channelsSpec === spec.channels) ? { channels: p.channels } : {}),
      ...(p.tags && keep(p.tagsSpec === spec.tags) ? { tags: p.tags } : {}),
    };
  }

  /** What a read found. */
  read(arn: string, mr: Contact, channels: ContactChannel[], tags: Record<string, string>): void {
    const spec = specOf(mr);
    this.#parts.set(arn, {
      generation: mr.metadata.generation,
      channelsSpec: spec.channels,
      tagsSpec: spec.tags,
      channels,
      tags,
      confirm: false,
    });
  }

  /** A create wrote these tags (all of them, ownership tags included) and nothing else is known. */
  created(arn: string, mr: Contact, tags: Record<string, string>): void {
    const spec = specOf(mr);
    this.#parts.set(arn, {
      generation: mr.metadata.generation,
      channelsSpec: spec.channels,
      tagsSpec: spec.tags,
      tags,
      confirm: true,
    });
  }

  /** An update went through: what it touched is read again, the rest only confirmed. */
  wrote(arn: string, touched: { channels: boolean; tags: boolean }): void {
    const p = this.#parts.get(arn);
    if (!p) return;
    if (touched.channels) delete p.channels;
    if (touched.tags) delete p.tags;
    p.confirm = true;
  }

  /** A write failed or the contact is gone: nothing kept is trusted. */
  forget(arn: string): void {
    this.#parts.delete(arn);
  }
}
