// A Lease held in memory with resourceVersion conflicts, as the API server keeps one.
import { ClassifiedError } from '../../../src/engine/contract.ts';
import type { Lease, LeaseStore } from '../../../src/engine/leader.ts';

export class MemoryLeaseStore implements LeaseStore {
  lease: Lease | undefined;
  #rv = 0;
  async get() {
    return this.lease ? structuredClone(this.lease) : undefined;
  }
  async create(l: Lease) {
    if (this.lease) throw new ClassifiedError('Conflict', 'exists');
    this.lease = { ...structuredClone(l), metadata: { ...l.metadata, resourceVersion: String(++this.#rv) } };
    return structuredClone(this.lease);
  }
  async replace(l: Lease) {
    if (l.metadata.resourceVersion !== this.lease?.metadata.resourceVersion)
      throw new ClassifiedError('Conflict', 'stale');
    this.lease = { ...structuredClone(l), metadata: { ...l.metadata, resourceVersion: String(++this.#rv) } };
    return structuredClone(this.lease);
  }
}
