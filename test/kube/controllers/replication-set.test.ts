// ReplicationSet against both emulators: the controller in-process (only this kind), each scenario
// in its own AWS account (an account holds one replication set). Waits follow watches; the AWS
// call log says which writes a change produced; 24 hours pass by advancing the shared clock.
import { readFileSync } from 'node:fs';
import {
  GetReplicationSetCommand,
  ListReplicationSetsCommand,
  ListTagsForResourceCommand,
  SSMIncidentsClient,
  TagResourceCommand,
  UpdateDeletionProtectionCommand,
} from '@aws-sdk/client-ssm-incidents';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { module as replicationSet } from '../../../src/controllers/replication-set/index.ts';
import { module as responsePlan } from '../../../src/controllers/response-plan/index.ts';
import { isOwnershipTagKey } from '../../../src/engine/identity.ts';
import { condition, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';

const API = 'incidentmanager.gitops.dev/v1alpha1';
const KEY = (region: string, account: string) =>
  `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const DAY = 24 * 60 * 60 * 1000;

let op: Operator;
const clients: SSMIncidentsClient[] = [];

beforeAll(async () => {
  // A short resync stands in for the 10-minute drift check; a short poll for AWS transitions.
  op = await startOperator({
    // ResponsePlan runs too: a plan of the account holds back the set's deletion.
    modules: [replicationSet, responsePlan],
    namespace: 'rs-test',
    resyncMs: 3_000,
    pollMs: 100,
    ...(process.env.RS_DEBUG ? { logger: (await import('pino')).pino({ level: 'debug' }) } : {}),
  });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await op?.stop();
});

/** An AWSAccount for a scenario's own account, Ready. */
async function account(name: string, id: string): Promise<void> {
  await op.apply({
    apiVersion: API,
    kind: 'AWSAccount',
    metadata: { name },
    spec: { accountId: id, region: 'us-east-1', roleArn: `arn:aws:iam::${id}:role/operator` },
  });
  await op.ready('AWSAccount', name);
}

/** An SDK client acting in `id` (AssumeRole against the emulator). */
async function sdkFor(
  id: string,
  role = 'operator',
  externalId?: string,
  region = 'us-east-1',
): Promise<SSMIncidentsClient> {
  const base = { region, endpoint: op.stack.aws.url };
  const sts = new STSClient({
    ...base,
    credentials: { accessKeyId: op.stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'x' },
  });
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${id}:role/${role}`,
      RoleSessionName: 'test',
      ...(externalId ? { ExternalId: externalId } : {}),
    }),
  );
  sts.destroy();
  const c = out.Credentials;
  const client = new SSMIncidentsClient({
    ...base,
    credentials: {
      accessKeyId: c?.AccessKeyId as string,
      secretAccessKey: c?.SecretAccessKey as string,
      sessionToken: c?.SessionToken as string,
    },
  });
  clients.push(client);
  return client;
}

function rs(name: string, accountName: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: API,
    kind: 'ReplicationSet',
    metadata: { name },
    spec: { accountRef: { name: accountName }, ...spec },
  };
}

/** The object with the external-arn annotation set to `arn`: it adopts that set. */
const adopting = (o: KubeObject, arn: string): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, annotations: { 'incidentmanager.gitops.dev/external-arn': arn } },
});

/** A ReplicationSet in the controller's own account (no accountRef). */
function own(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: API, kind: 'ReplicationSet', metadata: { name }, spec };
}

const regionsOf = (o: KubeObject | undefined): string[] =>
  ((o?.status?.regions ?? []) as { name: string }[]).map((r) => r.name).sort();
const readyReason = (o: KubeObject | undefined) => condition(o, 'Ready')?.reason;
/** Ready=True for the current generation and status showing AWS in that state. */
const settled = (pred: (o: KubeObject) => boolean) => (o: KubeObject | undefined) =>
  o !== undefined &&
  condition(o, 'Ready')?.status === 'True' &&
  o.status?.observedGeneration === o.metadata.generation &&
  pred(o);

