// Broken CustomResourceDefinitions sent to a real kube-apiserver, to the Kubernetes emulator and to
// `imctl validate`: the same causes (field path and message) everywhere, the 422 Status message and
// kubectl's text built from them, and the real server still answering what bad-crds.expected.json
// recorded (which test/unit/kube-schema holds the emulator to). Only selfType<N> (a per-request
// number) is normalised; causes compare as sets because the real server walks sibling properties in
// Go map order.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type KubeEmulator, startKubeEmulator } from '../../src/emulators/kube/index.ts';
import { BAD_CRDS, type BadCrd, EXPECTED, normalise } from '../unit/kube-schema/bad-crds.cases.ts';
import { type Cluster, ROOT, startCluster } from './support/cluster.ts';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions?dryRun=All';

type Cause = { field: string; message: string; reason: string };
type Answer = { code: number; message: string; causes: Cause[] };

let c: Cluster;
let emu: KubeEmulator;
let dir: string;
let emuKubeconfig: string;
let cli: string;

function postReal(body: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(CRDS, c.cp.url),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${c.cp.token}` },
        rejectUnauthorized: false,
      },
      (res) => {
        let data = '';
        res.on('data', (d) => {
          data += d;
        });
        res.on('end', () => resolve(answer(res.statusCode ?? 0, JSON.parse(data))));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function postEmulator(body: unknown): Promise<Answer> {
  const res = await fetch(new URL(CRDS, emu.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer emulator' },
    body: JSON.stringify(body),
  });
  return answer(res.status, (await res.json()) as Parameters<typeof answer>[1]);
}

function answer(
  code: number,
  body: { kind?: string; message?: string; details?: { causes?: Cause[] } },
): Answer {
  if (body.kind !== 'Status') return { code, message: '', causes: [] };
  return { code, message: body.message ?? '', causes: body.details?.causes ?? [] };
}

const lines = (causes: Cause[]) => causes.map((x) => normalise(`${x.field}: ${x.message}`));

function kubectlEmulator(args: string[], stdin: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      args,
      { env: { ...process.env, KUBECONFIG: emuKubeconfig, HOME: dir }, timeout: 60_000 },
      (err, _stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

const file = (i: number) => join(dir, `case-${String(i).padStart(3, '0')}.yaml`);

beforeAll(async () => {
  c = await startCluster();
  emu = await startKubeEmulator({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'bad-crds-'));
  emuKubeconfig = join(dir, 'kubeconfig');
  writeFileSync(emuKubeconfig, emu.kubeconfigYaml);
  BAD_CRDS.forEach((b, i) => {
    writeFileSync(file(i), stringify(b.crd));
  });
  // One run of the CLI over every case, as a user would run it over a folder.
  const r = spawnSync(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'validate', dir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  cli = normalise(r.stdout);
}, 120_000);

afterAll(async () => {
  await emu?.stop();
  await c?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('broken CRDs: real kube-apiserver, emulator and imctl validate agree', () => {
  it.each(BAD_CRDS.map((b, i) => [b.name, b, i] as [string, BadCrd, number]))(
    '%s',
    async (_name, { name, crd }, i) => {
      const real = await postReal(crd);
      const fake = await postEmulator(crd);
      const want = EXPECTED[name] ?? [];
      const crdName = crd.metadata.name;

      // the real server still answers what the recording says
      expect(lines(real.causes).sort()).toEqual(want);
      // the emulator answers the same, with the same status code
      expect(lines(fake.causes).sort()).toEqual(want);
      expect(fake.code).toBe(real.code);

      if (want.length === 0) {
        expect(real.code).toBe(201);
        expect(cli).not.toContain(`${file(i)}:`);
        return;
      }
      expect(real.code).toBe(422);
      // each Status message is the aggregate of its own causes (the order a server chose)
      for (const a of [real, fake]) {
        const own = [...new Set(lines(a.causes))];
        expect(normalise(a.message)).toBe(
          `CustomResourceDefinition.apiextensions.k8s.io "${crdName}" is invalid: ${own.length === 1 ? own[0] : `[${own.join(', ')}]`}`,
        );
      }

      // kubectl prints every cause after the same head, against either server
      const json = JSON.stringify(crd);
      const viaReal = await c.kubectl(['create', '--dry-run=server', '-f', '-'], json);
      const viaFake = await kubectlEmulator(['create', '--dry-run=server', '-f', '-'], json);
      for (const k of [viaReal, viaFake]) {
        expect(k.code).not.toBe(0);
        const text = normalise(k.stderr);
        expect(text).toContain(`The CustomResourceDefinition "${crdName}" is invalid: `);
        for (const l of want) expect(text).toContain(l);
      }

      // imctl validate prints one line per cause: file, object, the same path and message
      for (const cause of real.causes)
        expect(cli).toContain(
          normalise(
            `${file(i)}: CustomResourceDefinition/${crdName}: ${cause.field}: ${cause.message} [${cause.reason}]`,
          ),
        );
      const printed = cli.split(`${file(i)}: CustomResourceDefinition/`).length - 1;
      expect(printed).toBe(real.causes.length);
    },
    60_000,
  );

  it('accepts all six generated CRDs, on both servers and in imctl validate', async () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'src/cli/main.ts'), 'validate', join(ROOT, 'config/crd')],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(r.stdout).toContain('6 object(s) checked');
    expect(r.stdout).toContain('0 problem(s)');
    for (const f of readdirSync(join(ROOT, 'config/crd')).filter((x) => x.endsWith('.yaml'))) {
      const crd = parse(readFileSync(join(ROOT, 'config/crd', f), 'utf8'));
      expect((await postReal(crd)).code, f).toBe(201);
      expect((await postEmulator(crd)).code, f).toBe(201);
    }
  });
});
