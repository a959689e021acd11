// Starts an in-process emulator with its own kubeconfig file and runs the real kubectl against it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type KubeEmulator,
  type KubeEmulatorOptions,
  startKubeEmulator,
} from '../../../src/emulators/kube/index.ts';

export interface Harness {
  emu: KubeEmulator;
  dir: string;
  kubeconfigPath: string;
  kubectl(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function startHarness(opts: KubeEmulatorOptions = {}): Promise<Harness> {
  const emu = await startKubeEmulator({ port: 0, ...opts });
  const dir = mkdtempSync(join(tmpdir(), 'kube-emu-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, emu.kubeconfigYaml);
  const env = { ...process.env, KUBECONFIG: kubeconfigPath, HOME: dir, KUBECACHEDIR: join(dir, 'cache') };
  return {
    emu,
    dir,
    kubeconfigPath,
    kubectl(args, stdin) {
      return new Promise((resolve) => {
        const child = execFile('/usr/bin/kubectl', args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        });
        if (stdin !== undefined) child.stdin?.end(stdin);
      });
    },
    async close() {
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
