// Rotation's AWS client: ssm-contacts calls on the account's client (the gate is its middleware) and nothing else. Mapping, diff and
// the update plan are pure (mapping.ts, diff.ts).
import {
  type Rotation as AwsRotation,
  CreateRotationCommand,
  CreateRotationOverrideCommand,
  DeleteRotationCommand,
  DeleteRotationOverrideCommand,
  GetRotationCommand,
  type GetRotationCommandOutput,
  paginateListRotationOverrides,
  paginateListRotationShifts,
  paginateListRotations,
  type RotationOverride,
  type RotationShift,
  type SSMContactsClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateRotationCommand,
} from '@aws-sdk/client-ssm-contacts';
import type { Rotation } from '../../crds/rotation.ts';
import {
  type Candidate,
  ClassifiedError,
  type Ctx,
  type FieldDiff,
  ignoreNotFound,
  type KindClient,
  type Read,
  uidOf,
} from '../../engine/contract.ts';
import { type ContactsConn, listTags } from '../shared/contacts-api.ts';
import { refuseOtherRegion } from '../shared/contacts-region.ts';
import { ReadMemory, SharedList } from '../shared/read-memory.ts';
import { planUpdate } from './diff.ts';
import { HAND_OFF_LOOKBACK_MS, handOffsFromShifts, NEXT_HAND_OFFS } from './hand-offs.ts';
import {
  createInput,
  fromAws,
  OVERRIDE_HORIZON_MS,
  type OverrideState,
  overrideKey,
  type RotationState,
  SHIFT_HORIZON_MS,
  shiftFromAws,
} from './mapping.ts';

/** Shifts per ListRotationShifts page, and the pages read at most per visit. */
const SHIFT_PAGE = 100;
const MAX_SHIFT_PAGES = 5;

/** What a rotation's read takes (the engine's partial read reuses all but the rotation itself). */
interface RotationParts {
  rotation: GetRotationCommandOutput;
  tags: Record<string, string>;
  overrides: RotationOverride[];
  shifts: RotationShift[];
  asOf: number;
}

/** Every rotation of the account, whole, by ARN: one ListRotations serves the partial reads of all. */
const listedRotations = new SharedList<SSMContactsClient, AwsRotation>(async (client) => {
  const out = new Map<string, AwsRotation>();
  for await (const page of paginateListRotations({ client, pageSize: 1024 }, {}))
    for (const r of page.Rotations ?? []) if (r.RotationArn) out.set(r.RotationArn, r);
  return out;
});

/** The last reads, per account client (a client per visit is made; the memory outlives it). */
const memories = new WeakMap<SSMContactsClient, ReadMemory<RotationParts>>();

export class RotationClient implements KindClient<Rotation, RotationState> {
  readonly #conn: ContactsConn;
  readonly #now: () => number;
  readonly #reads: ReadMemory<RotationParts>;

  constructor(conn: ContactsConn, now: () => number) {
    this.#conn = conn;
    this.#now = now;
    const sdk = conn.clients.contacts;
    const reads = memories.get(sdk) ?? new ReadMemory<RotationParts>();
    memories.set(sdk, reads);
    this.#reads = reads;
  }

