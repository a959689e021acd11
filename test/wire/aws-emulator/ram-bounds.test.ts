// Generated bound tests for every RAM operation the emulator serves (values from the model table).
import * as sdk from '@aws-sdk/client-ram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundCases, constrainedPaths } from '../../../src/emulators/aws/model/bounds.ts';
import { MODELS } from '../../../src/emulators/aws/model/generated.ts';
import type { ModelTable } from '../../../src/emulators/aws/model/types.ts';
import { type Harness, startHarness } from './helpers.ts';

const table = MODELS.ram as ModelTable;
const SHARE = 'arn:aws:ram:us-east-1:111111111111:resource-share/00000000-0000-4000-8000-000000000000';
const INV =
  'arn:aws:ram:us-east-1:111111111111:resource-share-invitation/00000000-0000-4000-8000-000000000000';
const PERM = 'arn:aws:ram::aws:permission/AWSRAMDefaultPermissionSSMContactsContact';
const page = { maxResults: 10 };

const BASELINES: Record<string, Record<string, unknown>> = {
  CreateResourceShare: { name: 'share', tags: [{ key: 'k', value: 'v' }] },
  GetResourceShares: { resourceOwner: 'SELF', resourceShareStatus: 'ACTIVE', ...page },
  UpdateResourceShare: { resourceShareArn: SHARE, name: 'n' },
  DeleteResourceShare: { resourceShareArn: SHARE },
  AssociateResourceShare: { resourceShareArn: SHARE },
  DisassociateResourceShare: { resourceShareArn: SHARE },
  GetResourceShareAssociations: { associationType: 'PRINCIPAL', associationStatus: 'ASSOCIATED', ...page },
  GetResourceShareInvitations: { ...page },
  AcceptResourceShareInvitation: { resourceShareInvitationArn: INV },
  RejectResourceShareInvitation: { resourceShareInvitationArn: INV },
  ListPermissions: { permissionType: 'ALL', ...page },
  GetPermission: { permissionArn: PERM },
  ListResourceSharePermissions: { resourceShareArn: SHARE, ...page },
  ListResources: { resourceOwner: 'SELF', resourceRegionScope: 'ALL', ...page },
  ListPrincipals: { resourceOwner: 'SELF', ...page },
  TagResource: { resourceShareArn: SHARE, tags: [{ key: 'k', value: 'v' }] },
  UntagResource: { resourceShareArn: SHARE, tagKeys: ['k'] },
  EnableSharingWithAwsOrganization: {},
  ListPendingInvitationResources: { resourceShareInvitationArn: INV, resourceRegionScope: 'ALL', ...page },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.emu.stop());

it('has a baseline for every RAM operation the emulator serves', () => {
  expect(Object.keys(BASELINES).sort()).toEqual(h.emu.admin.served().ram);
});

const VALIDATION = [
  'InvalidParameterException',
  'MissingRequiredParameterException',
  'InvalidMaxResultsException',
];

describe.each(Object.entries(BASELINES).filter(([op, b]) => boundCases(table, op, b).length > 0))(
  '%s',
  (operation, baseline) => {
    it.each(boundCases(table, operation, baseline).map((c) => [c.description, c] as const))(
      '%s',
      async (_d, c) => {
        const Command = (sdk as unknown as Record<string, new (i: unknown) => sdk.ListPermissionsCommand>)[
          `${operation}Command`
        ];
        if (!Command) throw new Error(`no SDK command for ${operation}`);
        let error: { name: string; status: number; message: string } | undefined;
        try {
          await h.ram().send(new Command(c.input));
        } catch (e) {
          const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
          error = { name: err.name, status: err.$metadata?.httpStatusCode ?? 0, message: err.message };
        }
        // SDK 3.523 refuses a missing required URI or query member itself (nothing is sent).
        if (
          !c.valid &&
          error?.name === 'TypeError' &&
          error.message.startsWith('Expected a non-null value for')
        )
          return;
        const named =
          error !== undefined && VALIDATION.includes(error.name) && error.message.includes(c.path);
        if (c.valid) expect(named, error?.message).toBe(false);
        else {
          expect(VALIDATION, `got ${error?.name}: ${error?.message}`).toContain(error?.name);
          expect(error?.status).toBe(400);
          expect(error?.message).toContain(c.path);
        }
      },
    );
  },
);

it.each(Object.keys(BASELINES))(
  '%s: every constrained member of the model has an out-of-bounds case',
  (operation) => {
    const covered = new Set(
      boundCases(table, operation, BASELINES[operation] ?? {})
        .filter((c) => !c.valid)
        .map((c) => c.path),
    );
    expect(constrainedPaths(table, operation).filter((p) => !covered.has(p))).toEqual([]);
  },
);
