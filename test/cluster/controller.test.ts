// `imctl controller` as users run it — a separate process pointed at a real kube-apiserver by
// KUBECONFIG and at the AWS emulator by AWS_ENDPOINT_URL — converging config/samples/ applied with
// `kubectl apply`: every object Ready and Synced, AWS holding what the YAML says, an edit reaching
// AWS as exactly one update, and `kubectl delete` unwinding every object through its finalizer.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetContactCommand,
  ListContactsCommand,
  ListRotationsCommand,
  SSMContactsClient,
} from '@aws-sdk/client-ssm-contacts';
import {
  GetReplicationSetCommand,
  GetResponsePlanCommand,
  ListReplicationSetsCommand,
  ListResponsePlansCommand,
  SSMIncidentsClient,
} from '@aws-sdk/client-ssm-incidents';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kindDefinition } from '../../src/crds/registry.ts';
import type { CallRecord } from '../../src/emulators/aws/observe.ts';
import { type RunningEmulator, startAwsEmulator } from '../../src/emulators/aws/server.ts';
import { resourceTypeOf } from '../../src/engine/plugin.ts';
import { createSamplePrerequisites } from '../../src/local/sample-prerequisites.ts';
import { type Cluster, SAMPLES_DIR, startCluster } from './support/cluster.ts';
import {
  conditionOf,
  converged,
  keyOf,
  type LiveObjects,
  type Obj,
  watchObjects,
} from './support/objects.ts';
import { type ImctlProcess, startImctl } from './support/processes.ts';

const OWNER = {
  account: '111122223333',
  role: 'incident-manager-operator',
  externalId: 'payments-prod-im-operator',
};
const REGION = 'eu-west-1';
const isRead = (op: string) => /^(Get|List|Describe|Preview)/.test(op);

const samples: Obj[] = readdirSync(SAMPLES_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) => parseAllDocuments(readFileSync(join(SAMPLES_DIR, f), 'utf8')).map((d) => d.toJS() as Obj))
  .filter((o) => o?.kind && kindDefinition(o.kind));
const sampleKey = (o: Obj) =>
  keyOf(
    o.kind,
    o.metadata.name,
    resourceTypeOf(kindDefinition(o.kind)!).namespaced ? (o.metadata.namespace ?? 'default') : undefined,
  );
const sample = (kind: string, name: string) =>
  samples.find((o) => o.kind === kind && o.metadata.name === name) as Obj;

let c: Cluster;
let aws: RunningEmulator;
let controller: ImctlProcess;
let live: LiveObjects;
let contacts: SSMContactsClient;
let incidents: SSMIncidentsClient;

/** One line per sample: what a failed wait was looking at. */
const describeSamples = (all: Map<string, Obj>) =>
  samples
    .map((s) => {
      const o = all.get(sampleKey(s));
      const cond = (t: string) => {
        const x = conditionOf(o, t);
        return x ? `${t}=${x.status} ${x.reason}: ${x.message}` : `${t}=-`;
      };
      return `  ${sampleKey(s)} gen ${o?.metadata.generation} observed ${o?.status?.observedGeneration}; ${cond('Ready')}; ${cond('Synced')}`;
    })
    .join('\n');

