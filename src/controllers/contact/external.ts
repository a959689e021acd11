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
  type GetContactCommandOutput,
  GetRotationCommand,
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
import { identityTags } from '../../engine/identity.ts';
import {
  applyTagDelta,
  type ContactsConn,
  contactsByAlias,
  listTags,
  nowListed,
} from '../shared/contacts-api.ts';
import { refuseOtherRegion } from '../shared/contacts-region.ts';
import { tagsToAws } from '../shared/contacts-tags.ts';
import { type PartSpecs, ReadMemory } from '../shared/read-memory.ts';
import type { ActivationMemory } from './activation.ts';
import { contactConditions } from './conditions.ts';
import { type ContactCall, planUpdate } from './diff.ts';
import {
  type ChannelState,
  type ContactState,
  fromAws,
  onCallFrom,
  type Shift,
  toAwsPlan,
} from './mapping.ts';
import type { RotationZones } from './time-zones.ts';

/** How far ahead the on-call status looks for hand-offs (a monthly rotation hands off within 31 days). */
const SHIFT_HORIZON_MS = 32 * 24 * 3600_000;
const MAX_SHIFT_PAGES = 5;

export interface ContactClientDeps {
  conn: ContactsConn;
  clock: Clock;
  memory: ActivationMemory;
  /** Channels and tags of the last read, for the visits that need them not read again. */
  reads?: ReadMemory<ContactParts>;
}

/** What a contact's read takes: GetContact, and its channels and tags (a schedule: its rotations' shifts and zones). */
export interface ContactParts {
  contact: GetContactCommandOutput;
  channels: ContactChannel[];
  tags: Record<string, string>;
  schedule: ScheduleRead;
}

/** What an on-call schedule's read found about its rotations, and when. */
interface ScheduleRead {
  atMs: number;
  shifts: Shift[];
  zones: RotationZones['rotations'];
}

// The plan names channels by their ARNs: a plan edit reads the channels fresh too, so a channel
// changed out of band since the last read is never written into a plan from memory.
const partSpecs = (mr: Contact): PartSpecs<ContactParts> => ({
  channels: JSON.stringify([mr.spec.channels ?? [], mr.spec.engagementPlan ?? {}]),
  tags: JSON.stringify(mr.spec.tags ?? {}),
});

const CHANNEL_OPS: ReadonlySet<ContactCall['op']> = new Set([
  'DeleteContactChannel',
  'CreateContactChannel',
  'UpdateContactChannel',
  'ActivateContactChannel',
]);

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

/** What a consumer cannot read of a contact another account shares (AWS answers AccessDenied). */
const SHARED_UNREADABLE = ['spec.channels', 'spec.engagementPlan', 'spec.tags'];

