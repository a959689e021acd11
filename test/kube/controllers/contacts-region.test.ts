// ssm-contacts in the replication set's first Region, always (issue 15, item 2): an AWSAccount whose
// home Region is eu-west-1 and whose replication set's first Region is us-east-1 gets its contacts,
// with their tags, in us-east-1 — whether the set was made through the SDK (observed from AWS) or by a
// ReplicationSet object (created from spec.regions[0]); nothing moved by hand. An ssm-contacts ARN in
// another Region, or a spec.contactsRegion AWS contradicts, is refused with ContactsRegionMismatch and
// no AWS write. Each scenario has its own AWS account (reached by AssumeRole in the emulator).
import {
  CreateContactCommand,
  ListTagsForResourceCommand,
  SSMContactsClient,
} from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  SSMIncidentsClient,
  UpdateReplicationSetCommand,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import { module as escalationPlanModule } from '../../../src/controllers/escalation-plan/index.ts';
import { module as replicationSetModule } from '../../../src/controllers/replication-set/index.ts';
import { module as rotationModule } from '../../../src/controllers/rotation/index.ts';
import { assumedCredentials, untilActive as untilActiveIn } from '../../support/assumed.ts';
import { condition, isReady, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';

const API = 'incidentmanager.gitops.dev/v1alpha1';
const HOME = 'eu-west-1';
const FIRST = 'us-east-1';
let op: Operator;
const clients: Array<{ destroy(): void }> = [];

beforeAll(async () => {
  op = await startOperator({
    modules: [contactModule, escalationPlanModule, rotationModule, replicationSetModule],
    namespace: 'contacts-region',
    pollMs: 50,
    onboardingPollMs: 100,
  });
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await op?.stop();
});

/** SDK clients acting in account `id` in `region` (AssumeRole against the emulator). */
async function sdkIn(id: string, region: string) {
  const cfg = { region, endpoint: op.stack.aws.url, credentials: await assumedCredentials(op, id, region) };
  const sdk = { contacts: new SSMContactsClient(cfg), incidents: new SSMIncidentsClient(cfg) };
  clients.push(sdk.contacts, sdk.incidents);
  return sdk;
}

const untilActive = (incidents: SSMIncidentsClient, arn: string) => untilActiveIn(op, incidents, arn);

const awsAccount = (name: string, id: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: API,
  kind: 'AWSAccount',
  metadata: { name },
  spec: { accountId: id, region: HOME, roleArn: `arn:aws:iam::${id}:role/operator`, ...extra },
});

const contact = (name: string, account: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: API,
  kind: 'Contact',
  metadata: { name, ...(annotations ? { annotations } : {}) },
  spec: {
    accountRef: { name: account },
    alias: name,
    displayName: `On call ${name}`,
    type: 'Personal',
    tags: { team: 'payments' },
  },
});

const regionOf = (arn: string | undefined) => arn?.split(':')[3];

/** The contact's tags as AWS holds them, read in the ARN's Region. */
async function tagsOf(id: string, arn: string): Promise<Record<string, string>> {
  const { contacts } = await sdkIn(id, regionOf(arn) as string);
  const out = await contacts.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key, t.Value]));
}

