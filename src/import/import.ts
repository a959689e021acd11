// `imctl import` without the command line: lists an account's Incident Manager objects, reads each
// through the kind's own read verb (src/plan/kinds.ts, so import and the controller see AWS the
// same way), maps the canonical state back to a spec (src/import/<kind>.ts) and renders one YAML
// file per kind. Reads only.
import type { ResourceShare } from '@aws-sdk/client-ram';
import { paginateGetResourceShareAssociations, paginateGetResourceShares } from '@aws-sdk/client-ram';
import { paginateListContacts, paginateListRotations } from '@aws-sdk/client-ssm-contacts';
import { ListReplicationSetsCommand, paginateListResponsePlans } from '@aws-sdk/client-ssm-incidents';
import type { AccountResolver, ClientSet } from '../aws/accounts.ts';
import type { ContactState } from '../controllers/contact/mapping.ts';
import type { EscalationPlanState } from '../controllers/escalation-plan/mapping.ts';
import type { Canonical } from '../controllers/replication-set/mapping.ts';
import type { PlanState } from '../controllers/response-plan/mapping.ts';
import type { RotationState } from '../controllers/rotation/mapping.ts';
import type { AWSAccountSpec } from '../crds/aws-account.ts';
import { API_VERSION } from '../crds/common.ts';
import { type Clock, systemClock } from '../engine/clock.ts';
import { keyOf, type ManagedObject } from '../engine/contract.ts';
import { EXTERNAL_ARN_ANNOTATION } from '../engine/names.ts';
import { type KindOps, kindOps } from '../plan/kinds.ts';
import { limiter, READS_IN_FLIGHT } from '../plan/limit.ts';
import { contactSpec, type Imported } from './contact.ts';
import { escalationPlanSpec } from './escalation-plan.ts';
import { RefTable } from './refs.ts';
import { replicationSetSpec } from './replication-set.ts';
import { responsePlanSpec } from './response-plan.ts';
import { rotationSpec } from './rotation.ts';

export interface ImportOptions {
  accounts: AccountResolver;
  /** AWSAccount name written as spec.accountRef; `default` = the controller's own (no accountRef). */
  account: string;
  /** The AWSAccount's spec (role to assume, home Region); absent for `default`. */
  accountSpec?: AWSAccountSpec | undefined;
  namespace: string;
  defaultRegion: string;
  clock?: Clock;
}

export interface ImportedObject {
  kind: string;
  name: string;
  arn: string;
  manifest: ManagedObject;
  /** Comments for the YAML: path in the manifest (empty = the document) → text. */
  comments: { path: (string | number)[]; text: string }[];
}

interface Listed {
  arn: string;
  kind: 'ReplicationSet' | 'Contact' | 'EscalationPlan' | 'Rotation' | 'ResponsePlan';
  awsName: string;
}

const byArn = (a: Listed, b: Listed) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0);
/** The account id in an ARN (`arn:aws:service:region:account:…`). */
const accountIdOf = (arn: string) => arn.split(':')[4] ?? '';

async function listAll(clients: ClientSet): Promise<Listed[]> {
  const out: Listed[] = [];
  const sets = await clients.incidents.send(new ListReplicationSetsCommand({}));
  for (const arn of sets.replicationSetArns ?? [])
    out.push({ arn, kind: 'ReplicationSet', awsName: 'replication-set' });
  // ListContacts lists contacts other accounts share with us too: only this account's are imported.
  const own = out[0] ? accountIdOf(out[0].arn) : undefined;
  for await (const page of paginateListContacts({ client: clients.contacts }, {}))
    for (const c of page.Contacts ?? [])
      if (c.ContactArn && (!own || accountIdOf(c.ContactArn) === own))
        out.push({
          arn: c.ContactArn,
          kind: c.Type === 'ESCALATION' ? 'EscalationPlan' : 'Contact',
          awsName: c.Alias ?? '',
        });
  for await (const page of paginateListRotations({ client: clients.contacts }, {}))
    for (const r of page.Rotations ?? [])
      if (r.RotationArn) out.push({ arn: r.RotationArn, kind: 'Rotation', awsName: r.Name ?? '' });
  for await (const page of paginateListResponsePlans({ client: clients.incidents }, {}))
    for (const p of page.responsePlanSummaries ?? [])
      if (p.arn) out.push({ arn: p.arn, kind: 'ResponsePlan', awsName: p.name ?? '' });
  return out.sort(byArn);
}

