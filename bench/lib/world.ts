// The product as users run it, for benchmarks and the reliability suite: a Kubernetes API server
// (the emulator, or a real etcd + kube-apiserver) with our CRDs and the AWS emulator, both in this
// process, and `imctl controller` as separate processes whose only link to them is the standard
// environment. A tracker follows every managed object through a watch (no polling), so waits end
// on the event that satisfies them.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CallRecord } from '../../src/emulators/aws/observe.ts';
import { systemClock } from '../../src/engine/clock.ts';
import type { ManagedObject } from '../../src/engine/contract.ts';
import { Informer } from '../../src/engine/informer.ts';
import type { KubeClient } from '../../src/engine/kube.ts';
import { type KubeEndpoint, type LocalStack, startLocalStack } from '../../src/local/stack.ts';
import { isReady, typeOf } from '../../test/support/operator.ts';
import { keyOf, type Manifest } from './fleet.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MANAGED_KINDS = [
  'Contact',
  'Rotation',
  'EscalationPlan',
  'ResponsePlan',
  'ReplicationSet',
] as const;
/** The base credentials' secret key: the suite scans every log line and status for it. */
export const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYbenchSECRET';

export interface WorldOptions {
  kube?: 'emulator' | 'real';
  seed?: number;
  /** How long emulated AWS transitions take (replication set CREATING, RAM ASSOCIATING). */
  transitionMs?: number;
}

export interface World {
  stack: LocalStack<KubeEndpoint>;
  client: KubeClient;
  kubeconfigPath: string;
  /** The controller's environment: KUBECONFIG, AWS endpoint, keys and Region. */
  env: NodeJS.ProcessEnv;
  tracker: Tracker;
  /** AWS calls logged after `since` (a sequence number from `mark`). */
  calls(since?: number): CallRecord[];
  mark(): number;
  /** Called with every AWS call the emulator logs from now on; returns the unsubscribe. */
  onCall(fn: (c: CallRecord) => void): () => void;
  /** Creates each manifest (namespaced ones in their namespace), `concurrency` at a time, in order. */
  create(ms: readonly Manifest[], concurrency?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorld(o: WorldOptions = {}): Promise<World> {
  const common = {
    deferController: true,
    transitionMs: o.transitionMs ?? 500,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  };
  const stack: LocalStack<KubeEndpoint> =
    o.kube === 'real' ? await startLocalStack({ ...common, kube: 'real' }) : await startLocalStack(common);
  let kubeconfigPath = (stack.kube as { kubeconfigPath?: string }).kubeconfigPath;
  if (!kubeconfigPath) {
    kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'imctl-world-')), 'kubeconfig');
    writeFileSync(kubeconfigPath, stack.kube.kubeconfigYaml, { mode: 0o600 });
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KUBECONFIG: kubeconfigPath,
    AWS_ENDPOINT_URL: stack.aws.url,
    AWS_ACCESS_KEY_ID: stack.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_REGION: stack.region,
    IMCTL_LISTEN: '127.0.0.1:0',
  };
  const tracker = new Tracker(stack);
  await tracker.start();
  const log = stack.aws.admin.log;
  const callListeners = new Set<(c: CallRecord) => void>();
  const add = log.add.bind(log);
  // The log's own array (calls() copies it): the record just added, with its sequence number.
  const records = () => (log as unknown as { records: CallRecord[] }).records;
  log.add = (r) => {
    add(r);
    const last = records().at(-1);
    if (last) for (const fn of [...callListeners]) fn(last);
  };
  return {
    stack,
    client: stack.client,
    kubeconfigPath,
    env,
    tracker,
    mark: () => records().at(-1)?.seq ?? 0,
    calls: (since = 0) => log.calls().filter((c) => c.seq > since),
    onCall(fn) {
      callListeners.add(fn);
      return () => callListeners.delete(fn);
    },
    async create(ms, concurrency = 16) {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < ms.length; i = next++) {
          const m = ms[i] as Manifest;
          const t = typeOf(m.kind);
          await stack.client.create(t, m, t.namespaced ? m.metadata.namespace : undefined);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, ms.length) }, worker));
    },
    async stop() {
      await killControllers();
      await tracker.stop();
      await stack.stop();
    },
  };
}

type Waiter = { check: () => boolean; resolve: () => void };