  get #sdk() {
    return this.#conn.clients.contacts;
  }

  async read(arn: string, mr: Rotation, ctx: Ctx<RotationState>): Promise<Read<RotationState>> {
    await refuseOtherRegion(this.#conn.clients, arn, mr, ctx, 'The rotation');
    // One instant for the whole visit: desired state pruned past overrides at the same time.
    const asOf = ctx.desired?.asOf ?? this.#now();
    const partial = ctx.partial && (await this.#partialRead(arn, mr, asOf, ctx.partial));
    if (partial) return { identity: partial.arn ?? arn, observed: partial, phase: 'Active', partial: true };
    const rotation = await this.getRotation(arn);
    // Independent reads: in parallel (the gate still caps them per account).
    const start = rotation.StartTime?.getTime() ?? asOf;
    const [tags, overrides, shifts] = await Promise.all([
      listTags(this.#conn, arn),
      this.#overrides(arn, asOf),
      this.#shifts(arn, asOf, Math.max(asOf, start) + SHIFT_HORIZON_MS),
    ]);
    this.#reads.remember(arn, mr.metadata.generation, {}, { rotation, tags, overrides, shifts, asOf });
    const observed = fromAws({
      rotation: { ...rotation, RotationArn: rotation.RotationArn ?? arn },
      tags,
      overrides,
      shifts,
      asOf,
    });
    return { identity: observed.arn ?? arn, observed, phase: 'Active' };
  }

  /**
   * The engine's partial read at a resync (Ctx.partial): the rotation as ListRotations shows it
   * now, its tags, overrides and shifts as the last full read found them. Undefined when that
   * cannot stand for a read now: nothing remembered, not listed, or time has moved what those
   * shifts and overrides say (a hand-off, an override ended) since that read.
   */
  async #partialRead(
    arn: string,
    mr: Rotation,
    asOf: number,
    when: NonNullable<Ctx<RotationState>['partial']>,
  ): Promise<RotationState | undefined> {
    const last = this.#reads.last(arn, mr.metadata.generation);
    if (!last?.rotation || !last.tags || !last.overrides || !last.shifts || last.asOf === undefined)
      return undefined;
    const at = (rotation: GetRotationCommandOutput, t: number) =>
      fromAws({
        rotation: { ...rotation, RotationArn: rotation.RotationArn ?? arn },
        tags: last.tags ?? {},
        overrides: last.overrides ?? [],
        shifts: last.shifts ?? [],
        asOf: t,
      });
    const timeless = (s: RotationState) => JSON.stringify({ ...s, asOf: 0 });
    if (timeless(at(last.rotation, last.asOf)) !== timeless(at(last.rotation, asOf))) return undefined;
    const listed = await listedRotations.find(this.#sdk, arn, when);
    // What the list shows replaces the whole rotation: a field it lacks is one AWS no longer has.
    return listed
      ? at({ $metadata: last.rotation.$metadata, ...listed } as GetRotationCommandOutput, asOf)
      : undefined;
  }

  getRotation(arn: string) {
    return this.#sdk.send(new GetRotationCommand({ RotationId: arn }));
  }

  /** Rotations with this object's name (ListRotations filters by prefix), with their tags. */
  async findByName(mr: Rotation): Promise<Candidate[]> {
    const name = mr.spec.name;
    const arns: string[] = [];
    for await (const page of paginateListRotations({ client: this.#sdk }, { RotationNamePrefix: name }))
      for (const r of page.Rotations ?? []) if (r.Name === name && r.RotationArn) arns.push(r.RotationArn);
    return Promise.all(
      arns.map(async (identity) => ({ identity, tags: await listTags(this.#conn, identity) })),
    );
  }

  async #overrides(arn: string, asOf: number): Promise<RotationOverride[]> {
    const out: RotationOverride[] = [];
    const input = {
      RotationId: arn,
      StartTime: new Date(asOf),
      EndTime: new Date(asOf + OVERRIDE_HORIZON_MS),
    };
    for await (const page of paginateListRotationOverrides({ client: this.#sdk }, input))
      out.push(...(page.RotationOverrides ?? []));
    return out;
  }

  /**
   * The shifts from a week before `from` (who handed over last, when nobody is on call now) until
   * NEXT_HAND_OFFS hand-offs after `from` are known, or `to`: a few pages at most.
   */
  async #shifts(arn: string, from: number, to: number): Promise<RotationShift[]> {
    const out: RotationShift[] = [];
    const input = {
      RotationId: arn,
      StartTime: new Date(from - HAND_OFF_LOOKBACK_MS),
      EndTime: new Date(to),
      MaxResults: SHIFT_PAGE,
    };
    for await (const page of paginateListRotationShifts({ client: this.#sdk }, input)) {
      out.push(...(page.RotationShifts ?? []));
      const known = handOffsFromShifts(out.map(shiftFromAws), from, 'UTC');
      if (known.length >= NEXT_HAND_OFFS || out.length >= SHIFT_PAGE * MAX_SHIFT_PAGES) break;
    }
    return out;
  }

  async create(mr: Rotation, ctx: Ctx<RotationState>): Promise<{ identity: string }> {
    const owner = { kind: mr.kind, metadata: { ...mr.metadata, uid: uidOf(mr) } };
    const input = createInput(ctx.desired, owner, ctx.idempotencyToken('CreateRotation'));
    const out = await this.#sdk.send(new CreateRotationCommand(input));
    if (!out.RotationArn) throw new ClassifiedError('Transient', 'CreateRotation returned no RotationArn');
    // Overrides follow on the next visit, as an update (the same path as any later change).
    return { identity: out.RotationArn };
  }

  async update(
    mr: Rotation,
    observed: RotationState,
    diff: FieldDiff[],
    ctx: Ctx<RotationState>,
  ): Promise<void> {
    const arn = observed.arn ?? ctx.identity;
    if (!arn) throw new ClassifiedError('Transient', 'rotation ARN unknown; observing again');
    this.#reads.forget(arn);
    const version = mr.metadata.resourceVersion ?? '';
    for (const call of planUpdate(arn, diff, ctx.desired, observed)) {
      switch (call.op) {
        case 'DeleteRotationOverride':
          await this.#deleteOverride(call.input.RotationId ?? arn, call.input.RotationOverrideId ?? '');
          break;
        case 'UpdateRotation':
          await this.#sdk.send(new UpdateRotationCommand(call.input));
          break;
        case 'UntagResource':
          await this.#sdk.send(new UntagResourceCommand(call.input));
          break;
        case 'TagResource':
          await this.#sdk.send(new TagResourceCommand(call.input));
          break;
        case 'CreateRotationOverride': {
          const token = ctx.idempotencyToken(overrideTokenOperation(arn, call.override, version));
          await this.#sdk.send(new CreateRotationOverrideCommand({ ...call.input, IdempotencyToken: token }));
          break;
        }
      }
    }
  }

  async #deleteOverride(arn: string, id: string): Promise<void> {
    await this.#sdk
      .send(new DeleteRotationOverrideCommand({ RotationId: arn, RotationOverrideId: id }))
      .catch(ignoreNotFound);
  }

  async delete(_mr: Rotation, observed: RotationState, ctx: Ctx<RotationState>): Promise<void> {
    const arn = observed.arn ?? ctx.identity;
    if (arn) this.#reads.forget(arn);
    if (arn) await this.#sdk.send(new DeleteRotationCommand({ RotationId: arn }));
  }
}

/**
 * Override creates happen during updates, where no pending mark exists. Their token is tied to the
 * override and to the object's resourceVersion: a retry of the same visit (nothing written since)
 * replays the first create, while an override deleted out of band is created again at once (the
 * object has changed since: its status listed the override). A rare duplicate after a stale read
 * heals itself: the extra override is deleted on the next visit.
 */
export function overrideTokenOperation(arn: string, o: OverrideState, resourceVersion: string): string {
  return `CreateRotationOverride\n${arn}\n${overrideKey(o)}\n${resourceVersion}`;
}
