// Contact kind (personal contacts and on-call schedules), discovered by src/controllers/index.ts.
import type { KindModule } from '../../engine/plugin.ts';
import { contactHandler } from './handler.ts';

export const module: KindModule = {
  kind: 'Contact',
  create: (deps) => contactHandler(deps),
};
