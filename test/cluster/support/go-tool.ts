// Builds a one-file Go tool of test/tools against Debian's Go packages (GOPATH=/usr/share/gocode,
// no modules, no network), once per source content, into a temp folder the test files share.
// Without Go or a package, the error names the apt packages to install.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const built = new Map<string, string>();

/** Path of the built binary `name` from `source`; `hint` says what to apt-get install. */
export function buildGoTool(source: string, name: string, hint: string): string {
  const done = built.get(source);
  if (done) return done;
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `imctl-${name}-${hash}`);
  const bin = join(dir, name);
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const work = mkdtempSync(join(dir, 'build-'));
    try {
      execFileSync('go', ['build', '-o', join(work, name), source], {
        env: {
          ...process.env,
          GO111MODULE: 'off',
          GOPATH: '/usr/share/gocode',
          GOCACHE: join(dir, 'gocache'),
          GOFLAGS: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      throw new Error(
        err.code === 'ENOENT' ? `go is not installed; ${hint}` : `${hint}\n${err.stderr?.toString() ?? err}`,
      );
    }
    // Another test file may have built it meanwhile: rename is atomic, either copy is the same.
    renameSync(join(work, name), bin);
    rmSync(work, { recursive: true, force: true });
  }
  built.set(source, bin);
  return bin;
}
