// imctl import's reverse mappings, held to the kinds' own toDesired and diff: a spec made from what
// AWS has, read back through the kind, differs from it in nothing. And the names it chooses.
import { describe, expect, it } from 'vitest';
import { AccountResolver } from '../../../src/aws/accounts.ts';
import type { ContactState } from '../../../src/controllers/contact/mapping.ts';
import type { EscalationPlanState } from '../../../src/controllers/escalation-plan/mapping.ts';
import type { Canonical } from '../../../src/controllers/replication-set/mapping.ts';
import type { PlanState } from '../../../src/controllers/response-plan/mapping.ts';
import type { RotationState } from '../../../src/controllers/rotation/mapping.ts';
import { API_VERSION } from '../../../src/crds/common.ts';
import type { ManagedObject } from '../../../src/engine/contract.ts';
import { contactSpec } from '../../../src/import/contact.ts';
import { escalationPlanSpec } from '../../../src/import/escalation-plan.ts';
import { kubeName, RefTable } from '../../../src/import/refs.ts';
import { wrap } from '../../../src/import/render.ts';
import { replicationSetSpec } from '../../../src/import/replication-set.ts';
import { responsePlanSpec } from '../../../src/import/response-plan.ts';
import { rotationSpec } from '../../../src/import/rotation.ts';
import { kindOps } from '../../../src/plan/kinds.ts';

const NOW = Date.UTC(2026, 11, 5);
const C = (alias: string) => `arn:aws:ssm-contacts:eu-west-1:111122223333:contact/${alias}`;
const ROT = 'arn:aws:ssm-contacts:eu-west-1:111122223333:rotation/r-1';
const refs = new RefTable();
refs.add(C('alice'), 'Contact', 'alice');
refs.add(C('bob'), 'Contact', 'bob');
refs.add(C('esc'), 'EscalationPlan', 'esc');
refs.add(ROT, 'Rotation', 'Follow the Sun');
const arnOfName = new Map([
  ['Contact/alice', C('alice')],
  ['Contact/bob', C('bob')],
  ['EscalationPlan/esc', C('esc')],
  ['Rotation/follow-the-sun', ROT],
]);

const ops = kindOps({
  accounts: new AccountResolver({ defaultRegion: 'eu-west-1' }),
  lookup: () => undefined,
  list: () => [],
  defaultRegion: 'eu-west-1',
  clock: { now: () => NOW, setTimeout: () => ({}) as never, clearTimeout: () => {} } as never,
});

/** The kind's diff between the observed state and the desired state of the imported spec. */
function roundTrip(kind: string, spec: unknown, observed: unknown) {
  const k = ops.get(kind);
  if (!k) throw new Error(kind);
  const mr = {
    apiVersion: API_VERSION,
    kind,
    metadata: { name: 'x', namespace: 'default', uid: 'u' },
    spec,
  } as ManagedObject;
  const resolved = new Map<string, string>();
  for (const f of k.references(mr))
    if (f.ref && !f.indexOnly) resolved.set(f.path, arnOfName.get(`${f.ref.kind}/${f.ref.name}`) ?? '');
    else if (f.arn) resolved.set(f.path, f.arn);
  return k.diff(k.toDesired(mr, resolved), observed);
}

