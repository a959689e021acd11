// Rotation: canonical observed state → spec, members and override contacts as references. Overrides
// that have not ended are written (ended ones are history); with more than the spec's 10, the field
// is left out so the controller leaves AWS's overrides alone, and a comment says so.
import { type RotationState, recurrenceToSpec } from '../controllers/rotation/mapping.ts';
import type { RotationSpec } from '../crds/rotation.ts';
import { type Imported, sortedTags } from './contact.ts';
import type { RefTable } from './refs.ts';

const MAX_OVERRIDES = 10;

export function rotationSpec(o: RotationState, refs: RefTable): Imported<RotationSpec> {
  const comments: Imported<RotationSpec>['comments'] = [];
  const overrides = o.overrides ?? [];
  const spec: RotationSpec = {
    name: o.name,
    contacts: o.contactIds.map((id) => refs.member(id)),
    ...(o.startTime ? { startTime: o.startTime } : {}),
    timeZoneId: o.timeZoneId,
    recurrence: recurrenceToSpec(o.recurrence),
    ...(Object.keys(o.tags).length ? { tags: sortedTags(o.tags) } : {}),
  };
  if (overrides.length > MAX_OVERRIDES)
    comments.push({
      path: ['spec', 'name'],
      text: `AWS holds ${overrides.length} upcoming overrides, more than spec.overrides takes (${MAX_OVERRIDES}): left out, so the controller leaves them alone`,
    });
  else if (overrides.length > 0)
    spec.overrides = overrides.map((x) => ({
      startTime: x.start,
      endTime: x.end,
      newContacts: x.contactIds.map((id) => refs.member(id)),
    }));
  return { spec, comments };
}
