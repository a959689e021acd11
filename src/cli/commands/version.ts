// `imctl version`: the package version and the Node runtime actually running it.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CommandModule } from '../commands.ts';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const command: CommandModule = {
  register(program: Command) {
    program
      .command('version')
      .description('Print the imctl version and the Node.js runtime in use')
      .action(() => {
        process.stdout.write(`${pkg.name} ${pkg.version} (node ${process.version})\n`);
      });
  },
};
