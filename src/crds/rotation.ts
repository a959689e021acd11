// Rotation: the shift pattern inside an on-call schedule (ssm-contacts rotation, own ARN and tags),
// with one-off overrides.
import {
  commonStatusProperties,
  contactArn,
  contactsTags,
  exactlyOne,
  type ManagedResource,
  managedSpecProperties,
  objectRef,
} from './common.ts';
import {
  bool,
  celRule,
  enumOf,
  immutable,
  int,
  list,
  obj,
  optional,
  type Static,
  str,
  timestamp,
} from './schema-kit.ts';

import { DAYS_OF_WEEK, MAX_OVERRIDES } from './values.ts';

export { DAY_OF_WEEK_FROM_AWS, DAY_OF_WEEK_TO_AWS, DAYS_OF_WEEK, MAX_OVERRIDES } from './values.ts';
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

export const ROTATION_NAME_PATTERN = '^[a-zA-Z0-9_\\-\\s\\.]*$';
export const TIME_ZONE_PATTERN = '^[:a-zA-Z0-9_\\-\\s\\.\\\\/]*$';
/** 24-hour `HH:MM`; maps to ssm-contacts HandOffTime {HourOfDay, MinuteOfHour}. */
export const TIME_OF_DAY_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

function timeOfDay(description: string) {
  return str({
    description: `${description} 24-hour HH:MM.`,
    minLength: 5,
    maxLength: 5,
    pattern: TIME_OF_DAY_PATTERN,
  });
}

/** Parse `HH:MM` into the ssm-contacts HandOffTime shape. */
export function parseTimeOfDay(value: string): { hourOfDay: number; minuteOfHour: number } {
  const m = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(value);
  if (!m) throw new Error(`invalid time of day "${value}": expected 24-hour HH:MM`);
  return { hourOfDay: Number(m[1]), minuteOfHour: Number(m[2]) };
}

export function formatTimeOfDay(t: { hourOfDay: number; minuteOfHour: number }): string {
  return `${String(t.hourOfDay).padStart(2, '0')}:${String(t.minuteOfHour).padStart(2, '0')}`;
}

const member = obj(
  {
    contactRef: optional(objectRef('Contact (type Personal)')),
    contactArn: optional(contactArn('ARN of a personal contact not managed in this cluster.')),
  },
  {
    description: 'A personal contact: exactly one of contactRef or contactArn.',
    rules: [exactlyOne(['contactRef', 'contactArn'], 'each contact entry')],
  },
);

const minutes = (field: string) => `(int(${field}.substring(0, 2)) * 60 + int(${field}.substring(3, 5)))`;

const coverage = obj(
  {
    dayOfWeek: enumOf(DAYS_OF_WEEK, { description: 'Day of the week the windows apply to.' }),
    windows: list(
      obj(
        {
          start: timeOfDay('Start of the window.'),
          end: timeOfDay('End of the window (may be past midnight).'),
        },
        {
          description: 'A coverage window.',
          rules: [
            celRule(
              `(${minutes('self.end')} - ${minutes('self.start')} + 1440) % 1440 >= 30`,
              'end must be at least 30 minutes after start (a coverage window lasts 30 minutes or more)',
            ),
          ],
        },
      ),
      {
        description: 'Windows on that day during which the rotation is on call.',
        minItems: 1,
        maxItems: 10,
        listType: 'atomic',
      },
    ),
  },
  { description: 'Shift coverage for one day of the week.' },
);

const recurrence = obj(
  {
    numberOfOnCalls: int({
      description: 'How many members are on call at the same time.',
      minimum: 1,
      maximum: 30,
    }),
    recurrenceMultiplier: int({
      description: 'Shift length in units of the recurrence (e.g. 3 with weekly = three weeks each).',
      minimum: 1,
      maximum: 100,
    }),
    dailySettings: optional(
      list(timeOfDay('Hand-off time.'), {
        description: 'Daily hand-off times.',
        minItems: 1,
        maxItems: 24,
        listType: 'atomic',
      }),
    ),
    weeklySettings: optional(
      list(
        obj(
          {
            dayOfWeek: enumOf(DAYS_OF_WEEK, { description: 'Hand-off day.' }),
            handOffTime: timeOfDay('Hand-off time.'),
          },
          { description: 'A weekly hand-off.' },
        ),
        { description: 'Weekly hand-offs.', minItems: 1, maxItems: 7, listType: 'atomic' },
      ),
    ),
    monthlySettings: optional(
      list(
        obj(
          {
            dayOfMonth: int({ description: 'Hand-off day of the month.', minimum: 1, maximum: 31 }),
            handOffTime: timeOfDay('Hand-off time.'),
          },
          { description: 'A monthly hand-off.' },
        ),
        { description: 'Monthly hand-offs.', minItems: 1, maxItems: 31, listType: 'atomic' },
      ),
    ),
    shiftCoverages: optional(
      list(coverage, {
        description:
          'Days and hours covered; days not listed have no coverage. Absent means 24-hour coverage.',
        maxItems: 7,
        listType: 'map',
        mapKeys: ['dayOfWeek'],
      }),
    ),
  },
  {
    description: 'How often shifts hand off and which hours are covered.',
    rules: [exactlyOne(['dailySettings', 'weeklySettings', 'monthlySettings'], 'recurrence')],
  },
);

