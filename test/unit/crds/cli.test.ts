// imctl validate and crds, run in-process (the unit tier starts no process; reading standard input
// is checked on a real process in test/kube/cli/imctl-process.test.ts). Paths are relative to the
// repository root, where vitest runs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../src/crds/generate.ts';
import { imctl } from '../../support/imctl.ts';

describe('imctl validate', () => {
  it('accepts the samples and exits 0', async () => {
    const r = await imctl('validate', 'config/samples');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('0 problem(s)');
  });

  it('names file, object, field path and rule for each error and exits non-zero', async () => {
    const r = await imctl(
      'validate',
      'test/fixtures/invalid/response-plan-impact-range.yaml',
      'test/fixtures/invalid/contact-channel-type-enum.yaml',
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      'test/fixtures/invalid/response-plan-impact-range.yaml: ResponsePlan/outage: spec.incidentTemplate.impact: must be less than or equal to 5 [maximum]',
    );
    expect(r.stdout).toContain(
      'Contact/alice: spec.channels[0].type: must be one of: SMS, Voice, Email [enum]',
    );
    expect(r.stdout).toContain('2 problem(s)');
  });

  it('reports a missing file clearly with exit code 2', async () => {
    const missing = await imctl('validate', 'no/such/file.yaml');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no/such/file.yaml');
  });
});

describe('imctl validate on the broken fixtures', () => {
  it('reports exactly one problem per fixture, at the field its header names, CEL rules included', async () => {
    const r = await imctl('validate', 'test/fixtures/invalid');
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n').slice(0, -1);
    const dir = join(ROOT, 'test/fixtures/invalid');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(lines).toHaveLength(files.length);
    for (const file of files) {
      const header = readFileSync(join(dir, file), 'utf8');
      const path = /^# expect-path: (.+)$/m.exec(header)?.[1];
      const layer = /^# layer: (.+)$/m.exec(header)?.[1];
      const line = lines.find((l) => l.startsWith(`test/fixtures/invalid/${file}: `));
      expect(line, file).toBeDefined();
      expect(line?.split(': ')[2], file).toBe(path);
      if (layer === 'cel') expect(line, file).toMatch(/ \[cel\]$/);
    }
  });
});

describe('imctl crds', () => {
  it('prints one row per kind with short names, scope, printer columns and CEL rule count', async () => {
    const { stdout: out } = await imctl('crds');
    expect(out).toContain('incidentmanager.gitops.dev/v1alpha1');
    for (const kind of [
      'ReplicationSet',
      'ResponsePlan',
      'Contact',
      'EscalationPlan',
      'Rotation',
      'AWSAccount',
    ]) {
      expect(out).toMatch(new RegExp(`^${kind}\\s`, 'm'));
    }
    expect(out).toMatch(/^AWSAccount\s+awsaccounts\s+imacct\s+Cluster\s+/m);
    expect(out).toMatch(
      /^Contact\s+contacts\s+imcontact,imc\s+Namespaced\s+Ready,Synced,Type,ARN,Age\s+\d+/m,
    );
  });

  it('prints the CRD manifests with --yaml', async () => {
    const { stdout: out } = await imctl('crds', '--yaml');
    expect(out.match(/^kind: CustomResourceDefinition$/gm)).toHaveLength(6);
  });
});
