import { describe, expect, it } from 'vitest';
import { diff, planUpdate } from '../../../../src/controllers/escalation-plan/diff.ts';
import {
  createInput,
  fromAws,
  observedStatus,
  references,
  toDesired,
  updateInput,
} from '../../../../src/controllers/escalation-plan/mapping.ts';
import { findCycle, type PlanGraph, validate } from '../../../../src/controllers/escalation-plan/validate.ts';
import type { EscalationPlan, EscalationPlanSpec } from '../../../../src/crds/escalation-plan.ts';
import { keyOf } from '../../../../src/engine/contract.ts';
import { identityTags } from '../../../../src/engine/identity.ts';

const ACCT = '111122223333';
const arn = (alias: string, acct = ACCT) => `arn:aws:ssm-contacts:eu-west-1:${acct}:contact/${alias}`;

function plan(name: string, spec: Partial<EscalationPlanSpec> = {}, ns = 'team'): EscalationPlan {
  return {
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'EscalationPlan',
    metadata: { name, namespace: ns, uid: `uid-${name}` },
    spec: {
      alias: name,
      stages: [{ durationInMinutes: 5, targets: [{ contactArn: arn('someone') }] }],
      ...spec,
    },
  };
}

const full = plan('payments', {
  displayName: 'Payments escalation',
  stages: [
    {
      durationInMinutes: 10,
      targets: [{ contactRef: { name: 'primary' }, isEssential: true }, { contactArn: arn('bob') }],
    },
    {
      durationInMinutes: 0,
      targets: [{ escalationPlanRef: { name: 'backstop', namespace: 'ops' } }],
    },
  ],
  tags: { team: 'payments' },
});
const refs = new Map([
  ['spec.stages[0].targets[0].contactRef', arn('primary')],
  ['spec.stages[0].targets[1].contactArn', arn('bob')],
  ['spec.stages[1].targets[0].escalationPlanRef', arn('backstop')],
]);

describe('EscalationPlan mapping', () => {
  it('declares one reference per target, in spec paths', () => {
    expect(references(full)).toEqual([
      { path: 'spec.stages[0].targets[0].contactRef', ref: { kind: 'Contact', name: 'primary' } },
      { path: 'spec.stages[0].targets[1].contactArn', arn: arn('bob') },
      {
        path: 'spec.stages[1].targets[0].escalationPlanRef',
        ref: { kind: 'EscalationPlan', name: 'backstop', namespace: 'ops' },
      },
    ]);
  });

  it('round-trips every field: spec → CreateContact → GetContact → no diff', () => {
    const desired = toDesired(full, refs);
    const identity = identityTags({ ...full, metadata: { ...full.metadata, uid: 'uid-payments' } });
    const input = createInput(desired, identity, 'tok');
    expect(input).toMatchObject({
      Alias: 'payments',
      DisplayName: 'Payments escalation',
      Type: 'ESCALATION',
      IdempotencyToken: 'tok',
      Plan: {
        Stages: [
          {
            DurationInMinutes: 10,
            Targets: [
              { ContactTargetInfo: { ContactId: arn('primary'), IsEssential: true } },
              { ContactTargetInfo: { ContactId: arn('bob'), IsEssential: false } },
            ],
          },
          {
            DurationInMinutes: 0,
            Targets: [{ ContactTargetInfo: { ContactId: arn('backstop'), IsEssential: false } }],
          },
        ],
      },
    });
    expect(input.Tags).toContainEqual({ Key: 'team', Value: 'payments' });
    expect(input.Tags).toHaveLength(5);
    const tags = Object.fromEntries((input.Tags ?? []).map((t) => [t.Key, t.Value]));
    const observed = fromAws({ Alias: input.Alias, DisplayName: input.DisplayName, Plan: input.Plan }, tags);
    expect(diff(desired, observed)).toEqual([]);
    expect(observedStatus(observed)).toEqual({
      stageTargetArns: [[arn('primary'), arn('bob')], [arn('backstop')]],
    });
  });

  it('treats an absent and an empty display name alike, and omits it on create', () => {
    const p = plan('quiet', { displayName: '' });
    const desired = toDesired(p, new Map([['spec.stages[0].targets[0].contactArn', arn('someone')]]));
    expect(createInput(desired, {}, 't')).not.toHaveProperty('DisplayName');
    expect(createInput(desired, {}, 't')).not.toHaveProperty('Tags');
    expect(diff(desired, { ...desired, displayName: undefined })).toEqual([]);
  });
});

