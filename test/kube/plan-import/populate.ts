// An account made the way a team that clicked through the console has one: every object created
// straight through the AWS SDK (never by the controller), with references between them, tags,
// overrides and a RAM share. Sizes are parameters; the round-trip test uses 50+ of every kind.
import { CreateResourceShareCommand, type RAMClient } from '@aws-sdk/client-ram';
import {
  CreateContactChannelCommand,
  CreateContactCommand,
  CreateRotationCommand,
  CreateRotationOverrideCommand,
  type SSMContactsClient,
  UpdateContactCommand,
} from '@aws-sdk/client-ssm-contacts';
import { CreateResponsePlanCommand, type SSMIncidentsClient } from '@aws-sdk/client-ssm-incidents';

export interface Sizes {
  people: number;
  rotations: number;
  schedules: number;
  escalations: number;
  responsePlans: number;
  /** One more rotation ("Busy weeks") with this many upcoming overrides (more than spec.overrides takes). */
  manyOverrides?: number;
}

export interface Populated {
  people: string[];
  rotations: string[];
  schedules: string[];
  escalations: string[];
  responsePlans: string[];
  /** The "Busy weeks" rotation, when `manyOverrides` asked for it (also in `rotations`). */
  busy?: string;
  /** Resources in all (objects, channels and overrides). */
  resources: number;
}

const DAY = 86_400_000;
const token = (s: string) => `populate-${s}`.slice(0, 64);

