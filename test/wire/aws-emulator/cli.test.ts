// `imctl emulate aws` as a standalone process: prints its URL and serves the SDK.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, expect, it } from 'vitest';

let child: ChildProcess | undefined;
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

it('starts with --port 0, prints the URL and the test keys, and answers the SDK', async () => {
  child = spawn(process.execPath, ['src/cli/main.ts', 'emulate', 'aws', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const stdout = child.stdout;
  if (!stdout) throw new Error('no stdout');
  for await (const chunk of stdout) {
    out += String(chunk);
    if (out.includes('Admin:')) break;
  }
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? 'missing';
  expect(url).toMatch(/^http:/);
  expect(out).toContain('AKIAIOSFODNN7EXAMPLE → 111111111111');
  const sts = new STSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
  });
  expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('111111111111');
});

it('refuses a bad --port with a message naming the option', async () => {
  const bad = spawn(process.execPath, ['src/cli/main.ts', 'emulate', 'aws', '--port', 'x'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  bad.stderr?.on('data', (c) => {
    err += String(c);
  });
  const [code] = await once(bad, 'exit');
  expect(code).not.toBe(0);
  expect(err).toContain('--port must be an integer');
});
