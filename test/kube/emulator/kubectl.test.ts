// The real kubectl (v1.32) against the emulator: the user journeys of docs/kube-emulator.md.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type Harness, startHarness } from './harness.ts';

const ROOT = join(import.meta.dirname, '../../..');
const CRDS = join(ROOT, 'config/crd');
const SAMPLES = join(ROOT, 'config/samples');
const INVALID = join(ROOT, 'test/fixtures/invalid');

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function ok(args: string[], stdin?: string): Promise<string> {
  const r = await h.kubectl(args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

describe('kubectl against the kube emulator', () => {
  it('before the CRDs are applied, kubectl reports the kind as unknown as with a real cluster', async () => {
    const r = await h.kubectl(['apply', '-f', join(SAMPLES, '03-contacts.yaml')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'no matches for kind "Contact" in version "incidentmanager.gitops.dev/v1alpha1"',
    );
    expect(r.stderr).toContain('ensure CRDs are installed first');
  });

  it('applies the CRDs client-side, serves them at once and reports them Established', async () => {
    const out = await ok(['apply', '-f', CRDS]);
    expect(out).toContain(
      'customresourcedefinition.apiextensions.k8s.io/contacts.incidentmanager.gitops.dev created',
    );
    await ok(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=10s']);
    const again = await ok(['apply', '-f', CRDS]);
    expect(again).toContain('contacts.incidentmanager.gitops.dev unchanged');
    const resources = await ok(['api-resources', '--api-group=incidentmanager.gitops.dev', '-o', 'name']);
    expect(resources.split('\n')).toContain('contacts.incidentmanager.gitops.dev');
  });

  it('applies every sample client-side and again server-side', async () => {
    const created = await ok(['apply', '-f', SAMPLES]);
    expect(created).toContain('contact.incidentmanager.gitops.dev/alice created');
    // Same values as the client-side apply: co-ownership, no conflict; but, as on kube-apiserver,
    // the escalation plan's stages (an atomic list whose live items carry a schema default the
    // manifest leaves out) are a change to a field the client-side apply owns.
    const conflict = await h.kubectl(['apply', '--server-side', '-f', SAMPLES]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain(
      'error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using incidentmanager.gitops.dev/v1alpha1: .spec.stages',
    );
    expect(conflict.stdout).toContain('contact.incidentmanager.gitops.dev/alice serverside-applied');
    const ssa = await ok(['apply', '--server-side', '--force-conflicts', '-f', SAMPLES]);
    expect(ssa).toContain('escalationplan.incidentmanager.gitops.dev/payments-escalation serverside-applied');
    const yaml = await ok(['get', 'contact', 'alice', '-o', 'yaml', '--show-managed-fields']);
    expect(yaml).toContain('manager: kubectl');
    expect(yaml).toContain('operation: Apply');
  });

  it('prints the printer columns and finds every kind through the incidentmanager category', async () => {
    const table = await ok(['get', 'contacts']);
    const header = table.split('\n')[0]!.split(/\s+/);
    expect(header).toEqual(['NAME', 'READY', 'SYNCED', 'TYPE', 'AGE']);
    expect(table).toMatch(/alice\s+Personal\s+\d+s/);
    const wide = await ok(['get', 'contacts', '-o', 'wide']);
    expect(wide.split('\n')[0]).toContain('ARN');
    const all = await ok(['get', 'incidentmanager']);
    for (const kind of [
      'awsaccount',
      'contact',
      'rotation',
      'escalationplan',
      'responseplan',
      'replicationset',
    ])
      expect(all).toContain(`${kind}.incidentmanager.gitops.dev/`);
    const short = await ok(['get', 'imc', '-o', 'name']);
    expect(short).toContain('contact.incidentmanager.gitops.dev/alice');
  });

  it('explains a CRD field from the published OpenAPI v3 schema', async () => {
    const out = await ok(['explain', 'contacts.spec']);
    expect(out).toContain('KIND:       Contact');
    expect(out).toContain('VERSION:    v1alpha1');
    expect(out).toMatch(/alias\s+<string>/);
  });

  it('diffs a changed manifest and reports no difference for an applied one', async () => {
    const same = await h.kubectl(['diff', '-f', join(SAMPLES, '03-contacts.yaml')]);
    expect(same.code).toBe(0);
    const changed = readFileSync(join(SAMPLES, '03-contacts.yaml'), 'utf8').replace(
      'displayName: Alice Byrne',
      'displayName: Alice B',
    );
    const file = join(h.dir, 'changed.yaml');
    writeFileSync(file, changed);
    const diff = await h.kubectl(['diff', '-f', file]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('-  displayName: Alice Byrne');
    expect(diff.stdout).toContain('+  displayName: Alice B');
    // Server-side diff is a dry-run apply: nothing changes.
    const ssaDiff = await h.kubectl(['diff', '--server-side', '--force-conflicts', '-f', file]);
    expect(ssaDiff.stderr).toBe('');
    expect(ssaDiff.stdout).toContain('+  displayName: Alice B');
    expect(await ok(['get', 'contact', 'alice', '-o', 'jsonpath={.spec.displayName}'])).toBe('Alice Byrne');
  });

  it('patches status through the subresource and kubectl wait sees the condition', async () => {
    const waiting = h.kubectl(['wait', '--for=condition=Ready', 'contact/bob', '--timeout=30s']);
    const status = {
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Available',
            message: 'in sync',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    };
    await ok([
      'patch',
      'contact',
      'bob',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    const r = await waiting;
    expect(r.stdout).toContain('contact.incidentmanager.gitops.dev/bob condition met');
    const row = await ok(['get', 'contact', 'bob', '--no-headers']);
    expect(row).toMatch(/^bob\s+True\s+Personal/);
    // Status written on the main resource is ignored.
    await ok(['patch', 'contact', 'bob', '--type=merge', '-p', '{"status":{"arn":"arn:aws:ignored"}}']);
    expect(await ok(['get', 'contact', 'bob', '-o', 'jsonpath={.status.arn}'])).toBe('');
  });

  it('kubectl get -w streams table rows for changes', async () => {
    const child = spawn('/usr/bin/kubectl', ['get', 'contacts', '-w', '--output-watch-events'], {
      env: { ...process.env, KUBECONFIG: h.kubeconfigPath, HOME: h.dir },
    });
    let out = '';
    const seen = (re: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (re.test(out)) resolve();
        };
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          check();
        });
        check();
      });
    try {
      await seen(/ADDED\s+alice\s/);
      await ok(['label', 'contact', 'alice', 'watched=yes']);
      await seen(/MODIFIED\s+alice\s/);
      expect(out.split('\n')[0]).toMatch(/^EVENT\s+NAME\s+READY\s+SYNCED\s+TYPE\s+AGE/);
    } finally {
      child.kill();
    }
  });

  it('bumps generation on spec changes only', async () => {
    const gen = async () =>
      Number(await ok(['get', 'contact', 'chandra', '-o', 'jsonpath={.metadata.generation}']));
    const before = await gen();
    await ok(['label', 'contact', 'chandra', 'team=payments']);
    expect(await gen()).toBe(before);
    await ok(['patch', 'contact', 'chandra', '--type=merge', '-p', '{"spec":{"displayName":"Chandra K"}}']);
    expect(await gen()).toBe(before + 1);
  });

  it('deletes an object with a finalizer only once the finalizer is removed', async () => {
    await ok([
      'patch',
      'contact',
      'chandra',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":["incidentmanager.gitops.dev/cleanup"]}}',
    ]);
    const del = await ok(['delete', 'contact', 'chandra', '--wait=false']);
    expect(del).toContain('contact.incidentmanager.gitops.dev "chandra" deleted');
    const ts = await ok(['get', 'contact', 'chandra', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT/);
    await ok([
      'patch',
      'contact',
      'chandra',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    const gone = await h.kubectl(['get', 'contact', 'chandra']);
    expect(gone.stderr).toContain(
      'Error from server (NotFound): contacts.incidentmanager.gitops.dev "chandra" not found',
    );
  });

  it('creates built-in objects with the typed kubectl commands (protobuf bodies)', async () => {
    await ok(['create', 'namespace', 'oncall']);
    await ok(['-n', 'oncall', 'create', 'secret', 'generic', 'codes', '--from-literal=alice=123456']);
    await ok(['-n', 'oncall', 'create', 'configmap', 'settings', '--from-literal=region=eu-west-1']);
    const secrets = await ok(['-n', 'oncall', 'get', 'secrets']);
    expect(secrets).toMatch(/codes\s+Opaque\s+1/);
    expect(await ok(['-n', 'oncall', 'get', 'secret', 'codes', '-o', 'jsonpath={.data.alice}'])).toBe(
      Buffer.from('123456').toString('base64'),
    );
    const dup = await h.kubectl(['create', 'namespace', 'oncall']);
    expect(dup.stderr).toContain('Error from server (AlreadyExists): namespaces "oncall" already exists');
  });

  it('deleting a namespace deletes its contents', async () => {
    await ok(['delete', 'namespace', 'oncall']);
    const r = await h.kubectl(['get', 'namespace', 'oncall']);
    expect(r.stderr).toContain('namespaces "oncall" not found');
    expect(h.emu.store.list('/secrets', 'oncall')).toEqual([]);
  });

  it('refuses a CRD a real cluster would refuse, with the real wording', async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.dev
spec:
  group: example.dev
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties: {size: {type: string}}
              additionalProperties: {type: string}
`;
    const r = await h.kubectl(['apply', '-f', '-'], crd);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The CustomResourceDefinition "widgets.example.dev" is invalid');
    expect(r.stderr).toContain(
      'spec.validation.openAPIV3Schema.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive',
    );
    const get = await h.kubectl(['get', 'crd', 'widgets.example.dev']);
    expect(get.stderr).toContain('not found');
  });

  it('rejects each broken fixture with the real error text', async () => {
    const files = readdirSync(INVALID).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    const RULE_TEXT: Record<string, string> = {
      pattern: 'should match',
      enum: 'Unsupported value',
      maxItems: 'must have at most',
      minItems: 'should have at least',
      maxLength: 'may not be more than',
      minLength: 'should be at least',
      maximum: 'should be less than or equal to',
      minimum: 'should be greater than or equal to',
      required: 'Required value',
      cel: 'Invalid value',
    };
    const failures: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(INVALID, f), 'utf8');
      const path = /# expect-path: (\S+)/.exec(text)?.[1];
      const rule = /# expect-rule: (\S+)/.exec(text)?.[1];
      const docs = parseAllDocuments(text).map((d) => d.toJSON() as { kind?: string });
      expect(docs.length, f).toBeGreaterThan(0);
      const r = await h.kubectl(['create', '--dry-run=server', '-f', join(INVALID, f)]);
      const want = RULE_TEXT[rule ?? ''] ?? '';
      if (
        r.code === 0 ||
        !r.stderr.includes('is invalid') ||
        !r.stderr.includes(`${path}`) ||
        !r.stderr.includes(want)
      )
        failures.push(`${f}: expected ${path} ${rule}, got: ${r.stderr.trim() || r.stdout.trim()}`);
    }
    expect(failures).toEqual([]);
  });
});
