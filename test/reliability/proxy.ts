// A loopback HTTP proxy that stands between the controller and an emulator to inject what the
// emulators cannot: an answer of our choosing for some requests (409 on status writes, AWS
// throttling), and an outage (every open connection cut, new ones refused) as an API server restart.
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Injected {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface FaultProxy {
  url: string;
  /** Decides per request: an injected answer, or undefined to forward it. */
  intercept: (req: IncomingMessage) => Injected | undefined;
  /** Cuts every open connection (watches included) and refuses new ones until `up()`. */
  down(): void;
  up(): void;
  /** Requests refused while down. */
  refused: number;
  /** Resolves once `n` requests have been refused in all. */
  refusedAtLeast(n: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  let isDown = false;
  const waiters = new Set<{ n: number; resolve: () => void }>();
  const refuse = (s: Socket) => {
    proxy.refused++;
    s.destroy();
    for (const w of [...waiters])
      if (proxy.refused >= w.n) {
        waiters.delete(w);
        w.resolve();
      }
  };
  const proxy: FaultProxy = {
    url: '',
    intercept: () => undefined,
    refused: 0,
    refusedAtLeast: (n) =>
      proxy.refused >= n ? Promise.resolve() : new Promise((resolve) => waiters.add({ n, resolve })),
    down() {
      isDown = true;
      for (const s of sockets) s.destroy();
    },
    up() {
      isDown = false;
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (isDown) {
      refuse(req.socket);
      return;
    }
    const injected = proxy.intercept(req);
    if (injected) {
      req.resume();
      res.writeHead(injected.status, { 'Content-Type': 'application/json', ...injected.headers });
      res.end(injected.body);
      return;
    }
    const up = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  server.on('connection', (s: Socket) => {
    if (isDown) {
      refuse(s);
      return;
    }
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