/** resource ARN → the RAM shares (owned by this account) that carry it. */
async function sharesByResource(clients: ClientSet): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const shares: ResourceShare[] = [];
  for await (const page of paginateGetResourceShares({ client: clients.ram }, { resourceOwner: 'SELF' }))
    shares.push(...(page.resourceShares ?? []).filter((s) => s.status === 'ACTIVE' && s.resourceShareArn));
  for (const s of shares) {
    const arn = s.resourceShareArn as string;
    const assoc = async (associationType: 'PRINCIPAL' | 'RESOURCE') => {
      const found: string[] = [];
      const input = { associationType, resourceShareArns: [arn] };
      for await (const page of paginateGetResourceShareAssociations({ client: clients.ram }, input))
        for (const a of page.resourceShareAssociations ?? [])
          if (a.associatedEntity && a.status !== 'DISASSOCIATED' && a.status !== 'DISASSOCIATING')
            found.push(a.associatedEntity);
      return found.sort();
    };
    const principals = await assoc('PRINCIPAL');
    const text = `RAM share ${s.name ?? ''} (${arn}) shares this with ${principals.join(', ') || 'no principal'} (allowExternalPrincipals: ${s.allowExternalPrincipals ?? true}). Not written as spec.sharing: the controller finds the shares it manages by its own tag and would create a second one; to manage sharing from git, add spec.sharing and delete this share once the new one is associated.`;
    for (const r of await assoc('RESOURCE')) out.set(r, [...(out.get(r) ?? []), text]);
  }
  return out;
}

export async function importAccount(opts: ImportOptions): Promise<ImportedObject[]> {
  const clock = opts.clock ?? systemClock;
  const region = opts.accountSpec?.region ?? opts.defaultRegion;
  const accountKey = keyOf('AWSAccount', undefined, opts.account);
  const store = new Map<string, unknown>();
  if (opts.accountSpec)
    store.set(accountKey, {
      metadata: { name: opts.account },
      spec: opts.accountSpec,
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
  const lookup = (key: string) => store.get(key) as ManagedObject | undefined;
  const ops = kindOps({ accounts: opts.accounts, lookup, list: () => [], defaultRegion: region, clock });
  const clients = opts.accounts.clients(opts.account, opts.accountSpec);

  const listed = await listAll(clients);
  const refs = new RefTable();
  const names = new Map(
    listed.map((l) => [
      l.arn,
      refs.add(l.arn, l.kind, l.kind === 'ReplicationSet' ? opts.account : l.awsName),
    ]),
  );
  const shares = await sharesByResource(clients);
  const accountRef = opts.accountSpec ? { accountRef: { name: opts.account } } : {};

  const limit = limiter(READS_IN_FLIGHT);
  const readOne = async (l: Listed): Promise<ImportedObject | undefined> => {
    const name = names.get(l.arn) as string;
    const stub: ManagedObject = {
      apiVersion: API_VERSION,
      kind: l.kind,
      metadata: {
        name,
        namespace: opts.namespace,
        uid: 'imctl-import',
        annotations: { [EXTERNAL_ARN_ANNOTATION]: l.arn },
      },
      // Observe: the kinds' reads then never refuse an object they did not create.
      spec: { ...accountRef, managementPolicy: 'Observe' },
    };
    const read = await (ops.get(l.kind) as KindOps).read(stub, undefined);
    if (!read.exists) return undefined; // deleted between the listing and the read
    const mapped = toSpec(l.kind, read.observed, refs, region);
    const comments = [...mapped.comments];
    for (const text of shares.get(l.arn) ?? []) comments.push({ path: [], text });
    return {
      kind: l.kind,
      name,
      arn: read.identity,
      manifest: {
        apiVersion: API_VERSION,
        kind: l.kind,
        metadata: {
          name,
          namespace: opts.namespace,
          annotations: { [EXTERNAL_ARN_ANNOTATION]: read.identity },
        },
        spec: { ...accountRef, ...(mapped.spec as object) },
      } as ManagedObject,
      comments,
    };
  };
  const imported = await Promise.all(listed.map((l) => limit(() => readOne(l))));
  const out = imported.filter((o): o is ImportedObject => o !== undefined);
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

function toSpec(kind: Listed['kind'], observed: unknown, refs: RefTable, region: string): Imported<unknown> {
  switch (kind) {
    case 'ReplicationSet':
      return replicationSetSpec(observed as Canonical, region);
    case 'Contact':
      return contactSpec(observed as ContactState, refs);
    case 'EscalationPlan':
      return escalationPlanSpec(observed as EscalationPlanState, refs);
    case 'Rotation':
      return rotationSpec(observed as RotationState, refs);
    case 'ResponsePlan':
      return responsePlanSpec(observed as PlanState, refs);
  }
}
