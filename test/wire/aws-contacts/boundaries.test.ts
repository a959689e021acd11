// Boundary conformance generated from the core's model table (not typed by hand): for every
// constrained input member reachable from a valid request of each implemented ssm-contacts
// operation, a value just inside its bounds must pass model validation and a value just outside
// must be a ValidationException (HTTP 400) naming that member.
import * as sdk from '@aws-sdk/client-ssm-contacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundCases, constrainedPaths } from '../../../src/emulators/aws/model/bounds.ts';
import { MODELS } from '../../../src/emulators/aws/model/generated.ts';
import type { MemberDef, ModelTable, ShapeDef } from '../../../src/emulators/aws/model/types.ts';
import { validateInput } from '../../../src/emulators/aws/model/validate.ts';
import { type ContactsHarness, type failure, startContactsHarness } from './helpers.ts';

const table = MODELS['ssm-contacts'] as ModelTable;
const ARN = 'arn:aws:ssm-contacts:us-east-1:111111111111:contact/alice';
const ROT = 'arn:aws:ssm-contacts:us-east-1:111111111111:rotation/primary';
const CH =
  'arn:aws:ssm-contacts:us-east-1:111111111111:contact-channel/alice/0b5e3a6e-1b4c-4b5e-9a1e-2f6f1d7c9a10';
const T0 = new Date('2026-02-01T00:00:00Z');
const T1 = new Date('2026-02-02T00:00:00Z');
const nine = { HourOfDay: 9, MinuteOfHour: 0 };
// Model-valid with all three settings (the one-of rule is the service's, not the model's), so
// every recurrence member has cases.
const recurrence = {
  NumberOfOnCalls: 1,
  RecurrenceMultiplier: 1,
  DailySettings: [nine],
  WeeklySettings: [{ DayOfWeek: 'MON', HandOffTime: nine }],
  MonthlySettings: [{ DayOfMonth: 1, HandOffTime: nine }],
  ShiftCoverages: { MON: [{ Start: nine, End: { HourOfDay: 17, MinuteOfHour: 0 } }] },
};

