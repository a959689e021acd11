// A kind's declared default deletion policy is the one its CRD writes into a stored object: the
// engine falls back on the declaration for an object without the field, so the two must agree.
import { describe, expect, it } from 'vitest';
import { kindModules } from '../../../../src/controllers/index.ts';
import { KINDS } from '../../../../src/crds/registry.ts';
import type { KindDeps } from '../../../../src/engine/plugin.ts';

const deps = { lookup: () => undefined, list: () => [], defaultRegion: 'eu-west-1' } as unknown as KindDeps;

describe('default deletion policy', () => {
  it.each(kindModules.map((m) => m.kind))('%s: the handler declares the CRD default', (kind) => {
    const handler = kindModules.find((m) => m.kind === kind)!.create(deps);
    const crd = KINDS.find((k) => k.kind === kind)!;
    type Node = { properties?: Record<string, Node>; default?: unknown };
    const spec = (crd.schema as Node).properties?.spec;
    expect(spec?.properties?.deletionPolicy?.default).toBeDefined();
    expect(handler.defaultDeletionPolicy ?? 'Delete').toBe(spec?.properties?.deletionPolicy?.default);
  });
});
