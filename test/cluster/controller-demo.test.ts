// `imctl demo --kube real --once` as a user runs it: the same story as the default demo, on etcd +
// kube-apiserver from KUBEBUILDER_ASSETS instead of our emulator. It prints each object's progress,
// exits 0 once every sample is Ready, and leaves no control plane behind.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSamples } from '../../src/cli/commands/demo.ts';
import { envtestAssets } from '../../src/local/control-plane.ts';
import { ROOT, SAMPLES_DIR } from './support/cluster.ts';

function demo(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', 'demo', ...args], {
      cwd: ROOT,
      env: { ...process.env, KUBEBUILDER_ASSETS: envtestAssets() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('imctl demo --kube real --once', () => {
  it('converges every sample on a real kube-apiserver, exits 0 and stops the control plane', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imctl-demo-real-'));
    // The demo's timeout (so a failure prints the conditions) below the test's.
    const r = await demo([
      '--kube',
      'real',
      '--once',
      '--transition',
      '0s',
      '--timeout',
      '150s',
      '--dir',
      dir,
    ]);
    expect(r.code, `${r.out}\n${r.err}`).toBe(0);
    const samples = readSamples(SAMPLES_DIR).filter((s) => s.kind !== 'Secret');
    expect(r.out).toContain(`All ${samples.length} objects Ready`);
    for (const s of samples)
      expect(r.out).toMatch(new RegExp(`${s.kind} +(default/)?${s.metadata.name} +True +Available +True`));
    const url =
      /^Kubernetes API: (https:\/\/127\.0\.0\.1:\d+) {2}\(kube-apiserver from KUBEBUILDER_ASSETS\)$/m.exec(
        r.out,
      )?.[1];
    expect(url, r.out).toBeDefined();
    expect(readFileSync(join(dir, 'kubeconfig'), 'utf8')).toContain(`server: ${url}`);
    // The kinds are served before the controller starts: no watch restarts to warn about.
    expect(r.err.split('\n').filter((l) => /"level":[4-6]\d/.test(l))).toEqual([]);
    // Nothing left listening once the demo has exited.
    const port = Number(new URL(url as string).port);
    const after = await new Promise<string>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve('listening');
      });
      sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(after).toBe('ECONNREFUSED');
  });
});
