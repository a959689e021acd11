// ResponsePlan (ssm-incidents response plan), discovered by src/controllers/index.ts.
import type { KindModule } from '../../engine/plugin.ts';
import { responsePlanHandler } from './handler.ts';

export const module: KindModule = {
  kind: 'ResponsePlan',
  create: (deps) => responsePlanHandler(deps),
};
