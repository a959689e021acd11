// ResponsePlan mapping and diff, pure: round trips, normalisation (ordering AWS does not keep,
// defaults, empty vs absent) and the minimal update each change produces.
import { describe, expect, it } from 'vitest';
import { diff, planUpdate } from '../../../../src/controllers/response-plan/diff.ts';
import { references } from '../../../../src/controllers/response-plan/handler.ts';
import { createInput, fromAws, toDesired } from '../../../../src/controllers/response-plan/mapping.ts';
import { validate } from '../../../../src/controllers/response-plan/validate.ts';
import type { ResponsePlan, ResponsePlanSpec } from '../../../../src/crds/response-plan.ts';

const ACCT = '111122223333';
const CONTACT = `arn:aws:ssm-contacts:eu-west-1:${ACCT}:contact/alice`;
const ESC = `arn:aws:ssm-contacts:eu-west-1:${ACCT}:contact/payments-escalation`;
const SHARED = 'arn:aws:ssm-contacts:eu-west-1:444455556666:contact/shared-oncall';
const OTHER = `arn:aws:ssm-contacts:eu-west-1:${ACCT}:contact/bob`;
const TOPIC_A = `arn:aws:sns:eu-west-1:${ACCT}:a`;
const TOPIC_B = `arn:aws:sns:us-east-1:${ACCT}:b`;
const ROLE = `arn:aws:iam::${ACCT}:role/Runbook`;

function plan(spec: Partial<ResponsePlanSpec> = {}): ResponsePlan {
  return {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'ResponsePlan',
    metadata: { name: 'p', namespace: 'ns', uid: 'uid-1' },
    spec: { name: 'payments', incidentTemplate: { title: 'Payments down', impact: 2 }, ...spec },
  };
}

const full = (): ResponsePlan =>
  plan({
    displayName: 'Payments outage',
    incidentTemplate: {
      title: 'Payments down',
      impact: 2,
      summary: 'Card payments failing',
      dedupeString: 'payments',
      incidentTags: { team: 'payments', service: 'checkout' },
      notificationTargets: [TOPIC_B, TOPIC_A],
    },
    chatChannel: { snsTopicArns: [TOPIC_B, TOPIC_A] },
    engagements: [
      { escalationPlanRef: { name: 'esc' } },
      { contactArn: SHARED },
      { contactRef: { name: 'alice' } },
    ],
    runbook: {
      documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
      documentVersion: '1',
      roleArn: ROLE,
      targetAccount: 'ImpactedAccount',
      parameters: { Z: ['z'], AutomationAssumeRole: ['r1', 'r0'] },
      dynamicParameters: { IncidentArn: 'IncidentRecordARN', Resources: 'InvolvedResources' },
    },
    pagerDuty: { name: 'pd', secretId: 'pagerduty/payments', serviceId: 'PX1' },
    tags: { team: 'payments', env: 'prod' },
  });

const fullRefs = new Map([
  ['spec.engagements[0].escalationPlanRef', ESC],
  ['spec.engagements[1].contactArn', SHARED],
  ['spec.engagements[2].contactRef', CONTACT],
]);

/** The ARNs the engine would resolve for `mr`'s references (cluster objects by name). */
function resolve(mr: ResponsePlan): Map<string, string> {
  const byName: Record<string, string> = { esc: ESC, alice: CONTACT };
  return new Map(references(mr).map((f) => [f.path, f.arn ?? byName[f.ref?.name ?? ''] ?? '']));
}

/** What GetResponsePlan would return after CreateResponsePlan with `input` (AWS echoes what it stored). */
function readBack(mr: ResponsePlan, refs: ReadonlyMap<string, string>, extraTags = {}) {
  const input = createInput(toDesired(mr, refs), 'tok', extraTags);
  const { clientToken: _t, tags, ...rest } = input;
  return fromAws(rest, tags);
}

