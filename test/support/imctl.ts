// `imctl` run in-process: the same commands main.ts registers, parsed from `args`, with what they
// write to stdout/stderr and the exit code they set captured. For the unit tier, which starts no
// process; what needs a real process (standard input, the bin shim, module loading) is in
// test/kube/cli/.
import { Command } from 'commander';
import { registerCommands } from '../../src/cli/commands.ts';

export interface ImctlResult {
  status: number;
  stdout: string;
  stderr: string;
}

export async function imctl(...args: string[]): Promise<ImctlResult> {
  const program = new Command('imctl').exitOverride();
  await registerCommands(program);
  const out = { stdout: '', stderr: '' };
  const write = { stdout: process.stdout.write, stderr: process.stderr.write };
  const saved = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out.stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  let status: number;
  try {
    await program.parseAsync(args, { from: 'user' });
    status = Number(process.exitCode ?? 0);
  } finally {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
    process.exitCode = saved;
  }
  return { status, ...out };
}