describe('the contacts Region of an account whose home Region is not the first Region', () => {
  it('set made through the SDK from us-east-1, eu-west-1 added later: contacts land in us-east-1 with their tags', async () => {
    const id = '500000000001';
    const first = await sdkIn(id, FIRST);
    const { arn } = await first.incidents.send(new CreateReplicationSetCommand({ regions: { [FIRST]: {} } }));
    await untilActive(first.incidents, arn as string);
    // Added a minute later, from the home Region: AWS reports its own, later status time.
    op.stack.clock.advance(60_000);
    const home = await sdkIn(id, HOME);
    await home.incidents.send(
      new UpdateReplicationSetCommand({ arn, actions: [{ addRegionAction: { regionName: HOME } }] }),
    );
    await untilActive(home.incidents, arn as string);

    await op.apply(awsAccount('sdk-made', id));
    const acct = await op.waitFor('AWSAccount', 'sdk-made', (o) => o?.status?.contactsRegion !== undefined);
    expect(acct?.status?.contactsRegion).toMatchObject({
      region: FIRST,
      source: 'EarliestRegion',
      replicationSetArn: arn,
      replicationSetRegions: [HOME, FIRST].sort(),
    });

    const since = op.mark();
    await op.apply(contact('sdk-oncall', 'sdk-made'));
    const c = await op.ready('Contact', 'sdk-oncall');
    expect(regionOf(c.status?.arn)).toBe(FIRST);
    expect(await tagsOf(id, c.status?.arn)).toMatchObject({
      team: 'payments',
      'incidentmanager-gitops-dev/kind': 'Contact',
    });
    // Every ssm-contacts call of the account went to the first Region, none was refused.
    const calls = op.calls({ service: 'ssm-contacts', since }).filter((x) => x.account === id);
    expect(new Set(calls.map((x) => x.region))).toEqual(new Set([FIRST]));
    expect(calls.filter((x) => x.outcome === 'error')).toEqual([]);
  });

  it('set made by a ReplicationSet object listing [us-east-1, eu-west-1]: created from us-east-1, contacts follow', async () => {
    const id = '500000000002';
    await op.apply(awsAccount('object-made', id));
    await op.ready('AWSAccount', 'object-made');
    const since = op.mark();
    await op.apply({
      apiVersion: API,
      kind: 'ReplicationSet',
      metadata: { name: 'object-made' },
      spec: { accountRef: { name: 'object-made' }, regions: [{ name: FIRST }, { name: HOME }] },
    });
    // Applied at once: the contact (shared through AWS RAM), a rotation and an escalation plan
    // naming it wait for the set, then go to its first Region.
    const shared = contact('object-oncall', 'object-made');
    shared.spec.sharing = { principals: ['222222222222'], allowExternalPrincipals: true };
    await op.apply(shared);
    const accountRef = { name: 'object-made' };
    const tags = { team: 'payments' };
    const oncall = { contactRef: { name: 'object-oncall' } };
    const recurrence = { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: ['09:00'] };
    for (const [kind, name, spec] of [
      ['Rotation', 'object-days', { name: 'object-days', contacts: [oncall], timeZoneId: 'UTC', recurrence }],
      [
        'EscalationPlan',
        'object-escalation',
        { alias: 'object-escalation', stages: [{ durationInMinutes: 0, targets: [oncall] }] },
      ],
    ] as const)
      await op.apply({ apiVersion: API, kind, metadata: { name }, spec: { accountRef, ...spec, tags } });
    const rs = await op.ready('ReplicationSet', 'object-made');
    expect(rs.status?.createdFromRegion).toBe(FIRST);
    const create = op.calls({ operation: 'CreateReplicationSet', since }).filter((x) => x.account === id);
    expect(create.map((x) => x.region)).toEqual([FIRST]);

    const c = await op.ready('Contact', 'object-oncall');
    expect(regionOf(c.status?.arn)).toBe(FIRST);
    expect(await tagsOf(id, c.status?.arn)).toMatchObject({ team: 'payments' });
    const acct = await op.waitFor(
      'AWSAccount',
      'object-made',
      (o) => o?.status?.contactsRegion !== undefined,
    );
    // Both Regions were created together: only the created-from-region tag tells them apart.
    expect(acct?.status?.contactsRegion).toMatchObject({ region: FIRST, source: 'ReplicationSetObject' });
    for (const [kind, name] of [
      ['Rotation', 'object-days'],
      ['EscalationPlan', 'object-escalation'],
    ] as const) {
      const o = await op.ready(kind, name);
      expect(regionOf(o.status?.arn)).toBe(FIRST);
      expect(await tagsOf(id, o.status?.arn)).toMatchObject({ team: 'payments' });
    }
    // The contact's share is made in the contact's Region.
    const share = op.calls({ operation: 'CreateResourceShare', since }).filter((x) => x.account === id);
    expect(share.map((x) => `${x.region} ${x.outcome}`)).toEqual([`${FIRST} ok`]);
    // One create each, in the first Region, none refused (none sent before the set was ACTIVE).
    const writes = op.writes(since, 'ssm-contacts').filter((x) => x.account === id);
    expect(writes.map((x) => `${x.operation} ${x.region} ${x.outcome}`).sort()).toEqual(
      [`CreateContact ${FIRST} ok`, `CreateContact ${FIRST} ok`, `CreateRotation ${FIRST} ok`].sort(),
    );
  });

  it('refuses an adopted contact in another Region and a spec.contactsRegion AWS contradicts, writing nothing', async () => {
    const id = '500000000003';
    const first = await sdkIn(id, FIRST);
    const { arn } = await first.incidents.send(
      new CreateReplicationSetCommand({ regions: { [FIRST]: {}, [HOME]: {} } }),
    );
    await untilActive(first.incidents, arn as string);
    // Contacts someone made in both Regions (the one in the home Region untagged: AWS refuses tags
    // there): neither the Region times nor the contacts tell the first Region apart.
    await first.contacts.send(
      new CreateContactCommand({
        Alias: 'console-made',
        Type: 'PERSONAL',
        Plan: { Stages: [] },
        Tags: [{ Key: 'team', Value: 'ops' }],
      }),
    );
    const stray = await (await sdkIn(id, HOME)).contacts.send(
      new CreateContactCommand({
        Alias: 'stray',
        DisplayName: 'Stray',
        Type: 'PERSONAL',
        Plan: { Stages: [] },
      }),
    );
    await op.apply(awsAccount('mismatch', id, { contactsRegion: FIRST }));
    const acct = await op.ready('AWSAccount', 'mismatch');
    // Created together, no contacts in us-east-1: spec.contactsRegion settles the tie.
    expect(acct.status?.contactsRegion).toMatchObject({
      region: FIRST,
      source: 'AccountSpec',
      tiedRegions: [HOME, FIRST].sort(),
    });

    const since = op.mark();
    await op.apply(
      contact('stray', 'mismatch', { 'incidentmanager.gitops.dev/external-arn': stray.ContactArn as string }),
    );
    const refused = await op.waitFor(
      'Contact',
      'stray',
      (o) => condition(o, 'Ready')?.reason === 'ContactsRegionMismatch',
    );
    expect(condition(refused, 'Ready')?.message).toContain(`is in ${HOME}`);
    expect(condition(refused, 'Ready')?.message).toContain(`belong in ${FIRST}`);
    expect(op.writes(since).filter((x) => x.account === id)).toEqual([]);

    // Another AWSAccount of the first scenario's account (us-east-1 first, eu-west-1 added later)
    // stating the home Region: AWS contradicts it, so the account is not Ready and nothing is written.
    const mark = op.mark();
    await op.apply(awsAccount('says-home', '500000000001', { contactsRegion: HOME }));
    const says = await op.waitFor(
      'AWSAccount',
      'says-home',
      (o) => condition(o, 'Ready')?.reason === 'ContactsRegionMismatch',
    );
    expect(isReady(says)).toBe(false);
    expect(condition(says, 'Ready')?.message).toMatch(
      new RegExp(`spec.contactsRegion is ${HOME}, but the replication set's first Region.* is ${FIRST}`),
    );
    expect(says?.status?.contactsRegion).toMatchObject({ region: FIRST, source: 'EarliestRegion' });
    expect(op.writes(mark).filter((x) => x.account === '500000000001')).toEqual([]);
  });
});

