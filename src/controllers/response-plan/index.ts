// ResponsePlan (ssm-incidents response plan), discovered by src/controllers/index.ts.
import type { KindModule } from '../../engine/plugin.ts';
import { shareable } from '../shared/sharing.ts';
import { responsePlanHandler } from './handler.ts';

export const module: KindModule = {
  kind: 'ResponsePlan',
  // spec.sharing: the object's RAM share, around the kind's own reconcile.
  create: (deps) => shareable(responsePlanHandler(deps), deps, 'ssm-incidents:ResponsePlan'),
};
