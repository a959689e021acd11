// Facts about each generated CRD, for `imctl crds` and docs.
import { crdFor, KINDS } from './registry.ts';

export interface CrdSummary {
  kind: string;
  plural: string;
  shortNames: readonly string[];
  scope: string;
  printerColumns: string[];
  /** Number of x-kubernetes-validations rules in the schema. */
  celRules: number;
  /** Number of leaf and object fields under spec. */
  fields: number;
}

type Node = Record<string, unknown>;

function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  for (const child of Object.values((node.properties as Record<string, Node> | undefined) ?? {}))
    walk(child, visit);
  if (node.items) walk(node.items as Node, visit);
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    walk(node.additionalProperties as Node, visit);
}

export function crdSummaries(): CrdSummary[] {
  return KINDS.map((def) => {
    const crd = crdFor(def) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
    const root = crd.spec.versions[0]!.schema.openAPIV3Schema;
    let celRules = 0;
    walk(root, (n) => {
      celRules += ((n['x-kubernetes-validations'] as unknown[] | undefined) ?? []).length;
    });
    let fields = -1; // not counting spec itself
    walk((root.properties as Record<string, Node>).spec as Node, () => {
      fields++;
    });
    return {
      kind: def.kind,
      plural: def.plural,
      shortNames: def.shortNames,
      scope: def.scope,
      printerColumns: def.printerColumns.map((c) => c.name),
      celRules,
      fields,
    };
  });
}
