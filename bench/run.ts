// `npm run bench`: runs every bench/*.bench.ts, one after another, each in its own Node process (so
// one benchmark's heap, sockets and timers never skew the next), and passes their numbers through.
// `npm run bench -- engine` runs only the benchmarks whose file name contains "engine"; arguments
// after `--` go to the benchmarks themselves (`npm run bench -- engine -- 100`). Flags (`--quick`,
// `--write`) go to every benchmark: `npm run bench -- --quick` is the few-minute run.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('./', import.meta.url));
const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const before = split < 0 ? argv : argv.slice(0, split);
// Flags that take a value (`--only converge,churn`): the value goes with its flag, not to the filters.
const VALUED = new Set(['--only', '--objects', '--accounts', '--large', '--node-options']);
const filters: string[] = [];
const flags: string[] = [];
for (let i = 0; i < before.length; i++) {
  const a = before[i] as string;
  if (!a.startsWith('--')) filters.push(a);
  else if (VALUED.has(a) && i + 1 < before.length) flags.push(a, before[++i] as string);
  else flags.push(a);
}
const passThrough = [...flags, ...(split < 0 ? [] : argv.slice(split + 1))];

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${filters.join(', ')} in bench/\n`);
  process.exit(2);
}

function run(file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${dir}${file}`, ...passThrough], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let failed = 0;
for (const file of files) {
  process.stdout.write(`\n## ${file}\n`);
  const started = performance.now();
  const code = await run(file);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code !== 0) failed++;
  process.stdout.write(`## ${file}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds} s\n`);
}
process.exit(failed === 0 ? 0 : 1);
