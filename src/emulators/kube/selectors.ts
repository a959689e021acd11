// Label and field selectors as k8s.io/apimachinery parses them.

import { parseLabelSelector as parseLabels } from '../../engine/label-selector.ts';
import type { Obj } from './registry.ts';
import { errors } from './status.ts';

export type Matcher = (obj: Obj) => boolean;

/** Splits on commas that are not inside parentheses (field selectors). */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

/** A label selector on objects; a bad one is the 400 kube-apiserver answers. */
export function parseLabelSelector(sel: string): Matcher {
  let match: ReturnType<typeof parseLabels>;
  try {
    match = parseLabels(sel);
  } catch (e) {
    throw errors.badRequest((e as Error).message);
  }
  return (obj) => match(obj.metadata?.labels);
}

function lookup(obj: unknown, path: string): string | undefined {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined || cur === null) return undefined;
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/**
 * Field selectors: `metadata.name`, `metadata.namespace` for every kind, plus the fields a kind
 * declares selectable (events: involvedObject.*, reason, type, source; secrets: type).
 */
export function parseFieldSelector(sel: string, allowed: (field: string) => boolean): Matcher {
  const reqs: { key: string; neg: boolean; value: string }[] = [];
  for (const part of splitTop(sel)) {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw errors.badRequest(`invalid selector: '${sel}'; can't understand '${part}'`);
    if (!allowed(m[1]!)) throw errors.badRequest(`field label not supported: ${m[1]}`);
    reqs.push({ key: m[1]!, neg: m[2] === '!=', value: m[3]! });
  }
  return (obj) =>
    reqs.every((r) => {
      const v = lookup(obj, r.key) ?? '';
      return r.neg ? v !== r.value : v === r.value;
    });
}

const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];
const NEW_EVENT_FIELDS = [
  'regarding.kind',
  'regarding.namespace',
  'regarding.name',
  'regarding.uid',
  'reason',
  'type',
];

export function selectableFields(group: string, resource: string): (f: string) => boolean {
  const extra =
    resource === 'events'
      ? group === ''
        ? EVENT_FIELDS
        : NEW_EVENT_FIELDS
      : resource === 'secrets'
        ? ['type']
        : resource === 'namespaces'
          ? ['status.phase']
          : [];
  return (f) => f === 'metadata.name' || f === 'metadata.namespace' || extra.includes(f);
}