describe('ResponsePlan mapping', () => {
  it('round trip: every field created and read back has no difference', () => {
    const mr = full();
    const d = toDesired(mr, fullRefs);
    expect(diff(d, readBack(mr, fullRefs))).toEqual([]);
  });

  it('round trip: the minimal plan has no difference', () => {
    const mr = plan();
    expect(diff(toDesired(mr, new Map()), readBack(mr, new Map()))).toEqual([]);
  });

  it('create sends every field in the API shape, with the identity tags and no empty member', () => {
    const input = createInput(toDesired(full(), fullRefs), 'tok', {
      'incidentmanager.gitops.dev/uid': 'uid-1',
    });
    expect(input).toEqual({
      clientToken: 'tok',
      name: 'payments',
      displayName: 'Payments outage',
      incidentTemplate: {
        title: 'Payments down',
        impact: 2,
        summary: 'Card payments failing',
        dedupeString: 'payments',
        incidentTags: { service: 'checkout', team: 'payments' },
        notificationTargets: [{ snsTopicArn: TOPIC_A }, { snsTopicArn: TOPIC_B }],
      },
      chatChannel: { chatbotSns: [TOPIC_A, TOPIC_B] },
      engagements: [CONTACT, ESC, SHARED],
      actions: [
        {
          ssmAutomation: {
            roleArn: ROLE,
            documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
            documentVersion: '1',
            targetAccount: 'IMPACTED_ACCOUNT',
            parameters: { AutomationAssumeRole: ['r1', 'r0'], Z: ['z'] },
            dynamicParameters: {
              IncidentArn: { variable: 'INCIDENT_RECORD_ARN' },
              Resources: { variable: 'INVOLVED_RESOURCES' },
            },
          },
        },
      ],
      integrations: [
        {
          pagerDutyConfiguration: {
            name: 'pd',
            secretId: 'pagerduty/payments',
            pagerDutyIncidentConfiguration: { serviceId: 'PX1' },
          },
        },
      ],
      tags: { env: 'prod', team: 'payments', 'incidentmanager.gitops.dev/uid': 'uid-1' },
    });
  });

  it('create leaves out empty maps and lists (TagMap and runbook maps are length ≥ 1)', () => {
    const mr = plan({
      incidentTemplate: { title: 't', impact: 3, incidentTags: {}, notificationTargets: [], summary: '' },
      engagements: [],
      runbook: { documentName: 'Doc', roleArn: ROLE, parameters: {}, dynamicParameters: {} },
      tags: {},
    });
    const input = createInput(toDesired(mr, new Map()), 'tok', {});
    expect(input).toEqual({
      clientToken: 'tok',
      name: 'payments',
      incidentTemplate: { title: 't', impact: 3 },
      actions: [{ ssmAutomation: { roleArn: ROLE, documentName: 'Doc' } }],
    });
  });

  it('create sends the target account when the spec names it, even the default one', () => {
    const named = plan({
      runbook: { documentName: 'Doc', roleArn: ROLE, targetAccount: 'ResponsePlanOwnerAccount' },
    });
    const action = (mr: ResponsePlan, explicit: boolean) =>
      createInput(toDesired(mr, new Map()), 't', {}, explicit).actions?.[0]?.ssmAutomation?.targetAccount;
    expect(action(named, true)).toBe('RESPONSE_PLAN_OWNER_ACCOUNT');
    expect(action(plan({ runbook: { documentName: 'Doc', roleArn: ROLE } }), false)).toBeUndefined();
  });

  it('engagements resolve refs to ARNs; a missing resolution is DependencyNotReady', () => {
    expect(toDesired(full(), fullRefs).engagements).toEqual([CONTACT, ESC, SHARED]);
    expect(() => toDesired(full(), new Map())).toThrow(/spec.engagements\[0\].escalationPlanRef/);
  });

  it('references: one per engagement, refs by kind and ARNs as given', () => {
    expect(references(full())).toEqual([
      { path: 'spec.engagements[0].escalationPlanRef', ref: { kind: 'EscalationPlan', name: 'esc' } },
      { path: 'spec.engagements[1].contactArn', arn: SHARED },
      { path: 'spec.engagements[2].contactRef', ref: { kind: 'Contact', name: 'alice' } },
    ]);
  });
});

