// End to end, as users run it: `imctl controller` as a process against the Kubernetes emulator and
// the AWS emulator (bench/lib/world.ts), a realistic fleet (bench/lib/fleet.ts), the AWS gate at its
// real defaults (5 calls/s per account, Region and service). Phases, on one controller unless said:
//   converge  all objects applied at once → all Ready: time, AWS calls per object by operation, ratio
//             to the lower bound (calls that must be made ÷ the gate's rate, on the busiest lane)
//   idle      RSS and heap once settled
//   churn     10 % of the objects edited per minute: edit-to-Ready p50/p99, AWS calls per edit
//   restart   a new controller with every object existing: start to serving, caches synced, first
//             reconcile (first AWS call), the start-up pass
//   steady    FULL_READ_EVERY resync periods (one cycle of the read policy): AWS reads and writes per object per resync, Kubernetes writes,
//             controller CPU seconds per resync
//   large     footprint with 10,000 objects (simple contacts, gate raised; --quick: 2,000; a full
//             run leaves it out unless --only large: ~10 min, RESULTS.md gap 7; --large N sets N)
//   real      the converge again on a real etcd + kube-apiserver (KUBEBUILDER_ASSETS)
// Flags: --quick (200 objects, 4 accounts, 2,000 for `large`, a minute of churn), --objects N,
// --accounts N, --only converge,churn,…, --write (puts the figures into bench/RESULTS.md), --heap
// (a heap snapshot of the settled controller, summarised by bench/lib/heap-summary.ts),
// --node-options '--max-semi-space-size=1' (V8 flags for the converge's controller).
// The numbers are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FULL_READ_EVERY } from '../src/engine/read-policy.ts';
import { typeOf } from '../test/support/operator.ts';
import { fleet, type Manifest, simpleContacts } from './lib/fleet.ts';
import { controllerNodeOptions, heapSnapshot } from './lib/heap-summary.ts';
import {
  byOperation,
  type ControllerProcess,
  isRead,
  metricSum,
  percentile,
  quiet,
  spawnController,
  startWorld,
  type World,
} from './lib/world.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const quick = argv.includes('--quick');
const N = Number(flag('--objects') ?? (quick ? 200 : 1000));
const ACCOUNTS = Number(flag('--accounts') ?? (quick ? 4 : 10));
const LARGE = Number(flag('--large') ?? (quick ? 2_000 : 10_000));
const only = flag('--only')?.split(',');
const want = (phase: string) => !only || only.includes(phase);
// Long enough for one pass over every object at the gate's 5 calls/s (3 reads each, per account).
const RESYNC_S = quick ? 60 : 120;
const CHURN_S = quick ? 60 : 120;
/** Resync periods the steady state measures: one whole cycle of full and partial reads. */
const PERIODS = FULL_READ_EVERY;
/** The gate's default rate per account, Region and service (src/aws/gate.ts DEFAULT_LIMITS). */
const TPS = 5;
const WORKERS = ['--workers', '16'];
const LARGE_ARGS = [...WORKERS, '--aws-rate', '100', '--aws-concurrency', '20'];
const { dir: HEAP_DIR, env: HEAP_ENV } = controllerNodeOptions(argv);

interface Row {
  figure: string;
  measured: string;
  goal: string;
}
const rows: Row[] = [];
const notes: string[] = [];
function row(figure: string, measured: string, goal = '—'): void {
  rows.push({ figure, measured, goal });
  process.stdout.write(`${figure}: ${measured}${goal !== '—' ? `   (goal ${goal})` : ''}\n`);
}
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds the busiest gate lane needs for `calls` at TPS: the lower bound of any converge. */
function laneBound(calls: ReturnType<World['calls']>): { seconds: number; lane: string } {
  const lanes = new Map<string, number>();
  for (const c of calls) {
    const k = `${c.account} ${c.region} ${c.service}`;
    lanes.set(k, (lanes.get(k) ?? 0) + 1);
  }
  let best = { seconds: 0, lane: '' };
  for (const [lane, n] of lanes) if (n / TPS > best.seconds) best = { seconds: n / TPS, lane };
  return best;
}

function perObject(calls: ReturnType<World['calls']>, n: number): string {
  return Object.entries(byOperation(calls))
    .map(([op, k]) => `${op.replace(/^ssm-/, '')} ${(k / n).toFixed(2)}`)
    .join(', ');
}

