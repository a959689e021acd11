import type { GetContactCommand, SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import { describe, expect, it } from 'vitest';
import {
  channelTarget,
  contactTarget,
  diffStages,
  type PlanStage,
  stagesFromAws,
  stagesToAws,
  stageTargetArns,
} from '../../../../src/controllers/shared/contact-plan.ts';
import {
  diffTags,
  tagDelta,
  tagsFromAws,
  tagsToAws,
} from '../../../../src/controllers/shared/contacts-tags.ts';
import {
  describeTarget,
  resolvedTargetArn,
  targetObjectKey,
  targetReadable,
  targetReference,
} from '../../../../src/controllers/shared/targets.ts';
import { ClassifiedError } from '../../../../src/engine/contract.ts';
import { identityTags } from '../../../../src/engine/identity.ts';

const A = 'arn:aws:ssm-contacts:eu-west-1:111122223333:contact/a';
const B = 'arn:aws:ssm-contacts:eu-west-1:111122223333:contact/b';
const CH = 'arn:aws:ssm-contacts:eu-west-1:111122223333:contact-channel/a/1';

describe('contact plan mapping', () => {
  it('round-trips contact and channel targets through the AWS shape', () => {
    const stages: PlanStage[] = [
      { durationInMinutes: 5, targets: [contactTarget(A, true), contactTarget(B)] },
      { durationInMinutes: 0, targets: [channelTarget(CH, 3), channelTarget(CH)] },
    ];
    const aws = stagesToAws(stages);
    expect(aws[0]?.Targets?.[0]).toEqual({ ContactTargetInfo: { ContactId: A, IsEssential: true } });
    expect(aws[1]?.Targets?.[1]).toEqual({ ChannelTargetInfo: { ContactChannelId: CH } });
    expect(stagesFromAws(aws)).toEqual(stages);
    expect(diffStages(stages, stagesFromAws(aws))).toEqual([]);
    expect(stageTargetArns(stages)).toEqual([
      [A, B],
      [CH, CH],
    ]);
  });

  it('reads an absent IsEssential as false and absent stages as none', () => {
    expect(
      stagesFromAws([{ DurationInMinutes: 1, Targets: [{ ContactTargetInfo: { ContactId: A } as never }] }]),
    ).toEqual([{ durationInMinutes: 1, targets: [contactTarget(A, false)] }]);
    expect(stagesFromAws(undefined)).toEqual([]);
  });
});

describe('diffStages', () => {
  const base: PlanStage[] = [
    { durationInMinutes: 10, targets: [contactTarget(A, true), contactTarget(B)] },
    { durationInMinutes: 0, targets: [contactTarget(B, true)] },
  ];

  it('ignores the order of targets within a stage (they are engaged together)', () => {
    const swapped: PlanStage[] = [
      { ...base[0]!, targets: [contactTarget(B), contactTarget(A, true)] },
      base[1]!,
    ];
    expect(diffStages(base, swapped)).toEqual([]);
  });

  it('reports a changed duration at its stage path', () => {
    const o = structuredClone(base);
    o[1]!.durationInMinutes = 5;
    expect(diffStages(base, o).map((d) => d.path)).toEqual(['spec.stages[1].durationInMinutes']);
  });

  it('reports a changed essential flag at the desired target index', () => {
    const o: PlanStage[] = [
      { ...base[0]!, targets: [contactTarget(B, true), contactTarget(A, true)] },
      base[1]!,
    ];
    const d = diffStages(base, o);
    expect(d).toEqual([
      { path: 'spec.stages[0].targets[1].isEssential', desired: false, observed: true, updatable: true },
    ]);
  });

  it('reports a different set of targets as the stage targets', () => {
    const o: PlanStage[] = [{ ...base[0]!, targets: [contactTarget(A, true)] }, base[1]!];
    expect(diffStages(base, o).map((d) => d.path)).toEqual(['spec.stages[0].targets']);
  });

  it('reports added and removed stages, and swapped stages, under a custom prefix', () => {
    expect(diffStages(base, base.slice(0, 1), 'spec.engagementPlan.stages').map((d) => d.path)).toEqual([
      'spec.engagementPlan.stages[1]',
    ]);
    expect(diffStages(base.slice(0, 1), base).map((d) => d.path)).toEqual(['spec.stages[1]']);
    expect(diffStages(base, [base[1]!, base[0]!]).map((d) => d.path)).toEqual([
      'spec.stages[0].durationInMinutes',
      'spec.stages[0].targets',
      'spec.stages[1].durationInMinutes',
      'spec.stages[1].targets',
    ]);
  });

  it('compares channel retry intervals, absent being different from 0', () => {
    const d: PlanStage[] = [{ durationInMinutes: 0, targets: [channelTarget(CH, 0)] }];
    const o: PlanStage[] = [{ durationInMinutes: 0, targets: [channelTarget(CH)] }];
    expect(diffStages(d, o).map((x) => x.path)).toEqual(['spec.stages[0].targets[0].retryIntervalInMinutes']);
  });
});

describe('ssm-contacts tags', () => {
  const mr = { kind: 'EscalationPlan', metadata: { name: 'p', namespace: 'ns', uid: 'u-1' } };

  it('maps between the map and the AWS list, sorted by key', () => {
    expect(tagsToAws({ b: '2', a: '1' })).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ]);
    expect(tagsFromAws([{ Key: 'a', Value: '1' }])).toEqual({ a: '1' });
  });

  it('diffs per key and leaves identity tags out of the diff and the delta', () => {
    const observed = { ...identityTags(mr), team: 'x', old: 'y' };
    const desired = { team: 'z', extra: 'w' };
    expect(diffTags(desired, observed).map((d) => d.path)).toEqual([
      'spec.tags.extra',
      'spec.tags.old',
      'spec.tags.team',
    ]);
    expect(tagDelta(desired, observed)).toEqual({ set: { team: 'z', extra: 'w' }, remove: ['old'] });
    expect(diffTags({ team: 'x' }, { ...identityTags(mr), team: 'x' })).toEqual([]);
  });
});

