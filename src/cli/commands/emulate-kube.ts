// `imctl emulate kube`: a standalone Kubernetes API server emulator on loopback that writes a
// kubeconfig kubectl and client-node accept (plain http, any bearer token).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startKubeEmulator } from '../../emulators/kube/index.ts';
import type { CommandModule } from '../commands.ts';

interface Options {
  port: string;
  host: string;
  kubeconfig: string;
  state?: string;
}

export const command: CommandModule = {
  parent: 'emulate',
  register(parent: Command) {
    parent
      .command('kube')
      .description(
        'Run a Kubernetes API server emulator (discovery, CRDs with schema and CEL validation, watch, patches, server-side apply) and write a kubeconfig for it',
      )
      .option('--port <port>', 'TCP port to listen on (0 picks a free one)', '0')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .requiredOption('--kubeconfig <file>', 'where to write the kubeconfig that points at the emulator')
      .option('--state <file>', 'persist objects to this JSON file and load it at start')
      .action(async (opts: Options) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          process.stderr.write(
            `imctl emulate kube: --port must be an integer from 0 to 65535, got "${opts.port}"\n`,
          );
          process.exitCode = 2;
          return;
        }
        const emu = await startKubeEmulator({
          port,
          host: opts.host,
          ...(opts.state ? { stateFile: resolve(opts.state) } : {}),
        });
        const file = resolve(opts.kubeconfig);
        writeFileSync(file, emu.kubeconfigYaml, { mode: 0o600 });
        process.stdout.write(`kube emulator listening on ${emu.url}\nkubeconfig written to ${file}\n`);
        process.stdout.write(`use it with: export KUBECONFIG=${file}\n`);
        const shutdown = () => {
          emu.stop().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
  },
};
