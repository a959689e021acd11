import {
  CreateReplicationSetCommand,
  CreateResponsePlanCommand,
  DeleteReplicationSetCommand,
  DeleteResourcePolicyCommand,
  DeleteResponsePlanCommand,
  GetReplicationSetCommand,
  GetResourcePoliciesCommand,
  GetResponsePlanCommand,
  ListReplicationSetsCommand,
  ListResponsePlansCommand,
  ListTagsForResourceCommand,
  PutResourcePolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDeletionProtectionCommand,
  UpdateReplicationSetCommand,
  UpdateResponsePlanCommand,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BOB, failure, type Harness, startHarness } from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;
let h: Harness;

beforeEach(async () => {
  if (!h) h = await startHarness();
  h.emu.admin.reset();
});
afterAll(async () => h?.emu.stop());

async function activeSet(
  regions: Record<string, { sseKmsKeyId?: string }> = { 'us-east-1': {} },
): Promise<string> {
  const c = h.incidents();
  const { arn } = await c.send(new CreateReplicationSetCommand({ regions }));
  h.clock.advance(5000);
  return arn as string;
}

describe('replication sets', () => {
  it('creates a set that is CREATING, then ACTIVE once the clock passes the transition, with the default key', async () => {
    const c = h.incidents();
    const { arn } = await c.send(
      new CreateReplicationSetCommand({ regions: { 'us-east-1': {}, 'eu-west-1': {} } }),
    );
    expect(arn).toMatch(/^arn:aws:ssm-incidents::111111111111:replication-set\/[0-9a-f-]{36}$/);
    let got = await c.send(new GetReplicationSetCommand({ arn }));
    expect(got.replicationSet?.status).toBe('CREATING');
    expect(got.replicationSet?.regionMap?.['eu-west-1']?.status).toBe('CREATING');
    h.clock.advance(5000);
    got = await c.send(new GetReplicationSetCommand({ arn }));
    expect(got.replicationSet?.status).toBe('ACTIVE');
    expect(got.replicationSet?.deletionProtected).toBe(false);
    expect(got.replicationSet?.regionMap?.['us-east-1']?.sseKmsKeyId).toBe('DefaultKey');
    expect(got.replicationSet?.createdBy).toBe('arn:aws:iam::111111111111:user/alice');
    expect(got.replicationSet?.createdTime).toBeInstanceOf(Date);
    const list = await c.send(new ListReplicationSetsCommand({}));
    expect(list.replicationSetArns).toEqual([arn]);
  });

  it('allows one set per account (ConflictException 409) but one in each account', async () => {
    await activeSet();
    const e = await failure(() =>
      h.incidents().send(new CreateReplicationSetCommand({ regions: { 'us-west-2': {} } })),
    );
    expect([e.name, e.status]).toEqual(['ConflictException', 409]);
    const bob = await h
      .incidents(BOB)
      .send(new CreateReplicationSetCommand({ regions: { 'us-west-2': {} } }));
    expect(bob.arn).toContain(':222222222222:');
  });

  it('replays an idempotent create and rejects the same token with a different request', async () => {
    const c = h.incidents();
    const a = await c.send(
      new CreateReplicationSetCommand({ regions: { 'us-east-1': {} }, clientToken: 'tok-1' }),
    );
    const b = await c.send(
      new CreateReplicationSetCommand({ regions: { 'us-east-1': {} }, clientToken: 'tok-1' }),
    );
    expect(b.arn).toBe(a.arn);
    const e = await failure(() =>
      c.send(new CreateReplicationSetCommand({ regions: { 'eu-west-1': {} }, clientToken: 'tok-1' })),
    );
    expect([e.name, e.status]).toEqual(['ConflictException', 409]);
    const calls = h.emu.admin.calls({ operation: 'CreateReplicationSet' });
    expect(calls.map((x) => x.token)).toEqual(['tok-1', 'tok-1', 'tok-1']);
  });

  it('rejects a KMS key from another Region and an unsupported Region', async () => {
    const c = h.incidents();
    const e = await failure(() =>
      c.send(
        new CreateReplicationSetCommand({
          regions: { 'us-east-1': { sseKmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/abc' } },
        }),
      ),
    );
    expect([e.name, e.status]).toEqual(['ValidationException', 400]);
    expect(e.message).toContain('same Region');
    const r = await failure(() =>
      c.send(new CreateReplicationSetCommand({ regions: { 'mars-north-1': {} } })),
    );
    expect([r.name, r.status]).toEqual(['ValidationException', 400]);
  });

  it('adds and removes Regions one at a time, with the 24-hour rule and UPDATING in between', async () => {
    const arn = await activeSet({ 'us-east-1': {} });
    const c = h.incidents();
    await c.send(
      new UpdateReplicationSetCommand({
        arn,
        actions: [
          {
            addRegionAction: {
              regionName: 'eu-west-1',
              sseKmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/k1',
            },
          },
        ],
      }),
    );
    let got = await c.send(new GetReplicationSetCommand({ arn }));
    expect(got.replicationSet?.status).toBe('UPDATING');
    expect(got.replicationSet?.regionMap?.['eu-west-1']?.status).toBe('CREATING');
    const busy = await failure(() =>
      c.send(
        new UpdateReplicationSetCommand({ arn, actions: [{ addRegionAction: { regionName: 'us-west-2' } }] }),
      ),
    );
    expect([busy.name, busy.status]).toEqual(['ConflictException', 409]);
    h.clock.advance(5000);
    const early = await failure(() =>
      c.send(
        new UpdateReplicationSetCommand({
          arn,
          actions: [{ deleteRegionAction: { regionName: 'eu-west-1' } }],
        }),
      ),
    );
    expect([early.name, early.status]).toEqual(['ValidationException', 400]);
    expect(early.message).toContain('24 hours');
    h.clock.advance(DAY);
    await c.send(
      new UpdateReplicationSetCommand({
        arn,
        actions: [{ deleteRegionAction: { regionName: 'eu-west-1' } }],
      }),
    );
    h.clock.advance(5000);
    got = await c.send(new GetReplicationSetCommand({ arn }));
    expect(Object.keys(got.replicationSet?.regionMap ?? {})).toEqual(['us-east-1']);
    const two = await failure(() =>
      c.send(
        new UpdateReplicationSetCommand({
          arn,
          actions: [
            { addRegionAction: { regionName: 'us-west-2' } },
            { deleteRegionAction: { regionName: 'us-east-1' } },
          ],
        }),
      ),
    );
    expect([two.name, two.status]).toEqual(['ValidationException', 400]);
  });

  it('holds at most 3 Regions: a fourth on create or by update is a ValidationException', async () => {
    const c = h.incidents();
    const four = await failure(() =>
      c.send(
        new CreateReplicationSetCommand({
          regions: { 'us-east-1': {}, 'us-east-2': {}, 'us-west-2': {}, 'eu-west-1': {} },
        }),
      ),
    );
    expect([four.name, four.status]).toEqual(['ValidationException', 400]);
    const arn = await activeSet({ 'us-east-1': {}, 'us-east-2': {}, 'us-west-2': {} });
    const fourth = await failure(() =>
      c.send(
        new UpdateReplicationSetCommand({ arn, actions: [{ addRegionAction: { regionName: 'eu-west-1' } }] }),
      ),
    );
    expect([fourth.name, fourth.status, fourth.message]).toEqual([
      'ValidationException',
      400,
      'A replication set can contain at most 3 Regions',
    ]);
  });

  it('removing the last Region deletes the whole set (protection off)', async () => {
    const arn = await activeSet();
    const c = h.incidents();
    await c.send(new CreateResponsePlanCommand({ name: 'p1', incidentTemplate: { title: 't', impact: 3 } }));
    h.clock.advance(DAY);
    await c.send(
      new UpdateReplicationSetCommand({
        arn,
        actions: [{ deleteRegionAction: { regionName: 'us-east-1' } }],
      }),
    );
    expect((await c.send(new GetReplicationSetCommand({ arn }))).replicationSet?.status).toBe('DELETING');
    h.clock.advance(5000);
    expect((await c.send(new ListReplicationSetsCommand({}))).replicationSetArns).toEqual([]);
    expect((await c.send(new ListResponsePlansCommand({}))).responsePlanSummaries).toEqual([]);
  });

  it('keeps the last Region while deletion protection is on; deleting the set wipes its response plans', async () => {
    const arn = await activeSet();
    const c = h.incidents();
    await c.send(new CreateResponsePlanCommand({ name: 'p1', incidentTemplate: { title: 't', impact: 3 } }));
    await c.send(new UpdateDeletionProtectionCommand({ arn, deletionProtected: true }));
    h.clock.advance(DAY);
    const last = await failure(() =>
      c.send(
        new UpdateReplicationSetCommand({
          arn,
          actions: [{ deleteRegionAction: { regionName: 'us-east-1' } }],
        }),
      ),
    );
    expect([last.name, last.status]).toEqual(['ValidationException', 400]);
    const del = await failure(() => c.send(new DeleteReplicationSetCommand({ arn })));
    expect([del.name, del.status]).toEqual(['ValidationException', 400]);
    await c.send(new UpdateDeletionProtectionCommand({ arn, deletionProtected: false }));
    await c.send(new DeleteReplicationSetCommand({ arn }));
    expect((await c.send(new GetReplicationSetCommand({ arn }))).replicationSet?.status).toBe('DELETING');
    h.clock.advance(5000);
    const gone = await failure(() => c.send(new GetReplicationSetCommand({ arn })));
    expect([gone.name, gone.status]).toEqual(['ResourceNotFoundException', 404]);
    expect((await c.send(new ListResponsePlansCommand({}))).responsePlanSummaries).toEqual([]);
  });
});

describe('response plans', () => {
  it('needs an ACTIVE replication set', async () => {
    const c = h.incidents();
    const none = await failure(() =>
      c.send(new CreateResponsePlanCommand({ name: 'p', incidentTemplate: { title: 't', impact: 1 } })),
    );
    expect([none.name, none.status]).toEqual(['ValidationException', 400]);
    await c.send(new CreateReplicationSetCommand({ regions: { 'us-east-1': {} } }));
    const creating = await failure(() =>
      c.send(new CreateResponsePlanCommand({ name: 'p', incidentTemplate: { title: 't', impact: 1 } })),
    );
    expect(creating.name).toBe('ValidationException');
  });

  it('creates, reads, lists with pagination, updates with the flattened fields and clears, deletes', async () => {
    await activeSet();
    const c = h.incidents();
    const { arn } = await c.send(
      new CreateResponsePlanCommand({
        name: 'checkout',
        displayName: 'Checkout down',
        incidentTemplate: { title: 'Checkout', impact: 2, summary: 's', incidentTags: { team: 'pay' } },
        chatChannel: { chatbotSns: ['arn:aws:sns:us-east-1:111111111111:chat'] },
        tags: { env: 'prod' },
      }),
    );
    expect(arn).toBe('arn:aws:ssm-incidents::111111111111:response-plan/checkout');
    const got = await c.send(new GetResponsePlanCommand({ arn }));
    expect(got.incidentTemplate).toEqual({
      title: 'Checkout',
      impact: 2,
      summary: 's',
      incidentTags: { team: 'pay' },
    });
    expect(got.chatChannel?.chatbotSns).toEqual(['arn:aws:sns:us-east-1:111111111111:chat']);
    for (const n of ['a', 'b', 'c', 'd']) {
      await c.send(new CreateResponsePlanCommand({ name: n, incidentTemplate: { title: n, impact: 5 } }));
    }
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await c.send(
        new ListResponsePlansCommand({ maxResults: 2, ...(nextToken ? { nextToken } : {}) }),
      );
      names.push(...(page.responsePlanSummaries ?? []).map((s) => s.name as string));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(names).toEqual(['a', 'b', 'c', 'checkout', 'd']);
    expect(pages).toBe(3);

    await c.send(
      new UpdateResponsePlanCommand({
        arn,
        incidentTemplateImpact: 1,
        incidentTemplateSummary: '',
        incidentTemplateTags: {},
        chatChannel: { empty: {} },
      }),
    );
    const after = await c.send(new GetResponsePlanCommand({ arn }));
    expect(after.incidentTemplate).toEqual({ title: 'Checkout', impact: 1 });
    expect(after.chatChannel).toBeUndefined();
    expect(after.displayName).toBe('Checkout down');
    expect((await c.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      env: 'prod',
    });

    await c.send(new DeleteResponsePlanCommand({ arn }));
    await c.send(new DeleteResponsePlanCommand({ arn }));
    const gone = await failure(() => c.send(new GetResponsePlanCommand({ arn })));
    expect([gone.name, gone.status]).toEqual(['ResourceNotFoundException', 404]);
  });

  it('rejects duplicate names, engagements that are not existing contacts and SNS topics of other accounts', async () => {
    await activeSet();
    const c = h.incidents();
    await c.send(new CreateResponsePlanCommand({ name: 'p', incidentTemplate: { title: 't', impact: 3 } }));
    const dup = await failure(() =>
      c.send(new CreateResponsePlanCommand({ name: 'p', incidentTemplate: { title: 't', impact: 3 } })),
    );
    expect([dup.name, dup.status]).toEqual(['ConflictException', 409]);
    const eng = await failure(() =>
      c.send(
        new CreateResponsePlanCommand({
          name: 'q',
          incidentTemplate: { title: 't', impact: 3 },
          engagements: ['arn:aws:ssm-contacts:us-east-1:111111111111:contact/nobody'],
        }),
      ),
    );
    expect([eng.name, eng.status]).toEqual(['ValidationException', 400]);
    const sns = await failure(() =>
      c.send(
        new CreateResponsePlanCommand({
          name: 'q',
          incidentTemplate: { title: 't', impact: 3 },
          chatChannel: { chatbotSns: ['arn:aws:sns:us-east-1:999999999999:chat'] },
        }),
      ),
    );
    expect([sns.name, sns.status]).toEqual(['ValidationException', 400]);
  });

  it('hides another account’s plan (AccessDeniedException 403) unless shared', async () => {
    await activeSet();
    const { arn } = await h
      .incidents()
      .send(new CreateResponsePlanCommand({ name: 'p', incidentTemplate: { title: 't', impact: 3 } }));
    const e = await failure(() => h.incidents(BOB).send(new GetResponsePlanCommand({ arn })));
    expect([e.name, e.status]).toEqual(['AccessDeniedException', 403]);
  });
});

describe('tags and resource policies', () => {
  it('keeps at most 50 tags on a resource (ServiceQuotaExceededException 402 with the quota code)', async () => {
    const arn = await activeSet();
    const c = h.incidents();
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await c.send(new TagResourceCommand({ resourceArn: arn, tags: fifty }));
    await c.send(new TagResourceCommand({ resourceArn: arn, tags: { k0: 'changed' } }));
    const e = await failure(() => c.send(new TagResourceCommand({ resourceArn: arn, tags: { k50: 'v' } })));
    expect([e.name, e.status, e.error.serviceCode, e.error.quotaCode]).toEqual([
      'ServiceQuotaExceededException',
      402,
      'ssm-incidents',
      'tags-per-resource',
    ]);
    expect(
      Object.keys((await c.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {}),
    ).toHaveLength(50);
  });

  it('tags, untags and lists tags on a replication set; unknown ARN is ResourceNotFoundException', async () => {
    const arn = await activeSet();
    const c = h.incidents();
    await c.send(new TagResourceCommand({ resourceArn: arn, tags: { a: '1', b: '2' } }));
    await c.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
    expect((await c.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ b: '2' });
    const e = await failure(() =>
      c.send(
        new ListTagsForResourceCommand({
          resourceArn: 'arn:aws:ssm-incidents::111111111111:response-plan/none',
        }),
      ),
    );
    expect([e.name, e.status]).toEqual(['ResourceNotFoundException', 404]);
  });

  it('puts, pages through and deletes resource policies on a response plan', async () => {
    await activeSet();
    const c = h.incidents();
    const { arn } = await c.send(
      new CreateResponsePlanCommand({ name: 'p', incidentTemplate: { title: 't', impact: 3 } }),
    );
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    const a = await c.send(new PutResourcePolicyCommand({ resourceArn: arn, policy }));
    await c.send(new PutResourcePolicyCommand({ resourceArn: arn, policy }));
    const p1 = await c.send(new GetResourcePoliciesCommand({ resourceArn: arn, maxResults: 1 }));
    expect(p1.resourcePolicies).toHaveLength(1);
    const p2 = await c.send(
      new GetResourcePoliciesCommand({ resourceArn: arn, maxResults: 1, nextToken: p1.nextToken as string }),
    );
    expect(p2.resourcePolicies).toHaveLength(1);
    expect(p2.nextToken).toBeUndefined();
    await c.send(new DeleteResourcePolicyCommand({ resourceArn: arn, policyId: a.policyId }));
    const e = await failure(() =>
      c.send(new DeleteResourcePolicyCommand({ resourceArn: arn, policyId: a.policyId })),
    );
    expect([e.name, e.status]).toEqual(['ResourceNotFoundException', 404]);
    const bad = await failure(() =>
      c.send(new PutResourcePolicyCommand({ resourceArn: arn, policy: '{not json' })),
    );
    expect([bad.name, bad.status]).toEqual(['ValidationException', 400]);
  });
});
