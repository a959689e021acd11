// EscalationPlan's ExternalClient: ssm-contacts calls on the account's client (the gate is its middleware) and nothing else.
import {
  CreateContactCommand,
  DeleteContactCommand,
  GetContactCommand,
  type GetContactCommandOutput,
  UpdateContactCommand,
} from '@aws-sdk/client-ssm-contacts';
import type { EscalationPlan } from '../../crds/escalation-plan.ts';
import { EXTERNAL_ARN_ANNOTATION as ANNOTATION, ESCALATION_PLAN_AWS_TYPE } from '../../crds/values.ts';
import { ClassifiedError, type Ctx, type FieldDiff, type KindClient, uidOf } from '../../engine/contract.ts';
import { identityTags } from '../../engine/identity.ts';
import type { ContactsConn } from '../shared/contacts-api.ts';
import * as contacts from '../shared/contacts-api.ts';
import { refuseOtherRegion } from '../shared/contacts-region.ts';
import { ReadMemory } from '../shared/read-memory.ts';
import { planUpdate } from './diff.ts';
import { createInput, type EscalationPlanState, fromAws, updateInput } from './mapping.ts';

type State = EscalationPlanState & { arn?: string };

/** What a plan's read takes: GetContact and its tags. */
export interface EscalationPlanParts {
  contact: GetContactCommandOutput;
  tags: Record<string, string>;
}

const partSpecs = (mr: EscalationPlan) => ({ tags: JSON.stringify(mr.spec.tags ?? {}) });

export function escalationPlanClient(
  conn: ContactsConn,
  reads = new ReadMemory<EscalationPlanParts>(),
): KindClient<EscalationPlan, State> {
  const sdk = conn.clients.contacts;
  return {
    async read(arn, mr, ctx) {
      await refuseOtherRegion(conn.clients, arn, mr, ctx, 'The escalation plan');
      // The engine's partial read at a resync: what ListContacts shows now, the rest as last read.
      const last = ctx.partial && !ctx.sharedBy ? reads.last(arn, mr.metadata.generation) : undefined;
      const listed =
        ctx.partial && last?.contact && last.tags
          ? await contacts.nowListed(conn, arn, last.contact, ctx.partial)
          : undefined;
      if (listed?.Type === ESCALATION_PLAN_AWS_TYPE && last?.tags)
        return {
          identity: arn,
          observed: { ...fromAws(listed, last.tags), arn },
          phase: 'Active',
          partial: true,
        };
      const c = await sdk.send(new GetContactCommand({ ContactId: arn }));
      if (c.Type !== ESCALATION_PLAN_AWS_TYPE)
        throw new ClassifiedError(
          'InvalidSpec',
          `${arn} is a ${c.Type} contact, not an escalation plan; point the ${ANNOTATION} annotation at an ESCALATION contact or remove it`,
          {
            field: `metadata.annotations.${ANNOTATION}`,
            rule: 'WrongContactType',
            reason: 'InvalidReference',
          },
        );
      // Tags of a plan another account shares are the owner's alone (AWS answers AccessDenied).
      const shared = ctx.sharedBy !== undefined;
      const specs = partSpecs(mr);
      const kept = shared ? {} : reads.reusable(arn, mr.metadata.generation, specs);
      const tags = shared ? {} : (kept.tags ?? (await contacts.listTags(conn, arn)));
      if (!shared) reads.remember(arn, mr.metadata.generation, specs, { contact: c, tags });
      const observed = { ...fromAws(c, tags), arn };
      return {
        identity: arn,
        observed,
        phase: 'Active',
        ...(shared ? { unreadable: ['spec.tags'] } : {}),
        ...(kept.tags ? { partial: true } : {}),
      };
    },

    findByName: (mr) => contacts.contactsByAlias(conn, mr.spec.alias),

    async create(mr, ctx) {
      const ownership = identityTags({ kind: mr.kind, metadata: { ...mr.metadata, uid: uidOf(mr) } });
      const input = createInput(ctx.desired, ownership, ctx.idempotencyToken('CreateContact'));
      const out = await sdk.send(new CreateContactCommand(input));
      if (!out.ContactArn) throw new ClassifiedError('Transient', 'CreateContact returned no ContactArn');
      const tags = { ...ctx.desired.tags, ...ownership };
      reads.remember(out.ContactArn, mr.metadata.generation, partSpecs(mr), { tags }, true);
      return { identity: out.ContactArn };
    },

    async update(_mr, observed, diff: FieldDiff[], ctx: Ctx<State>) {
      const arn = ctx.identity ?? observed.arn ?? '';
      const plan = planUpdate(diff, ctx.desired, observed);
      const input = updateInput(arn, ctx.desired, plan.contact);
      try {
        if (input) await sdk.send(new UpdateContactCommand(input));
        await contacts.applyTagDelta(conn, arn, plan.tags);
      } catch (e) {
        reads.forget(arn);
        throw e;
      }
      reads.wrote(arn, { tags: Object.keys(plan.tags.set).length + plan.tags.remove.length > 0 });
    },

    async delete(_mr, observed, ctx) {
      const arn = ctx.identity ?? observed.arn ?? '';
      reads.forget(arn);
      await sdk.send(new DeleteContactCommand({ ContactId: arn }));
    },
  };
}
