// Drift found with partial resync reads (src/engine/read-policy.ts, docs/controller.md "What a
// reconcile does", step 7): most resync visits only look at what one ListContacts shows, yet a tag
// or channel changed outside the cluster is still reverted within FULL_READ_EVERY resyncs, and a
// display name (which the list shows) at the next one. A short resync stands in for the 10 minutes.
import {
  ListContactChannelsCommand,
  TagResourceCommand,
  UpdateContactChannelCommand,
  UpdateContactCommand,
} from '@aws-sdk/client-ssm-contacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { module as contactModule } from '../../../src/controllers/contact/index.ts';
import type { CallRecord } from '../../../src/emulators/aws/observe.ts';
import { FULL_READ_EVERY } from '../../../src/engine/read-policy.ts';
import { type Operator, startOperator } from '../../support/operator.ts';

const NS = 'resync-reads';
const RESYNC_MS = 1_000;
let op: Operator;

beforeAll(async () => {
  op = await startOperator({ modules: [contactModule], namespace: NS, resyncMs: RESYNC_MS, pollMs: 100 });
  await op.onboard();
}, 60_000);

afterAll(async () => {
  await op?.stop();
});

const about = (arn: string) => (c: CallRecord) => {
  const input = c.input as { ContactId?: string; ResourceARN?: string; ContactChannelId?: string };
  return input.ContactId === arn || input.ResourceARN === arn;
};

/** The resync visits of the only contact since `since` that read partially: one ListContacts each. */
const partialVisits = (since: number, until: number) =>
  op.calls({ operation: 'ListContacts', since }).filter((c) => c.seq < until).length;

describe('drift with partial resync reads', () => {
  let arn = '';

  it('costs no write while settled, most resyncs reading only the shared list', async () => {
    await op.apply({
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'Contact',
      metadata: { name: 'erin', namespace: NS },
      spec: {
        alias: 'erin',
        displayName: 'Erin',
        type: 'Personal',
        channels: [{ name: 'erin-email', type: 'Email', address: 'erin@example.com', deferActivation: true }],
        engagementPlan: { stages: [{ durationInMinutes: 0, targets: [{ channelName: 'erin-email' }] }] },
        tags: { team: 'payments' },
      },
    });
    arn = (await op.ready('Contact', 'erin')).status.arn;
    const since = op.mark();
    // Two full reads of the contact: at least FULL_READ_EVERY resyncs in between.
    const full = (after: number) =>
      op.nextCall((c) => c.operation === 'GetContact' && about(arn)(c), { since: after });
    const first = await full(since);
    const second = await full(first.seq);
    expect(partialVisits(first.seq, second.seq)).toBe(FULL_READ_EVERY - 1);
    expect(op.writes(since)).toEqual([]);
  });

  it('reverts a tag and a channel changed outside the cluster at the contact’s next full read', async () => {
    const channel = (await op.sdk.contacts.send(new ListContactChannelsCommand({ ContactId: arn })))
      .ContactChannels?.[0]?.ContactChannelArn as string;
    const before = op.mark();
    await op.sdk.contacts.send(
      new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'rogue', Value: 'y' }] }),
    );
    await op.sdk.contacts.send(
      new UpdateContactChannelCommand({
        ContactChannelId: channel,
        DeliveryAddress: { SimpleAddress: 'someone-else@example.com' },
      }),
    );
    const since = op.mark();
    const fix = await op.nextCall((c) => c.operation === 'UntagResource' && about(arn)(c), {
      since: before,
      timeoutMs: 60_000,
    });
    // Resyncs before the one that read in full and found it: fewer than FULL_READ_EVERY.
    expect(partialVisits(since, fix.seq)).toBeLessThan(FULL_READ_EVERY);
    expect(fix.input).toMatchObject({ TagKeys: ['rogue'] });
    // The same pass corrects the channel; its write may follow the untag, so wait for it too.
    const address = (c: { input: unknown }) =>
      (c.input as { DeliveryAddress?: { SimpleAddress?: string } }).DeliveryAddress?.SimpleAddress;
    await op.nextCall((c) => c.operation === 'UpdateContactChannel' && address(c) === 'erin@example.com', {
      since,
    });
    // The test's own UpdateContactChannel is in the log too: the controller's sends the spec's address.
    const addressFixes = op
      .writes(before)
      .filter((c) => c.operation === 'UpdateContactChannel')
      .map(address);
    expect(addressFixes).toEqual(['someone-else@example.com', 'erin@example.com']);
    // The confirm read of that update comes after its Event was recorded.
    await op.nextCall((c) => c.operation === 'GetContact' && about(arn)(c), { since: fix.seq });
    const events = await op.events('Contact', 'erin');
    expect(events.some((e) => e.reason === 'Updated' && /spec\.tags\.rogue/.test(e.message))).toBe(true);
  });

  it('reverts a display name changed outside the cluster at the next resync: the list shows it', async () => {
    await op.ready('Contact', 'erin');
    // Past the confirm of the last correction: the next visit is a resync.
    await op.nextCall((c) => c.operation === 'ListContacts', { since: op.mark() });
    const before = op.mark();
    await op.sdk.contacts.send(new UpdateContactCommand({ ContactId: arn, DisplayName: 'Hacked' }));
    const since = op.mark();
    const fix = await op.nextCall(
      (c) =>
        c.operation === 'UpdateContact' &&
        about(arn)(c) &&
        (c.input as { DisplayName?: string }).DisplayName === 'Erin',
      {
        since: before,
        timeoutMs: 60_000,
      },
    );
    expect(fix.input).toMatchObject({ DisplayName: 'Erin' });
    expect(partialVisits(since, fix.seq)).toBeLessThanOrEqual(1);
  });
});
