// Derives the emulator's input-constraint table from the official Smithy JSON models in
// ../shared/aws-models. Only what validation and routing need is kept: operation routes, input
// shapes reachable from each operation, and their constraint traits. Run: npm run generate:aws-model
import { deepStrictEqual } from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelTable, OperationDef, ShapeDef } from './types.ts';

type SmithyShape = {
  type: string;
  target?: string;
  members?: Record<string, { target: string; traits?: Record<string, unknown> }>;
  member?: { target: string; traits?: Record<string, unknown> };
  key?: { target: string; traits?: Record<string, unknown> };
  value?: { target: string; traits?: Record<string, unknown> };
  input?: { target: string };
  traits?: Record<string, unknown>;
};

export const SERVICES = ['ssm-incidents', 'ssm-contacts', 'ram', 'secrets-manager', 'kms'] as const;

const here = dirname(fileURLToPath(import.meta.url));
export const defaultModelDir = resolve(here, '../../../../../shared/aws-models');
export const outputFile = join(here, 'generated.ts');

function constraintsOf(traits: Record<string, unknown> | undefined, into: ShapeDef): void {
  if (!traits) return;
  const len = traits['smithy.api#length'] as { min?: number; max?: number } | undefined;
  if (len) {
    if (len.min !== undefined) into.minLen = len.min;
    if (len.max !== undefined) into.maxLen = len.max;
  }
  const range = traits['smithy.api#range'] as { min?: number; max?: number } | undefined;
  if (range) {
    if (range.min !== undefined) into.min = range.min;
    if (range.max !== undefined) into.max = range.max;
  }
  const pattern = traits['smithy.api#pattern'];
  if (typeof pattern === 'string') into.pattern = pattern;
  const en = traits['smithy.api#enum'] as { value: string }[] | undefined;
  if (en) into.enum = en.map((e) => e.value);
  if (traits['smithy.api#uniqueItems'] !== undefined) into.unique = true;
}

function simpleType(t: string): ShapeDef['type'] {
  switch (t) {
    case 'smithy.api#String':
      return 'string';
    case 'smithy.api#Boolean':
    case 'smithy.api#PrimitiveBoolean':
      return 'boolean';
    case 'smithy.api#Integer':
    case 'smithy.api#PrimitiveInteger':
    case 'smithy.api#Long':
    case 'smithy.api#PrimitiveLong':
      return 'integer';
    case 'smithy.api#Timestamp':
      return 'timestamp';
    case 'smithy.api#Document':
      return 'document';
    default:
      return 'string';
  }
}

