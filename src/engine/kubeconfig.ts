// The controller's own kubeconfig loader and API-server connection, instead of
// @kubernetes/client-node (whose import alone costs ~33 MiB of heap, ~85 MiB of RSS and most of a
// second of start-up: its generated API layer for every Kubernetes group, which the engine never
// uses; bench/RESULTS.md "Where the controller's memory goes"). It covers what a controller meets:
// a kubeconfig file (or several in KUBECONFIG, merged as kubectl does), in-cluster service-account
// credentials, certificate authorities, client certificates, bearer tokens (inline or a token
// file, reread as it rotates), basic auth, impersonation and exec credential plugins
// (client.authentication.k8s.io, as `aws eks get-token` uses). Legacy auth-provider plugins and
// proxy-url are refused with a message saying what to use instead.
//
// Requests go over node:http/https with one keep-alive agent per client, so every API call and
// watch reuses the pool (no TLS handshake per request).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { http } from './node-http.ts';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ExecConfig {
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  apiVersion?: string;
}

export interface Cluster {
  name: string;
  server: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}

export interface User {
  name: string;
  token?: string;
  tokenFile?: string;
  certData?: string;
  certFile?: string;
  keyData?: string;
  keyFile?: string;
  username?: string;
  password?: string;
  impersonate?: string;
  exec?: ExecConfig;
  authProvider?: { name?: string; config?: Record<string, string> };
}

export interface Context {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

/** Anything that can hand over its kubeconfig as text: client-node's KubeConfig (tests, `imctl demo`). */
export interface KubeConfigSource {
  exportConfig(): string;
}

type Raw = Record<string, unknown>;

/**
 * JSON as is; YAML through the `yaml` package, loaded only then (in a cluster no kubeconfig is
 * parsed, and the package costs ~1 MiB of heap and several of RSS).
 */
function parseDocument(text: string): unknown {
  if (text.trimStart().startsWith('{')) return JSON.parse(text);
  const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return parse(text);
}
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export class KubeConfig implements KubeConfigSource {
  clusters: Cluster[] = [];
  users: User[] = [];
  contexts: Context[] = [];
  currentContext = '';

  /** Ours as is; anything else (client-node's KubeConfig) through its exported text. */
  static from(src: KubeConfig | KubeConfigSource): KubeConfig {
    if (src instanceof KubeConfig) return src;
    const kc = new KubeConfig();
    kc.loadFromString(src.exportConfig());
    return kc;
  }

  /** A kubeconfig document (YAML or JSON); relative file paths in it are taken from `baseDir`. */
  loadFromString(text: string, baseDir?: string): void {
    const doc = (parseDocument(text) ?? {}) as Raw;
    const file = (v: unknown) => {
      const p = str(v);
      return p && baseDir && !isAbsolute(p) ? join(baseDir, p) : p;
    };
    const named = (key: string) =>
      ((doc[key] as Raw[] | undefined) ?? []).filter((e) => typeof e?.name === 'string') as Array<
        Raw & { name: string }
      >;
    this.clusters = named('clusters').map((e) => {
      const c = (e.cluster ?? {}) as Raw;
      const server = str(c.server);
      if (!server) throw new Error(`kubeconfig: cluster ${e.name} has no server`);
      return prune<Cluster>({
        name: e.name,
        server: server.replace(/\/$/, ''),
        caData: str(c['certificate-authority-data']),
        caFile: file(c['certificate-authority']),
        skipTLSVerify: c['insecure-skip-tls-verify'] === true ? true : undefined,
        tlsServerName: str(c['tls-server-name']),
        proxyUrl: str(c['proxy-url']),
      });
    });
    this.users = named('users').map((e) => {
      const u = (e.user ?? {}) as Raw;
      const exec = u.exec as ExecConfig | undefined;
      const ap = u['auth-provider'] as User['authProvider'] | undefined;
      return prune<User>({
        name: e.name,
        token: str(u.token),
        tokenFile: file(u.tokenFile ?? u['token-file']),
        certData: str(u['client-certificate-data']),
        certFile: file(u['client-certificate']),
        keyData: str(u['client-key-data']),
        keyFile: file(u['client-key']),
        username: str(u.username),
        password: str(u.password),
        impersonate: str(u.as),
        exec: exec?.command ? { ...exec, command: exec.command } : undefined,
        authProvider: ap?.name ? ap : undefined,
      });
    });
    this.contexts = named('contexts').map((e) => {
      const c = (e.context ?? {}) as Raw;
      return prune<Context>({
        name: e.name,
        cluster: str(c.cluster) ?? '',
        user: str(c.user) ?? '',
        namespace: str(c.namespace),
      });
    });
    this.currentContext = str(doc['current-context']) ?? this.contexts[0]?.name ?? '';
  }

  loadFromFile(path: string): void {
    this.loadFromString(readFileSync(path, 'utf8'), dirname(path));
  }

  /** As kubectl: $KUBECONFIG (files merged, the first one's entries and context win), ~/.kube/config, in-cluster. */
  loadFromDefault(): void {
    const files = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
    if (files.length > 0) {
      this.loadFromFile(files[0] as string);
      for (const f of files.slice(1)) {
        const other = new KubeConfig();
        other.loadFromFile(f);
        this.#merge(other);
      }
      return;
    }
    const home = join(homedir(), '.kube', 'config');
    if (existsSync(home)) this.loadFromFile(home);
    else if (process.env.KUBERNETES_SERVICE_HOST && existsSync(`${SA_DIR}/token`)) this.loadFromCluster();
  }

  /** The pod's service account: the API server's Service address, its CA and the rotating token. */
  loadFromCluster(dir = SA_DIR): void {
    const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
    const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
    const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
    const h = host.includes(':') ? `[${host}]` : host;
    this.clusters = [{ name: 'inCluster', server: `${scheme}://${h}:${port}`, caFile: `${dir}/ca.crt` }];
    this.users = [{ name: 'inClusterUser', tokenFile: `${dir}/token` }];
    this.contexts = [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser' }];
    this.currentContext = 'inClusterContext';
  }

  #merge(other: KubeConfig): void {
    const add = <T extends { name: string }>(mine: T[], theirs: T[]) => {
      for (const t of theirs) if (!mine.some((m) => m.name === t.name)) mine.push(t);
    };
    add(this.clusters, other.clusters);
    add(this.users, other.users);
    add(this.contexts, other.contexts);
    if (!this.currentContext) this.currentContext = other.currentContext;
  }

  setCurrentContext(name: string): void {
    if (!this.contexts.some((c) => c.name === name)) throw new Error(`kubeconfig has no context "${name}"`);
    this.currentContext = name;
  }

  #context(): Context | undefined {
    return this.contexts.find((c) => c.name === this.currentContext);
  }

