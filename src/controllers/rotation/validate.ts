// Controller-side checks for Rotation that the CRD schema cannot express (domain doc §2.3, §5, §7):
// each names the field, the rule and the way out.
import { IANAZone } from 'luxon';
import type { Rotation } from '../../crds/rotation.ts';
import { EXTERNAL_ARN_ANNOTATION } from '../../crds/values.ts';
import { type FieldError, keyOf } from '../../engine/contract.ts';
import { OWNER_TAG_COUNT } from '../../engine/identity.ts';
import { MAX_TAGS } from '../shared/contacts-tags.ts';
import { reservedTagKeyErrors } from '../shared/tag-rules.ts';

/** AWS accepts overrides on shifts at most 6 months ahead. */
export const OVERRIDE_MAX_AHEAD_MONTHS = 6;
/** ssm-contacts allows 50 tags; the controller's identity tags take up to 4 of them. */
export const MAX_USER_TAGS = MAX_TAGS - OWNER_TAG_COUNT;

const MINUTES = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/**
 * An IANA region-based zone ("Europe/Dublin") or UTC/GMT. Abbreviations such as PST or EST are
 * refused even where the runtime's time-zone data knows them: they are not what AWS accepts.
 */
export function timeZoneProblem(zone: string): string | undefined {
  if (zone === 'UTC' || zone === 'GMT') return undefined;
  if (!zone.includes('/') || !/^[A-Z]/.test(zone))
    return `"${zone}" is not an IANA time zone name; use a region-based name such as America/Los_Angeles, Europe/Dublin or UTC (abbreviations like PST have no daylight-saving rules)`;
  if (!IANAZone.isValidZone(zone))
    return `"${zone}" is not a known IANA time zone; use a name such as America/Los_Angeles, Europe/Dublin or UTC`;
  return undefined;
}

function entryKey(c: { contactRef?: { name: string; namespace?: string }; contactArn?: string }, ns: string) {
  return c.contactArn ?? `${c.contactRef?.namespace ?? ns}/${c.contactRef?.name}`;
}

export interface ValidateDeps {
  nowMs: number;
  /** Informer-cache read: referenced contacts are personal ones; a ref's ARN (its external-arn). */
  lookup?: (
    key: string,
  ) => { spec?: unknown; metadata?: { annotations?: Record<string, string> } } | undefined;
}

type Entry = { contactRef?: { name: string; namespace?: string }; contactArn?: string };

/**
 * Keys an override contact may match a member by: its ref or ARN, and for a ref the ARN of the
 * Contact it names when the cache knows it (a member listed by ref matches an override naming its
 * ARN, and the other way round).
 */
function memberKeys(c: Entry, ns: string, lookup: ValidateDeps['lookup']): string[] {
  const keys = [entryKey(c, ns)];
  if (c.contactRef && lookup) {
    const arn = lookup(keyOf('Contact', c.contactRef.namespace ?? ns, c.contactRef.name))?.metadata
      ?.annotations?.[EXTERNAL_ARN_ANNOTATION];
    if (arn) keys.push(arn);
  }
  return keys;
}

