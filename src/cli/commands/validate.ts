// `imctl validate FILE|DIR…`: checks manifests of this API against the generated schema before they
// reach a cluster. Prints one line per problem (file, object, field path, rule) and exits 1 on any.
import type { Command } from 'commander';
import { formatProblem, validateFiles } from '../../crds/manifests.ts';
import type { CommandModule } from '../commands.ts';

export const command: CommandModule = {
  register(program: Command) {
    program
      .command('validate')
      .description(
        'Validate incidentmanager.gitops.dev manifests (files or directories) against the CRD schemas: lengths, patterns, ranges, enums, required fields, list sizes and unknown fields. Cross-field (CEL) rules are enforced by the API server.',
      )
      .argument('<paths...>', 'YAML/JSON files or directories (searched recursively); - reads standard input')
      .action((paths: string[]) => {
        let report: ReturnType<typeof validateFiles>;
        try {
          report = validateFiles(paths);
        } catch (err) {
          process.stderr.write(`imctl validate: ${(err as Error).message}\n`);
          process.exitCode = 2;
          return;
        }
        for (const p of report.problems) process.stdout.write(`${formatProblem(p)}\n`);
        const summary = `${report.files} file(s), ${report.checked} object(s) checked, ${report.skipped} of other APIs skipped, ${report.problems.length} problem(s)`;
        process.stdout.write(`${summary}\n`);
        if (report.problems.length > 0) process.exitCode = 1;
      });
  },
};