  getCurrentCluster(): Cluster | null {
    const ctx = this.#context();
    return (ctx && this.clusters.find((c) => c.name === ctx.cluster)) ?? null;
  }

  getCurrentUser(): User | null {
    const ctx = this.#context();
    return (ctx && this.users.find((u) => u.name === ctx.user)) ?? null;
  }

  exportConfig(): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: this.clusters.map((c) => ({
        name: c.name,
        cluster: prune({
          server: c.server,
          'certificate-authority-data': c.caData,
          'certificate-authority': c.caFile,
          'insecure-skip-tls-verify': c.skipTLSVerify,
          'tls-server-name': c.tlsServerName,
          'proxy-url': c.proxyUrl,
        }),
      })),
      users: this.users.map((u) => ({
        name: u.name,
        user: prune({
          token: u.token,
          tokenFile: u.tokenFile,
          'client-certificate-data': u.certData,
          'client-certificate': u.certFile,
          'client-key-data': u.keyData,
          'client-key': u.keyFile,
          username: u.username,
          password: u.password,
          as: u.impersonate,
          exec: u.exec,
          'auth-provider': u.authProvider,
        }),
      })),
      contexts: this.contexts.map((c) => ({
        name: c.name,
        context: prune({ cluster: c.cluster, user: c.user, namespace: c.namespace }),
      })),
      'current-context': this.currentContext,
    });
  }
}

/** Drops the keys whose value is undefined (absent from the kubeconfig). */
function prune<T>(o: Raw): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o as T;
}

/** An exec plugin's answer (client.authentication.k8s.io ExecCredential status). */
interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

const pem = (data?: string, file?: string): Buffer | undefined =>
  data ? Buffer.from(data, 'base64') : file ? readFileSync(file) : undefined;

/** How long a request may hear nothing from the API server (client-go's default timeout is none; undici's was 300 s). */
const REQUEST_IDLE_MS = 60_000;

/** A response: status and body text. */
export interface KubeResponse {
  status: number;
  text: string;
}

/** A connection to one API server as one user: authentication, TLS and a keep-alive pool. */
/** Errors of a pooled connection the server had already closed. */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE']);

class StaleSocket extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

export class KubeConnection {
  readonly server: string;
  readonly #cluster: Cluster;
  readonly #user: User;
  readonly #https: boolean;
  #agent: HttpAgent | undefined;
  #exec: { cred: ExecCredential; until: number } | undefined;
  #tokenFile: { token: string; readAt: number } | undefined;

  constructor(kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster; set KUBECONFIG or run in a cluster');
    this.#cluster = cluster;
    this.server = cluster.server;
    this.#user = kc.getCurrentUser() ?? { name: '' };
    this.#https = cluster.server.startsWith('https:');
    if (cluster.proxyUrl)
      throw new Error(
        `kubeconfig cluster ${cluster.name}: proxy-url is not supported by imctl controller; reach the API server directly`,
      );
    const ap = this.#user.authProvider;
    if (ap && ap.name !== 'tokenFile')
      throw new Error(
        `kubeconfig user ${this.#user.name}: the ${ap.name} auth-provider plugin is not supported (Kubernetes removed them); use an exec credential plugin or a token`,
      );
  }

