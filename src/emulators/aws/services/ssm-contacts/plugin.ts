// ssm-contacts over awsJson1_1 (X-Amz-Target: SSMContacts.*): contacts, contact channels, contact
// policies, rotations, rotation overrides, shifts (shifts.ts) and tags. State is per account and
// region; resources are addressed by ARN, so lookups parse the ARN's region and account.
import { IANAZone } from 'luxon';
import { AwsError } from '../../errors.ts';
import { MODELS } from '../../model/generated.ts';
import type { ModelTable } from '../../model/types.ts';
import { summarise } from '../../model/validate.ts';
import type { Input, PluginFactory, RequestContext } from '../../service.ts';
import { type EmulatorStore, paginate, type TagMap, tags } from '../../store.ts';
import { computeShifts, type OverrideSpec, type Recurrence, type Shift, settingsKind } from './shifts.ts';

const SERVICE = 'ssm-contacts';
/** On-call schedules hold at most 8 rotations (Incident Manager user guide, on-call schedules). */
const MAX_ROTATIONS_PER_SCHEDULE = 8;
const MIN_OVERRIDE_MS = 30 * 60_000;
/** Shift listings need a window of at least 30 minutes (user guide, quotas). */
const MIN_WINDOW_MS = 30 * 60_000;
const MAX_OVERRIDE_AHEAD_MONTHS = 6;
const DEFAULT_PAGE = 50;

interface Contact {
  ContactArn: string;
  Alias: string;
  DisplayName?: string;
  Type: 'PERSONAL' | 'ESCALATION' | 'ONCALL_SCHEDULE';
  Plan: { Stages: unknown[]; RotationIds?: string[] };
  tags: TagMap;
  writtenAt: number;
}
interface Channel {
  ContactChannelArn: string;
  ContactArn: string;
  Name: string;
  Type: 'SMS' | 'VOICE' | 'EMAIL';
  DeliveryAddress: { SimpleAddress: string };
  ActivationStatus: 'ACTIVATED' | 'NOT_ACTIVATED';
  /** The last code sent; readable only through the admin state dump, never in an API response. */
  activationCode?: string;
}
interface Override {
  RotationOverrideId: string;
  NewContactIds: string[];
  StartTime: number;
  EndTime: number;
  CreateTime: number;
}
interface Rotation {
  RotationArn: string;
  Name: string;
  ContactIds: string[];
  StartTime: number;
  TimeZoneId: string;
  Recurrence: Recurrence;
  tags: TagMap;
  overrides: Override[];
  writtenAt: number;
}
interface State {
  contacts: Map<string, Contact>;
  channels: Map<string, Channel>;
  rotations: Map<string, Rotation>;
  policies: Map<string, string>;
}

const init = (): State => ({
  contacts: new Map(),
  channels: new Map(),
  rotations: new Map(),
  policies: new Map(),
});

function validation(message: string, field?: string): AwsError {
  return new AwsError('ValidationException', message, 400, {
    Reason: field ? 'FIELD_VALIDATION_FAILED' : 'OTHER',
    ...(field ? { Fields: [{ Name: field, Message: message }] } : {}),
  });
}
function notFound(type: string, id: string): AwsError {
  return new AwsError(
    'ResourceNotFoundException',
    `Resource of type '${type}' with id '${id}' was not found`,
    404,
    {
      ResourceId: id,
      ResourceType: type,
    },
  );
}
function conflict(
  message: string,
  type: string,
  id: string,
  dependents?: { RelationType: string; DependentResourceIds: string[] }[],
): AwsError {
  return new AwsError('ConflictException', message, 409, {
    ResourceId: id,
    ResourceType: type,
    ...(dependents && dependents.length > 0 ? { DependentEntities: dependents } : {}),
  });
}

interface ParsedArn {
  region: string;
  account: string;
  kind: string;
  rest: string;
}
function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:aws(?:-cn|-us-gov)?:ssm-contacts:([a-z0-9-]*):(\d{12}):([a-z-]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  return { region: m[1] as string, account: m[2] as string, kind: m[3] as string, rest: m[4] as string };
}

const sec = (ms: number) => ms / 1000;
const toMs = (v: unknown): number => (typeof v === 'number' ? v * 1000 : new Date(v as string).getTime());

