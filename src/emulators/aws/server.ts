// One HTTP server on loopback serving every emulated service. Routing by protocol:
// awsJson1_1 by X-Amz-Target, awsQuery (STS) by Action=, restJson1 by method + path, with the
// SigV4 scope's service name choosing between ssm-incidents and ram. /__emulator/* is the admin path.
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type EmulatorClock, SystemClock } from './clock.ts';
import {
  AwsError,
  awsJsonError,
  awsQueryError,
  isAwsError,
  restJsonError,
  type SerialisedError,
} from './errors.ts';
import { type FaultConfig, Faults, withDefaultThrottling } from './faults.ts';
import { validateInput } from './model/validate.ts';
import { CallLog, type CallRecord, redactRequest, summariseRequest } from './observe.ts';
import type { EmulatorOptions, PluginFactory, RequestContext, ServicePlugin } from './service.ts';
import { parseSigV4 } from './sigv4.ts';
import { EmulatorStore } from './store.ts';

export interface StartOptions {
  /** 0 (default) = an ephemeral port. */
  port?: number;
  host?: string;
  /** Seeds ids, tokens and fault decisions. */
  seed?: number;
  faults?: FaultConfig;
  /** Apply DEFAULT_TPS token buckets to every service (faults.ts). */
  throttle?: boolean;
  /** Defaults to the system clock (which the admin path can still advance). */
  clock?: EmulatorClock & { advance?(ms: number): void };
  transitionMs?: number;
}

export interface EmulatorAdmin {
  store: EmulatorStore;
  faults: Faults;
  log: CallLog;
  clock: EmulatorClock;
  calls(filter?: { service?: string; operation?: string; account?: string }): CallRecord[];
  counters(): ReturnType<CallLog['counters']>;
  dump(): Record<string, unknown>;
  reset(): void;
  advance(ms: number): void;
  setFaults(f: FaultConfig): void;
  /** Operations each loaded service serves. */
  served(): Record<string, string[]>;
}

export interface RunningEmulator {
  url: string;
  port: number;
  admin: EmulatorAdmin;
  stop(): Promise<void>;
}

interface Route {
  method: string;
  segments: string[];
  operation: string;
  code: number;
}

interface LoadedPlugin {
  plugin: ServicePlugin;
  routes: Route[];
}

const DEFAULT_REGION = 'us-east-1';

async function loadPlugins(env: Parameters<PluginFactory>[0]): Promise<LoadedPlugin[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'services');
  const out: LoadedPlugin[] = [];
  for (const name of readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()) {
    let mod: { createPlugin?: PluginFactory };
    try {
      mod = (await import(pathToFileURL(join(dir, name, 'plugin.ts')).href)) as {
        createPlugin?: PluginFactory;
      };
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String(e).includes(`${name}/plugin.ts`))
        continue;
      throw e;
    }
    if (!mod.createPlugin) continue;
    const plugin = mod.createPlugin(env);
    const routes: Route[] = [];
    for (const [operation, op] of Object.entries(plugin.model?.operations ?? {})) {
      if (!op.http || !plugin.handlers[operation]) continue;
      const path = op.http.uri.split('?')[0] ?? '';
      routes.push({
        method: op.http.method,
        segments: path.split('/').slice(1),
        operation,
        code: op.http.code,
      });
    }
    out.push({ plugin, routes });
  }
  return out;
}

function matchRoute(
  routes: Route[],
  method: string,
  rawPath: string,
): { route: Route; labels: Record<string, string> } | undefined {
  const segs = rawPath.split('/').slice(1);
  for (const route of routes) {
    if (route.method !== method || route.segments.length !== segs.length) continue;
    const labels: Record<string, string> = {};
    let ok = true;
    route.segments.forEach((s, i) => {
      const actual = segs[i] ?? '';
      if (s.startsWith('{') && s.endsWith('}'))
        labels[s.slice(1, -1).replace(/\+$/, '')] = decodeURIComponent(actual);
      else if (s !== actual) ok = false;
    });
    if (ok) return { route, labels };
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body).toString() });
  res.end(body);
}

