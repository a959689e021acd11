// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ARN formats and policy placeholders are literal ${…} text
// The IAM policies in deploy/iam grant what the controller's code can send, and nothing more: the
// operations are found by scanning src/ (not a hand-kept list), mapped to IAM actions through the
// Service Authorization Reference table in ./iam-actions.ts, and compared with the policy files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_RESOURCES, CLIENT_PREFIX, OPERATIONS, RESOURCE_TYPES } from './iam-actions.ts';
import { scanSource, scanTree } from './sdk-scan.ts';

const ROOT = join(import.meta.dirname, '../../..');
const SRC = join(ROOT, 'src');
const IAM = join(ROOT, 'deploy/iam');

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface Policy {
  Version?: string;
  Statement?: Statement[];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());
const load = (name: string): Policy => JSON.parse(readFileSync(join(IAM, name), 'utf8')) as Policy;
const granted = (p: Policy): string[] => [...new Set(p.Statement!.flatMap((s) => list(s.Action)))].sort();

/**
 * The operations src/ can send, without the emulators (which answer calls, never make them) and the
 * demo's user-side AWS setup (src/local/pagerduty-secret.ts and sample-prerequisites.ts: what a user
 * does before applying the samples, never the controller).
 */
function scanned() {
  return scanTree(
    SRC,
    (p) =>
      p.startsWith(join(SRC, 'emulators')) ||
      p === join(SRC, 'local/pagerduty-secret.ts') ||
      p === join(SRC, 'local/sample-prerequisites.ts'),
  );
}

/** The IAM actions the scanned operations need, per the table. */
function required(): { actions: string[]; missing: string[] } {
  const missing: string[] = [];
  const actions = new Set<string>();
  for (const op of scanned().operations) {
    const entry = OPERATIONS[`${op.client}:${op.operation}`];
    if (!entry || !CLIENT_PREFIX[op.client]) {
      missing.push(`${op.client}:${op.operation} (${op.files.join(', ')})`);
      continue;
    }
    for (const a of entry.actions) actions.add(a);
  }
  return { actions: [...actions].sort(), missing };
}

/** An ARN of the given resource type (SAR format with sample values), to test statement globs on. */
function sampleArn(type: string): string {
  const format = RESOURCE_TYPES[type];
  if (!format) throw new Error(`resource type ${type} is not in RESOURCE_TYPES`);
  const values: Record<string, string> = { Partition: 'aws', Region: 'eu-west-1', Account: '111122223333' };
  return format.replace(/\$\{(\w+)\}/g, (_, v: string) => values[v] ?? `sample-${v.toLowerCase()}`);
}