export function buildTable(model: { shapes: Record<string, SmithyShape> }): ModelTable {
  const shapes = model.shapes;
  const out: ModelTable = { service: '', protocol: 'awsJson1_1', operations: {}, shapes: {} };
  const short = (id: string) => (id.startsWith('smithy.api#') ? id : id.slice(id.indexOf('#') + 1));

  const visit = (id: string): string => {
    const name = short(id);
    if (out.shapes[name] || id.startsWith('smithy.api#')) return name;
    const s = shapes[id];
    if (!s) throw new Error(`unknown shape ${id}`);
    const def: ShapeDef = { type: 'string' };
    out.shapes[name] = def;
    switch (s.type) {
      case 'structure':
      case 'union': {
        def.type = s.type;
        def.members = {};
        for (const [m, ref] of Object.entries(s.members ?? {})) {
          const md: NonNullable<ShapeDef['members']>[string] = { target: refTarget(ref.target) };
          const tr = ref.traits ?? {};
          if (tr['smithy.api#required'] !== undefined) md.required = true;
          if (tr['smithy.api#httpLabel'] !== undefined) md.location = 'label';
          if (typeof tr['smithy.api#httpQuery'] === 'string') {
            md.location = 'query';
            md.locationName = tr['smithy.api#httpQuery'] as string;
          }
          if (typeof tr['smithy.api#httpHeader'] === 'string') {
            md.location = 'header';
            md.locationName = tr['smithy.api#httpHeader'] as string;
          }
          if (tr['smithy.api#idempotencyToken'] !== undefined) md.idempotencyToken = true;
          const c: ShapeDef = { type: 'string' };
          constraintsOf(tr, c);
          if (c.minLen !== undefined) md.minLen = c.minLen;
          if (c.maxLen !== undefined) md.maxLen = c.maxLen;
          if (c.min !== undefined) md.min = c.min;
          if (c.max !== undefined) md.max = c.max;
          if (c.pattern !== undefined) md.pattern = c.pattern;
          def.members[m] = md;
        }
        break;
      }
      case 'list':
      case 'set':
        def.type = 'list';
        if (s.member) def.member = elementRef(name, 'member', s.member);
        if (s.type === 'set') def.unique = true;
        break;
      case 'map':
        def.type = 'map';
        if (s.key) def.key = elementRef(name, 'key', s.key);
        if (s.value) def.value = elementRef(name, 'value', s.value);
        break;
      case 'enum':
        def.type = 'string';
        def.enum = Object.values(s.members ?? {}).map((m) => String(m.traits?.['smithy.api#enumValue']));
        break;
      case 'intEnum':
        def.type = 'integer';
        break;
      case 'integer':
      case 'long':
      case 'short':
        def.type = 'integer';
        break;
      case 'float':
      case 'double':
        def.type = 'number';
        break;
      case 'boolean':
        def.type = 'boolean';
        break;
      case 'timestamp':
        def.type = 'timestamp';
        break;
      case 'document':
        def.type = 'document';
        break;
      case 'blob':
        def.type = 'blob';
        break;
      default:
        def.type = 'string';
    }
    constraintsOf(s.traits, def);
    return name;
  };
  const refTarget = (id: string): string => (id.startsWith('smithy.api#') ? simpleType(id) : visit(id));
  // Constraint traits on a list member or map key/value (e.g. `String@member` length 0..512) live on
  // the member, not the target: keep them as a synthetic shape `<Container>$<role>`.
  const elementRef = (
    container: string,
    role: string,
    ref: { target: string; traits?: Record<string, unknown> },
  ): string => {
    const base = refTarget(ref.target);
    const extra: ShapeDef = { type: 'string' };
    constraintsOf(ref.traits, extra);
    if (Object.keys(extra).length === 1) return base;
    const synthetic = `${container}$${role}`;
    const baseDef = out.shapes[base];
    out.shapes[synthetic] = {
      ...(baseDef ?? { type: base as ShapeDef['type'] }),
      ...extra,
      type: baseDef?.type ?? (base as ShapeDef['type']),
    };
    return synthetic;
  };

  for (const [id, s] of Object.entries(shapes)) {
    if (s.type === 'service') {
      const tr = s.traits ?? {};
      if (tr['aws.protocols#restJson1'] !== undefined) out.protocol = 'restJson1';
      else if (tr['aws.protocols#awsJson1_1'] !== undefined) out.protocol = 'awsJson1_1';
      const sig = tr['aws.auth#sigv4'] as { name: string } | undefined;
      out.service = sig?.name ?? short(id);
    }
  }
  for (const [id, s] of Object.entries(shapes).sort(([a], [b]) => a.localeCompare(b))) {
    if (s.type !== 'operation') continue;
    const op: OperationDef = {};
    const http = s.traits?.['smithy.api#http'] as { method: string; uri: string; code?: number } | undefined;
    if (http) op.http = { method: http.method, uri: http.uri, code: http.code ?? 200 };
    if (s.input) op.input = visit(s.input.target);
    out.operations[short(id)] = op;
  }
  // Error shapes: status codes for restJson1 serialisation.
  out.errors = {};
  for (const [id, s] of Object.entries(shapes)) {
    const kind = s.traits?.['smithy.api#error'];
    if (typeof kind !== 'string') continue;
    const status =
      (s.traits?.['smithy.api#httpError'] as number | undefined) ?? (kind === 'client' ? 400 : 500);
    out.errors[short(id)] = status;
  }
  return out;
}

export function buildTables(modelDir: string = defaultModelDir): Record<string, ModelTable> {
  const tables: Record<string, ModelTable> = {};
  for (const svc of SERVICES) {
    const model = JSON.parse(readFileSync(join(modelDir, `${svc}.json`), 'utf8')) as {
      shapes: Record<string, SmithyShape>;
    };
    // Keyed by the SigV4 signing name, which is also the emulator plugin's name (`secretsmanager`).
    const table = buildTable(model);
    tables[table.service] = table;
  }
  return tables;
}

export function generateSource(modelDir: string = defaultModelDir): string {
  const tables = buildTables(modelDir);
  return [
    '// GENERATED by src/emulators/aws/model/generate.ts from ../shared/aws-models/*.json — do not edit.',
    '// Regenerate with: npm run generate:aws-model',
    "import type { ModelTable } from './types.ts';",
    '',
    `export const MODELS: Record<string, ModelTable> = ${JSON.stringify(tables)};`,
    '',
  ].join('\n');
}

// `node generate.ts [DIR]` writes the table; `--check [DIR]` exits 1 when the committed table is not
// what the models give. The check needs the models beside the repository, so it runs in .ci/run
// (npm run check:aws-model), never in npm test, which needs nothing outside the repository.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const dirArg = args.find((a) => a !== '--check');
  const dir = dirArg ? resolve(dirArg) : defaultModelDir;
  if (check) {
    const { MODELS } = await import('./generated.ts');
    try {
      deepStrictEqual(JSON.parse(JSON.stringify(MODELS)), JSON.parse(JSON.stringify(buildTables(dir))));
    } catch {
      process.stderr.write(`${outputFile} is stale against ${dir}: run npm run generate:aws-model\n`);
      process.exit(1);
    }
    process.stdout.write(`${outputFile} matches ${dir}\n`);
  } else {
    writeFileSync(outputFile, generateSource(dir));
    process.stdout.write(`wrote ${outputFile}\n`);
  }
}
