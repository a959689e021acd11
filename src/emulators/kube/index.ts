// In-process start of the Kubernetes API server emulator (tests, demo) and its kubeconfig.
import { stringify } from 'yaml';
import { KubeApi, type SchemaHooks } from './api.ts';
import { compileVersionSchema, validateCrd } from './schema/index.ts';
import { KubeHttpServer, type ServerOptions } from './server.ts';
import { Store } from './store.ts';

export interface KubeEmulatorOptions extends ServerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Persist state to this JSON file (loaded at start when it exists). */
  stateFile?: string;
  /** Watch events kept per resource; watches from before that get 410 Expired. */
  historyLimit?: number;
  /** Schema validation, defaulting, pruning and CEL; defaults to src/emulators/kube/schema. */
  schema?: SchemaHooks;
}

export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: { server: string; 'insecure-skip-tls-verify': boolean } }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace: string } }[];
  'current-context': string;
}

export interface KubeEmulator {
  url: string;
  port: number;
  kubeconfig: Kubeconfig;
  kubeconfigYaml: string;
  api: KubeApi;
  store: Store;
  /** Ends open watch streams, as an API server restart or a proxy timeout does. */
  dropWatches(): void;
  stop(): Promise<void>;
}

export function kubeconfigFor(url: string): Kubeconfig {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain http unless TLS verification is off; kubectl ignores the flag for http.
    clusters: [{ name: 'imctl-emulator', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'imctl-emulator', user: { token: 'emulator' } }],
    contexts: [
      {
        name: 'imctl-emulator',
        context: { cluster: 'imctl-emulator', user: 'imctl-emulator', namespace: 'default' },
      },
    ],
    'current-context': 'imctl-emulator',
  };
}

export async function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const store = new Store({
    ...(opts.historyLimit !== undefined ? { historyLimit: opts.historyLimit } : {}),
    ...(opts.stateFile !== undefined ? { file: opts.stateFile } : {}),
  });
  store.load();
  const api = new KubeApi({ store, schema: opts.schema ?? { compileVersionSchema, validateCrd } });
  api.bootstrap();
  const http = new KubeHttpServer(api, opts);
  const host = opts.host ?? '127.0.0.1';
  const port = await http.listen(opts.port ?? 0, host);
  const url = `http://${host}:${port}`;
  const kubeconfig = kubeconfigFor(url);
  return {
    url,
    port,
    kubeconfig,
    kubeconfigYaml: stringify(kubeconfig),
    api,
    store,
    dropWatches: () => http.dropWatches(),
    async stop() {
      await http.close();
      store.flush();
    },
  };
}