export function validateRotation(mr: Rotation, deps: ValidateDeps): FieldError[] {
  const errs: FieldError[] = [];
  const s = mr.spec;
  const ns = mr.metadata.namespace ?? '';
  const err = (path: string, rule: string, message: string) => errs.push({ path, rule, message });

  const zone = timeZoneProblem(s.timeZoneId);
  if (zone) err('spec.timeZoneId', 'IanaTimeZone', zone);

  const seen = new Map<string, number>();
  s.contacts.forEach((c, i) => {
    const k = entryKey(c, ns);
    const first = seen.get(k);
    if (first !== undefined)
      err(
        `spec.contacts[${i}]`,
        'UniqueContacts',
        `the same contact as spec.contacts[${first}]; each contact may appear once in a rotation`,
      );
    else seen.set(k, i);
    if (c.contactRef && deps.lookup) {
      const target = deps.lookup(keyOf('Contact', c.contactRef.namespace ?? ns, c.contactRef.name)) as
        | { spec?: { type?: string } }
        | undefined;
      const type = target?.spec?.type;
      if (type !== undefined && type !== 'Personal')
        err(
          `spec.contacts[${i}].contactRef`,
          'PersonalContactsOnly',
          `Contact ${c.contactRef.name} is of type ${type}; a rotation takes personal contacts only`,
        );
    }
  });

  const r = s.recurrence;
  if (r.numberOfOnCalls > s.contacts.length)
    err(
      'spec.recurrence.numberOfOnCalls',
      'OnCallsWithinContacts',
      `${r.numberOfOnCalls} people on call at once but the rotation has ${s.contacts.length} contact(s); lower numberOfOnCalls or add contacts`,
    );
  const dupes = (values: string[], path: string, what: string) => {
    const d = values.find((v, i) => values.indexOf(v) !== i);
    if (d !== undefined) err(path, 'UniqueHandOffs', `${what} ${d} is listed more than once`);
  };
  if (r.dailySettings) dupes(r.dailySettings, 'spec.recurrence.dailySettings', 'hand-off time');
  if (r.weeklySettings)
    dupes(
      r.weeklySettings.map((w) => `${w.dayOfWeek} ${w.handOffTime}`),
      'spec.recurrence.weeklySettings',
      'hand-off',
    );
  if (r.monthlySettings)
    dupes(
      r.monthlySettings.map((m) => `day ${m.dayOfMonth} ${m.handOffTime}`),
      'spec.recurrence.monthlySettings',
      'hand-off',
    );
  (r.shiftCoverages ?? []).forEach((c, i) => {
    // Windows of one day as minute ranges (an end at or before the start runs past midnight).
    const ranges = c.windows.map((w) => {
      const a = MINUTES(w.start);
      const b = MINUTES(w.end);
      return [a, b <= a ? b + 1440 : b] as const;
    });
    for (let x = 0; x < ranges.length; x++)
      for (let y = x + 1; y < ranges.length; y++) {
        const [a1, b1] = ranges[x] ?? [0, 0];
        const [a2, b2] = ranges[y] ?? [0, 0];
        if (a1 < b2 && a2 < b1)
          err(
            `spec.recurrence.shiftCoverages[${i}].windows[${y}]`,
            'NonOverlappingWindows',
            `overlaps windows[${x}] on ${c.dayOfWeek}; merge them into one window`,
          );
      }
  });

  // Override contacts must be members (AWS refuses others at create time). Checked here rather than
  // in CEL: the rule's cost, a loop over contacts inside two nested loops, held spec.overrides to 10.
  const members = new Set(s.contacts.flatMap((c) => memberKeys(c, ns, deps.lookup)));
  (s.overrides ?? []).forEach((o, j) => {
    o.newContacts.forEach((n, k) => {
      if (!memberKeys(n, ns, deps.lookup).some((key) => members.has(key)))
        err(
          `spec.overrides[${j}].newContacts[${k}]`,
          'OverrideMembers',
          `${n.contactRef ? `Contact ${n.contactRef.namespace ? `${n.contactRef.namespace}/` : ''}${n.contactRef.name}` : n.contactArn} is not a member of the rotation; an override hands shifts to members only: add it to spec.contacts or name a member`,
        );
    });
  });

  const horizon = new Date(deps.nowMs);
  horizon.setUTCMonth(horizon.getUTCMonth() + OVERRIDE_MAX_AHEAD_MONTHS);
  (s.overrides ?? []).forEach((o, j) => {
    const start = Date.parse(o.startTime);
    const end = Date.parse(o.endTime);
    if (!(end > start))
      err(`spec.overrides[${j}].endTime`, 'OverrideWindow', 'endTime must be after startTime');
    else if (end > horizon.getTime())
      err(
        `spec.overrides[${j}].endTime`,
        'OverrideHorizon',
        `ends ${o.endTime}, more than ${OVERRIDE_MAX_AHEAD_MONTHS} months ahead (AWS accepts overrides up to ${horizon.toISOString()}); add it later`,
      );
  });

  const tags = Object.keys(s.tags ?? {});
  if (tags.length > MAX_USER_TAGS)
    err(
      'spec.tags',
      'TagQuota',
      `${tags.length} tags; at most ${MAX_USER_TAGS} (AWS allows ${MAX_TAGS} and the controller uses up to ${OWNER_TAG_COUNT} to recognise its rotation)`,
    );
  errs.push(...reservedTagKeyErrors(s.tags));
  return errs;
}
