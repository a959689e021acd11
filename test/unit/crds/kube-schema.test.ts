import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../../../src/crds/generate.ts';
import { crdFor, KINDS, kindDefinition } from '../../../src/crds/registry.ts';
import { compileVersionSchema, validateCrd } from '../../../src/emulators/kube/schema/index.ts';

// The same checks the API server makes (CRD validation, structural schema, CEL), through the Kubernetes
// emulator's schema core: the CRDs are accepted, every sample is valid, every broken fixture is rejected
// at the field its header names, and immutable fields refuse changes.
function compiled(kind: string) {
  const def = kindDefinition(kind);
  if (!def) throw new Error(`unknown kind ${kind}`);
  const crd = crdFor(def) as { spec: { versions: { schema: { openAPIV3Schema: object } }[] } };
  return compileVersionSchema(crd.spec.versions[0]!.schema.openAPIV3Schema);
}

const fixtureDir = join(ROOT, 'test/fixtures/invalid');
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((file) => {
    const text = readFileSync(join(fixtureDir, file), 'utf8');
    return {
      file,
      path: /^# expect-path: (.+)$/m.exec(text)?.[1] ?? '',
      object: parse(text) as { kind: string },
    };
  });

describe('CRD schemas as the API server applies them (kube emulator)', () => {
  it('accept every sample, CEL rules included', () => {
    const samples = join(ROOT, 'config/samples');
    for (const file of readdirSync(samples).sort()) {
      for (const doc of parseAllDocuments(readFileSync(join(samples, file), 'utf8'))) {
        const obj = doc.toJS() as { kind: string; apiVersion: string };
        if (!obj.apiVersion.startsWith('incidentmanager.gitops.dev/')) continue;
        const schema = compiled(obj.kind);
        expect(schema.validate(schema.applyDefaults(obj)), `${file} ${obj.kind}`).toEqual([]);
      }
    }
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('reject %s at the named field only', (_file, f) => {
    const schema = compiled(f.object.kind);
    const found = schema.validate(schema.applyDefaults(f.object));
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((c) => c.field)).toEqual(found.map(() => f.path));
  });

  it('refuse changes to immutable fields (transition rules)', () => {
    const contacts = parseAllDocuments(readFileSync(join(ROOT, 'config/samples/03-contacts.yaml'), 'utf8'));
    const alice = contacts[0]!.toJS() as { spec: { alias: string; channels: { type: string }[] } };
    const changed = structuredClone(alice);
    changed.spec.alias = 'alice-renamed';
    changed.spec.channels[0]!.type = 'Voice';
    const fields = compiled('Contact')
      .validate(changed, alice)
      .map((c) => c.field);
    expect(fields).toEqual(['spec.alias', 'spec.channels[0]']);

    const set = parse(readFileSync(join(ROOT, 'config/samples/01-replication-set.yaml'), 'utf8')) as {
      spec: { regions: { name: string; sseKmsKeyId?: string }[] };
    };
    const rekeyed = structuredClone(set);
    rekeyed.spec.regions[0]!.sseKmsKeyId = 'alias/another-key';
    expect(
      compiled('ReplicationSet')
        .validate(rekeyed, set)
        .map((c) => c.field),
    ).toEqual(['spec.regions[0]']);
    const grown = structuredClone(set);
    grown.spec.regions.push({ name: 'us-west-2' });
    expect(compiled('ReplicationSet').validate(grown, set)).toEqual([]);
  });

  it('are CRDs the API server accepts: structural, CEL rules compile, cost within budget', () => {
    for (const def of KINDS) expect(validateCrd(crdFor(def)), def.kind).toEqual([]);
  });

  it('would be refused if a rule walked unbounded map keys with a regex (why tag key characters are not in CEL)', () => {
    const crd = structuredClone(crdFor(kindDefinition('Contact')!)) as {
      spec: {
        versions: {
          schema: {
            openAPIV3Schema: {
              properties: { spec: { properties: Record<string, Record<string, unknown>> } };
            };
          };
        }[];
      };
    };
    const tags = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.tags!;
    tags['x-kubernetes-validations'] = [{ rule: "self.all(k, k.matches('^[a-z]+$'))", message: 'keys' }];
    expect(
      validateCrd(crd)
        .map((c) => c.message)
        .join(),
    ).toContain('estimated rule cost exceeds budget');
  });
});
