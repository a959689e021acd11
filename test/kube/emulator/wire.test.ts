// HTTP-level behaviour kubectl and controllers rely on: SSA conflicts through kubectl, dry runs,
// field validation warnings, bookmarks and initial events, persistence across restarts, and the
// standalone `imctl emulate kube` command.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startKubeEmulator } from '../../../src/emulators/kube/index.ts';
import { type Harness, startHarness } from './harness.ts';

const ROOT = join(import.meta.dirname, '../../..');

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ bookmarkIntervalMs: 20 });
  const r = await h.kubectl(['apply', '-f', join(ROOT, 'config/crd')]);
  if (r.code !== 0) throw new Error(r.stderr);
});
afterAll(async () => {
  await h.close();
});

const CM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: owned
  namespace: default
data:
  region: eu-west-1
`;

async function req(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${h.emu.url}${path}`, {
    method,
    headers: { 'Content-Type': contentType, Authorization: 'Bearer anything' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('kube emulator over HTTP', () => {
  it('kubectl apply --server-side reports a conflict with the other manager and --force-conflicts takes over', async () => {
    expect((await h.kubectl(['apply', '--server-side', '-f', '-'], CM)).code).toBe(0);
    await h.kubectl([
      'patch',
      'configmap',
      'owned',
      '--type=merge',
      '-p',
      '{"data":{"region":"us-east-1"}}',
      '--field-manager=ops',
    ]);
    const conflict = await h.kubectl(['apply', '--server-side', '-f', '-'], CM);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "ops" using v1: .data.region',
    );
    const forced = await h.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], CM);
    expect(forced.stdout).toContain('configmap/owned serverside-applied');
    const got = await req('GET', '/api/v1/namespaces/default/configmaps/owned');
    expect((got.body.data as Record<string, string>).region).toBe('eu-west-1');
  });

  it('refuses request bodies over 3 MiB as kube-apiserver does', async () => {
    const big = { metadata: { name: 'big' }, data: { blob: 'x'.repeat(3 * 1024 * 1024) } };
    const r = await req('POST', '/api/v1/namespaces/default/configmaps', big);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: limit is 3145728',
    });
  });

  it('a server-side dry run validates without storing', async () => {
    const r = await h.kubectl([
      'create',
      'configmap',
      'dry',
      '--from-literal=a=b',
      '--dry-run=server',
      '-o',
      'name',
    ]);
    expect(r.stdout.trim()).toBe('configmap/dry');
    const get = await req('GET', '/api/v1/namespaces/default/configmaps/dry');
    expect(get.status).toBe(404);
    expect(get.body.message).toBe('configmaps "dry" not found');
  });

  it('fieldValidation: Warn returns a Warning header and prunes, Strict rejects', async () => {
    const contact = {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'warned' },
      spec: { alias: 'warned', displayName: 'Warned', type: 'Personal', colour: 'blue' },
    };
    const path = '/apis/incidentmanager.gitops.dev/v1alpha1/namespaces/default/contacts';
    const strict = await req('POST', `${path}?fieldValidation=Strict`, contact);
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('strict decoding error: unknown field "spec.colour"');
    const warn = await req('POST', `${path}?fieldValidation=Warn`, contact);
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toContain('unknown field \\"spec.colour\\"');
    expect((warn.body.spec as Record<string, unknown>).colour).toBeUndefined();
  });

  it('answers strategic merge patches on custom resources with 415 and lists the accepted types', async () => {
    const r = await req(
      'PATCH',
      '/apis/incidentmanager.gitops.dev/v1alpha1/namespaces/default/contacts/warned',
      { spec: {} },
      'application/strategic-merge-patch+json',
    );
    expect(r.status).toBe(415);
    expect(r.body.reason).toBe('UnsupportedMediaType');
  });

  it('sends initial events, the initial-events-end bookmark and periodic bookmarks', async () => {
    const ac = new AbortController();
    const res = await fetch(
      `${h.emu.url}/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
      { signal: ac.signal },
    );
    const reader = res.body!.getReader();
    const events: {
      type: string;
      object: { metadata: { name?: string; annotations?: Record<string, string> } };
    }[] = [];
    let buf = '';
    while (events.filter((e) => e.type === 'BOOKMARK').length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) events.push(JSON.parse(l));
    }
    ac.abort();
    expect(events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'owned')).toBe(true);
    const firstBookmark = events.find((e) => e.type === 'BOOKMARK')!;
    expect(firstBookmark.object.metadata.annotations).toMatchObject({ 'k8s.io/initial-events-end': 'true' });
  });

  it('label selectors on list and watch: set-based, equality and integer comparisons; a bad one is the 400 kube-apiserver gives', async () => {
    // Expected answers as a real kube-apiserver (envtest, v1.3x) gave them for the same objects.
    const ns = '/api/v1/namespaces/default/configmaps';
    for (const [name, labels] of [
      ['sel-alice', { team: 'a', tier: '1' }],
      ['sel-bob', { team: 'b', tier: '3' }],
      ['sel-carol', { 'example.com/env': 'prod' }],
    ] as const)
      expect((await req('POST', ns, { metadata: { name, labels } })).status).toBe(201);
    const names = async (sel: string) => {
      const r = await req('GET', `${ns}?labelSelector=${encodeURIComponent(sel)}`);
      return r.status === 200
        ? (r.body.items as { metadata: { name: string } }[])
            .map((i) => i.metadata.name)
            .filter((n) => n.startsWith('sel-'))
        : [r.status, r.body.reason, r.body.message];
    };
    const matches: Array<[string, string[]]> = [
      ['team in(a)', ['sel-alice']],
      ['team notin(a)', ['sel-bob', 'sel-carol']],
      ['! team', ['sel-carol']],
      ['tier>2', ['sel-bob']],
      ['tier<2', ['sel-alice']],
      ['team in (a,)', ['sel-alice']],
      ['team in ()', []],
      ['team!=', ['sel-alice', 'sel-bob', 'sel-carol']],
      ['example.com/env', ['sel-carol']],
    ];
    for (const [sel, want] of matches) expect(await names(sel), sel).toEqual(want);
    const bad: Array<[string, string]> = [
      [
        'tier>x',
        `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`,
      ],
      ['bad key=a', "unable to parse requirement: found 'key', expected: in, notin, =, ==, !=, gt, lt"],
      ['team=a b', "found 'b', expected: ',' or 'end of string'"],
      ['team=(x)', "unable to parse requirement: found '(', expected: identifier"],
      ['team=a,', "found '', expected: identifier after ','"],
      [',team=a', "found ',', expected: !, identifier, or 'end of string'"],
      ['team in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
      ['tier >= 1', "unable to parse requirement: found '=', expected: identifier"],
      [
        'team=-a',
        `unable to parse requirement: values[0][team]: Invalid value: "-a": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
      [
        'a/b/c=x',
        `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ],
    ];
    for (const [sel, message] of bad) expect(await names(sel), sel).toEqual([400, 'BadRequest', message]);
    // A watch refuses a bad selector the same way, and follows a set-based one.
    const w = await fetch(`${h.emu.url}${ns}?watch=true&labelSelector=${encodeURIComponent('team in (a')}`);
    expect(w.status).toBe(400);
    await w.body?.cancel();
    const ac = new AbortController();
    const res = await fetch(
      `${h.emu.url}${ns}?watch=true&labelSelector=${encodeURIComponent('team notin (a),tier>2')}`,
      { signal: ac.signal },
    );
    const reader = res.body!.getReader();
    let buf = '';
    const seen: string[] = [];
    await req('POST', ns, { metadata: { name: 'sel-dave', labels: { team: 'c', tier: '9' } } });
    await req('POST', ns, { metadata: { name: 'sel-erin', labels: { team: 'a', tier: '9' } } });
    while (!seen.includes('sel-dave')) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) seen.push(JSON.parse(l).object.metadata.name);
    }
    ac.abort();
    expect(seen).toContain('sel-dave');
    expect(seen).not.toContain('sel-erin');
  });

  it('kubectl get events prints events and filters them by involved object', async () => {
    const event = (name: string, object: string, reason: string) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name },
      involvedObject: {
        apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
        kind: 'Contact',
        name: object,
        namespace: 'default',
      },
      reason,
      message: `${reason} happened`,
      type: 'Normal',
      lastTimestamp: new Date().toISOString(),
      source: { component: 'incident-manager-operator' },
    });
    expect(
      (await req('POST', '/api/v1/namespaces/default/events', event('e1', 'alice', 'Synced'))).status,
    ).toBe(201);
    expect(
      (await req('POST', '/api/v1/namespaces/default/events', event('e2', 'bob', 'Created'))).status,
    ).toBe(201);
    const r = await h.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=alice']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/Normal\s+Synced\s+contact\/alice\s+Synced happened/);
  });

  it('serves a Table with the printer columns to clients that ask for one', async () => {
    const res = await fetch(
      `${h.emu.url}/apis/incidentmanager.gitops.dev/v1alpha1/namespaces/default/contacts`,
      {
        headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      },
    );
    const table = (await res.json()) as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Synced',
      'Type',
      'ARN',
      'Age',
    ]);
    expect(table.rows[0]!.cells.slice(0, 4)).toEqual(['warned', null, null, 'Personal']);
  });
});

describe('persistence and the standalone command', () => {
  it('a state file keeps objects across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-state-'));
    try {
      const stateFile = join(dir, 'state.json');
      const first = await startKubeEmulator({ port: 0, stateFile });
      const cms = first.api.find('', 'v1', 'configmaps')!;
      first.api.create(cms, 'default', { metadata: { name: 'kept' }, data: { a: 'b' } });
      const crds = first.api.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
      first.api.create(crds, undefined, parse(readFileSync(join(ROOT, 'config/crd/contacts.yaml'), 'utf8')));
      await first.stop();
      const second = await startKubeEmulator({ port: 0, stateFile });
      expect(second.api.get(cms, 'default', 'kept').data).toEqual({ a: 'b' });
      expect(second.api.find('incidentmanager.gitops.dev', 'v1alpha1', 'contacts')?.kind).toBe('Contact');
      const next = second.api.create(cms, 'default', { metadata: { name: 'after' } }).object;
      expect(Number(next.metadata?.resourceVersion)).toBeGreaterThan(
        Number(second.api.get(cms, 'default', 'kept').metadata?.resourceVersion),
      );
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imctl emulate kube writes a kubeconfig kubectl can use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-cli-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const child = spawn(
      join(ROOT, 'node_modules/.bin/node'),
      [join(ROOT, 'src/cli/main.ts'), 'emulate', 'kube', '--port', '0', '--kubeconfig', kubeconfig],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('kubeconfig written')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect(existsSync(kubeconfig)).toBe(true);
      expect(readFileSync(kubeconfig, 'utf8')).toContain('server: http://127.0.0.1:');
      const r = await new Promise<string>((resolve) => {
        const k = spawn('/usr/bin/kubectl', ['get', 'namespaces', '-o', 'name'], {
          env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
        });
        let out = '';
        k.stdout.on('data', (d: Buffer) => {
          out += d.toString();
        });
        k.once('exit', () => resolve(out));
      });
      expect(r.split('\n')).toContain('namespace/default');
    } finally {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
