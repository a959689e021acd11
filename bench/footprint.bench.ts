// Where the controller's memory and start-up time go. Two parts, each in fresh processes:
//   modules   each module group imported alone into a fresh Node process (after a GC, before and
//             after), then the whole `imctl controller` start path; heap and RSS growth per group
//   idle, N   `imctl controller` as users run it (bench/lib/world.ts: both emulators in this
//             process, the controller its own process) with no objects, then with N simple contacts (50 per account)
//             (N = 1,000 by default; `--only 10000` for 10,000, ~15 min on 2 shared cores):
//             settled after converging them; then a new controller with the N objects existing:
//             start to serving (first answer of /healthz), /readyz answering 200, caches synced,
//             first reconcile (first AWS call), and RSS / heap once its start-up pass is done.
// Flags: --only modules,idle,1000,10000 (default modules,idle,1000), --node-options '…' (V8 flags
// for the controllers), --heap (a heap snapshot of each settled controller, summarised).
// Prints numbers only, nothing asserted.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { simpleContacts } from './lib/fleet.ts';
import { controllerNodeOptions, heapSnapshot } from './lib/heap-summary.ts';
import {
  type ControllerProcess,
  metricSum,
  quiet,
  spawnController,
  startWorld,
  type World,
} from './lib/world.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const only = (flag('--only') ?? 'modules,idle,1000').split(',');
const { dir: HEAP_DIR, env: CONTROLLER_ENV } = controllerNodeOptions(argv);
const ARGS = ['--no-leader-elect', '--workers', '16', '--aws-rate', '100', '--aws-concurrency', '20'];

const groups: Record<string, string[]> = {
  'node baseline (no import)': [],
  '@kubernetes/client-node (tests and `imctl demo` only)': ['@kubernetes/client-node'],
  'pino + prom-client + commander': ['pino', 'prom-client', 'commander'],
  'AWS SDK clients (ssm-contacts, ssm-incidents, ram, sts) + credential providers': [
    '@aws-sdk/client-ssm-contacts',
    '@aws-sdk/client-ssm-incidents',
    '@aws-sdk/client-ram',
    '@aws-sdk/client-sts',
    '@aws-sdk/credential-providers',
    '@aws-sdk/credential-provider-node',
  ],
  'src/controllers (every kind, with their SDK clients)': ['./src/controllers/index.ts'],
  'src/cli/manager.ts (engine, gate, accounts, kube client)': ['./src/cli/manager.ts'],
  'engine + controllers (what `imctl controller` needs)': [
    './src/cli/manager.ts',
    './src/controllers/index.ts',
  ],
  'the AWS emulator (not loaded by `imctl controller`)': ['./src/emulators/aws/server.ts'],
  'the kube emulator (not loaded by `imctl controller`)': ['./src/emulators/kube/index.ts'],
  'every imctl subcommand module (what `imctl --help` loads)': ['./src/cli/commands.ts#register'],
};

function measure(mods: string[]): { heap: number; rss: number; ms: number } {
  const imports = mods
    .map((m) =>
      m.endsWith('#register')
        ? `{ const { Command } = await import('commander'); await (await import('${m.slice(0, -9)}')).registerCommands(new Command('imctl')); }`
        : `await import('${m}');`,
    )
    .join('\n');
  const script = `
    const mem = () => { globalThis.gc(); globalThis.gc(); const u = process.memoryUsage(); return { heap: u.heapUsed, rss: u.rss }; };
    const a = mem(); const t = performance.now();
    ${imports}
    const ms = performance.now() - t; const b = mem();
    process.stdout.write(JSON.stringify({ heap: b.heap - a.heap, rss: b.rss - a.rss, ms }));
  `;
  const out = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`${mods.join(', ')}: ${out.stderr}`);
  return JSON.parse(out.stdout) as { heap: number; rss: number; ms: number };
}