/** SDK clients acting in payments-prod through the role the controller assumes. */
async function ownerClients() {
  const base = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' };
  const sts = new STSClient({ region: REGION, endpoint: aws.url, credentials: base });
  const { Credentials: k } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${OWNER.account}:role/${OWNER.role}`,
      RoleSessionName: 'cluster-test',
      ExternalId: OWNER.externalId,
    }),
  );
  sts.destroy();
  const credentials = {
    accessKeyId: k?.AccessKeyId as string,
    secretAccessKey: k?.SecretAccessKey as string,
    sessionToken: k?.SessionToken as string,
  };
  return {
    contacts: new SSMContactsClient({ region: REGION, endpoint: aws.url, credentials }),
    incidents: new SSMIncidentsClient({ region: REGION, endpoint: aws.url, credentials }),
  };
}

const calls = (since: number): CallRecord[] => aws.admin.calls().filter((x) => x.seq > since);
const mark = () => aws.admin.calls().at(-1)?.seq ?? 0;
const writesSince = (since: number) =>
  calls(since)
    .filter((x) => x.account === OWNER.account && !isRead(x.operation) && x.service !== 'sts')
    .map((x) => x.operation);

beforeAll(async () => {
  [c, aws] = await Promise.all([startCluster(), startAwsEmulator({ port: 0, transitionMs: 0 })]);
  await c.installCrds();
  // The payments-prod role requires the sample's external id: the controller must pass it.
  aws.admin.store.iamRoles.set(`${OWNER.account}:${OWNER.role}`, { externalId: OWNER.externalId });
  // The response plan's PagerDuty secret and runbook, as a user sets them up before applying the samples.
  await createSamplePrerequisites(
    { AWS_ENDPOINT_URL: aws.url, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'test' },
    samples,
  );
  const home = join(c.cp.dir, 'controller');
  mkdirSync(home);
  writeFileSync(join(home, 'kubeconfig'), c.cp.kubeconfigYaml);
  controller = startImctl(['controller', '--log-level', 'info'], {
    PATH: process.env.PATH,
    HOME: home,
    KUBECONFIG: join(home, 'kubeconfig'),
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'test',
    IMCTL_LISTEN: '127.0.0.1:0',
  });
  await controller.waitLog('caches synced; starting workers');
  live = await watchObjects(
    c.kc,
    c.client,
    [...new Set(samples.map((s) => s.kind))].map((kind) => ({
      kind,
      type: resourceTypeOf(kindDefinition(kind)!),
    })),
    describeSamples,
  );
  ({ contacts, incidents } = await ownerClients());
});

afterAll(async () => {
  live?.stop();
  contacts?.destroy();
  incidents?.destroy();
  const code = await controller?.stop();
  if (code !== 0 && controller)
    process.stderr.write(`imctl controller exited ${code}\n${controller.stderr()}\n`);
  await aws?.stop();
  await c?.stop();
});

describe('imctl controller on a real kube-apiserver', () => {
  it('converges every sample applied with kubectl: Ready and Synced, AWS as the YAML says', async () => {
    await c.kubectlOk(['apply', '-f', SAMPLES_DIR]);
    await live.until(
      (all) => samples.every((s) => converged(all.get(sampleKey(s)))),
      'every sample is Ready and Synced',
    );

    const rs = live.get('ReplicationSet', 'payments', 'default') as Obj;
    const { replicationSet } = await incidents.send(new GetReplicationSetCommand({ arn: rs.status.arn }));
    expect(replicationSet?.status).toBe('ACTIVE');
    expect(Object.keys(replicationSet?.regionMap ?? {}).sort()).toEqual(['eu-west-1', 'us-east-1']);

    // Every Contact and EscalationPlan sample is one contact in payments-prod, by alias.
    const listed = (await contacts.send(new ListContactsCommand({}))).Contacts ?? [];
    const wanted = samples.filter((s) => s.kind === 'Contact' || s.kind === 'EscalationPlan');
    expect(listed.map((x) => x.Alias).sort()).toEqual(wanted.map((s) => s.spec.alias).sort());
    for (const s of wanted) {
      const got = await contacts.send(
        new GetContactCommand({ ContactId: live.get(s.kind, s.metadata.name, 'default')?.status.arn }),
      );
      expect(got, `${s.kind} ${s.metadata.name}`).toMatchObject({
        Alias: s.spec.alias,
        DisplayName: s.spec.displayName,
      });
    }
    const rotations = (await contacts.send(new ListRotationsCommand({}))).Rotations ?? [];
    expect(rotations.map((r) => r.Name).sort()).toEqual(
      samples
        .filter((s) => s.kind === 'Rotation')
        .map((s) => s.spec.name)
        .sort(),
    );

    const rp = live.get('ResponsePlan', 'payments-outage', 'default') as Obj;
    const plan = await incidents.send(new GetResponsePlanCommand({ arn: rp.status.arn }));
    const spec = sample('ResponsePlan', 'payments-outage').spec;
    expect(plan.incidentTemplate).toMatchObject({ title: spec.incidentTemplate.title, impact: 2 });
    expect(plan.engagements).toEqual([
      live.get('EscalationPlan', 'payments-escalation', 'default')?.status.arn,
    ]);

    // Nothing failed on the way but reads that told the controller an object did not exist yet.
    const failed = calls(0).filter(
      (x) => x.outcome === 'error' && !(isRead(x.operation) && x.errorCode === 'ResourceNotFoundException'),
    );
    expect(failed.map((x) => `${x.service}:${x.operation} ${x.errorCode}`)).toEqual([]);
  });

  it('follows an edit of the response plan: one UpdateResponsePlan, status follows', async () => {
    const before = live.get('ResponsePlan', 'payments-outage', 'default') as Obj;
    const since = mark();
    await c.kubectlOk([
      'patch',
      'responseplan.incidentmanager.gitops.dev',
      'payments-outage',
      '--type=merge',
      '-p',
      '{"spec":{"incidentTemplate":{"impact":3}}}',
    ]);
    await live.until((all) => {
      const o = all.get(keyOf('ResponsePlan', 'payments-outage', 'default'));
      return (
        o !== undefined && o.metadata.generation === (before.metadata.generation ?? 0) + 1 && converged(o)
      );
    }, 'the response plan is Ready and Synced at its new generation');
    const plan = await incidents.send(new GetResponsePlanCommand({ arn: before.status.arn }));
    expect(plan.incidentTemplate?.impact).toBe(3);
    expect(writesSince(since)).toEqual(['UpdateResponsePlan']);
    expect(calls(since).find((x) => x.operation === 'UpdateResponsePlan')?.input).toMatchObject({
      arn: before.status.arn,
      incidentTemplateImpact: 3,
    });
  });

  it("follows an edit of a contact's display name: one UpdateContact", async () => {
    const before = live.get('Contact', 'bob', 'default') as Obj;
    const since = mark();
    await c.kubectlOk([
      'patch',
      'contact.incidentmanager.gitops.dev',
      'bob',
      '--type=merge',
      '-p',
      '{"spec":{"displayName":"Bob Martínez"}}',
    ]);
    await live.until((all) => {
      const o = all.get(keyOf('Contact', 'bob', 'default'));
      return (
        o !== undefined && o.metadata.generation === (before.metadata.generation ?? 0) + 1 && converged(o)
      );
    }, 'the contact is Ready and Synced at its new generation');
    const got = await contacts.send(new GetContactCommand({ ContactId: before.status.arn }));
    expect(got.DisplayName).toBe('Bob Martínez');
    expect(writesSince(since)).toEqual(['UpdateContact']);
  });

  it('kubectl delete removes every sample through its finalizer and deletes the AWS objects', async () => {
    const rsArn = live.get('ReplicationSet', 'payments', 'default')?.status.arn;
    // Every object that stands for an AWS object holds the controller's finalizer until it is deleted there.
    for (const s of samples.filter((x) => x.kind !== 'AWSAccount'))
      expect(live.all.get(sampleKey(s))?.metadata.finalizers, sampleKey(s)).toHaveLength(1);
    const since = mark();
    // The AWSAccounts go last: the others need them to reach AWS while they are deleted (an
    // AWSAccount holds no finalizer of its own; see docs/controller.md).
    const files = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.yaml'));
    const accountFiles = files.filter((f) => f.includes('awsaccount'));
    const fileArgs = (fs: string[]) => fs.flatMap((f) => ['-f', join(SAMPLES_DIR, f)]);
    await c.kubectlOk([
      'delete',
      '--wait=false',
      ...fileArgs(files.filter((f) => !accountFiles.includes(f))),
    ]);
    await live.until(
      (all) => samples.every((s) => s.kind === 'AWSAccount' || !all.has(sampleKey(s))),
      'every sample but the AWSAccounts is gone',
    );
    await c.kubectlOk(['delete', ...fileArgs(accountFiles)]);
    await live.until((all) => samples.every((s) => !all.has(sampleKey(s))), 'every sample is gone');

    expect((await contacts.send(new ListContactsCommand({}))).Contacts ?? []).toEqual([]);
    expect((await contacts.send(new ListRotationsCommand({}))).Rotations ?? []).toEqual([]);
    expect((await incidents.send(new ListResponsePlansCommand({}))).responsePlanSummaries ?? []).toEqual([]);
    // deletionPolicy defaults to Retain for the replication set: deleting it erases all incident data.
    expect((await incidents.send(new ListReplicationSetsCommand({}))).replicationSetArns).toEqual([rsArn]);
    // No reconcile failed on the way out (a stale finalizer patch is a Conflict, retried).
    const errors = controller.lines.filter((l) => /"level":(5|6)\d/.test(l));
    expect(errors).toEqual([]);
    const failed = calls(since).filter(
      (x) => x.outcome === 'error' && !(isRead(x.operation) && x.errorCode === 'ResourceNotFoundException'),
    );
    expect(failed.map((x) => `${x.service}:${x.operation} ${x.errorCode}`)).toEqual([]);
  });
});