/** Does a policy Resource (IAM glob: `*` any run of characters, `?` one) match this ARN? */
function covers(glob: string, arn: string): boolean {
  const re = glob
    .replace(/[.+^$()|[\]\\{}]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(arn);
}

/** Regex for literal ARNs of one resource type (a role path, a named key). */
function typeMatcher(type: string): RegExp {
  const body = RESOURCE_TYPES[type]!.split(/(\$\{\w+\})/)
    .map((part) => {
      const v = /^\$\{(\w+)\}$/.exec(part)?.[1];
      if (!v) return part.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
      return ['Partition', 'Region', 'Account'].includes(v) ? '[^:]*' : '.+';
    })
    .join('');
  return new RegExp(`^${body}$`);
}

/** A statement ARN is of a type when, as a glob, it takes in that type's ARNs or is one of them. */
const ofType = (arn: string, type: string) => covers(arn, sampleArn(type)) || typeMatcher(type).test(arn);

/** `prefix:type` keys of the resource types an action can be scoped to. */
function typesOf(action: string): string[] {
  const types = ACTION_RESOURCES[action];
  if (!types) throw new Error(`${action} has no row in ACTION_RESOURCES`);
  const prefix = action.split(':')[0]!;
  return types.map((t) => (t.includes(':') ? t : `${prefix}:${t}`));
}

function checkGrammar(p: Policy, opts: { principal: boolean }): string[] {
  const errs: string[] = [];
  if (p.Version !== '2012-10-17') errs.push(`Version is ${String(p.Version)}, not 2012-10-17`);
  if (!Array.isArray(p.Statement) || p.Statement.length === 0) return [...errs, 'no Statement array'];
  const sids = new Set<string>();
  for (const s of p.Statement) {
    const at = s.Sid ?? JSON.stringify(s).slice(0, 60);
    if (!s.Sid || !/^[A-Za-z0-9]+$/.test(s.Sid)) errs.push(`${at}: Sid must be alphanumeric`);
    else if (sids.has(s.Sid)) errs.push(`${at}: duplicate Sid`);
    else sids.add(s.Sid);
    if (s.Effect !== 'Allow') errs.push(`${at}: Effect must be Allow`);
    if (s.NotAction || s.NotResource) errs.push(`${at}: NotAction/NotResource grant too much`);
    for (const a of list(s.Action))
      if (!/^[a-z0-9-]+:[A-Za-z]+$/.test(a))
        errs.push(`${at}: action ${a} is not service:Action (no wildcards)`);
    if (opts.principal) {
      if (!s.Principal) errs.push(`${at}: a trust policy statement needs a Principal`);
    } else {
      if (s.Principal) errs.push(`${at}: an identity policy has no Principal`);
      const res = list(s.Resource);
      if (res.length === 0) errs.push(`${at}: no Resource`);
      for (const r of res)
        if (r !== '*' && !r.startsWith('arn:')) errs.push(`${at}: ${r} is neither * nor an ARN`);
    }
    for (const [op, keys] of Object.entries(s.Condition ?? {}))
      if (!/^(?:ForAnyValue:|ForAllValues:)?[A-Za-z]+(?:IfExists)?$/.test(op) || typeof keys !== 'object')
        errs.push(`${at}: condition operator ${op}`);
  }
  return errs;
}

/** Resource scoping: "*" only where the action supports no resource type; ARNs only of its types. */
function checkScoping(p: Policy): string[] {
  const errs: string[] = [];
  for (const s of p.Statement!) {
    const res = list(s.Resource);
    for (const a of list(s.Action)) {
      const types = typesOf(a);
      if (res.includes('*')) {
        if (types.length > 0) errs.push(`${s.Sid}: ${a} supports ${types.join(', ')} but is granted on "*"`);
        continue;
      }
      if (types.length === 0) errs.push(`${s.Sid}: ${a} supports no resource type; it needs "*"`);
      // Every resource type the action acts on must be covered by one of the statement's ARNs…
      for (const t of types) {
        if (!res.some((r) => ofType(r, t)))
          errs.push(`${s.Sid}: ${a} on ${t} is not covered by ${res.join(', ')}`);
      }
    }
    // …and every ARN must be of a type that some action of the statement acts on.
    if (!res.includes('*'))
      for (const r of res) {
        const ok = list(s.Action).some((a) => typesOf(a).some((t) => ofType(r, t)));
        if (!ok) errs.push(`${s.Sid}: ${r} is of no resource type its actions use`);
      }
  }
  return errs;
}

describe('the SDK operation scanner', () => {
  it('finds named, aliased, re-exported, namespaced and paginated operations, and skips type-only imports', () => {
    const text = `
      import {
        CreateContactCommand,
        GetContactCommand as Get, // read
        type ListContactsCommandOutput,
        type DeleteContactCommand,
        SSMContactsClient,
      } from '@aws-sdk/client-ssm-contacts';
      import type { TagResourceCommand } from '@aws-sdk/client-ssm-incidents';
      import * as ram from '@aws-sdk/client-ram';
      import { paginateListResponsePlans } from "@aws-sdk/client-ssm-incidents";
      export { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
      import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
      await c.send(new ram.GetResourceSharesCommand({}));
    `;
    const r = scanSource(text, 'x.ts');
    expect(r.operations.map((o) => `${o.client}:${o.operation}`).sort()).toEqual([
      'ram:GetResourceShares',
      'ssm-contacts:CreateContact',
      'ssm-contacts:GetContact',
      'ssm-incidents:ListResponsePlans',
      'sts:AssumeRole',
      'sts:GetCallerIdentity',
    ]);
    expect(r.unsupported).toEqual([]);
  });

  it('follows a client loaded on first use (operations destructured from await import)', () => {
    const r = scanSource(
      "const { DescribeDocumentCommand, SSMClient } = await import('@aws-sdk/client-ssm');",
      'z.ts',
    );
    expect(r.operations.map((o) => `${o.client}:${o.operation}`)).toEqual(['ssm:DescribeDocument']);
    expect(r.unsupported).toEqual([]);
  });

  it('reports forms it cannot resolve instead of missing them', () => {
    const r = scanSource(
      `import { SSMContacts } from '@aws-sdk/client-ssm-contacts';\nconst m = await import('@aws-sdk/client-ram');\n` +
        `import { fromIni } from '@aws-sdk/credential-providers';`,
      'y.ts',
    );
    expect(r.unsupported).toHaveLength(3);
  });

  it('finds the operations of every client the controller uses in src/', () => {
    const r = scanned();
    expect(r.unsupported).toEqual([]);
    // Each client package the controller depends on is seen (an empty scan would pass vacuously).
    expect([...new Set(r.operations.map((o) => o.client))].sort()).toEqual(Object.keys(CLIENT_PREFIX).sort());
  });
});

describe('deploy/iam/controller-policy.json', () => {
  const policy = load('controller-policy.json');

  it('is an IAM identity policy: Version 2012-10-17, one Sid per statement, Allow only, no wildcards', () => {
    expect(checkGrammar(policy, { principal: false })).toEqual([]);
  });

  it('maps every operation the code can send through the Service Authorization Reference table', () => {
    expect(required().missing).toEqual([]);
  });

  it('grants exactly the actions those operations need, nothing else', () => {
    const need = required().actions;
    const have = granted(policy);
    expect({
      missing: need.filter((a) => !have.includes(a)),
      extra: have.filter((a) => !need.includes(a)),
    }).toEqual({ missing: [], extra: [] });
  });

  it('scopes each action to its resource types and uses "*" only for actions without one', () => {
    expect(checkScoping(policy)).toEqual([]);
  });

  it('passes roles only to Incident Manager and creates only its service-linked role', () => {
    const byAction = (a: string) => policy.Statement!.find((s) => list(s.Action).includes(a));
    expect(byAction('iam:PassRole')?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ssm-incidents.amazonaws.com' },
    });
    expect(byAction('iam:CreateServiceLinkedRole')?.Condition).toEqual({
      StringEquals: { 'iam:AWSServiceName': 'ssm-incidents.amazonaws.com' },
    });
    expect(list(byAction('iam:CreateServiceLinkedRole')?.Resource)).toEqual([
      'arn:aws:iam::*:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleforIncidentManager',
    ]);
    expect(byAction('kms:CreateGrant')?.Condition?.StringLike?.['kms:ViaService']).toBeDefined();
  });
});

