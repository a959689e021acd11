import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, renderAll } from '../../../src/crds/generate.ts';
import { allCrds, CATEGORY, KINDS } from '../../../src/crds/registry.ts';

type Node = Record<string, unknown>;

/** Walks a schema and returns every structural-schema violation with its path. */
function structuralProblems(node: Node, path: string, out: string[]): string[] {
  if (typeof node.type !== 'string') out.push(`${path}: no type`);
  if ('$ref' in node) out.push(`${path}: $ref`);
  if ('anyOf' in node || 'oneOf' in node || 'allOf' in node || 'not' in node) out.push(`${path}: junctor`);
  if ('uniqueItems' in node) out.push(`${path}: uniqueItems`);
  if ('patternProperties' in node) out.push(`${path}: patternProperties`);
  if ('properties' in node && 'additionalProperties' in node)
    out.push(`${path}: properties and additionalProperties`);
  if (node.type === 'string' && typeof node.maxLength !== 'number' && !('enum' in node))
    out.push(`${path}: unbounded string`);
  if (node.type === 'array') {
    if (typeof node.maxItems !== 'number') out.push(`${path}: unbounded list`);
    if (typeof node['x-kubernetes-list-type'] !== 'string') out.push(`${path}: no list type`);
    structuralProblems(node.items as Node, `${path}[]`, out);
  }
  if (node.type === 'object' && typeof node.additionalProperties === 'object') {
    if (typeof node.maxProperties !== 'number') out.push(`${path}: unbounded map`);
    structuralProblems(node.additionalProperties as Node, `${path}{}`, out);
  }
  for (const [k, v] of Object.entries((node.properties as Record<string, Node> | undefined) ?? {})) {
    structuralProblems(v, `${path}.${k}`, out);
  }
  return out;
}

describe('generated CRDs', () => {
  it('are committed and up to date (run `npm run generate` after changing src/crds)', () => {
    for (const [rel, text] of renderAll()) {
      let committed = '';
      try {
        committed = readFileSync(join(ROOT, rel), 'utf8');
      } catch {
        // missing file: reported by the comparison below
      }
      expect(committed, `${rel} is stale`).toBe(text);
    }
  });

  it('render deterministically', () => {
    expect([...renderAll().values()]).toEqual([...renderAll().values()]);
  });

  it('cover the six kinds, one API group and version, with the category and short names', () => {
    expect(KINDS.map((k) => k.kind).sort()).toEqual(
      ['AWSAccount', 'Contact', 'EscalationPlan', 'ReplicationSet', 'ResponsePlan', 'Rotation'].sort(),
    );
    const shortNames = KINDS.flatMap((k) => k.shortNames);
    expect(new Set(shortNames).size).toBe(shortNames.length);
    for (const crd of allCrds()) {
      const spec = crd.spec as {
        group: string;
        names: { categories: string[] };
        versions: { name: string }[];
      };
      expect(spec.group).toBe('incidentmanager.gitops.dev');
      expect(spec.versions.map((v) => v.name)).toEqual(['v1alpha1']);
      expect(spec.names.categories).toEqual([CATEGORY]);
    }
    expect(KINDS.find((k) => k.kind === 'AWSAccount')?.scope).toBe('Cluster');
    expect(KINDS.filter((k) => k.scope === 'Namespaced')).toHaveLength(5);
  });

  it('have printer columns Ready, Synced (managed kinds), ARN, Age and a kind-specific one', () => {
    for (const def of KINDS) {
      const names = def.printerColumns.map((c) => c.name);
      expect(names).toContain('Ready');
      expect(names).toContain('Age');
      if (def.kind !== 'AWSAccount') {
        expect(names).toContain('Synced');
        expect(names).toContain('ARN');
      }
      expect(names.length).toBeGreaterThanOrEqual(5);
    }
  });

  it('are structural: typed nodes, no $ref or junctors, no mixed properties/additionalProperties, bounded lists and strings with list types', () => {
    for (const crd of allCrds()) {
      const version = (crd.spec as { versions: { schema: { openAPIV3Schema: Node } }[] }).versions[0]!;
      const root = version.schema.openAPIV3Schema;
      // metadata is left to the API server
      const props = { ...(root.properties as Record<string, Node>) };
      delete props.metadata;
      expect(
        structuralProblems({ ...root, properties: props }, (crd.metadata as { name: string }).name, []),
      ).toEqual([]);
    }
  });

  it('default deletionPolicy to Retain only for ReplicationSet', () => {
    for (const def of KINDS) {
      if (def.kind === 'AWSAccount') continue;
      const spec = (def.schema as unknown as { properties: { spec: { properties: Record<string, Node> } } })
        .properties.spec;
      expect(spec.properties.deletionPolicy?.default, def.kind).toBe(
        def.kind === 'ReplicationSet' ? 'Retain' : 'Delete',
      );
      expect(spec.properties.managementPolicy?.default).toBe('Manage');
    }
  });
});
