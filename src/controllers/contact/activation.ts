// Activation codes: read from the Secret a channel names (through the informer cache), never kept
// anywhere but in memory as a salted fingerprint. The memory says which code was already used,
// predates the channel (a code in the Secret before AWS sent one is stale) or was rejected, so a
// code is tried once and a wrong one is not retried until the Secret holds a different value.
// Across restarts, status.channels[].activationCodeVersion (the Secret's resourceVersion when the
// channel was last seen activated) says the code then in the Secret is used: never sent again.
import { createHmac, randomBytes } from 'node:crypto';
import type { Contact } from '../../crds/contact.ts';
import type { CodeSource, CodeState } from './mapping.ts';

export const CODE_PATTERN = /^[0-9]{6,10}$/;
const DEFAULT_KEY = 'activationCode';

type Settled = NonNullable<CodeState['settled']>;

interface SecretLike {
  metadata?: { resourceVersion?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** What the channel's Secret holds: a well-formed code, or why there is none. */
export interface SecretRead {
  code?: string;
  missing?: 'secret' | 'key';
  /** The Secret's resourceVersion, when it exists. */
  version?: string;
}

export type SecretLookup = (key: string) => unknown;

export class ActivationMemory implements CodeSource {
  readonly #salt = randomBytes(32);
  readonly #settled = new Map<string, { fingerprint: string; why: Settled }>();
  readonly #sentAt = new Map<string, string>();
  readonly #lookup: SecretLookup;

  constructor(lookup: SecretLookup) {
    this.#lookup = lookup;
  }

  /** The well-formed code in the channel's Secret, or undefined (missing, placeholder, malformed). */
  read(namespace: string | undefined, ref: { name: string; key?: string }): string | undefined {
    return this.inspect(namespace, ref).code;
  }

  inspect(namespace: string | undefined, ref: { name: string; key?: string }): SecretRead {
    const secret = this.#lookup(`Secret/${namespace ?? ''}/${ref.name}`) as SecretLike | undefined;
    if (!secret) return { missing: 'secret' };
    const key = ref.key ?? DEFAULT_KEY;
    const version = secret.metadata?.resourceVersion;
    const b64 = secret.data?.[key];
    const raw = b64 !== undefined ? Buffer.from(b64, 'base64').toString('utf8') : secret.stringData?.[key];
    const out: SecretRead = version === undefined ? {} : { version };
    if (raw === undefined) return { ...out, missing: 'key' };
    const code = raw.trim();
    return CODE_PATTERN.test(code) ? { ...out, code } : out;
  }

  fingerprint(code: string): string {
    return createHmac('sha256', this.#salt).update(code).digest('hex').slice(0, 24);
  }

  code(mr: Contact, channelName: string, ref: { name: string; key?: string }): CodeState {
    const ns = mr.metadata.namespace;
    const state: CodeState = { secret: `${ns ?? ''}/${ref.name}`, key: ref.key ?? DEFAULT_KEY };
    const { code, missing, version } = this.inspect(ns, ref);
    if (missing) state.missing = missing;
    if (version !== undefined) state.version = version;
    if (code === undefined) return state;
    state.fingerprint = this.fingerprint(code);
    const s = this.#settled.get(this.#id(mr, channelName));
    if (s && s.fingerprint === state.fingerprint) state.settled = s.why;
    else if (!s && version !== undefined && usedVersion(mr, channelName) === version) {
      // A restart forgot the memory; the status remembers the code was in use when last activated.
      this.settle(mr, channelName, state.fingerprint, 'used');
      state.settled = 'used';
    }
    return state;
  }

  /** Records what became of the code now in the channel's Secret (no-op when it holds none). */
  settle(mr: Contact, channelName: string, fingerprint: string | undefined, why: Settled): void {
    if (fingerprint === undefined) this.#settled.delete(this.#id(mr, channelName));
    else this.#settled.set(this.#id(mr, channelName), { fingerprint, why });
  }

  codeSent(mr: Contact, at: string): void {
    this.#sentAt.set(mr.metadata.uid ?? mr.metadata.name, at);
  }

  sentAt(mr: Contact): string | undefined {
    return this.#sentAt.get(mr.metadata.uid ?? mr.metadata.name);
  }

  #id(mr: Contact, channel: string): string {
    return `${mr.metadata.uid ?? mr.metadata.name}\n${channel}`;
  }
}

/** The Secret version a channel was last seen activated with (status), if any. */
function usedVersion(mr: Contact, channelName: string): string | undefined {
  return mr.status?.channels?.find((c) => c.name === channelName)?.activationCodeVersion;
}