describe('reverse mappings agree with the kinds', () => {
  it('Contact (personal): channels by name, plan by channel name, activation as a comment', () => {
    const observed: ContactState = {
      arn: C('alice'),
      alias: 'alice',
      type: 'PERSONAL',
      displayName: 'Alice',
      tags: { team: 'payments' },
      channels: [
        { name: 'sms', type: 'SMS', address: '+353855550101', arn: 'ch-sms', activationStatus: 'ACTIVATED' },
        {
          name: 'email',
          type: 'EMAIL',
          address: 'a@example.com',
          arn: 'ch-email',
          activationStatus: 'NOT_ACTIVATED',
        },
      ],
      stages: [
        { durationInMinutes: 5, targets: [{ type: 'channel', arn: 'ch-sms', retryIntervalInMinutes: 2 }] },
        { durationInMinutes: 0, targets: [{ type: 'channel', arn: 'ch-email' }] },
      ],
      rotationIds: [],
    };
    const out = contactSpec(observed, refs);
    expect(roundTrip('Contact', out.spec, observed)).toEqual([]);
    expect(out.comments.map((c) => [c.path.join('.'), c.text.split(' (')[0]])).toEqual([
      ['spec.channels.0', 'activation: NotActivated'],
      ['spec.channels.1', 'activation: Activated'],
    ]);
  });

  it('Contact (on-call schedule): rotations as references', () => {
    const observed: ContactState = {
      alias: 'primary',
      type: 'ONCALL_SCHEDULE',
      displayName: '',
      tags: {},
      channels: [],
      stages: [],
      rotationIds: [ROT],
    };
    const out = contactSpec(observed, refs);
    expect(out.spec.rotations).toEqual([{ rotationRef: { name: 'follow-the-sun' } }]);
    expect(roundTrip('Contact', out.spec, observed)).toEqual([]);
  });

  it('EscalationPlan: contacts, plans and foreign ARNs', () => {
    const foreign = 'arn:aws:ssm-contacts:eu-west-1:444455556666:contact/shared';
    const observed: EscalationPlanState = {
      alias: 'esc',
      displayName: undefined,
      stages: [
        { durationInMinutes: 10, targets: [{ type: 'contact', arn: C('alice'), isEssential: true }] },
        {
          durationInMinutes: 0,
          targets: [
            { type: 'contact', arn: C('bob'), isEssential: false },
            { type: 'contact', arn: foreign, isEssential: false },
          ],
        },
      ],
      tags: {},
    };
    const out = escalationPlanSpec(observed, refs);
    expect(out.spec.stages[1]?.targets).toEqual([{ contactRef: { name: 'bob' } }, { contactArn: foreign }]);
    expect(roundTrip('EscalationPlan', out.spec, observed)).toEqual([]);
  });

  it('Rotation: members, recurrence and upcoming overrides', () => {
    const observed: RotationState = {
      arn: ROT,
      name: 'Follow the Sun',
      contactIds: [C('alice'), C('bob')],
      startTime: '2026-12-07T07:00:00.000Z',
      timeZoneId: 'Europe/Dublin',
      recurrence: {
        numberOfOnCalls: 1,
        recurrenceMultiplier: 1,
        weekly: [{ day: 'MON', time: '07:00' }],
        coverage: { MON: [{ start: '07:00', end: '15:00' }] },
      },
      tags: { team: 'payments' },
      overrides: [
        {
          id: 'o1',
          start: '2026-12-24T07:00:00.000Z',
          end: '2026-12-24T15:00:00.000Z',
          contactIds: [C('bob')],
        },
      ],
      asOf: NOW,
    };
    const out = rotationSpec(observed, refs);
    expect(out.spec.overrides?.[0]?.newContacts).toEqual([{ contactRef: { name: 'bob' } }]);
    expect(roundTrip('Rotation', out.spec, observed)).toEqual([]);
  });

  it('ResponsePlan: engagements by reference, empty values left out', () => {
    const observed: PlanState = {
      name: 'outage',
      displayName: '',
      title: 'Outage',
      impact: 2,
      summary: '',
      dedupeString: 'd',
      incidentTags: {},
      notificationTargets: ['arn:aws:sns:eu-west-1:111122223333:t'],
      chatChannel: null,
      engagements: [C('alice'), C('esc')],
      runbook: {
        documentName: 'AWSIncidents-CriticalIncidentRunbookTemplate',
        documentVersion: '',
        roleArn: 'arn:aws:iam::111122223333:role/r',
        targetAccount: 'ImpactedAccount',
        parameters: { Env: ['prod'] },
        dynamicParameters: {},
      },
      pagerDuty: null,
      tags: {},
    };
    const out = responsePlanSpec(observed, refs);
    expect(out.spec.engagements).toEqual([
      { contactRef: { name: 'alice' } },
      { escalationPlanRef: { name: 'esc' } },
    ]);
    expect(out.spec).not.toHaveProperty('chatChannel');
    expect(roundTrip('ResponsePlan', out.spec, observed)).toEqual([]);
  });

  it('ReplicationSet: home Region first, AWS owned key left out', () => {
    const observed: Canonical = {
      regions: [
        { name: 'eu-west-1', sseKmsKeyId: 'DefaultKey' },
        { name: 'us-east-1', sseKmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k' },
      ],
      deletionProtected: true,
      tags: { team: 'payments' },
      owner: {},
    };
    const out = replicationSetSpec(observed, 'us-east-1');
    expect(out.spec.regions).toEqual([
      { name: 'us-east-1', sseKmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k' },
      { name: 'eu-west-1' },
    ]);
    // No uid: the ownership tags (the controller's, written at create) are not part of the spec.
    expect(roundTrip('ReplicationSet', out.spec, observed).filter((d) => !d.path.includes('gitops'))).toEqual(
      [],
    );
  });
});

describe('names', () => {
  it('turns AWS names into object names, numbering clashes in ARN order', () => {
    expect(kubeName('Payments EMEA business hours', 'x')).toBe('payments-emea-business-hours');
    expect(kubeName('service_1-outage', 'x')).toBe('service-1-outage');
    expect(kubeName('___', 'rotation')).toBe('rotation');
    const t = new RefTable();
    expect([
      t.add('a', 'Rotation', 'On Call'),
      t.add('b', 'Rotation', 'on-call'),
      t.add('c', 'Contact', 'on-call'),
    ]).toEqual(['on-call', 'on-call-2', 'on-call']);
  });

  it('wraps comments without breaking words', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
  });
});