export async function populate(
  sdk: { contacts: SSMContactsClient; incidents: SSMIncidentsClient; ram: RAMClient },
  account: string,
  region: string,
  nowMs: number,
  n: Sizes,
  /** The account the first response plan is shared with (RAM). */
  sharedWith = '222222222222',
): Promise<Populated> {
  const out: Populated = {
    people: [],
    rotations: [],
    schedules: [],
    escalations: [],
    responsePlans: [],
    resources: 1,
  };
  for (let i = 0; i < n.people; i++) {
    const alias = `engineer-${String(i).padStart(2, '0')}`;
    const c = await sdk.contacts.send(
      new CreateContactCommand({
        Alias: alias,
        DisplayName: `Engineer ${i}`,
        Type: 'PERSONAL',
        Plan: { Stages: [] },
        ...(i % 3 === 0 ? { Tags: [{ Key: 'team', Value: 'payments' }] } : {}),
        IdempotencyToken: token(alias),
      }),
    );
    const arn = c.ContactArn as string;
    const sms = await sdk.contacts.send(
      new CreateContactChannelCommand({
        ContactId: arn,
        Name: `${alias}-sms`,
        Type: 'SMS',
        DeliveryAddress: { SimpleAddress: `+3538555501${String(i).padStart(2, '0')}` },
        DeferActivation: true,
        IdempotencyToken: token(`${alias}-sms`),
      }),
    );
    const email = await sdk.contacts.send(
      new CreateContactChannelCommand({
        ContactId: arn,
        Name: `${alias}-email`,
        Type: 'EMAIL',
        DeliveryAddress: { SimpleAddress: `${alias}@example.com` },
        DeferActivation: true,
        IdempotencyToken: token(`${alias}-email`),
      }),
    );
    await sdk.contacts.send(
      new UpdateContactCommand({
        ContactId: arn,
        Plan: {
          Stages: [
            {
              DurationInMinutes: 5,
              Targets: [
                { ChannelTargetInfo: { ContactChannelId: sms.ContactChannelArn, RetryIntervalInMinutes: 2 } },
              ],
            },
            {
              DurationInMinutes: 0,
              Targets: [{ ChannelTargetInfo: { ContactChannelId: email.ContactChannelArn } }],
            },
          ],
        },
      }),
    );
    out.people.push(arn);
    out.resources += 3;
  }
  const start = new Date(Math.ceil((nowMs + DAY) / DAY) * DAY);
  for (let i = 0; i < n.rotations; i++) {
    const members = [out.people[i % out.people.length], out.people[(i + 1) % out.people.length]] as string[];
    const r = await sdk.contacts.send(
      new CreateRotationCommand({
        Name: `Follow the sun ${i}`,
        ContactIds: members,
        StartTime: start,
        TimeZoneId: i % 2 ? 'Europe/Dublin' : 'UTC',
        Recurrence: {
          NumberOfOnCalls: 1,
          RecurrenceMultiplier: 1,
          WeeklySettings: [{ DayOfWeek: 'MON', HandOffTime: { HourOfDay: 9, MinuteOfHour: 0 } }],
          ...(i % 2
            ? {
                ShiftCoverages: {
                  MON: [
                    { Start: { HourOfDay: 9, MinuteOfHour: 0 }, End: { HourOfDay: 17, MinuteOfHour: 0 } },
                  ],
                  TUE: [
                    { Start: { HourOfDay: 9, MinuteOfHour: 0 }, End: { HourOfDay: 17, MinuteOfHour: 0 } },
                  ],
                },
              }
            : {}),
        },
        Tags: [{ Key: 'team', Value: 'payments' }],
        IdempotencyToken: token(`rotation-${i}`),
      }),
    );
    const arn = r.RotationArn as string;
    if (i % 2 === 0) {
      await sdk.contacts.send(
        new CreateRotationOverrideCommand({
          RotationId: arn,
          NewContactIds: [members[1] as string],
          StartTime: new Date(start.getTime() + 10 * DAY),
          EndTime: new Date(start.getTime() + 10 * DAY + 8 * 3_600_000),
          IdempotencyToken: token(`override-${i}`),
        }),
      );
      out.resources += 1;
    }
    out.rotations.push(arn);
    out.resources += 1;
  }
  for (let i = 0; i < n.schedules; i++) {
    const ids = [
      out.rotations[(2 * i) % out.rotations.length],
      out.rotations[(2 * i + 1) % out.rotations.length],
    ];
    const s = await sdk.contacts.send(
      new CreateContactCommand({
        Alias: `primary-on-call-${i}`,
        DisplayName: `Primary on-call ${i}`,
        Type: 'ONCALL_SCHEDULE',
        Plan: { RotationIds: [...new Set(ids)] as string[] },
        IdempotencyToken: token(`schedule-${i}`),
      }),
    );
    out.schedules.push(s.ContactArn as string);
    out.resources += 1;
  }
  if (n.manyOverrides) {
    const members = [out.people[0], out.people[1]] as string[];
    const r = await sdk.contacts.send(
      new CreateRotationCommand({
        Name: 'Busy weeks',
        ContactIds: members,
        StartTime: start,
        TimeZoneId: 'UTC',
        Recurrence: {
          NumberOfOnCalls: 1,
          RecurrenceMultiplier: 1,
          DailySettings: [{ HourOfDay: 9, MinuteOfHour: 0 }],
        },
        IdempotencyToken: token('rotation-busy'),
      }),
    );
    const arn = r.RotationArn as string;
    // One override a day from the second day on: 8 hours each, well inside the 6-month horizon.
    for (let k = 1; k <= n.manyOverrides; k++)
      await sdk.contacts.send(
        new CreateRotationOverrideCommand({
          RotationId: arn,
          NewContactIds: [members[k % 2] as string],
          StartTime: new Date(start.getTime() + k * DAY + 9 * 3_600_000),
          EndTime: new Date(start.getTime() + k * DAY + 17 * 3_600_000),
          IdempotencyToken: token(`override-busy-${k}`),
        }),
      );
    out.busy = arn;
    out.rotations.push(arn);
    out.resources += 1 + n.manyOverrides;
  }
  for (let i = 0; i < n.escalations; i++) {
    const e = await sdk.contacts.send(
      new CreateContactCommand({
        Alias: `escalation-${i}`,
        ...(i % 2 ? { DisplayName: `Escalation ${i}` } : {}),
        Type: 'ESCALATION',
        Plan: {
          Stages: [
            {
              DurationInMinutes: 10,
              Targets: [
                {
                  ContactTargetInfo: {
                    ContactId: out.schedules[i % out.schedules.length] as string,
                    IsEssential: true,
                  },
                },
              ],
            },
            {
              DurationInMinutes: 0,
              Targets: [
                {
                  ContactTargetInfo: {
                    ContactId: out.people[i % out.people.length] as string,
                    IsEssential: false,
                  },
                },
                {
                  ContactTargetInfo: {
                    ContactId: out.people[(i + 3) % out.people.length] as string,
                    IsEssential: true,
                  },
                },
              ],
            },
          ],
        },
        IdempotencyToken: token(`escalation-${i}`),
      }),
    );
    out.escalations.push(e.ContactArn as string);
    out.resources += 1;
  }
  for (let i = 0; i < n.responsePlans; i++) {
    const p = await sdk.incidents.send(
      new CreateResponsePlanCommand({
        clientToken: token(`plan-${i}`),
        name: `service_${i}-outage`,
        displayName: `Service ${i} outage`,
        incidentTemplate: {
          title: `Service ${i} outage`,
          impact: 1 + (i % 5),
          summary: 'Check the dashboard.',
          ...(i % 2 ? { dedupeString: `service-${i}`, incidentTags: { service: `s${i}` } } : {}),
          notificationTargets: [{ snsTopicArn: `arn:aws:sns:${region}:${account}:incidents-${i}` }],
        },
        chatChannel: { chatbotSns: [`arn:aws:sns:${region}:${account}:chatbot`] },
        engagements: [
          out.escalations[i % out.escalations.length] as string,
          out.people[i % out.people.length] as string,
        ],
        actions: [
          {
            ssmAutomation: {
              roleArn: `arn:aws:iam::${account}:role/runbook`,
              documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
              ...(i % 2 ? { targetAccount: 'IMPACTED_ACCOUNT', parameters: { Env: ['prod'] } } : {}),
              dynamicParameters: { IncidentRecordArn: { variable: 'INCIDENT_RECORD_ARN' } },
            },
          },
        ],
        tags: { team: 'payments' },
      }),
    );
    out.responsePlans.push(p.arn as string);
    out.resources += 1;
  }
  if (out.responsePlans[0])
    await sdk.ram.send(
      new CreateResourceShareCommand({
        name: 'share-service-0',
        resourceArns: [out.responsePlans[0]],
        principals: [sharedWith],
        allowExternalPrincipals: true,
      }),
    );
  return out;
}