/** The managed objects as the API server has them, kept by a watch per kind. */
export class Tracker {
  readonly objects = new Map<string, ManagedObject>();
  /** Watch events per kind that changed an object (every one is a write to the API server). */
  readonly modified = new Map<string, number>();
  readonly #informers: Informer<ManagedObject>[];
  readonly #waiters = new Set<Waiter>();
  readonly #listeners = new Set<(o: ManagedObject, at: number) => void>();
  /** Keys of the objects Ready now: lets a wait over 10,000 objects skip its full check until it can hold. */
  readonly #ready = new Set<string>();

  constructor(stack: LocalStack<KubeEndpoint>) {
    this.#informers = MANAGED_KINDS.map(
      (kind) =>
        new Informer<ManagedObject>({
          client: stack.client,
          type: typeOf(kind),
          clock: systemClock,
          handlers: {
            add: (obj) => this.#seen(kind, obj, false),
            update: (obj) => this.#seen(kind, obj, true),
            delete: (obj) => {
              this.objects.delete(`${kind}:${keyOf(obj)}`);
              this.#ready.delete(`${kind}:${keyOf(obj)}`);
              this.#notify();
            },
          },
        }),
    );
  }

  #seen(kind: string, obj: ManagedObject, modified: boolean): void {
    if (modified) this.modified.set(kind, (this.modified.get(kind) ?? 0) + 1);
    this.objects.set(`${kind}:${keyOf(obj)}`, obj);
    if (isReady(obj as never)) this.#ready.add(`${kind}:${keyOf(obj)}`);
    else this.#ready.delete(`${kind}:${keyOf(obj)}`);
    const at = performance.now();
    for (const l of this.#listeners) l(obj, at);
    this.#notify();
  }

  #notify(): void {
    for (const w of [...this.#waiters])
      if (w.check()) {
        this.#waiters.delete(w);
        w.resolve();
      }
  }

  async start(): Promise<void> {
    await Promise.all(this.#informers.map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#informers.map((i) => i.stop()));
  }

  get(m: Manifest): ManagedObject | undefined {
    return this.objects.get(`${m.kind}:${keyOf(m)}`);
  }

  /** Called with every added or changed object and the time it arrived (performance.now()). */
  listen(fn: (o: ManagedObject, at: number) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** The namespace of the object whose spec.alias is `alias`. */
  namespaceOfAlias(alias: string): string | undefined {
    for (const o of this.objects.values())
      if ((o.spec as { alias?: string } | undefined)?.alias === alias) return o.metadata.namespace;
    return undefined;
  }

  modifiedTotal(): number {
    let n = 0;
    for (const v of this.modified.values()) n += v;
    return n;
  }

  notReady(ms: readonly Manifest[]): Manifest[] {
    return ms.filter((m) => !isReady(this.get(m) as never));
  }

  /** Resolves once `check` holds; rejects after `timeoutMs` with `describe()` (a guard, not a wait). */
  until(check: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(w);
        reject(new Error(`not within ${timeoutMs / 1000} s: ${describe()}`));
      }, timeoutMs);
      this.#waiters.add(w);
    });
  }

  /** The object Ready for `generation` or a later one (e.g. the generation an edit returned). */
  readyAt(m: Manifest, generation: number, timeoutMs: number): Promise<void> {
    return this.until(
      () => {
        const o = this.get(m);
        return (o?.metadata.generation ?? 0) >= generation && isReady(o as never);
      },
      timeoutMs,
      () => `${m.kind} ${keyOf(m)} not Ready for generation ${generation}`,
    );
  }

  /** Every manifest Ready for its current generation. */
  allReady(ms: readonly Manifest[], timeoutMs: number): Promise<void> {
    return this.until(
      () => this.#ready.size >= ms.length && this.notReady(ms).length === 0,
      timeoutMs,
      () => {
        const left = this.notReady(ms);
        const sample = left.slice(0, 5).map((m) => {
          const ready = (this.get(m)?.status?.conditions ?? []).find((c) => c.type === 'Ready');
          return `${m.kind} ${keyOf(m)}: ${ready ? `${ready.reason}: ${ready.message}` : 'no Ready condition'}`;
        });
        return `${left.length} of ${ms.length} not Ready, e.g.\n  ${sample.join('\n  ')}`;
      },
    );
  }
}