export function contactClient(deps: ContactClientDeps): KindClient<Contact, ContactState> {
  const { conn, clock, memory } = deps;
  const reads = deps.reads ?? new ReadMemory<ContactParts>();
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

  /** Each rotation's time zone (a rotation gone from AWS has none). */
  async function zones(rotationIds: readonly string[]): Promise<RotationZones['rotations']> {
    const out: RotationZones['rotations'] = [];
    for (const rotationArn of rotationIds) {
      const r = await conn.clients.contacts
        .send(new GetRotationCommand({ RotationId: rotationArn }))
        .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      if (r?.TimeZoneId) out.push({ rotationArn, timeZone: r.TimeZoneId });
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

  /**
   * Activation with the code now in the Secret. A rejection is the channel's problem, not the
   * contact's: remembered (not sent again until the Secret changes) and said in the
   * ChannelsActivated condition; the rest of the update goes on.
   */
  async function activate(mr: Contact, ch: ChannelState, arn: string) {
    const ref = ch.code;
    if (!ref) return;
    const slash = ref.secret.indexOf('/');
    const code = memory.read(ref.secret.slice(0, slash) || undefined, {
      name: ref.secret.slice(slash + 1),
      key: ref.key,
    });
    if (code === undefined) return;
    const fingerprint = memory.fingerprint(code);
    try {
      await conn.clients.contacts.send(
        new ActivateContactChannelCommand({ ContactChannelId: arn, ActivationCode: code }),
      );
      memory.settle(mr, ch.name, fingerprint, 'used');
    } catch (e) {
      // Only AWS's verdict counts as a rejection; throttling or outages are retried as usual.
      if (!(isClassified(e) && e.errorClass === 'InvalidSpec')) throw e;
      // The next read shows it in ChannelsActivated, with its Warning Event (noteActivation).
      memory.settle(mr, ch.name, fingerprint, 'rejected');
    }
  }

  /**
   * What a visit learns about activation: a channel seen activated used the code now in its Secret
   * (never sent again, also after a restart: the Secret's version goes to status), and a
   * ChannelsActivated or Engageable condition turning False (or changing its message) is said once
   * in a Warning Event too, since Events are what people watch.
   */
  async function noteActivation(mr: Contact, observed: ContactState, ctx: Ctx<ContactState>) {
    const desired = ctx.desired as ContactState | undefined;
    if (!desired || mr.metadata.deletionTimestamp) return;
    const shown = new Map((mr.status?.channels ?? []).map((c) => [c.name, c.activationCodeVersion]));
    for (const o of observed.channels) {
      const d = desired.channels.find((c) => c.name === o.name);
      if (o.activationStatus === 'ACTIVATED' && d?.code?.fingerprint && d.code.settled !== 'rejected') {
        memory.settle(mr, o.name, d.code.fingerprint, 'used');
        if (d.code.version) o.codeVersion = d.code.version;
      } else {
        const kept = shown.get(o.name);
        if (kept) o.codeVersion = kept;
      }
    }
    const before = mr.status?.conditions ?? [];
    for (const c of contactConditions(desired, observed)) {
      const prev = before.find((p) => p.type === c.type);
      if (c.status === 'False' && (prev?.reason !== c.reason || prev.message !== c.message))
        await ctx.event?.('Warning', c.reason, c.message);
    }
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
    try {
      for (const call of calls) await run(call);
    } catch (e) {
      reads.forget(contactArn);
      throw e;
    }
    reads.wrote(contactArn, {
      channels: calls.some((c) => CHANNEL_OPS.has(c.op)),
      tags: calls.some((c) => c.op === 'TagResource' || c.op === 'UntagResource'),
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
        case 'ActivateContactChannel':
          await activate(mr, call.channel, call.arn);
          return;
      }
    }
  }

  /** The contact as the kind sees it, from GetContact and the parts read with it. */
  async function observe(
    mr: Contact,
    c: GetContactCommandOutput,
    channels: ContactChannel[],
    tags: Record<string, string>,
    schedule: ScheduleRead | undefined,
    ctx: Ctx<ContactState>,
  ): Promise<ContactState> {
    const observed = fromAws(c, channels, tags);
    if (schedule) {
      observed.onCall = onCallFrom(schedule.shifts, clock.now());
      observed.timeZones = { year: new Date(clock.now()).getUTCFullYear(), rotations: schedule.zones };
    }
    const sent = memory.sentAt(mr) ?? mr.status?.lastActivationCodeSentTime;
    if (sent) observed.codeSentAt = sent;
    await noteActivation(mr, observed, ctx);
    return observed;
  }

  /**
   * The engine's partial read at a resync (Ctx.partial): what ListContacts shows now, the rest as
   * the last full read found it. Undefined when that cannot stand for a read now: nothing
   * remembered, not listed (gone?), or a schedule whose on-call state or year has moved on since.
   */
  async function partialRead(
    arn: string,
    mr: Contact,
    ctx: Ctx<ContactState>,
    when: NonNullable<Ctx<ContactState>['partial']>,
  ): Promise<ContactState | undefined> {
    const last = reads.last(arn, mr.metadata.generation);
    if (!last?.contact || !last.channels || !last.tags) return undefined;
    const s = last.schedule;
    if (last.contact.Type === 'ONCALL_SCHEDULE') {
      const now = clock.now();
      const year = (ms: number) => new Date(ms).getUTCFullYear();
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      if (!s || year(s.atMs) !== year(now) || !same(onCallFrom(s.shifts, s.atMs), onCallFrom(s.shifts, now)))
        return undefined;
    }
    const c = await nowListed(conn, arn, last.contact, when);
    return c && observe(mr, c, last.channels, last.tags, s, ctx);
  }

  return {
    async read(arn, mr, ctx) {
      await refuseOtherRegion(conn.clients, arn, mr, ctx, 'The contact');
      // A contact another account shares: its channels and tags are the owner's alone.
      if (ctx.sharedBy !== undefined) {
        const c = await conn.clients.contacts.send(new GetContactCommand({ ContactId: arn }));
        return {
          identity: arn,
          observed: fromAws(c, [], {}),
          phase: 'Active',
          unreadable: SHARED_UNREADABLE,
        };
      }
      if (ctx.partial) {
        const observed = await partialRead(arn, mr, ctx, ctx.partial);
        if (observed) return { identity: arn, observed, phase: 'Active', partial: true };
      }
      const c = await conn.clients.contacts.send(new GetContactCommand({ ContactId: arn }));
      const specs = partSpecs(mr);
      const kept = reads.reusable(arn, mr.metadata.generation, specs);
      const channels = c.Type !== 'PERSONAL' ? [] : (kept.channels ?? (await listChannels(arn)));
      const tags = kept.tags ?? (await listTags(conn, arn));
      let schedule: ScheduleRead | undefined;
      if (c.Type === 'ONCALL_SCHEDULE') {
        const rotationIds = [...(c.Plan?.RotationIds ?? [])];
        const atMs = clock.now();
        schedule = { atMs, shifts: await shifts(rotationIds, atMs), zones: await zones(rotationIds) };
      }
      reads.remember(arn, mr.metadata.generation, specs, {
        contact: c,
        channels,
        tags,
        ...(schedule ? { schedule } : {}),
      });
      const observed = await observe(mr, c, channels, tags, schedule, ctx);
      return {
        identity: arn,
        observed,
        phase: 'Active',
        ...(Object.keys(kept).length ? { partial: true } : {}),
      };
    },

    // The alias is unique among this account's contacts in the Region (shared ones are skipped).
    findByName: (mr) => contactsByAlias(conn, mr.spec.alias),

    async create(mr, ctx) {
      const d = ctx.desired;
      const uid = uidOf(mr);
      const tags = { ...d.tags, ...identityTags({ kind: mr.kind, metadata: { ...mr.metadata, uid } }) };
      let out: { ContactArn?: string | undefined };
      try {
        out = await conn.clients.contacts.send(
          new CreateContactCommand({
            Alias: d.alias,
            ...(d.displayName ? { DisplayName: d.displayName } : {}),
            Type: d.type,
            // A personal contact's plan names channels, which do not exist yet: written after them.
            Plan: d.type === 'ONCALL_SCHEDULE' ? toAwsPlan(d, () => undefined) : { Stages: [] },
            Tags: tagsToAws(tags),
            IdempotencyToken: ctx.idempotencyToken('CreateContact'),
          }),
        );
      } catch (e) {
        throw missingRotation(e, d);
      }
      const arn = out.ContactArn ?? '';
      reads.remember(arn, mr.metadata.generation, partSpecs(mr), { tags }, true);
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
    },

    async delete(_mr, observed, ctx) {
      const arn = ctx.identity ?? observed.arn ?? '';
      reads.forget(arn);
      await conn.clients.contacts.send(new DeleteContactCommand({ ContactId: arn }));
    },
  };
}
