// imctl as a user runs it: a separate process of this checkout (`node src/cli/main.ts …`) whose only
// link to the cluster and to AWS is its environment (KUBECONFIG, AWS_ENDPOINT_URL, keys, Region).
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from './cluster.ts';

export interface ImctlProcess {
  child: ChildProcess;
  /** stdout lines, in order. */
  lines: string[];
  stderr(): string;
  /** Resolves with the first JSON log line (stdout) whose msg is `msg`. */
  waitLog(msg: string): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function startImctl(args: string[], env: NodeJS.ProcessEnv): ImctlProcess {
  const child = spawn(process.execPath, ['src/cli/main.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    err += d;
  });
  const waiters = new Set<(rec: Record<string, unknown>) => void>();
  const records: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    lines.push(line);
    try {
      const rec = JSON.parse(line) as Record<string, unknown>;
      records.push(rec);
      for (const w of [...waiters]) w(rec);
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    waitLog(msg) {
      const seen = records.find((r) => r.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = (rec: Record<string, unknown>) => {
          if (rec.msg !== msg) return;
          waiters.delete(w);
          resolve(rec);
        };
        waiters.add(w);
        void exited.then((code) => {
          if (!waiters.delete(w)) return;
          reject(new Error(`imctl exited (${code}) before logging "${msg}"\n${lines.join('\n')}\n${err}`));
        });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
