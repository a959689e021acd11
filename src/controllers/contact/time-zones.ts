// An on-call schedule whose rotations hand off in time zones that switch daylight saving time on
// different dates: between those dates the rotations' hand-offs move against each other by an hour,
// which opens a gap or an overlap in coverage. Pure: the zones and the year come from the observation.
import type { KindCondition } from '../../engine/contract.ts';

export interface RotationZones {
  /** The current year (UTC); this year's and next year's switch dates are named. */
  year: number;
  rotations: { rotationArn: string; timeZone: string }[];
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat | undefined>();

/** The zone's UTC offset at `ms` as Intl prints it ("GMT+01:00"); undefined for an unknown zone. */
function offsetAt(zone: string, ms: number): string | undefined {
  if (!formatters.has(zone)) {
    let f: Intl.DateTimeFormat | undefined;
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      f = undefined;
    }
    formatters.set(zone, f);
  }
  return formatters
    .get(zone)
    ?.formatToParts(ms)
    .find((p) => p.type === 'timeZoneName')?.value;
}

/** The dates (YYYY-MM-DD, UTC) on which the zone's offset changes in `year`; [] without DST. */
export function dstSwitchDates(zone: string, year: number): string[] {
  const out: string[] = [];
  const start = Date.UTC(year, 0, 1, 12);
  let prev = offsetAt(zone, start - DAY_MS);
  // Noon UTC each day: a switch (at night, local time) shows as a changed offset on its date.
  for (let ms = start; new Date(ms).getUTCFullYear() === year; ms += DAY_MS) {
    const now = offsetAt(zone, ms);
    if (now !== prev) out.push(new Date(ms).toISOString().slice(0, 10));
    prev = now;
  }
  return out;
}

const rotationName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1) || arn;

/** TimeZonesAligned for a schedule's rotations (the type of the condition and its reasons). */
export function timeZoneAdvice(z: RotationZones): KindCondition {
  const dates = new Map<string, string[]>();
  for (const { timeZone } of z.rotations)
    if (!dates.has(timeZone))
      dates.set(timeZone, [...dstSwitchDates(timeZone, z.year), ...dstSwitchDates(timeZone, z.year + 1)]);
  const patterns = new Set([...dates.values()].map((d) => d.join(',')));
  if (patterns.size <= 1)
    return {
      type: 'TimeZonesAligned',
      status: 'True',
      reason: 'TimeZonesAligned',
      message:
        dates.size <= 1
          ? `Every rotation hands off in ${[...dates.keys()][0] ?? 'one time zone'}`
          : `The rotations' time zones (${[...dates.keys()].join(', ')}) switch daylight saving time on the same dates`,
    };
  // The zone most rotations use (the first of a tie), as the one to move the others to.
  const uses = new Map<string, number>();
  for (const r of z.rotations) uses.set(r.timeZone, (uses.get(r.timeZone) ?? 0) + 1);
  const suggested = [...uses].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  const each = z.rotations.map((r) => {
    const d = dates.get(r.timeZone) ?? [];
    return `${rotationName(r.rotationArn)} (${r.timeZone}) ${d.length > 0 ? `on ${d.join(', ')}` : 'never'}`;
  });
  return {
    type: 'TimeZonesAligned',
    status: 'False',
    reason: 'DaylightSavingMismatch',
    message: `The rotations switch daylight saving time on different dates in ${z.year}–${z.year + 1}: ${each.join('; ')}; around those dates their hand-offs move an hour against each other (gaps or overlaps in coverage): give every rotation one time zone, e.g. ${suggested}`,
  };
}
