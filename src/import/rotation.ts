// Rotation: canonical observed state → spec, members and override contacts as references. Every
// override that has not ended is written (ended ones are history).
import { type RotationState, recurrenceToSpec } from '../controllers/rotation/mapping.ts';
import type { RotationSpec } from '../crds/rotation.ts';
import { type Imported, sortedTags } from './contact.ts';
import type { RefTable } from './refs.ts';

export function rotationSpec(o: RotationState, refs: RefTable): Imported<RotationSpec> {
  const overrides = o.overrides ?? [];
  const spec: RotationSpec = {
    name: o.name,
    contacts: o.contactIds.map((id) => refs.member(id)),
    ...(o.startTime ? { startTime: o.startTime } : {}),
    timeZoneId: o.timeZoneId,
    recurrence: recurrenceToSpec(o.recurrence),
    ...(overrides.length > 0
      ? {
          overrides: overrides.map((x) => ({
            startTime: x.start,
            endTime: x.end,
            newContacts: x.contactIds.map((id) => refs.member(id)),
          })),
        }
      : {}),
    ...(Object.keys(o.tags).length ? { tags: sortedTags(o.tags) } : {}),
  };
  return { spec, comments: [] };
}
