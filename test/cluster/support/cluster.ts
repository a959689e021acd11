// One real control plane per test file (etcd + kube-apiserver, + kube-controller-manager on
// request) from KUBEBUILDER_ASSETS, with kubectl and client-node pointed at it. Without the assets
// startCluster throws the one-line hint, so the tier fails instead of passing quietly.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/engine/kube.ts';
import {
  type ControlPlane,
  type ControlPlaneOptions,
  startControlPlane,
} from '../../../src/local/control-plane.ts';

export const ROOT = join(import.meta.dirname, '../../..');
export const CRD_DIR = join(ROOT, 'config/crd');
export const SAMPLES_DIR = join(ROOT, 'config/samples');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cluster {
  cp: ControlPlane;
  kc: KubeConfig;
  client: KubeClient;
  /** Runs the real kubectl against this cluster; never throws (see `code`). */
  kubectl(args: string[], stdin?: string): Promise<KubectlResult>;
  /** kubectl that throws with its stderr when it exits non-zero. */
  kubectlOk(args: string[], stdin?: string): Promise<string>;
  /** Applies config/crd/ and waits until every CRD is Established. */
  installCrds(dir?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(o: ControlPlaneOptions = {}): Promise<Cluster> {
  const cp = await startControlPlane(o);
  const kc = new KubeConfig();
  kc.loadFromString(cp.kubeconfigYaml);
  const home = join(cp.dir, 'home');
  mkdirSync(home);
  const env = {
    ...process.env,
    KUBECONFIG: cp.kubeconfigPath,
    HOME: home,
    KUBECACHEDIR: join(home, 'cache'),
  };
  const kubectl = (args: string[], stdin?: string) =>
    new Promise<KubectlResult>((resolve) => {
      const child = execFile('kubectl', args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
  const kubectlOk = async (args: string[], stdin?: string) => {
    const r = await kubectl(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  return {
    cp,
    kc,
    client: new KubeClient(kc),
    kubectl,
    kubectlOk,
    async installCrds(dir = CRD_DIR) {
      await kubectlOk(['apply', '-f', dir]);
      await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', '-f', dir]);
    },
    stop: () => cp.stop(),
  };
}
