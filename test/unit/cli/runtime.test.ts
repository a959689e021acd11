import { describe, expect, it } from 'vitest';

// The library stack needs Node >= 22.19; the project pins Node 24 through the npm `node` package so
// that `npm ci && npm test` on a machine that ships Node 20 still runs everything on 24. The bin
// shim's runtime is checked on a real process in test/kube/cli/imctl-process.test.ts.
function major(version: string): number {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

describe('pinned runtime', () => {
  it('runs the test suite on the pinned Node 24, not the machine default', () => {
    expect(major(process.version)).toBe(24);
  });
});
