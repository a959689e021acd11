// What a user sets up in AWS before applying the samples, done through the AWS SDK as a user would:
// for each sample ResponsePlan, in its AWSAccount (through that account's role, as the controller
// reaches it), the PagerDuty secret of `spec.pagerDuty` and the runbook document of `spec.runbook`.
// The demo and the tests run it against the AWS emulator.
import { CreateDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createPagerDutySecret, type PagerDutySecretOptions } from './pagerduty-secret.ts';

interface SampleLike {
  kind: string;
  metadata: { name: string };
  spec?: unknown;
}

interface PlanSpec {
  accountRef?: { name: string };
  pagerDuty?: { secretId: string };
  runbook?: {
    documentName: string;
    parameters?: Record<string, unknown>;
    dynamicParameters?: Record<string, string>;
  };
}

const specOf = (s: SampleLike | undefined) => (s?.spec ?? {}) as Record<string, unknown>;

/** Runbook documents owned by AWS (`AWS-…`, `AWSIncidents-…`) exist already; a user makes their own. */
const ownedByAws = (name: string) => /^(AWS|Amazon)/.test(name) || name.startsWith('arn:');

/**
 * An Automation runbook declaring the parameters the plan binds: static ones as String (one value
 * each in the samples), dynamic ones with the type Incident Manager fills them with.
 */
export function runbookContent(runbook: NonNullable<PlanSpec['runbook']>): string {
  const parameters: Record<string, { type: string; description: string }> = {};
  for (const name of Object.keys(runbook.parameters ?? {}))
    parameters[name] = { type: 'String', description: `${name}, set by the response plan` };
  for (const [name, variable] of Object.entries(runbook.dynamicParameters ?? {}))
    parameters[name] = {
      type: variable === 'InvolvedResources' ? 'StringList' : 'String',
      description: `${variable}, filled in by Incident Manager when the incident starts`,
    };
  return JSON.stringify({
    schemaVersion: '0.3',
    description: 'First steps for the on-call engineer of the incident.',
    ...('AutomationAssumeRole' in parameters ? { assumeRole: '{{ AutomationAssumeRole }}' } : {}),
    parameters,
    mainSteps: [
      {
        name: 'Triage',
        action: 'aws:pause',
        description: 'Check the dashboards named in the incident summary, then resume.',
        inputs: {},
      },
    ],
  });
}

export async function createSamplePrerequisites(
  env: Record<string, string | undefined>,
  samples: readonly SampleLike[],
): Promise<void> {
  const endpoint = env.AWS_ENDPOINT_URL ?? '';
  const credentials = {
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
  };
  for (const plan of samples.filter((s) => s.kind === 'ResponsePlan')) {
    const spec = specOf(plan) as PlanSpec;
    const ownRunbook = spec.runbook && !ownedByAws(spec.runbook.documentName) ? spec.runbook : undefined;
    if (!spec.pagerDuty && !ownRunbook) continue;
    const acct = specOf(
      samples.find((s) => s.kind === 'AWSAccount' && s.metadata.name === spec.accountRef?.name),
    ) as { region?: string; roleArn?: string; externalId?: string };
    const set = samples.find(
      (s) =>
        s.kind === 'ReplicationSet' &&
        (specOf(s).accountRef as { name?: string } | undefined)?.name === spec.accountRef?.name,
    );
    const region = acct.region ?? 'us-east-1';
    const regions = ((specOf(set).regions as { name: string }[] | undefined) ?? []).map((r) => r.name);
    let creds: PagerDutySecretOptions['credentials'] = credentials;
    if (acct.roleArn) {
      const sts = new STSClient({ endpoint, region, credentials, maxAttempts: 1 });
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: acct.roleArn,
          RoleSessionName: 'samples',
          ...(acct.externalId ? { ExternalId: acct.externalId } : {}),
        }),
      );
      sts.destroy();
      const c = out.Credentials;
      creds = {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken ?? '',
      };
    }
    if (spec.pagerDuty)
      await createPagerDutySecret({
        endpoint,
        credentials: creds,
        region,
        replicaRegions: regions.filter((r) => r !== region),
        secretId: spec.pagerDuty.secretId,
      });
    if (ownRunbook) {
      // Documents are Regional: the plan's runbook runs in the Region of the incident.
      for (const r of new Set([region, ...regions])) {
        const ssm = new SSMClient({ endpoint, region: r, credentials: creds, maxAttempts: 1 });
        try {
          await ssm.send(
            new CreateDocumentCommand({
              Name: ownRunbook.documentName,
              DocumentType: 'Automation',
              DocumentFormat: 'JSON',
              Content: runbookContent(ownRunbook),
            }),
          );
        } finally {
          ssm.destroy();
        }
      }
    }
  }
}