// Model-valid requests (checked below); the generated cases vary one member at a time.
const BASE: Record<string, Record<string, unknown>> = {
  CreateContact: {
    Alias: 'alice',
    DisplayName: 'Alice',
    Type: 'ESCALATION',
    Plan: {
      Stages: [
        {
          DurationInMinutes: 5,
          // Both target kinds in one target: model-valid, so both get cases.
          Targets: [
            {
              ContactTargetInfo: { ContactId: ARN, IsEssential: true },
              ChannelTargetInfo: { ContactChannelId: CH, RetryIntervalInMinutes: 1 },
            },
          ],
        },
      ],
      RotationIds: [ROT],
    },
    Tags: [{ Key: 'team', Value: 'sre' }],
    IdempotencyToken: 'token-1',
  },
  GetContact: { ContactId: ARN },
  ListContacts: { AliasPrefix: 'al', Type: 'PERSONAL', MaxResults: 10, NextToken: 'abc' },
  UpdateContact: {
    ContactId: ARN,
    DisplayName: 'Alice',
    Plan: {
      Stages: [
        {
          DurationInMinutes: 0,
          Targets: [
            {
              ChannelTargetInfo: { ContactChannelId: CH, RetryIntervalInMinutes: 1 },
              ContactTargetInfo: { ContactId: ARN, IsEssential: true },
            },
          ],
        },
      ],
      RotationIds: [ROT],
    },
  },
  DeleteContact: { ContactId: ARN },
  CreateContactChannel: {
    ContactId: ARN,
    Name: 'phone',
    Type: 'SMS',
    DeliveryAddress: { SimpleAddress: '+15555550100' },
    DeferActivation: true,
    IdempotencyToken: 'token-2',
  },
  GetContactChannel: { ContactChannelId: CH },
  ListContactChannels: { ContactId: ARN, MaxResults: 10, NextToken: 'abc' },
  UpdateContactChannel: {
    ContactChannelId: CH,
    Name: 'phone',
    DeliveryAddress: { SimpleAddress: '+15555550100' },
  },
  DeleteContactChannel: { ContactChannelId: CH },
  SendActivationCode: { ContactChannelId: CH },
  ActivateContactChannel: { ContactChannelId: CH, ActivationCode: '123456' },
  DeactivateContactChannel: { ContactChannelId: CH },
  PutContactPolicy: { ContactArn: ARN, Policy: '{}' },
  GetContactPolicy: { ContactArn: ARN },
  CreateRotation: {
    Name: 'primary',
    ContactIds: [ARN],
    StartTime: T0,
    TimeZoneId: 'UTC',
    Recurrence: recurrence,
    Tags: [{ Key: 'team', Value: 'sre' }],
    IdempotencyToken: 'token-3',
  },
  GetRotation: { RotationId: ROT },
  ListRotations: { RotationNamePrefix: 'pri', MaxResults: 10, NextToken: 'abc' },
  UpdateRotation: {
    RotationId: ROT,
    ContactIds: [ARN],
    StartTime: T0,
    TimeZoneId: 'UTC',
    Recurrence: recurrence,
  },
  DeleteRotation: { RotationId: ROT },
  CreateRotationOverride: {
    RotationId: ROT,
    NewContactIds: [ARN],
    StartTime: T0,
    EndTime: T1,
    IdempotencyToken: 'token-4',
  },
  GetRotationOverride: { RotationId: ROT, RotationOverrideId: '0b5e3a6e-1b4c-4b5e-9a1e-2f6f1d7c9a10' },
  ListRotationOverrides: { RotationId: ROT, StartTime: T0, EndTime: T1, MaxResults: 10, NextToken: 'abc' },
  DeleteRotationOverride: { RotationId: ROT, RotationOverrideId: '0b5e3a6e-1b4c-4b5e-9a1e-2f6f1d7c9a10' },
  ListRotationShifts: { RotationId: ROT, StartTime: T0, EndTime: T1, MaxResults: 10, NextToken: 'abc' },
  ListPreviewRotationShifts: {
    RotationStartTime: T0,
    StartTime: T0,
    EndTime: T1,
    Members: ['alice'],
    TimeZoneId: 'UTC',
    Recurrence: recurrence,
    Overrides: [{ NewMembers: ['alice'], StartTime: T0, EndTime: T1 }],
    MaxResults: 10,
    NextToken: 'abc',
  },
  TagResource: { ResourceARN: ARN, Tags: [{ Key: 'team', Value: 'sre' }] },
  UntagResource: { ResourceARN: ARN, TagKeys: ['team'] },
  ListTagsForResource: { ResourceARN: ARN },
};

interface Case {
  operation: string;
  path: string;
  label: string;
  inside: boolean;
  input: Record<string, unknown>;
}

function limitsOf(shape: ShapeDef | undefined, member: MemberDef | undefined) {
  return {
    minLen: member?.minLen ?? shape?.minLen,
    maxLen: member?.maxLen ?? shape?.maxLen,
    min: member?.min ?? shape?.min,
    max: member?.max ?? shape?.max,
    pattern: member?.pattern ?? shape?.pattern,
    enum: shape?.enum,
  };
}

