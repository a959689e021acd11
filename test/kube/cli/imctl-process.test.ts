// What only a real `imctl` process shows (moved from the unit tier, which starts no process):
// reading manifests from standard input, the bin shim's pinned Node, and which modules a light
// command loads.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../src/crds/generate.ts';

describe('imctl validate as a process', () => {
  it('reads standard input with -, e.g. from kustomize build', () => {
    const input = readFileSync(join(ROOT, 'test/fixtures/invalid/rotation-name-pattern.yaml'), 'utf8');
    const r = spawnSync(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'validate', '-'], {
      cwd: ROOT,
      encoding: 'utf8',
      input,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('<stdin>: Rotation/emea: spec.name: must match pattern');
  });
});

describe('pinned runtime', () => {
  it('runs the imctl bin on Node 24 through the bin shim', () => {
    const out = execFileSync(process.execPath, ['bin/imctl.js', 'version'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toMatch(/^incident-manager-operator \d+\.\d+\.\d+ \(node v24\./);
  });
});

describe('imctl start-up', () => {
  it('a command other than controller or demo loads neither the engine nor the SDKs', () => {
    // Records every module the process resolves while `imctl version` runs.
    const probe = `
      import { registerHooks } from 'node:module';
      const seen = new Set();
      registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.add(r.url); return r; } });
      process.argv = [process.argv[0], 'imctl', 'version'];
      await import('./src/cli/main.ts');
      process.stderr.write(JSON.stringify([...seen]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const loaded = JSON.parse(r.stderr) as string[];
    // Only the command that runs is imported (the others' modules, emulators included, are not).
    expect(loaded.filter((u) => u.includes('/src/cli/commands/')).map((u) => u.split('/').pop())).toEqual([
      'version.ts',
    ]);
    const heavy = loaded.filter((u) =>
      /@aws-sdk|@kubernetes\/client-node|\/src\/engine\/manager\.ts|\/src\/controllers\/index\.ts|\/src\/local\/stack\.ts/.test(
        u,
      ),
    );
    expect(heavy).toEqual([]);
  });
});

/** Writes a kubeconfig whose API server (port 9 of loopback) never answers; returns its path. */
function unreachableKubeconfig(dir: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'current-context: x',
    ].join('\n'),
  );
  return path;
}

describe('imctl controller start-up errors', () => {
  it('a busy --listen port is one line naming the flag, exit 2, no stack trace', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const { port } = busy.address() as AddressInfo;
    const dir = mkdtempSync(join(tmpdir(), 'imctl-listen-'));
    // A kubeconfig is read but never dialled: the address is checked before any work starts.
    const kubeconfig = unreachableKubeconfig(dir);
    try {
      const r = spawnSync(
        process.execPath,
        [
          join(ROOT, 'src/cli/main.ts'),
          'controller',
          '--kubeconfig',
          kubeconfig,
          '--region',
          'eu-west-1',
          '--no-leader-elect',
          '--listen',
          `127.0.0.1:${port}`,
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        `imctl controller: --listen 127.0.0.1:${port}: the address is already in use (another process serves there); choose a free port`,
      ]);
    } finally {
      busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a label selector the API server would refuse (IMCTL_LABEL_SELECTOR) is one line with its message, exit 2', () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'src/cli/main.ts'), 'controller', '--region', 'eu-west-1', '--listen', '127.0.0.1:0'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, IMCTL_LABEL_SELECTOR: 'team in (payments' },
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `imctl controller: --label-selector "team in (payments": unable to parse requirement: found '', expected: ',' or ')'`,
    ]);
  });

  it('the controller is live while it cannot reach the API server, not ready, and loads no @kubernetes/client-node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imctl-live-'));
    // Nothing listens on port 9: every list fails and is retried; the caches never sync.
    const kubeconfig = unreachableKubeconfig(dir);
    // Records every module the controller resolves, printed when it is told to stop.
    const args = ['controller', '--kubeconfig', kubeconfig, '--region', 'eu-west-1', '--no-leader-elect'];
    const probe = `
      import { registerHooks } from 'node:module';
      const seen = new Set();
      registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.add(r.url); return r; } });
      process.on('SIGTERM', () => { process.stderr.write(JSON.stringify([...seen])); process.exit(0); });
      process.argv = [process.argv[0], 'imctl', ...${JSON.stringify(args)}, '--listen', '127.0.0.1:0'];
      await import('./src/cli/main.ts');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', probe], { cwd: ROOT });
    try {
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      let url = '';
      for await (const line of createInterface({ input: child.stdout })) {
        const rec = JSON.parse(line) as { msg?: string; url?: string };
        if (rec.msg === 'serving /healthz, /readyz and /metrics') {
          url = rec.url ?? '';
          break;
        }
      }
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect([ready.status, await ready.text()]).toEqual([503, 'caches not synced\n']);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      const loaded = JSON.parse(stderr.slice(stderr.lastIndexOf('["'))) as string[];
      expect(loaded.some((u) => u.includes('/src/controllers/index.ts'))).toBe(true);
      expect(loaded.filter((u) => u.includes('@kubernetes/client-node'))).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