describe('ResponsePlan diff: what is not drift', () => {
  const base = toDesired(full(), fullRefs);
  const cases: { why: string; aws: Parameters<typeof fromAws>[0]; tags?: Record<string, string> }[] = [
    {
      why: 'AWS returns sets (engagements, topics) in another order',
      aws: {
        ...createInput(base, 't', {}),
        engagements: [SHARED, ESC, CONTACT],
        chatChannel: { chatbotSns: [TOPIC_B, TOPIC_A] },
        incidentTemplate: {
          title: base.title,
          impact: base.impact,
          summary: base.summary,
          dedupeString: base.dedupeString,
          incidentTags: base.incidentTags,
          notificationTargets: [{ snsTopicArn: TOPIC_B }, { snsTopicArn: TOPIC_A }],
        },
      },
      tags: { team: 'payments', env: 'prod' },
    },
    {
      why: "the controller's identity tags are not the user's tags",
      aws: createInput(base, 't', {}),
      tags: { team: 'payments', env: 'prod', 'incidentmanager.gitops.dev/uid': 'uid-1' },
    },
  ];
  for (const c of cases)
    it(c.why, () => {
      expect(diff(base, fromAws(c.aws, c.tags))).toEqual([]);
    });

  it('absent and empty are the same: summary, dedupe, tags, targets, engagements, runbook maps', () => {
    const absent = toDesired(plan({ runbook: { documentName: 'Doc', roleArn: ROLE } }), new Map());
    const empty = toDesired(
      plan({
        displayName: '',
        incidentTemplate: {
          title: 'Payments down',
          impact: 2,
          summary: '',
          dedupeString: '',
          incidentTags: {},
          notificationTargets: [],
        },
        engagements: [],
        runbook: {
          documentName: 'Doc',
          roleArn: ROLE,
          documentVersion: '',
          parameters: {},
          dynamicParameters: {},
        },
        tags: {},
      }),
      new Map(),
    );
    expect(diff(absent, empty)).toEqual([]);
  });

  it('an absent target account is the plan owner account (the AWS default)', () => {
    const implicit = toDesired(plan({ runbook: { documentName: 'Doc', roleArn: ROLE } }), new Map());
    const aws = fromAws(
      {
        name: 'payments',
        incidentTemplate: { title: 'Payments down', impact: 2 },
        actions: [
          {
            ssmAutomation: {
              documentName: 'Doc',
              roleArn: ROLE,
              targetAccount: 'RESPONSE_PLAN_OWNER_ACCOUNT',
            },
          },
        ],
      },
      {},
    );
    expect(diff(implicit, aws)).toEqual([]);
  });

  it('a display name equal to the name is no display name (AWS shows the name when there is none)', () => {
    const aws = fromAws(
      { name: 'payments', displayName: 'payments', incidentTemplate: { title: 'Payments down', impact: 2 } },
      {},
    );
    expect(diff(toDesired(plan(), new Map()), aws)).toEqual([]);
    expect(
      diff(toDesired(plan({ displayName: 'payments' }), new Map()), readBack(plan(), new Map())),
    ).toEqual([]);
  });

  it('an empty chat channel from AWS is no chat channel', () => {
    const aws = fromAws(
      {
        name: 'payments',
        incidentTemplate: { title: 'Payments down', impact: 2 },
        chatChannel: { empty: {} },
      },
      {},
    );
    expect(diff(toDesired(plan(), new Map()), aws)).toEqual([]);
  });
});