export interface ControllerProcess {
  child: ChildProcess;
  pid: number;
  /** Every stdout line, parsed when it is JSON (pino), with the time it arrived (performance.now()). */
  records: Array<{ at: number; rec: Record<string, unknown> }>;
  /** Every stdout and stderr line as printed, for the secrets scan. */
  raw: string[];
  startedAt: number;
  waitLog(msg: string, timeoutMs?: number): Promise<{ at: number; rec: Record<string, unknown> }>;
  /** http://127.0.0.1:PORT of /healthz, /readyz and /metrics. */
  url(): Promise<string>;
  /** Prometheus samples by name with labels (`name{a="b"}` → value). */
  metrics(): Promise<Map<string, number>>;
  /** User + system CPU seconds so far (from /proc). */
  cpuSeconds(): number;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Every controller process still running: killed when this process exits, whatever the reason. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Kills the controller processes still running (a failed test or benchmark leaves none behind). */
export async function killControllers(): Promise<void> {
  const all = [...running];
  await Promise.all(
    all.map((c) => {
      const gone = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      return gone;
    }),
  );
}

export function spawnController(
  world: World,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): ControllerProcess {
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['src/cli/main.ts', 'controller', ...args], {
    cwd: ROOT,
    env: { ...world.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: ControllerProcess['records'] = [];
  const raw: string[] = [];
  const waiters = new Set<(r: { at: number; rec: Record<string, unknown> }) => void>();
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    raw.push(line);
    try {
      const r = { at: performance.now(), rec: JSON.parse(line) as Record<string, unknown> };
      records.push(r);
      for (const w of [...waiters]) w(r);
    } catch {
      // not a log line
    }
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => raw.push(line));
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const waitLog: ControllerProcess['waitLog'] = (msg, timeoutMs = 120_000) => {
    const seen = records.find((r) => r.rec.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(
          new Error(`controller: no "${msg}" within ${timeoutMs / 1000} s\n${raw.slice(-10).join('\n')}`),
        );
      }, timeoutMs);
      const w = (r: { at: number; rec: Record<string, unknown> }) => {
        if (r.rec.msg !== msg) return;
        clearTimeout(timer);
        waiters.delete(w);
        resolve(r);
      };
      waiters.add(w);
      void exited.then((code) => {
        if (!waiters.delete(w)) return;
        clearTimeout(timer);
        reject(new Error(`controller exited (${code}) before "${msg}"\n${raw.slice(-20).join('\n')}`));
      });
    });
  };
  const url = async () => String((await waitLog('serving /healthz, /readyz and /metrics')).rec.url);
  return {
    child,
    pid: child.pid as number,
    records,
    raw,
    startedAt,
    waitLog,
    url,
    async metrics() {
      const text = await (await fetch(`${await url()}/metrics`)).text();
      const out = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (line.startsWith('#') || !line.trim()) continue;
        const i = line.lastIndexOf(' ');
        out.set(line.slice(0, i), Number(line.slice(i + 1)));
      }
      return out;
    },
    cpuSeconds() {
      // Fields 14 and 15 of /proc/PID/stat (after the parenthesised name): utime, stime in ticks.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    },
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Sum of a metric over every label set (`name` or `name{…}`). */
export function metricSum(m: Map<string, number>, name: string, labelFilter = ''): number {
  let n = 0;
  for (const [k, v] of m) if ((k === name || k.startsWith(`${name}{`)) && k.includes(labelFilter)) n += v;
  return n;
}

export const isRead = (op: string): boolean => /^(Get|List|Describe|Preview)/.test(op);

/** Calls by `service:Operation`. */
export function byOperation(calls: readonly CallRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[`${c.service}:${c.operation}`] = (out[`${c.service}:${c.operation}`] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([, a], [, b]) => b - a));
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

/** Waits until no AWS call was logged for `quietMs` (the controller has nothing left to do), at most `maxMs`. */
export async function quiet(world: World, quietMs: number, maxMs = 900_000): Promise<void> {
  const end = Date.now() + maxMs;
  for (;;) {
    const m = world.mark();
    await new Promise((r) => setTimeout(r, quietMs));
    if (world.mark() === m || Date.now() > end) return;
  }
}
