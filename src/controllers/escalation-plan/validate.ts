// Controller-side checks on an EscalationPlan that the schema cannot express, all before any AWS
// call: cycles between escalation plans (through refs in the cluster and through ARNs of plans we
// manage), targets in another account, reserved tag keys (the ownership prefixes and `aws:`) and the
// tag quota left after the ownership tags. Pure.
import type { EscalationPlan } from '../../crds/escalation-plan.ts';
import { type FieldError, keyOf, parseKey } from '../../engine/contract.ts';
import { OWNER_TAG_COUNT } from '../../engine/identity.ts';
import { accountOfArn } from '../../engine/references.ts';
import { MAX_TAGS } from '../shared/contacts-tags.ts';
import { reservedTagKeyErrors } from '../shared/tag-rules.ts';
import { describeTarget, targetObjectKey } from '../shared/targets.ts';
import { targetPath } from './mapping.ts';

/** What the cycle check may read: plans in the cluster by key, and the key of a plan by its ARN. */
export interface PlanGraph {
  plan(key: string): Pick<EscalationPlan, 'metadata' | 'spec'> | undefined;
  keyOfArn(arn: string): string | undefined;
  /** The ARN of the managed object with this key, if it has one. */
  arnOfKey?(key: string): string | undefined;
}

interface Edge {
  path: string;
  to: string;
  via: 'ref' | 'arn';
}

function edges(plan: Pick<EscalationPlan, 'metadata' | 'spec'>, g: PlanGraph): Edge[] {
  const out: Edge[] = [];
  plan.spec.stages.forEach((s, i) => {
    s.targets.forEach((t, j) => {
      const at = targetPath(i, j);
      if (t.escalationPlanRef)
        out.push({
          path: `${at}.escalationPlanRef`,
          to: keyOf(
            'EscalationPlan',
            t.escalationPlanRef.namespace ?? plan.metadata.namespace,
            t.escalationPlanRef.name,
          ),
          via: 'ref',
        });
      else if (t.contactArn !== undefined) {
        const k = g.keyOfArn(t.contactArn);
        if (k) out.push({ path: `${at}.contactArn`, to: k, via: 'arn' });
      }
    });
  });
  return out;
}

const label = (key: string) => {
  const p = parseKey(key);
  return `EscalationPlan ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
};

/**
 * A cycle through `start`, as the chain of plans and the field of `start` where it begins; only
 * cycles through `start` make `start` invalid (a plan that merely engages a cyclic pair is not).
 */
export function findCycle(
  start: Pick<EscalationPlan, 'metadata' | 'spec'>,
  g: PlanGraph,
): { field: string; chain: string[] } | undefined {
  const startKey = keyOf('EscalationPlan', start.metadata.namespace, start.metadata.name);
  const visited = new Set<string>([startKey]);
  // Depth-first, remembering the path of keys and the first edge taken out of `start`.
  const walk = (key: string, chain: string[]): string[] | undefined => {
    const node = key === startKey ? start : g.plan(key);
    if (!node) return undefined;
    for (const e of edges(node, g)) {
      if (e.to === startKey) return [...chain, e.to];
      if (visited.has(e.to)) continue;
      visited.add(e.to);
      const found = walk(e.to, [...chain, e.to]);
      if (found) return found;
    }
    return undefined;
  };
  for (const e of edges(start, g)) {
    if (e.to === startKey) return { field: e.path, chain: [startKey, startKey] };
    if (visited.has(e.to)) continue;
    visited.add(e.to);
    const found = walk(e.to, [startKey, e.to]);
    if (found) return { field: e.path, chain: found };
  }
  return undefined;
}

export function validate(
  mr: Pick<EscalationPlan, 'metadata' | 'spec'>,
  g: PlanGraph,
  ownAccount: string | undefined,
): FieldError[] {
  const errs: FieldError[] = [];
  const cycle = findCycle(mr, g);
  if (cycle)
    errs.push({
      path: cycle.field,
      rule: 'EscalationCycle',
      message: `escalation plans form a cycle: ${cycle.chain.map(label).join(' → ')}; an engagement would escalate around it forever. Remove one of these targets`,
    });
  if (ownAccount)
    mr.spec.stages.forEach((s, i) => {
      s.targets.forEach((t, j) => {
        // A raw ARN, or the ARN of the object a ref names once it has one (a Contact managed under
        // another AWSAccount).
        const ref = targetObjectKey(t, mr.metadata.namespace);
        const arn = t.contactArn ?? (ref ? g.arnOfKey?.(ref) : undefined);
        const acct = arn === undefined ? undefined : accountOfArn(arn);
        if (acct && acct !== ownAccount)
          errs.push({
            path: `${targetPath(i, j)}.${t.contactArn !== undefined ? 'contactArn' : t.contactRef ? 'contactRef' : 'escalationPlanRef'}`,
            rule: 'SameAccountTarget',
            message: `${ref ? `${describeTarget(t, mr.metadata.namespace)} (${arn})` : arn} belongs to account ${acct}; an escalation plan can only engage contacts of its own account ${ownAccount} (contacts shared through RAM cannot be added)`,
          });
      });
    });
  const keys = Object.keys(mr.spec.tags ?? {});
  errs.push(...reservedTagKeyErrors(mr.spec.tags));
  if (keys.length > MAX_TAGS - OWNER_TAG_COUNT)
    errs.push({
      path: 'spec.tags',
      rule: 'TagQuota',
      message: `at most ${MAX_TAGS - OWNER_TAG_COUNT} tags: AWS allows ${MAX_TAGS} and the controller writes ${OWNER_TAG_COUNT} ownership tags; ${keys.length} given`,
    });
  return errs;
}
