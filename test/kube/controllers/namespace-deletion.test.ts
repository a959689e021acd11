// The whole on-call story of config/samples/ in one namespace, with every kind controller running:
// everything becomes Ready, the EscalationPlan reads back from AWS as its YAML says, and deleting the
// namespace converges — every object gone, AWS objects deleted or kept per deletionPolicy, and no
// AWS call failing on the way (the controller orders the deletes by the references itself).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetContactCommand,
  GetRotationCommand,
  ListTagsForResourceCommand,
  SSMContactsClient,
} from '@aws-sdk/client-ssm-contacts';
import {
  GetReplicationSetCommand,
  GetResponsePlanCommand,
  SSMIncidentsClient,
} from '@aws-sdk/client-ssm-incidents';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KubeClient } from '../../../src/engine/kube.ts';
import { createSamplePrerequisites } from '../../../src/local/sample-prerequisites.ts';
import {
  condition,
  isRead,
  type KubeObject,
  type Operator,
  startOperator,
  typeOf,
} from '../../support/operator.ts';

const NS = 'payments-story';
const SAMPLES = 'config/samples';
const MANAGED = ['ReplicationSet', 'Contact', 'Rotation', 'EscalationPlan', 'ResponsePlan'];
const OWNER = {
  account: '111122223333',
  role: 'incident-manager-operator',
  externalId: 'payments-prod-im-operator',
};

let op: Operator;
let contacts: SSMContactsClient;
let incidents: SSMIncidentsClient;

function sampleDocs(): KubeObject[] {
  return readdirSync(SAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(SAMPLES, f), 'utf8'))
        .map((d) => d.toJS() as KubeObject | null)
        .filter((o): o is KubeObject => o !== null),
    )
    .map((o) => {
      // The sample account's 5 calls/s is not what this test is about (an account's limits can only
      // lower the gate's): without it the chain converges without waiting on the rate.
      if (o.kind === 'AWSAccount') delete o.spec?.limits;
      return o;
    });
}