describe('objects without an AWSAccount', () => {
  it("go to the first Region of the controller's own account, not to its AWS_REGION", async () => {
    // A second stack whose controller runs in eu-west-1; the set is made from us-east-1.
    const own = await startOperator({ modules: [contactModule], region: HOME, pollMs: 50 });
    try {
      const cfg = {
        region: FIRST,
        endpoint: own.stack.aws.url,
        credentials: { accessKeyId: own.stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'x' },
      };
      const incidents = new SSMIncidentsClient(cfg);
      const contacts = new SSMContactsClient(cfg);
      clients.push(incidents, contacts);
      await incidents.send(new CreateReplicationSetCommand({ regions: { [FIRST]: {} } }));
      const since = own.mark();
      const { accountRef: _, ...spec } = contact('own-oncall', 'none').spec;
      await own.apply({ apiVersion: API, kind: 'Contact', metadata: { name: 'own-oncall' }, spec });
      const c = await own.ready('Contact', 'own-oncall');
      expect(regionOf(c.status?.arn)).toBe(FIRST);
      const tags = await contacts.send(new ListTagsForResourceCommand({ ResourceARN: c.status?.arn }));
      expect(tags.Tags).toContainEqual({ Key: 'team', Value: 'payments' });
      const writes = own.writes(since, 'ssm-contacts');
      expect(writes.map((x) => `${x.operation} ${x.region} ${x.outcome}`)).toEqual([
        `CreateContact ${FIRST} ok`,
      ]);
    } finally {
      await own.stop();
    }
  });
});