/** The replication-set writes in an account since a mark (response plans' own calls left out). */
async function writesIn(account: string, since: number) {
  return op
    .writes(since, 'ssm-incidents')
    .filter((c) => c.account === account && !c.operation.includes('ResponsePlan'));
}

describe('ReplicationSet', () => {
  it('round trip: the sample reads back through the SDK as the YAML says', async () => {
    // The sample's AWSAccount assumes a role with an external id; the emulator checks it.
    op.stack.aws.admin.store.iamRoles.set('111122223333:incident-manager-operator', {
      externalId: 'payments-prod-im-operator',
    });
    const docs = parseAllDocuments(readFileSync('config/samples/00-awsaccounts.yaml', 'utf8'))
      .map((d) => d.toJS() as KubeObject)
      .filter((d) => d?.metadata?.name === 'payments-prod');
    for (const d of docs) await op.apply(d);
    const [yaml] = await op.applyFile('config/samples/01-replication-set.yaml', 'rs-test');
    const obj = await op.waitFor(
      'ReplicationSet',
      'payments',
      settled((o) => o.status?.deletionProtected === true),
    );
    expect(obj?.status?.status).toBe('Active');

    // Read back as the sample's account, through its role and external id.
    const sdk = await sdkFor(
      '111122223333',
      'incident-manager-operator',
      'payments-prod-im-operator',
      'eu-west-1',
    );
    const arn = obj?.status?.arn as string;
    const got = (await sdk.send(new GetReplicationSetCommand({ arn }))).replicationSet;
    const spec = yaml?.spec as {
      regions: { name: string; sseKmsKeyId?: string }[];
      deletionProtected: boolean;
      tags: Record<string, string>;
    };
    expect(Object.keys(got?.regionMap ?? {}).sort()).toEqual(spec.regions.map((r) => r.name).sort());
    for (const r of spec.regions)
      expect(got?.regionMap?.[r.name]?.sseKmsKeyId).toBe(r.sseKmsKeyId ?? 'DefaultKey');
    expect(got?.deletionProtected).toBe(spec.deletionProtected);
    const tags = (await sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {};
    const userTags = Object.fromEntries(Object.entries(tags).filter(([k]) => !isOwnershipTagKey(k)));
    expect(userTags).toEqual(spec.tags);
    expect(
      (obj?.metadata.annotations as Record<string, string> | undefined)?.[
        'incidentmanager.gitops.dev/external-arn'
      ],
    ).toBe(arn);
  });

  it('creates with every field, then sends exactly one minimal write per changed field', async () => {
    await account('acct-every', '100000000001');
    const since = op.mark();
    const spec = {
      regions: [{ name: 'us-east-1', sseKmsKeyId: KEY('us-east-1', '100000000001') }, { name: 'eu-west-1' }],
      deletionProtected: true,
      tags: { team: 'a', env: 'prod' },
    };
    await op.apply(rs('every', 'acct-every', spec));
    let o = await op.waitFor(
      'ReplicationSet',
      'every',
      settled((x) => x.status?.deletionProtected === true),
    );
    const created = await writesIn('100000000001', since);
    expect(created.map((c) => c.operation)).toEqual(['CreateReplicationSet', 'UpdateDeletionProtection']);
    expect(created[0]?.input).toMatchObject({
      regions: { 'us-east-1': { sseKmsKeyId: KEY('us-east-1', '100000000001') }, 'eu-west-1': {} },
      tags: { team: 'a', env: 'prod', 'incidentmanager-gitops-dev/name': 'every' },
    });
    expect(created[0]?.token).toBeTruthy();
    expect(o?.status?.status).toBe('Active');
    // The kind of key is said as such; sseKmsKeyId stays as AWS reports it (DefaultKey: AWS owned).
    expect(o?.status?.regions).toEqual([
      expect.objectContaining({
        name: 'eu-west-1',
        status: 'Active',
        keyType: 'AWSOwnedKey',
        sseKmsKeyId: 'DefaultKey',
      }),
      expect.objectContaining({
        name: 'us-east-1',
        status: 'Active',
        keyType: 'CustomerManagedKey',
        sseKmsKeyId: KEY('us-east-1', '100000000001'),
      }),
    ]);
    expect(o?.status?.regions[0].addedTime).toMatch(/^\d{4}-/);

    const change = async (next: Record<string, unknown>, done: (x: KubeObject) => boolean) => {
      const mark = op.mark();
      await op.apply(rs('every', 'acct-every', next));
      o = await op.waitFor('ReplicationSet', 'every', settled(done));
      return writesIn('100000000001', mark);
    };
    // One update round trip with every kind of change (each alone is the unit tier's planUpdate table):
    // tags, deletion protection, then the Region action, each in its own minimal call.
    const updated = await change(
      {
        ...spec,
        tags: { team: 'b' },
        deletionProtected: false,
        regions: [...spec.regions, { name: 'ap-southeast-2' }],
      },
      (x) => regionsOf(x).length === 3 && x.status?.deletionProtected === false,
    );
    expect(updated.map((c) => [c.operation, c.input])).toEqual([
      ['TagResource', expect.objectContaining({ tags: { team: 'b' } })],
      ['UntagResource', expect.objectContaining({ tagKeys: ['env'] })],
      ['UpdateDeletionProtection', expect.objectContaining({ deletionProtected: false })],
      [
        'UpdateReplicationSet',
        expect.objectContaining({ actions: [{ addRegionAction: { regionName: 'ap-southeast-2' } }] }),
      ],
    ]);

    // Drift: someone turns protection on and edits tags in AWS; the next resync puts the spec back.
    const sdk = await sdkFor('100000000001');
    const arn = o?.status?.arn as string;
    const drift = op.mark();
    await sdk.send(new UpdateDeletionProtectionCommand({ arn, deletionProtected: true }));
    await sdk.send(new TagResourceCommand({ resourceArn: arn, tags: { team: 'x', extra: 'y' } }));
    const afterDrift = op.mark();
    // Status first shows what the resync found, then what the correction left.
    await op.waitFor('ReplicationSet', 'every', (x) => x?.status?.deletionProtected === true);
    o = await op.waitFor(
      'ReplicationSet',
      'every',
      settled((x) => x.status?.deletionProtected === false),
    );
    const fixed = (await writesIn('100000000001', afterDrift)).map((c) => [c.operation, c.input]);
    expect(fixed).toEqual([
      ['TagResource', expect.objectContaining({ tags: { team: 'b' } })],
      ['UntagResource', expect.anything()],
      ['UpdateDeletionProtection', expect.objectContaining({ deletionProtected: false })],
    ]);
    expect(drift).toBeLessThan(afterDrift);
    const tags = (await sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {};
    expect(tags.extra).toBeUndefined();
    expect(tags.team).toBe('b');
    const events = await op.events('ReplicationSet', 'every');
    expect(
      events.some((e) => e.reason === 'Updated' && String(e.message).includes('spec.deletionProtected')),
    ).toBe(true);
  });

  it("adopts the account's existing replication set instead of creating a second one; an Observe-only object reports drift", async () => {
    await account('acct-adopt', '100000000002');
    const sdk = await sdkFor('100000000002');
    const { CreateReplicationSetCommand } = await import('@aws-sdk/client-ssm-incidents');
    const made = await sdk.send(
      new CreateReplicationSetCommand({
        regions: { 'us-east-1': {}, 'eu-west-1': { sseKmsKeyId: KEY('eu-west-1', '100000000002') } },
      }),
    );
    // A spec that disagrees on a Region's key: said in the condition, nothing written.
    let since = op.mark();
    await op.apply(
      rs('wrong-key', 'acct-adopt', { regions: [{ name: 'us-east-1' }, { name: 'eu-west-1' }] }),
    );
    const wrong = await op.waitFor('ReplicationSet', 'wrong-key', (x) => readyReason(x) === 'ImmutableField');
    expect(condition(wrong, 'Ready')?.message).toContain('spec.regions[name=eu-west-1].sseKmsKeyId');
    expect(condition(wrong, 'Ready')?.message).toContain(KEY('eu-west-1', '100000000002'));
    expect(condition(wrong, 'Ready')?.message).toContain("AWS cannot change a Region's KMS key");
    expect(condition(wrong, 'Ready')?.message).toContain('the spec asks for the AWS owned key');
    expect(condition(wrong, 'Ready')?.message).not.toContain('DefaultKey');
    expect(await writesIn('100000000002', since)).toEqual([]);
    await op.remove('ReplicationSet', 'wrong-key');
    await op.gone('ReplicationSet', 'wrong-key');

    since = op.mark();
    await op.apply(
      rs('adopt', 'acct-adopt', {
        regions: [
          { name: 'us-east-1' },
          { name: 'eu-west-1', sseKmsKeyId: KEY('eu-west-1', '100000000002') },
        ],
      }),
    );
    const o = await op.waitFor(
      'ReplicationSet',
      'adopt',
      settled(() => true),
    );
    expect(o?.status?.arn).toBe(made.arn);
    // Adoption writes nothing (no ownership tags either); deletion protection is left as AWS has it.
    expect(await writesIn('100000000002', since)).toEqual([]);
    const list = await sdk.send(new ListReplicationSetsCommand({}));
    expect(list.replicationSetArns).toEqual([made.arn]);

    // Observe only: a second object may watch the same set; drift is reported, never written.
    since = op.mark();
    await op.apply(
      rs('watcher', 'acct-adopt', {
        regions: [
          { name: 'us-east-1' },
          { name: 'eu-west-1', sseKmsKeyId: KEY('eu-west-1', '100000000002') },
        ],
        deletionProtected: true,
        managementPolicy: 'Observe',
      }),
    );
    const watcher = await op.waitFor(
      'ReplicationSet',
      'watcher',
      (x) => condition(x, 'Synced')?.reason === 'DriftDetected',
    );
    expect(condition(watcher, 'Synced')?.message).toContain('spec.deletionProtected');
    expect(watcher?.status?.arn).toBe(made.arn);
    await op.remove('ReplicationSet', 'watcher');
    await op.gone('ReplicationSet', 'watcher');
    expect(await writesIn('100000000002', since)).toEqual([]);
  });

  it('refuses a second ReplicationSet for the same account, naming the owner, and deletes it without touching AWS; a set whose owner left is taken over only by annotation', async () => {
    await account('acct-two', '100000000003');
    await op.apply(rs('first', 'acct-two', { regions: [{ name: 'us-east-1' }], deletionPolicy: 'Delete' }));
    await op.waitFor(
      'ReplicationSet',
      'first',
      settled(() => true),
    );
    const since = op.mark();
    await op.apply(rs('second', 'acct-two', { regions: [{ name: 'eu-west-1' }], deletionPolicy: 'Delete' }));
    const second = await op.waitFor(
      'ReplicationSet',
      'second',
      (x) => readyReason(x) === 'ReplicationSetAlreadyExists',
    );
    expect(condition(second, 'Ready')?.message).toContain('ReplicationSet rs-test/first');
    expect(condition(second, 'Ready')?.message).toContain('in this cluster');
    await op.remove('ReplicationSet', 'second');
    await op.gone('ReplicationSet', 'second');
    expect(await writesIn('100000000003', since)).toEqual([]);
    const first = await op.get('ReplicationSet', 'first');
    expect(condition(first, 'Ready')?.status).toBe('True');

    // The owner leaves the cluster (Retain): a new object takes the set over only when told to.
    await op.apply(rs('first', 'acct-two', { regions: [{ name: 'us-east-1' }], deletionPolicy: 'Retain' }));
    await op.waitFor(
      'ReplicationSet',
      'first',
      settled(() => true),
    );
    await op.remove('ReplicationSet', 'first');
    await op.gone('ReplicationSet', 'first');
    await op.apply(rs('third', 'acct-two', { regions: [{ name: 'us-east-1' }] }));
    const third = await op.waitFor(
      'ReplicationSet',
      'third',
      (x) => readyReason(x) === 'ReplicationSetAlreadyExists',
    );
    expect(condition(third, 'Ready')?.message).toContain('not in this cluster');
    expect(await writesIn('100000000003', since)).toEqual([]);
    const arn = first?.status?.arn as string;
    await op.apply(adopting(rs('third', 'acct-two', { regions: [{ name: 'us-east-1' }] }), arn));
    const adopted = await op.waitFor(
      'ReplicationSet',
      'third',
      settled(() => true),
    );
    expect(adopted?.status?.arn).toBe(arn);
    // Taken over by the annotation alone: nothing is written to AWS.
    expect(await writesIn('100000000003', since)).toEqual([]);

    // The set still carries first's tags (adoption wrote none): third holds it by its annotation,
    // and another object naming the same ARN is refused, not a second manager of the set.
    await op.apply(adopting(rs('fourth', 'acct-two', { regions: [{ name: 'us-east-1' }] }), arn));
    const fourth = await op.waitFor(
      'ReplicationSet',
      'fourth',
      (x) => readyReason(x) === 'ReplicationSetAlreadyExists',
    );
    expect(condition(fourth, 'Ready')?.message).toContain('managed by ReplicationSet rs-test/third');
    await op.remove('ReplicationSet', 'fourth');
    await op.gone('ReplicationSet', 'fourth');
    expect(condition(await op.get('ReplicationSet', 'third'), 'Ready')?.status).toBe('True');
    expect(await writesIn('100000000003', since)).toEqual([]);
  });

  it('an owner switched to Observe no longer holds its set: another object adopts it by annotation', async () => {
    await account('acct-obs', '100000000011');
    await op.apply(rs('maker', 'acct-obs', { regions: [{ name: 'us-east-1' }] }));
    const made = await op.waitFor(
      'ReplicationSet',
      'maker',
      settled(() => true),
    );
    const arn = made?.status?.arn as string;
    // The set carries maker's ownership tags; maker now only reads it.
    await op.apply(
      rs('maker', 'acct-obs', { regions: [{ name: 'us-east-1' }], managementPolicy: 'Observe' }),
    );
    await op.waitFor('ReplicationSet', 'maker', (x) => condition(x, 'Synced')?.reason === 'ObserveOnly');
    await op.apply(adopting(rs('taker', 'acct-obs', { regions: [{ name: 'us-east-1' }] }), arn));
    const taken = await op.waitFor(
      'ReplicationSet',
      'taker',
      settled(() => true),
    );
    expect(condition(taken, 'Ready')?.status).toBe('True');
    expect(taken?.status?.arn).toBe(arn);
  });

  it('retains the set in AWS by default when the object is deleted', async () => {
    await account('acct-retain', '100000000005');
    await op.apply(rs('retain', 'acct-retain', { regions: [{ name: 'us-east-1' }] }));
    const o = await op.waitFor(
      'ReplicationSet',
      'retain',
      settled(() => true),
    );
    expect(o?.spec.deletionPolicy).toBe('Retain');
    const since = op.mark();
    await op.remove('ReplicationSet', 'retain');
    await op.gone('ReplicationSet', 'retain');
    expect(await writesIn('100000000005', since)).toEqual([]);
    const sdk = await sdkFor('100000000005');
    expect((await sdk.send(new ListReplicationSetsCommand({}))).replicationSetArns).toEqual([o?.status?.arn]);
  });

  it("deletes with deletionPolicy Delete only once the account's plans are gone and deletion protection is off", async () => {
    await account('acct-delete', '100000000006');
    await op.apply(
      rs('doomed', 'acct-delete', {
        regions: [{ name: 'us-east-1' }],
        deletionPolicy: 'Delete',
        deletionProtected: true,
      }),
    );
    await op.waitFor(
      'ReplicationSet',
      'doomed',
      settled((x) => x.status?.deletionProtected === true),
    );
    // A response plan of the same account, made by its own controller.
    await op.apply({
      apiVersion: API,
      kind: 'ResponsePlan',
      metadata: { name: 'still-here' },
      spec: {
        accountRef: { name: 'acct-delete' },
        name: 'still-here',
        incidentTemplate: { title: 'x', impact: 3 },
      },
    });
    await op.ready('ResponsePlan', 'still-here');
    const since = op.mark();
    await op.remove('ReplicationSet', 'doomed');
    // Both at once: protection is on, and what still depends on the set.
    const blocked = await op.waitFor(
      'ReplicationSet',
      'doomed',
      (x) => readyReason(x) === 'DeletionProtected',
    );
    expect(condition(blocked, 'Ready')?.message).toContain('deletion protection is on');
    expect(condition(blocked, 'Ready')?.message).toContain('spec.deletionProtected: false');
    expect(condition(blocked, 'Ready')?.message).toContain('ResponsePlan rs-test/still-here');

    await op.remove('ResponsePlan', 'still-here');
    const refused = await op.waitFor(
      'ReplicationSet',
      'doomed',
      (x) =>
        readyReason(x) === 'DeletionProtected' && !condition(x, 'Ready')?.message?.includes('still-here'),
    );
    expect(condition(refused, 'Ready')?.message).toContain('deletion protection is on');
    expect(condition(refused, 'Synced')?.reason).toBe('DeletionProtected');
    expect(await writesIn('100000000006', since)).toEqual([]);

    await op.apply(
      rs('doomed', 'acct-delete', {
        regions: [{ name: 'us-east-1' }],
        deletionPolicy: 'Delete',
        deletionProtected: false,
      }),
    );
    await op.gone('ReplicationSet', 'doomed');
    expect((await writesIn('100000000006', since)).map((c) => [c.operation, c.input])).toEqual([
      ['UpdateDeletionProtection', expect.objectContaining({ deletionProtected: false })],
      ['DeleteReplicationSet', expect.anything()],
    ]);
    const events = await op.events('ReplicationSet', 'doomed');
    expect(events.some((e) => e.type === 'Warning' && e.reason === 'DeletingAllIncidentData')).toBe(true);
    const sdk = await sdkFor('100000000006');
    expect((await sdk.send(new ListReplicationSetsCommand({}))).replicationSetArns).toEqual([]);
  });
  it('after a crash between create and recording the ARN, finds its set by the ownership tags', async () => {
    await account('acct-crash', '100000000007');
    await op.stack.stopController();
    // As a controller killed right after CreateReplicationSet leaves it: a pending mark, no ARN,
    // and in AWS a set carrying this object's ownership tags.
    const applied = await op.apply({
      ...rs('crashed', 'acct-crash', { regions: [{ name: 'us-east-1' }] }),
      metadata: { name: 'crashed', annotations: { 'incidentmanager.gitops.dev/create-pending': 'mark-1' } },
    });
    const sdk = await sdkFor('100000000007');
    const { CreateReplicationSetCommand } = await import('@aws-sdk/client-ssm-incidents');
    const made = await sdk.send(
      new CreateReplicationSetCommand({
        regions: { 'us-east-1': {} },
        tags: {
          'incidentmanager.gitops.dev/kind': 'ReplicationSet',
          'incidentmanager.gitops.dev/name': 'crashed',
          'incidentmanager.gitops.dev/namespace': 'rs-test',
          'incidentmanager.gitops.dev/uid': (applied.metadata as { uid?: string }).uid as string,
        },
      }),
    );
    const since = op.mark();
    await op.stack.startController();
    const o = await op.waitFor(
      'ReplicationSet',
      'crashed',
      settled(() => true),
    );
    const ann = (o?.metadata.annotations ?? {}) as Record<string, string>;
    expect(ann['incidentmanager.gitops.dev/external-arn']).toBe(made.arn);
    expect(ann['incidentmanager.gitops.dev/create-pending']).toBeUndefined();
    expect(await writesIn('100000000007', since)).toEqual([]);
    const events = await op.events('ReplicationSet', 'crashed');
    expect(events.map((e) => e.reason)).toContain('Adopted');
  });

  // Last: it moves the shared clock a day forward.
  it('adds a Region, then removes it only 24 hours after it was added, saying when', async () => {
    // The controller's own account (static keys): assumed-role credentials would not survive the
    // clock jump, since the SDK caches them on wall-clock time while the emulator expires them.
    await op.apply(own('regions', { regions: [{ name: 'us-east-1' }] }));
    await op.waitFor(
      'ReplicationSet',
      'regions',
      settled(() => true),
    );
    let since = op.mark();
    await op.apply(own('regions', { regions: [{ name: 'us-east-1' }, { name: 'eu-west-1' }] }));
    await op.waitFor(
      'ReplicationSet',
      'regions',
      settled((x) => regionsOf(x).length === 2),
    );
    expect((await writesIn(op.stack.account, since)).map((c) => c.input)).toEqual([
      expect.objectContaining({ actions: [{ addRegionAction: { regionName: 'eu-west-1' } }] }),
    ]);

    since = op.mark();
    await op.apply(own('regions', { regions: [{ name: 'us-east-1' }] }));
    const waiting = await op.waitFor(
      'ReplicationSet',
      'regions',
      (x) => readyReason(x) === 'RegionRemovalNotYetAllowed',
    );
    const added = ((waiting?.status?.regions ?? []) as { name: string; addedTime: string }[]).find(
      (r) => r.name === 'eu-west-1',
    )?.addedTime as string;
    const earliest = new Date(Date.parse(added) + DAY).toISOString();
    expect(condition(waiting, 'Ready')?.message).toContain(earliest);
    expect(await writesIn(op.stack.account, since)).toEqual([]);

    op.stack.clock.advance(DAY);
    await op.waitFor(
      'ReplicationSet',
      'regions',
      settled((x) => regionsOf(x).join() === 'us-east-1'),
    );
    expect((await writesIn(op.stack.account, since)).map((c) => c.input)).toEqual([
      expect.objectContaining({ actions: [{ deleteRegionAction: { regionName: 'eu-west-1' } }] }),
    ]);
  });

  it('an AWSAccount in use is not deleted: DeleteBlocked names its users until the last one is gone', async () => {
    await account('acct-in-use', '100000000009');
    await op.apply(rs('user', 'acct-in-use', { regions: [{ name: 'us-east-1' }] }));
    await op.ready('ReplicationSet', 'user');
    await op.remove('AWSAccount', 'acct-in-use');
    const blocked = await op.waitFor(
      'AWSAccount',
      'acct-in-use',
      (x) => condition(x, 'Ready')?.reason === 'DeleteBlocked',
    );
    expect(condition(blocked, 'Ready')?.message).toContain('ReplicationSet');
    expect(condition(blocked, 'Ready')?.message).toContain('user');
    // The user's own deletion still has the account's credentials (Retain: AWS is left alone).
    await op.remove('ReplicationSet', 'user');
    await op.gone('ReplicationSet', 'user');
    await op.gone('AWSAccount', 'acct-in-use');
  });
});
