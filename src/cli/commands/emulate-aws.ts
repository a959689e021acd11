// `imctl emulate aws --port PORT`: the wire-level AWS emulator (ssm-incidents, ssm-contacts, ram,
// sts, secretsmanager, kms, ssm documents) as a standalone process on loopback. See docs/aws-emulator.md.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_ACCOUNT, TEST_KEYS } from '../../emulators/aws/accounts.ts';
import type { FaultConfig } from '../../emulators/aws/faults.ts';
import { startAwsEmulator } from '../../emulators/aws/server.ts';
import type { CommandModule } from '../commands.ts';

function integer(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${v}"`);
    return n;
  };
}

export const command: CommandModule = {
  parent: 'emulate',
  register(parent: Command) {
    parent
      .command('aws')
      .description(
        'AWS emulator: ssm-incidents, ssm-contacts, ram, sts, secretsmanager and kms over their real wire protocols',
      )
      .option('--port <port>', 'port to listen on (0 = any free port)', integer('port', 0), 4566)
      .option('--host <host>', 'address to bind', '127.0.0.1')
      .option('--seed <n>', 'seed for ids and fault decisions', integer('seed', 0), 1)
      .option(
        '--transition-ms <ms>',
        'how long CREATING/UPDATING/DELETING and ASSOCIATING last',
        integer('transition-ms', 0),
        1000,
      )
      .option(
        '--throttle',
        'throttle every service at its default request rate (docs/aws-emulator.md)',
        false,
      )
      .option('--faults <file>', 'JSON file of per-operation faults (see docs/aws-emulator.md)')
      .action(
        async (opts: {
          port: number;
          host: string;
          seed: number;
          transitionMs: number;
          throttle: boolean;
          faults?: string;
        }) => {
          let faults: FaultConfig = {};
          if (opts.faults) {
            try {
              faults = JSON.parse(readFileSync(opts.faults, 'utf8')) as FaultConfig;
            } catch (e) {
              throw new Error(`--faults ${opts.faults}: ${(e as Error).message}`);
            }
          }
          const emu = await startAwsEmulator({
            port: opts.port,
            host: opts.host,
            seed: opts.seed,
            transitionMs: opts.transitionMs,
            faults,
          });
          const keys = Object.entries(TEST_KEYS)
            .map(([k, v]) => `  ${k} → ${v.account} (${v.user})`)
            .join('\n');
          process.stdout.write(
            `AWS emulator listening on ${emu.url}\n` +
              `Test access keys (any secret):\n${keys}\n  any other key → ${DEFAULT_ACCOUNT}\n` +
              `Admin: ${emu.url}/__emulator/{calls,counters,state,reset,faults,clock,roles}\n`,
          );
          const stop = () => {
            emu.stop().then(() => process.exit(0));
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        },
      );
  },
};
