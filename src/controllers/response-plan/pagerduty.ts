// PagerDuty preflight: before a response plan with `spec.pagerDuty` is created or updated, check
// what Incident Manager needs of the secret (domain doc §6.6) so that a broken one fails here, with
// the fix, and not at 3 a.m. when an incident starts. The checks are pure functions over what AWS
// answers; `checkPagerDuty` does the reads through the plan account's clients. The secret's value
// (read only with verifySecretValue) never leaves `valueFindings`: no log, status, event or message
// carries it, nor anything derived from it beyond key names we expect.
import type { DescribeKeyCommandOutput } from '@aws-sdk/client-kms';
import type { DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import { GetReplicationSetCommand, ListReplicationSetsCommand } from '@aws-sdk/client-ssm-incidents';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ClientSet } from '../../aws/accounts.ts';
import type { ResponsePlanSpec } from '../../crds/response-plan.ts';
import { ClassifiedError } from '../../engine/contract.ts';
import type { ReasonName } from '../../engine/reasons.ts';

export const INCIDENTS_PRINCIPAL = 'ssm-incidents.amazonaws.com';
export const KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'] as const;
export const SECRET_ACTION = 'secretsmanager:GetSecretValue';
const VALUE_KEYS = ['pagerDutyToken', 'pagerDutyServiceRegion', 'pagerDutyFromEmail'] as const;
const SERVICE_REGIONS = ['US', 'EU'];
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const FIELD = 'spec.pagerDuty.secretId';

export interface Finding {
  reason: ReasonName;
  message: string;
}

type PagerDuty = NonNullable<ResponsePlanSpec['pagerDuty']>;
type Key = NonNullable<DescribeKeyCommandOutput['KeyMetadata']>;

// ---------------------------------------------------------------- policies

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Condition?: unknown;
}

function statementsOf(policy: string | undefined): Statement[] | undefined {
  if (policy === undefined) return [];
  try {
    const st = (JSON.parse(policy) as { Statement?: unknown }).Statement;
    return (Array.isArray(st) ? st : st === undefined ? [] : [st]) as Statement[];
  } catch {
    return undefined;
  }
}

const asList = (v: unknown): string[] => (v === undefined ? [] : [v].flat().map(String));