describe('ResponsePlan: each change alone → only that member in the update', () => {
  const before = full();
  type Change = {
    why: string;
    edit: (s: ResponsePlanSpec) => void;
    paths: string[];
    update?: Record<string, unknown>;
    tag?: Record<string, string>;
    untag?: string[];
  };
  const changes: Change[] = [
    {
      why: 'display name',
      edit: (s) => {
        s.displayName = 'New';
      },
      paths: ['spec.displayName'],
      update: { displayName: 'New' },
    },
    {
      why: 'display name removed → cleared with an empty string',
      edit: (s) => {
        delete s.displayName;
      },
      paths: ['spec.displayName'],
      update: { displayName: '' },
    },
    {
      why: 'title',
      edit: (s) => {
        s.incidentTemplate.title = 'T2';
      },
      paths: ['spec.incidentTemplate.title'],
      update: { incidentTemplateTitle: 'T2' },
    },
    {
      why: 'impact',
      edit: (s) => {
        s.incidentTemplate.impact = 1;
      },
      paths: ['spec.incidentTemplate.impact'],
      update: { incidentTemplateImpact: 1 },
    },
    {
      why: 'summary removed',
      edit: (s) => {
        delete s.incidentTemplate.summary;
      },
      paths: ['spec.incidentTemplate.summary'],
      update: { incidentTemplateSummary: '' },
    },
    {
      why: 'dedupe string',
      edit: (s) => {
        s.incidentTemplate.dedupeString = 'x';
      },
      paths: ['spec.incidentTemplate.dedupeString'],
      update: { incidentTemplateDedupeString: 'x' },
    },
    {
      why: 'incident tags removed → {} (TagMapUpdate clears)',
      edit: (s) => {
        delete s.incidentTemplate.incidentTags;
      },
      paths: ['spec.incidentTemplate.incidentTags'],
      update: { incidentTemplateTags: {} },
    },
    {
      why: 'notification targets: one removed',
      edit: (s) => {
        s.incidentTemplate.notificationTargets = [TOPIC_A];
      },
      paths: ['spec.incidentTemplate.notificationTargets'],
      update: { incidentTemplateNotificationTargets: [{ snsTopicArn: TOPIC_A }] },
    },
    {
      why: 'notification targets removed → []',
      edit: (s) => {
        delete s.incidentTemplate.notificationTargets;
      },
      paths: ['spec.incidentTemplate.notificationTargets'],
      update: { incidentTemplateNotificationTargets: [] },
    },
    {
      why: 'chat channel removed → the empty variant, not an empty list',
      edit: (s) => {
        delete s.chatChannel;
      },
      paths: ['spec.chatChannel'],
      update: { chatChannel: { empty: {} } },
    },
    {
      why: 'chat channel topics changed',
      edit: (s) => {
        s.chatChannel = { snsTopicArns: [TOPIC_A] };
      },
      paths: ['spec.chatChannel'],
      update: { chatChannel: { chatbotSns: [TOPIC_A] } },
    },
    {
      why: 'engagements: one removed',
      edit: (s) => {
        s.engagements = (s.engagements ?? []).slice(1);
      },
      paths: ['spec.engagements'],
      update: { engagements: [CONTACT, SHARED] },
    },
    {
      why: 'engagements reordered only → nothing',
      edit: (s) => {
        s.engagements = [...(s.engagements ?? [])].reverse();
      },
      paths: [],
    },
    {
      why: 'runbook role: the whole action (the API replaces it), target account explicit',
      edit: (s) => {
        if (s.runbook) s.runbook.roleArn = `arn:aws:iam::${ACCT}:role/Other`;
      },
      paths: ['spec.runbook.roleArn'],
      update: {
        actions: [
          {
            ssmAutomation: {
              roleArn: `arn:aws:iam::${ACCT}:role/Other`,
              documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
              documentVersion: '1',
              targetAccount: 'IMPACTED_ACCOUNT',
              parameters: { AutomationAssumeRole: ['r1', 'r0'], Z: ['z'] },
              dynamicParameters: {
                IncidentArn: { variable: 'INCIDENT_RECORD_ARN' },
                Resources: { variable: 'INVOLVED_RESOURCES' },
              },
            },
          },
        ],
      },
    },
    {
      why: 'runbook static parameter value order matters',
      edit: (s) => {
        if (s.runbook?.parameters) s.runbook.parameters.AutomationAssumeRole = ['r0', 'r1'];
      },
      paths: ['spec.runbook.parameters'],
    },
    {
      why: 'runbook removed → actions []',
      edit: (s) => {
        delete s.runbook;
      },
      paths: ['spec.runbook'],
      update: { actions: [] },
    },
    {
      why: 'PagerDuty service',
      edit: (s) => {
        if (s.pagerDuty) s.pagerDuty.serviceId = 'PX2';
      },
      paths: ['spec.pagerDuty.serviceId'],
      update: {
        integrations: [
          {
            pagerDutyConfiguration: {
              name: 'pd',
              secretId: 'pagerduty/payments',
              pagerDutyIncidentConfiguration: { serviceId: 'PX2' },
            },
          },
        ],
      },
    },
    {
      why: 'PagerDuty removed → integrations []',
      edit: (s) => {
        delete s.pagerDuty;
      },
      paths: ['spec.pagerDuty'],
      update: { integrations: [] },
    },
    {
      why: 'incident tags changed → the whole map',
      edit: (s) => {
        s.incidentTemplate.incidentTags = { team: 'payments', service: 'ledger' };
      },
      paths: ['spec.incidentTemplate.incidentTags'],
      update: { incidentTemplateTags: { service: 'ledger', team: 'payments' } },
    },
    {
      why: 'notification targets reordered only → nothing',
      edit: (s) => {
        s.incidentTemplate.notificationTargets?.reverse();
      },
      paths: [],
    },
    {
      why: 'engagements: one added → the whole sorted set',
      edit: (s) => {
        s.engagements = [...(s.engagements ?? []), { contactArn: OTHER }];
      },
      paths: ['spec.engagements'],
      update: { engagements: [CONTACT, ESC, OTHER, SHARED].sort() },
    },
    {
      why: 'runbook document version removed → the action without it',
      edit: (s) => {
        if (s.runbook) delete s.runbook.documentVersion;
      },
      paths: ['spec.runbook.documentVersion'],
      update: {
        actions: [
          {
            ssmAutomation: {
              roleArn: ROLE,
              documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
              targetAccount: 'IMPACTED_ACCOUNT',
              parameters: { AutomationAssumeRole: ['r1', 'r0'], Z: ['z'] },
              dynamicParameters: {
                IncidentArn: { variable: 'INCIDENT_RECORD_ARN' },
                Resources: { variable: 'INVOLVED_RESOURCES' },
              },
            },
          },
        ],
      },
    },
    {
      why: 'runbook parameters, dynamic parameters and target account removed → the owner account sent explicitly',
      edit: (s) => {
        if (!s.runbook) return;
        s.runbook.parameters = { AutomationAssumeRole: ['r2'] };
        s.runbook.dynamicParameters = { IncidentArn: 'IncidentRecordARN' };
        delete s.runbook.targetAccount;
      },
      paths: ['spec.runbook.targetAccount', 'spec.runbook.parameters', 'spec.runbook.dynamicParameters'],
      update: {
        actions: [
          {
            ssmAutomation: {
              roleArn: ROLE,
              documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
              documentVersion: '1',
              targetAccount: 'RESPONSE_PLAN_OWNER_ACCOUNT',
              parameters: { AutomationAssumeRole: ['r2'] },
              dynamicParameters: { IncidentArn: { variable: 'INCIDENT_RECORD_ARN' } },
            },
          },
        ],
      },
    },
    {
      why: 'a tag value changed → TagResource with that tag only',
      edit: (s) => {
        s.tags = { team: 'payments', env: 'staging' };
      },
      paths: ['spec.tags'],
      tag: { env: 'staging' },
    },
    {
      why: 'a tag removed → UntagResource with that key only',
      edit: (s) => {
        s.tags = { team: 'payments' };
      },
      paths: ['spec.tags'],
      untag: ['env'],
    },
    {
      why: 'tags: one changed, one removed, one added → Tag + Untag, no UpdateResponsePlan',
      edit: (s) => {
        s.tags = { team: 'core', owner: 'me' };
      },
      paths: ['spec.tags'],
      tag: { owner: 'me', team: 'core' },
      untag: ['env'],
    },
  ];
  for (const c of changes)
    it(c.why, () => {
      const after = structuredClone(before);
      c.edit(after.spec);
      const desired = toDesired(after, resolve(after));
      const observed = readBack(before, fullRefs);
      const d = diff(desired, observed);
      expect(d.map((x) => x.path)).toEqual(c.paths);
      const p = planUpdate(d, desired, observed);
      if (c.update) expect(p.update).toEqual(c.update);
      else if (!c.paths.length || c.paths[0] === 'spec.tags') expect(p.update).toBeUndefined();
      expect(p.tag).toEqual(c.tag);
      expect(p.untag).toEqual(c.untag);
    });

  it('name is immutable', () => {
    const d = diff(toDesired(plan({ name: 'other' }), new Map()), readBack(plan(), new Map()));
    expect(d).toEqual([{ path: 'spec.name', desired: 'other', observed: 'payments', updatable: false }]);
  });

  it('an AWS-side runbook when the spec has none is removed whole', () => {
    const observed = readBack(full(), fullRefs);
    const desired = toDesired(plan(), new Map());
    const d = diff(desired, observed);
    expect(d.map((x) => x.path)).toContain('spec.runbook');
    expect(planUpdate(d, desired, observed).update?.actions).toEqual([]);
  });
});

