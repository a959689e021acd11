// Per-operation call log and counters, for tests and benchmarks (in-process and over /__emulator).
export interface CallRecord {
  seq: number;
  at: string;
  service: string;
  operation: string;
  account: string;
  region: string;
  /** The access key id that signed the call (not a secret): tells apart callers of one account, e.g. replicas that assumed the same role. */
  accessKeyId?: string;
  /** Request summary: member names and scalar values; secrets are redacted. */
  request: Record<string, unknown>;
  /** The whole request body as parsed, secrets redacted at any depth (tests assert minimal updates on it). */
  input: unknown;
  /** Idempotency token, when the request carried one. */
  token?: string;
  outcome: 'ok' | 'error';
  status: number;
  errorCode?: string;
}

const SECRET = /secret|password|activationcode|sessiontoken|code$/i;

export function summariseRequest(input: unknown): Record<string, unknown> {
  if (!input || typeof input !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (SECRET.test(k)) out[k] = '***';
    else if (v === null || typeof v !== 'object') out[k] = v;
    else if (Array.isArray(v)) out[k] = `[${v.length}]`;
    else out[k] = '{…}';
  }
  return out;
}

/** A deep copy of a request with every secret-named member replaced by `***`. */
export function redactRequest(input: unknown): unknown {
  if (Array.isArray(input)) return input.map(redactRequest);
  if (!input || typeof input !== 'object') return input;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>))
    out[k] = SECRET.test(k) ? '***' : redactRequest(v);
  return out;
}

export class CallLog {
  private records: CallRecord[] = [];
  private seq = 0;
  private readonly limit: number;

  constructor(limit = 100_000) {
    this.limit = limit;
  }

  add(r: Omit<CallRecord, 'seq'>): void {
    this.records.push({ seq: ++this.seq, ...r });
    if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
  }

  calls(filter: { service?: string; operation?: string; account?: string } = {}): CallRecord[] {
    return this.records.filter(
      (r) =>
        (!filter.service || r.service === filter.service) &&
        (!filter.operation || r.operation === filter.operation) &&
        (!filter.account || r.account === filter.account),
    );
  }

  counters(): Record<string, { calls: number; errors: Record<string, number> }> {
    const out: Record<string, { calls: number; errors: Record<string, number> }> = {};
    for (const r of this.records) {
      const key = `${r.service}:${r.operation}`;
      const c = out[key] ?? { calls: 0, errors: {} };
      c.calls++;
      if (r.errorCode) c.errors[r.errorCode] = (c.errors[r.errorCode] ?? 0) + 1;
      out[key] = c;
    }
    return out;
  }

  reset(): void {
    this.records = [];
  }
}
