// Contact kind (personal contacts and on-call schedules), discovered by src/controllers/index.ts.
import type { KindModule } from '../../engine/plugin.ts';
import { shareable } from '../shared/sharing.ts';
import { contactHandler } from './handler.ts';

export const module: KindModule = {
  kind: 'Contact',
  // spec.sharing: the object's RAM share, around the kind's own reconcile.
  create: (deps) => shareable(contactHandler(deps), deps, 'ssm-contacts:Contact'),
};