async function converge(
  world: World,
  n: number,
  accounts: number,
  label: string,
): Promise<ControllerProcess> {
  const f = fleet({ objects: n, accounts });
  const c = spawnController(world, ['--no-leader-elect', ...WORKERS], HEAP_ENV);
  await c.waitLog('caches synced; starting workers');
  const managed = [...f.replicationSets, ...f.objects];
  const since = world.mark();
  const t0 = performance.now();
  await world.create(f.base);
  await world.create(f.replicationSets);
  await world.create(f.objects);
  const applied = performance.now() - t0;
  await world.tracker.allReady(managed, 3_600_000);
  const took = performance.now() - t0;
  const calls = world.calls(since);
  const writes = calls.filter((x) => !isRead(x.operation) && x.outcome === 'ok');
  const bound = laneBound(writes);
  const boundAll = laneBound(calls);
  const mix = Object.entries(
    f.objects.reduce<Record<string, number>>((m, o) => {
      const k = o.kind === 'Contact' ? `${o.spec.type} Contact` : o.kind;
      m[k] = (m[k] ?? 0) + 1;
      return m;
    }, {}),
  )
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  row(
    `${label}: cold converge, ${f.objects.length} objects + ${accounts} ReplicationSets (${mix}), applied in ${s1(applied)}`,
    `all Ready after ${s1(took)}; ${calls.length} AWS calls = ${(calls.length / managed.length).toFixed(2)} per object (${writes.length} successful writes)`,
  );
  row(
    `${label}: ratio to the lower bound (successful writes on the busiest lane ÷ ${TPS}/s = ${bound.seconds.toFixed(1)} s)`,
    `${(took / 1000 / bound.seconds).toFixed(2)}×; to every call made on that lane ÷ ${TPS}/s (${boundAll.seconds.toFixed(1)} s): ${(took / 1000 / boundAll.seconds).toFixed(2)}×`,
    '≤ 1.25×',
  );
  row(`${label}: AWS calls per object by operation`, perObject(calls, managed.length));
  return c;
}

async function footprint(c: ControllerProcess, label: string): Promise<void> {
  const m = await c.metrics();
  row(
    `${label}: controller RSS / heap used`,
    `${mib(metricSum(m, 'process_resident_memory_bytes'))} / ${mib(metricSum(m, 'nodejs_heap_size_used_bytes'))}`,
    '≤ 80 MiB idle, ≤ 128 MiB at 10,000',
  );
}

async function churn(world: World, objects: Manifest[]): Promise<void> {
  const editable = objects.filter(
    (o) => (o.kind === 'Contact' && o.spec.type === 'Personal') || o.kind === 'EscalationPlan',
  );
  const perMinute = Math.max(1, Math.round(objects.length * 0.1));
  const total = Math.round((perMinute * CHURN_S) / 60);
  const gap = 60_000 / perMinute;
  const latencies: number[] = [];
  const pending = new Map<string, { gen: number; at: number }>();
  const stopListening = world.tracker.listen((o, at) => {
    const k = `${o.kind}:${o.metadata.namespace}/${o.metadata.name}`;
    const p = pending.get(k);
    const ready = o.status?.conditions?.find((x) => x.type === 'Ready');
    if (p && ready?.status === 'True' && (o.status?.observedGeneration ?? 0) >= p.gen) {
      latencies.push(at - p.at);
      pending.delete(k);
    }
  });
  const since = world.mark();
  const kubeBefore = world.tracker.modifiedTotal();
  for (let i = 0; i < total; i++) {
    const o = editable[(i * 7) % editable.length] as Manifest;
    const at = performance.now();
    const out = await world.client.mergePatch<{ metadata: { generation: number } }>(
      typeOf(o.kind),
      o.metadata.name,
      { spec: { displayName: `Edited ${i}` } },
      o.metadata.namespace,
    );
    pending.set(`${o.kind}:${o.metadata.namespace}/${o.metadata.name}`, { gen: out.metadata.generation, at });
    await sleep(gap);
  }
  await world.tracker.until(
    () => pending.size === 0,
    120_000,
    () => `${pending.size} edits not Ready`,
  );
  stopListening();
  const calls = world.calls(since);
  const reads = calls.filter((x) => isRead(x.operation)).length;
  row(
    `churn: ${total} edits of displayName over ${CHURN_S} s (10 % of ${objects.length} per minute)`,
    `edit-to-Ready p50 ${s1(percentile(latencies, 50))}, p99 ${s1(percentile(latencies, 99))}, max ${s1(Math.max(...latencies))}`,
    'p99 ≤ 2 s when AWS does not throttle',
  );
  row(
    'churn: AWS calls per edit',
    `${(reads / total).toFixed(2)} reads, ${((calls.length - reads) / total).toFixed(2)} writes (${perObject(calls, total)}); Kubernetes writes per edit ${((world.tracker.modifiedTotal() - kubeBefore) / total).toFixed(2)} (the edit itself included)`,
    '≤ 2 reads, 1 minimal write',
  );
}

