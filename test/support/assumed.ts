// Helpers for tests acting in several AWS accounts of the emulator, as the controller does (AssumeRole
// with the stack's own key), and waiting for a replication set an SDK call made.
import { GetReplicationSetCommand, type SSMIncidentsClient } from '@aws-sdk/client-ssm-incidents';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Operator } from './operator.ts';

/** Temporary credentials of account `id` (role `operator`), asked of the emulator's STS. */
export async function assumedCredentials(op: Operator, id: string, region: string) {
  const sts = new STSClient({
    region,
    endpoint: op.stack.aws.url,
    credentials: { accessKeyId: op.stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'x' },
  });
  try {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/operator`, RoleSessionName: 'test' }),
    );
    const c = out.Credentials;
    return {
      accessKeyId: c?.AccessKeyId as string,
      secretAccessKey: c?.SecretAccessKey as string,
      sessionToken: c?.SessionToken as string,
    };
  } finally {
    sts.destroy();
  }
}

/** Until the replication set is ACTIVE, moving the emulator's clock a second at a time. */
export async function untilActive(op: Operator, incidents: SSMIncidentsClient, arn: string): Promise<void> {
  for (;;) {
    const r = await incidents.send(new GetReplicationSetCommand({ arn }));
    if (r.replicationSet?.status === 'ACTIVE') return;
    op.stack.clock.advance(1_000);
  }
}
