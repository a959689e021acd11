// Scale-out (issue 17): three `imctl controller --shards 3` replicas (StatefulSet identities imo-0..2)
// against both emulators, A accounts (an AWSAccount reached by AssumeRole and a ReplicationSet that
// onboards it, each) and N simple personal contacts spread over them, all applied at once. When
// 40 % of the contacts are Ready, the replica holding shard 1 is SIGKILLed; a survivor takes its
// shard over once the shard Lease expires. Printed:
//   per replica: the shards it held, its objects, when they were all Ready, RSS (peak, settled)
//   the kill: when the shard was taken over, how many of its objects were Ready before
//   the proof, from the AWS emulator's call log: each replica signs with the credentials of its own
//   AssumeRole, so an account's access keys tell its writers apart. Every account is written by one
//   key, except the killed shard's accounts: two keys each, the first's writes all before the kill
//   (plus requests already in flight), the second's all after the take-over. And every contact
//   exists once in AWS.
// `npm run bench -- sharded` (default 15,000 contacts, 200 accounts: about 20 min on 2 shared
// cores), `--objects N`, `--accounts N`, `--quick` (2,000), `--write` (into bench/RESULTS.md).
// The figures are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { shardOf } from '../src/engine/shards.ts';
import { API, keyOf, type Manifest, REGION } from './lib/fleet.ts';
import { type ControllerProcess, isRead, spawnController, startWorld } from './lib/world.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const quick = argv.includes('--quick');
const N = Number(flag('--objects') ?? (quick ? 2_000 : 15_000));
const ACCOUNTS = Number(flag('--accounts') ?? 200);
const SHARDS = 3;
const REPLICAS = ['imo-0', 'imo-1', 'imo-2'];
/** The replica SIGKILLed mid-converge: the one holding this shard then. */
const VICTIM_SHARD = 1;
const KILL_AT = 0.4;
const ARGS = [
  '--shards',
  String(SHARDS),
  '--lease-name',
  'bench-shards',
  '--workers',
  '16',
  '--aws-rate',
  '100',
  '--aws-concurrency',
  '20',
];
/** Writes of the killed replica may still reach the emulator just after the kill (loopback round trip). */
const IN_FLIGHT_MS = 1_000;

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loads: number[] = [];
setInterval(() => loads.push(loadavg()[0] ?? 0), 10_000).unref();

/** Resident set size of a process in KiB (0 once it is gone). */
function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0);
  } catch {
    return 0;
  }
}

interface Row {
  figure: string;
  measured: string;
  goal: string;
}
const rows: Row[] = [];
function row(figure: string, measured: string, goal = '—'): void {
  rows.push({ figure, measured, goal });
  process.stdout.write(`${figure}: ${measured}${goal !== '—' ? `   (goal ${goal})` : ''}\n`);
}

function manifests(): { base: Manifest[]; sets: Manifest[]; contacts: Manifest[]; ids: Map<string, string> } {
  const base: Manifest[] = [];
  const sets: Manifest[] = [];
  const contacts: Manifest[] = [];
  const ids = new Map<string, string>(); // AWS account id → AWSAccount name
  for (let a = 0; a < ACCOUNTS; a++) {
    const name = `sh-${a}`;
    const id = `4${String(a + 1).padStart(11, '0')}`;
    ids.set(id, name);
    base.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    base.push({
      apiVersion: API,
      kind: 'AWSAccount',
      metadata: { name },
      spec: { accountId: id, region: REGION, roleArn: `arn:aws:iam::${id}:role/operator` },
    });
    sets.push({
      apiVersion: API,
      kind: 'ReplicationSet',
      metadata: { name: 'onboarding', namespace: name },
      spec: { accountRef: { name }, regions: [{ name: REGION }] },
    });
  }
  for (let i = 0; i < N; i++) {
    const ns = `sh-${i % ACCOUNTS}`;
    contacts.push({
      apiVersion: API,
      kind: 'Contact',
      metadata: { name: `c${i}`, namespace: ns },
      spec: { accountRef: { name: ns }, alias: `sh-c${i}`, displayName: `Contact ${i}`, type: 'Personal' },
    });
  }
  return { base, sets, contacts, ids };
}