  async #execCredential(): Promise<ExecCredential> {
    const now = Date.now();
    if (this.#exec && now < this.#exec.until) return this.#exec.cred;
    const exec = this.#user.exec as ExecConfig;
    const env = { ...process.env };
    for (const e of exec.env ?? []) env[e.name] = e.value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify({
      apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: { interactive: false },
    });
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(exec.command, exec.args ?? [], { env, maxBuffer: 1 << 20 }, (err, out) =>
        err ? reject(new Error(`exec credential plugin ${exec.command}: ${err.message}`)) : resolve(out),
      ),
    );
    const cred = ((JSON.parse(stdout) as { status?: ExecCredential }).status ?? {}) as ExecCredential;
    // Renewed a little before it expires; without an expiry it is kept until the server refuses it.
    const exp = cred.expirationTimestamp
      ? Date.parse(cred.expirationTimestamp) - 10_000
      : Number.POSITIVE_INFINITY;
    this.#exec = { cred, until: exp };
    return cred;
  }

  #token(): string | undefined {
    const u = this.#user;
    if (u.token) return u.token;
    const file = u.tokenFile ?? u.authProvider?.config?.tokenFile;
    if (!file) return undefined;
    // Projected service-account tokens rotate: reread once a minute.
    const now = Date.now();
    if (!this.#tokenFile || now - this.#tokenFile.readAt > 60_000)
      this.#tokenFile = { token: readFileSync(file, 'utf8').trim(), readAt: now };
    return this.#tokenFile.token;
  }

  /** Headers every request carries, and the agent (created on first use: an exec plugin may supply the certificate). */
  async #prepare(): Promise<{ headers: Record<string, string>; agent: HttpAgent }> {
    const u = this.#user;
    const headers: Record<string, string> = {};
    let cred: ExecCredential | undefined;
    if (u.exec) cred = await this.#execCredential();
    const token = cred?.token ?? this.#token();
    if (token) headers.authorization = `Bearer ${token}`;
    else if (u.username && u.password)
      headers.authorization = `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
    if (u.impersonate) headers['impersonate-user'] = u.impersonate;
    if (!this.#agent) {
      const c = this.#cluster;
      const cert = cred?.clientCertificateData
        ? Buffer.from(cred.clientCertificateData)
        : pem(u.certData, u.certFile);
      const key = cred?.clientKeyData ? Buffer.from(cred.clientKeyData) : pem(u.keyData, u.keyFile);
      const ca = pem(c.caData, c.caFile);
      this.#agent = this.#https
        ? new HttpsAgent({
            keepAlive: true,
            ...(ca ? { ca } : {}),
            ...(cert ? { cert } : {}),
            ...(key ? { key } : {}),
            rejectUnauthorized: !c.skipTLSVerify,
            ...(c.tlsServerName ? { servername: c.tlsServerName } : {}),
          })
        : new http.Agent({ keepAlive: true });
    }
    return { headers, agent: this.#agent };
  }

  /** Opens a request; resolves with the response once its headers arrived. */
  async open(
    method: string,
    path: string,
    opts: { body?: string; contentType?: string; signal?: AbortSignal; idleTimeoutMs?: number } = {},
  ): Promise<IncomingMessage> {
    const { headers, agent } = await this.#prepare();
    headers.accept = 'application/json';
    if (opts.body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(opts.body));
    }
    const send = this.#https ? httpsRequest : http.request;
    const attempt = (): Promise<IncomingMessage> =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const req = send(`${this.server}${path}`, {
          method,
          headers,
          agent,
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        req.once('response', resolve);
        req.once('error', (e: NodeJS.ErrnoException) =>
          // A pooled connection the server closed while it sat idle (servers and load balancers end
          // idle keep-alive connections) fails before any answer: that request never reached the
          // server, so it goes again once on a new connection, as Go's net/http does for client-go.
          reject(req.reusedSocket && STALE_SOCKET.has(e.code ?? '') ? new StaleSocket(e) : e),
        );
        // A request (not a watch: its own inactivity limit aborts it) that hears nothing for this long
        // fails as a transient error instead of holding its worker forever.
        const idle = opts.idleTimeoutMs;
        if (idle) req.setTimeout(idle, () => req.destroy(new Error(`no answer within ${idle / 1000} s`)));
        req.end(opts.body);
      });
    const res = await attempt().catch((e: unknown) => {
      if (e instanceof StaleSocket) return attempt();
      throw e;
    });
    // A refused exec credential is asked for again on the next request (it may have been revoked).
    if (res.statusCode === 401) this.#exec = undefined;
    return res;
  }

  /** One request, its whole answer as text. */
  async request(method: string, path: string, body?: string, contentType?: string): Promise<KubeResponse> {
    const res = await this.open(method, path, {
      idleTimeoutMs: REQUEST_IDLE_MS,
      ...(body !== undefined ? { body } : {}),
      ...(contentType ? { contentType } : {}),
    });
    res.setEncoding('utf8');
    let text = '';
    for await (const chunk of res) text += chunk as string;
    return { status: res.statusCode ?? 0, text };
  }

  /** Closes the pooled connections. */
  close(): void {
    this.#agent?.destroy();
  }
}
