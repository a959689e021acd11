import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REASONS } from '../../../src/engine/reasons.ts';

const root = join(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** Every reason the controller code names: `Reason.X`, `reason: 'X'` and `reason: Reason.X`. */
function emittedReasons(): Map<string, string> {
  const found = new Map<string, string>();
  const files = ['src/engine', 'src/controllers', 'src/aws'].flatMap(sources);
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/\bReason\.([A-Za-z]+)|\breason:\s*'([A-Za-z]+)'/g))
      found.set(m[1] ?? m[2] ?? '', file);
  }
  return found;
}

/** The rows of the catalogue table in docs/controller.md, cells trimmed. */
function docRows(): string[][] {
  const md = readFileSync(join(root, 'docs/controller.md'), 'utf8');
  const lines = md.split('\n');
  const start = lines.findIndex((l) => /^\| Reason\s+\| Condition/.test(l));
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(
      l
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe('the reason catalogue', () => {
  it('holds every reason the controller code can write', () => {
    const missing = [...emittedReasons()].filter(([r]) => !Object.hasOwn(REASONS, r));
    expect(missing.map(([r, file]) => `${r} (${file})`)).toEqual([]);
  });

  it('is published in docs/controller.md exactly as in REASONS', () => {
    const expected = Object.entries(REASONS).map(([name, e]) => [
      `\`${name}\``,
      e.condition.replace('+', ', '),
      e.terminal ? 'terminal' : 'retried',
      e.meaning,
      e.fix,
    ]);
    expect(docRows()).toEqual(expected);
  });

  it('names one reason per situation: none of the retired synonyms is left', () => {
    for (const old of ['AliasInUse', 'NameInUse', 'AliasTaken', 'OnePerAccount'])
      expect(Object.hasOwn(REASONS, old)).toBe(false);
  });
});
