import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The library stack needs Node >= 22.19; the project pins Node 24 through the npm `node` package so
// that `npm ci && npm test` on a machine that ships Node 20 still runs everything on 24.
function major(version: string): number {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

describe('pinned runtime', () => {
  it('runs the test suite on the pinned Node 24, not the machine default', () => {
    expect(major(process.version)).toBe(24);
  });

  it('runs the imctl bin on Node 24 through the bin shim', () => {
    const out = execFileSync(process.execPath, ['bin/imctl.js', 'version'], { encoding: 'utf8' });
    expect(out).toMatch(/^incident-manager-operator \d+\.\d+\.\d+ \(node v24\./);
  });
});
