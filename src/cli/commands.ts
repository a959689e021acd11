// Finds imctl's subcommands: every module in src/cli/commands/ exports a `command` describing
// where it hangs (top level, or under a parent such as `emulate`) and how it registers itself.
// Discovery keeps each command in one file that nobody else edits.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';

export interface CommandModule {
  /** Parent command name (for example `emulate`), or undefined for a top-level command. */
  readonly parent?: string;
  /** Adds the subcommand, its options and its action to `parent`. */
  register(parent: Command): void;
}

const PARENTS: Record<string, string> = {
  emulate:
    'Run a wire-level emulator on loopback (aws: ssm-incidents, ssm-contacts, ram, sts, secretsmanager, kms, ssm documents; kube: an API server)',
};

/**
 * `only`: the top-level command about to run (main.ts passes argv's first word). When a file of
 * that name exists, only it is imported: `imctl controller` would otherwise load both emulators and
 * every other command (about 25 MiB of heap and 100 MiB of RSS it never uses). Help and unknown
 * commands still see every command.
 */
export async function registerCommands(program: Command, only?: string): Promise<void> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  const files = only && all.includes(`${only}.ts`) ? [`${only}.ts`] : all;
  const parents = new Map<string, Command>();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { command?: CommandModule };
    if (!mod.command) continue;
    const { parent } = mod.command;
    if (parent === undefined) {
      mod.command.register(program);
      continue;
    }
    let p = parents.get(parent);
    if (!p) {
      p = new Command(parent).description(PARENTS[parent] ?? parent);
      program.addCommand(p);
      parents.set(parent, p);
    }
    mod.command.register(p);
  }
}
