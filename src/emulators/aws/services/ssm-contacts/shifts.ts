// Rotation shift computation for ListRotationShifts / ListPreviewRotationShifts (pure; see SHIFTS.md).
// All instants are epoch milliseconds; wall-clock hand-off and coverage times are interpreted in the
// rotation's IANA zone through luxon, so DST transitions move the UTC instant, never the local time.
import { DateTime } from 'luxon';

export interface HandOffTime {
  HourOfDay: number;
  MinuteOfHour: number;
}
export interface CoverageTime {
  Start?: HandOffTime;
  End?: HandOffTime;
}
export type DayOfWeek = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';
export interface Recurrence {
  NumberOfOnCalls: number;
  RecurrenceMultiplier: number;
  DailySettings?: HandOffTime[];
  WeeklySettings?: { DayOfWeek: DayOfWeek; HandOffTime: HandOffTime }[];
  MonthlySettings?: { DayOfMonth: number; HandOffTime: HandOffTime }[];
  ShiftCoverages?: Partial<Record<DayOfWeek, CoverageTime[]>>;
}
export interface RotationSpec {
  contactIds: string[];
  startMs: number;
  timeZone: string;
  recurrence: Recurrence;
}
export interface OverrideSpec {
  newContactIds: string[];
  startMs: number;
  endMs: number;
}
export interface Shift {
  contactIds: string[];
  startMs: number;
  endMs: number;
  type: 'REGULAR' | 'OVERRIDDEN';
  /** Only on OVERRIDDEN shifts: the regular contacts the override replaced. */
  overriddenContactIds?: string[];
}

const WEEKDAYS: DayOfWeek[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
/** Guards against unbounded loops on absurd windows (about 30 years of daily periods). */
const MAX_PERIODS = 11_000;

function at(day: DateTime, t: HandOffTime): DateTime {
  return day.set({ hour: t.HourOfDay, minute: t.MinuteOfHour, second: 0, millisecond: 0 });
}

/** The hand-off instants a recurrence produces in one period (day, week or month) starting at `p`. */
function occurrencesIn(p: DateTime, r: Recurrence): number[] {
  if (r.DailySettings && r.DailySettings.length > 0) return r.DailySettings.map((t) => at(p, t).toMillis());
  if (r.WeeklySettings && r.WeeklySettings.length > 0)
    return r.WeeklySettings.map((w) =>
      at(p.plus({ days: WEEKDAYS.indexOf(w.DayOfWeek) }), w.HandOffTime).toMillis(),
    );
  if (r.MonthlySettings && r.MonthlySettings.length > 0)
    return r.MonthlySettings.map((m) =>
      // Day 29–31 in a shorter month hands off on the month's last day (see FIDELITY.md).
      at(p.set({ day: Math.min(m.DayOfMonth, p.daysInMonth ?? 28) }), m.HandOffTime).toMillis(),
    );
  return [];
}

function unitOf(r: Recurrence): 'day' | 'week' | 'month' {
  if (r.DailySettings && r.DailySettings.length > 0) return 'day';
  if (r.WeeklySettings && r.WeeklySettings.length > 0) return 'week';
  return 'month';
}

/**
 * Shift boundaries: the rotation start, then every RecurrenceMultiplier-th hand-off after it, until
 * the first boundary at or past `untilMs`.
 */
export function boundaries(spec: RotationSpec, untilMs: number): number[] {
  const r = spec.recurrence;
  const unit = unitOf(r);
  const start = DateTime.fromMillis(spec.startMs, { zone: spec.timeZone });
  let period = start.startOf(unit === 'week' ? 'week' : unit === 'month' ? 'month' : 'day');
  const out = [spec.startMs];
  let counted = 0;
  const multiplier = Math.max(1, r.RecurrenceMultiplier);
  for (let i = 0; i < MAX_PERIODS; i++) {
    const occ = [...new Set(occurrencesIn(period, r))].sort((a, b) => a - b);
    if (occ.length === 0) return out;
    for (const t of occ) {
      if (t <= spec.startMs) continue;
      counted++;
      if (counted % multiplier === 0) {
        out.push(t);
        if (t >= untilMs) return out;
      }
    }
    period = period.plus(unit === 'day' ? { days: 1 } : unit === 'week' ? { weeks: 1 } : { months: 1 });
  }
  return out;
}

/** Coverage intervals (merged, sorted) overlapping [fromMs, toMs); null means round-the-clock. */
export function coverageIntervals(
  spec: RotationSpec,
  fromMs: number,
  toMs: number,
): [number, number][] | null {
  const cov = spec.recurrence.ShiftCoverages;
  if (!cov || Object.keys(cov).length === 0) return null;
  const raw: [number, number][] = [];
  // Start one day early: a window that crosses midnight belongs to the day it starts on.
  let day = DateTime.fromMillis(fromMs, { zone: spec.timeZone }).startOf('day').minus({ days: 1 });
  while (day.toMillis() < toMs) {
    const key = WEEKDAYS[day.weekday - 1] as DayOfWeek;
    for (const c of cov[key] ?? []) {
      const s = at(day, c.Start ?? { HourOfDay: 0, MinuteOfHour: 0 });
      let e = at(day, c.End ?? { HourOfDay: 0, MinuteOfHour: 0 });
      // An end at or before the start (00:00 in particular) ends on the following day.
      if (e.toMillis() <= s.toMillis())
        e = at(day.plus({ days: 1 }), c.End ?? { HourOfDay: 0, MinuteOfHour: 0 });
      raw.push([s.toMillis(), e.toMillis()]);
    }
    day = day.plus({ days: 1 });
  }
  raw.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const iv of raw) {
    const last = merged[merged.length - 1];
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else merged.push([iv[0], iv[1]]);
  }
  return merged.filter(([s, e]) => e > fromMs && s < toMs);
}

