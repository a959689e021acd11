// `imctl demo --once` as a user runs it: a separate process that starts both emulators and the
// controller, applies config/samples/, prints the progress table, and exits 0 once every sample is
// Ready — or 1 naming what is not Ready, with its conditions.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partition, readSamples, runDemo } from '../../../src/cli/commands/demo.ts';
import { ASSETS_HINT } from '../../../src/local/control-plane.ts';

function demo(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', 'demo', '--once', ...args], {
      env,
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

describe('imctl demo --once', () => {
  it('applies every sample, shows their progress, and exits 0 when all are Ready', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imctl-demo-test-'));
    // Timeouts are guards: the demo's own (so a failure prints its conditions) below the test's.
    const r = await demo(['--transition', '0s', '--dir', dir, '--timeout', '180s']);
    expect(r.code, `${r.out}\n${r.err}`).toBe(0);
    const samples = readSamples('config/samples').filter((s) => !['Secret'].includes(s.kind));
    expect(r.out).toContain(`All ${samples.length} objects Ready`);
    expect(r.out).toMatch(/^TIME +KIND +NAME +READY +REASON +SYNCED +MESSAGE$/m);
    // Each object's progress is shown as it happens, ending Ready.
    for (const s of samples)
      expect(r.out).toMatch(new RegExp(`${s.kind} +(default/)?${s.metadata.name} +True +Available`));
    // How to look around while it runs: kubectl and the AWS CLI.
    expect(r.out).toContain(`export KUBECONFIG=${join(dir, 'kubeconfig')}`);
    expect(r.out).toMatch(/export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+/);
    expect(readFileSync(join(dir, 'kubeconfig'), 'utf8')).toContain('server: http://127.0.0.1:');
    expect(readFileSync(join(dir, 'aws-config'), 'utf8')).toContain(
      'role_arn = arn:aws:iam::111122223333:role/incident-manager-operator',
    );
    expect(r.out).not.toContain('No controller yet');
  }, 240_000);

  it('exits 1 after the timeout, naming the objects that are not Ready and their conditions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imctl-demo-bad-'));
    writeFileSync(
      join(dir, 'contact.yaml'),
      `apiVersion: incidentmanager.gitops.dev/v1alpha1
kind: EscalationPlan
metadata:
  name: lonely
  namespace: default
spec:
  alias: lonely
  displayName: Lonely
  stages:
    - durationInMinutes: 0
      targets:
        - contactRef:
            name: nobody
`,
    );
    // In-process (the process path is covered above): same code, no second process start.
    const lines: string[] = [];
    const code = await runDemo(
      {
        once: true,
        timeout: 2_000,
        samples: dir,
        transition: 0,
        kubePort: 0,
        awsPort: 0,
        dir: join(dir, 'out'),
        logLevel: 'silent',
      },
      (l) => lines.push(l),
    );
    const out = lines.join('\n');
    expect(code).toBe(1);
    expect(out).toContain('Not Ready after 2 s: 1 of 1 objects');
    expect(out).toMatch(
      /EscalationPlan lonely:\n +Ready=False ReferencesNotReady: .*Contact default\/nobody does not exist/,
    );
  });

  it('--kube real without KUBEBUILDER_ASSETS exits 1 with the one-line hint, starting nothing', async () => {
    const { KUBEBUILDER_ASSETS: _, ...env } = process.env;
    const r = await demo(['--kube', 'real'], env);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`imctl demo: ${ASSETS_HINT}\n`);
    expect(r.out).toBe('');
  });

  it('--kube real with a folder lacking the binaries names it in the hint', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'imctl-demo-assets-'));
    const r = await demo(['--kube', 'real'], { ...process.env, KUBEBUILDER_ASSETS: empty });
    expect(r.code).toBe(1);
    expect(r.err).toBe(`imctl demo: KUBEBUILDER_ASSETS=${empty} has no etcd. ${ASSETS_HINT}\n`);
  });

  it('says which sample kinds have no controller, and applies only the others', () => {
    const samples = readSamples('config/samples');
    const { apply, skipped } = partition(samples, new Set(['AWSAccount', 'ReplicationSet', 'Contact']));
    expect(skipped.map((s) => s.kind)).toEqual(
      expect.arrayContaining(['Rotation', 'EscalationPlan', 'ResponsePlan']),
    );
    expect(apply.map((s) => s.kind)).toEqual(expect.arrayContaining(['Secret', 'Contact', 'AWSAccount']));
    expect(apply.some((s) => s.kind === 'Rotation')).toBe(false);
  });
});
