// Where a V8 heap snapshot's memory goes: self size by node type and by constructor / code name,
// largest first. `node bench/lib/heap-summary.ts FILE.heapsnapshot [top]`; e2e.bench.ts --heap
// takes a snapshot of the settled controller and prints this.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControllerProcess } from './world.ts';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export function summarise(file: string, top = 25): string {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const stride = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const types = s.snapshot.meta.node_types[0];
  const byType = new Map<string, number>();
  const byName = new Map<string, { size: number; count: number }>();
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += stride) {
    const type = types[s.nodes[i + iType] as number] ?? '?';
    const size = s.nodes[i + iSize] as number;
    total += size;
    byType.set(type, (byType.get(type) ?? 0) + size);
    // Strings are named by their content: one bucket for all of them.
    const name =
      type === 'string' || type === 'concatenated string' || type === 'sliced string'
        ? '(strings)'
        : `${type}: ${(s.strings[s.nodes[i + iName] as number] ?? '').slice(0, 60)}`;
    const b = byName.get(name) ?? { size: 0, count: 0 };
    b.size += size;
    b.count++;
    byName.set(name, b);
  }
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  const lines = [`total self size ${mib(total)}`, 'by node type:'];
  for (const [t, n] of [...byType].sort((a, b) => b[1] - a[1])) lines.push(`  ${mib(n).padStart(10)}  ${t}`);
  lines.push(`top ${top} by name:`);
  for (const [name, b] of [...byName].sort((a, b) => b[1].size - a[1].size).slice(0, top))
    lines.push(`  ${mib(b.size).padStart(10)}  ${String(b.count).padStart(8)} × ${name}`);
  return lines.join('\n');
}

/**
 * The controllers' V8 flags from a benchmark's arguments: `--node-options '…'` (e.g. a smaller young
 * generation) and, with `--heap`, a snapshot on SIGUSR2 into a fresh folder (`dir`).
 */
export function controllerNodeOptions(argv: readonly string[]): { dir?: string; env: NodeJS.ProcessEnv } {
  const i = argv.indexOf('--node-options');
  const dir = argv.includes('--heap') ? mkdtempSync(join(tmpdir(), 'imctl-heap-')) : undefined;
  const flags = [
    i < 0 ? '' : (argv[i + 1] ?? ''),
    dir ? `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}` : '',
  ]
    .join(' ')
    .trim();
  return { ...(dir ? { dir } : {}), env: flags ? { NODE_OPTIONS: flags } : {} };
}

/** Writes a heap snapshot of the controller (a full GC first; it blocks its event loop) and prints where memory goes. */
export async function heapSnapshot(c: ControllerProcess, dir: string | undefined): Promise<void> {
  if (!dir) return;
  const before = new Set(readdirSync(dir));
  c.child.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 1_000));
  // Answers once the snapshot is written; the first try may meet a keep-alive socket the server
  // closed while the snapshot held its event loop.
  await c.metrics().catch(() => c.metrics());
  const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
  if (file) process.stdout.write(`heap snapshot ${join(dir, file)}\n${summarise(join(dir, file))}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node bench/lib/heap-summary.ts FILE.heapsnapshot [top]');
  process.stdout.write(`${summarise(file, Number(process.argv[3] ?? 25))}\n`);
}