describe('deploy/iam/member-account-role-policy.json', () => {
  const member = load('member-account-role-policy.json');

  it('grants what the controller does in a member account: the controller policy without sts:AssumeRole', () => {
    expect(checkGrammar(member, { principal: false })).toEqual([]);
    expect(checkScoping(member)).toEqual([]);
    expect(granted(member)).toEqual(
      granted(load('controller-policy.json')).filter((a) => a !== 'sts:AssumeRole'),
    );
  });
});

describe('deploy/iam/cross-account-trust-policy.json', () => {
  const trust = load('cross-account-trust-policy.json');

  it('lets only the controller role assume the member role, and only with the external id', () => {
    expect(checkGrammar(trust, { principal: true })).toEqual([]);
    expect(trust.Statement).toHaveLength(1);
    const s = trust.Statement![0]!;
    expect(s.Action).toBe('sts:AssumeRole');
    expect(s.Principal).toEqual({ AWS: '${CONTROLLER_ROLE_ARN}' });
    expect(s.Condition).toEqual({ StringEquals: { 'sts:ExternalId': '${EXTERNAL_ID}' } });
  });
});

describe('deploy/iam/pagerduty-secret-policy.json', () => {
  it('is an optional identity policy for the PagerDuty secret alone', () => {
    const p = load('pagerduty-secret-policy.json');
    expect(checkGrammar(p, { principal: false }).filter((e) => !e.includes('neither * nor an ARN'))).toEqual(
      [],
    );
    expect(granted(p)).toEqual(['secretsmanager:GetSecretValue']);
    expect(list(p.Statement![0]!.Resource)).toEqual(['${PAGERDUTY_SECRET_ARN}']);
  });
});
