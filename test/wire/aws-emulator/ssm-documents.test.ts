// SSM documents in the AWS emulator, through the real @aws-sdk/client-ssm: an Automation runbook
// created from JSON or YAML reports its parameters with their types (what the ResponsePlan kind
// checks dynamic parameters against), another account reads it by ARN only once it is shared, and
// the errors the SDK names for unknown documents, versions, bad content and a shared delete.
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  ModifyDocumentPermissionCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, failure, type Harness, startHarness } from './helpers.ts';

let h: Harness;
const ssm = (who = ALICE, region = 'eu-west-1') =>
  new SSMClient({
    endpoint: h.emu.url,
    region,
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
    maxAttempts: 1,
  });

const RUNBOOK_YAML = `description: Restart the payments service
schemaVersion: '0.3'
assumeRole: '{{ AutomationAssumeRole }}'
parameters:
  AutomationAssumeRole:
    type: String
    description: Role the steps run as
    default: ''
  IncidentRecordArn:
    type: String
  InvolvedResources:
    type: StringList
  Retries:
    type: Integer
    default: 3
mainSteps:
  - name: wait
    action: aws:sleep
    inputs: { Duration: PT1S }
`;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.emu.stop();
});

describe('SSM documents', () => {
  it('a YAML Automation runbook reports each parameter with its type, by name and by ARN', async () => {
    const created = await ssm().send(
      new CreateDocumentCommand({
        Name: 'Payments-Restart',
        Content: RUNBOOK_YAML,
        DocumentType: 'Automation',
        DocumentFormat: 'YAML',
      }),
    );
    expect(created.DocumentDescription).toMatchObject({
      Name: 'Payments-Restart',
      Owner: ALICE.account,
      Status: 'Active',
      DocumentVersion: '1',
      DocumentType: 'Automation',
      SchemaVersion: '0.3',
      DocumentFormat: 'YAML',
      Description: 'Restart the payments service',
    });
    expect(created.DocumentDescription?.CreatedDate).toBeInstanceOf(Date);
    const byName = await ssm().send(new DescribeDocumentCommand({ Name: 'Payments-Restart' }));
    expect(byName.Document?.Parameters).toEqual([
      {
        Name: 'AutomationAssumeRole',
        Type: 'String',
        Description: 'Role the steps run as',
        DefaultValue: '',
      },
      { Name: 'IncidentRecordArn', Type: 'String' },
      { Name: 'InvolvedResources', Type: 'StringList' },
      { Name: 'Retries', Type: 'Integer', DefaultValue: '3' },
    ]);
    const arn = `arn:aws:ssm:eu-west-1:${ALICE.account}:document/Payments-Restart`;
    for (const version of [undefined, '1', '$DEFAULT', '$LATEST']) {
      const input = { Name: arn, ...(version ? { DocumentVersion: version } : {}) };
      expect((await ssm().send(new DescribeDocumentCommand(input))).Document?.Parameters).toEqual(
        byName.Document?.Parameters,
      );
    }
  });

  it('JSON content works the same (the default format)', async () => {
    await ssm().send(
      new CreateDocumentCommand({
        Name: 'Json-Runbook',
        DocumentType: 'Automation',
        Content: JSON.stringify({
          schemaVersion: '0.3',
          parameters: { Resources: { type: 'String' } },
          mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }],
        }),
      }),
    );
    const d = await ssm().send(new DescribeDocumentCommand({ Name: 'Json-Runbook' }));
    expect(d.Document?.Parameters).toEqual([{ Name: 'Resources', Type: 'String' }]);
    expect(d.Document?.DocumentFormat).toBe('JSON');
  });

  it('unknown documents, versions and Regions are InvalidDocument / InvalidDocumentVersion (400)', async () => {
    expect(await failure(() => ssm().send(new DescribeDocumentCommand({ Name: 'Nope' })))).toMatchObject({
      name: 'InvalidDocument',
      status: 400,
    });
    expect(
      await failure(() =>
        ssm().send(new DescribeDocumentCommand({ Name: 'Payments-Restart', DocumentVersion: '7' })),
      ),
    ).toMatchObject({ name: 'InvalidDocumentVersion', status: 400 });
    expect(
      await failure(() =>
        ssm(ALICE, 'us-east-1').send(new DescribeDocumentCommand({ Name: 'Payments-Restart' })),
      ),
    ).toMatchObject({ name: 'InvalidDocument' });
  });

  it('another account reads a document by ARN only while it is shared, and may not delete it', async () => {
    const arn = `arn:aws:ssm:eu-west-1:${ALICE.account}:document/Payments-Restart`;
    const describe = () => ssm(BOB).send(new DescribeDocumentCommand({ Name: arn }));
    expect(await failure(describe)).toMatchObject({ name: 'InvalidDocument' });
    await ssm().send(
      new ModifyDocumentPermissionCommand({
        Name: 'Payments-Restart',
        PermissionType: 'Share',
        AccountIdsToAdd: [BOB.account],
      }),
    );
    expect((await describe()).Document?.Owner).toBe(ALICE.account);
    // By name, Bob's own account is meant (he has no such document).
    expect(
      await failure(() => ssm(BOB).send(new DescribeDocumentCommand({ Name: 'Payments-Restart' }))),
    ).toMatchObject({ name: 'InvalidDocument' });
    expect(await failure(() => ssm(BOB).send(new DeleteDocumentCommand({ Name: arn })))).toMatchObject({
      name: 'InvalidDocument',
    });
    // A shared document cannot be deleted until sharing stops.
    expect(
      await failure(() => ssm().send(new DeleteDocumentCommand({ Name: 'Payments-Restart' }))),
    ).toMatchObject({ name: 'InvalidDocumentOperation', status: 400 });
    await ssm().send(
      new ModifyDocumentPermissionCommand({
        Name: 'Payments-Restart',
        PermissionType: 'Share',
        AccountIdsToRemove: [BOB.account],
      }),
    );
    expect(await failure(describe)).toMatchObject({ name: 'InvalidDocument' });
  });

  it('refuses bad content, a taken name, a reserved prefix and missing members', async () => {
    const create = (input: Partial<ConstructorParameters<typeof CreateDocumentCommand>[0]>) =>
      failure(() =>
        ssm().send(
          new CreateDocumentCommand({
            Name: 'Other',
            Content: '{"schemaVersion":"0.3"}',
            DocumentType: 'Automation',
            ...input,
          } as ConstructorParameters<typeof CreateDocumentCommand>[0]),
        ),
      );
    expect(await create({ Content: '{not json' })).toMatchObject({
      name: 'InvalidDocumentContent',
      status: 400,
    });
    expect(
      await create({
        Content: JSON.stringify({ schemaVersion: '0.3', parameters: { X: { type: 'Float' } } }),
      }),
    ).toMatchObject({ name: 'InvalidDocumentContent' });
    expect(await create({ Content: '{"schemaVersion":"2.2"}' })).toMatchObject({
      name: 'InvalidDocumentSchemaVersion',
    });
    expect(await create({ Name: 'Json-Runbook' })).toMatchObject({ name: 'DocumentAlreadyExists' });
    expect(await create({ Name: 'AWS-Mine' })).toMatchObject({ name: 'ValidationException' });
    expect(await create({ Content: `{"schemaVersion":"0.3","x":"${'a'.repeat(65_536)}"}` })).toMatchObject({
      name: 'MaxDocumentSizeExceeded',
    });
    const missing = await create({ Content: undefined });
    expect(missing).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(missing.message).toContain(
      "Value null at 'content' failed to satisfy constraint: Member must not be null",
    );
  });

  it('DeleteDocument removes it; a second delete is InvalidDocument', async () => {
    await ssm().send(new DeleteDocumentCommand({ Name: 'Json-Runbook' }));
    expect(
      await failure(() => ssm().send(new DescribeDocumentCommand({ Name: 'Json-Runbook' }))),
    ).toMatchObject({
      name: 'InvalidDocument',
    });
    expect(
      await failure(() => ssm().send(new DeleteDocumentCommand({ Name: 'Json-Runbook' }))),
    ).toMatchObject({
      name: 'InvalidDocument',
    });
  });
});
