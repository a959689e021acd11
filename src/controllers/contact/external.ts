// Contact: observe / create / update / delete against ssm-contacts, every call on the account's client (the gate is its middleware).
// A personal contact is created with an empty plan, then its channels, then the plan naming the
// channel ARNs (one UpdateContact); an on-call schedule is created with its rotation ids.
import {
  ActivateContactChannelCommand,
  type ContactChannel,
  CreateContactChannelCommand,
  CreateContactCommand,
  DeleteContactChannelCommand,
  DeleteContactCommand,
  GetContactCommand,
  paginateListContactChannels,
  paginateListRotationShifts,
  SendActivationCodeCommand,
  UpdateContactChannelCommand,
  UpdateContactCommand,
} from '@aws-sdk/client-ssm-contacts';
import type { Contact } from '../../crds/contact.ts';
import type { Clock } from '../../engine/clock.ts';
import {
  ClassifiedError,
  type Ctx,
  type FieldDiff,
  ignoreNotFound,
  isClassified,
  isNotFound,
  type KindClient,
  uidOf,
} from '../../engine/contract.ts';
import { applyTagDelta, type ContactsConn, contactsByAlias, listTags } from '../shared/contacts-api.ts';
import { contactsIdentityTags, tagsToAws } from '../shared/contacts-tags.ts';
import type { ActivationMemory } from './activation.ts';
import { type ContactCall, planUpdate } from './diff.ts';
import {
  type ChannelState,
  type ContactState,
  fromAws,
  onCallFrom,
  type Shift,
  toAwsPlan,
} from './mapping.ts';

/** How far ahead the on-call status looks for hand-offs (a monthly rotation hands off within 31 days). */
const SHIFT_HORIZON_MS = 32 * 24 * 3600_000;
const MAX_SHIFT_PAGES = 5;

export interface ContactClientDeps {
  conn: ContactsConn;
  clock: Clock;
  memory: ActivationMemory;
}

/**
 * A schedule naming a rotation AWS does not have (deleted out of band; AWS drops it from schedules
 * silently) is the spec's to fix, not something to retry: InvalidSpec naming the entry.
 */
function missingRotation(e: unknown, d: ContactState): unknown {
  if (!isNotFound(e) || d.type !== 'ONCALL_SCHEDULE') return e;
  const text = e instanceof Error ? e.message : '';
  const i = d.rotationIds.findIndex((id) => text.includes(id));
  // Only when AWS names one of our rotations (the contact itself may be what is missing).
  if (i < 0) return e;
  const field = `spec.rotations[${i}]`;
  return new ClassifiedError(
    'InvalidSpec',
    `${field}: rotation ${d.rotationIds[i]} does not exist in AWS; point the entry at an existing rotation (rotationRef to a Rotation in the cluster, or rotationArn)`,
    { field, rule: 'RotationNotFound', reason: 'InvalidReference', cause: e },
  );
}

