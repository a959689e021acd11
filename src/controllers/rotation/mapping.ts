// Pure mapping for Rotation: spec + resolved refs → canonical state, AWS responses → the same
// canonical state, canonical state → AWS inputs. No I/O and no clock: "now" is passed in.
import type {
  DayOfWeek as AwsDayOfWeek,
  CreateRotationRequest,
  GetRotationCommandOutput,
  HandOffTime,
  RecurrenceSettings,
  RotationOverride,
  RotationShift,
} from '@aws-sdk/client-ssm-contacts';
import type { Rotation, RotationSpec } from '../../crds/rotation.ts';
import { DAY_OF_WEEK_FROM_AWS, DAY_OF_WEEK_TO_AWS, DAYS_OF_WEEK } from '../../crds/values.ts';
import { ClassifiedError } from '../../engine/contract.ts';
import { identityTags } from '../../engine/identity.ts';
import { tagsToAws, userTags } from '../shared/contacts-tags.ts';
import { type HandOff, handOffsFromShifts } from './hand-offs.ts';

export type AwsDay = (typeof DAY_OF_WEEK_TO_AWS)[keyof typeof DAY_OF_WEEK_TO_AWS];
const AWS_DAYS: readonly AwsDay[] = DAYS_OF_WEEK.map((d) => DAY_OF_WEEK_TO_AWS[d]);

/** A coverage window, both ends `HH:MM` local time; an end at or before the start is the next day. */
export interface Window {
  start: string;
  end: string;
}

export interface RecurrenceState {
  numberOfOnCalls: number;
  recurrenceMultiplier: number;
  /** Exactly one of the three is set; hand-off times are `HH:MM`, sorted. */
  daily?: string[];
  weekly?: { day: AwsDay; time: string }[];
  monthly?: { day: number; time: string }[];
  /** Days with coverage, windows sorted; undefined = round the clock (an empty map means the same). */
  coverage?: Partial<Record<AwsDay, Window[]>>;
}

export interface OverrideState {
  /** AWS override id (observed only). */
  id?: string;
  /** ISO 8601, millisecond precision, UTC. */
  start: string;
  end: string;
  /** Who is on call instead, in the given order. */
  contactIds: string[];
}

export interface ShiftState {
  start: string;
  end: string;
  contactIds: string[];
  overridden: boolean;
}

/** What the rotation looks like right now, as AWS computes it (observed only; never diffed). */
export interface LiveState {
  onCallNow: string[];
  /** The next shifts that start after `asOf` (at most UPCOMING_SHIFTS). */
  upcoming: ShiftState[];
  /** When the on-call set next changes (end of the current shift, else start of the next one). */
  nextHandOff?: string;
  /** The next times other people take over (hand-offs.ts), in the rotation's time zone. */
  handOffs?: HandOff[];
}

export interface RotationState {
  /** Observed only: the rotation's ARN (also when it was found by name after an interrupted create). */
  arn?: string;
  name: string;
  /** Member ARNs in shift order. */
  contactIds: string[];
  /** Desired: only when the spec sets it (AWS defaults it to the creation time). */
  startTime?: string;
  timeZoneId: string;
  recurrence: RecurrenceState;
  /** User tags only: the controller's identity tags are neither desired nor diffed. */
  tags: Record<string, string>;
  /**
   * Overrides that have not ended by `asOf`, sorted by start. Desired: undefined when the spec has
   * no `overrides` field (the controller then leaves AWS overrides alone).
   */
  overrides?: OverrideState[];
  /** The instant desired state was computed for / AWS was read at (ms since the epoch). */
  asOf: number;
  live?: LiveState;
}

export const UPCOMING_SHIFTS = 3;
/** How far ahead shifts are listed for the status, from the later of now and the rotation start. */
export const SHIFT_HORIZON_MS = 200 * 86_400_000;
/** Overrides are listed from now up to this far ahead (AWS accepts them up to 6 months ahead). */
export const OVERRIDE_HORIZON_MS = 400 * 86_400_000;

// ---- times ----

/**
 * RFC 3339 (any offset) or a Date → canonical ISO string in UTC, whole seconds. AWS timestamps
 * travel as epoch seconds; sub-second parts do not survive the round trip exactly, and a
 * millisecond of difference must never turn into deleting and re-creating an override.
 */
