// A runbook's dynamic parameters are typed (domain doc §2.6.5): Incident Manager fills
// IncidentRecordARN with one ARN (a String parameter) and InvolvedResources with a list of ARNs (a
// StringList parameter); bound to a parameter of another type, the runbook fails to start when an
// incident is created, and AWS accepts the plan all the same. The types are known only from the SSM
// document (DescribeDocument), read once per document version per process. The condition is advice:
// it never changes Ready or Synced.
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { ClientSet } from '../../aws/accounts.ts';
import type { DynamicParameterValue, ResponsePlan } from '../../crds/response-plan.ts';
import { isClassified, type KindClient, type KindCondition } from '../../engine/contract.ts';
import type { PlanState, RunbookState } from './mapping.ts';

export const RUNBOOK_CONDITION = 'RunbookParametersTyped';

/** The document parameter type each dynamic source needs. */
export const NEEDED_TYPE: Record<DynamicParameterValue, string> = {
  IncidentRecordARN: 'String',
  InvolvedResources: 'StringList',
};

/** What DescribeDocument told about the runbook, or why it could not be asked. */
export type RunbookTypes =
  | { document: string; version: string; types: Record<string, string> }
  | { document: string; unknown: string };

/** The condition for a plan's runbook (none without dynamic parameters or without a read). Pure. */
export function runbookCondition(
  runbook: RunbookState | null | undefined,
  read: RunbookTypes | undefined,
): KindCondition | undefined {
  const dynamic = Object.entries(runbook?.dynamicParameters ?? {});
  if (!runbook || dynamic.length === 0 || !read) return undefined;
  const doc = `document ${read.document}`;
  if ('unknown' in read)
    return {
      type: RUNBOOK_CONDITION,
      status: 'Unknown',
      reason: 'RunbookParameterTypesUnknown',
      message: `The runbook's parameter types could not be checked: ${read.unknown}. Incident Manager fills IncidentRecordARN into a String parameter and InvolvedResources into a StringList parameter; another type makes the runbook fail to start at incident time`,
    };
  const where = `${doc} (version ${read.version})`;
  const problems = dynamic.flatMap(([name, source]) => {
    const needed = NEEDED_TYPE[source];
    const type = read.types[name];
    const path = `spec.runbook.dynamicParameters.${name}`;
    if (type === undefined)
      return [
        `${path}: ${where} has no parameter ${name}; the runbook fails to start at incident time. Bind ${source} to one of its parameters (${Object.keys(read.types).join(', ') || 'it declares none'}) or add ${name} (type ${needed}) to the document`,
      ];
    if (type !== needed)
      return [
        `${path}: ${source} is ${source === 'InvolvedResources' ? 'a list of ARNs' : 'one ARN'} and needs a ${needed} parameter, but ${name} of ${where} is a ${type}; the runbook fails to start at incident time. Change ${name} to type ${needed} in the document, or bind ${source} to a ${needed} parameter`,
      ];
    return [];
  });
  if (problems.length > 0)
    return {
      type: RUNBOOK_CONDITION,
      status: 'False',
      reason: 'RunbookParameterTypeMismatch',
      message: problems.join('; '),
    };
  return {
    type: RUNBOOK_CONDITION,
    status: 'True',
    reason: 'RunbookParametersTyped',
    message: `Every dynamic parameter is bound to a parameter of the type it needs in ${where}: ${dynamic
      .map(([name]) => `${name} (${read.types[name]})`)
      .join(', ')}`,
  };
}

/** An unpinned version (the default) may move: read again after this long. */
export const UNPINNED_TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 1_000;

/**
 * DescribeDocument through the account's SSM client (loaded on first use), cached per account,
 * Region, document and version: a numbered version never changes, so it is read once per process;
 * the default version is read again after UNPINNED_TTL_MS. Failures are not cached (the fix — a
 * document created or shared, a permission granted — shows at the next visit).
 */
export class RunbookTypesReader {
  readonly #cache = new Map<string, { at: number; value: RunbookTypes }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async read(clients: ClientSet, runbook: RunbookState): Promise<RunbookTypes> {
    const version = runbook.documentVersion;
    const key = `${clients.account}|${clients.region}|${runbook.documentName}|${version}`;
    const pinned = /^[1-9][0-9]*$/.test(version);
    const hit = this.#cache.get(key);
    if (hit && (pinned || this.#now() - hit.at < UNPINNED_TTL_MS)) return hit.value;
    const value = await describe(await clients.ssm(), runbook, clients.region);
    if (!('unknown' in value)) {
      if (this.#cache.size >= MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(key, { at: this.#now(), value });
    }
    return value;
  }
}

async function describe(ssm: SSMClient, runbook: RunbookState, region: string): Promise<RunbookTypes> {
  const { DescribeDocumentCommand } = await import('@aws-sdk/client-ssm');
  const document = runbook.documentName;
  const version = runbook.documentVersion;
  try {
    const out = await ssm.send(
      new DescribeDocumentCommand({ Name: document, ...(version ? { DocumentVersion: version } : {}) }),
    );
    const types: Record<string, string> = {};
    for (const p of out.Document?.Parameters ?? []) if (p.Name && p.Type) types[p.Name] = p.Type;
    return { document, version: out.Document?.DocumentVersion ?? (version || 'default'), types };
  } catch (e) {
    if (!isClassified(e)) throw e;
    if (e.errorClass === 'AccessDenied')
      return {
        document,
        unknown: `the controller may not read document ${document} (ssm:DescribeDocument was refused; grant it, see deploy/iam)`,
      };
    if (e.rule === 'InvalidDocument')
      return {
        document,
        unknown: `document ${document} was not found in ${region} (a document of another account must be shared with this one)`,
      };
    if (e.rule === 'InvalidDocumentVersion')
      return { document, unknown: `document ${document} has no version ${version}` };
    return {
      document,
      unknown: `reading document ${document} failed (${e.message}); checked again at the next visit`,
    };
  }
}

/**
 * The plan's client with each read of a plan whose spec binds dynamic parameters carrying the
 * desired runbook's parameter types (the SSM client is loaded only then). A warning turning up or
 * changing is said once in a Warning Event too, since Events are what people watch.
 */
export function withRunbookTypes(
  client: KindClient<ResponsePlan, PlanState>,
  clients: ClientSet,
  runbooks: RunbookTypesReader,
): KindClient<ResponsePlan, PlanState> {
  return {
    ...client,
    async read(identity, mr, ctx) {
      const found = await client.read(identity, mr, ctx);
      const runbook = ctx.desired?.runbook;
      if (
        !found ||
        ctx.sharedBy !== undefined ||
        !runbook ||
        Object.keys(runbook.dynamicParameters).length === 0
      )
        return found;
      const runbookTypes = await runbooks.read(clients, runbook);
      const c = runbookCondition(runbook, runbookTypes);
      const prev = mr.status?.conditions?.find((p) => p.type === RUNBOOK_CONDITION);
      if (c && c.status !== 'True' && (prev?.reason !== c.reason || prev.message !== c.message))
        await ctx.event?.('Warning', c.reason, c.message);
      return { ...found, observed: { ...found.observed, runbookTypes } };
    },
  };
}
