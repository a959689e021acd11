// Set-up for the ssm-contacts conformance tests: one emulator per file on an ephemeral port, a manual
// clock (2026-01-01T00:00Z), and SDK clients configured with only an endpoint and dummy test keys.
import { RAMClient } from '@aws-sdk/client-ram';
import { SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import { CreateReplicationSetCommand, SSMIncidentsClient } from '@aws-sdk/client-ssm-incidents';
import { ManualClock } from '../../../src/emulators/aws/clock.ts';
import { type RunningEmulator, startAwsEmulator } from '../../../src/emulators/aws/server.ts';

export const ALICE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'test',
  account: '111111111111',
};
export const BOB = { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'test', account: '222222222222' };

export interface ContactsHarness {
  emu: RunningEmulator;
  clock: ManualClock;
  contacts(who?: { accessKeyId: string; secretAccessKey: string }, region?: string): SSMContactsClient;
  ram(who?: { accessKeyId: string; secretAccessKey: string }): RAMClient;
  /** Resets the emulator and onboards ALICE and BOB (an ACTIVE replication set in us-east-1 each). */
  reset(): Promise<void>;
  /** The activation code last "sent" to a channel, read over the emulator's admin HTTP path. */
  activationCode(channelArn: string): Promise<string | undefined>;
}

export async function startContactsHarness(): Promise<ContactsHarness> {
  const clock = new ManualClock();
  const emu = await startAwsEmulator({ port: 0, clock, seed: 7, transitionMs: 1000 });
  const client = (who: { accessKeyId: string; secretAccessKey: string }) => ({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
    maxAttempts: 1,
  });
  return {
    ram: (who = ALICE) => new RAMClient(client(who)),
    async reset() {
      emu.admin.reset();
      for (const who of [ALICE, BOB])
        await new SSMIncidentsClient(client(who)).send(
          new CreateReplicationSetCommand({ regions: { 'us-east-1': {} } }),
        );
      clock.advance(1000);
    },
    emu,
    clock,
    contacts: (who = ALICE, region = 'us-east-1') =>
      new SSMContactsClient({
        endpoint: emu.url,
        region,
        credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
        maxAttempts: 1,
      }),
    async activationCode(channelArn) {
      const state = (await (await fetch(`${emu.url}/__emulator/state`)).json()) as Record<
        string,
        { channels?: Record<string, { activationCode?: string }> }
      >;
      for (const part of Object.values(state)) {
        const ch = part.channels?.[channelArn];
        if (ch) return ch.activationCode;
      }
      return undefined;
    },
  };
}

/** Runs `fn` and returns the SDK error's name, HTTP status and shape (fails when `fn` succeeds). */
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