describe('ref-or-ARN targets', () => {
  it('declares the one reference field and reads its resolved ARN back', () => {
    const t = { escalationPlanRef: { name: 'other' } };
    const f = targetReference(t, 'spec.stages[0].targets[1]');
    expect(f).toEqual({
      path: 'spec.stages[0].targets[1].escalationPlanRef',
      ref: { kind: 'EscalationPlan', name: 'other' },
    });
    expect(targetObjectKey(t, 'ns')).toBe('EscalationPlan/ns/other');
    expect(describeTarget(t, 'ns')).toBe('EscalationPlan ns/other');
    const refs = new Map([['spec.stages[0].targets[1].escalationPlanRef', A]]);
    expect(resolvedTargetArn(t, 'spec.stages[0].targets[1]', refs)).toBe(A);
    expect(() => resolvedTargetArn(t, 'spec.stages[0].targets[0]', refs)).toThrow(/not resolved/);
  });

  it('passes a raw ARN through', () => {
    expect(targetReference({ contactArn: B }, 'spec.engagements[0]')).toEqual({
      path: 'spec.engagements[0].contactArn',
      arn: B,
    });
    expect(targetObjectKey({ contactArn: B }, 'ns')).toBeUndefined();
  });
});

describe('targetReadable', () => {
  /** A client set whose ssm-contacts clients record where each GetContact went. */
  const recording = (answer: (region: string) => Promise<unknown>) => {
    const asked: string[] = [];
    const client = (region: string) =>
      ({
        send: (c: GetContactCommand) => {
          asked.push(`${region} ${c.input.ContactId}`);
          return answer(region);
        },
      }) as unknown as SSMContactsClient;
    return { asked, clients: { contacts: client('home'), contactsIn: client } };
  };
  const foreign = 'arn:aws:ssm-contacts:us-west-2:111111111111:contact/payments-escalation';

  it("asks in the ARN's Region, the owner's contacts Region, not this account's", async () => {
    const r = recording(async () => ({}));
    expect(await targetReadable(r.clients, foreign)).toBe(true);
    expect(r.asked).toEqual([`us-west-2 ${foreign}`]);
  });

  it('is unreadable when AWS denies or does not know it there; other errors are thrown', async () => {
    for (const errorClass of ['AccessDenied', 'NotFound'] as const) {
      const r = recording(async () => {
        throw new ClassifiedError(errorClass, 'GetContact: no');
      });
      expect(await targetReadable(r.clients, foreign)).toBe(false);
    }
    const r = recording(async () => {
      throw new ClassifiedError('Throttled', 'GetContact: slow down');
    });
    await expect(targetReadable(r.clients, foreign)).rejects.toThrow('slow down');
  });
});
