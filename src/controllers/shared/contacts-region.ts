// An ssm-contacts resource of this account in another Region than the account's contacts Region (the
// replication set's first Region, src/aws/contacts-region.ts): adopted by the external-arn annotation,
// or created before the controller addressed the first Region. Managing it there would fail on every
// tag, and the controller never moves a resource, so it is refused with both Regions and the way out.
import type { ClientSet } from '../../aws/accounts.ts';
import { regionOfArn } from '../../aws/contacts-region.ts';
import { EXTERNAL_ARN_ANNOTATION } from '../../crds/values.ts';
import { ClassifiedError, type ManagedObject } from '../../engine/contract.ts';

/**
 * Throws ContactsRegionMismatch when `arn` (this account's) is in another Region than the contacts
 * Region and this pass may write to it (`ctx.writes`, the engine's decision). A pass that only reads
 * (Observe, a resource another account shares, which lives in its owner's Region) is allowed.
 */
export async function refuseOtherRegion(
  clients: Pick<ClientSet, 'contactsRegion'>,
  arn: string,
  mr: ManagedObject,
  ctx: { writes: boolean },
  what: string,
): Promise<void> {
  if (!ctx.writes) return;
  const at = regionOfArn(arn);
  if (at === undefined) return;
  const first = await clients.contactsRegion();
  if (at === first) return;
  const deleting = mr.metadata.deletionTimestamp !== undefined;
  const adopted = mr.metadata.annotations?.[EXTERNAL_ARN_ANNOTATION] === arn;
  const why = `${what} ${arn} is in ${at}, but this account's ssm-contacts resources belong in ${first}, the replication set's first Region and the only one where ssm-contacts accepts tags (status.contactsRegion of its AWSAccount); the controller moves nothing`;
  const fix = deleting
    ? `set spec.deletionPolicy: Retain to let this object go and delete ${arn} in ${at} yourself`
    : adopted
      ? `point the ${EXTERNAL_ARN_ANNOTATION} annotation at the resource in ${first}, or set spec.managementPolicy: Observe to report this one read-only`
      : `set spec.managementPolicy: Observe to report it read-only, or delete this object with spec.deletionPolicy: Retain and apply it again to create it in ${first}`;
  throw new ClassifiedError('InvalidSpec', `${why}: ${fix}`, {
    field: adopted ? `metadata.annotations.${EXTERNAL_ARN_ANNOTATION}` : 'status.arn',
    rule: 'ContactsRegion',
    reason: 'ContactsRegionMismatch',
  });
}
