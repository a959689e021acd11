// The rules our CRDs make the API server apply, the broken fixtures that exercise them, and what
// docs/api.md promises for each: shared by the unit tier (the emulator's schema core) and the
// cluster tier (a real kube-apiserver), so both judge the same fixtures by the same yardstick.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../../src/crds/generate.ts';
import { crdFor, KINDS } from '../../src/crds/registry.ts';

export const FIXTURE_DIRS = {
  /** One object each, refused on create. */
  create: join(ROOT, 'test/fixtures/invalid'),
  /** Two documents each: the stored object, then the update the server refuses (transition rules). */
  update: join(ROOT, 'test/fixtures/invalid-updates'),
};

// biome-ignore lint/suspicious/noExplicitAny: fixtures are arbitrary YAML, read field by field
export type Obj = Record<string, any>;

export interface Fixture {
  file: string;
  /** The field the server names, e.g. spec.channels[1]. */
  path: string;
  /** A schema constraint kind (pattern, maxLength, listType, …) or, for layer cel, the rule's message. */
  rule: string;
  layer: 'schema' | 'cel';
  /** The object to create, or [stored, update]. */
  docs: Obj[];
  op: 'create' | 'update';
}

export function loadFixtures(): Fixture[] {
  return (['create', 'update'] as const).flatMap((op) =>
    readdirSync(FIXTURE_DIRS[op])
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((file) => {
        const text = readFileSync(join(FIXTURE_DIRS[op], file), 'utf8');
        const header = (key: string) => new RegExp(`^# ${key}: (.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
        return {
          file: op === 'create' ? file : `updates/${file}`,
          path: header('expect-path'),
          rule: header('expect-rule'),
          layer: header('layer') as Fixture['layer'],
          docs: parseAllDocuments(text).map((d) => d.toJS() as Obj),
          op,
        };
      }),
  );
}

// ---------------------------------------------------------------- the rules of the CRDs

/** Schema constraint kinds the CRDs use, named as the fixtures' `expect-rule` names them. */
export const CONSTRAINT_KINDS = [
  'pattern',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'enum',
  'required',
  'minProperties',
  'maxProperties',
  'format',
  'listType',
] as const;
export type ConstraintKind = (typeof CONSTRAINT_KINDS)[number];

export interface CelRule {
  kind: string;
  /** Schema path of the node carrying the rule: spec, spec.channels[], spec.tags. */
  path: string;
  message: string;
  transition: boolean;
}

export interface Constraint {
  kind: string;
  path: string;
  constraint: ConstraintKind;
}

// biome-ignore lint/suspicious/noExplicitAny: a schema node is untyped JSON walked by key
type Node = Record<string, any>;

export function rootSchema(kind: string): Node {
  const def = KINDS.find((k) => k.kind === kind);
  if (!def) throw new Error(`unknown kind ${kind}`);
  return (crdFor(def) as Node).spec.versions[0].schema.openAPIV3Schema;
}

/** Every CEL rule and every schema constraint under spec (status is the controller's, not the user's). */
export function crdRules(): { rules: CelRule[]; constraints: Constraint[] } {
  const rules: CelRule[] = [];
  const constraints: Constraint[] = [];
  for (const def of KINDS) {
    const walk = (n: Node, path: string) => {
      const add = (constraint: ConstraintKind) => constraints.push({ kind: def.kind, path, constraint });
      for (const k of CONSTRAINT_KINDS)
        if (k !== 'required' && k !== 'listType' && n[k] !== undefined) add(k);
      const lt = n['x-kubernetes-list-type'];
      if (lt === 'set' || lt === 'map') add('listType');
      for (const r of n['x-kubernetes-validations'] ?? [])
        rules.push({ kind: def.kind, path, message: r.message, transition: /\boldSelf\b/.test(r.rule) });
      for (const req of n.required ?? [])
        constraints.push({ kind: def.kind, path: `${path}.${req}`, constraint: 'required' });
      for (const [k, v] of Object.entries<Node>(n.properties ?? {})) walk(v, `${path}.${k}`);
      if (n.items) walk(n.items, `${path}[]`);
      if (n.additionalProperties && typeof n.additionalProperties === 'object')
        walk(n.additionalProperties, `${path}.*`);
    };
    walk(rootSchema(def.kind).properties.spec, 'spec');
  }
  return { rules, constraints };
}

/** spec.channels[1].address → spec.channels[].address; spec.tags.team → spec.tags.* (map values). */
export function schemaPath(kind: string, field: string): string {
  let n: Node | undefined = rootSchema(kind);
  let out = '';
  for (const seg of field.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (seg.startsWith('[')) {
      out += '[]';
      n = n?.items;
    } else if (n?.properties?.[seg]) {
      out += out ? `.${seg}` : seg;
      n = n.properties[seg];
    } else {
      out += '.*';
      n = n?.additionalProperties;
    }
  }
  return out;
}

function schemaAt(kind: string, path: string): Node | undefined {
  let n: Node | undefined = rootSchema(kind);
  for (const seg of path.match(/[^.[\]]+|\[\]/g) ?? [])
    n = seg === '[]' ? n?.items : seg === '*' ? n?.additionalProperties : n?.properties?.[seg];
  return n;
}

export interface Cause {
  reason: string;
  message: string;
  field: string;
}

export const NOT_CHECKED_FIELD = '<nil>';

/** Which rule of the schema a cause reports, from its reason and kube-openapi's wording. */
export function classify(kind: string, c: Cause): ConstraintKind | 'cel' | 'type' | 'other' {
  const m = c.message;
  switch (c.reason) {
    case 'FieldValueRequired':
      return 'required';
    case 'FieldValueTooLong':
      return 'maxLength';
    case 'FieldValueNotSupported':
      return 'enum';
    case 'FieldValueDuplicate':
      return 'listType';
    case 'FieldValueTooMany':
      return schemaAt(kind, schemaPath(kind, c.field))?.type === 'object' ? 'maxProperties' : 'maxItems';
    case 'FieldValueTypeInvalid':
      return / must be of type (string|integer|number|boolean|array|object)\b/.test(m) ? 'type' : 'format';
  }
  if (/^Invalid value: "(object|array|string|integer|number|boolean)": /.test(m) && !/ in body /.test(m))
    return 'cel';
  if (/ in body should match '/.test(m)) return 'pattern';
  if (/ in body should be at least \d+ chars long$/.test(m)) return 'minLength';
  if (/ in body should have at least \d+ items$/.test(m)) return 'minItems';
  if (/ in body should have at least \d+ properties$/.test(m)) return 'minProperties';
  if (/ in body should be greater than /.test(m)) return 'minimum';
  if (/ in body should be less than /.test(m)) return 'maximum';
  return 'other';
}

// ---------------------------------------------------------------- what docs/api.md promises

interface DocRow {
  type: string;
  required: boolean;
  /** The cell as written (rule messages may contain "; "). */
  cell: string;
  constraints: string[];
}

let docRows: Map<string, DocRow> | undefined;

/** The field tables of docs/api.md, by `Kind path` (paths as the docs write them: spec.x[].y). */
function docs(): Map<string, DocRow> {
  if (docRows) return docRows;
  docRows = new Map();
  let kind = '';
  for (const line of readFileSync(join(ROOT, 'docs/api.md'), 'utf8').split('\n')) {
    const heading = /^### (\w+) (spec|status)$/.exec(line);
    if (heading) kind = heading[1] ?? '';
    const cells = line.startsWith('| `') ? line.split(/(?<!\\) \| /).map((c) => c.trim()) : [];
    const path = /^\| `([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    if (!kind || !path) continue;
    const cell = (cells[3] ?? '').replace(/\\\|/g, '|');
    docRows.set(`${kind} ${path}`, {
      type: cells[1] ?? '',
      required: cells[2] === 'yes',
      cell,
      constraints: cell.split('; ').map((c) => c.trim()),
    });
  }
  // Rules on the top object are listed below its table as "Cross-field rules on `spec`:".
  kind = '';
  let inRules = false;
  for (const line of readFileSync(join(ROOT, 'docs/api.md'), 'utf8').split('\n')) {
    const section = /^## (\w+)$/.exec(line);
    if (section) kind = section[1] ?? '';
    if (/^Cross-field rules on `spec`:/.test(line)) inRules = true;
    else if (inRules && line.startsWith('- ')) {
      const row = docRows.get(`${kind} spec`) ?? {
        type: 'object',
        required: true,
        cell: '',
        constraints: [],
      };
      row.cell += `; rule: ${line.slice(2)}`;
      docRows.set(`${kind} spec`, row);
    } else if (inRules && line.trim() !== '') inRules = false;
  }
  return docRows;
}

/** docs/api.md writes list items as `x[]` and describes map values and scalar items on the parent. */
function docText(kind: string, path: string): string | undefined {
  const direct = docs().get(`${kind} ${path}`);
  if (direct) return direct.cell;
  const parent = /^(.*)(\.\*|\[\])$/.exec(path);
  if (!parent) return undefined;
  // "entries 1–200; values: items 0–100, each: length 0–512; rule: …"
  const outer = docText(kind, parent[1] ?? '');
  const prefix = parent[2] === '.*' ? 'values: ' : 'each: ';
  const at = outer?.indexOf(prefix) ?? -1;
  return outer && at >= 0 ? outer.slice(at + prefix.length).split('; ')[0] : undefined;
}

function docConstraints(kind: string, path: string): string[] | undefined {
  return docText(kind, path)
    ?.split(/; |, /)
    .map((c) => c.trim());
}

/** Whether docs/api.md lists `rule: <message>` for the node at this schema path. */
function docRule(kind: string, path: string, message: string): boolean {
  return docs().get(`${kind} ${path}`)?.cell.includes(`rule: ${message}`) ?? false;
}

const range = (cons: string[] | undefined, word: string) => {
  const m = cons?.map((c) => new RegExp(`^${word} (\\d+)–(\\d+)$`).exec(c)).find(Boolean);
  return m ? { min: m[1], max: m[2] } : undefined;
};

/**
 * The text a cause must contain for the rule docs/api.md states for that field (undefined when the
 * docs do not state it): `should match '<pattern>'` for `pattern \`…\``, the rule's message for
 * `rule: …`, and so on.
 */
export function promised(kind: string, c: Cause): string | undefined {
  const path = schemaPath(kind, c.field);
  const cons = docConstraints(kind, path);
  const what = classify(kind, c);
  switch (what) {
    case 'cel': {
      const message = c.message.replace(/^Invalid value: "\w+": /, '');
      return docRule(kind, path, message) ? message : undefined;
    }
    case 'pattern': {
      const p = cons?.find((x) => x.startsWith('pattern `'));
      return p ? `should match '${p.slice('pattern `'.length, -1)}'` : undefined;
    }
    case 'minLength': {
      const r = range(cons, 'length');
      return r ? `should be at least ${r.min} chars long` : undefined;
    }
    case 'maxLength': {
      const r = range(cons, 'length');
      return r ? `Too long: may not be more than ${r.max} bytes` : undefined;
    }
    case 'minItems': {
      const r = range(cons, 'items');
      return r ? `should have at least ${r.min} items` : undefined;
    }
    case 'maxItems': {
      const r = range(cons, 'items');
      return r ? `must have at most ${r.max} items` : undefined;
    }
    case 'minProperties': {
      const r = range(cons, 'entries');
      return r ? `should have at least ${r.min} properties` : undefined;
    }
    case 'maxProperties': {
      const r = range(cons, 'entries');
      return r ? `must have at most ${r.max} items` : undefined;
    }
    case 'minimum': {
      const r = range(cons, 'range');
      return r ? `should be greater than or equal to ${r.min}` : undefined;
    }
    case 'maximum': {
      const r = range(cons, 'range');
      return r ? `should be less than or equal to ${r.max}` : undefined;
    }
    case 'enum': {
      const e = /one of ((?:`[^`]*`(?:, )?)+)/.exec(docText(kind, path) ?? '')?.[1];
      const values = e?.match(/`[^`]*`/g)?.map((v) => `"${v.slice(1, -1)}"`);
      return values ? `supported values: ${values.join(', ')}` : undefined;
    }
    case 'required': {
      const row = docs().get(`${kind} ${path.replace(/\.\*$/, '')}`);
      return row?.required ? 'Required value' : undefined;
    }
    case 'format':
      return docs().get(`${kind} ${path}`)?.type === 'timestamp' ? 'must be of type date-time' : undefined;
    case 'listType': {
      const list = path.replace(/\[\]$/, '');
      const keyed = docConstraints(kind, list)?.find((x) => x.startsWith('keyed by '));
      if (keyed) return `Duplicate value: map[string]interface {}{"${keyed.slice('keyed by '.length)}":`;
      return docConstraints(kind, list)?.includes('unique') ? 'Duplicate value: "' : undefined;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- order

/**
 * The order kube-apiserver guarantees, as observed on 1.32 (sibling properties come in Go map
 * order, which varies from request to request, so only these relations hold): metadata errors,
 * then schema errors, then list-type duplicates, then either the "not checked" line or the CEL
 * failures; an object's missing required fields after the errors of its present fields; in the
 * CEL phase a node's rules before those of its descendants, and list items in index order.
 * Returns the violations (empty when the order is one the real server can produce).
 */
export function orderViolations(kind: string, causes: Cause[]): string[] {
  const out: string[] = [];
  const phase = (c: Cause) => {
    if (c.field.startsWith('metadata.')) return 0;
    const what = classify(kind, c);
    if (c.field === NOT_CHECKED_FIELD || what === 'cel') return 3;
    return what === 'listType' ? 2 : 1;
  };
  const under = (child: string, parent: string) =>
    child.startsWith(`${parent}.`) || child.startsWith(`${parent}[`);
  causes.forEach((c, i) => {
    for (const d of causes.slice(i + 1)) {
      if (phase(d) < phase(c))
        out.push(`${d.field} (phase ${phase(d)}) after ${c.field} (phase ${phase(c)})`);
      if (phase(c) === 1 && c.reason === 'FieldValueRequired') {
        const parent = c.field.replace(/\.[^.[\]]+$/, '');
        if (phase(d) === 1 && d.reason !== 'FieldValueRequired' && under(d.field, parent))
          out.push(`${d.field} after the missing ${c.field}`);
      }
      if (phase(c) === 3 && phase(d) === 3 && under(c.field, d.field))
        out.push(`rule at ${d.field} after a rule of its descendant ${c.field}`);
      const [li, lj] = [/^(.*)\[(\d+)\]/.exec(c.field), /^(.*)\[(\d+)\]/.exec(d.field)];
      if (phase(c) === 3 && phase(d) === 3 && li && lj && li[1] === lj[1] && Number(lj[2]) < Number(li[2]))
        out.push(`${d.field} after ${c.field}`);
    }
  });
  return out;
}

// ---------------------------------------------------------------- objects with several errors

export const contact = (spec: Obj, name = 'alice'): Obj => ({
  apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
  kind: 'Contact',
  metadata: { name, namespace: 'default' },
  spec,
});
const sms = { name: 'sms', type: 'SMS', address: '+353855550101' };

/** Objects with several errors at once, by what they show of the order of the causes. */
export const SEVERAL: [string, Obj][] = [
  [
    'schema errors in many fields, some blocking',
    contact({
      alias: 'Alice',
      displayName: 'A<b>',
      type: 'Personal',
      channels: [{ name: 'sms', type: 'Fax', address: 'x'.repeat(321) }],
      tags: { b: 'x'.repeat(300), a: '!' },
      managementPolicy: 'X',
      deletionPolicy: 'Y',
    }),
  ],
  [
    'missing required fields after the errors of present ones',
    contact({ displayName: 'A<b>', channels: [{ type: 'SMS' }] }),
  ],
  [
    'many CEL rules: a node before its descendants, items in order',
    contact({
      alias: 'alice',
      type: 'Personal',
      rotations: [
        {
          rotationRef: { name: 'x' },
          rotationArn: 'arn:aws:ssm-contacts:eu-west-1:111122223333:rotation/r',
        },
      ],
      channels: [
        { name: 'sms', type: 'SMS', address: 'bad' },
        { name: 'mail', type: 'Email', address: 'bad' },
      ],
      engagementPlan: {
        stages: [
          { durationInMinutes: 0, targets: [] },
          { durationInMinutes: 0, targets: [{ channelName: 'nope' }] },
        ],
      },
      tags: { ['k'.repeat(130)]: 'v' },
    }),
  ],
  [
    'a pattern error does not stop the rules',
    contact({
      alias: 'Alice',
      type: 'Personal',
      rotations: [{ rotationRef: { name: 'x' } }],
      channels: [sms],
    }),
  ],
  [
    'duplicates come after schema errors and do not stop the rules',
    contact({
      alias: 'alice',
      type: 'Personal',
      rotations: [{ rotationRef: { name: 'x' } }],
      channels: [sms, { ...sms, type: 'Voice' }],
      sharing: { principals: ['444455556666', '444455556666'] },
    }),
  ],
  [
    'type errors, and a null that is dropped before the required check',
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'ResponsePlan',
      metadata: { name: 'outage', namespace: 'default' },
      spec: { name: 'p', incidentTemplate: { title: null, impact: 'high', summary: 5 }, engagements: 'x' },
    },
  ],
  ['a bad name before the schema errors', contact({ alias: 'Alice', type: 'X' }, 'Bad_Name')],
  [
    'an empty map (none) and CEL failures',
    {
      apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
      kind: 'ResponsePlan',
      metadata: { name: 'outage', namespace: 'default' },
      spec: {
        name: 'p',
        incidentTemplate: { title: 't', impact: 2 },
        engagements: [{}, {}],
        runbook: {
          documentName: 'doc',
          roleArn: 'arn:aws:iam::111122223333:role/r',
          parameters: {},
          dynamicParameters: { ['x'.repeat(60)]: 'IncidentRecordARN' },
        },
      },
    },
  ],
];

// ---------------------------------------------------------------- string formats

/**
 * Format, value, and whether kube-apiserver 1.32 accepted it in a `type: string` field with that
 * format (recorded from a real server; test/cluster/api-rules.test.ts checks it still holds).
 */
export const JUDGED_FORMATS: [string, string, boolean][] = [
  ['uuid', '123e4567-e89b-12d3-a456-426614174000', true],
  ['uuid', '123E4567-E89B-12D3-A456-426614174000', true],
  ['uuid', '123e4567e89b12d3a456426614174000', true],
  ['uuid', '123e4567', false],
  ['uuid', '{123e4567-e89b-12d3-a456-426614174000}', false],
  ['uuid', 'urn:uuid:123e4567-e89b-12d3-a456-426614174000', false],
  ['uuid', '123e4567-e89b12d3-a456-426614174000', true],
  ['uuid3', '123e4567-e89b-32d3-a456-426614174000', true],
  ['uuid3', '123e4567-e89b-42d3-a456-426614174000', false],
  ['uuid3', '123e4567e89b32d3a456426614174000', true],
  ['uuid3', '123e4567-e89b-32d3-c456-426614174000', true],
  ['uuid4', '123e4567-e89b-42d3-a456-426614174000', true],
  ['uuid4', '123e4567-e89b-42d3-c456-426614174000', false],
  ['uuid4', '123e4567-e89b-32d3-a456-426614174000', false],
  ['uuid5', '123e4567-e89b-52d3-a456-426614174000', true],
  ['uuid5', '123e4567-e89b-52d3-8456-426614174000', true],
  ['ipv4', '10.0.0.1', true],
  ['ipv4', '10.0.0.256', false],
  ['ipv4', '010.0.0.1', true],
  ['ipv4', '1.2.3', false],
  ['ipv4', '::1', false],
  ['ipv4', '::ffff:10.0.0.1', true],
  ['ipv4', '0000010.0.0.1', true],
  ['ipv4', '1.2.3.04', true],
  ['ipv4', '256.0.0.1', false],
  ['ipv4', '1.2.3.4 ', false],
  ['ipv6', '::1', true],
  ['ipv6', '1::2::3', false],
  ['ipv6', '::ffff:10.0.0.1', true],
  ['ipv6', 'fe80::1%eth0', false],
  ['ipv6', '10.0.0.1', false],
  ['ipv6', '2001:db8::', true],
  ['ipv6', '::ffff:010.0.0.1', false],
  ['ipv6', '2001:DB8::1', true],
  ['ipv6', '::', true],
  ['cidr', '10.0.0.0/8', true],
  ['cidr', '10.0.0.0/33', false],
  ['cidr', '10.0.0.1/8', true],
  ['cidr', '::/0', true],
  ['cidr', '2001:db8::/129', false],
  ['cidr', '10.0.0.0/08', true],
  ['cidr', '10.0.0.0', false],
  ['hostname', 'example.com', true],
  ['hostname', 'exa mple.com', false],
  ['hostname', 'example.com.', false],
  ['hostname', '-example.com', false],
  ['hostname', 'a_b.com', false],
  ['hostname', 'localhost', true],
  ['hostname', '1.2.3.4', false],
  ['hostname', 'EXAMPLE.COM', true],
  ['hostname', 'xn--bcher-kva.example', true],
  ['hostname', 'a', true],
  ['hostname', 'ab.c', false],
  ['hostname', 'ab.cd', true],
  ['hostname', 'a-.com', false],
  ['hostname', 'a.b-', false],
  ['hostname', 'ex_ample.com', false],
  ['hostname', 'münchen.de', true],
  ['hostname', 'a..b.com', false],
  ['hostname', 'a.123', false],
  ['hostname', 'a.b1', false],
  ['email', 'alice@example.com', true],
  ['email', 'alice', false],
  ['email', 'Alice <alice@example.com>', true],
  ['email', 'alice@localhost', true],
  ['email', 'alice@@example.com', false],
  ['email', 'a b@example.com', false],
  ['email', 'alice@exa_mple.com', true],
  ['email', '<alice@example.com>', true],
  ['email', '"a b"@example.com', true],
  ['email', 'alice.@example.com', false],
  ['email', 'al..ice@example.com', false],
  ['email', 'alice@[127.0.0.1]', true],
  ['email', 'Alice Byrne <alice@example.com>', true],
  ['email', 'alice@example', true],
  ['email', 'ålice@example.com', true],
  ['email', 'alice@exämple.com', true],
  ['mac', '01:23:45:67:89:ab', true],
  ['mac', '01-23-45-67-89-ab', true],
  ['mac', '0123.4567.89ab', true],
  ['mac', '01:23:45', false],
  ['mac', '01:23:45:67:89:ab:cd:ef', true],
  ['mac', '0123.4567.89ab.cdef', true],
  ['mac', '01:23:45:67:89:AB', true],
  ['mac', '00:00:5e:00:53:01:00:00:00:00:00:00:00:00:00:00:00:00:00:00', true],
  ['mac', '01:23:45-67:89:ab', false],
  ['mac', '0123456789ab', false],
  ['uri', 'https://example.com', true],
  ['uri', 'example.com', false],
  ['uri', '/path', true],
  ['uri', 'mailto:a@b.c', true],
  ['uri', 'http://[::1]:80/', true],
  ['uri', '://x', false],
  ['uri', 'http://a b.com', false],
  ['uri', '/a b', true],
  ['uri', '*', true],
  ['uri', '#frag', false],
  ['uri', '?q', false],
  ['uri', 'http://example.com/a b', true],
  ['uri', 'urn:isbn:123', true],
  ['uri', 'a:b', true],
  ['uri', 'http:/x', true],
  ['uri', 'http://', true],
  ['duration', '1h', true],
  ['duration', '1h30m', true],
  ['duration', '1.5h', true],
  ['duration', '3d', true],
  ['duration', '1w', true],
  ['duration', '10 s', true],
  ['duration', '-1h', true],
  ['duration', '1 hour', true],
  ['duration', 'PT1H', true],
  ['duration', '5ns', true],
  ['duration', '1us', true],
  ['duration', '1µs', true],
  ['duration', '2 hours', true],
  ['duration', '2 seconds', true],
  ['duration', '2 second', true],
  ['duration', '2 secs', true],
  ['duration', '2 sec', true],
  ['duration', '2 minutes', true],
  ['duration', '2 minute', true],
  ['duration', '2 mins', true],
  ['duration', '2 min', true],
  ['duration', '2 hrs', false],
  ['duration', '2 hr', true],
  ['duration', '2 days', true],
  ['duration', '2 day', true],
  ['duration', '2 weeks', true],
  ['duration', '2 week', true],
  ['duration', '2 wks', false],
  ['duration', '2 nanos', true],
  ['duration', '2 nano', true],
  ['duration', '2 micros', true],
  ['duration', '2 millis', true],
  ['duration', '1x', false],
  ['duration', 'abc', false],
  ['duration', '1.5 hours', true],
  ['duration', 'h1', false],
  ['duration', '2H', true],
  ['duration', '', false],
  ['duration', '2 years', false],
  ['duration', '1d2x', true],
  ['duration', 'x 1d', true],
  ['hexcolor', '#fff', true],
  ['hexcolor', '#ffffff', true],
  ['hexcolor', 'fff', true],
  ['hexcolor', '#ffff', false],
  ['hexcolor', '#gggggg', false],
  ['rgbcolor', 'rgb(1,2,3)', true],
  ['rgbcolor', 'rgb( 1 , 2 , 3 )', true],
  ['rgbcolor', 'rgb(256,0,0)', false],
  ['rgbcolor', 'rgb(1,2)', false],
  ['bsonobjectid', '507f1f77bcf86cd799439011', true],
  ['bsonobjectid', '507f1f77bcf86cd79943901', false],
  ['bsonobjectid', '507f1f77bcf86cd79943901g', false],
  ['ssn', '123-45-6789', true],
  ['ssn', '123456789', false],
  ['ssn', '123 45 6789', true],
  ['ssn', '12-345-6789', false],
  ['ssn', '123-45 6789', true],
  ['ssn', '123 456789', false],
  ['isbn10', '0-306-40615-2', true],
  ['isbn10', '0306406152', true],
  ['isbn10', '0-306-40615-3', false],
  ['isbn10', '030640615X', false],
  ['isbn13', '978-0-306-40615-7', true],
  ['isbn13', '978-0-306-40615-8', false],
  ['isbn13', '9780306406157', true],
  ['isbn', '0306406152', true],
  ['isbn', '9780306406157', true],
  ['isbn', '123', false],
  ['creditcard', '4111 1111 1111 1111', true],
  ['creditcard', '4111-1111-1111-1111', true],
  ['creditcard', '4111111111111111', true],
  ['creditcard', '4111 1111 1111 1112', false],
  ['creditcard', '0000000000000', false],
  ['creditcard', '4111111111111', false],
  ['creditcard', '5500 0000 0000 0004', true],
  ['creditcard', '378282246310005', true],
  ['creditcard', '6011111111111117', true],
  ['creditcard', '1234567812345670', false],
  ['byte', 'aGVsbG8=', true],
  ['byte', 'aGVsbG8', false],
  ['byte', 'not base64!', false],
  ['byte', '', false],
  ['byte', 'aGVs bG8=', false],
  ['byte', 'YQ==', true],
  ['byte', 'YQ', false],
  ['byte', 'YWI=', true],
  ['byte', 'YWJj', true],
  ['byte', 'Y', false],
  ['byte', '====', false],
  ['byte', 'YQ==YQ==', false],
  ['date', '2024-02-29', true],
  ['date', '2023-02-29', false],
  ['date', '2024-13-01', false],
  ['date', '2024-1-01', false],
  ['date', '2024-01-01T00:00:00Z', false],
  ['datetime', '2026-12-07T07:00:00Z', true],
  ['datetime', 'bad', false],
];