export async function startAwsEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const clock = options.clock ?? new SystemClock();
  const seed = options.seed ?? 1;
  const store = new EmulatorStore(clock, seed);
  const faults = new Faults(
    clock,
    options.throttle ? withDefaultThrottling(options.faults ?? {}) : (options.faults ?? {}),
    seed,
  );
  const log = new CallLog();
  const emulatorOptions: EmulatorOptions = { transitionMs: options.transitionMs ?? 1000 };
  const plugins = await loadPlugins({ store, faults, clock, options: emulatorOptions });
  const byName = new Map(plugins.map((p) => [p.plugin.name, p]));

  const admin: EmulatorAdmin = {
    store,
    faults,
    log,
    clock,
    calls: (f) => log.calls(f),
    counters: () => log.counters(),
    dump: () => store.dump(),
    reset: () => {
      store.reset();
      log.reset();
      faults.reset();
    },
    advance: (ms) => {
      const c = clock as { advance?(ms: number): void };
      if (!c.advance) throw new Error('this clock cannot be advanced');
      c.advance(ms);
    },
    setFaults: (f) => faults.set(f),
    served: () =>
      Object.fromEntries(plugins.map((p) => [p.plugin.name, Object.keys(p.plugin.handlers).sort()])),
  };

  async function dispatch(
    lp: LoadedPlugin,
    operation: string,
    input: Record<string, unknown>,
    scope: { accessKeyId: string | undefined; region: string },
    requestId: string,
    successStatus = 200,
  ): Promise<{ ok: true; result: unknown } | { ok: false; error: AwsError }> {
    const { plugin } = lp;
    const who = store.accounts.resolve(scope.accessKeyId);
    const ctx: RequestContext = {
      service: plugin.name,
      operation,
      account: who.account,
      region: scope.region,
      accessKeyId: scope.accessKeyId,
      callerArn: who.arn,
      requestId,
      store,
      faults,
      clock,
    };
    const token = (input.clientToken ?? input.IdempotencyToken) as string | undefined;
    let outcome: { ok: true; result: unknown } | { ok: false; error: AwsError };
    try {
      const f = faults.for(plugin.name, operation);
      if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
      const expiresAt = store.accounts.expiresAt(scope.accessKeyId);
      if (expiresAt !== undefined && clock.now() >= expiresAt)
        throw new AwsError(
          plugin.protocol === 'awsQuery' ? 'ExpiredToken' : 'ExpiredTokenException',
          'The security token included in the request is expired',
          plugin.protocol === 'awsQuery' ? 400 : 403,
        );
      if (!faults.take(plugin.name, operation, who.account)) throw plugin.throttlingError(operation);
      if (faults.injectServerError(plugin.name, operation)) throw plugin.internalError();
      if (plugin.model) {
        const violations = validateInput(plugin.model, operation, input);
        if (violations.length > 0) throw plugin.validationError(violations, operation);
      }
      const handler = plugin.handlers[operation];
      if (!handler) throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`, 400);
      outcome = { ok: true, result: await handler(input, ctx) };
    } catch (e) {
      if (isAwsError(e)) outcome = { ok: false, error: e };
      else {
        process.stderr.write(
          `aws emulator: ${plugin.name}:${operation} crashed: ${(e as Error).stack ?? e}\n`,
        );
        outcome = { ok: false, error: plugin.internalError() };
      }
    }
    log.add({
      at: new Date(clock.now()).toISOString(),
      service: plugin.name,
      operation,
      account: who.account,
      region: scope.region,
      ...(scope.accessKeyId ? { accessKeyId: scope.accessKeyId } : {}),
      request: summariseRequest(input),
      input: redactRequest(input),
      ...(token ? { token } : {}),
      outcome: outcome.ok ? 'ok' : 'error',
      status: outcome.ok ? successStatus : outcome.error.status,
      ...(outcome.ok ? {} : { errorCode: outcome.error.code }),
    });
    return outcome;
  }

  async function handleAdmin(req: IncomingMessage, url: URL, body: string): Promise<SerialisedError> {
    const json = (status: number, v: unknown): SerialisedError => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(v),
    });
    const path = url.pathname.slice('/__emulator'.length);
    const q = url.searchParams;
    const parsed = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    if (req.method === 'GET' && path === '/calls') {
      const f: { service?: string; operation?: string; account?: string } = {};
      for (const k of ['service', 'operation', 'account'] as const) {
        const v = q.get(k);
        if (v) f[k] = v;
      }
      return json(200, log.calls(f));
    }
    if (req.method === 'GET' && path === '/counters') return json(200, log.counters());
    if (req.method === 'GET' && path === '/state') return json(200, store.dump());
    if (req.method === 'POST' && path === '/reset') {
      admin.reset();
      return json(200, { reset: true });
    }
    if (req.method === 'POST' && path === '/clock') {
      admin.advance(Number(parsed.advanceMs ?? 0));
      return json(200, { now: new Date(clock.now()).toISOString() });
    }
    if (req.method === 'GET' && path === '/faults') return json(200, faults.get());
    if (req.method === 'PUT' && path === '/faults') {
      faults.set(parsed as FaultConfig);
      return json(200, faults.get());
    }
    if (req.method === 'PUT' && path === '/roles') {
      const r = parsed as { account?: string; roleName?: string; externalId?: string };
      if (!r.account || !r.roleName) return json(400, { message: 'account and roleName are required' });
      store.iamRoles.set(
        `${r.account}:${r.roleName}`,
        r.externalId !== undefined ? { externalId: r.externalId } : {},
      );
      return json(200, r);
    }
    return json(404, { message: `unknown admin path ${url.pathname}` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    if (url.pathname.startsWith('/__emulator/')) {
      const r = await handleAdmin(req, url, body);
      return send(res, r.status, r.headers, r.body);
    }
    const scope = parseSigV4(req.headers, url.searchParams);
    const region = scope?.region ?? DEFAULT_REGION;
    const who = { accessKeyId: scope?.accessKeyId, region };
    const method = req.method ?? 'GET';
    const contentType = String(req.headers['content-type'] ?? '');

    // awsJson1_1
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const [prefix, operation = ''] = target.split('.');
      const lp = plugins.find((p) => p.plugin.protocol === 'awsJson1_1' && p.plugin.targetPrefix === prefix);
      if (!lp) {
        const r = awsJsonError(
          new AwsError('UnknownOperationException', `Unknown target ${target}`),
          requestId,
        );
        return send(res, r.status, r.headers, r.body);
      }
      let input: Record<string, unknown>;
      try {
        input = body.trim() ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        const r = awsJsonError(new AwsError('SerializationException', 'Malformed JSON body'), requestId);
        return send(res, r.status, r.headers, r.body);
      }
      const out = lp.plugin.model?.operations[operation]
        ? await dispatch(lp, operation, input, who, requestId)
        : {
            ok: false as const,
            error: new AwsError('UnknownOperationException', `Unknown operation ${operation}`),
          };
      if (!out.ok) {
        const r = awsJsonError(out.error, requestId);
        return send(res, r.status, r.headers, r.body);
      }
      return send(
        res,
        200,
        { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
        JSON.stringify(out.result ?? {}),
      );
    }

    // awsQuery (STS)
    const form = contentType.includes('x-www-form-urlencoded') ? new URLSearchParams(body) : undefined;
    const action = form?.get('Action') ?? url.searchParams.get('Action');
    if (action || scope?.service === 'sts') {
      const lp = byName.get('sts');
      const params = new URLSearchParams(url.search);
      for (const [k, v] of form ?? []) params.set(k, v);
      const xmlns = lp?.plugin.xmlns ?? 'https://sts.amazonaws.com/doc/2011-06-15/';
      if (!lp || !action || !lp.plugin.handlers[action]) {
        const r = awsQueryError(
          new AwsError('InvalidAction', `Could not find operation ${action ?? ''} for version 2011-06-15`),
          requestId,
          xmlns,
        );
        return send(res, r.status, r.headers, r.body);
      }
      const out = await dispatch(lp, action, Object.fromEntries(params), who, requestId);
      if (!out.ok) {
        const r = awsQueryError(out.error, requestId, xmlns);
        return send(res, r.status, r.headers, r.body);
      }
      const xml =
        `<${action}Response xmlns="${xmlns}"><${action}Result>${String(out.result)}</${action}Result>` +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
      return send(res, 200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, xml);
    }

    // restJson1: prefer the service named in the SigV4 scope, else the first route that matches.
    const candidates = plugins.filter((p) => p.plugin.protocol === 'restJson1');
    const preferred = scope ? candidates.filter((p) => p.plugin.name === scope.service) : [];
    let hit: { lp: LoadedPlugin; route: Route; labels: Record<string, string> } | undefined;
    for (const lp of [...preferred, ...candidates]) {
      const m = matchRoute(lp.routes, method, url.pathname);
      if (m) {
        hit = { lp, ...m };
        break;
      }
    }
    if (!hit) {
      const r = restJsonError(
        new AwsError('UnknownOperationException', `No operation at ${method} ${url.pathname}`, 404),
        requestId,
      );
      return send(res, r.status, r.headers, r.body);
    }
    const { lp, route, labels } = hit;
    let input: Record<string, unknown> = {};
    try {
      input = body.trim() ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
      const r = restJsonError(new AwsError('SerializationException', 'Malformed JSON body', 400), requestId);
      return send(res, r.status, r.headers, r.body);
    }
    const model = lp.plugin.model;
    const opDef = model?.operations[route.operation];
    const shape = opDef?.input ? model?.shapes[opDef.input] : undefined;
    for (const [name, m] of Object.entries(shape?.members ?? {})) {
      if (m.location === 'label') {
        const v = labels[name];
        if (v !== undefined) input[name] = v;
      } else if (m.location === 'query') {
        const key = m.locationName ?? name;
        const all = url.searchParams.getAll(key);
        if (all.length === 0) continue;
        const t = model?.shapes[m.target]?.type ?? m.target;
        input[name] =
          t === 'list'
            ? all
            : t === 'integer' || t === 'number'
              ? Number(all[0])
              : t === 'boolean'
                ? all[0] === 'true'
                : all[0];
      } else if (m.location === 'header') {
        const v = req.headers[(m.locationName ?? name).toLowerCase()];
        if (typeof v === 'string') input[name] = v;
      }
    }
    const out = await dispatch(lp, route.operation, input, who, requestId, route.code);
    if (!out.ok) {
      const r = restJsonError(out.error, requestId);
      return send(res, r.status, r.headers, r.body);
    }
    const headers = { 'content-type': 'application/json', 'x-amzn-requestid': requestId };
    if (route.code === 204) return send(res, 204, { 'x-amzn-requestid': requestId }, '');
    return send(res, route.code, headers, JSON.stringify(out.result ?? {}));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      process.stderr.write(`aws emulator: ${(e as Error).stack ?? e}\n`);
      if (!res.headersSent)
        send(res, 500, { 'content-type': 'application/json' }, '{"message":"emulator error"}');
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    admin,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
