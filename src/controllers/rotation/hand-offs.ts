// The next hand-offs of a rotation, from the shifts AWS computes (ListRotationShifts): the moments
// the on-call set changes to other people, who hands over to whom, in the rotation's time zone.
// A shift's end is no hand-off when the same people are on call at the next shift (business-hours
// coverage splits one person's week into daily windows); an override is one, and so is its end.
// Pure: the shifts, "now" and the zone come in.
import type { ShiftState } from './mapping.ts';

/** How many hand-offs status lists. */
export const NEXT_HAND_OFFS = 5;
/**
 * Shifts are read from this long before now: when nobody is on call now (outside the coverage
 * windows), the people who hand over are those of the last shift, at most a week ago.
 */
export const HAND_OFF_LOOKBACK_MS = 8 * 86_400_000;

export interface HandOff {
  /** When the new people take over (UTC). */
  time: string;
  /** The same instant in the rotation's time zone, RFC 3339 with that zone's offset then. */
  localTime: string;
  /** Who was on call before (the last shift before this one; empty before the rotation's first shift). */
  from: string[];
  /** Who takes over. */
  to: string[];
  /** An override makes (or ends) this hand-off. */
  overridden: boolean;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** The next `limit` hand-offs after `asOf`, from shifts in any order (earlier ones say who hands over). */
export function handOffsFromShifts(
  shifts: readonly ShiftState[],
  asOf: number,
  zone: string,
  limit = NEXT_HAND_OFFS,
): HandOff[] {
  const sorted = [...shifts].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  let on: ShiftState | undefined;
  const out: HandOff[] = [];
  for (const s of sorted) {
    if (Date.parse(s.start) <= asOf) {
      on = s;
      continue;
    }
    if (out.length >= limit) break;
    if (on && sameSet(on.contactIds, s.contactIds)) {
      on = s;
      continue;
    }
    const at = Date.parse(s.start);
    out.push({
      time: new Date(at).toISOString(),
      localTime: localTime(at, zone),
      from: on ? [...on.contactIds] : [],
      to: [...s.contactIds],
      overridden: s.overridden || (on?.overridden ?? false),
    });
    on = s;
  }
  return out;
}

const formatters = new Map<string, Intl.DateTimeFormat | undefined>();

function formatter(zone: string): Intl.DateTimeFormat | undefined {
  if (!formatters.has(zone)) {
    let f: Intl.DateTimeFormat | undefined;
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      f = undefined; // an unknown zone: the UTC time is said instead
    }
    formatters.set(zone, f);
  }
  return formatters.get(zone);
}

/** `ms` as wall time in `zone` with its offset then, e.g. 2027-03-15T09:00:00-07:00. */
export function localTime(ms: number, zone: string): string {
  const f = formatter(zone);
  if (!f) return new Date(ms).toISOString().replace('.000Z', 'Z');
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  const wall = `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
  const offsetMin = Math.round((Date.parse(`${wall}Z`) - Math.floor(ms / 1000) * 1000) / 60_000);
  if (offsetMin === 0) return `${wall}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
