import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../../src/crds/generate.ts';
import { validateFiles } from '../../../src/crds/manifests.ts';
import { checkObject } from '../../../src/crds/registry.ts';
import { CONSTRAINT_KINDS, crdRules, loadFixtures } from '../../support/api-rules.ts';

const fixtures = loadFixtures();
const created = fixtures.filter((f) => f.op === 'create');
const celMessages = new Set(crdRules().rules.map((r) => `${r.kind}: ${r.message}`));

describe('broken fixtures', () => {
  it('exist for at least 30 rules, each naming the offending path, the rule and the layer', () => {
    expect(created.length).toBeGreaterThanOrEqual(30);
    for (const f of fixtures) {
      expect(f.path, f.file).toMatch(/^spec/);
      expect(['schema', 'cel'], f.file).toContain(f.layer);
      // A schema fixture names the constraint kind; a CEL fixture the message of the rule it breaks.
      if (f.layer === 'schema') expect(CONSTRAINT_KINDS, f.file).toContain(f.rule);
      else expect(celMessages, f.file).toContain(`${f.docs[0]!.kind}: ${f.rule}`);
      expect(f.docs, f.file).toHaveLength(f.op === 'create' ? 1 : 2);
    }
    expect(created.filter((f) => f.layer === 'cel').length).toBeGreaterThanOrEqual(15);
  });

  it.each(
    created.filter((f) => f.layer === 'schema' && f.rule !== 'listType').map((f) => [f.file, f] as const),
  )('%s is rejected at the named path by the named rule, and only there', (_file, f) => {
    const errors = checkObject(f.docs[0]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => `${e.path} ${e.rule}`)).toContain(`${f.path} ${f.rule}`);
    for (const e of errors) expect(e.path.startsWith(f.path), `${e.path} ${e.rule}`).toBe(true);
  });

  // Set and map lists are the API server's (listtype.ValidateListSetsAndMaps); the TypeBox schema
  // has no such notion, so imctl validate reports them through the emulator's schema core.
  it.each(created.filter((f) => f.rule === 'listType').map((f) => [f.file, f] as const))(
    '%s repeats a key the API server refuses, which the TypeBox schema alone does not see',
    (_file, f) => {
      expect(checkObject(f.docs[0])).toEqual([]);
    },
  );

  it.each(fixtures.filter((f) => f.layer === 'cel').map((f) => [f.file, f] as const))(
    '%s passes every non-CEL rule, so only its cross-field rule can reject it',
    (_file, f) => {
      for (const doc of f.docs) expect(checkObject(doc)).toEqual([]);
    },
  );
});

describe('samples', () => {
  it('validate against the generated schema and cover every kind of the story', () => {
    const report = validateFiles([join(ROOT, 'config/samples')]);
    expect(report.problems).toEqual([]);
    expect(report.checked).toBeGreaterThanOrEqual(11);
    expect(report.skipped).toBe(1); // the activation-code Secret
  });

  it('are ordered so that `kubectl apply -f config/samples/` creates dependencies first', () => {
    // Manifests only (a kustomization file may sit beside them).
    const files = readdirSync(join(ROOT, 'config/samples'))
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(files.every((f) => /^[0-9]{2}-[a-z-]+\.yaml$/.test(f))).toBe(true);
    const first = (kind: string) =>
      files.findIndex((f) =>
        readFileSync(join(ROOT, 'config/samples', f), 'utf8').includes(`kind: ${kind}\n`),
      );
    expect(first('AWSAccount')).toBeLessThan(first('ReplicationSet'));
    expect(first('Secret')).toBeLessThan(first('Contact'));
    expect(first('Rotation')).toBeLessThan(first('EscalationPlan'));
    expect(first('EscalationPlan')).toBeLessThan(first('ResponsePlan'));
  });

  it('keep activation codes out of git: the Secret holds placeholders only', () => {
    const text = readFileSync(join(ROOT, 'config/samples/02-activation-codes-secret.yaml'), 'utf8');
    const doc = parse(text) as { stringData: Record<string, string> };
    for (const v of Object.values(doc.stringData)) expect(v).toMatch(/^PLACEHOLDER/);
  });
});