const override = obj(
  {
    startTime: timestamp('Start of the override (RFC 3339).'),
    endTime: timestamp('End of the override (RFC 3339).'),
    newContacts: list(member, {
      description:
        'Who is on call instead during the window; they must be members of the rotation (checked by the controller). Empty means nobody.',
      maxItems: 30,
      listType: 'atomic',
    }),
  },
  {
    description: 'A one-off change replacing the on-call members for a time window.',
    rules: [
      // date-time strings are CEL timestamps in the API server, so they subtract directly.
      celRule(
        "self.endTime - self.startTime >= duration('30m')",
        'an override must last at least 30 minutes (endTime ≥ startTime + 30m)',
      ),
    ],
  },
);

export const RotationSpecSchema = obj(
  {
    name: str({
      description: 'Rotation name: letters, digits, spaces, _ - and . (no colons); immutable.',
      minLength: 1,
      maxLength: 255,
      pattern: ROTATION_NAME_PATTERN,
      rules: [immutable('name')],
    }),
    contacts: list(member, {
      description: 'Personal contacts in shift order.',
      minItems: 1,
      maxItems: 30,
      listType: 'atomic',
    }),
    startTime: optional(
      timestamp('When the rotation starts (RFC 3339); never moved into the past by the controller.'),
    ),
    timeZoneId: str({
      description: 'IANA time zone, e.g. Europe/Dublin or UTC (abbreviations such as PST are rejected).',
      minLength: 1,
      maxLength: 255,
      pattern: TIME_ZONE_PATTERN,
    }),
    recurrence,
    overrides: optional(
      list(override, {
        description:
          'One-off overrides, at most 200. Each newContacts entry must be a member of the rotation (listed in contacts; checked by the controller). When set (even empty) the rotation has exactly these: others in AWS are deleted, and a changed entry is replaced (AWS cannot update an override). When absent, overrides made in the console are left alone. Entries that have ended are ignored, never re-created; remove them at leisure.',
        maxItems: MAX_OVERRIDES,
        listType: 'atomic',
      }),
    ),
    tags: optional(contactsTags),
    ...managedSpecProperties('Delete'),
  },
  // That override newContacts are members is checked by the controller (validate.ts), not in CEL:
  // a loop over contacts inside two nested loops cost so much that spec.overrides was held to 10.
  { description: 'Desired state of the rotation.' },
);
export type RotationSpec = Static<typeof RotationSpecSchema>;

export const RotationStatusSchema = obj(
  {
    ...commonStatusProperties,
    contactArns: optional(
      list(str({ description: 'Contact ARN.', maxLength: 2048 }), {
        description: 'Resolved member ARNs, in shift order.',
        maxItems: 30,
        listType: 'atomic',
      }),
    ),
    overrides: optional(
      list(
        obj(
          {
            id: str({ description: 'Override id in AWS.', maxLength: 256 }),
            startTime: timestamp('Start.'),
            endTime: timestamp('End.'),
            contactArns: optional(
              list(str({ description: 'Contact ARN.', maxLength: 2048 }), {
                description: 'Who is on call instead during the override.',
                maxItems: 30,
                listType: 'atomic',
              }),
            ),
          },
          { description: 'An override that exists in AWS.' },
        ),
        {
          description: `Overrides in force or still to come, as AWS has them (ended ones are not listed; the first ${MAX_OVERRIDES} by start).`,
          maxItems: MAX_OVERRIDES,
          listType: 'atomic',
        },
      ),
    ),
    nextHandOffs: optional(
      list(
        obj(
          {
            time: timestamp('When the new people take over.'),
            localTime: str({
              description:
                "The same instant in the rotation's time zone, RFC 3339 with that zone's offset (2027-03-15T09:00:00-07:00).",
              maxLength: 32,
            }),
            fromContactArns: list(str({ description: 'Contact ARN.', maxLength: 2048 }), {
              description: 'Who hands over: on call in the shift before (empty before the first shift).',
              maxItems: 30,
              listType: 'atomic',
            }),
            toContactArns: list(str({ description: 'Contact ARN.', maxLength: 2048 }), {
              description: 'Who takes over.',
              maxItems: 30,
              listType: 'atomic',
            }),
            overridden: optional(bool({ description: 'True when an override makes or ends this hand-off.' })),
          },
          {
            description:
              'A change of who is on call, as AWS computes the shifts (time zone, daylight saving, coverage windows and overrides applied); the end of a coverage window followed by the same people is none.',
          },
        ),
        { description: 'The next five hand-offs after now.', maxItems: 5, listType: 'atomic' },
      ),
    ),
    onCallNow: optional(
      list(str({ description: 'Contact ARN.', maxLength: 2048 }), {
        description: 'Who is on call right now.',
        maxItems: 30,
        listType: 'atomic',
      }),
    ),
    nextHandOffTime: optional(
      timestamp(
        'When onCallNow next changes: the end of the current shift (or coverage window), else the start of the next. The next hand-off to other people is nextHandOffs[0].',
      ),
    ),
  },
  { description: 'Observed state of the rotation.' },
);
export type RotationStatus = Static<typeof RotationStatusSchema>;

export type Rotation = ManagedResource<RotationSpec, RotationStatus> & { kind: 'Rotation' };