function applyOverrides(piece: Shift, overrides: OverrideSpec[]): Shift[] {
  const cuts = new Set([piece.startMs, piece.endMs]);
  for (const o of overrides) {
    if (o.startMs > piece.startMs && o.startMs < piece.endMs) cuts.add(o.startMs);
    if (o.endMs > piece.startMs && o.endMs < piece.endMs) cuts.add(o.endMs);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Shift[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const s = points[i] as number;
    const e = points[i + 1] as number;
    // The override listed last wins where overrides overlap.
    let winner: OverrideSpec | undefined;
    for (const o of overrides) if (o.startMs <= s && o.endMs >= e) winner = o;
    const next: Shift = winner
      ? {
          contactIds: winner.newContactIds,
          startMs: s,
          endMs: e,
          type: 'OVERRIDDEN',
          overriddenContactIds: piece.contactIds,
        }
      : { contactIds: piece.contactIds, startMs: s, endMs: e, type: 'REGULAR' };
    const last = out[out.length - 1];
    if (last && last.type === next.type && last.endMs === s && last.contactIds === next.contactIds)
      last.endMs = e;
    else out.push(next);
  }
  return out;
}

/**
 * Shifts overlapping [windowStartMs, windowEndMs), whole (not clipped to the window), in time order.
 */
export function computeShifts(
  spec: RotationSpec,
  overrides: OverrideSpec[],
  windowStartMs: number,
  windowEndMs: number,
): Shift[] {
  if (spec.contactIds.length === 0 || windowEndMs <= windowStartMs || windowEndMs <= spec.startMs) return [];
  const b = boundaries(spec, windowEndMs);
  const n = Math.max(1, spec.recurrence.NumberOfOnCalls);
  const count = spec.contactIds.length;
  const out: Shift[] = [];
  for (let k = 0; k + 1 < b.length; k++) {
    const s = b[k] as number;
    const e = b[k + 1] as number;
    if (e <= windowStartMs || s >= windowEndMs) continue;
    const contacts: string[] = [];
    for (let i = 0; i < Math.min(n, count); i++)
      contacts.push(spec.contactIds[(k * n + i) % count] as string);
    const cov = coverageIntervals(spec, s, e);
    const pieces: [number, number][] =
      cov === null ? [[s, e]] : cov.map(([cs, ce]) => [Math.max(cs, s), Math.min(ce, e)]);
    for (const [ps, pe] of pieces) {
      if (pe <= windowStartMs || ps >= windowEndMs || pe <= ps) continue;
      const regular: Shift = { contactIds: contacts, startMs: ps, endMs: pe, type: 'REGULAR' };
      out.push(...applyOverrides(regular, overrides));
    }
  }
  return out.filter((x) => x.endMs > windowStartMs && x.startMs < windowEndMs);
}

/** Whether a recurrence has exactly one of Daily/Weekly/MonthlySettings, non-empty. */
export function settingsKind(r: Recurrence): 'daily' | 'weekly' | 'monthly' | 'none' | 'several' {
  const kinds = [
    r.DailySettings?.length ? 'daily' : undefined,
    r.WeeklySettings?.length ? 'weekly' : undefined,
    r.MonthlySettings?.length ? 'monthly' : undefined,
  ].filter((x) => x !== undefined);
  if (kinds.length === 0) return 'none';
  if (kinds.length > 1) return 'several';
  return kinds[0] as 'daily' | 'weekly' | 'monthly';
}
