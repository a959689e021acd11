// The JSON that `imctl plan --output json` prints, as a TypeBox schema: the TS types, the checker
// the tests use, and the JSON Schema docs/plan.md publishes (a unit test keeps the doc in step).
import Type, { type Static } from 'typebox';
import type { FieldDiff } from '../engine/contract.ts';

export const PLAN_ACTIONS = ['create', 'update', 'no-change', 'refused'] as const;

const fieldDiff = Type.Object(
  {
    path: Type.String({
      description: 'Field path in spec terms, as in the YAML (spec.stages[1].durationInMinutes).',
    }),
    desired: Type.Optional(
      Type.Unknown({ description: 'What the spec asks for; references by name; absent = nothing.' }),
    ),
    observed: Type.Optional(
      Type.Unknown({ description: 'What AWS has; references by name; absent = nothing.' }),
    ),
    updatable: Type.Boolean({
      description: 'false: AWS cannot change this field in place (the object is refused).',
    }),
    remedy: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const entry = Type.Object(
  {
    kind: Type.String(),
    namespace: Type.Optional(Type.String()),
    name: Type.String(),
    account: Type.String({
      description: 'AWSAccount name (spec.accountRef), or "default" for the controller’s own.',
    }),
    action: Type.Union([
      Type.Literal('create'),
      Type.Literal('update'),
      Type.Literal('no-change'),
      Type.Literal('refused'),
    ]),
    identity: Type.Optional(Type.String({ description: 'ARN of the AWS object, when it exists.' })),
    reason: Type.Optional(
      Type.String({
        description: 'Condition reason the controller would set (InvalidSpec, ReferencesNotReady, …).',
      }),
    ),
    message: Type.Optional(Type.String({ description: 'The message the controller would set, or a note.' })),
    diff: Type.Array(fieldDiff),
  },
  { additionalProperties: false },
);

const account = Type.Object(
  {
    name: Type.String(),
    accountId: Type.Optional(Type.String()),
    callerArn: Type.Optional(Type.String({ description: 'Identity the credentials resolved to.' })),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const PlanOutputSchema = Type.Object(
  {
    apiVersion: Type.Literal('imctl.incidentmanager.gitops.dev/plan/v1'),
    summary: Type.Object(
      {
        create: Type.Integer({ minimum: 0 }),
        update: Type.Integer({ minimum: 0 }),
        noChange: Type.Integer({ minimum: 0 }),
        refused: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    accounts: Type.Array(account),
    objects: Type.Array(entry, { description: 'In dependency order.' }),
  },
  { additionalProperties: false, $id: 'https://incidentmanager.gitops.dev/schemas/plan-v1.json' },
);

type Output = Static<typeof PlanOutputSchema>;
/** An entry; `diff` is the engine's FieldDiff list (an absent value is simply left out of the JSON). */
export type PlanEntry = Omit<Output['objects'][number], 'diff'> & { diff: FieldDiff[] };
export type PlanAccount = Output['accounts'][number];
export type PlanOutput = Omit<Output, 'objects'> & { objects: PlanEntry[] };
export type PlanAction = (typeof PLAN_ACTIONS)[number];

/** The schema as plain JSON (what docs/plan.md shows). */
export function planJsonSchema(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(PlanOutputSchema)) as Record<string, unknown>;
}
