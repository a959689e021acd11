// A ResponsePlan's runbook dynamic parameters against the SSM document's parameter types, end to end
// (kube emulator + AWS emulator + the controller in-process): AWS saves a plan that binds
// InvolvedResources to a String parameter, and the runbook would fail at incident time; the
// controller says so in the RunbookParametersTyped condition (and a Warning Event) while the plan is
// created and Ready. Fixing the binding or the document clears it; a document it cannot read is
// "could not be checked", never Ready=False.
import { CreateDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateContactCommand } from '@aws-sdk/client-ssm-contacts';
import { GetResponsePlanCommand } from '@aws-sdk/client-ssm-incidents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/engine/kube.ts';
import {
  condition,
  isReady,
  type KubeObject,
  type Operator,
  startOperator,
  typeOf,
} from '../../support/operator.ts';

const NS = 'rp-runbook';
const API = 'incidentmanager.gitops.dev/v1alpha1';
const TYPE = 'RunbookParametersTyped';

let op: Operator;
let ssm: SSMClient;
let alice: string;

/** An Automation runbook whose parameters have the given types. */
async function runbookDocument(name: string, types: Record<string, string>): Promise<void> {
  const parameters = Object.entries(types)
    .map(([p, type]) => `  ${p}:\n    type: ${type}`)
    .join('\n');
  await ssm.send(
    new CreateDocumentCommand({
      Name: name,
      DocumentType: 'Automation',
      DocumentFormat: 'YAML',
      Content: `schemaVersion: '0.3'\nparameters:\n${parameters}\nmainSteps:\n  - name: wait\n    action: aws:sleep\n    inputs: { Duration: PT1S }\n`,
    }),
  );
}

function plan(name: string, documentName: string, dynamicParameters: Record<string, string>): KubeObject {
  return {
    apiVersion: API,
    kind: 'ResponsePlan',
    metadata: { name, namespace: NS },
    spec: {
      name,
      incidentTemplate: { title: `${name} down`, impact: 3 },
      engagements: [{ contactArn: alice }],
      runbook: {
        documentName,
        documentVersion: '1',
        roleArn: `arn:aws:iam::${op.stack.account}:role/IncidentManagerRunbookRole`,
        dynamicParameters,
      },
    },
  };
}

/** Waits until the plan's RunbookParametersTyped condition has `reason` for the latest generation. */
async function advice(name: string, reason: string): Promise<KubeObject> {
  const cur = (await op.get('ResponsePlan', name)) as KubeObject | undefined;
  return op.waitFor(
    'ResponsePlan',
    name,
    (o) =>
      condition(o, TYPE)?.reason === reason &&
      isReady(o) &&
      (cur === undefined || (o?.status?.observedGeneration ?? 0) >= (cur.metadata.generation as number)),
  ) as Promise<KubeObject>;
}

let ticks = 0;
/** Wakes the object (a user's annotation change) so the controller visits it again now. */
async function touch(name: string): Promise<void> {
  await op.client.request(
    'PATCH',
    KubeClient.objectPath(typeOf('ResponsePlan'), name, NS),
    { metadata: { annotations: { 'test/tick': String(++ticks) } } },
    'application/merge-patch+json',
  );
}

const describes = (since: number) =>
  op.calls({ service: 'ssm', operation: 'DescribeDocument', since }).length;

beforeAll(async () => {
  op = await startOperator({ namespace: NS, pollMs: 100 });
  await op.onboard();
  ssm = new SSMClient({
    region: op.stack.region,
    endpoint: op.stack.aws.url,
    credentials: { accessKeyId: op.stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'local-emulator' },
  });
  const out = await op.sdk.contacts.send(
    new CreateContactCommand({ Alias: 'alice', Type: 'PERSONAL', Plan: { Stages: [] } }),
  );
  alice = out.ContactArn as string;
  await runbookDocument('Payments-Triage', {
    IncidentRecordArn: 'String',
    Resources: 'String',
    ResourceList: 'StringList',
  });
});

afterAll(async () => {
  ssm?.destroy();
  await op?.stop();
});

