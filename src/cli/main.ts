// imctl: the one composition root. Subcommands live one per file in src/cli/commands/.
import { Command } from 'commander';
import { registerCommands } from './commands.ts';

export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('imctl')
    .description('Run AWS Systems Manager Incident Manager as GitOps: controller, emulators and tools')
    .showHelpAfterError();
  await registerCommands(program, only);
  return program;
}

const program = await buildProgram(process.argv[2]);
await program.parseAsync(process.argv);
