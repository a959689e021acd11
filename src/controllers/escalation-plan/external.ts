// EscalationPlan's ExternalClient: ssm-contacts calls on the account's client (the gate is its middleware) and nothing else.
import { CreateContactCommand, UpdateContactCommand } from '@aws-sdk/client-ssm-contacts';
import { EXTERNAL_ARN_ANNOTATION as ANNOTATION } from '../../crds/common.ts';
import { ESCALATION_PLAN_AWS_TYPE, type EscalationPlan } from '../../crds/escalation-plan.ts';
import {
  ClassifiedError,
  type Ctx,
  type ExternalClient,
  type FieldDiff,
  isClassified,
  type RawObservation,
  uidOf,
} from '../../engine/contract.ts';
import {
  applyTagDelta,
  type ContactsConn,
  deleteContact,
  findContactsByAlias,
  getContact,
  listTags,
} from '../shared/contacts-api.ts';
import { contactsIdentityTags, contactsOwnedBy } from '../shared/contacts-tags.ts';
import { planUpdate } from './diff.ts';
import { createInput, type EscalationPlanState, fromAws, updateInput } from './mapping.ts';

type State = EscalationPlanState & { arn?: string };

export function escalationPlanClient(conn: ContactsConn): ExternalClient<EscalationPlan, State> {
  async function read(arn: string): Promise<RawObservation<State>> {
    const c = await getContact(conn, arn);
    if (!c) return { exists: false };
    if (c.Type !== ESCALATION_PLAN_AWS_TYPE)
      throw new ClassifiedError(
        'InvalidSpec',
        `${arn} is a ${c.Type} contact, not an escalation plan; point the ${ANNOTATION} annotation at an ESCALATION contact or remove it`,
        { field: `metadata.annotations.${ANNOTATION}`, rule: 'WrongContactType' },
      );
    const tags = await listTags(conn, arn);
    return { exists: true, identity: arn, observed: { ...fromAws(c, tags), arn }, phase: 'Active' };
  }

  /**
   * No identity yet: the alias is unique in the account and Region, so look it up. Ours (ownership
   * tags, e.g. a create interrupted before its ARN was stored) is adopted; anyone else's is only
   * observed under managementPolicy Observe and otherwise refused rather than silently taken over.
   */
  async function findByAlias(mr: EscalationPlan): Promise<RawObservation<State>> {
    const owned: { arn: string; type: string | undefined; tags: Record<string, string> }[] = [];
    for (const hit of await findContactsByAlias(conn, mr.spec.alias)) {
      if (!hit.ContactArn) continue;
      try {
        owned.push({ arn: hit.ContactArn, type: hit.Type, tags: await listTags(conn, hit.ContactArn) });
      } catch (e) {
        // Only the owner reads tags: this is another account's contact shared with us, and
        // another account's alias does not take ours.
        if (isClassified(e) && e.errorClass === 'AccessDenied') continue;
        throw e;
      }
    }
    const first = owned[0];
    if (!first) return { exists: false };
    if ((mr.spec.managementPolicy ?? 'Manage') === 'Observe') return read(first.arn);
    const mine = owned.find((o) => o.type === ESCALATION_PLAN_AWS_TYPE && contactsOwnedBy(o.tags, uidOf(mr)));
    if (mine) return read(mine.arn);
    throw new ClassifiedError(
      'InvalidSpec',
      `spec.alias: a ${first.type ?? ''} contact with alias ${mr.spec.alias} already exists in AWS (${first.arn}) and was not created for this object; set the ${ANNOTATION} annotation to that ARN to adopt it, or choose another alias`,
      { field: 'spec.alias', rule: 'AliasInUse' },
    );
  }

  return {
    async observe(mr, ctx) {
      return ctx.identity ? read(ctx.identity) : findByAlias(mr);
    },

    async create(mr, ctx) {
      const input = createInput(
        ctx.desired,
        contactsIdentityTags({ kind: mr.kind, metadata: { ...mr.metadata, uid: uidOf(mr) } }),
        ctx.idempotencyToken('CreateContact'),
      );
      const out = await conn.clients.contacts.send(new CreateContactCommand(input));
      if (!out.ContactArn) throw new ClassifiedError('Transient', 'CreateContact returned no ContactArn');
      return { identity: out.ContactArn };
    },

    async update(_mr, observed, diff: FieldDiff[], ctx: Ctx<State>) {
      const arn = observed.arn ?? ctx.identity;
      if (!arn) throw new ClassifiedError('Transient', 'update without a known ARN');
      const plan = planUpdate(diff, ctx.desired, observed);
      const input = updateInput(arn, ctx.desired, plan.contact);
      if (input) await conn.clients.contacts.send(new UpdateContactCommand(input));
      await applyTagDelta(conn, arn, plan.tags);
    },

    async delete(_mr, observed, ctx) {
      const arn = observed.arn ?? ctx.identity;
      if (arn) await deleteContact(conn, arn);
    },
  };
}
