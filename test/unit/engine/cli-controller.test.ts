import { spawnSync } from 'node:child_process';
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

describe('imctl start-up', () => {
  it('a command other than controller or demo loads neither the engine nor the SDKs', () => {
    // Records every module the process resolves while `imctl version` runs.
    const probe = `
      import { registerHooks } from 'node:module';
      const seen = new Set();
      registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.add(r.url); return r; } });
      process.argv = [process.argv[0], 'imctl', 'version'];
      await import('./src/cli/main.ts');
      process.stderr.write(JSON.stringify([...seen]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const loaded = JSON.parse(r.stderr) as string[];
    expect(loaded.some((u) => u.endsWith('/src/cli/commands/controller.ts'))).toBe(true);
    const heavy = loaded.filter((u) =>
      /@aws-sdk|@kubernetes\/client-node|\/src\/engine\/manager\.ts|\/src\/controllers\/index\.ts|\/src\/local\/stack\.ts/.test(
        u,
      ),
    );
    expect(heavy).toEqual([]);
  });
});
