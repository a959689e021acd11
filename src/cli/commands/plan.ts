// `imctl plan -f DIR|FILE [-R] [--account NAME] [--output text|json]`: what the controller would do
// with these manifests, read from AWS with the controller's credential chain (AWS_ENDPOINT_URL for
// the emulator), never written. Exit 0 no changes, 2 changes, 1 error or a refusal (docs/plan.md).
import type { Command } from 'commander';
import { awsRateOption, readResolver } from '../../plan/aws.ts';
import { loadObjects } from '../../plan/load.ts';
import { plan } from '../../plan/plan.ts';
import { exitCodeOf, renderPlan } from '../../plan/render.ts';
import type { CommandModule } from '../commands.ts';

interface PlanFlags {
  filename: string[];
  recursive?: boolean;
  account?: string;
  output: string;
  region?: string;
  awsRate?: number;
}

export const command: CommandModule = {
  register(program: Command) {
    program
      .command('plan')
      .description(
        'Show what the controller would do with these manifests (create, update, no change, or refuse, with the field-level diff), reading AWS and never writing; exit 0 no changes, 2 changes, 1 error',
      )
      .requiredOption('-f, --filename <path...>', 'manifest files or directories')
      .option('-R, --recursive', 'also read the sub-directories of a directory')
      .option('--account <name>', 'only objects of this AWSAccount ("default": objects without accountRef)')
      .option('-o, --output <format>', 'text or json', 'text')
      .option('--region <region>', 'AWS Region for objects without an AWSAccount (default: AWS_REGION)')
      .addOption(awsRateOption())
      .action(async (flags: PlanFlags) => {
        if (flags.output !== 'text' && flags.output !== 'json') {
          process.stderr.write(`imctl plan: --output must be text or json, not ${flags.output}\n`);
          process.exitCode = 1;
          return;
        }
        const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        if (!region) {
          process.stderr.write('imctl plan: no AWS Region: set AWS_REGION or pass --region\n');
          process.exitCode = 1;
          return;
        }
        try {
          const loaded = loadObjects(flags.filename, flags.recursive ?? false);
          const accounts = readResolver(region, flags.awsRate);
          const result = await plan(loaded, { accounts, defaultRegion: region, account: flags.account });
          process.stdout.write(
            flags.output === 'json'
              ? `${JSON.stringify(result, null, 2)}\n`
              : renderPlan(result, process.stdout.isTTY === true),
          );
          process.exitCode = exitCodeOf(result);
        } catch (e) {
          process.stderr.write(`imctl plan: ${e instanceof Error ? e.message : String(e)}\n`);
          process.exitCode = 1;
        }
      });
  },
};
