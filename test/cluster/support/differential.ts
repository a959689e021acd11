// Differential conformance: the same steps (real kubectl, raw client-node-authenticated requests,
// watches) against a real kube-apiserver and the emulator, outputs normalised by one function and
// compared. The real server is the judge; a step that differs is either fixed in the emulator or
// listed in KNOWN_DIFFERENCES (mirrored in docs/kube-emulator.md, "Known differences").

import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type Harness, startHarness } from '../../kube/emulator/harness.ts';
import { type Cluster, type KubectlResult, SAMPLES_DIR, startCluster } from './cluster.ts';

export type SideName = 'real' | 'emulator';

export interface HttpResult {
  status: number;
  body: unknown;
  /** Texts of the `Warning` headers. */
  warnings: string[];
}

export interface WatchEvent {
  type: string;
  object: Record<string, unknown> & { metadata?: Record<string, unknown> };
}

export interface Side {
  name: SideName;
  kubectl(args: string[], stdin?: string): Promise<KubectlResult>;
  /** One request with the kubeconfig's credentials; JSON in and out. */
  http(
    method: string,
    path: string,
    o?: { body?: unknown; contentType?: string; accept?: string },
  ): Promise<HttpResult>;
  /**
   * Opens a watch (`path` carries the query), calls `then` once the stream is open, and collects
   * events until `until` holds for the events so far (or the deadline passes: then it throws).
   */
  watch(
    path: string,
    until: (events: WatchEvent[]) => boolean,
    then?: () => Promise<void>,
    deadlineMs?: number,
  ): Promise<WatchEvent[]>;
}

export interface Sides {
  real: Side;
  emulator: Side;
  stop(): Promise<void>;
}

function rawRequest(
  base: string,
  token: string,
  method: string,
  path: string,
  o: { body?: unknown; contentType?: string; accept?: string },
): Promise<HttpResult> {
  const url = new URL(path, base);
  const text =
    o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const req = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(
      url,
      {
        method,
        rejectUnauthorized: false,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: o.accept ?? 'application/json',
          'User-Agent': 'differential/v0.0.0',
          ...(text !== undefined
            ? {
                'Content-Type': o.contentType ?? 'application/json',
                'Content-Length': Buffer.byteLength(text),
              }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: unknown = raw;
          try {
            body = JSON.parse(raw);
          } catch {}
          const w = res.headers.warning;
          const warnings = (Array.isArray(w) ? w : w ? w.split(/,(?=\s*299 )/) : []).map((x) =>
            x
              .trim()
              .replace(/^299 - "(.*)"$/, '$1')
              .replace(/\\(.)/g, '$1'),
          );
          resolve({ status: res.statusCode ?? 0, body, warnings });
        });
      },
    );
    r.on('error', reject);
    r.end(text);
  });
}

