// meta.k8s.io/v1 Table responses (what `kubectl get` prints), with CRD additionalPrinterColumns
// evaluated through the JSONPath subset CRDs use.
import type { Obj, PrinterColumn, ResourceInfo } from './registry.ts';

/** Evaluates `.a.b[0].c`, `[*]` and `[?(@.x=="y")]`; returns every match. */
export function jsonPath(obj: unknown, path: string): unknown[] {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (p.startsWith('$')) p = p.slice(1);
  let cur: unknown[] = [obj];
  let i = 0;
  while (i < p.length) {
    const ch = p[i];
    if (ch === '.') {
      const m = /^\.([A-Za-z0-9_\-/]+)/.exec(p.slice(i));
      if (!m) {
        i++;
        continue;
      }
      const key = m[1]!;
      cur = cur.flatMap((c) =>
        typeof c === 'object' &&
        c !== null &&
        !Array.isArray(c) &&
        (c as Record<string, unknown>)[key] !== undefined
          ? [(c as Record<string, unknown>)[key]]
          : [],
      );
      i += m[0].length;
    } else if (ch === '[') {
      const end = findClose(p, i);
      const inner = p.slice(i + 1, end);
      i = end + 1;
      if (inner === '*') cur = cur.flatMap((c) => (Array.isArray(c) ? c : []));
      else if (/^-?\d+$/.test(inner)) {
        const n = Number(inner);
        cur = cur.flatMap((c) => (Array.isArray(c) ? (c.at(n) === undefined ? [] : [c.at(n)]) : []));
      } else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const f = /^@\.([A-Za-z0-9_.-]+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(\S+))$/.exec(
          inner.slice(2, -1).trim(),
        );
        if (!f) return [];
        const [, fp, op, d, s, raw] = f;
        const want = d ?? s ?? raw ?? '';
        cur = cur.flatMap((c) =>
          Array.isArray(c)
            ? c.filter((el) => {
                const v = jsonPath(el, `.${fp}`)[0];
                const eq = v !== undefined && String(v) === want;
                return op === '==' ? eq : !eq;
              })
            : [],
        );
      } else {
        const key = inner.replace(/^['"]|['"]$/g, '');
        cur = cur.flatMap((c) =>
          typeof c === 'object' && c !== null && (c as Record<string, unknown>)[key] !== undefined
            ? [(c as Record<string, unknown>)[key]]
            : [],
        );
      }
    } else i++;
  }
  return cur;
}

function findClose(p: string, start: number): number {
  let depth = 0;
  let quote = '';
  for (let i = start; i < p.length; i++) {
    const ch = p[i]!;
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) return i;
  }
  return p.length;
}

/** duration.HumanDuration as kubectl's AGE column shows it. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return `${d}d${h % 24 ? `${h % 24}h` : ''}`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

function age(obj: Obj, now: number): string {
  const ts = obj.metadata?.creationTimestamp;
  return ts ? humanDuration(now - Date.parse(ts)) : '<unknown>';
}

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  cell: (o: Obj, now: number) => unknown;
}

const NAME_COL: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (o) => o.metadata?.name ?? '',
};
const AGE_COL: Column = {
  name: 'Age',
  type: 'string',
  format: '',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: age,
};

function col(name: string, cell: Column['cell'], type = 'string'): Column {
  return { name, type, format: '', description: '', priority: 0, cell };
}

function count(v: unknown): number {
  return typeof v === 'object' && v !== null ? Object.keys(v).length : 0;
}

function builtinColumns(info: ResourceInfo): Column[] {
  switch (`${info.group}/${info.resource}`) {
    case '/namespaces':
      return [
        NAME_COL,
        col('Status', (o) => (o.status as { phase?: string } | undefined)?.phase ?? ''),
        AGE_COL,
      ];
    case '/configmaps':
      return [NAME_COL, col('Data', (o) => count(o.data) + count(o.binaryData), 'integer'), AGE_COL];
    case '/secrets':
      return [
        NAME_COL,
        col('Type', (o) => o.type ?? ''),
        col('Data', (o) => count(o.data), 'integer'),
        AGE_COL,
      ];
    case '/serviceaccounts':
      return [
        NAME_COL,
        col('Secrets', (o) => (Array.isArray(o.secrets) ? o.secrets.length : 0), 'integer'),
        AGE_COL,
      ];
    case '/events':
    case 'events.k8s.io/events':
      return [
        col('Last Seen', (o, now) => {
          // printEvent: lastTimestamp, else firstTimestamp, else eventTime; none is <unknown>.
          const t = (o.lastTimestamp ??
            o.firstTimestamp ??
            o.eventTime ??
            o.deprecatedLastTimestamp ??
            o.deprecatedFirstTimestamp) as string | undefined;
          return t ? humanDuration(now - Date.parse(t)) : '<unknown>';
        }),
        col('Type', (o) => o.type ?? ''),
        col('Reason', (o) => o.reason ?? ''),
        col('Object', (o) => {
          const ref = (o.involvedObject ?? o.regarding ?? {}) as { kind?: string; name?: string };
          return `${(ref.kind ?? '').toLowerCase()}/${ref.name ?? ''}`;
        }),
        col('Message', (o) => o.message ?? o.note ?? ''),
      ];
    case 'coordination.k8s.io/leases':
      return [
        NAME_COL,
        col('Holder', (o) => (o.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? ''),
        AGE_COL,
      ];
    case 'apiextensions.k8s.io/customresourcedefinitions':
      return [NAME_COL, col('Created At', (o) => o.metadata?.creationTimestamp ?? '', 'date')];
    default:
      return [NAME_COL, AGE_COL];
  }
}

function printerCell(pc: PrinterColumn): Column['cell'] {
  return (o, now) => {
    const v = jsonPath(o, pc.jsonPath)[0];
    if (v === undefined || v === null) return null;
    if (pc.type === 'date') return typeof v === 'string' ? humanDuration(now - Date.parse(v)) : null;
    if (typeof v === 'object') return JSON.stringify(v);
    return v;
  };
}

function columns(info: ResourceInfo): Column[] {
  if (!info.custom) return builtinColumns(info);
  if (!info.printerColumns || info.printerColumns.length === 0) return [NAME_COL, AGE_COL];
  return [
    NAME_COL,
    ...info.printerColumns.map((pc) => ({
      name: pc.name,
      type: pc.type,
      format: pc.format ?? '',
      description: pc.description ?? '',
      priority: pc.priority ?? 0,
      cell: printerCell(pc),
    })),
  ];
}

export function toTable(
  info: ResourceInfo,
  objs: Obj[],
  listMeta: Record<string, unknown>,
  includeObject: string,
): Record<string, unknown> {
  const cols = columns(info);
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map(({ cell: _c, ...d }) => d),
    rows: objs.map((o) => {
      const row: Record<string, unknown> = { cells: cols.map((c) => c.cell(o, now)) };
      if (includeObject === 'Object') row.object = o;
      else if (includeObject !== 'None')
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      return row;
    }),
  };
}
