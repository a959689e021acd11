// EscalationPlan: an ssm-contacts contact of type ESCALATION whose stages engage contacts, on-call
// schedules and other escalation plans.
import type { KindModule } from '../../engine/plugin.ts';
import { shareable } from '../shared/sharing.ts';
import { escalationPlanHandler } from './handler.ts';

export const module: KindModule = {
  kind: 'EscalationPlan',
  // spec.sharing: the object's RAM share, around the kind's own reconcile.
  create: (deps) => shareable(escalationPlanHandler(deps), deps, 'ssm-contacts:Contact'),
};
