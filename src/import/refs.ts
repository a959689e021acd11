// Names for imported objects and the ARN → Kubernetes reference table. Object names come from the
// AWS name or alias (a DNS-1123 subdomain, lower case), deduplicated per kind in ARN order, so the
// same account always imports under the same names and a re-import diffs clean.
import type { ObjectRef } from '../crds/common.ts';

export interface Known {
  kind: 'Contact' | 'EscalationPlan' | 'Rotation' | 'ResponsePlan' | 'ReplicationSet';
  name: string;
}

/** A Kubernetes object name from an AWS name: lower case, [a-z0-9-.], starts and ends alphanumeric. */
export function kubeName(awsName: string, fallback: string): string {
  const s = awsName
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 240)
    .replace(/[^a-z0-9]+$/g, '');
  return s || fallback;
}

export class RefTable {
  readonly #byArn = new Map<string, Known>();
  readonly #taken = new Map<string, Set<string>>();

  /** Registers an object; returns its (unique per kind) name. Call in a stable (ARN) order. */
  add(arn: string, kind: Known['kind'], awsName: string): string {
    const taken = this.#taken.get(kind) ?? new Set<string>();
    this.#taken.set(kind, taken);
    const base = kubeName(awsName, kind.toLowerCase());
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
    taken.add(name);
    this.#byArn.set(arn, { kind, name });
    return name;
  }

  get(arn: string): Known | undefined {
    return this.#byArn.get(arn);
  }

  /** An engagement / escalation target: a reference when imported, else the ARN as it is. */
  target(arn: string): { contactRef: ObjectRef } | { escalationPlanRef: ObjectRef } | { contactArn: string } {
    const k = this.#byArn.get(arn);
    if (k?.kind === 'Contact') return { contactRef: { name: k.name } };
    if (k?.kind === 'EscalationPlan') return { escalationPlanRef: { name: k.name } };
    return { contactArn: arn };
  }

  /** A rotation member (personal contacts only). */
  member(arn: string): { contactRef: ObjectRef } | { contactArn: string } {
    const k = this.#byArn.get(arn);
    return k?.kind === 'Contact' ? { contactRef: { name: k.name } } : { contactArn: arn };
  }

  rotation(arn: string): { rotationRef: ObjectRef } | { rotationArn: string } {
    const k = this.#byArn.get(arn);
    return k?.kind === 'Rotation' ? { rotationRef: { name: k.name } } : { rotationArn: arn };
  }
}