/** SDK clients acting in the payments-prod account, through the same role the controller assumes. */
async function ownerClients(region: string) {
  const sts = new STSClient({
    region,
    endpoint: op.stack.aws.url,
    credentials: op.sdk.contacts.config.credentials,
  });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${OWNER.account}:role/${OWNER.role}`,
      RoleSessionName: 'test',
      ExternalId: OWNER.externalId,
    }),
  );
  sts.destroy();
  const credentials = {
    accessKeyId: c?.AccessKeyId as string,
    secretAccessKey: c?.SecretAccessKey as string,
    sessionToken: c?.SessionToken as string,
  };
  return {
    contacts: new SSMContactsClient({ region, endpoint: op.stack.aws.url, credentials }),
    incidents: new SSMIncidentsClient({ region, endpoint: op.stack.aws.url, credentials }),
  };
}

beforeAll(async () => {
  // pollMs: each create is confirmed by the next read; the samples chain references (5 s per link otherwise).
  op = await startOperator({ namespace: NS, pollMs: 100 });
  const store = op.stack.aws.admin.store;
  store.iamRoles.set(`${OWNER.account}:${OWNER.role}`, { externalId: OWNER.externalId });
  store.iamRoles.set('444455556666:incident-manager-operator', {});
  // The response plan's PagerDuty secret, as a user sets it up before applying the samples.
  await createSamplePrerequisites(op.stack.env, sampleDocs());
  ({ contacts, incidents } = await ownerClients('eu-west-1'));
});

afterAll(async () => {
  contacts?.destroy();
  incidents?.destroy();
  await op?.stop();
});

describe('a namespace holding the samples', () => {
  const objects = sampleDocs();
  const managed = objects.filter((o) => MANAGED.includes(o.kind));

  it('becomes Ready; the escalation plan reads back as its YAML', async () => {
    for (const o of objects)
      await op.apply(typeOf(o.kind).namespaced ? { ...o, metadata: { ...o.metadata, namespace: NS } } : o);
    for (const o of managed) {
      const got = await op.waitFor(o.kind, o.metadata.name, (x) => condition(x, 'Ready')?.status === 'True', {
        namespace: NS,
      });
      expect(got?.status?.arn, `${o.kind} ${o.metadata.name}`).toBeTruthy();
    }
    // Round trip of the EscalationPlan sample through the SDK.
    const sample = managed.find((o) => o.kind === 'EscalationPlan') as KubeObject;
    const plan = (await op.get('EscalationPlan', sample.metadata.name, NS)) as KubeObject;
    const arnOf = async (kind: string, name: string) => (await op.get(kind, name, NS))?.status?.arn as string;
    const aws = await contacts.send(new GetContactCommand({ ContactId: plan.status.arn }));
    expect(aws).toMatchObject({
      Alias: sample.spec.alias,
      DisplayName: sample.spec.displayName,
      Type: 'ESCALATION',
    });
    const expected = [];
    for (const s of sample.spec.stages as {
      durationInMinutes: number;
      targets: { contactRef?: { name: string }; contactArn?: string; isEssential?: boolean }[];
    }[])
      expected.push({
        DurationInMinutes: s.durationInMinutes,
        Targets: await Promise.all(
          s.targets.map(async (t) => ({
            ContactTargetInfo: {
              ContactId: t.contactArn ?? (await arnOf('Contact', t.contactRef?.name as string)),
              IsEssential: t.isEssential ?? false,
            },
          })),
        ),
      });
    expect(aws.Plan?.Stages).toEqual(expected);
    const tags = await contacts.send(new ListTagsForResourceCommand({ ResourceARN: plan.status.arn }));
    for (const [Key, Value] of Object.entries(sample.spec.tags as Record<string, string>))
      expect(tags.Tags).toContainEqual({ Key, Value });
  });

  it('deleting the namespace converges with no AWS error, honouring deletionPolicy', async () => {
    const before = new Map<string, { arn: string; retain: boolean }>();
    for (const o of managed) {
      const got = (await op.get(o.kind, o.metadata.name, NS)) as KubeObject;
      before.set(`${o.kind}/${o.metadata.name}`, {
        arn: got.status.arn,
        retain: (got.spec.deletionPolicy ?? (o.kind === 'ReplicationSet' ? 'Retain' : 'Delete')) === 'Retain',
      });
    }
    const since = op.mark();
    await op.client.request('DELETE', KubeClient.objectPath(typeOf('Namespace'), NS));
    // The deletes unwind the reference chain one level at a time (response plan → escalation plan →
    // schedule → rotations → contacts).
    // A long chain of deletions: waitFor re-watches when the server ends a watch.
    await op.waitFor('Namespace', NS, (o) => o === undefined, { timeoutMs: 90_000 });
    for (const o of managed) expect(await op.get(o.kind, o.metadata.name, NS)).toBeUndefined();

    // Reads answering NotFound are how the controller confirms a delete; anything else is an error.
    const failed = op
      .calls({ since })
      .filter(
        (c) => c.outcome === 'error' && !(isRead(c.operation) && c.errorCode === 'ResourceNotFoundException'),
      );
    expect(failed.map((c) => `${c.operation} ${c.errorCode}`)).toEqual([]);
    expect(op.writes(since).filter((c) => c.operation.startsWith('Delete')).length).toBeGreaterThanOrEqual(
      [...before.values()].filter((b) => !b.retain).length,
    );

    const exists = async (kind: string, arn: string): Promise<boolean> => {
      try {
        if (kind === 'Rotation') await contacts.send(new GetRotationCommand({ RotationId: arn }));
        else if (kind === 'ResponsePlan') await incidents.send(new GetResponsePlanCommand({ arn }));
        else if (kind === 'ReplicationSet') await incidents.send(new GetReplicationSetCommand({ arn }));
        else await contacts.send(new GetContactCommand({ ContactId: arn }));
        return true;
      } catch (e) {
        if ((e as { name?: string }).name === 'ResourceNotFoundException') return false;
        throw e;
      }
    };
    for (const [key, { arn, retain }] of before)
      expect(
        await exists(key.split('/')[0] as string, arn),
        `${key} ${retain ? 'kept' : 'deleted'} in AWS`,
      ).toBe(retain);
  });
});
