// EscalationPlan: an ssm-contacts contact of type ESCALATION whose stages engage contacts, on-call
// schedules and other escalation plans.
import type { KindModule } from '../../engine/plugin.ts';
import { escalationPlanHandler } from './handler.ts';

export const module: KindModule = {
  kind: 'EscalationPlan',
  create: (deps) => escalationPlanHandler(deps),
};
