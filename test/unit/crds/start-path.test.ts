// What `imctl controller` loads of src/crds: only the plain values (values.ts). The schema modules
// load typebox and build every CRD schema on import (~6 MiB of heap, ~20 MiB of RSS), which the
// controller never uses (bench/RESULTS.md, footprint). Read from the sources' static imports:
// `import type` is erased; any other import statement loads its module.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function loaded(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1] as string;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  for (const e of entries) visit(e);
  return { files, packages };
}

describe('the controller start path', () => {
  it('imports no CRD schema module and not typebox', () => {
    const kinds = readdirSync(join(root, 'src/controllers'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'shared')
      .map((d) => join(root, 'src/controllers', d.name, 'index.ts'));
    const { files, packages } = loaded([
      join(root, 'src/cli/manager.ts'),
      join(root, 'src/controllers/index.ts'),
      join(root, 'src/engine/kubeconfig.ts'),
      ...kinds,
    ]);
    const crds = [...files].map((f) => relative(root, f)).filter((f) => f.startsWith('src/crds/'));
    expect(crds).toEqual(['src/crds/values.ts']);
    expect([...packages].filter((p) => p.startsWith('typebox'))).toEqual([]);
  });
});