/** IAM action globs (`kms:*`, `kms:GenerateDataKey*`), case-insensitive, against the action text. */
function actionMatches(glob: string, action: string): boolean {
  const re = glob
    .replace(/[.+^$()|[\]\\{}]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(action);
}

/** Who a statement's Principal names: `*`, AWS principals (ARNs, account ids) and service principals. */
function principalsOf(p: unknown): { any: boolean; aws: string[]; services: string[] } {
  if (p === '*') return { any: true, aws: [], services: [] };
  const o = (p ?? {}) as Record<string, unknown>;
  const aws = asList(o.AWS);
  return { any: aws.includes('*'), aws, services: asList(o.Service) };
}

/** The principal a check is about: a service, or the writer (its session and role ARNs). */
export type Principal = { service: string } | { arns: string[] };

function names(p: unknown, who: Principal): boolean {
  const ps = principalsOf(p);
  if (ps.any) return true;
  return 'service' in who ? ps.services.includes(who.service) : ps.aws.some((a) => who.arns.includes(a));
}

/**
 * Does the policy allow `who` every action in `actions`? An Allow naming the principal and action
 * counts (conditions such as kms:ViaService narrow it, as the guide suggests); an unconditional
 * Deny naming them wins. Account-root statements delegate to IAM and do not count for the writer:
 * the PagerDuty guide asks for the principal itself in the key policy.
 */
export function policyAllows(statements: Statement[], who: Principal, actions: readonly string[]): boolean {
  return actions.every((action) => {
    const hits = statements.filter(
      (s) => names(s.Principal, who) && asList(s.Action).some((g) => actionMatches(g, action)),
    );
    if (hits.some((s) => s.Effect === 'Deny' && s.Condition === undefined)) return false;
    return hits.some((s) => s.Effect === 'Allow');
  });
}

/** The ARNs a key policy may name for the caller: the session itself and, for a role, the role. */
export function writerArns(callerArn: string): string[] {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return m ? [callerArn, `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`] : [callerArn];
}

const statement = (sid: string, principal: Record<string, string>, action: string | readonly string[]) =>
  JSON.stringify({ Sid: sid, Effect: 'Allow', Principal: principal, Action: action, Resource: '*' });

// ---------------------------------------------------------------- pure checks

/** The secret must be this account's and Region's, and not scheduled for deletion. */
export function secretFindings(
  secret: DescribeSecretCommandOutput,
  id: string,
  account: string,
  region: string,
): Finding[] {
  const m = /^arn:[^:]+:secretsmanager:([^:]+):(\d{12}):/.exec(secret.ARN ?? '');
  if (m && (m[1] !== region || m[2] !== account))
    return [
      {
        reason: 'PagerDutySecretNotFound',
        message: `the secret ${id} is in account ${m[2]} and Region ${m[1]}; Incident Manager reads it from the response plan's account ${account} and Region ${region}: create the secret there`,
      },
    ];
  if (secret.DeletedDate)
    return [
      {
        reason: 'PagerDutySecretNotFound',
        message: `the secret ${id} is scheduled for deletion: restore it (aws secretsmanager restore-secret) or name another secret`,
      },
    ];
  return [];
}

/**
 * The secret's key: customer managed, symmetric ENCRYPT_DECRYPT and enabled, multi-Region when the
 * replication set spans Regions. `key` undefined: the secret uses aws/secretsmanager (no KmsKeyId).
 */
export function keyFindings(key: Key | undefined, id: string, setRegions: readonly string[]): Finding[] {
  const fix =
    'encrypt it with a customer managed symmetric key (aws secretsmanager update-secret --kms-key-id <key>)';
  if (key === undefined || key.KeyManager === 'AWS')
    return [
      {
        reason: 'PagerDutySecretAwsManagedKey',
        message: `the secret ${id} is encrypted with the AWS managed key aws/secretsmanager, which Incident Manager cannot use for PagerDuty: ${fix}`,
      },
    ];
  const out: Finding[] = [];
  const problems = [
    key.KeySpec !== 'SYMMETRIC_DEFAULT' && `its key spec is ${key.KeySpec}, not SYMMETRIC_DEFAULT`,
    key.KeyUsage !== 'ENCRYPT_DECRYPT' && `its key usage is ${key.KeyUsage}, not ENCRYPT_DECRYPT`,
    key.KeyState !== 'Enabled' && `it is ${key.KeyState}`,
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length)
    out.push({
      reason: 'PagerDutySecretKeyUnusable',
      message: `the secret's KMS key ${key.Arn} cannot encrypt it for Incident Manager (${problems.join('; ')}): ${key.KeyState !== 'Enabled' && problems.length === 1 ? 'enable the key' : fix}`,
    });
  if (setRegions.length > 1 && !key.MultiRegion)
    out.push({
      reason: 'PagerDutySecretKeyNotMultiRegion',
      message: `the replication set spans ${setRegions.join(', ')} but the secret's KMS key ${key.Arn} is single-Region: encrypt the secret with a multi-Region customer managed key (aws kms create-key --multi-region) replicated to each of those Regions`,
    });
  return out;
}

/** The secret is replicated (InSync) to every Region of the replication set besides its own. */
export function replicationFindings(
  secret: DescribeSecretCommandOutput,
  id: string,
  region: string,
  setRegions: readonly string[],
): Finding[] {
  const status = new Map((secret.ReplicationStatus ?? []).map((r) => [r.Region, r]));
  const missing = setRegions.filter((r) => r !== region && status.get(r)?.Status !== 'InSync');
  if (missing.length === 0) return [];
  const failed = missing
    .map((r) => status.get(r))
    .filter((s) => s?.Status === 'Failed')
    .map((s) => ` (${s?.Region}: ${s?.StatusMessage ?? 'replication failed'})`)
    .join('');
  return [
    {
      reason: 'PagerDutySecretNotReplicated',
      message: `the secret ${id} is not replicated to ${missing.join(', ')} of the replication set${failed}: aws secretsmanager replicate-secret-to-regions --secret-id ${id} --add-replica-regions ${missing.map((r) => `Region=${r},KmsKeyId=<the key's replica in ${r}>`).join(' ')}`,
    },
  ];
}

/** The key policy lets Incident Manager and the plan's writer decrypt and generate data keys. */
export function keyPolicyFindings(policy: string | undefined, keyArn: string, callerArn: string): Finding[] {
  const statements = statementsOf(policy);
  if (statements === undefined)
    return [
      {
        reason: 'PagerDutyKeyPolicyMissingService',
        message: `the key policy of ${keyArn} is not valid JSON`,
      },
    ];
  const out: Finding[] = [];
  if (!policyAllows(statements, { service: INCIDENTS_PRINCIPAL }, KEY_ACTIONS))
    out.push({
      reason: 'PagerDutyKeyPolicyMissingService',
      message: `the key policy of ${keyArn} does not allow ${INCIDENTS_PRINCIPAL} ${KEY_ACTIONS.join(' and ')}: add the statement ${statement('IncidentManagerPagerDuty', { Service: INCIDENTS_PRINCIPAL }, KEY_ACTIONS)}`,
    });
  const arns = writerArns(callerArn);
  if (!policyAllows(statements, { arns }, KEY_ACTIONS))
    out.push({
      reason: 'PagerDutyKeyPolicyMissingWriter',
      message: `the key policy of ${keyArn} does not allow the identity that writes the response plan (${callerArn}) ${KEY_ACTIONS.join(' and ')}: add the statement ${statement('ResponsePlanWriter', { AWS: arns.at(-1) as string }, KEY_ACTIONS)}`,
    });
  return out;
}

/** The secret's resource policy lets Incident Manager read the value. */
export function secretPolicyFindings(policy: string | undefined, id: string): Finding[] {
  const statements = statementsOf(policy);
  if (statements && policyAllows(statements, { service: INCIDENTS_PRINCIPAL }, [SECRET_ACTION])) return [];
  return [
    {
      reason: 'PagerDutySecretPolicyMissingService',
      message: `the resource policy of the secret ${id} does not allow ${INCIDENTS_PRINCIPAL} ${SECRET_ACTION}: add the statement ${statement('IncidentManagerPagerDuty', { Service: INCIDENTS_PRINCIPAL }, SECRET_ACTION)} (aws secretsmanager put-resource-policy)`,
    },
  ];
}

/**
 * The value is JSON with exactly pagerDutyToken, pagerDutyServiceRegion (US or EU) and
 * pagerDutyFromEmail (an email address). Messages name expected keys only: never a value, never
 * an unexpected key (a pasted token may sit there).
 */
export function valueFindings(value: string | undefined, id: string): Finding[] {
  const bad = (what: string): Finding[] => [
    {
      reason: 'PagerDutySecretValueInvalid',
      message: `the value of the secret ${id} ${what}; it must be a JSON object with exactly the keys ${VALUE_KEYS.join(', ')} (pagerDutyServiceRegion US or EU, pagerDutyFromEmail an email address)`,
    },
  ];
  if (value === undefined) return bad('is not a string (binary or empty)');
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    // JSON.parse's message quotes the input: it is dropped.
    return bad('is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return bad('is not a JSON object');
  const o = doc as Record<string, unknown>;
  const keys = Object.keys(o);
  const missing = VALUE_KEYS.filter((k) => !keys.includes(k));
  const extra = keys.filter((k) => !(VALUE_KEYS as readonly string[]).includes(k)).length;
  const problems = [
    missing.length > 0 && `lacks ${missing.join(', ')}`,
    extra > 0 && `has ${extra} other key${extra > 1 ? 's' : ''}`,
    keys.includes('pagerDutyToken') &&
      (typeof o.pagerDutyToken !== 'string' || o.pagerDutyToken === '') &&
      'has an empty or non-string pagerDutyToken',
    keys.includes('pagerDutyServiceRegion') &&
      !SERVICE_REGIONS.includes(String(o.pagerDutyServiceRegion)) &&
      'has a pagerDutyServiceRegion other than US or EU',
    keys.includes('pagerDutyFromEmail') &&
      !(typeof o.pagerDutyFromEmail === 'string' && EMAIL.test(o.pagerDutyFromEmail)) &&
      'has a pagerDutyFromEmail that is not an email address',
  ].filter((p): p is string => typeof p === 'string');
  return problems.length ? bad(problems.join(', ')) : [];
}

/** All findings as one refusal: the first one's reason, every fix in the message. */
export function refusal(findings: Finding[], id: string): ClassifiedError | undefined {
  const first = findings[0];
  if (!first) return undefined;
  const list =
    findings.length === 1 ? first.message : findings.map((f, i) => `(${i + 1}) ${f.message}`).join('; ');
  return new ClassifiedError(
    'InvalidSpec',
    `${FIELD}: the PagerDuty secret ${id} is not usable by Incident Manager, so the response plan was not written: ${list}`,
    { field: FIELD, rule: first.reason, reason: first.reason },
  );
}

// ---------------------------------------------------------------- reads

async function setRegions(clients: ClientSet): Promise<string[]> {
  const list = await clients.incidents.send(new ListReplicationSetsCommand({}));
  const arn = list.replicationSetArns?.[0];
  if (!arn) return [clients.region];
  const rs = await clients.incidents.send(new GetReplicationSetCommand({ arn }));
  return Object.keys(rs.replicationSet?.regionMap ?? {}).sort();
}

const isNotFound = (e: unknown) => e instanceof ClassifiedError && e.errorClass === 'NotFound';

/**
 * Reads the secret, its key, both policies and (verifySecretValue) its value through the plan
 * account's clients in the plan's Region, and throws the refusal when anything is missing.
 */
export async function checkPagerDuty(clients: ClientSet, pd: PagerDuty): Promise<void> {
  // Loaded here, not with the controller: only a plan with spec.pagerDuty needs them.
  const { DescribeSecretCommand, GetResourcePolicyCommand, GetSecretValueCommand } = await import(
    '@aws-sdk/client-secrets-manager'
  );
  const { DescribeKeyCommand, GetKeyPolicyCommand } = await import('@aws-sdk/client-kms');
  const id = pd.secretId;
  let secret: DescribeSecretCommandOutput;
  try {
    secret = await clients.secrets.send(new DescribeSecretCommand({ SecretId: id }));
  } catch (e) {
    if (!isNotFound(e)) throw e;
    throw refusal(
      [
        {
          reason: 'PagerDutySecretNotFound',
          message: `no secret ${id} in the response plan's account and Region ${clients.region}: create it there (aws secretsmanager create-secret --name ${id} --kms-key-id <customer managed key>) or correct the id`,
        },
      ],
      id,
    );
  }
  const caller = await clients.sts.send(new GetCallerIdentityCommand({}));
  const account = caller.Account ?? '';
  const found = secretFindings(secret, id, account, clients.region);
  if (found.length) throw refusal(found, id);

  const regions = await setRegions(clients);
  let key: Key | undefined;
  if (secret.KmsKeyId !== undefined) {
    try {
      key = (await clients.kms.send(new DescribeKeyCommand({ KeyId: secret.KmsKeyId }))).KeyMetadata;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      throw refusal(
        [
          {
            reason: 'PagerDutySecretKeyUnusable',
            message: `the secret's KMS key ${secret.KmsKeyId} does not exist in ${clients.region}: encrypt the secret with an existing customer managed symmetric key`,
          },
        ],
        id,
      );
    }
  }
  const findings = [
    ...keyFindings(key, id, regions),
    ...replicationFindings(secret, id, clients.region, regions),
  ];
  if (key?.Arn && key.KeyManager !== 'AWS') {
    // GetKeyPolicy takes a key id or ARN, never an alias; SDK 3.523 requires PolicyName.
    const kp = await clients.kms.send(new GetKeyPolicyCommand({ KeyId: key.Arn, PolicyName: 'default' }));
    findings.push(...keyPolicyFindings(kp.Policy, key.Arn, caller.Arn ?? ''));
  }
  const rp = await clients.secrets.send(new GetResourcePolicyCommand({ SecretId: id }));
  findings.push(...secretPolicyFindings(rp.ResourcePolicy, id));
  if (pd.verifySecretValue === true) {
    const out = await clients.secrets.send(new GetSecretValueCommand({ SecretId: id }));
    findings.push(...valueFindings(out.SecretString, id));
  }
  const err = refusal(findings, id);
  if (err) throw err;
}