describe('EscalationPlan diff and update plan', () => {
  const desired = toDesired(full, refs);

  it('a display-name change is one UpdateContact carrying only DisplayName', () => {
    const observed = { ...desired, displayName: 'Old' };
    const d = diff(desired, observed);
    expect(d.map((x) => x.path)).toEqual(['spec.displayName']);
    const p = planUpdate(d, desired, observed);
    expect(updateInput('ARN', desired, p.contact)).toEqual({
      ContactId: 'ARN',
      DisplayName: 'Payments escalation',
    });
    expect(p.tags).toEqual({ set: {}, remove: [] });
  });

  it('removing the display name clears it with an empty string', () => {
    const d2 = { ...desired, displayName: undefined };
    const p = planUpdate(diff(d2, desired), d2, desired);
    expect(updateInput('ARN', d2, p.contact)).toEqual({ ContactId: 'ARN', DisplayName: '' });
  });

  it('a stage change is one UpdateContact carrying only the Plan', () => {
    const observed = structuredClone(desired);
    observed.stages[0]!.durationInMinutes = 3;
    const d = diff(desired, observed);
    expect(d.map((x) => x.path)).toEqual(['spec.stages[0].durationInMinutes']);
    const input = updateInput('ARN', desired, planUpdate(d, desired, observed).contact);
    expect(Object.keys(input ?? {})).toEqual(['ContactId', 'Plan']);
  });

  it('an essential-flag change is a stage change', () => {
    const observed = structuredClone(desired);
    observed.stages[0]!.targets[0] = { type: 'contact', arn: arn('primary'), isEssential: false };
    const d = diff(desired, observed);
    expect(d.map((x) => x.path)).toEqual(['spec.stages[0].targets[0].isEssential']);
    expect(planUpdate(d, desired, observed).contact).toEqual({ displayName: false, stages: true });
  });

  it('tag changes need no UpdateContact, only Tag/UntagResource, and identity tags are left alone', () => {
    const observed = { ...desired, tags: { team: 'old', stale: 'x', 'incidentmanager-gitops-dev/uid': 'u' } };
    const d = diff(desired, observed);
    expect(d.map((x) => x.path)).toEqual(['spec.tags.stale', 'spec.tags.team']);
    const p = planUpdate(d, desired, observed);
    expect(updateInput('ARN', desired, p.contact)).toBeUndefined();
    expect(p.tags).toEqual({ set: { team: 'payments' }, remove: ['stale'] });
  });

  it('a stage added is one UpdateContact with the whole Plan; the same spec again plans nothing', () => {
    const observed = structuredClone(desired);
    observed.stages.pop();
    const d = diff(desired, observed);
    const input = updateInput('ARN', desired, planUpdate(d, desired, observed).contact);
    expect(Object.keys(input ?? {})).toEqual(['ContactId', 'Plan']);
    expect(input?.Plan?.Stages).toHaveLength(desired.stages.length);
    const none = planUpdate(diff(desired, desired), desired, desired);
    expect(updateInput('ARN', desired, none.contact)).toBeUndefined();
    expect(none.tags).toEqual({ set: {}, remove: [] });
  });

  it('a tag added alone is a TagResource of that tag; a key removed alone an UntagResource of that key', () => {
    const added = { ...desired, tags: { ...desired.tags, oncall: 'yes' } };
    expect(planUpdate(diff(added, desired), added, desired).tags).toEqual({
      set: { oncall: 'yes' },
      remove: [],
    });
    const removed = planUpdate(diff(desired, added), desired, added);
    expect(updateInput('ARN', desired, removed.contact)).toBeUndefined();
    expect(removed.tags).toEqual({ set: {}, remove: ['oncall'] });
  });

  it('an alias difference is immutable', () => {
    const d = diff(desired, { ...desired, alias: 'other' });
    expect(d).toEqual([{ path: 'spec.alias', desired: 'payments', observed: 'other', updatable: false }]);
  });
});

function graphOf(plans: EscalationPlan[], arns: Record<string, string> = {}): PlanGraph {
  const byKey = new Map(
    plans.map((p) => [keyOf('EscalationPlan', p.metadata.namespace, p.metadata.name), p]),
  );
  return { plan: (k) => byKey.get(k), keyOfArn: (a) => arns[a] };
}
const refTo = (name: string, ns?: string) => ({
  durationInMinutes: 1,
  targets: [{ escalationPlanRef: { name, ...(ns ? { namespace: ns } : {}) } }],
});

