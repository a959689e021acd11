// The start-up module check needs a process: test/kube/cli/imctl-process.test.ts.
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/cli/commands/controller.ts';

describe('imctl controller flags', () => {
  it('parses durations with units and rejects anything else with an example', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('250')).toBe(250);
    expect(() => parseDuration('ten minutes')).toThrow(/not a duration \(examples: 30s, 10m, 1h\)/);
  });
});