export function contactClient(deps: ContactClientDeps): KindClient<Contact, ContactState> {
  const { conn, clock, memory } = deps;
  const nowIso = () => new Date(clock.now()).toISOString();

  async function listChannels(arn: string): Promise<ContactChannel[]> {
    const out: ContactChannel[] = [];
    for await (const page of paginateListContactChannels(
      { client: conn.clients.contacts },
      { ContactId: arn },
    ))
      out.push(...(page.ContactChannels ?? []));
    return out;
  }

  /** Shifts of each rotation from now to the horizon; a rotation gone from AWS has none. */
  async function shifts(rotationIds: readonly string[], nowMs: number): Promise<Shift[]> {
    const out: Shift[] = [];
    for (const rotationArn of rotationIds) {
      let pages = 0;
      const input = {
        RotationId: rotationArn,
        StartTime: new Date(nowMs),
        EndTime: new Date(nowMs + SHIFT_HORIZON_MS),
      };
      try {
        for await (const page of paginateListRotationShifts({ client: conn.clients.contacts }, input)) {
          for (const s of page.RotationShifts ?? [])
            if (s.StartTime && s.EndTime)
              out.push({
                rotationArn,
                contactArns: [...(s.ContactIds ?? [])],
                start: s.StartTime.toISOString(),
                end: s.EndTime.toISOString(),
              });
          // Enough to know who is on call and the next hand-offs; later pages add nothing.
          if (out.filter((s) => s.rotationArn === rotationArn && Date.parse(s.start) > nowMs).length >= 3)
            break;
          if (++pages >= MAX_SHIFT_PAGES) break;
        }
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return out;
  }

  async function createChannel(mr: Contact, contactArn: string, ch: ChannelState, ctx: Ctx<ContactState>) {
    const out = await conn.clients.contacts.send(
      new CreateContactChannelCommand({
        ContactId: contactArn,
        Name: ch.name,
        Type: ch.type,
        DeliveryAddress: { SimpleAddress: ch.address },
        DeferActivation: ch.deferActivation ?? false,
        // Unique per attempt (a channel deleted out of band must not replay an old create); a
        // crash after the create is harmless: the next observe finds the channel by name.
        IdempotencyToken: ctx.idempotencyToken(`CreateContactChannel ${ch.name} ${clock.now()}`),
      }),
    );
    // A code already in the Secret was not sent to this channel: it is not tried.
    memory.settle(mr, ch.name, ch.code?.fingerprint, 'predates');
    if (!ch.deferActivation) memory.codeSent(mr, nowIso());
    return out.ContactChannelArn ?? '';
  }

  async function writePlan(
    contactArn: string,
    desired: ContactState,
    arns: Map<string, string>,
    displayName: string | undefined,
    plan: boolean,
  ) {
    await conn.clients.contacts
      .send(
        new UpdateContactCommand({
          ContactId: contactArn,
          ...(displayName !== undefined ? { DisplayName: displayName } : {}),
          ...(plan ? { Plan: toAwsPlan(desired, (name) => arns.get(name)) } : {}),
        }),
      )
      .catch((e: unknown) => {
        throw missingRotation(e, desired);
      });
  }

  /** Activation with the code now in the Secret; a rejection is remembered and reported once per code. */
  async function activate(
    mr: Contact,
    ch: ChannelState,
    arn: string,
    path: string,
  ): Promise<string | undefined> {
    const ref = ch.code;
    if (!ref) return undefined;
    const [ns, name] = [
      ref.secret.slice(0, ref.secret.indexOf('/')),
      ref.secret.slice(ref.secret.indexOf('/') + 1),
    ];
    const code = memory.read(ns || undefined, { name, key: ref.key });
    if (code === undefined) return undefined;
    const fingerprint = memory.fingerprint(code);
    const where = `Secret ${ref.secret} key ${ref.key}`;
    const rejected = `${path}: AWS rejected the activation code in ${where} for channel ${ch.name} (ActivationFailed); it is not tried again until that value changes: put the code the device received into the Secret`;
    if (ref.settled === 'rejected' && ref.fingerprint === fingerprint) return rejected;
    try {
      await conn.clients.contacts.send(
        new ActivateContactChannelCommand({ ContactChannelId: arn, ActivationCode: code }),
      );
      memory.settle(mr, ch.name, fingerprint, 'used');
      return undefined;
    } catch (e) {
      // Only AWS's verdict counts as a rejection; throttling or outages are retried as usual.
      if (!(isClassified(e) && e.errorClass === 'InvalidSpec')) throw e;
      memory.settle(mr, ch.name, fingerprint, 'rejected');
      return rejected;
    }
  }

  /**
   * A channel the last status showed Activated is not any more: the recipient replied UNSUBSCRIBE or
   * the address changed. It is skipped in incidents from now on, which someone must hear about.
   */
  async function warnDeactivated(mr: Contact, observed: ContactState, ctx: Ctx<ContactState>) {
    const was = new Set(
      (mr.status?.channels ?? []).filter((c) => c.activationStatus === 'Activated').map((c) => c.name),
    );
    for (const ch of observed.channels)
      if (was.has(ch.name) && ch.activationStatus !== 'ACTIVATED')
        await ctx.event?.(
          'Warning',
          'ChannelDeactivated',
          `Channel ${ch.name} is no longer activated (the recipient replied UNSUBSCRIBE, or its address changed): Incident Manager skips it until it is activated again with a new code in its Secret`,
        );
  }

  /** Said once, when a personal contact is created or loses its plan: it cannot be paged. */
  async function warnNotEngageable(ctx: Ctx<ContactState>) {
    if (ctx.desired.type === 'PERSONAL' && ctx.desired.stages.length === 0)
      await ctx.event?.(
        'Warning',
        'NotEngageable',
        'The contact has no engagementPlan: Incident Manager cannot engage it (directly, through an escalation plan, or when on call) until spec.engagementPlan names at least one channel',
      );
  }

  async function apply(
    mr: Contact,
    contactArn: string,
    desired: ContactState,
    observed: ContactState,
    ctx: Ctx<ContactState>,
  ): Promise<void> {
    const calls = planUpdate(desired, observed);
    // Channel ARNs as they will be: observed ones, replaced by what this update creates.
    const arns = new Map<string, string>();
    for (const o of observed.channels) if (o.arn && !arns.has(o.name)) arns.set(o.name, o.arn);
    const index = (name: string) => desired.channels.findIndex((c) => c.name === name);
    const failures: string[] = [];
    for (const call of calls) await run(call);
    if (failures.length > 0)
      throw new ClassifiedError('InvalidSpec', failures.join('; '), {
        field: failures[0]?.split(':')[0],
        rule: 'ActivationFailed',
      });

    async function run(call: ContactCall): Promise<void> {
      switch (call.op) {
        case 'DeleteContactChannel':
          await conn.clients.contacts
            .send(new DeleteContactChannelCommand({ ContactChannelId: call.arn }))
            .catch(ignoreNotFound);
          if (call.why === 'replace') arns.delete(call.name);
          return;
        case 'CreateContactChannel': {
          const arn = await createChannel(mr, contactArn, call.channel, ctx);
          arns.set(call.channel.name, arn);
          if (call.replaces)
            await ctx.event?.(
              'Normal',
              'ChannelReplaced',
              `Channel ${call.channel.name} changed type from ${call.replaces} to ${call.channel.type}, which AWS cannot do in place: deleted it and created ${arn}; it needs a new activation`,
            );
          return;
        }
        case 'UpdateContactChannel': {
          await conn.clients.contacts.send(
            new UpdateContactChannelCommand({
              ContactChannelId: call.arn,
              DeliveryAddress: { SimpleAddress: call.channel.address },
            }),
          );
          // A new address has to be proven: one code to the new device, unless deferred.
          memory.settle(mr, call.channel.name, call.channel.code?.fingerprint, 'predates');
          if (!call.channel.deferActivation) {
            await conn.clients.contacts.send(new SendActivationCodeCommand({ ContactChannelId: call.arn }));
            memory.codeSent(mr, nowIso());
          }
          return;
        }
        case 'UpdateContact':
          await writePlan(contactArn, desired, arns, call.displayName, call.plan);
          return;
        case 'TagResource':
          await applyTagDelta(conn, contactArn, { set: call.tags, remove: [] });
          return;
        case 'UntagResource':
          await applyTagDelta(conn, contactArn, { set: {}, remove: call.keys });
          return;
        case 'ActivateContactChannel': {
          const failed = await activate(
            mr,
            call.channel,
            call.arn,
            `spec.channels[${index(call.channel.name)}].activationCodeSecretRef`,
          );
          if (failed) failures.push(failed);
          return;
        }
      }
    }
  }

  return {
    async read(arn, mr, ctx) {
      const c = await conn.clients.contacts.send(new GetContactCommand({ ContactId: arn }));
      const channels = c.Type === 'PERSONAL' ? await listChannels(arn) : [];
      const observed = fromAws(c, channels, await listTags(conn, arn));
      if (observed.type === 'ONCALL_SCHEDULE') {
        const now = clock.now();
        observed.onCall = onCallFrom(await shifts(observed.rotationIds, now), now);
      }
      const sent = memory.sentAt(mr) ?? mr.status?.lastActivationCodeSentTime;
      if (sent) observed.codeSentAt = sent;
      await warnDeactivated(mr, observed, ctx);
      return { identity: arn, observed, phase: 'Active' };
    },

    // The alias is unique among this account's contacts in the Region (shared ones are skipped).
    findByName: (mr) => contactsByAlias(conn, mr.spec.alias),

    async create(mr, ctx) {
      const d = ctx.desired;
      const uid = uidOf(mr);
      let out: { ContactArn?: string | undefined };
      try {
        out = await conn.clients.contacts.send(
          new CreateContactCommand({
            Alias: d.alias,
            ...(d.displayName ? { DisplayName: d.displayName } : {}),
            Type: d.type,
            // A personal contact's plan names channels, which do not exist yet: written after them.
            Plan: d.type === 'ONCALL_SCHEDULE' ? toAwsPlan(d, () => undefined) : { Stages: [] },
            Tags: tagsToAws({
              ...d.tags,
              ...contactsIdentityTags({ kind: mr.kind, metadata: { ...mr.metadata, uid } }),
            }),
            IdempotencyToken: ctx.idempotencyToken('CreateContact'),
          }),
        );
      } catch (e) {
        throw missingRotation(e, d);
      }
      const arn = out.ContactArn ?? '';
      await warnNotEngageable(ctx);
      if (d.type === 'PERSONAL' && (d.channels.length > 0 || d.stages.length > 0)) {
        const empty: ContactState = {
          ...d,
          displayName: d.displayName,
          channels: [],
          stages: [],
          tags: d.tags,
        };
        await apply(mr, arn, d, empty, ctx);
      }
      return { identity: arn };
    },

    async update(mr, observed, _diff: FieldDiff[], ctx) {
      await apply(mr, ctx.identity ?? observed.arn ?? '', ctx.desired, observed, ctx);
      if (observed.stages.length > 0) await warnNotEngageable(ctx);
    },

    async delete(_mr, observed, ctx) {
      await conn.clients.contacts.send(
        new DeleteContactCommand({ ContactId: ctx.identity ?? observed.arn ?? '' }),
      );
    },
  };
}