export const createPlugin: PluginFactory = ({ store, faults, clock }) => {
  const stateOf = (account: string, region: string) => {
    // A replication-set delete that finished since the last request wipes this account's data first.
    store.hooks.settleReplicationSet(account);
    return store.partition<State>(SERVICE, account, region, init);
  };

  /** Incident Manager must be onboarded (an ACTIVE replication set) before anything is created (domain §8.1). */
  function requireOnboarded(ctx: RequestContext): void {
    if (!store.hooks.replicationSetActive(ctx.account))
      throw validation(
        'Incident Manager is not onboarded in this account: an ACTIVE replication set is required',
      );
  }

  /** ssm-contacts tags can only be set in the replication set's first Region (model docs, TagResource). */
  function requireTagRegion(ctx: RequestContext, field: string): void {
    const first = store.hooks.replicationSetFirstRegion(ctx.account);
    if (first !== ctx.region)
      throw validation(
        `Tags can only be set on resources in the first Region of the replication set${first ? ` (${first})` : ''}, not in ${ctx.region}`,
        field,
      );
  }

  function findContact(arn: string): Contact | undefined {
    const p = parseArn(arn);
    if (p?.kind !== 'contact') return undefined;
    return stateOf(p.account, p.region).contacts.get(arn);
  }

  /** A contact the caller may read: its own, or one shared with it through RAM. */
  function readableContact(arn: string, ctx: RequestContext, operation: string): Contact {
    const p = parseArn(arn);
    const c = findContact(arn);
    if (p && p.account !== ctx.account) {
      // A share is regional: another Region's endpoint does not know the resource (as ListContacts).
      if (c && p.region !== ctx.region) throw notFound('CONTACT', arn);
      if (!c || !store.hooks.sharedWith(arn, ctx.account))
        throw new AwsError(
          'AccessDeniedException',
          `User: ${ctx.callerArn} is not authorized to perform: ssm-contacts:${operation} on resource: ${arn}`,
          403,
        );
      return c;
    }
    if (!c || (p && p.region !== ctx.region) || faults.hidden(SERVICE, operation, c.writtenAt))
      throw notFound('CONTACT', arn);
    return c;
  }

  /** A contact the caller owns (writes never cross accounts). */
  function ownContact(arn: string, ctx: RequestContext, operation = 'GetContact'): Contact {
    const p = parseArn(arn);
    if (p && p.account !== ctx.account)
      throw new AwsError(
        'AccessDeniedException',
        `User: ${ctx.callerArn} is not authorized to perform: ssm-contacts:${operation} on resource: ${arn}`,
        403,
      );
    const c = findContact(arn);
    if (!c || p?.region !== ctx.region) throw notFound('CONTACT', arn);
    return c;
  }

  function ownChannel(arn: string, ctx: RequestContext): Channel {
    const ch = stateOf(ctx.account, ctx.region).channels.get(arn);
    if (!ch) throw notFound('CONTACT_CHANNEL', arn);
    return ch;
  }

  function ownRotation(arn: string, ctx: RequestContext, operation = 'GetRotation'): Rotation {
    const r = stateOf(ctx.account, ctx.region).rotations.get(arn);
    if (!r || (operation.startsWith('Get') && faults.hidden(SERVICE, operation, r.writtenAt)))
      throw notFound('ROTATION', arn);
    return r;
  }

  function checkPlan(
    type: Contact['Type'],
    plan: Input,
    ctx: RequestContext,
    self?: string,
  ): Contact['Plan'] {
    const stages: Input[] = plan?.Stages ?? [];
    const rotationIds: string[] | undefined = plan?.RotationIds;
    const st = stateOf(ctx.account, ctx.region);
    if (type === 'ONCALL_SCHEDULE') {
      if (stages.length > 0) throw validation('On-call schedule plans must not have stages', 'Plan.Stages');
      if (!rotationIds || rotationIds.length === 0)
        throw validation('On-call schedule plans must have at least one rotation', 'Plan.RotationIds');
      if (rotationIds.length > MAX_ROTATIONS_PER_SCHEDULE)
        throw validation(
          `On-call schedule plans can have at most ${MAX_ROTATIONS_PER_SCHEDULE} rotations`,
          'Plan.RotationIds',
        );
      for (const id of rotationIds) if (!st.rotations.has(id)) throw notFound('ROTATION', id);
      return { Stages: [], RotationIds: [...rotationIds] };
    }
    if (rotationIds && rotationIds.length > 0)
      throw validation(`${type} contact plans cannot reference rotations`, 'Plan.RotationIds');
    stages.forEach((stage: Input, i: number) => {
      // Model docs (Stage.DurationInMinutes): 0 only if a target is specified.
      if (stage.DurationInMinutes === 0 && (stage.Targets ?? []).length === 0)
        throw validation(
          'A stage can have a duration of 0 minutes only if it has a target',
          `Plan.Stages.${i}.DurationInMinutes`,
        );
      (stage.Targets ?? []).forEach((target: Input, j: number) => {
        const field = `Plan.Stages.${i}.Targets.${j}`;
        if (type === 'PERSONAL') {
          const id = target.ChannelTargetInfo?.ContactChannelId;
          if (!id || target.ContactTargetInfo)
            throw validation('Personal contact plans can only target contact channels', field);
          const ch = st.channels.get(id);
          if (!ch || ch.ContactArn !== self) throw notFound('CONTACT_CHANNEL', id);
        } else {
          const id = target.ContactTargetInfo?.ContactId;
          if (!id || target.ChannelTargetInfo)
            throw validation('Escalation plans can only target contacts', field);
          const p = parseArn(id);
          if (p && p.account !== ctx.account)
            throw validation('Escalation plans can only target contacts of the same account', field);
          const c = st.contacts.get(id);
          if (!c) throw notFound('CONTACT', id);
          if (id === self) throw validation('An escalation plan cannot target itself', field);
        }
      });
    });
    return { Stages: stages };
  }

  function idem<R>(ctx: RequestContext, op: string, input: Input, fn: () => R): R {
    const { IdempotencyToken, ...request } = input;
    return store.idempotent(
      `${SERVICE}|${ctx.account}|${ctx.region}|${op}`,
      IdempotencyToken,
      request,
      () =>
        conflict(
          'The idempotency token was already used with a different request',
          'IDEMPOTENCY_TOKEN',
          String(IdempotencyToken),
        ),
      fn,
    );
  }

  function arnBase(ctx: RequestContext): string {
    return `arn:aws:ssm-contacts:${ctx.region}:${ctx.account}`;
  }

  function contactSummary(c: Contact) {
    return {
      ContactArn: c.ContactArn,
      Alias: c.Alias,
      ...(c.DisplayName !== undefined ? { DisplayName: c.DisplayName } : {}),
      Type: c.Type,
    };
  }
  function channelOut(ch: Channel) {
    return {
      ContactChannelArn: ch.ContactChannelArn,
      ContactArn: ch.ContactArn,
      Name: ch.Name,
      Type: ch.Type,
      DeliveryAddress: ch.DeliveryAddress,
      ActivationStatus: ch.ActivationStatus,
    };
  }
  function rotationOut(r: Rotation) {
    return {
      RotationArn: r.RotationArn,
      Name: r.Name,
      ContactIds: r.ContactIds,
      StartTime: sec(r.StartTime),
      TimeZoneId: r.TimeZoneId,
      Recurrence: r.Recurrence,
    };
  }
  function shiftOut(s: Shift) {
    return {
      ContactIds: s.contactIds,
      StartTime: sec(s.startMs),
      EndTime: sec(s.endMs),
      Type: s.type,
      ...(s.overriddenContactIds ? { ShiftDetails: { OverriddenContactIds: s.overriddenContactIds } } : {}),
    };
  }
  const badToken = () => validation('The NextToken is invalid', 'NextToken');

  function checkAddress(type: string, address: string): void {
    if (type === 'EMAIL') {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address))
        throw validation(`Invalid email address '${address}'`, 'DeliveryAddress.SimpleAddress');
    } else if (!/^\+\d{8,14}$/.test(address)) {
      throw validation(
        `Invalid phone number '${address}': it must start with + and have 9 to 15 characters`,
        'DeliveryAddress.SimpleAddress',
      );
    }
  }

  function checkRecurrence(r: Recurrence): void {
    const kind = settingsKind(r);
    if (kind === 'none')
      throw validation(
        'Exactly one of DailySettings, WeeklySettings or MonthlySettings is required',
        'Recurrence',
      );
    if (kind === 'several')
      throw validation(
        'Only one of DailySettings, WeeklySettings or MonthlySettings can be set',
        'Recurrence',
      );
    for (const [day, windows] of Object.entries(r.ShiftCoverages ?? {}))
      for (const w of windows ?? [])
        if (!w.Start || !w.End)
          throw validation(`Coverage times on ${day} need Start and End`, 'Recurrence.ShiftCoverages');
  }
  // IANA names only (Area/Location, or UTC), spelled as the tz database spells them: zone
  // designators without DST rules such as PST or EST are refused (domain doc), though ICU and luxon
  // accept them as aliases.
  function checkZone(zone: string): void {
    const shaped =
      zone === 'UTC' ||
      /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)\/[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(
        zone,
      );
    const resolved = IANAZone.isValidZone(zone)
      ? new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone
      : undefined;
    const spelled =
      resolved !== undefined && (resolved.toLowerCase() !== zone.toLowerCase() || resolved === zone);
    if (!shaped || !spelled) throw validation(`Invalid time zone '${zone}'`, 'TimeZoneId');
  }
  function checkRotationContacts(ids: string[], ctx: RequestContext): void {
    if (new Set(ids).size !== ids.length)
      throw validation('ContactIds must not repeat a contact', 'ContactIds');
    for (const id of ids) {
      const p = parseArn(id);
      if (p && p.account !== ctx.account)
        throw validation('Rotations can only contain contacts of the same account', 'ContactIds');
      const c = stateOf(ctx.account, ctx.region).contacts.get(id);
      if (!c) throw notFound('CONTACT', id);
      if (c.Type !== 'PERSONAL') throw validation(`Contact ${id} is not a PERSONAL contact`, 'ContactIds');
    }
  }

  function taggable(arn: string, ctx: RequestContext): { tags: TagMap } {
    const p = parseArn(arn);
    if (p?.kind === 'rotation') return ownRotation(arn, ctx, 'TagResource');
    if (p?.kind === 'contact') return ownContact(arn, ctx, 'TagResource');
    throw notFound('RESOURCE', arn);
  }

  store.provide({
    incidentManagerDataDeleted: (account) => {
      for (const p of store.partitionsOf<State>(SERVICE)) {
        if (p.account !== account) continue;
        p.state.contacts.clear();
        p.state.channels.clear();
        p.state.rotations.clear();
        p.state.policies.clear();
      }
    },
    contactExists: (arn) => findContact(arn) !== undefined,
    resourceExists: (arn) => findContact(arn) !== undefined,
  });

  return {
    name: SERVICE,
    protocol: 'awsJson1_1',
    targetPrefix: 'SSMContacts',
    model: MODELS[SERVICE] as ModelTable,
    validationError(violations) {
      return new AwsError('ValidationException', summarise(violations), 400, {
        Reason: 'FIELD_VALIDATION_FAILED',
        Fields: violations.map((v) => ({ Name: v.path, Message: v.message })),
      });
    },
    throttlingError() {
      return new AwsError('ThrottlingException', 'Rate exceeded', 429, { ServiceCode: 'ssm-contacts' });
    },
    internalError() {
      return new AwsError('InternalServerException', 'An internal error occurred', 500);
    },
    handlers: {
      CreateContact(input, ctx) {
        return idem(ctx, 'CreateContact', input, () => {
          requireOnboarded(ctx);
          if (input.Tags?.length) requireTagRegion(ctx, 'Tags');
          const st = stateOf(ctx.account, ctx.region);
          const arn = `${arnBase(ctx)}:contact/${input.Alias}`;
          if (st.contacts.has(arn))
            throw conflict(`Contact with alias '${input.Alias}' already exists`, 'CONTACT', arn);
          const plan = checkPlan(input.Type, input.Plan, ctx, arn);
          st.contacts.set(arn, {
            ContactArn: arn,
            Alias: input.Alias,
            ...(input.DisplayName !== undefined ? { DisplayName: input.DisplayName } : {}),
            Type: input.Type,
            Plan: plan,
            tags: tags.fromList(input.Tags ?? [], 'Key', 'Value'),
            writtenAt: clock.now(),
          });
          return { ContactArn: arn };
        });
      },
      GetContact(input, ctx) {
        const c = readableContact(input.ContactId, ctx, 'GetContact');
        return { ...contactSummary(c), Plan: c.Plan };
      },
      ListContacts(input, ctx) {
        const all: Contact[] = [];
        for (const { account, region, state } of store.partitionsOf<State>(SERVICE)) {
          if (region !== ctx.region) continue;
          store.hooks.settleReplicationSet(account);
          for (const c of state.contacts.values()) {
            if (account !== ctx.account && !store.hooks.sharedWith(c.ContactArn, ctx.account)) continue;
            if (input.AliasPrefix && !c.Alias.startsWith(input.AliasPrefix)) continue;
            if (input.Type && c.Type !== input.Type) continue;
            all.push(c);
          }
        }
        all.sort((a, b) => a.ContactArn.localeCompare(b.ContactArn));
        const { page, nextToken } = paginate(
          all,
          input.MaxResults,
          input.NextToken,
          DEFAULT_PAGE,
          badToken,
          'contacts',
        );
        return { Contacts: page.map(contactSummary), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
      UpdateContact(input, ctx) {
        const c = ownContact(input.ContactId, ctx, 'UpdateContact');
        const plan = input.Plan !== undefined ? checkPlan(c.Type, input.Plan, ctx, c.ContactArn) : undefined;
        if (input.DisplayName !== undefined) c.DisplayName = input.DisplayName;
        if (plan) c.Plan = plan;
        c.writtenAt = clock.now();
        return {};
      },
      DeleteContact(input, ctx) {
        const c = ownContact(input.ContactId, ctx, 'DeleteContact');
        const st = stateOf(ctx.account, ctx.region);
        // Refused while a rotation lists the contact (model: DependentEntities). Escalation plans
        // and response plans that name it keep a dangling reference (model docs, DeleteContact).
        const rotations = [...st.rotations.values()].filter((r) => r.ContactIds.includes(c.ContactArn));
        if (rotations.length > 0)
          throw conflict(
            `Contact ${c.ContactArn} cannot be deleted because other resources depend on it`,
            'CONTACT',
            c.ContactArn,
            [{ RelationType: 'ROTATION', DependentResourceIds: rotations.map((r) => r.RotationArn) }],
          );
        st.contacts.delete(c.ContactArn);
        st.policies.delete(c.ContactArn);
        for (const [arn, ch] of st.channels) if (ch.ContactArn === c.ContactArn) st.channels.delete(arn);
        return {};
      },

      CreateContactChannel(input, ctx) {
        return idem(ctx, 'CreateContactChannel', input, () => {
          requireOnboarded(ctx);
          const c = ownContact(input.ContactId, ctx, 'CreateContactChannel');
          if (c.Type !== 'PERSONAL')
            throw validation('Contact channels can only be added to PERSONAL contacts', 'ContactId');
          const address: string = input.DeliveryAddress?.SimpleAddress ?? '';
          checkAddress(input.Type, address);
          const st = stateOf(ctx.account, ctx.region);
          const arn = `${arnBase(ctx)}:contact-channel/${c.Alias}/${store.random.uuid()}`;
          const ch: Channel = {
            ContactChannelArn: arn,
            ContactArn: c.ContactArn,
            Name: input.Name,
            Type: input.Type,
            DeliveryAddress: { SimpleAddress: address },
            ActivationStatus: 'NOT_ACTIVATED',
          };
          // Without DeferActivation, AWS sends the activation code at once.
          if (!input.DeferActivation) ch.activationCode = newCode(store);
          st.channels.set(arn, ch);
          return { ContactChannelArn: arn };
        });
      },
      GetContactChannel(input, ctx) {
        return channelOut(ownChannel(input.ContactChannelId, ctx));
      },
      ListContactChannels(input, ctx) {
        const c = ownContact(input.ContactId, ctx, 'ListContactChannels');
        const all = [...stateOf(ctx.account, ctx.region).channels.values()].filter(
          (ch) => ch.ContactArn === c.ContactArn,
        );
        const { page, nextToken } = paginate(
          all,
          input.MaxResults,
          input.NextToken,
          DEFAULT_PAGE,
          badToken,
          c.ContactArn,
        );
        return { ContactChannels: page.map(channelOut), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
      UpdateContactChannel(input, ctx) {
        const ch = ownChannel(input.ContactChannelId, ctx);
        if (input.Name !== undefined) ch.Name = input.Name;
        const address = input.DeliveryAddress?.SimpleAddress;
        if (address !== undefined && address !== ch.DeliveryAddress.SimpleAddress) {
          checkAddress(ch.Type, address);
          ch.DeliveryAddress = { SimpleAddress: address };
          // A new address has to be proven again.
          ch.ActivationStatus = 'NOT_ACTIVATED';
          delete ch.activationCode;
        }
        return {};
      },
      DeleteContactChannel(input, ctx) {
        const ch = ownChannel(input.ContactChannelId, ctx);
        const st = stateOf(ctx.account, ctx.region);
        // The contact's plan keeps the dangling reference; that stage is then ignored (model docs).
        st.channels.delete(ch.ContactChannelArn);
        return {};
      },
      SendActivationCode(input, ctx) {
        const ch = ownChannel(input.ContactChannelId, ctx);
        ch.activationCode = newCode(store);
        return {};
      },
      ActivateContactChannel(input, ctx) {
        const ch = ownChannel(input.ContactChannelId, ctx);
        if (!ch.activationCode || ch.activationCode !== input.ActivationCode)
          throw validation('The activation code is not valid', 'ActivationCode');
        ch.ActivationStatus = 'ACTIVATED';
        delete ch.activationCode;
        return {};
      },
      DeactivateContactChannel(input, ctx) {
        const ch = ownChannel(input.ContactChannelId, ctx);
        ch.ActivationStatus = 'NOT_ACTIVATED';
        return {};
      },

      PutContactPolicy(input, ctx) {
        const c = ownContact(input.ContactArn, ctx, 'PutContactPolicy');
        try {
          JSON.parse(input.Policy);
        } catch {
          throw validation('The policy is not valid JSON', 'Policy');
        }
        stateOf(ctx.account, ctx.region).policies.set(c.ContactArn, input.Policy);
        return {};
      },
      GetContactPolicy(input, ctx) {
        const c = ownContact(input.ContactArn, ctx, 'GetContactPolicy');
        const policy = stateOf(ctx.account, ctx.region).policies.get(c.ContactArn);
        return { ContactArn: c.ContactArn, ...(policy !== undefined ? { Policy: policy } : {}) };
      },

      CreateRotation(input, ctx) {
        return idem(ctx, 'CreateRotation', input, () => {
          requireOnboarded(ctx);
          if (input.Tags?.length) requireTagRegion(ctx, 'Tags');
          const st = stateOf(ctx.account, ctx.region);
          // Rotation names may hold spaces, which the service's own ARN pattern (SsmContactsArn)
          // refuses: such a name gets an id in its ARN instead, so the ARN is usable in every call.
          const id = /^[\w+=,.@-]+$/.test(input.Name) ? input.Name : store.random.uuid();
          const arn = `${arnBase(ctx)}:rotation/${id}`;
          const taken = [...st.rotations.values()].find((r) => r.Name === input.Name);
          if (taken) throw conflict(`Rotation '${input.Name}' already exists`, 'ROTATION', taken.RotationArn);
          checkZone(input.TimeZoneId);
          checkRecurrence(input.Recurrence);
          checkRotationContacts(input.ContactIds, ctx);
          st.rotations.set(arn, {
            RotationArn: arn,
            Name: input.Name,
            ContactIds: [...input.ContactIds],
            StartTime: input.StartTime !== undefined ? toMs(input.StartTime) : clock.now(),
            TimeZoneId: input.TimeZoneId,
            Recurrence: input.Recurrence,
            tags: tags.fromList(input.Tags ?? [], 'Key', 'Value'),
            overrides: [],
            writtenAt: clock.now(),
          });
          return { RotationArn: arn };
        });
      },
      GetRotation(input, ctx) {
        return rotationOut(ownRotation(input.RotationId, ctx));
      },
      ListRotations(input, ctx) {
        const all = [...stateOf(ctx.account, ctx.region).rotations.values()]
          .filter((r) => !input.RotationNamePrefix || r.Name.startsWith(input.RotationNamePrefix))
          .sort((a, b) => a.Name.localeCompare(b.Name));
        const { page, nextToken } = paginate(
          all,
          input.MaxResults,
          input.NextToken,
          DEFAULT_PAGE,
          badToken,
          'rotations',
        );
        return { Rotations: page.map(rotationOut), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
      UpdateRotation(input, ctx) {
        const r = ownRotation(input.RotationId, ctx, 'UpdateRotation');
        checkRecurrence(input.Recurrence);
        if (input.TimeZoneId !== undefined) checkZone(input.TimeZoneId);
        if (input.ContactIds !== undefined) checkRotationContacts(input.ContactIds, ctx);
        r.Recurrence = input.Recurrence;
        if (input.TimeZoneId !== undefined) r.TimeZoneId = input.TimeZoneId;
        if (input.ContactIds !== undefined) r.ContactIds = [...input.ContactIds];
        if (input.StartTime !== undefined) r.StartTime = toMs(input.StartTime);
        r.writtenAt = clock.now();
        return {};
      },
      DeleteRotation(input, ctx) {
        const r = ownRotation(input.RotationId, ctx, 'DeleteRotation');
        const st = stateOf(ctx.account, ctx.region);
        // Deleting a rotation silently removes it from every on-call schedule (model docs).
        for (const c of st.contacts.values())
          if (c.Plan.RotationIds?.includes(r.RotationArn))
            c.Plan = { ...c.Plan, RotationIds: c.Plan.RotationIds.filter((id) => id !== r.RotationArn) };
        st.rotations.delete(r.RotationArn);
        return {};
      },

      CreateRotationOverride(input, ctx) {
        return idem(ctx, 'CreateRotationOverride', input, () => {
          requireOnboarded(ctx);
          const r = ownRotation(input.RotationId, ctx, 'CreateRotationOverride');
          const start = toMs(input.StartTime);
          const end = toMs(input.EndTime);
          for (const id of input.NewContactIds as string[])
            if (!r.ContactIds.includes(id))
              throw validation(`Contact ${id} is not a member of the rotation`, 'NewContactIds');
          if (end - start < MIN_OVERRIDE_MS)
            throw validation('An override must last at least 30 minutes', 'EndTime');
          const limit = new Date(clock.now());
          limit.setUTCMonth(limit.getUTCMonth() + MAX_OVERRIDE_AHEAD_MONTHS);
          if (end > limit.getTime())
            throw validation('An override cannot end more than 6 months in the future', 'EndTime');
          const o: Override = {
            RotationOverrideId: store.random.uuid(),
            NewContactIds: [...input.NewContactIds],
            StartTime: start,
            EndTime: end,
            CreateTime: clock.now(),
          };
          r.overrides.push(o);
          return { RotationOverrideId: o.RotationOverrideId };
        });
      },
      GetRotationOverride(input, ctx) {
        const r = ownRotation(input.RotationId, ctx, 'GetRotationOverride');
        const o = r.overrides.find((x) => x.RotationOverrideId === input.RotationOverrideId);
        if (!o) throw notFound('ROTATION_OVERRIDE', input.RotationOverrideId);
        return { RotationArn: r.RotationArn, ...overrideOut(o) };
      },
      ListRotationOverrides(input, ctx) {
        const r = ownRotation(input.RotationId, ctx, 'ListRotationOverrides');
        const from = toMs(input.StartTime);
        const to = toMs(input.EndTime);
        const all = r.overrides
          .filter((o) => o.EndTime > from && o.StartTime < to)
          .sort((a, b) => a.StartTime - b.StartTime);
        const { page, nextToken } = paginate(
          all,
          input.MaxResults,
          input.NextToken,
          DEFAULT_PAGE,
          badToken,
          r.RotationArn,
        );
        return { RotationOverrides: page.map(overrideOut), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
      DeleteRotationOverride(input, ctx) {
        const r = ownRotation(input.RotationId, ctx, 'DeleteRotationOverride');
        const i = r.overrides.findIndex((x) => x.RotationOverrideId === input.RotationOverrideId);
        if (i < 0) throw notFound('ROTATION_OVERRIDE', input.RotationOverrideId);
        r.overrides.splice(i, 1);
        return {};
      },

      ListRotationShifts(input, ctx) {
        const r = ownRotation(input.RotationId, ctx, 'ListRotationShifts');
        const from = input.StartTime !== undefined ? toMs(input.StartTime) : clock.now();
        const to = toMs(input.EndTime);
        if (to - from < MIN_WINDOW_MS)
          throw validation('The time range must be at least 30 minutes long', 'EndTime');
        const overrides: OverrideSpec[] = r.overrides.map((o) => ({
          newContactIds: o.NewContactIds,
          startMs: o.StartTime,
          endMs: o.EndTime,
        }));
        const shifts = computeShifts(
          {
            contactIds: r.ContactIds,
            startMs: r.StartTime,
            timeZone: r.TimeZoneId,
            recurrence: r.Recurrence,
          },
          overrides,
          from,
          to,
        );
        const { page, nextToken } = paginate(
          shifts,
          input.MaxResults,
          input.NextToken,
          DEFAULT_PAGE,
          badToken,
          `${r.RotationArn}|${from}|${to}`,
        );
        return { RotationShifts: page.map(shiftOut), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
      ListPreviewRotationShifts(input, ctx) {
        void ctx;
        const from = input.StartTime !== undefined ? toMs(input.StartTime) : clock.now();
        const to = toMs(input.EndTime);
        if (to - from < MIN_WINDOW_MS)
          throw validation('The time range must be at least 30 minutes long', 'EndTime');
        checkZone(input.TimeZoneId);
        checkRecurrence(input.Recurrence);
        const members: string[] = input.Members;
        const overrides: OverrideSpec[] = (input.Overrides ?? []).map((o: Input) => {
          for (const m of o.NewMembers ?? [])
            if (!members.includes(m))
              throw validation(`Override member '${m}' is not in Members`, 'Overrides');
          return { newContactIds: o.NewMembers ?? [], startMs: toMs(o.StartTime), endMs: toMs(o.EndTime) };
        });
        const shifts = computeShifts(
          {
            contactIds: members,
            startMs: input.RotationStartTime !== undefined ? toMs(input.RotationStartTime) : from,
            timeZone: input.TimeZoneId,
            recurrence: input.Recurrence,
          },
          overrides,
          from,
          to,
        );
        const { page, nextToken } = paginate(
          shifts,
          input.MaxResults,
          input.NextToken,
          DEFAULT_PAGE,
          badToken,
          `preview|${from}|${to}`,
        );
        return { RotationShifts: page.map(shiftOut), ...(nextToken ? { NextToken: nextToken } : {}) };
      },

      TagResource(input, ctx) {
        const res = taggable(input.ResourceARN, ctx);
        requireTagRegion(ctx, 'ResourceARN');
        const merged = tags.merge(res.tags, tags.fromList(input.Tags, 'Key', 'Value'));
        if (Object.keys(merged).length > 50)
          throw new AwsError('ServiceQuotaExceededException', 'A resource can have at most 50 tags', 402, {
            ResourceId: input.ResourceARN,
            ResourceType: 'TAG',
            QuotaCode: 'tags-per-resource',
            ServiceCode: SERVICE,
          });
        res.tags = merged;
        return {};
      },
      UntagResource(input, ctx) {
        const res = taggable(input.ResourceARN, ctx);
        res.tags = tags.remove(res.tags, input.TagKeys);
        return {};
      },
      ListTagsForResource(input, ctx) {
        const res = taggable(input.ResourceARN, ctx);
        return { Tags: tags.toList(res.tags, 'Key', 'Value') };
      },
    },
  };
};

function overrideOut(o: Override) {
  return {
    RotationOverrideId: o.RotationOverrideId,
    NewContactIds: o.NewContactIds,
    StartTime: sec(o.StartTime),
    EndTime: sec(o.EndTime),
    CreateTime: sec(o.CreateTime),
  };
}

function newCode(store: EmulatorStore): string {
  return String(100000 + (Number.parseInt(store.random.hex(6), 16) % 900000));
}
