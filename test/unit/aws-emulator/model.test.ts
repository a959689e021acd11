import { describe, expect, it } from 'vitest';
import { boundCases } from '../../../src/emulators/aws/model/bounds.ts';
import { MODELS } from '../../../src/emulators/aws/model/generated.ts';
import type { ModelTable } from '../../../src/emulators/aws/model/types.ts';
import { summarise, validateInput } from '../../../src/emulators/aws/model/validate.ts';

const incidents = MODELS['ssm-incidents'] as ModelTable;
const contacts = MODELS['ssm-contacts'] as ModelTable;

// That the table matches ../shared/aws-models is checked by `npm run check:aws-model` in .ci/run:
// the models are not part of the repository, and npm test needs nothing outside it.
describe('generated constraint table', () => {
  it('carries protocols, routes and error statuses from the models', () => {
    expect(incidents.protocol).toBe('restJson1');
    expect(contacts.protocol).toBe('awsJson1_1');
    expect(incidents.operations.CreateResponsePlan?.http).toEqual({
      method: 'POST',
      uri: '/createResponsePlan',
      code: 201,
    });
    expect(incidents.errors?.ConflictException).toBe(409);
    expect(MODELS.ram?.operations.DeleteResourceShare?.http?.method).toBe('DELETE');
  });
});

describe('validator', () => {
  it('reports required, length, pattern, range and enum violations with AWS paths and wording', () => {
    const v = validateInput(incidents, 'CreateResponsePlan', {
      name: 'bad name',
      incidentTemplate: { title: 'x'.repeat(201), impact: 6 },
      actions: [{ ssmAutomation: { roleArn: 'r', documentName: 'doc', targetAccount: 'NOPE' } }],
    });
    expect(v.map((x) => `${x.path}:${x.rule}`).sort()).toEqual([
      'actions.1.member.ssmAutomation.roleArn:pattern',
      'actions.1.member.ssmAutomation.targetAccount:enum',
      'incidentTemplate.impact:range',
      'incidentTemplate.title:length',
      'name:pattern',
    ]);
    expect(summarise(v)).toMatch(/^5 validation errors detected: /);
    expect(v.find((x) => x.path === 'incidentTemplate.impact')?.message).toBe(
      "Value '6' at 'incidentTemplate.impact' failed to satisfy constraint: Member must have value less than or equal to 5",
    );
    expect(validateInput(incidents, 'CreateResponsePlan', {})[0]?.message).toBe(
      "Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  });

  it('requires exactly one member of a union', () => {
    const v = validateInput(incidents, 'UpdateReplicationSet', {
      arn: 'arn:aws:ssm-incidents::111111111111:replication-set/x',
      actions: [{ addRegionAction: { regionName: 'a' }, deleteRegionAction: { regionName: 'b' } }],
    });
    expect(v.map((x) => x.rule)).toEqual(['union']);
  });

  it('checks map sizes and tag key patterns', () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const v = validateInput(incidents, 'TagResource', {
      resourceArn: 'arn',
      tags: { ...tags, 'aws:x': 'v' },
    });
    expect(v.map((x) => `${x.path}:${x.rule}`)).toEqual(['tags:length', 'tags.key:pattern']);
  });
});

describe('generated bound cases agree with the validator on sample operations of all three models', () => {
  // Baseline-free check: for each operation, the bound cases built from a minimal valid input
  // must be reported (outside) or not reported (inside) at their path.
  const sample: Record<string, Record<string, unknown>> = {
    'ssm-incidents:CreateResponsePlan': {
      name: 'plan',
      incidentTemplate: { title: 't', impact: 3 },
      tags: { a: 'b' },
    },
    'ssm-contacts:CreateContact': {
      Alias: 'alias',
      Type: 'PERSONAL',
      Plan: { Stages: [] },
      DisplayName: 'Name',
    },
    'ram:CreateResourceShare': { name: 'share', principals: ['111111111111'], resourceArns: ['arn:aws:x'] },
  };
  it.each(Object.entries(sample))('%s', (key, baseline) => {
    const [svc, op] = key.split(':') as [string, string];
    const table = MODELS[svc] as ModelTable;
    expect(validateInput(table, op, baseline)).toEqual([]);
    const cases = boundCases(table, op, baseline);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const hit = validateInput(table, op, c.input).some((v) => v.path === c.path);
      expect(hit, c.description).toBe(!c.valid);
    }
  });
});