describe('ResponsePlan runbook parameter types', () => {
  it('InvolvedResources bound to a String parameter: a warning naming it, the plan created and Ready; the binding fixed clears it', async () => {
    const mark = op.mark();
    await op.apply(
      plan('payments', 'Payments-Triage', {
        IncidentRecordArn: 'IncidentRecordARN',
        Resources: 'InvolvedResources',
      }),
    );
    const warned = await advice('payments', 'RunbookParameterTypeMismatch');
    expect(condition(warned, TYPE)?.status).toBe('False');
    expect(condition(warned, TYPE)?.message).toContain(
      'spec.runbook.dynamicParameters.Resources: InvolvedResources is a list of ARNs and needs a StringList parameter, but Resources of document Payments-Triage (version 1) is a String',
    );
    expect(condition(warned, 'Ready')).toMatchObject({ status: 'True', reason: 'Available' });
    expect(condition(warned, 'Synced')?.status).toBe('True');
    // AWS holds the plan as written (it does not check the types).
    const arn = (warned.metadata.annotations as Record<string, string>)[
      'incidentmanager.gitops.dev/external-arn'
    ];
    const aws = await op.sdk.incidents.send(new GetResponsePlanCommand({ arn }));
    expect(aws.actions?.[0]?.ssmAutomation?.dynamicParameters).toEqual({
      IncidentRecordArn: { variable: 'INCIDENT_RECORD_ARN' },
      Resources: { variable: 'INVOLVED_RESOURCES' },
    });
    const events = await op.events('ResponsePlan', 'payments', NS);
    expect(events.filter((e) => e.reason === 'RunbookParameterTypeMismatch')).toHaveLength(1);

    await op.apply(
      plan('payments', 'Payments-Triage', {
        IncidentRecordArn: 'IncidentRecordARN',
        ResourceList: 'InvolvedResources',
      }),
    );
    const fixed = await advice('payments', 'RunbookParametersTyped');
    expect(condition(fixed, TYPE)).toMatchObject({ status: 'True' });
    expect(condition(fixed, TYPE)?.message).toContain(
      'IncidentRecordArn (String), ResourceList (StringList)',
    );
    // Version 1 of the document was read once, whatever the number of visits.
    expect(describes(mark)).toBe(1);
  });

  it('a document fixed (a corrected document named) clears the warning; a plan without dynamic parameters reads no document', async () => {
    await op.apply(plan('orders', 'Payments-Triage', { Resources: 'InvolvedResources' }));
    await advice('orders', 'RunbookParameterTypeMismatch');
    await runbookDocument('Orders-Triage', { Resources: 'StringList' });
    await op.apply(plan('orders', 'Orders-Triage', { Resources: 'InvolvedResources' }));
    const fixed = await advice('orders', 'RunbookParametersTyped');
    expect(condition(fixed, TYPE)?.message).toContain('Resources (StringList)');

    const mark = op.mark();
    const none = plan('static', 'Orders-Triage', {});
    delete (none.spec.runbook as Record<string, unknown>).dynamicParameters;
    await op.apply(none);
    const ready = await op.ready('ResponsePlan', 'static', NS);
    expect(condition(ready, TYPE)).toBeUndefined();
    expect(describes(mark)).toBe(0);
  });

  it('a document it cannot find: "could not be checked" (Unknown), Ready=True; created, the next visit checks it', async () => {
    await op.apply(plan('billing', 'Billing-Triage', { IncidentRecordArn: 'IncidentRecordARN' }));
    const unknown = await advice('billing', 'RunbookParameterTypesUnknown');
    expect(condition(unknown, TYPE)?.status).toBe('Unknown');
    expect(condition(unknown, TYPE)?.message).toContain(
      `The runbook's parameter types could not be checked: document Billing-Triage was not found in ${op.stack.region}`,
    );
    expect(condition(unknown, 'Ready')?.status).toBe('True');
    await runbookDocument('Billing-Triage', { IncidentRecordArn: 'String' });
    await touch('billing');
    const checked = await advice('billing', 'RunbookParametersTyped');
    expect(condition(checked, TYPE)?.message).toContain('IncidentRecordArn (String)');
  });
});