async function restartAndSteady(world: World, objects: Manifest[]): Promise<void> {
  const wall0 = Date.now();
  const since = world.mark();
  const c = spawnController(world, ['--no-leader-elect', ...WORKERS]);
  const serving = await c.waitLog('serving /healthz, /readyz and /metrics');
  const synced = await c.waitLog('caches synced; starting workers');
  // The first AWS call after the restart (the log notifies; the tracker may see no change at all).
  if (world.mark() === since) await new Promise<void>((resolve) => world.onCall(() => resolve()));
  const first = world.calls(since)[0];
  const firstMs = Date.parse(String(first?.at)) - wall0;
  row(
    `restart with ${objects.length} existing objects: start to serving / caches synced / first AWS call`,
    `${s1(serving.at - c.startedAt)} / ${s1(synced.at - c.startedAt)} / ${s1(firstMs)}`,
    'serving ≤ 1 s, first reconcile ≤ 1 s after sync',
  );
  await quiet(world, 3_000);
  const startup = world.calls(since);
  row(
    'restart: the start-up pass',
    `${startup.length} AWS calls (${(startup.length / objects.length).toFixed(2)} per object)`,
  );
  await c.kill();
  // Steady state: a controller with a short resync; after its start-up pass and one period, one
  // whole cycle of the read policy is measured (FULL_READ_EVERY periods: each object is read in
  // full once and partially in the others; its visits are spread over a period by its jitter).
  const s0 = spawnController(world, ['--no-leader-elect', ...WORKERS, '--resync', `${RESYNC_S}s`]);
  await s0.waitLog('caches synced; starting workers');
  await sleep(RESYNC_S * 1000);
  const from = world.mark();
  const kube0 = world.tracker.modifiedTotal();
  const cpu0 = s0.cpuSeconds();
  await sleep(PERIODS * RESYNC_S * 1000);
  const calls = world.calls(from);
  const reads = calls.filter((x) => isRead(x.operation)).length;
  row(
    `steady state over ${PERIODS} resyncs of ${RESYNC_S} s: AWS reads per object per resync`,
    `${(reads / objects.length / PERIODS).toFixed(2)} (${perObject(calls, objects.length * PERIODS)})`,
    '≤ 1.0',
  );
  row(
    'steady state: AWS writes / Kubernetes writes',
    `${calls.length - reads} / ${world.tracker.modifiedTotal() - kube0}`,
    '0 / 0',
  );
  row('steady state: controller CPU per resync', `${((s0.cpuSeconds() - cpu0) / PERIODS).toFixed(2)} s`);
  await footprint(s0, `idle with ${objects.length} objects after resyncs`);
  await s0.kill();
}

/**
 * Every 30 s while a large converge runs: objects Ready, AWS calls, the controller's queue depth,
 * reconciles by result and CPU (where a converge that does not settle is stuck).
 */
function progress(world: World, c: ControllerProcess, objects: Manifest[], t0: number): () => void {
  const since = world.mark();
  const timer = setInterval(() => {
    void c
      .metrics()
      .then((m) => {
        const pick = (name: string) =>
          [...m]
            .filter(([k, v]) => k.startsWith(`${name}{`) && v > 0)
            .map(([k, v]) => `${k.slice(name.length)}=${v}`)
            .join(' ');
        const ready = objects.length - world.tracker.notReady(objects).length;
        process.stdout.write(
          `  [${s1(performance.now() - t0)}] ready ${ready}/${objects.length}; AWS calls ${world.calls(since).length}; cpu ${c.cpuSeconds().toFixed(0)} s; queue ${pick('imctl_queue_depth')}; reconciles ${pick('imctl_reconciles_total')}\n`,
        );
      })
      .catch(() => undefined);
  }, 30_000);
  return () => clearInterval(timer);
}

