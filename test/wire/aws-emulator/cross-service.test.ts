// The hooks between services: response-plan engagements must be existing contacts, and a contact
// engaged by a response plan cannot be deleted (ssm-contacts asks ssm-incidents).
import { CreateContactCommand, DeleteContactCommand, SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  CreateResponsePlanCommand,
  GetResponsePlanCommand,
  UpdateResponsePlanCommand,
} from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALICE, failure, type Harness, startHarness } from './helpers.ts';

let h: Harness;
let contacts: SSMContactsClient;
beforeAll(async () => {
  h = await startHarness();
  contacts = new SSMContactsClient({
    endpoint: h.emu.url,
    region: 'us-east-1',
    credentials: ALICE,
    maxAttempts: 1,
  });
  await h.incidents().send(new CreateReplicationSetCommand({ regions: { 'us-east-1': {} } }));
  h.clock.advance(5000);
});
afterAll(async () => h.emu.stop());

it('engages an existing contact, then refuses to delete it until the plan lets go', async () => {
  const { ContactArn } = await contacts.send(
    new CreateContactCommand({ Alias: 'primary', Type: 'PERSONAL', Plan: { Stages: [] } }),
  );
  const { arn } = await h.incidents().send(
    new CreateResponsePlanCommand({
      name: 'engaging',
      incidentTemplate: { title: 't', impact: 1 },
      engagements: [ContactArn as string],
    }),
  );
  expect((await h.incidents().send(new GetResponsePlanCommand({ arn }))).engagements).toEqual([ContactArn]);
  const blocked = await failure(() => contacts.send(new DeleteContactCommand({ ContactId: ContactArn })));
  expect(blocked.name).toBe('ConflictException');
  await h.incidents().send(new UpdateResponsePlanCommand({ arn, engagements: [] }));
  await contacts.send(new DeleteContactCommand({ ContactId: ContactArn }));
  const stale = await failure(() =>
    h.incidents().send(new UpdateResponsePlanCommand({ arn, engagements: [ContactArn as string] })),
  );
  expect([stale.name, stale.status]).toEqual(['ValidationException', 400]);
});