const mib = (b: number) => (b / 2 ** 20).toFixed(1).padStart(6);
const s2 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function modules(): void {
  process.stdout.write('heap MiB   RSS MiB   import ms   module group\n');
  for (const [name, mods] of Object.entries(groups)) {
    const r = measure(mods);
    process.stdout.write(`${mib(r.heap)}    ${mib(r.rss)}    ${r.ms.toFixed(0).padStart(8)}   ${name}\n`);
  }
}

/** A free loopback port: the controller's /healthz is polled from the moment it is spawned. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

async function memory(c: ControllerProcess, label: string): Promise<void> {
  const m = await c.metrics().catch(() => c.metrics());
  process.stdout.write(
    `${label}: controller RSS ${mib(metricSum(m, 'process_resident_memory_bytes')).trim()} MiB, heap used ${mib(metricSum(m, 'nodejs_heap_size_used_bytes')).trim()} MiB\n`,
  );
}

async function snapshot(c: ControllerProcess): Promise<void> {
  if (!HEAP_DIR) return;
  await heapSnapshot(c, HEAP_DIR);
  await memory(c, '  after the snapshot (its GC)');
}

/** Spawns a controller on a known port and times its start: serving, ready, synced, first AWS call. */
async function start(world: World): Promise<ControllerProcess> {
  const port = await freePort();
  let firstCall: number | undefined;
  const stop = world.onCall(() => {
    firstCall ??= performance.now();
  });
  const c = spawnController(world, [...ARGS, '--listen', `127.0.0.1:${port}`], CONTROLLER_ENV);
  const poll = async (path: string, ok: (status: number) => boolean): Promise<number> => {
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}${path}`)
        .then((r) => r.status)
        .catch(() => 0);
      if (ok(status)) return performance.now();
      await sleep(10);
    }
  };
  const [serving, ready, synced] = await Promise.all([
    poll('/healthz', (s) => s === 200),
    poll('/readyz', (s) => s === 200),
    c.waitLog('caches synced; starting workers', 300_000),
  ]);
  await quiet(world, 3_000);
  stop();
  const t = (at: number | undefined) => (at === undefined ? '—' : s2(at - c.startedAt));
  process.stdout.write(
    `  start to serving ${t(serving)}, ready ${t(ready)}, caches synced ${t(synced.at)}, first reconcile (first AWS call) ${t(firstCall)}\n`,
  );
  return c;
}

async function idle(): Promise<void> {
  const world = await startWorld();
  try {
    process.stdout.write('idle, no objects:\n');
    const c = await start(world);
    await memory(c, '  idle, no objects');
    await snapshot(c);
    await c.kill();
  } finally {
    await world.stop();
  }
}

async function withObjects(n: number): Promise<void> {
  const world = await startWorld();
  try {
    const { base, objects } = simpleContacts(n, Math.max(1, Math.ceil(n / 50)), 'fp', '4');
    process.stdout.write(`${n} objects (${base.length / 2} accounts):\n`);
    const c0 = await start(world);
    const t0 = performance.now();
    await world.create(base);
    await world.create(objects, 32);
    await world.tracker.allReady(objects, 3_600_000);
    process.stdout.write(
      `  all Ready after ${s2(performance.now() - t0)}; controller CPU so far ${c0.cpuSeconds().toFixed(1)} s\n`,
    );
    await quiet(world, 3_000);
    await memory(c0, `  settled with ${n} objects (the controller that converged them)`);
    await snapshot(c0);
    await c0.kill();
    process.stdout.write(`a new controller with ${n} existing objects:\n`);
    const c1 = await start(world);
    await memory(c1, `  after its start-up pass over ${n} objects (CPU ${c1.cpuSeconds().toFixed(1)} s)`);
    await snapshot(c1);
    await c1.kill();
  } finally {
    await world.stop();
  }
}

if (only.includes('modules')) modules();
if (only.includes('idle')) await idle();
for (const n of only.filter((x) => /^\d+$/.test(x))) await withObjects(Number(n));
process.exit(0);
