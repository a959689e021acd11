// HTTP front of the emulator: discovery (legacy and aggregated), OpenAPI v2/v3, resource routes,
// watch streams, tables; speaks JSON (YAML accepted for apply patches).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import type { KubeApi, PatchType, WriteOptions } from './api.ts';
import { openApiV2, openApiV3Doc, openApiV3Index } from './openapi.ts';
import { decodeProtobuf } from './protobuf.ts';
import type { Obj, ResourceInfo } from './registry.ts';
import { storeKey } from './registry.ts';
import { type Matcher, parseFieldSelector, parseLabelSelector, selectableFields } from './selectors.ts';
import { errors, KubeError, type StatusCause, success } from './status.ts';
import type { WatchEvent } from './store.ts';
import { toTable } from './table.ts';

export interface ServerOptions {
  /** How often watches that asked for bookmarks get one. */
  bookmarkIntervalMs?: number;
  /** Default watch timeout when the client sends none. */
  defaultWatchTimeoutSeconds?: number;
}

const AGG_CT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

function send(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
  warnings: string[] = [],
) {
  // Go's JSON encoder ends every document with a newline (kubectl get --raw shows it).
  const text = `${JSON.stringify(body)}\n`;
  const headers: Record<string, string | string[]> = {
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

/** `Accept: …;as=PartialObjectMetadata;g=meta.k8s.io;v=v1` (a metadata-only client, e.g. client-go's metadata informers). */
const asPartial = (accept: string) => /as=PartialObjectMetadata(?!List)/.test(accept);

function partialMetadata(o: Obj): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata ?? {} };
}

/**
 * discovery's storageVersionHash: the first 8 bytes of sha256("group/version/Kind") of the version
 * objects are stored in, base64. events.k8s.io Events are stored as core v1 Events.
 */
function storageVersionHash(r: ResourceInfo): string {
  const gvk = r.group === 'events.k8s.io' ? '/v1/Event' : `${r.group}/${r.version}/${r.kind}`;
  return createHash('sha256').update(gvk).digest().subarray(0, 8).toString('base64');
}

/** The storage layer parses a list's or watch's resourceVersion: a bare 500, no reason. */
function checkResourceVersion(rv: string): void {
  if (rv === '' || /^\d+$/.test(rv)) return;
  throw errors.bare(
    500,
    `resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`,
  );
}

/** ValidateListOptions for a list (not a watch): resourceVersionMatch needs a resourceVersion. */
function checkListOptions(q: URLSearchParams): void {
  checkResourceVersion(q.get('resourceVersion') ?? '');
  const causes: StatusCause[] = [];
  const match = q.get('resourceVersionMatch') ?? '';
  const forbid = (field: string, why: string) =>
    causes.push({ reason: 'FieldValueForbidden', message: `Forbidden: ${why}`, field });
  if (match !== '') {
    const rv = q.get('resourceVersion') ?? '';
    if (rv === '')
      forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (q.get('continue'))
      forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    if (match !== 'Exact' && match !== 'NotOlderThan')
      causes.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan", ""`,
        field: 'resourceVersionMatch',
      });
    if (match === 'Exact' && rv === '0')
      forbid('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  if (q.has('sendInitialEvents')) forbid('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  if (causes.length > 0) throw errors.invalidOptions('ListOptions', causes);
}

