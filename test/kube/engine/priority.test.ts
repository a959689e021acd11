// After a restart (or a leader change) the controller re-checks every object it finds, but objects
// that were already Ready for their generation wait behind new and edited ones (issue 13 item 16):
// one worker, six settled contacts, one contact created while no controller ran and one edited then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../src/emulators/aws/observe.ts';
import { isReady, type KubeObject, type Operator, startOperator } from '../../support/operator.ts';

const NS = 'priority-test';
const API = 'incidentmanager.gitops.dev/v1alpha1';
const SETTLED = ['a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6'];
let op: Operator;

const contact = (name: string, displayName = `On call ${name}`): KubeObject => ({
  apiVersion: API,
  kind: 'Contact',
  metadata: { name, namespace: NS },
  spec: { alias: name, displayName, type: 'Personal' },
});

/** The contact alias a call is about (ARNs end in contact/<alias>), if any. */
function aliasOf(c: CallRecord): string | undefined {
  const input = c.input as Record<string, unknown>;
  const arn = input.ContactId ?? input.ResourceARN ?? input.ContactArn;
  if (typeof arn === 'string') return arn.split('/').pop();
  return typeof input.Alias === 'string' ? input.Alias : undefined;
}

beforeAll(async () => {
  op = await startOperator({ namespace: NS, workers: 1 });
  await op.onboard();
  for (const n of SETTLED) await op.apply(contact(n));
  await op.apply(contact('b-edited'));
  for (const n of [...SETTLED, 'b-edited']) await op.waitFor('Contact', n, isReady);
});

afterAll(async () => {
  await op?.stop();
});

describe('work order after a restart', () => {
  it('creates the new contact and applies the edit before re-checking the settled ones', async () => {
    await op.stack.stopController();
    // Names sort after the settled ones: without priorities they would be visited last.
    await op.apply(contact('z-new'));
    await op.apply(contact('b-edited', 'Edited while the controller was down'));
    const log = op.stack.aws.admin.log;
    const mark = log.calls().length;
    await op.stack.startController();
    await op.waitFor('Contact', 'z-new', isReady);
    await op.waitFor('Contact', 'b-edited', (o) => isReady(o) && o?.status?.observedGeneration === 2);
    for (const n of SETTLED) await op.waitFor('Contact', n, isReady);

    const calls = log.calls().slice(mark);
    const firstSettled = calls.findIndex((c) => SETTLED.includes(aliasOf(c) ?? ''));
    const create = calls.findIndex((c) => c.operation === 'CreateContact' && aliasOf(c) === 'z-new');
    const update = calls.findIndex((c) => c.operation === 'UpdateContact' && aliasOf(c) === 'b-edited');
    expect(create).toBeGreaterThanOrEqual(0);
    expect(update).toBeGreaterThanOrEqual(0);
    expect(firstSettled).toBeGreaterThan(create);
    expect(firstSettled).toBeGreaterThan(update);
    // The settled ones were still re-checked, with reads only.
    const settledWrites = calls.filter(
      (c) => SETTLED.includes(aliasOf(c) ?? '') && !/^(Get|List|Describe)/.test(c.operation),
    );
    expect(settledWrites).toEqual([]);
  });
});
