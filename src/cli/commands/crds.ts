// `imctl crds`: a summary table of the generated CRDs (kinds, short names, scope, printer columns,
// number of CEL rules). With --yaml it prints the CRDs themselves, ready for `kubectl apply -f -`.
import type { Command } from 'commander';
import { renderCrd } from '../../crds/generate.ts';
import { KINDS } from '../../crds/registry.ts';
import { crdSummaries } from '../../crds/summary.ts';
import type { CommandModule } from '../commands.ts';

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const command: CommandModule = {
  register(program: Command) {
    program
      .command('crds')
      .description(
        'Summarise the CustomResourceDefinitions of incidentmanager.gitops.dev (or print them with --yaml)',
      )
      .option('--yaml', 'print the CRD manifests instead of the summary')
      .action((opts: { yaml?: boolean }) => {
        if (opts.yaml) {
          process.stdout.write(KINDS.map(renderCrd).join('---\n'));
          return;
        }
        const rows = [['KIND', 'PLURAL', 'SHORT NAMES', 'SCOPE', 'PRINTER COLUMNS', 'CEL RULES', 'FIELDS']];
        for (const s of crdSummaries()) {
          rows.push([
            s.kind,
            s.plural,
            s.shortNames.join(','),
            s.scope,
            s.printerColumns.join(','),
            String(s.celRules),
            String(s.fields),
          ]);
        }
        const first = KINDS[0];
        process.stdout.write(
          `API group ${first?.group}/${first?.version} (category: incidentmanager)\n\n${table(rows)}\n`,
        );
      });
  },
};
