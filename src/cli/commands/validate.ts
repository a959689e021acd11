// `imctl validate FILE|DIR…`: checks manifests of this API before they reach a cluster, with the
// same rules the API server applies: the CRD schema (lengths, patterns, ranges, enums, required
// fields, list sizes, unknown fields, tag keys) and the CEL cross-field rules, evaluated by the
// Kubernetes emulator's schema core; CustomResourceDefinition documents get the emulator's apiextensions
// validation (validateCrd). Prints one line per problem (file, object, field path, rule)
// and exits 1 on any.
import type { Command } from 'commander';
import { type ExtraCheck, formatProblem, validateFiles } from '../../crds/manifests.ts';
import { crdFor, kindDefinition, type SchemaError } from '../../crds/registry.ts';
import {
  type CompiledSchema,
  compileVersionSchema,
  validateCrd,
  validateCrdName,
} from '../../emulators/kube/schema/index.ts';
import type { CommandModule } from '../commands.ts';

const compiled = new Map<string, CompiledSchema>();

function schemaFor(kind: string): CompiledSchema | undefined {
  let schema = compiled.get(kind);
  if (!schema) {
    const def = kindDefinition(kind);
    if (!def) return undefined;
    const crd = crdFor(def) as { spec: { versions: { schema: { openAPIV3Schema: object } }[] } };
    schema = compileVersionSchema(crd.spec.versions[0]!.schema.openAPIV3Schema);
    compiled.set(kind, schema);
  }
  return schema;
}

const within = (field: string, path: string) =>
  field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`);

/** The API server's view: CEL rules and list-type uniqueness, minus fields already reported. */
export const apiServerRules: ExtraCheck = (object, found) => {
  const kind = (object as { kind?: unknown }).kind;
  const schema = typeof kind === 'string' ? schemaFor(kind) : undefined;
  if (!schema) return [];
  const out: SchemaError[] = [];
  for (const cause of schema.validate(schema.applyDefaults(structuredClone(object)))) {
    if (found.some((e) => within(cause.field, e.path))) continue;
    // The API server's "some validation rules were not checked" line (no field): the errors above
    // already say what to fix, and the CEL rules run once they are fixed.
    if (cause.field === '<nil>') continue;
    const cel = /^Invalid value: "[a-z]+": /.exec(cause.message);
    if (cause.reason === 'FieldValueDuplicate')
      out.push({ path: cause.field, rule: 'listType', message: cause.message });
    else if (cel) out.push({ path: cause.field, rule: 'cel', message: cause.message.slice(cel[0].length) });
    else out.push({ path: cause.field, rule: cause.reason, message: cause.message });
  }
  return out;
};

/**
 * A CustomResourceDefinition document: the emulator's apiextensions validation (the code the kube
 * emulator runs on create), one problem per cause, with the field path and message kubectl prints.
 */
export const crdRules = (object: unknown): SchemaError[] =>
  [...validateCrdName(object as object), ...validateCrd(object as object)].map((c) => ({
    path: c.field,
    rule: c.reason,
    message: c.message,
  }));

export const command: CommandModule = {
  register(program: Command) {
    program
      .command('validate')
      .description(
        'Validate incidentmanager.gitops.dev manifests (files or directories) as the API server would: CRD schema (lengths, patterns, ranges, enums, required fields, list sizes), unknown fields, tag keys and the CEL cross-field rules; CustomResourceDefinition documents (any group) as kube-apiserver validates them (structural schema, CEL rules type-checked and priced)',
      )
      .argument('<paths...>', 'YAML/JSON files or directories (searched recursively); - reads standard input')
      .action((paths: string[]) => {
        let report: ReturnType<typeof validateFiles>;
        try {
          report = validateFiles(paths, { extra: apiServerRules, crd: crdRules });
        } catch (err) {
          process.stderr.write(`imctl validate: ${(err as Error).message}\n`);
          process.exitCode = 2;
          return;
        }
        for (const p of report.problems) process.stdout.write(`${formatProblem(p)}\n`);
        const summary = `${report.files} file(s), ${report.checked} object(s) checked, ${report.skipped} of other APIs skipped, ${report.problems.length} problem(s)`;
        process.stdout.write(`${summary}\n`);
        if (report.problems.length > 0) process.exitCode = 1;
      });
  },
};