export function isoOf(t: string | Date): string {
  const ms = typeof t === 'string' ? Date.parse(t) : t.getTime();
  if (!Number.isFinite(ms)) throw new Error(`invalid time ${String(t)}`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

export function hhmm(t: HandOffTime | undefined): string {
  const h = t?.HourOfDay ?? 0;
  const m = t?.MinuteOfHour ?? 0;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export function handOff(value: string): HandOffTime {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) throw new Error(`invalid time of day "${value}"`);
  return { HourOfDay: Number(m[1]), MinuteOfHour: Number(m[2]) };
}

// ---- canonical helpers ----

const byDay = (a: AwsDay, b: AwsDay) => AWS_DAYS.indexOf(a) - AWS_DAYS.indexOf(b);

function canonCoverage(entries: Iterable<[AwsDay, Window[]]>): Partial<Record<AwsDay, Window[]>> | undefined {
  const out: Partial<Record<AwsDay, Window[]>> = {};
  let sorted = [...entries].sort(([a], [b]) => byDay(a, b));
  // A day listed without windows has no coverage, like a day not listed (unless no day has any).
  if (sorted.some(([, w]) => w.length > 0)) sorted = sorted.filter(([, w]) => w.length > 0);
  for (const [day, windows] of sorted) {
    out[day] = [...windows].sort((x, y) => x.start.localeCompare(y.start) || x.end.localeCompare(y.end));
  }
  // An empty map is round-the-clock coverage, the same as no map at all.
  return sorted.length === 0 ? undefined : out;
}

function canonRecurrence(r: {
  numberOfOnCalls: number;
  recurrenceMultiplier: number;
  daily?: string[] | undefined;
  weekly?: { day: AwsDay; time: string }[] | undefined;
  monthly?: { day: number; time: string }[] | undefined;
  coverage?: Partial<Record<AwsDay, Window[]>> | undefined;
}): RecurrenceState {
  const out: RecurrenceState = {
    numberOfOnCalls: r.numberOfOnCalls,
    recurrenceMultiplier: r.recurrenceMultiplier,
  };
  // An empty settings list (as AWS may return for the kinds not in use) is the same as none.
  if (r.daily?.length) out.daily = [...r.daily].sort();
  if (r.weekly?.length)
    out.weekly = [...r.weekly].sort((a, b) => byDay(a.day, b.day) || a.time.localeCompare(b.time));
  if (r.monthly?.length)
    out.monthly = [...r.monthly].sort((a, b) => a.day - b.day || a.time.localeCompare(b.time));
  if (r.coverage) out.coverage = r.coverage;
  return out;
}

export function overrideKey(o: OverrideState): string {
  return `${o.start}|${o.end}|${o.contactIds.join(',')}`;
}

const byStart = (a: { start: string; end: string }, b: { start: string; end: string }) =>
  a.start.localeCompare(b.start) || a.end.localeCompare(b.end);

// ---- spec → canonical ----

/** Spec path of each member entry and of each override contact (the keys of the resolved refs). */
export function memberPath(i: number, entry: { contactRef?: unknown; contactArn?: string }): string {
  return `spec.contacts[${i}].${entry.contactRef ? 'contactRef' : 'contactArn'}`;
}

export function overrideContactPath(
  j: number,
  k: number,
  entry: { contactRef?: unknown; contactArn?: string },
): string {
  return `spec.overrides[${j}].newContacts[${k}].${entry.contactRef ? 'contactRef' : 'contactArn'}`;
}

function resolved(refs: ReadonlyMap<string, string>, path: string, arn: string | undefined): string {
  const v = arn ?? refs.get(path);
  if (v === undefined)
    throw new ClassifiedError('DependencyNotReady', `${path}: reference not resolved yet`, { field: path });
  return v;
}

/**
 * Canonical desired state. `nowMs` prunes overrides that have ended: they are history, never
 * re-created (AWS would happily accept a past override).
 */
export function toDesired(mr: Rotation, refs: ReadonlyMap<string, string>, nowMs: number): RotationState {
  const s: RotationSpec = mr.spec;
  const contactIds = s.contacts.map((c, i) => resolved(refs, memberPath(i, c), c.contactArn));
  const dup = contactIds.find((id, i) => contactIds.indexOf(id) !== i);
  if (dup !== undefined)
    throw new ClassifiedError(
      'InvalidSpec',
      `spec.contacts: ${dup} is listed more than once; each contact may appear once in a rotation (repeat a person by adding another rotation)`,
      { field: 'spec.contacts', rule: 'UniqueContacts' },
    );
  const r = s.recurrence;
  const recurrence = canonRecurrence({
    numberOfOnCalls: r.numberOfOnCalls,
    recurrenceMultiplier: r.recurrenceMultiplier,
    daily: r.dailySettings,
    weekly: r.weeklySettings?.map((w) => ({ day: DAY_OF_WEEK_TO_AWS[w.dayOfWeek], time: w.handOffTime })),
    monthly: r.monthlySettings?.map((m) => ({ day: m.dayOfMonth, time: m.handOffTime })),
    coverage: canonCoverage(
      (r.shiftCoverages ?? []).map((c) => [
        DAY_OF_WEEK_TO_AWS[c.dayOfWeek],
        c.windows.map((w) => ({ start: w.start, end: w.end })),
      ]),
    ),
  });
  const out: RotationState = {
    name: s.name,
    contactIds,
    timeZoneId: s.timeZoneId,
    recurrence,
    tags: { ...(s.tags ?? {}) },
    asOf: nowMs,
  };
  if (s.startTime !== undefined) out.startTime = isoOf(s.startTime);
  if (s.overrides !== undefined) {
    out.overrides = s.overrides
      .map((o, j) => ({
        start: isoOf(o.startTime),
        end: isoOf(o.endTime),
        contactIds: o.newContacts.map((c, k) => resolved(refs, overrideContactPath(j, k, c), c.contactArn)),
      }))
      .filter((o) => Date.parse(o.end) > nowMs)
      // The same override twice means it once (and one AWS override can only match one entry).
      .filter((o, i, all) => all.findIndex((x) => overrideKey(x) === overrideKey(o)) === i)
      .sort(byStart);
  }
  return out;
}

// ---- AWS → canonical ----

export function recurrenceFromAws(r: RecurrenceSettings): RecurrenceState {
  const coverage = Object.entries(r.ShiftCoverages ?? {})
    .filter(([day]) => (AWS_DAYS as readonly string[]).includes(day))
    .map(
      ([day, windows]) =>
        [day as AwsDay, (windows ?? []).map((w) => ({ start: hhmm(w.Start), end: hhmm(w.End) }))] as [
          AwsDay,
          Window[],
        ],
    );
  return canonRecurrence({
    numberOfOnCalls: r.NumberOfOnCalls ?? 1,
    recurrenceMultiplier: r.RecurrenceMultiplier ?? 1,
    daily: r.DailySettings?.map(hhmm),
    weekly: r.WeeklySettings?.map((w) => ({ day: w.DayOfWeek as AwsDay, time: hhmm(w.HandOffTime) })),
    monthly: r.MonthlySettings?.map((m) => ({ day: m.DayOfMonth ?? 1, time: hhmm(m.HandOffTime) })),
    coverage: canonCoverage(coverage),
  });
}

export function overrideFromAws(o: RotationOverride): OverrideState {
  return {
    id: o.RotationOverrideId ?? '',
    start: isoOf(o.StartTime ?? new Date(0)),
    end: isoOf(o.EndTime ?? new Date(0)),
    contactIds: [...(o.NewContactIds ?? [])],
  };
}

export function shiftFromAws(s: RotationShift): ShiftState {
  return {
    start: isoOf(s.StartTime ?? new Date(0)),
    end: isoOf(s.EndTime ?? new Date(0)),
    contactIds: [...(s.ContactIds ?? [])],
    overridden: s.Type === 'OVERRIDDEN',
  };
}

/** Who is on call at `asOf`, the next shifts and the next hand-off, from shifts in time order. */
export function liveFromShifts(shifts: readonly ShiftState[], asOf: number): LiveState {
  const current = shifts.filter((s) => Date.parse(s.start) <= asOf && Date.parse(s.end) > asOf);
  const upcoming = shifts.filter((s) => Date.parse(s.start) > asOf).slice(0, UPCOMING_SHIFTS);
  const onCallNow = [...new Set(current.flatMap((s) => s.contactIds))];
  const ends = current.map((s) => s.end).sort();
  const nextHandOff = ends[0] ?? upcoming[0]?.start;
  return { onCallNow, upcoming, ...(nextHandOff !== undefined ? { nextHandOff } : {}) };
}

export interface AwsRead {
  rotation: Pick<
    GetRotationCommandOutput,
    'RotationArn' | 'Name' | 'ContactIds' | 'StartTime' | 'TimeZoneId' | 'Recurrence'
  >;
  /** All tags, identity tags included (they are dropped here). */
  tags: Readonly<Record<string, string>>;
  /** Overrides listed from `asOf` on (AWS returns those overlapping the window). */
  overrides: readonly RotationOverride[];
  shifts: readonly RotationShift[];
  asOf: number;
}

export function fromAws(read: AwsRead): RotationState {
  const r = read.rotation;
  const shifts = read.shifts.map(shiftFromAws);
  const out: RotationState = {
    ...(r.RotationArn ? { arn: r.RotationArn } : {}),
    name: r.Name ?? '',
    contactIds: [...(r.ContactIds ?? [])],
    timeZoneId: r.TimeZoneId ?? '',
    recurrence: recurrenceFromAws(r.Recurrence ?? { NumberOfOnCalls: 1, RecurrenceMultiplier: 1 }),
    tags: userTags(read.tags),
    overrides: read.overrides
      .map(overrideFromAws)
      .filter((o) => Date.parse(o.end) > read.asOf)
      .sort(byStart),
    asOf: read.asOf,
    live: {
      ...liveFromShifts(shifts, read.asOf),
      handOffs: handOffsFromShifts(shifts, read.asOf, r.TimeZoneId ?? 'UTC'),
    },
  };
  if (r.StartTime) out.startTime = isoOf(r.StartTime);
  return out;
}

// ---- canonical → AWS ----

export function recurrenceToAws(r: RecurrenceState): RecurrenceSettings {
  const out: RecurrenceSettings = {
    NumberOfOnCalls: r.numberOfOnCalls,
    RecurrenceMultiplier: r.recurrenceMultiplier,
  };
  if (r.daily) out.DailySettings = r.daily.map(handOff);
  if (r.weekly)
    out.WeeklySettings = r.weekly.map((w) => ({
      DayOfWeek: w.day as AwsDayOfWeek,
      HandOffTime: handOff(w.time),
    }));
  if (r.monthly)
    out.MonthlySettings = r.monthly.map((m) => ({ DayOfMonth: m.day, HandOffTime: handOff(m.time) }));
  if (r.coverage) {
    const cov: Partial<Record<AwsDayOfWeek, { Start: HandOffTime; End: HandOffTime }[]>> = {};
    for (const [day, windows] of Object.entries(r.coverage))
      cov[day as AwsDayOfWeek] = (windows ?? []).map((w) => ({
        Start: handOff(w.start),
        End: handOff(w.end),
      }));
    out.ShiftCoverages = cov;
  }
  return out;
}

export function createInput(
  d: RotationState,
  owner: { kind: string; metadata: { name: string; namespace?: string; uid: string } },
  idempotencyToken: string,
): CreateRotationRequest {
  const tags = { ...d.tags, ...identityTags(owner) };
  return {
    Name: d.name,
    ContactIds: d.contactIds,
    ...(d.startTime !== undefined ? { StartTime: new Date(d.startTime) } : {}),
    TimeZoneId: d.timeZoneId,
    Recurrence: recurrenceToAws(d.recurrence),
    Tags: tagsToAws(tags),
    IdempotencyToken: idempotencyToken,
  };
}

/** Spec-side recurrence back from canonical (for messages and `imctl import`). */
export function recurrenceToSpec(r: RecurrenceState): RotationSpec['recurrence'] {
  const out: RotationSpec['recurrence'] = {
    numberOfOnCalls: r.numberOfOnCalls,
    recurrenceMultiplier: r.recurrenceMultiplier,
  };
  if (r.daily) out.dailySettings = [...r.daily];
  if (r.weekly)
    out.weeklySettings = r.weekly.map((w) => ({
      dayOfWeek: DAY_OF_WEEK_FROM_AWS[w.day],
      handOffTime: w.time,
    }));
  if (r.monthly) out.monthlySettings = r.monthly.map((m) => ({ dayOfMonth: m.day, handOffTime: m.time }));
  if (r.coverage)
    out.shiftCoverages = Object.entries(r.coverage).map(([day, windows]) => ({
      dayOfWeek: DAY_OF_WEEK_FROM_AWS[day as AwsDay],
      windows: (windows ?? []).map((w) => ({ ...w })),
    }));
  return out;
}
