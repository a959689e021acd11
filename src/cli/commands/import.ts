// `imctl import --account NAME [--namespace NS] [-o DIR] [-f FILE]`: writes the YAML that reproduces
// an existing account's Incident Manager objects (one file per kind, references by name, the
// external-arn annotation so the controller adopts them). Reads AWS only. `--account default` is
// the controller's own credentials; another name is an AWSAccount found in the -f files (its role
// is assumed as the controller would).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { importAccount } from '../../import/import.ts';
import { renderFiles } from '../../import/render.ts';
import { awsRateOption, readResolver } from '../../plan/aws.ts';
import { loadObjects } from '../../plan/load.ts';
import type { CommandModule } from '../commands.ts';

interface ImportFlags {
  account: string;
  namespace: string;
  outputDir?: string;
  filename?: string[];
  region?: string;
  awsRate?: number;
}

export const command: CommandModule = {
  register(program: Command) {
    program
      .command('import')
      .description(
        "Write the YAML that reproduces an AWS account's replication set, contacts, rotations, on-call schedules, escalation and response plans (one file per kind, adopted by the controller through the external-arn annotation); reads AWS only",
      )
      .requiredOption(
        '--account <name>',
        'AWSAccount name for spec.accountRef ("default": the controller’s own credentials)',
      )
      .option('-n, --namespace <ns>', 'namespace of the imported objects', 'default')
      .option('-o, --output-dir <dir>', 'write one file per kind here (default: standard output)')
      .option('-f, --filename <path...>', 'manifests holding the AWSAccount named by --account')
      .option('--region <region>', 'AWS Region for --account default (default: AWS_REGION)')
      .addOption(awsRateOption())
      .action(async (flags: ImportFlags) => {
        const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        try {
          const spec =
            flags.account === 'default'
              ? undefined
              : loadObjects(flags.filename ?? [], true).accounts.find(
                  (a) => a.metadata.name === flags.account,
                )?.spec;
          if (flags.account !== 'default' && !spec)
            throw new Error(`--account ${flags.account}: no AWSAccount of that name in the -f files`);
          const home = spec?.region ?? region;
          if (!home) throw new Error('no AWS Region: set AWS_REGION or pass --region');
          const accounts = readResolver(home, flags.awsRate);
          const objects = await importAccount({
            accounts,
            account: flags.account,
            accountSpec: spec,
            namespace: flags.namespace,
            defaultRegion: home,
          });
          // The account id as AWS spells it in the ARNs (ssm-incidents ARNs carry no Region, so field 4).
          const accountId = spec?.accountId ?? objects[0]?.arn.split(':')[4] ?? flags.account;
          const files = renderFiles(objects, accountId);
          if (flags.outputDir) {
            mkdirSync(flags.outputDir, { recursive: true });
            for (const [file, text] of files) writeFileSync(join(flags.outputDir, file), text);
            process.stderr.write(
              `imctl import: ${objects.length} objects in ${files.size} files under ${flags.outputDir}\n`,
            );
          } else process.stdout.write([...files.values()].join('---\n'));
        } catch (e) {
          process.stderr.write(`imctl import: ${e instanceof Error ? e.message : String(e)}\n`);
          process.exitCode = 1;
        }
      });
  },
};