function rawWatch(
  base: string,
  token: string,
  path: string,
  until: (events: WatchEvent[]) => boolean,
  then: (() => Promise<void>) | undefined,
  deadlineMs: number,
): Promise<WatchEvent[]> {
  const url = new URL(path, base);
  const req = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    let buf = '';
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      r.destroy();
      if (err) reject(err);
      else resolve(events);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `watch ${path}: condition not met within ${deadlineMs} ms; got ${JSON.stringify(events.map((e) => e.type))}`,
          ),
        ),
      deadlineMs,
    );
    const r = req(
      url,
      {
        method: 'GET',
        rejectUnauthorized: false,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          finish(new Error(`watch ${path}: HTTP ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          let i = buf.indexOf('\n');
          while (i >= 0) {
            const line = buf.slice(0, i).trim();
            buf = buf.slice(i + 1);
            if (line) events.push(JSON.parse(line) as WatchEvent);
            i = buf.indexOf('\n');
          }
          if (until(events)) finish();
        });
        res.on('end', () => finish(until(events) ? undefined : new Error(`watch ${path} ended early`)));
        if (then) then().catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
      },
    );
    r.on('error', (e) => finish(e));
    r.end();
  });
}

/** One real control plane and one emulator, each with kubectl and raw requests. */
export async function startSides(): Promise<Sides> {
  const [cluster, harness] = await Promise.all([startCluster(), startHarness()]);
  return sidesOf(cluster, harness);
}

function sidesOf(cluster: Cluster, harness: Harness): Sides {
  const real: Side = {
    name: 'real',
    kubectl: cluster.kubectl,
    http: (method, path, o = {}) => rawRequest(cluster.cp.url, cluster.cp.token, method, path, o),
    watch: (path, until, then, deadlineMs = 30_000) =>
      rawWatch(cluster.cp.url, cluster.cp.token, path, until, then, deadlineMs),
  };
  const emulator: Side = {
    name: 'emulator',
    kubectl: harness.kubectl,
    http: (method, path, o = {}) => rawRequest(harness.emu.url, 'emulator', method, path, o),
    watch: (path, until, then, deadlineMs = 30_000) =>
      rawWatch(harness.emu.url, 'emulator', path, until, then, deadlineMs),
  };
  return {
    real,
    emulator,
    async stop() {
      await Promise.all([cluster.stop(), harness.close()]);
    },
  };
}

// ---- normalisation ----------------------------------------------------------------------------

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;
const SERVER = /(?:https?:\/\/)?127\.0\.0\.1:\d+/g;
const DIFF_TMP = /\/tmp\/(LIVE|MERGED)-\d+/g;
// klog's prefix on kubectl's own warnings: `W1205 10:11:26.612900    9830 diff.go:723] `.
const KLOG = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ /gm;
const DIFF_TIME = /\t\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+ [+-]\d{4}/g;
// A kubectl AGE cell (`0s`, `2m3s`, `<invalid>`) between column gaps or at the end of a line.
const AGE = /(?<=(?:^|\s))(?:\d+[smhdy])+(?=\s{2,}|$)|<invalid>/gm;
// resourceVersion wherever it shows: JSON/YAML keys, conflict messages, Status details.
const RV_KEY = /("?resourceVersion"?:\s*)"\d+"/g;
const RV_TEXT = /(ResourceVersion in (?:precondition|object meta): )\d+/g;

/**
 * Everything that must differ between two servers, and nothing else:
 * - resourceVersions, uids, timestamps (creation, deletion, managedFields times, condition
 *   transitions) and server addresses;
 * - kubectl's AGE cells, `kubectl diff`'s temporary folders and file times, klog's time and pid;
 *   padding between table columns is collapsed after ages are replaced (a `10s` age widens its
 *   column by one space; indentation at the start of a line is kept);
 * - the order of keys in JSON objects (clients parse them; Go writes struct fields in declaration
 *   order);
 * - the order of the `* cause` lines kubectl prints for an invalid object (kube-openapi's validator
 *   walks a schema's properties in Go map order, so kube-apiserver itself answers in a different
 *   order from one request to the next).
 * Names made from `generateName` are avoided by the steps rather than normalised. Objects are
 * walked and every string gets the same rules as kubectl output.
 */
export function normalise(v: unknown): unknown {
  if (typeof v === 'string') return normaliseText(v);
  if (Array.isArray(v)) return v.map(normalise);
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [
          k,
          k === 'resourceVersion' && typeof x === 'string' && /^\d+$/.test(x) ? '<rv>' : normalise(x),
        ]),
    );
  return v;
}

function normaliseText(s: string): string {
  return sortCauseLines(s)
    .replace(UUID, '<uid>')
    .replace(TIME, '<time>')
    .replace(SERVER, '<server>')
    .replace(DIFF_TMP, '/tmp/$1')
    .replace(DIFF_TIME, '\t<time>')
    .replace(KLOG, '$1<klog> ')
    .replace(RV_KEY, '$1"<rv>"')
    .replace(RV_TEXT, '$1<rv>')
    .replace(AGE, '<age>')
    .replace(/(?<=\S) {2,}/g, '  ')
    .replace(/ +$/gm, '');
}

/** Runs of `* cause` lines (kubectl's list of an Invalid Status's causes) in sorted order. */
function sortCauseLines(s: string): string {
  return s.replace(/(?:^\* .*\n)+/gm, (run) => `${run.trimEnd().split('\n').sort().join('\n')}\n`);
}

// ---- scenarios --------------------------------------------------------------------------------

export interface Ctx {
  /** A namespace of this scenario (same name on both sides). */
  ns: string;
}

export interface Step {
  name: string;
  /** What the step observed on one side (kubectl result, status + body, events…). */
  run(side: Side, ctx: Ctx): Promise<unknown>;
}

export interface Scenario {
  name: string;
  /** Make a namespace for the scenario first (default true). */
  namespace?: boolean;
  steps: Step[];
}

export interface StepOutcome {
  id: string;
  real: unknown;
  emulator: unknown;
  same: boolean;
}

/** Runs a scenario's steps on both sides (side by side, step after step). */
export async function runScenario(s: Scenario, sides: Sides): Promise<StepOutcome[]> {
  const ctx: Ctx = {
    ns: `d-${s.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')}`.slice(0, 63),
  };
  if (s.namespace !== false)
    await Promise.all(
      [sides.real, sides.emulator].map(async (side) => {
        const r = await side.kubectl(['create', 'namespace', ctx.ns]);
        if (r.code !== 0) throw new Error(`${side.name}: create namespace ${ctx.ns}: ${r.stderr}`);
      }),
    );
  const out: StepOutcome[] = [];
  for (const step of s.steps) {
    const [real, emulator] = await Promise.all([step.run(sides.real, ctx), step.run(sides.emulator, ctx)]);
    const r = normalise(real);
    const e = normalise(emulator);
    out.push({
      id: `${s.name} › ${step.name}`,
      real: r,
      emulator: e,
      same: JSON.stringify(r) === JSON.stringify(e),
    });
  }
  return out;
}

// ---- step builders ----------------------------------------------------------------------------

type Arg = string | ((ctx: Ctx) => string);
const resolve = (a: Arg, ctx: Ctx) => (typeof a === 'function' ? a(ctx) : a);

/** A kubectl invocation; its exit code, stdout and stderr are the outcome. */
export function kubectl(name: string, args: Arg[], stdin?: (ctx: Ctx) => string): Step {
  return {
    name,
    run: (side, ctx) =>
      side.kubectl(
        args.map((a) => resolve(a, ctx)),
        stdin?.(ctx),
      ),
  };
}

/** A request; `view` picks what of the answer is compared (default: status, body, warnings). */
export function http(
  name: string,
  method: string,
  path: Arg,
  o: { body?: (ctx: Ctx) => unknown; contentType?: string; accept?: string } = {},
  view: (r: HttpResult) => unknown = (r) => r,
): Step {
  return {
    name,
    run: async (side, ctx) =>
      view(
        await side.http(method, resolve(path, ctx), {
          ...(o.body ? { body: o.body(ctx) } : {}),
          ...(o.contentType ? { contentType: o.contentType } : {}),
          ...(o.accept ? { accept: o.accept } : {}),
        }),
      ),
  };
}

/** A step of free form (several requests, a watch). */
export function custom(name: string, run: (side: Side, ctx: Ctx) => Promise<unknown>): Step {
  return { name, run };
}

// ---- inputs -----------------------------------------------------------------------------------

export interface SampleObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

/** The samples of config/samples (Secret included), in file order. */
export function samples(): SampleObject[] {
  return readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(SAMPLES_DIR, f), 'utf8')).map((d) => d.toJSON()))
    .filter((o): o is SampleObject => !!o);
}

/** The namespaced samples moved to `ns`, as one multi-document stream for `kubectl -f -`. */
export function namespacedSamples(ns: string, filter: (o: SampleObject) => boolean = () => true): string {
  return samples()
    .filter((o) => o.kind !== 'AWSAccount' && filter(o))
    .map((o) => JSON.stringify({ ...o, metadata: { ...o.metadata, namespace: ns } }))
    .join('\n');
}