describe('ResponsePlan validate', () => {
  it('accepts the full plan', () => {
    expect(validate(full(), ACCT)).toEqual([]);
  });
  it('names an engagement ARN that is not a contact ARN', () => {
    const mr = plan({ engagements: [{ contactArn: `arn:aws:ssm-contacts:eu-west-1:${ACCT}:rotation/r1` }] });
    expect(validate(mr, undefined).map((e) => [e.path, e.rule])).toEqual([
      ['spec.engagements[0].contactArn', 'EngagementArn'],
    ]);
  });
  it("names SNS topics outside the plan's account", () => {
    const other = 'arn:aws:sns:eu-west-1:999999999999:x';
    const mr = plan({
      chatChannel: { snsTopicArns: [TOPIC_A, other] },
      incidentTemplate: { title: 't', impact: 1, notificationTargets: [other] },
    });
    expect(validate(mr, ACCT).map((e) => e.path)).toEqual([
      'spec.chatChannel.snsTopicArns[1]',
      'spec.incidentTemplate.notificationTargets[0]',
    ]);
    expect(validate(mr, undefined)).toEqual([]);
  });
  it('reserves room and keys for the identity tags', () => {
    const many = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v']));
    expect(validate(plan({ tags: many }), undefined).map((e) => e.rule)).toEqual(['TagCount']);
    expect(
      validate(plan({ tags: { 'incidentmanager.gitops.dev/uid': 'x' } }), undefined).map((e) => e.rule),
    ).toEqual(['ReservedTagKey']);
  });
  it('runbook parameter names and values within the API limits', () => {
    const mr = plan({
      runbook: {
        documentName: 'Doc',
        roleArn: ROLE,
        parameters: { ['n'.repeat(51)]: ['v'], ok: ['x'.repeat(513)] },
      },
    });
    expect(validate(mr, undefined).map((e) => e.path)).toEqual([
      `spec.runbook.parameters.${'n'.repeat(51)}`,
      'spec.runbook.parameters.ok[0]',
    ]);
  });
});