/** A string of exactly `n` characters matching `pattern`, built from one repeated character, if any works. */
function stringOf(n: number, pattern: string | undefined): string | undefined {
  for (const c of ['a', '1', 'A', '+', ' ', '-']) {
    const s = c.repeat(n);
    if (!pattern || new RegExp(pattern, 'u').test(s)) return s;
  }
  return undefined;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function setAt(
  root: Record<string, unknown>,
  keys: (string | number)[],
  value: unknown,
): Record<string, unknown> {
  const copy = clone(root);
  let cur: Record<string | number, unknown> = copy;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[keys[keys.length - 1] as string | number] = value;
  return copy;
}

/** Walks the base request alongside the model and emits inside/outside values for each constrained member. */
function generate(operation: string): Case[] {
  const base = BASE[operation] as Record<string, unknown>;
  const out: Case[] = [];
  const emit = (path: string, keys: (string | number)[], label: string, inside: boolean, value: unknown) =>
    out.push({ operation, path, label, inside, input: setAt(base, keys, value) });

  const visit = (
    shapeName: string,
    member: MemberDef | undefined,
    value: unknown,
    path: string,
    keys: (string | number)[],
  ) => {
    const shape = table.shapes[shapeName];
    const l = limitsOf(shape, member);
    const type = shape?.type ?? 'string';
    if (type === 'string' && l.enum) {
      emit(path, keys, `enum ${l.enum[0]}`, true, l.enum[0]);
      emit(path, keys, 'enum NOT_A_MEMBER', false, 'NOT_A_MEMBER');
    } else if (type === 'string') {
      if (l.minLen !== undefined && l.minLen > 0) {
        const s = stringOf(l.minLen, l.pattern);
        if (s !== undefined) emit(path, keys, `length ${l.minLen}`, true, s);
        emit(path, keys, `length ${l.minLen - 1}`, false, stringOf(l.minLen - 1, undefined));
      }
      if (l.maxLen !== undefined) {
        const s = stringOf(l.maxLen, l.pattern);
        if (s !== undefined) emit(path, keys, `length ${l.maxLen}`, true, s);
        emit(
          path,
          keys,
          `length ${l.maxLen + 1}`,
          false,
          `${typeof value === 'string' ? value : ''}${'a'.repeat(l.maxLen + 1)}`.slice(-(l.maxLen + 1)),
        );
      }
      // A NUL outside the allowed characters, first and last (patterns run in linear time, so a
      // late mismatch against nested quantifiers such as the ARN pattern's is cheap too).
      if (l.pattern?.startsWith('^') && typeof value === 'string') {
        emit(path, keys, 'pattern (valid)', true, value);
        emit(path, keys, 'pattern (NUL first)', false, `\u0000${value}`);
        emit(path, keys, 'pattern (NUL last)', false, `${value}\u0000`);
      }
    } else if (type === 'integer' || type === 'number') {
      if (l.min !== undefined) {
        emit(path, keys, `value ${l.min}`, true, l.min);
        emit(path, keys, `value ${l.min - 1}`, false, l.min - 1);
      }
      if (l.max !== undefined) {
        emit(path, keys, `value ${l.max}`, true, l.max);
        emit(path, keys, `value ${l.max + 1}`, false, l.max + 1);
      }
    } else if (type === 'list' && Array.isArray(value) && value.length > 0) {
      const first = value[0];
      // Repeating the element is only "inside" when the list need not be unique.
      if (l.maxLen !== undefined && !shape?.unique) {
        emit(
          path,
          keys,
          `${l.maxLen} items`,
          true,
          Array.from({ length: l.maxLen }, () => clone(first)),
        );
        emit(
          path,
          keys,
          `${l.maxLen + 1} items`,
          false,
          Array.from({ length: l.maxLen + 1 }, () => clone(first)),
        );
      }
      if (l.minLen !== undefined && l.minLen > 0) emit(path, keys, `${l.minLen - 1} items`, false, []);
      visit(shape?.member ?? 'string', undefined, first, `${path}.1.member`, [...keys, 0]);
    } else if (type === 'map' && value && typeof value === 'object') {
      const [first] = Object.entries(value as Record<string, unknown>);
      if (!first) return;
      const keyShape = shape?.key ? table.shapes[shape.key] : undefined;
      if (keyShape?.enum)
        emit(`${path}.key`, keys, 'key enum NOT_A_MEMBER', false, { NOT_A_MEMBER: first[1] });
      visit(shape?.value ?? 'string', undefined, first[1], `${path}.value`, [...keys, first[0]]);
    } else if (type === 'structure' && value && typeof value === 'object') {
      for (const [name, m] of Object.entries(shape?.members ?? {})) {
        const v = (value as Record<string, unknown>)[name];
        if (v === undefined) continue;
        visit(m.target, m, v, path ? `${path}.${name}` : name, [...keys, name]);
      }
    }
  };
  const op = table.operations[operation];
  visit(op?.input as string, undefined, base, '', []);
  return out;
}

const IMPLEMENTED = Object.keys(BASE).sort();
const CASES = IMPLEMENTED.flatMap(generate);
// Required members removed one at a time (the core's generator; its other cases overlap the above).
const REQUIRED: Case[] = IMPLEMENTED.flatMap((operation) =>
  boundCases(table, operation, BASE[operation] as Record<string, unknown>)
    .filter((c) => c.description.endsWith('missing (required)'))
    .map((c) => ({ operation, path: c.path, label: 'missing', inside: false, input: c.input })),
);

let h: ContactsHarness;
beforeAll(async () => {
  h = await startContactsHarness();
  await h.reset();
});
afterAll(async () => {
  await h.emu.stop();
});

function command(operation: string, input: Record<string, unknown>) {
  const Ctor = (sdk as unknown as Record<string, new (i: unknown) => sdk.ListContactsCommand>)[
    `${operation}Command`
  ];
  if (!Ctor) throw new Error(`no SDK command for ${operation}`);
  return new Ctor(input);
}

describe('model-derived bounds', () => {
  it('covers every implemented operation, with model-valid base requests', () => {
    const notContactOps = [
      'AcceptPage',
      'DescribeEngagement',
      'DescribePage',
      'ListEngagements',
      'ListPageReceipts',
      'ListPageResolutions',
      'ListPagesByContact',
      'ListPagesByEngagement',
      'StartEngagement',
      'StopEngagement',
    ];
    expect(IMPLEMENTED).toEqual(
      Object.keys(table.operations)
        .filter((o) => !notContactOps.includes(o))
        .sort(),
    );
    for (const op of IMPLEMENTED) {
      const wire = JSON.parse(
        JSON.stringify(BASE[op], (_k, v) =>
          typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) / 1000 : v,
        ),
      );
      expect(validateInput(table, op, wire), op).toEqual([]);
    }
    expect(CASES.filter((c) => c.inside).length).toBeGreaterThan(60);
    expect(CASES.filter((c) => !c.inside).length).toBeGreaterThan(80);
  });

  it.each(
    CASES.map((c) => [`${c.operation} ${c.path} ${c.label} ${c.inside ? 'inside' : 'outside'}`, c] as const),
  )('%s', async (_name, c) => {
    const client = h.contacts();
    let result: Awaited<ReturnType<typeof failure>> | undefined;
    try {
      await client.send(command(c.operation, c.input));
    } catch (e) {
      const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      result = {
        name: err.name,
        message: err.message,
        status: err.$metadata?.httpStatusCode ?? 0,
        error: e as Record<string, unknown>,
      };
    }
    if (c.inside) {
      // Business errors (not found, conflict) are fine; a model violation is not.
      expect(result?.message ?? '').not.toContain('failed to satisfy constraint');
    } else {
      expect(result?.name).toBe('ValidationException');
      expect(result?.status).toBe(400);
      expect(result?.message).toContain(`at '${c.path}'`);
    }
  });

  it.each(IMPLEMENTED)('%s: every constrained member of the model has an out-of-bounds case', (operation) => {
    const covered = new Set(
      [...CASES, ...REQUIRED].filter((c) => c.operation === operation && !c.inside).map((c) => c.path),
    );
    expect(constrainedPaths(table, operation).filter((p) => !covered.has(p))).toEqual([]);
  });
});