describe('escalation cycles', () => {
  it('rejects a two-plan cycle through refs, naming the chain and the field', () => {
    const a = plan('a', { stages: [refTo('b')] });
    const b = plan('b', {
      stages: [{ durationInMinutes: 0, targets: [{ contactArn: arn('x') }] }, refTo('a')],
    });
    const errs = validate(a, graphOf([a, b]), undefined);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({
      path: 'spec.stages[0].targets[0].escalationPlanRef',
      rule: 'EscalationCycle',
    });
    expect(errs[0]?.message).toContain(
      'EscalationPlan team/a → EscalationPlan team/b → EscalationPlan team/a',
    );
  });

  it('follows refs across namespaces and ARNs of plans it can resolve', () => {
    const a = plan('a', { stages: [refTo('b', 'other')] });
    const b = plan('b', { stages: [{ durationInMinutes: 1, targets: [{ contactArn: arn('c') }] }] }, 'other');
    const c = plan('c', { stages: [refTo('a', 'team')] }, 'other');
    const g = graphOf([a, b, c], { [arn('c')]: keyOf('EscalationPlan', 'other', 'c') });
    expect(findCycle(a, g)?.chain).toEqual([
      'EscalationPlan/team/a',
      'EscalationPlan/other/b',
      'EscalationPlan/other/c',
      'EscalationPlan/team/a',
    ]);
  });

  it('rejects a plan that targets itself by ref or by its own ARN', () => {
    const self = plan('s', { stages: [refTo('s')] });
    expect(findCycle(self, graphOf([self]))?.chain).toEqual([
      'EscalationPlan/team/s',
      'EscalationPlan/team/s',
    ]);
    const byArn = plan('t', { stages: [{ durationInMinutes: 1, targets: [{ contactArn: arn('t') }] }] });
    const g = graphOf([byArn], { [arn('t')]: keyOf('EscalationPlan', 'team', 't') });
    expect(validate(byArn, g, undefined)[0]).toMatchObject({
      path: 'spec.stages[0].targets[0].contactArn',
      rule: 'EscalationCycle',
    });
  });

  it('accepts a plan that only engages a cycle it is not part of, and a diamond', () => {
    const x = plan('x', { stages: [refTo('y')] });
    const y = plan('y', { stages: [refTo('z')] });
    const z = plan('z', { stages: [refTo('y')] });
    expect(findCycle(x, graphOf([x, y, z]))).toBeUndefined();
    expect(findCycle(y, graphOf([x, y, z]))).toBeDefined();
    const top = plan('top', { stages: [refTo('l'), refTo('r')] });
    const l = plan('l', { stages: [refTo('bottom')] });
    const r = plan('r', { stages: [refTo('bottom')] });
    const bottom = plan('bottom');
    expect(findCycle(top, graphOf([top, l, r, bottom]))).toBeUndefined();
  });

  it('ignores refs to plans that do not exist (references report those) and unknown ARNs', () => {
    const a = plan('a', {
      stages: [refTo('missing'), { durationInMinutes: 1, targets: [{ contactArn: arn('q') }] }],
    });
    expect(validate(a, graphOf([a]), undefined)).toEqual([]);
  });
});

describe('other EscalationPlan checks', () => {
  it('rejects a target in another account, naming it and the owner account', () => {
    const p = plan('p', {
      stages: [{ durationInMinutes: 1, targets: [{ contactArn: arn('shared', '999988887777') }] }],
    });
    const errs = validate(p, graphOf([p]), ACCT);
    expect(errs).toEqual([
      expect.objectContaining({ path: 'spec.stages[0].targets[0].contactArn', rule: 'SameAccountTarget' }),
    ]);
    expect(errs[0]?.message).toContain('999988887777');
    expect(validate(p, graphOf([p]), undefined)).toEqual([]);
  });

  it('rejects a referenced Contact that lives in another account', () => {
    const p = plan('p', {
      stages: [{ durationInMinutes: 1, targets: [{ contactRef: { name: 'elsewhere' } }] }],
    });
    const g: PlanGraph = {
      ...graphOf([p]),
      arnOfKey: (k) => (k === 'Contact/team/elsewhere' ? arn('elsewhere', '999988887777') : undefined),
    };
    const errs = validate(p, g, ACCT);
    expect(errs).toEqual([
      expect.objectContaining({ path: 'spec.stages[0].targets[0].contactRef', rule: 'SameAccountTarget' }),
    ]);
    expect(errs[0]?.message).toContain('Contact team/elsewhere');
    expect(validate(p, { ...g, arnOfKey: () => undefined }, ACCT)).toEqual([]);
  });

  it('keeps room for the ownership tags and reserves their keys', () => {
    const many = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v']));
    expect(validate(plan('p', { tags: many }), graphOf([]), undefined).map((e) => e.rule)).toEqual([
      'TagQuota',
    ]);
    expect(
      validate(plan('p', { tags: { 'incidentmanager-gitops-dev/uid': 'x' } }), graphOf([]), undefined).map(
        (e) => e.rule,
      ),
    ).toEqual(['ReservedTagKey']);
  });

  it('refuses every reserved tag key, each at its path: the ownership prefixes (both spellings) and aws:', () => {
    const tags = {
      'incidentmanager-gitops-dev/uid': 'x',
      'incidentmanager.gitops.dev/kind': 'y',
      'aws:cloudformation:stack-name': 'z',
      'AWS:Team': 'w',
      team: 'payments',
    };
    const errs = validate(plan('p', { tags }), graphOf([]), undefined);
    expect(errs.map((e) => [e.path, e.rule])).toEqual([
      ['spec.tags.incidentmanager-gitops-dev/uid', 'ReservedTagKey'],
      ['spec.tags.incidentmanager.gitops.dev/kind', 'ReservedTagKey'],
      ['spec.tags.aws:cloudformation:stack-name', 'ReservedTagKey'],
      ['spec.tags.AWS:Team', 'ReservedTagKey'],
    ]);
    expect(errs[2]?.message).toContain('reserved for AWS');
  });
});
