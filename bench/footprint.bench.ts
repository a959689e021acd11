// Where the controller's memory goes before it holds a single object: each module group imported
// alone into a fresh Node process (after a GC, before and after), then the whole `imctl
// controller` start path as `src/cli/main.ts` runs it (which discovers and imports every imctl
// subcommand). Prints heap and RSS growth per group; numbers only, nothing asserted.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

const groups: Record<string, string[]> = {
  'node baseline (no import)': [],
  '@kubernetes/client-node': ['@kubernetes/client-node'],
  'pino + prom-client + commander': ['pino', 'prom-client', 'commander'],
  'AWS SDK clients (ssm-contacts, ssm-incidents, ram, sts) + credential providers': [
    '@aws-sdk/client-ssm-contacts',
    '@aws-sdk/client-ssm-incidents',
    '@aws-sdk/client-ram',
    '@aws-sdk/client-sts',
    '@aws-sdk/credential-providers',
    '@aws-sdk/credential-provider-node',
  ],
  'src/controllers (every kind, with their SDK clients)': ['./src/controllers/index.ts'],
  'src/cli/manager.ts (engine, gate, accounts)': ['./src/cli/manager.ts'],
  'engine + controllers (what `imctl controller` needs)': [
    './src/cli/manager.ts',
    './src/controllers/index.ts',
  ],
  'the AWS emulator (loaded by imctl command discovery)': ['./src/emulators/aws/server.ts'],
  'the kube emulator (loaded by imctl command discovery)': ['./src/emulators/kube/index.ts'],
  'every imctl subcommand module (src/cli/commands.ts discovery)': ['./src/cli/commands.ts#register'],
};

function measure(mods: string[]): { heap: number; rss: number; ms: number } {
  const imports = mods
    .map((m) =>
      m.endsWith('#register')
        ? `{ const { Command } = await import('commander'); await (await import('${m.slice(0, -9)}')).registerCommands(new Command('imctl')); }`
        : `await import('${m}');`,
    )
    .join('\n');
  const script = `
    const mem = () => { globalThis.gc(); globalThis.gc(); const u = process.memoryUsage(); return { heap: u.heapUsed, rss: u.rss }; };
    const a = mem(); const t = performance.now();
    ${imports}
    const ms = performance.now() - t; const b = mem();
    process.stdout.write(JSON.stringify({ heap: b.heap - a.heap, rss: b.rss - a.rss, ms }));
  `;
  const out = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`${mods.join(', ')}: ${out.stderr}`);
  return JSON.parse(out.stdout) as { heap: number; rss: number; ms: number };
}

const mib = (b: number) => (b / 2 ** 20).toFixed(1).padStart(6);
process.stdout.write('heap MiB   RSS MiB   import ms   module group\n');
for (const [name, mods] of Object.entries(groups)) {
  const r = measure(mods);
  process.stdout.write(`${mib(r.heap)}    ${mib(r.rss)}    ${r.ms.toFixed(0).padStart(8)}   ${name}\n`);
}
