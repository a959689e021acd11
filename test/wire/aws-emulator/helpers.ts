// Shared set-up for the AWS emulator conformance tests: one emulator per test file on an
// ephemeral port, a manual clock, and SDK clients configured only with endpoint + dummy keys.
import { RAMClient } from '@aws-sdk/client-ram';
import { SSMIncidentsClient } from '@aws-sdk/client-ssm-incidents';
import { STSClient } from '@aws-sdk/client-sts';
import { ManualClock } from '../../../src/emulators/aws/clock.ts';
import { MODELS } from '../../../src/emulators/aws/model/generated.ts';
import { type RunningEmulator, startAwsEmulator } from '../../../src/emulators/aws/server.ts';

export const ALICE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'test',
  account: '111111111111',
};
export const BOB = { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'test', account: '222222222222' };

export interface Harness {
  emu: RunningEmulator;
  clock: ManualClock;
  incidents(who?: { accessKeyId: string; secretAccessKey: string }, region?: string): SSMIncidentsClient;
  ram(who?: { accessKeyId: string; secretAccessKey: string }, region?: string): RAMClient;
  sts(
    who?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
    region?: string,
  ): STSClient;
}

export async function startHarness(): Promise<Harness> {
  const clock = new ManualClock();
  const emu = await startAwsEmulator({ port: 0, clock, seed: 42, transitionMs: 5000 });
  const cfg = (who: { accessKeyId: string; secretAccessKey: string }, region: string) => ({
    endpoint: emu.url,
    region,
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
    maxAttempts: 1,
  });
  return {
    emu,
    clock,
    incidents: (who = ALICE, region = 'us-east-1') => new SSMIncidentsClient(cfg(who, region)),
    ram: (who = ALICE, region = 'us-east-1') => new RAMClient(cfg(who, region)),
    sts: (who = ALICE, region = 'us-east-1') => new STSClient(cfg(who, region)),
  };
}

/** Runs `fn` and returns the SDK error's name and HTTP status (fails when `fn` succeeds). */
export async function failure(
  fn: () => Promise<unknown>,
): Promise<{ name: string; status: number; message: string; error: Record<string, unknown> }> {
  try {
    await fn();
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return {
      name: err.name,
      status: err.$metadata?.httpStatusCode ?? 0,
      message: err.message,
      error: e as Record<string, unknown>,
    };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * Served operations (`service:Operation`, sorted) whose model input has a member the predicate
 * accepts: conformance suites check they cover every such operation.
 */
export function servedOperationsWithMember(
  emu: RunningEmulator,
  member: (name: string) => boolean,
): string[] {
  const out: string[] = [];
  for (const [service, ops] of Object.entries(emu.admin.served())) {
    const table = MODELS[service];
    if (!table) continue;
    for (const op of ops) {
      const input = table.operations[op]?.input;
      const members = Object.keys((input && table.shapes[input]?.members) ?? {});
      if (members.some(member)) out.push(`${service}:${op}`);
    }
  }
  return out.sort();
}