/** The shards a replica says it took, in order (its `took shard` log lines). */
const shardsTaken = (r: ControllerProcess): Array<{ shard: number; at: number }> =>
  r.records.filter((x) => x.rec.msg === 'took shard').map((x) => ({ shard: Number(x.rec.shard), at: x.at }));

async function main(): Promise<void> {
  const started = new Date();
  const world = await startWorld();
  try {
    const { base, sets, contacts, ids } = manifests();
    const managed = [...sets, ...contacts];
    const shardOfObject = (m: Manifest) => shardOf(m.metadata.namespace as string, SHARDS);
    const perShard = Array.from({ length: SHARDS }, (_, s) => managed.filter((m) => shardOfObject(m) === s));
    const accountsPerShard = Array.from(
      { length: SHARDS },
      (_, s) => [...ids.values()].filter((n) => shardOf(n, SHARDS) === s).length,
    );

    // The write log, compact (the emulator's own log keeps the last 100,000 calls only).
    const writes: Array<{ account: string; key: string; at: number; op: string }> = [];
    let calls = 0;
    world.onCall((c) => {
      calls++;
      if (!isRead(c.operation) && c.outcome === 'ok' && c.accessKeyId?.startsWith('ASIA'))
        writes.push({ account: c.account, key: c.accessKeyId, at: Date.parse(c.at), op: c.operation });
    });
    // When each object was first Ready (performance.now()).
    const readyAt = new Map<string, number>();
    world.tracker.listen((o, at) => {
      const k = `${o.kind}:${keyOf(o)}`;
      if (readyAt.has(k)) return;
      const ready = o.status?.conditions?.find((x) => x.type === 'Ready');
      if (ready?.status === 'True' && (o.status?.observedGeneration ?? 0) >= (o.metadata.generation ?? 0))
        readyAt.set(k, at);
    });

    // Every controller process of the run, restarts included (a replica that exits on its own is
    // started again under its identity, as its Deployment or StatefulSet would; the SIGKILLed one
    // is not, so a survivor must take its shard over).
    const replicas: ControllerProcess[] = [];
    const names: string[] = [];
    const exitAt: number[] = []; // Date.now() of each process's exit, +∞ while it runs
    const peak: number[] = [];
    let t0 = performance.now();
    let converged = false;
    let victim: number | undefined;
    const launch = (id: string, name: string): ControllerProcess => {
      const r = spawnController(world, [...ARGS, '--identity', id]);
      const i = replicas.push(r) - 1;
      names.push(name);
      exitAt.push(Number.POSITIVE_INFINITY);
      peak.push(0);
      void r.exited.then((code) => {
        exitAt[i] = Date.now();
        const why = r.records
          .filter((x) => x.rec.msg === 'lost shard' || x.rec.msg === 'shard leases')
          .slice(-3)
          .map(
            (x) =>
              `${new Date(Number(x.rec.time)).toISOString()} ${x.rec.msg} ${String(x.rec.err ?? x.rec.shard)}`,
          );
        process.stdout.write(
          `  [${s1(performance.now() - t0)}] ${name} exited (${code ?? 'signal'})${why.length ? `:\n    ${why.join('\n    ')}` : ''}\n`,
        );
        if (!converged && i !== victim) {
          const again = `${name.split(' ')[0]} (restart ${names.filter((n) => n.startsWith(id)).length})`;
          process.stdout.write(`  [${s1(performance.now() - t0)}] starting ${again}\n`);
          launch(id, again);
        }
      });
      return r;
    };
    for (const id of REPLICAS) launch(id, id);
    for (const r of [...replicas]) await r.waitLog('took shard');
    const sampler = setInterval(() => {
      replicas.forEach((r, i) => {
        peak[i] = Math.max(peak[i] as number, rssKiB(r.pid));
      });
    }, 2_000);
    const idle = replicas.map((r) => rssKiB(r.pid));
    const lag = monitorEventLoopDelay({ resolution: 20 });
    lag.enable();

    t0 = performance.now();
    const startedWall = Date.now();
    await world.create(base);
    await world.create(sets);
    /** The replica holding a shard now: the last to log taking it, if alive. */
    const holderOf = (shard: number): number | undefined => {
      let best: { i: number; time: number } | undefined;
      replicas.forEach((r, i) => {
        for (const x of r.records)
          if (
            x.rec.msg === 'took shard' &&
            x.rec.shard === shard &&
            (!best || Number(x.rec.time) > best.time)
          )
            best = { i, time: Number(x.rec.time) };
      });
      return best && exitAt[best.i] === Number.POSITIVE_INFINITY ? best.i : undefined;
    };
    let killedAt = 0; // Date.now(), to compare with the call log and the logs' times
    let killedPerf = 0;
    let readyBeforeKill = 0;
    const killed = new Promise<void>((resolve) => {
      const off = world.tracker.listen(() => {
        if (readyAt.size < KILL_AT * managed.length) return;
        off();
        readyBeforeKill =
          perShard[VICTIM_SHARD]?.filter((m) => readyAt.has(`${m.kind}:${keyOf(m)}`)).length ?? 0;
        victim = holderOf(VICTIM_SHARD);
        killedAt = Date.now();
        killedPerf = performance.now();
        if (victim !== undefined) replicas[victim]?.child.kill('SIGKILL');
        process.stdout.write(
          `  [${s1(killedPerf - t0)}] SIGKILL ${victim === undefined ? 'nobody (no live holder)' : names[victim]}, the holder of shard ${VICTIM_SHARD}, at ${readyAt.size} Ready\n`,
        );
        resolve();
      });
    });
    const progress = setInterval(() => {
      process.stdout.write(
        `  [${s1(performance.now() - t0)}] ready ${readyAt.size}/${managed.length}; AWS calls ${calls}; RSS ${replicas
          .map((r, i) => (Number.isFinite(exitAt[i] as number) ? '' : `${names[i]} ${mib(rssKiB(r.pid))}`))
          .filter(Boolean)
          .join(
            ', ',
          )}; bench event-loop delay max ${(lag.max / 1e6).toFixed(0)} ms; load ${loadavg()[0]?.toFixed(1)}\n`,
      );
      lag.reset();
    }, 30_000);
    await world.create(contacts, 32);
    const applied = performance.now() - t0;
    await killed;
    // The take-over: another replica logs `took shard` for the killed one's shard after the kill.
    let takeover: { replica: number; at: number } | undefined;
    while (!takeover) {
      replicas.forEach((r, i) => {
        const t = r.records.find(
          (x) => x.rec.msg === 'took shard' && x.rec.shard === VICTIM_SHARD && Number(x.rec.time) > killedAt,
        );
        if (t && i !== victim) takeover = { replica: i, at: Number(t.rec.time) };
      });
      if (!takeover) await sleep(200);
    }
    await world.tracker.allReady(managed, 3_600_000);
    const took = performance.now() - t0;
    converged = true;
    clearInterval(progress);
    await sleep(5_000);
    clearInterval(sampler);
    const settled = replicas.map((r) => rssKiB(r.pid));

    const machine = `${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
    process.stdout.write(`${machine}\n`);
    row(
      `${N} contacts + ${ACCOUNTS} ReplicationSets in ${ACCOUNTS} accounts, 3 replicas \`${ARGS.join(' ')}\`, applied in ${s1(applied)}`,
      `all Ready after ${s1(took)}; ${calls} AWS calls (${(calls / managed.length).toFixed(2)} per object), ${writes.length} successful writes`,
      '50,000 objects, 200 accounts, 3 replicas',
    );
    row(
      'objects (accounts) per shard',
      perShard.map((p, s) => `shard ${s}: ${p.length} (${accountsPerShard[s]})`).join(', '),
    );
    replicas.forEach((r, i) => {
      const held = shardsTaken(r).map((x) => x.shard);
      const own = managed.filter((m) => held.includes(shardOfObject(m)));
      const last = Math.max(...own.map((m) => readyAt.get(`${m.kind}:${keyOf(m)}`) ?? Number.NaN));
      const rss = `RSS ${i < idle.length ? `idle ${mib(idle[i] as number)}, ` : ''}peak ${mib(peak[i] as number)}`;
      const gone = Number.isFinite(exitAt[i] as number);
      row(
        `replica ${names[i]}: took shards ${held.join(', ')}${i === victim ? ' (SIGKILLed)' : gone ? ' (exited on its own)' : ''}`,
        gone
          ? `exited ${s1((exitAt[i] as number) - startedWall)} into the converge; ${rss}`
          : `its ${own.length} objects all Ready after ${s1(last - t0)}; ${rss}, settled ${mib(settled[i] as number)}`,
        '≤ 128 MiB at 10,000 objects',
      );
    });
    const victimShard = perShard[VICTIM_SHARD] ?? [];
    const shardDone = Math.max(...victimShard.map((m) => readyAt.get(`${m.kind}:${keyOf(m)}`) ?? Number.NaN));
    row(
      `SIGKILL of the holder of shard ${VICTIM_SHARD} at ${s1(killedPerf - t0)} (${readyBeforeKill} of the shard's ${victimShard.length} objects Ready)`,
      `taken over by ${names[takeover.replica]} ${s1(takeover.at - killedAt)} after the kill (Lease 15 s); the shard's objects all Ready ${s1(shardDone - killedPerf)} after the kill`,
      'within the Lease duration',
    );

    // The proof. A shard's holders over time come from the replicas' own logs (`took shard`, with
    // the time it was logged) and their exits (seen here); each account's writes, by access key,
    // from the AWS emulator's call log. Every write must fall in the tenure of the replica holding
    // the account's shard then (from its take to its exit, plus requests already in flight), a key
    // never in two tenures, and no two replicas' writes interleave on one account.
    const tenures = Array.from(
      { length: SHARDS },
      () => [] as Array<{ replica: number; from: number; to: number }>,
    );
    replicas.forEach((r, i) => {
      for (const x of r.records)
        if (x.rec.msg === 'took shard')
          tenures[Number(x.rec.shard)]?.push({
            replica: i,
            from: Number(x.rec.time),
            to: exitAt[i] ?? Infinity,
          });
    });
    for (const t of tenures) t.sort((a, b) => a.from - b.from);
    const overlaps = tenures.flatMap((t, s) =>
      t.slice(1).flatMap((x, j) => {
        const prev = t[j] as (typeof t)[number];
        return x.from < prev.to
          ? [`shard ${s}: ${names[x.replica]} took it before ${names[prev.replica]} exited`]
          : [];
      }),
    );
    const gaps = tenures.flatMap((t) => t.slice(1).map((x, j) => x.from - (t[j] as (typeof t)[number]).to));
    const byAccount = new Map<string, typeof writes>();
    for (const w of writes) {
      const list = byAccount.get(w.account) ?? [];
      list.push(w);
      byAccount.set(w.account, list);
    }
    const interleaved: string[] = [];
    const outside: string[] = [];
    let twoWriters = 0;
    for (const [account, list] of byAccount) {
      list.sort((a, b) => a.at - b.at);
      const order = list.map((w) => w.key).filter((k, i, a) => i === 0 || a[i - 1] !== k);
      if (new Set(order).size !== order.length) interleaved.push(`${account}: ${order.join(' → ')}`);
      const name = ids.get(account) ?? account;
      const t = tenures[shardOf(name, SHARDS)] ?? [];
      const holderOfKey = new Map<string, number>();
      for (const w of list) {
        const at = t.findIndex((x) => x.from <= w.at && w.at <= x.to + IN_FLIGHT_MS);
        const was = holderOfKey.get(w.key);
        if (at < 0 || (was !== undefined && was !== at))
          outside.push(
            `${name} (shard ${shardOf(name, SHARDS)}) ${w.op} at ${new Date(w.at).toISOString()} by key ${w.key.slice(-6)} (first seen in tenure ${was ?? '-'})`,
          );
        else holderOfKey.set(w.key, at);
      }
      if (new Set(holderOfKey.values()).size > 1) twoWriters++;
    }
    const dump = world.stack.aws.admin.dump() as Record<
      string,
      { contacts?: Record<string, { Alias: string }> }
    >;
    const aliases = new Map<string, number>();
    for (const [key, state] of Object.entries(dump))
      if (key.startsWith('ssm-contacts|'))
        for (const c of Object.values(state.contacts ?? {}))
          aliases.set(c.Alias, (aliases.get(c.Alias) ?? 0) + 1);
    const wrongCount = contacts.filter((m) => aliases.get(m.spec.alias) !== 1).length;
    row(
      "shard holders (from the replicas' logs)",
      tenures
        .map(
          (t, s) =>
            `shard ${s}: ${t.map((x) => `${names[x.replica]}${Number.isFinite(x.to) ? ' (exited)' : ''}`).join(' → ')}`,
        )
        .join('; ') +
        (gaps.length
          ? `; each successor took over ${gaps.map((g) => s1(g)).join(', ')} after its predecessor exited`
          : ''),
      "a dead replica's shards taken over",
    );
    row(
      "call log: writes outside the tenure of the replica holding the account's shard / accounts whose writers interleave / shards taken before their holder exited",
      `${outside.length} of ${writes.length}${outside.length ? ` (${outside.slice(0, 3).join('; ')})` : ''} / ${interleaved.length} of ${byAccount.size}${interleaved.length ? ` (${interleaved.slice(0, 3).join('; ')})` : ''} / ${overlaps.length}${overlaps.length ? ` (${overlaps.join('; ')})` : ''}`,
      '0 / 0 / 0',
    );
    row(
      'call log: accounts written by two replicas, one after the other (a shard taken over)',
      `${twoWriters} of ${byAccount.size}`,
    );
    row('AWS state: contacts not there exactly once', `${wrongCount} of ${contacts.length}`, '0');
    for (const r of replicas) await r.kill();
    // Every replica's log, for reading what happened (why a replica lost a shard, say).
    const logDir = mkdtempSync(join(tmpdir(), 'imctl-sharded-'));
    for (const [i, r] of replicas.entries())
      writeFileSync(join(logDir, `${names[i]}.log`), `${r.raw.join('\n')}\n`);
    process.stdout.write(`replica logs in ${logDir}\n`);
    if (argv.includes('--write')) writeResults(started, machine);
  } finally {
    await world.stop();
  }
}

/** Replaces the sharded section of bench/RESULTS.md (between its markers; appended the first time). */
function writeResults(started: Date, machine: string): void {
  const file = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  const section = `<!-- sharded:begin -->
### Sharded across three replicas (\`npm run bench -- sharded --objects ${N} --accounts ${ACCOUNTS} --write\`)

${started.toISOString().slice(0, 10)}, ${machine}; emulators in the bench process; 1-minute load average during the run ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${availableParallelism()} cores (other work shares them).

| Figure | Measured | Goal |
| --- | --- | --- |
${rows.map((r) => `| ${r.figure} | ${r.measured} | ${r.goal} |`).join('\n')}
<!-- sharded:end -->`;
  const old = readFileSync(file, 'utf8');
  const marked = /<!-- sharded:begin -->[\s\S]*?<!-- sharded:end -->/;
  writeFileSync(
    file,
    marked.test(old) ? old.replace(marked, () => section) : `${old.trimEnd()}\n\n${section}\n`,
  );
  // Laid out as biome does (npm test lints the tables).
  spawnSync(fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url)), [
    'format',
    '--write',
    file,
  ]);
  process.stdout.write('written to bench/RESULTS.md (sharded)\n');
}

await main();
process.exit(0);
