// The RunbookParametersTyped condition from the runbook's dynamic parameters and the document's
// parameter types, and the reader's cache (one DescribeDocument per document version per process).
import type { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import type { ClientSet } from '../../../../src/aws/accounts.ts';
import type { RunbookState } from '../../../../src/controllers/response-plan/mapping.ts';
import {
  RunbookTypesReader,
  runbookCondition,
  UNPINNED_TTL_MS,
} from '../../../../src/controllers/response-plan/runbook-types.ts';
import { ClassifiedError } from '../../../../src/engine/contract.ts';

const runbook = (
  dynamicParameters: RunbookState['dynamicParameters'],
  documentVersion = '1',
): RunbookState => ({
  documentName: 'Payments-Restart',
  documentVersion,
  roleArn: 'arn:aws:iam::111122223333:role/Runbook',
  targetAccount: 'ResponsePlanOwnerAccount',
  parameters: {},
  dynamicParameters,
});
const read = (types: Record<string, string>) => ({ document: 'Payments-Restart', version: '1', types });

describe('runbookCondition', () => {
  it('none without dynamic parameters or without a read', () => {
    expect(runbookCondition(runbook({}), read({}))).toBeUndefined();
    expect(runbookCondition(null, read({}))).toBeUndefined();
    expect(runbookCondition(runbook({ Arn: 'IncidentRecordARN' }), undefined)).toBeUndefined();
  });

  it('True when IncidentRecordARN is bound to a String and InvolvedResources to a StringList', () => {
    const c = runbookCondition(
      runbook({ Arn: 'IncidentRecordARN', Resources: 'InvolvedResources' }),
      read({ Arn: 'String', Resources: 'StringList', Other: 'Integer' }),
    );
    expect(c).toMatchObject({
      type: 'RunbookParametersTyped',
      status: 'True',
      reason: 'RunbookParametersTyped',
    });
    expect(c?.message).toContain('Arn (String), Resources (StringList)');
  });

  it('False naming each parameter bound to the wrong type or missing, with its type and the fix', () => {
    const c = runbookCondition(
      runbook({ Arn: 'IncidentRecordARN', Resources: 'InvolvedResources', Gone: 'InvolvedResources' }),
      read({ Arn: 'StringList', Resources: 'String' }),
    );
    expect(c).toMatchObject({ status: 'False', reason: 'RunbookParameterTypeMismatch' });
    const parts = c?.message.split('; spec.') ?? [];
    expect(parts).toHaveLength(3);
    expect(c?.message).toContain(
      'spec.runbook.dynamicParameters.Resources: InvolvedResources is a list of ARNs and needs a StringList parameter, but Resources of document Payments-Restart (version 1) is a String',
    );
    expect(c?.message).toContain(
      'Change Resources to type StringList in the document, or bind InvolvedResources',
    );
    expect(c?.message).toContain('IncidentRecordARN is one ARN and needs a String parameter, but Arn');
    expect(c?.message).toContain('has no parameter Gone');
  });

  it('Unknown when the types could not be read, saying why', () => {
    const c = runbookCondition(runbook({ R: 'InvolvedResources' }), {
      document: 'Payments-Restart',
      unknown: 'document Payments-Restart was not found in eu-west-1',
    });
    expect(c).toMatchObject({ status: 'Unknown', reason: 'RunbookParameterTypesUnknown' });
    expect(c?.message).toMatch(
      /^The runbook's parameter types could not be checked: document Payments-Restart was not found/,
    );
  });
});

describe('RunbookTypesReader', () => {
  /** A client set whose SSM client answers `answer` and counts DescribeDocument calls. */
  function clientsWith(answer: () => unknown) {
    const calls: unknown[] = [];
    const ssm = {
      send: async (cmd: { input: unknown }) => {
        calls.push(cmd.input);
        const a = answer();
        if (a instanceof Error) throw a;
        return a;
      },
    } as unknown as SSMClient;
    const clients = { account: 'default', region: 'eu-west-1', ssm: async () => ssm } as unknown as ClientSet;
    return { clients, calls };
  }
  const doc = { Document: { DocumentVersion: '1', Parameters: [{ Name: 'R', Type: 'String' }] } };

  it('reads a numbered version once per process; the default version again after the TTL', async () => {
    let now = 0;
    const reader = new RunbookTypesReader(() => now);
    const { clients, calls } = clientsWith(() => doc);
    const pinned = runbook({ R: 'InvolvedResources' }, '1');
    expect(await reader.read(clients, pinned)).toEqual({
      document: 'Payments-Restart',
      version: '1',
      types: { R: 'String' },
    });
    now += 10 * UNPINNED_TTL_MS;
    await reader.read(clients, pinned);
    expect(calls).toEqual([{ Name: 'Payments-Restart', DocumentVersion: '1' }]);
    const unpinned = runbook({ R: 'InvolvedResources' }, '');
    await reader.read(clients, unpinned);
    await reader.read(clients, unpinned);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({ Name: 'Payments-Restart' });
    now += UNPINNED_TTL_MS;
    await reader.read(clients, unpinned);
    expect(calls).toHaveLength(3);
  });

  it('not found and access denied are "could not be checked", never cached', async () => {
    const reader = new RunbookTypesReader(() => 0);
    let error: Error = new ClassifiedError('InvalidSpec', 'DescribeDocument: gone', {
      rule: 'InvalidDocument',
    });
    const { clients, calls } = clientsWith(() => error);
    const r = runbook({ R: 'InvolvedResources' });
    expect(await reader.read(clients, r)).toEqual({
      document: 'Payments-Restart',
      unknown:
        'document Payments-Restart was not found in eu-west-1 (a document of another account must be shared with this one)',
    });
    error = new ClassifiedError('AccessDenied', 'DescribeDocument: denied');
    expect(await reader.read(clients, r)).toMatchObject({
      unknown: expect.stringContaining('ssm:DescribeDocument was refused'),
    });
    expect(calls).toHaveLength(2);
  });
});
