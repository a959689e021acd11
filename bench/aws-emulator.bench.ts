// AWS emulator throughput through the real SDK over loopback HTTP: a read-heavy mix (90 % reads)
// and a write-heavy mix (70 % writes), each with 16 concurrent callers. Prints requests/second.
// Run: node bench/aws-emulator.bench.ts [requestsPerMix]
import {
  CreateReplicationSetCommand,
  CreateResponsePlanCommand,
  DeleteResponsePlanCommand,
  GetReplicationSetCommand,
  GetResponsePlanCommand,
  ListResponsePlansCommand,
  SSMIncidentsClient,
  UpdateResponsePlanCommand,
} from '@aws-sdk/client-ssm-incidents';
import { MODELS } from '../src/emulators/aws/model/generated.ts';
import { validateInput } from '../src/emulators/aws/model/validate.ts';
import { startAwsEmulator } from '../src/emulators/aws/server.ts';

const CONCURRENCY = 16;

export async function run(
  total = Number(
    process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? (process.argv.includes('--quick') ? 1000 : 4000),
  ),
): Promise<Record<string, number>> {
  const t0 = performance.now();
  const emu = await startAwsEmulator({ port: 0, transitionMs: 0 });
  const startupMs = performance.now() - t0;
  const client = new SSMIncidentsClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  const { arn: setArn } = await client.send(
    new CreateReplicationSetCommand({ regions: { 'us-east-1': {} } }),
  );
  const plans: string[] = [];
  for (let i = 0; i < 50; i++) {
    const { arn } = await client.send(
      new CreateResponsePlanCommand({ name: `seed-${i}`, incidentTemplate: { title: 't', impact: 3 } }),
    );
    plans.push(arn as string);
  }
  let n = 0;
  const pick = <T>(xs: T[]) => xs[n++ % xs.length] as T;
  const reads = [
    () => client.send(new GetResponsePlanCommand({ arn: pick(plans) })),
    () => client.send(new ListResponsePlansCommand({ maxResults: 20 })),
    () => client.send(new GetReplicationSetCommand({ arn: setArn })),
  ];
  let created = 0;
  const writes = [
    () =>
      client.send(new UpdateResponsePlanCommand({ arn: pick(plans), incidentTemplateImpact: (n % 5) + 1 })),
    async () => {
      const name = `w-${created++}`;
      const { arn } = await client.send(
        new CreateResponsePlanCommand({ name, incidentTemplate: { title: name, impact: 2 } }),
      );
      await client.send(new DeleteResponsePlanCommand({ arn }));
    },
  ];

  async function mix(readShare: number): Promise<number> {
    let left = total;
    let i = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (left-- > 0) {
          const useRead = (i++ % 100) / 100 < readShare;
          await (useRead ? pick(reads) : pick(writes))();
        }
      }),
    );
    const calls = emu.admin.log.calls().length;
    emu.admin.log.reset();
    return calls / ((performance.now() - start) / 1000);
  }

  emu.admin.log.reset();
  const result = {
    'startup (ms)': startupMs,
    'hostile ARN validation, 2048 chars (ms)': hostileValidationMs(),
    'read-heavy (90% reads)': await mix(0.9),
    'write-heavy (70% writes)': await mix(0.3),
  };
  await emu.stop();
  return result;
}

/**
 * Validating a maximum-length ssm-contacts ARN that fails on its last character against the model
 * pattern with nested quantifiers: a backtracking RegExp needed 16 s at 24 characters.
 */
function hostileValidationMs(): number {
  const table = MODELS['ssm-contacts'];
  if (!table) throw new Error('no ssm-contacts model');
  const prefix = 'arn:aws:ssm-contacts:us-east-1:111111111111:';
  const arn = `${prefix}${'contact/a:'.repeat(300)}`.slice(0, 2047) + '!';
  const t0 = performance.now();
  const v = validateInput(table, 'GetContact', { ContactId: arn });
  const ms = performance.now() - t0;
  if (!v.some((x) => x.rule === 'pattern')) throw new Error('hostile ARN was not rejected');
  return ms;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const [name, rps] of Object.entries(r))
    process.stdout.write(
      `aws-emulator ${name}: ${name.endsWith('(ms)') ? rps.toFixed(2) : rps.toFixed(0)}${name.endsWith('(ms)') ? '' : ' requests/s'}\n`,
    );
}