/** ValidateDryRun: "All" is the only value (field.NotSupported prints the list as Go's %#v). */
function checkDryRun(optionsKind: string, values: string[]): void {
  if (values.every((v) => v === 'All')) return;
  throw errors.invalidOptions(optionsKind, [
    {
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: []string{${values.map((v) => JSON.stringify(v)).join(', ')}}: supported values: "All"`,
      field: 'dryRun',
    },
  ]);
}

function sendError(res: ServerResponse, e: unknown) {
  const ke = e instanceof KubeError ? e : errors.internal(e instanceof Error ? e.message : String(e));
  if (ke.plainText !== undefined) {
    const text = ke.plainText;
    res.writeHead(ke.status.code, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': String(Buffer.byteLength(text)),
    });
    return void res.end(text);
  }
  send(res, ke.status.code, ke.status, 'application/json', ke.warnings);
}

/** kube-apiserver's request body limit (3 MiB). */
const MAX_BODY = 3 * 1024 * 1024;

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw errors.tooLarge(`Request entity too large: limit is ${MAX_BODY}`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req)).toString('utf8');
}

/** Request object in JSON, YAML or (kubectl's typed commands) protobuf, and its duplicate fields. */
async function readObject(
  req: IncomingMessage,
  contentType: string,
): Promise<{ body: Obj; duplicates: string[] }> {
  const raw = await readRaw(req);
  const text = contentType.includes('protobuf') ? undefined : raw.toString('utf8');
  const body = text === undefined ? decodeProtobuf(raw) : parseBody(text, contentType);
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw errors.badRequest('request body must be an object');
  const json = text !== undefined && !contentType.includes('yaml');
  return { body: body as Obj, duplicates: json ? duplicateFields(text) : [] };
}

/**
 * Paths of keys that occur twice in one JSON object (`spec.alias`, `spec.items[0].name`), which
 * kube's strict decoder reports; JSON.parse keeps the last silently. `text` is valid JSON.
 */
export function duplicateFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r'))
      i++;
  };
  const str = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      const seen = new Set<string>();
      for (;;) {
        ws();
        const k = str();
        const p = path ? `${path}.${k}` : k;
        if (seen.has(k)) out.push(p);
        seen.add(k);
        ws();
        i++; // ':'
        value(p);
        ws();
        if (text[i++] !== ',') return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i++] !== ',') return;
      }
    }
    if (c === '"') return void str();
    while (i < text.length && !',}] \t\n\r'.includes(text[i]!)) i++;
  };
  value('');
  return out;
}

function parseBody(text: string, contentType: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    if (contentType.includes('yaml')) return parseYaml(text);
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(
      `error decoding ${contentType.includes('yaml') ? 'YAML' : 'JSON'}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

interface Route {
  info: ResourceInfo;
  ns: string | undefined;
  name: string | undefined;
  sub: string | undefined;
}

export class KubeHttpServer {
  readonly api: KubeApi;
  readonly server: Server;
  private readonly opts: Required<ServerOptions>;
  private readonly streams = new Map<ServerResponse, () => void>();

  constructor(api: KubeApi, opts: ServerOptions = {}) {
    this.api = api;
    this.opts = {
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
      defaultWatchTimeoutSeconds: opts.defaultWatchTimeoutSeconds ?? 1800,
    };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) sendError(res, e);
        else res.end();
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** Ends every open watch stream (clients reconnect from their last resourceVersion). */
  dropWatches(): void {
    for (const finish of [...this.streams.values()]) finish();
  }

  close(): Promise<void> {
    this.dropWatches();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const q = url.searchParams;
    const accept = req.headers.accept ?? '';
    const method = req.method ?? 'GET';
    if (method === 'GET') {
      if (path === '/version') return send(res, 200, VERSION);
      if (path === '/healthz' || path === '/readyz' || path === '/livez') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return void res.end('ok');
      }
      if (path === '/api') return this.discoveryApi(res, accept);
      if (path === '/apis') return this.discoveryApis(res, accept);
      if (path === '/openapi/v2') {
        // kubectl asks for protobuf only when a kind is missing from OpenAPI v3 (CRDs not applied
        // yet); a document without definitions lets it go on to "no matches for kind".
        if (!/application\/json|\*\/\*/.test(accept) && accept.includes('protobuf')) {
          const body = emptySwaggerProto();
          res.writeHead(200, {
            'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
            'Content-Length': String(body.length),
          });
          return void res.end(body);
        }
        return send(res, 200, openApiV2(this.api.resources()));
      }
      if (path === '/openapi/v3')
        return send(res, 200, openApiV3Index(this.api.resources(), this.api.generation));
      if (path.startsWith('/openapi/v3/')) {
        const gv = path.slice('/openapi/v3/'.length);
        const doc = openApiV3Doc(this.api.resources(), gv);
        if (!doc) return void res.writeHead(404, { 'Content-Length': '0' }).end(); // an empty 404 there
        return send(res, 200, doc);
      }
    }
    const segs = path
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 2) {
      group = '';
      version = segs[1]!;
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 3) {
      group = segs[1]!;
      version = segs[2]!;
      rest = segs.slice(3);
    } else if (segs[0] === 'apis' && segs.length === 2 && method === 'GET') {
      return this.groupDoc(res, segs[1]!);
    } else return sendError(res, errors.notFoundPath());
    // The discovery handler of a group version answers whatever the method.
    if (rest.length === 0) return this.resourceList(res, group, version);
    let watchPath = false;
    if (rest[0] === 'watch') {
      watchPath = true;
      rest = rest.slice(1);
    }
    let ns: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && !['status', 'finalize'].includes(rest[2]!)) {
      ns = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, sub] = rest;
    const info = resource ? this.api.find(group, version, resource) : undefined;
    // No route: the built-in group versions (go-restful) answer with a Status; the custom
    // resource handler passes the request on, and Go's mux answers in plain text.
    const noRoute = () =>
      this.api.resources().some((r) => !r.custom && r.group === group && r.version === version)
        ? errors.notFoundStatus()
        : errors.notFoundPath();
    // A cluster-scoped resource under /namespaces/… is no route at all, as an unknown resource.
    if (!info || rest.length > 3 || (ns !== undefined && !info.namespaced)) return sendError(res, noRoute());
    if (
      sub !== undefined &&
      !(sub === 'status' && info.hasStatus) &&
      !(sub === 'finalize' && info.resource === 'namespaces')
    )
      // The custom resource handler answers an unknown subresource as the object not being found.
      return sendError(
        res,
        info.custom && name ? errors.notFound(info.group, info.resource, name) : noRoute(),
      );
    const route: Route = { info, ns: info.namespaced ? ns : undefined, name, sub };
    try {
      await this.dispatch(req, res, method, route, q, accept, watchPath);
    } catch (e) {
      if (res.headersSent) res.end();
      else sendError(res, e);
    }
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    r: Route,
    q: URLSearchParams,
    accept: string,
    watchPath: boolean,
  ): Promise<void> {
    const { info, ns, name, sub } = r;
    const opts: WriteOptions = {};
    const optionsKind =
      method === 'POST'
        ? 'CreateOptions'
        : method === 'PUT'
          ? 'UpdateOptions'
          : method === 'DELETE'
            ? 'DeleteOptions'
            : 'PatchOptions';
    const dryRun = q.getAll('dryRun');
    if (method !== 'GET') checkDryRun(optionsKind, dryRun);
    if (dryRun.includes('All')) opts.dryRun = true;
    const fm = q.get('fieldManager');
    if (fm) opts.fieldManager = fm;
    const fv = q.get('fieldValidation');
    if (fv === 'Strict' || fv === 'Warn' || fv === 'Ignore') opts.fieldValidation = fv;
    else if (fv && method !== 'GET' && method !== 'DELETE')
      throw errors.invalidOptions(optionsKind, [
        {
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: "${fv}": supported values: "", "Ignore", "Strict", "Warn"`,
          field: 'fieldValidation',
        },
      ]);
    if (q.get('force') === 'true') opts.force = true;
    const ct = (req.headers['content-type'] ?? 'application/json').toLowerCase();
    const defaultManager = (req.headers['user-agent'] ?? 'unknown').split('/')[0] ?? 'unknown';

    if (method === 'GET') {
      if (watchPath || q.get('watch') === 'true' || q.get('watch') === '1')
        return this.watch(
          req,
          res,
          info,
          ns,
          name,
          q,
          accept.includes('as=Table') ? 'table' : asPartial(accept) ? 'metadata' : 'object',
        );
      if (name !== undefined) {
        const obj = this.api.get(info, ns, name);
        if (asPartial(accept)) return send(res, 200, partialMetadata(obj));
        if (accept.includes('as=Table'))
          return send(
            res,
            200,
            toTable(
              info,
              [obj],
              { resourceVersion: obj.metadata?.resourceVersion },
              q.get('includeObject') ?? 'Metadata',
            ),
            'application/json',
          );
        return send(res, 200, obj);
      }
      return this.list(res, info, ns, q, accept);
    }
    if (method === 'POST') {
      if (name !== undefined) throw errors.methodNotSupported(info.group, info.resource, 'create');
      const { body, duplicates } = await readObject(req, ct);
      checkKind(info, body);
      if (!opts.fieldManager) opts.fieldManager = defaultManager;
      if (duplicates.length > 0) opts.duplicateFields = duplicates;
      const result = this.api.create(info, ns, body, opts);
      return send(res, 201, result.object, 'application/json', result.warnings);
    }
    if (method === 'PUT') {
      if (name === undefined) throw errors.methodNotSupported(info.group, info.resource, 'update');
      const { body, duplicates } = await readObject(req, ct);
      checkKind(info, body);
      this.checkUidPrecondition(info, ns, name, body);
      if (!opts.fieldManager) opts.fieldManager = defaultManager;
      if (duplicates.length > 0) opts.duplicateFields = duplicates;
      const subres = sub === 'finalize' ? undefined : sub;
      const result = this.api.update(info, ns, name, body, subres, opts);
      return send(res, 200, result.object, 'application/json', result.warnings);
    }
    if (method === 'PATCH') {
      if (name === undefined) throw errors.methodNotSupported(info.group, info.resource, 'patch');
      const type = patchType(ct, info);
      const body = parseBody(await readBody(req), type === 'apply' ? 'yaml' : 'json');
      if (type !== 'apply' && !opts.fieldManager) opts.fieldManager = defaultManager;
      if (type !== 'apply' && q.has('force'))
        throw errors.invalidOptions('PatchOptions', [
          {
            reason: 'FieldValueForbidden',
            message: 'Forbidden: may not be specified for non-apply patch',
            field: 'force',
          },
        ]);
      const result = this.api.patch(info, ns, name, sub, type, body, opts);
      return send(res, result.created ? 201 : 200, result.object, 'application/json', result.warnings);
    }
    if (method === 'DELETE') {
      const text = await readBody(req);
      const delOpts = (parseBody(text, 'json') ?? {}) as {
        propagationPolicy?: string;
        dryRun?: string[];
        preconditions?: { resourceVersion?: string; uid?: string };
      };
      const d: Parameters<KubeApi['delete']>[3] = { ...opts };
      const pp = q.get('propagationPolicy') ?? delOpts.propagationPolicy;
      if (pp) {
        if (!['Orphan', 'Background', 'Foreground'].includes(pp))
          throw errors.invalidOptions('DeleteOptions', [
            {
              reason: 'FieldValueNotSupported',
              message: `Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan", "nil"`,
              field: 'propagationPolicy',
            },
          ]);
        d.propagationPolicy = pp;
      }
      if (delOpts.dryRun) checkDryRun('DeleteOptions', delOpts.dryRun);
      if (delOpts.dryRun?.includes('All')) d.dryRun = true;
      if (delOpts.preconditions?.resourceVersion) d.preconditionRv = delOpts.preconditions.resourceVersion;
      if (delOpts.preconditions?.uid) d.preconditionUid = delOpts.preconditions.uid;
      if (name === undefined) return this.deleteCollection(res, info, ns, q, d);
      const result = this.api.delete(info, ns, name, d);
      if (!result.gone) return send(res, 200, result.object);
      return send(
        res,
        200,
        success({
          name,
          ...(info.group ? { group: info.group } : {}),
          kind: info.resource,
          uid: result.object.metadata?.uid ?? '',
        }),
      );
    }
    throw errors.methodNotSupported(info.group, info.resource, method.toLowerCase());
  }

  /**
   * An update's metadata.uid is a storage precondition (GuaranteedUpdate), checked before the
   * resourceVersion rules: another UID is a Conflict worded by the storage layer.
   */
  private checkUidPrecondition(info: ResourceInfo, ns: string | undefined, name: string, body: Obj): void {
    const uid = body.metadata?.uid;
    if (!uid) return;
    const current = this.api.store.get(storeKey(info), info.namespaced ? ns : undefined, name);
    if (!current || current.metadata?.uid === uid) return;
    const prefix =
      info.custom || info.group === 'apiextensions.k8s.io' ? `${info.group}/${info.resource}` : info.resource;
    const key = `/registry/${prefix}/${info.namespaced && ns ? `${ns}/` : ''}${name}`;
    throw errors.conflict(
      info.group,
      info.resource,
      name,
      `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata?.uid ?? ''}`,
    );
  }

  private matcher(
    info: ResourceInfo,
    ns: string | undefined,
    name: string | undefined,
    q: URLSearchParams,
  ): Matcher {
    const ls = q.get('labelSelector');
    const fs = q.get('fieldSelector');
    const lm = ls ? parseLabelSelector(ls) : () => true;
    const fmatch = fs ? parseFieldSelector(fs, selectableFields(info.group, info.resource)) : () => true;
    return (o) =>
      (ns === undefined || o.metadata?.namespace === ns) &&
      (name === undefined || o.metadata?.name === name) &&
      lm(o) &&
      fmatch(o);
  }

  private list(
    res: ServerResponse,
    info: ResourceInfo,
    ns: string | undefined,
    q: URLSearchParams,
    accept: string,
  ) {
    checkListOptions(q);
    const match = this.matcher(info, ns, undefined, q);
    let items = this.api.store.list(storeKey(info), ns).filter(match);
    const limit = Number(q.get('limit') ?? '0');
    const cont = q.get('continue');
    let rv = String(this.api.store.currentRv());
    if (cont) {
      let tok: { rv: string; start: string };
      try {
        tok = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { rv: string; start: string };
      } catch {
        throw errors.badRequest('continue key is not valid: illegal base64 data');
      }
      rv = tok.rv;
      // A token whose resourceVersion left the history can no longer give a consistent list.
      if (this.api.store.since(storeKey(info), Number(tok.rv)) === undefined)
        throw errors.gone(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      items = items.filter((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}` > tok.start);
    }
    const listMeta: Record<string, unknown> = { resourceVersion: rv };
    if (limit > 0 && items.length > limit) {
      const last = items[limit - 1]!;
      listMeta.continue = Buffer.from(
        JSON.stringify({ rv, start: `${last.metadata?.namespace ?? ''}/${last.metadata?.name ?? ''}` }),
      ).toString('base64url');
      listMeta.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
    }
    const presented = items.map((o) => this.api.present(info, o));
    if (accept.includes('as=PartialObjectMetadataList'))
      return send(res, 200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata: listMeta,
        items: presented.map(partialMetadata),
      });
    if (accept.includes('as=Table'))
      return send(res, 200, toTable(info, presented, listMeta, q.get('includeObject') ?? 'Metadata'));
    return send(res, 200, {
      kind: info.listKind,
      apiVersion: info.group === '' ? info.version : `${info.group}/${info.version}`,
      metadata: listMeta,
      // A typed list's items carry no apiVersion/kind; unstructured (custom) ones do.
      items: info.custom ? presented : presented.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    });
  }

  private deleteCollection(
    res: ServerResponse,
    info: ResourceInfo,
    ns: string | undefined,
    q: URLSearchParams,
    d: Parameters<KubeApi['delete']>[3],
  ) {
    const match = this.matcher(info, ns, undefined, q);
    const items = this.api.store.list(storeKey(info), ns).filter(match);
    const out: Obj[] = [];
    for (const o of items) {
      try {
        out.push(this.api.delete(info, o.metadata?.namespace, o.metadata?.name ?? '', d).object);
      } catch (e) {
        if (!(e instanceof KubeError && e.status.code === 404)) throw e;
      }
    }
    return send(res, 200, {
      kind: info.listKind,
      apiVersion: info.group === '' ? info.version : `${info.group}/${info.version}`,
      metadata: { resourceVersion: String(this.api.store.currentRv()) },
      items: out,
    });
  }

  /** A watch stream: newline-delimited JSON events over a chunked response. */
  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    info: ResourceInfo,
    ns: string | undefined,
    name: string | undefined,
    q: URLSearchParams,
    as: 'object' | 'table' | 'metadata',
  ) {
    const key = storeKey(info);
    const match = this.matcher(info, ns, name, q);
    const includeObject = q.get('includeObject') ?? 'Metadata';
    const rvParam = q.get('resourceVersion') ?? '';
    const bookmarks = q.get('allowWatchBookmarks') === 'true';
    const sendInitial = q.get('sendInitialEvents') === 'true';
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? this.opts.defaultWatchTimeoutSeconds);
    const apiVersion = info.group === '' ? info.version : `${info.group}/${info.version}`;
    checkResourceVersion(rvParam); // before the stream opens
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    });
    res.flushHeaders();
    let lastRv = this.api.store.currentRv();
    const write = (type: string, object: unknown) => {
      if (res.writableEnded) return;
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    // `kubectl get -w` asks for tables: each object event carries a one-row Table.
    const writeObject = (type: string, o: Obj) =>
      write(
        type,
        as === 'table'
          ? toTable(info, [o], { resourceVersion: o.metadata?.resourceVersion }, includeObject)
          : as === 'metadata'
            ? partialMetadata(o)
            : o,
      );
    const emit = (ev: WatchEvent) => {
      const now = match(ev.object);
      const before = ev.prev !== undefined && match(ev.prev);
      let type: string = ev.type;
      if (ev.type === 'MODIFIED' && now && !before) type = 'ADDED';
      else if (ev.type === 'MODIFIED' && !now && before) type = 'DELETED';
      else if (!now && !(ev.type === 'DELETED' && before)) return;
      if (ev.type === 'DELETED' && !match(ev.object) && !before) return;
      lastRv = ev.rv;
      writeObject(type, this.api.present(info, ev.object));
    };
    const bookmark = (annotations?: Record<string, string>) =>
      write('BOOKMARK', {
        kind: info.kind,
        apiVersion,
        metadata: { resourceVersion: String(lastRv), ...(annotations ? { annotations } : {}) },
      });
    let replay: WatchEvent[] | undefined;
    if (rvParam === '' || rvParam === '0' || sendInitial) {
      for (const o of this.api.store.list(key, ns).filter(match))
        writeObject('ADDED', this.api.present(info, o));
      lastRv = this.api.store.currentRv();
      // kube 1.32 adds the list's shape (an empty list of the kind, base64) to the end bookmark.
      if (sendInitial && bookmarks)
        bookmark({
          'k8s.io/initial-events-end': 'true',
          'kubernetes.io/initial-events-list-blueprint': Buffer.from(
            `${JSON.stringify({ apiVersion, items: [], kind: info.listKind })}\n`,
          ).toString('base64'),
        });
      replay = [];
    } else {
      const rvNum = Number(rvParam);
      if (!Number.isInteger(rvNum) || rvNum < 0)
        throw errors.badRequest(
          `invalid resource version: strconv.ParseUint: parsing "${rvParam}": invalid syntax`,
        );
      replay = this.api.store.since(key, rvNum);
      if (!replay) {
        const oldest = this.api.store.oldestRv(key);
        write('ERROR', errors.gone(`too old resource version: ${rvNum} (${oldest})`).status);
        res.end();
        return;
      }
    }
    for (const ev of replay) emit(ev);
    const unsubscribe = this.api.store.subscribe(key, emit);
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      this.streams.delete(res);
      if (!res.writableEnded) res.end();
    };
    this.streams.set(res, finish);
    if (bookmarks) timers.push(setInterval(() => bookmark(), this.opts.bookmarkIntervalMs));
    if (timeoutSeconds > 0) timers.push(setTimeout(finish, timeoutSeconds * 1000));
    req.on('close', finish);
    res.on('close', finish);
  }

  // ---- discovery ------------------------------------------------------------------------------

  private groups(): { name: string; versions: string[] }[] {
    const out: { name: string; versions: string[] }[] = [];
    for (const r of this.api.resources()) {
      if (r.group === '') continue;
      let g = out.find((x) => x.name === r.group);
      if (!g) {
        g = { name: r.group, versions: [] };
        out.push(g);
      }
      if (!g.versions.includes(r.version)) g.versions.push(r.version);
    }
    for (const g of out) g.versions.sort(compareVersions);
    return out;
  }

  private apiResource(r: ResourceInfo) {
    const o: Record<string, unknown> = {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames.length > 0) o.shortNames = r.shortNames;
    if (r.categories.length > 0) o.categories = r.categories;
    o.storageVersionHash = storageVersionHash(r);
    return o;
  }

  private resourceList(res: ServerResponse, group: string, version: string) {
    const rs = this.api.resources().filter((r) => r.group === group && r.version === version);
    if (rs.length === 0) return sendError(res, errors.notFoundPath());
    const resources: Record<string, unknown>[] = [];
    for (const r of rs) {
      resources.push(this.apiResource(r));
      if (r.hasStatus)
        resources.push({
          name: `${r.resource}/status`,
          singularName: '',
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ['get', 'patch', 'update'],
        });
      if (r.resource === 'namespaces' && r.group === '')
        resources.push({
          name: 'namespaces/finalize',
          singularName: '',
          namespaced: false,
          kind: 'Namespace',
          verbs: ['update'],
        });
    }
    // Built-in groups list their resources by name (subresources after theirs); the core
    // group's list carries no apiVersion. Custom resources come in the CRD handler's order.
    if (rs.every((r) => !r.custom))
      resources.sort((a, b) => (a.name as string).localeCompare(b.name as string));
    return send(res, 200, {
      kind: 'APIResourceList',
      ...(group === '' ? {} : { apiVersion: 'v1' }),
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources,
    });
  }

  private groupJson(g: { name: string; versions: string[] }) {
    const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
    return { name: g.name, versions, preferredVersion: versions[0] };
  }

  private groupDoc(res: ServerResponse, name: string) {
    const g = this.groups().find((x) => x.name === name);
    if (!g) return sendError(res, errors.notFoundPath());
    return send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...this.groupJson(g) });
  }

  private aggregatedVersion(group: string, version: string) {
    const resources = this.api
      .resources()
      .filter((r) => r.group === group && r.version === version)
      .map((r) => {
        // Built-in resources leave group and version empty ("those of the list"); the CRD handler fills them.
        const responseKind = r.custom
          ? { group: r.group, version: r.version, kind: r.kind }
          : { group: '', version: '', kind: r.kind };
        const o: Record<string, unknown> = {
          resource: r.resource,
          responseKind,
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: r.verbs,
        };
        if (r.shortNames.length > 0) o.shortNames = r.shortNames;
        if (r.categories.length > 0) o.categories = r.categories;
        const subs: Record<string, unknown>[] = [];
        if (r.resource === 'namespaces' && r.group === '')
          subs.push({ responseKind, subresource: 'finalize', verbs: ['update'] });
        if (r.hasStatus)
          subs.push({ subresource: 'status', responseKind, verbs: ['get', 'patch', 'update'] });
        if (subs.length > 0) o.subresources = subs;
        return o;
      });
    if (resources.every((o) => !(o.responseKind as { group: string }).group))
      resources.sort((a, b) => (a.resource as string).localeCompare(b.resource as string));
    return { version, resources, freshness: 'Current' };
  }

  private discoveryApi(res: ServerResponse, accept: string) {
    if (accept.includes('as=APIGroupDiscoveryList'))
      return send(
        res,
        200,
        {
          kind: 'APIGroupDiscoveryList',
          apiVersion: 'apidiscovery.k8s.io/v2',
          metadata: {},
          items: [{ metadata: { creationTimestamp: null }, versions: [this.aggregatedVersion('', 'v1')] }],
        },
        AGG_CT,
      );
    return send(res, 200, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
    });
  }

  private discoveryApis(res: ServerResponse, accept: string) {
    const groups = this.groups();
    if (accept.includes('as=APIGroupDiscoveryList'))
      return send(
        res,
        200,
        {
          kind: 'APIGroupDiscoveryList',
          apiVersion: 'apidiscovery.k8s.io/v2',
          metadata: {},
          items: groups.map((g) => ({
            metadata: { name: g.name, creationTimestamp: null },
            versions: g.versions.map((v) => this.aggregatedVersion(g.name, v)),
          })),
        },
        AGG_CT,
      );
    return send(res, 200, {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((g) => this.groupJson(g)),
    });
  }
}

/** openapi_v2.Document{swagger: "2.0", info: {title, version}} in protobuf wire format. */
function emptySwaggerProto(): Buffer {
  const field = (n: number, v: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2, v.length]), v]);
  const info = Buffer.concat([field(1, Buffer.from('Kubernetes')), field(2, Buffer.from('v1.32.0'))]);
  return Buffer.concat([field(1, Buffer.from('2.0')), field(2, info)]);
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    return [m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
  return a < b ? -1 : 1;
}

function checkKind(info: ResourceInfo, body: Obj) {
  const want = info.group === '' ? info.version : `${info.group}/${info.version}`;
  if (body.apiVersion !== undefined && body.apiVersion !== want) {
    const e = errors.badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${want})`,
    );
    // A custom resource of a version without a schema: every field past the type and metadata
    // was already reported unknown when the body was decoded.
    if (info.custom)
      e.warnings = Object.keys(body)
        .filter((k) => !['apiVersion', 'kind', 'metadata'].includes(k))
        .sort()
        .map((k) => `unknown field "${k}"`);
    throw e;
  }
  // Custom resources are decoded as unstructured: a wrong kind fails validation instead.
  if (body.kind !== undefined && body.kind !== info.kind && info.custom)
    throw errors.invalid(
      info.group,
      String(body.kind),
      (body.metadata as { name?: string } | undefined)?.name ?? '',
      [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${String(body.kind)}": must be ${info.kind}`,
          field: 'kind',
        },
      ],
    );
  if (body.kind !== undefined && body.kind !== info.kind)
    throw errors.badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${info.kind})`,
    );
}

function patchType(ct: string, info: ResourceInfo): PatchType {
  const base = ct.split(';')[0]!.trim();
  if (base === 'application/merge-patch+json') return 'merge';
  if (base === 'application/json-patch+json') return 'json';
  if (base === 'application/apply-patch+yaml' || base === 'application/apply-patch+cbor') return 'apply';
  if (base === 'application/strategic-merge-patch+json' && !info.custom) return 'strategic';
  const accepted = [
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/apply-patch+yaml',
  ];
  if (!info.custom) accepted.splice(2, 0, 'application/strategic-merge-patch+json');
  throw errors.unsupportedMediaType(base, accepted);
}

const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-imctl-emulator',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};