/** Footprint with many simple contacts (no channels), settled: what the caches and per-object state cost. */
async function large(n: number, accounts: number): Promise<void> {
  const world = await startWorld();
  try {
    const { base, objects } = simpleContacts(n, accounts, 'big', '3');
    // A footprint and scaling figure, not a throughput one: the gate raised so the objects settle
    // in minutes (at its defaults 40 accounts' 5 calls/s bound 10,000 contacts to ~150 s at best).
    const c0 = spawnController(world, ['--no-leader-elect', ...LARGE_ARGS], HEAP_ENV);
    await c0.waitLog('caches synced; starting workers');
    await footprint(c0, 'idle, no objects');
    const t0 = performance.now();
    const stopProgress = progress(world, c0, objects, t0);
    await world.create(base);
    await world.create(objects, 32);
    await world.tracker.allReady(objects, 3_600_000).finally(stopProgress);
    row(
      `large: ${n} contacts in ${accounts} accounts all Ready (controller \`${LARGE_ARGS.join(' ')}\`)`,
      s1(performance.now() - t0),
    );
    await quiet(world, 3_000);
    await footprint(c0, `idle with ${n} objects`);
    await c0.kill();
    const c1 = spawnController(world, ['--no-leader-elect', ...LARGE_ARGS]);
    const synced = await c1.waitLog('caches synced; starting workers', 300_000);
    row(`large: a new controller with ${n} existing objects: caches synced`, s1(synced.at - c1.startedAt));
    await quiet(world, 3_000);
    await footprint(c1, `after the start-up pass over ${n} objects`);
    await c1.kill();
  } finally {
    await world.stop();
  }
}

/** 1-minute load averages seen during the run: the cores are shared, and the figures say so. */
const loads: number[] = [];
setInterval(() => loads.push(loadavg()[0] ?? 0), 10_000).unref();

async function main(): Promise<void> {
  const started = new Date();
  if (want('converge') || want('churn') || want('restart') || want('steady')) {
    const world = await startWorld();
    try {
      const c = await converge(world, N, ACCOUNTS, 'emulator');
      await quiet(world, 3_000);
      await footprint(c, `idle with ${N} objects, settled`);
      await heapSnapshot(c, HEAP_DIR);
      const f = fleet({ objects: N, accounts: ACCOUNTS });
      if (want('churn')) await churn(world, f.objects);
      await c.kill();
      if (want('restart') || want('steady'))
        await restartAndSteady(world, [...f.replicationSets, ...f.objects]);
    } finally {
      await world.stop();
    }
  }
  // 10,000 objects take about 10 minutes (bench/RESULTS.md, gap 7): a full run
  // leaves that phase out unless asked for by name.
  if (only ? only.includes('large') : quick) await large(LARGE, quick ? 10 : 40);
  if (want('real')) {
    if (!process.env.KUBEBUILDER_ASSETS) notes.push('real control plane: skipped (no KUBEBUILDER_ASSETS)');
    else {
      const world = await startWorld({ kube: 'real' });
      try {
        const c = await converge(world, N, ACCOUNTS, 'real kube-apiserver');
        await footprint(c, `real kube-apiserver: idle with ${N} objects`);
        await c.kill();
      } finally {
        await world.stop();
      }
    }
  }
  for (const n of notes) process.stdout.write(`${n}\n`);
  if (argv.includes('--write')) writeResults(started);
}

function writeResults(started: Date): void {
  const path = new URL('./RESULTS.md', import.meta.url);
  const mode = quick ? 'quick' : 'full';
  const begin = `<!-- e2e:${mode}:begin -->`;
  const end = `<!-- e2e:${mode}:end -->`;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const table = [
    begin,
    `### End to end, ${mode} (\`npm run bench -- e2e ${mode === 'quick' ? '--quick ' : ''}--write\`)`,
    '',
    `${started.toISOString().slice(0, 10)}, ${availableParallelism()} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${N} objects in ${ACCOUNTS} accounts, controller \`${WORKERS.join(' ')}\`, AWS gate at its defaults (${TPS} calls/s per account, Region and service), emulators in the bench process; 1-minute load average during the run ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${availableParallelism()} cores (other work shares them).`,
    '',
    '| Figure | Measured | Goal |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.figure} | ${r.measured} | ${r.goal} |`),
    ...notes.map((n) => `\n${n}`),
    end,
  ].join('\n');
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '# Benchmark results\n';
  }
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  text =
    i >= 0 && j > i
      ? text.slice(0, i) + table + text.slice(j + end.length)
      : `${text.trimEnd()}\n\n${table}\n`;
  writeFileSync(path, text);
  // npm test lints the repository, tables included: lay the file out as biome does.
  spawnSync(fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url)), [
    'format',
    '--write',
    fileURLToPath(path),
  ]);
  process.stdout.write(`written to bench/RESULTS.md (${mode})\n`);
}

await main();
process.exit(0);
