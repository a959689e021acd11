// `imctl demo`: the whole product on this machine. Starts the Kubernetes API server emulator — or,
// with `--kube real`, etcd + kube-apiserver from KUBEBUILDER_ASSETS — with our CRDs, and the AWS
// emulator on loopback, runs the controller against them, applies
// config/samples/, and prints each object's Ready/Synced as the watch reports it changing. It then
// keeps running so the user can look around with kubectl and the AWS CLI (the commands are
// printed); `--once` instead exits 0 when every sample is Ready, or non-zero naming those that are
// not, with their conditions, after `--timeout`.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseAllDocuments } from 'yaml';
import { KINDS } from '../../crds/registry.ts';
import { systemClock } from '../../engine/clock.ts';
import type { ManagedObject } from '../../engine/contract.ts';
import type { ResourceType } from '../../engine/kube.ts';
import { resourceTypeOf } from '../../engine/plugin.ts';
import type { KubeEndpoint, LocalStack } from '../../local/stack.ts';
import type { CommandModule } from '../commands.ts';
import { parseDuration } from './controller.ts';

const DEFAULT_SAMPLES = fileURLToPath(new URL('../../../config/samples/', import.meta.url));
/** Kinds the controller reconciles without a kind folder. */
const BUILT_IN = new Set(['AWSAccount']);
const CORE: Record<string, ResourceType> = {
  Secret: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
};

export interface DemoFlags {
  once: boolean;
  timeout: number;
  samples: string;
  transition: number;
  kubePort: number;
  awsPort: number;
  dir?: string;
  logLevel: string;
  /** The Kubernetes side: the emulator (default) or a real control plane from KUBEBUILDER_ASSETS. */
  kube?: 'emulator' | 'real';
}

interface Sample {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  file: string;
}

/** Every document of every *.yaml in `dir`, in file order (the files are numbered). */
export function readSamples(dir: string): Sample[] {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const out: Sample[] = [];
  for (const file of files)
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const obj = doc.toJS() as Sample | null;
      if (obj?.kind && obj.metadata?.name) out.push({ ...obj, file });
    }
  return out;
}

/** Splits the samples into those the controller can reconcile now and those whose kind has no controller yet. */
export function partition(samples: readonly Sample[], controlled: ReadonlySet<string>) {
  const ours = new Set<string>(KINDS.map((k) => k.kind));
  const apply = samples.filter((s) => !ours.has(s.kind) || controlled.has(s.kind));
  const skipped = samples.filter((s) => ours.has(s.kind) && !controlled.has(s.kind));
  return { apply, skipped };
}

function typeOf(kind: string): ResourceType {
  const def = KINDS.find((k) => k.kind === kind);
  if (def) return resourceTypeOf(def);
  const core = CORE[kind];
  if (!core) throw new Error(`the demo cannot apply kind ${kind}`);
  return core;
}

const keyOf = (o: { kind: string; metadata: { name: string; namespace?: string } }) =>
  `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

interface Row {
  kind: string;
  name: string;
  ready: string;
  reason: string;
  synced: string;
  message: string;
}

function rowOf(kind: string, o: ManagedObject | undefined, name: string): Row {
  const cond = (t: string) => o?.status?.conditions?.find((c) => c.type === t);
  const r = cond('Ready');
  const s = cond('Synced');
  const current =
    o?.status?.observedGeneration === undefined || o.status.observedGeneration === o.metadata.generation;
  return {
    kind,
    name: o?.metadata.namespace ? `${o.metadata.namespace}/${name}` : name,
    ready: r ? (current ? r.status : `${r.status}*`) : '-',
    reason: r?.reason ?? (o ? 'Pending' : 'Missing'),
    synced: s?.status ?? '-',
    message: (r?.status === 'True' ? (s?.message ?? '') : (r?.message ?? s?.message ?? '')).replace(
      /\s+/g,
      ' ',
    ),
  };
}

const isReady = (o: ManagedObject | undefined) => {
  const r = o?.status?.conditions?.find((c) => c.type === 'Ready');
  return (
    r?.status === 'True' &&
    (o?.status?.observedGeneration === undefined || o.status.observedGeneration === o.metadata.generation)
  );
};

const WIDTHS = [8, 15, 28, 6, 26, 7];
function line(cells: string[], width = process.stdout.columns || 160): string {
  const fixed = cells
    .slice(0, WIDTHS.length)
    .map((c, i) => c.padEnd(WIDTHS[i] ?? 0))
    .join(' ');
  const rest = cells.slice(WIDTHS.length).join(' ');
  const room = Math.max(20, width - fixed.length - 2);
  return `${fixed} ${rest.length > room ? `${rest.slice(0, room - 1)}…` : rest}`.trimEnd();
}
const HEADER = ['TIME', 'KIND', 'NAME', 'READY', 'REASON', 'SYNCED', 'MESSAGE'];
const clock = () => new Date().toISOString().slice(11, 19);
const rowCells = (r: Row, time = clock()) => [time, r.kind, r.name, r.ready, r.reason, r.synced, r.message];

/** Writes a kubeconfig and an AWS CLI config for the running stack; returns the hints to print. */
function writeAccessFiles(
  stack: LocalStack<KubeEndpoint>,
  dir: string,
  samples: readonly Sample[],
): string[] {
  mkdirSync(dir, { recursive: true });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, stack.kube.kubeconfigYaml);
  // The AWS CLI reaches the emulator through AWS_ENDPOINT_URL; each AWSAccount of the samples gets
  // a profile that assumes its role, as the controller does (the emulator lets every role be assumed).
  const profiles = [
    '[profile emulator]',
    `region = ${stack.region}`,
    '',
    ...samples
      .filter((s) => s.kind === 'AWSAccount')
      .flatMap((s) => {
        const spec = (s as unknown as { spec: { region?: string; roleArn?: string; externalId?: string } })
          .spec;
        return spec.roleArn
          ? [
              `[profile ${s.metadata.name}]`,
              `role_arn = ${spec.roleArn}`,
              'source_profile = emulator',
              ...(spec.externalId ? [`external_id = ${spec.externalId}`] : []),
              `region = ${spec.region ?? stack.region}`,
              '',
            ]
          : [];
      }),
  ];
  const awsConfig = join(dir, 'aws-config');
  writeFileSync(awsConfig, `${profiles.join('\n')}\n`);
  const credentials = join(dir, 'aws-credentials');
  // The emulator's documented example key (docs/aws-emulator.md), not a secret.
  writeFileSync(
    credentials,
    `[emulator]\naws_access_key_id = ${stack.env.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${stack.env.AWS_SECRET_ACCESS_KEY}\n`,
  );
  const firstAccount = samples.find((s) => s.kind === 'AWSAccount')?.metadata.name ?? 'emulator';
  return [
    `Kubernetes API: ${stack.kube.url}${stack.kubeKind === 'real' ? '  (kube-apiserver from KUBEBUILDER_ASSETS)' : ''}`,
    `  export KUBECONFIG=${kubeconfig}`,
    '  kubectl get awsaccounts,replicationsets,contacts,rotations,escalationplans,responseplans -A',
    `AWS endpoint:   ${stack.aws.url}  (ssm-contacts, ssm-incidents, ram, sts, secretsmanager, kms, ssm)`,
    `  export AWS_ENDPOINT_URL=${stack.aws.url} AWS_CONFIG_FILE=${awsConfig} AWS_SHARED_CREDENTIALS_FILE=${credentials}`,
    `  aws --profile ${firstAccount} ssm-contacts list-contacts`,
  ];
}

export const command: CommandModule = {
  register(program: Command) {
    program
      .command('demo')
      .description(
        'Run everything locally: both emulators, the CRDs, the controller, and config/samples/; print Ready/Synced as it changes',
      )
      .option(
        '--once',
        'exit 0 once every sample is Ready (non-zero with the failing conditions after --timeout)',
        false,
      )
      .addOption(
        new Option('--timeout <duration>', 'with --once: how long to wait for every sample to be Ready')
          .default(120_000, '120s')
          .argParser(parseDuration),
      )
      .option('--samples <dir>', 'the manifests to apply', DEFAULT_SAMPLES)
      .addOption(
        new Option(
          '--kube <kind>',
          'the Kubernetes API server: our emulator, or a real etcd + kube-apiserver from KUBEBUILDER_ASSETS',
        )
          .choices(['emulator', 'real'])
          .default('emulator'),
      )
      .addOption(
        new Option('--transition <duration>', "the AWS emulator's CREATING → ACTIVE time")
          .default(1_000, '1s')
          .argParser(parseDuration),
      )
      .addOption(
        new Option('--kube-port <port>', 'Kubernetes emulator port (0 = any free port; --kube emulator only)')
          .default(0)
          .argParser(port),
      )
      .addOption(
        new Option('--aws-port <port>', 'AWS emulator port (0 = any free port)').default(0).argParser(port),
      )
      .option('--dir <path>', 'where to write the kubeconfig and AWS CLI config (default: a new temp dir)')
      .addOption(
        new Option('--log-level <level>', 'controller log level (JSON lines on stderr)')
          .choices(['debug', 'info', 'warn', 'error', 'silent'])
          .default('warn'),
      )
      .action(async (flags: DemoFlags) => {
        process.exitCode = await runDemo(flags);
        // SDK keep-alive sockets and the emulators' timers must not hold the process open.
        process.exit();
      });
  },
};

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError(`"${v}" is not a port`);
  return n;
}

/** The demo; returns the exit status. `write` receives each output line (stdout by default). */
export async function runDemo(
  flags: DemoFlags,
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const out = (s = '') => write(s);
  if (flags.kube === 'real') {
    // Before anything starts: without the binaries the one-line hint says where to get them.
    const { envtestAssets } = await import('../../local/control-plane.ts');
    try {
      envtestAssets();
    } catch (e) {
      process.stderr.write(`imctl demo: ${(e as Error).message}\n`);
      return 1;
    }
  }
  // Loaded here, not at module load: every other imctl command would pay for the engine and the SDKs.
  const [{ pino }, { kindModules }, { Informer }, { KubeClient }, { startLocalStack }] = await Promise.all([
    import('pino'),
    import('../../controllers/index.ts'),
    import('../../engine/informer.ts'),
    import('../../engine/kube.ts'),
    import('../../local/stack.ts'),
  ]);
  const samples = readSamples(resolve(flags.samples));
  const controlled = new Set([...BUILT_IN, ...kindModules.map((m) => m.kind)]);
  const { apply, skipped } = partition(samples, controlled);
  const watched = [...new Set(apply.map((s) => s.kind).filter((k) => controlled.has(k)))];
  out(`Controllers: ${[...controlled].sort().join(', ')}`);
  if (skipped.length > 0) {
    const byKind = new Map<string, string[]>();
    for (const s of skipped) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s.metadata.name]);
    for (const [kind, names] of byKind)
      out(`No controller yet for ${kind}: not applied (${names.join(', ')})`);
  }

  const logger = pino({ level: flags.logLevel, base: { component: 'imctl-demo' } }, pino.destination(2));
  const common = {
    transitionMs: flags.transition,
    pollMs: Math.max(200, Math.min(flags.transition, 5_000)),
    awsPort: flags.awsPort,
    logger,
  };
  let stack: LocalStack<KubeEndpoint>;
  if (flags.kube === 'real') {
    out('Starting etcd + kube-apiserver (KUBEBUILDER_ASSETS), the AWS emulator and the controller…');
    stack = await startLocalStack({ ...common, kube: 'real' });
  } else {
    out('Starting the Kubernetes emulator, the AWS emulator and the controller…');
    stack = await startLocalStack({ ...common, kubePort: flags.kubePort });
  }
  const stopping: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stopping.splice(0).reverse()) await s().catch(() => undefined);
  };
  stopping.push(() => stack.stop());
  try {
    const dir = flags.dir ?? mkdtempSync(join(tmpdir(), 'imctl-demo-'));
    for (const hint of writeAccessFiles(stack, dir, samples)) out(hint);
    out();
    // What a user sets up in AWS before applying the samples: the response plan's PagerDuty secret and runbook.
    const { createSamplePrerequisites } = await import('../../local/sample-prerequisites.ts');
    await createSamplePrerequisites(stack.env, samples);

    // Watch first, so no change between an apply and the first list is missed.
    const rows = new Map<string, string>();
    const objects = new Map<string, ManagedObject | undefined>();
    const expected = apply.filter((s) => controlled.has(s.kind));
    // A namespaced sample without a namespace lands in `default`.
    const liveKey = (s: Sample) =>
      keyOf({
        kind: s.kind,
        metadata: {
          name: s.metadata.name,
          ...(typeOf(s.kind).namespaced ? { namespace: s.metadata.namespace ?? 'default' } : {}),
        },
      });
    for (const s of expected) objects.set(liveKey(s), undefined);
    let onChange: () => void = () => undefined;
    out(line(HEADER));
    const show = (kind: string, o: ManagedObject) => {
      const key = keyOf(o);
      if (!objects.has(key)) return;
      objects.set(key, o);
      const r = rowOf(kind, o, o.metadata.name);
      const shown = JSON.stringify([r.ready, r.reason, r.synced, r.message]);
      if (rows.get(key) !== shown) {
        rows.set(key, shown);
        out(line(rowCells(r)));
      }
      onChange();
    };
    for (const kind of watched) {
      const inf = new Informer<ManagedObject>({
        client: stack.client,
        type: typeOf(kind),
        clock: systemClock,
        handlers: { add: (o) => show(kind, o), update: (o) => show(kind, o) },
      });
      await inf.start();
      stopping.push(() => inf.stop());
    }

    let applyFailures = 0;
    for (const s of apply) {
      const t = typeOf(s.kind);
      const ns = t.namespaced ? (s.metadata.namespace ?? 'default') : undefined;
      const { file: _file, ...body } = s;
      const path = `${KubeClient.objectPath(t, s.metadata.name, ns)}?fieldManager=imctl-demo&force=true`;
      try {
        await stack.client.request('PATCH', path, body, 'application/apply-patch+yaml');
      } catch (e) {
        applyFailures++;
        out(`could not apply ${s.kind} ${s.metadata.name} (${s.file}): ${(e as Error).message}`);
      }
    }

    const allReady = () => [...objects.values()].every(isReady);
    const started = Date.now();
    const converged = new Promise<boolean>((resolve) => {
      const timer = flags.once ? setTimeout(() => resolve(false), flags.timeout) : undefined;
      onChange = () => {
        if (!allReady()) return;
        if (timer) clearTimeout(timer);
        resolve(true);
      };
      onChange();
    });

    if (flags.once) {
      const ok = (await converged) && applyFailures === 0;
      out();
      if (ok) {
        out(`All ${objects.size} objects Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
        if (skipped.length > 0)
          out(
            `Not demonstrated: ${skipped.length} sample objects of kinds without a controller (listed above).`,
          );
        return 0;
      }
      const failing = [...objects].filter(([, o]) => !isReady(o));
      out(
        `Not Ready after ${(flags.timeout / 1000).toFixed(0)} s: ${failing.length} of ${objects.size} objects${applyFailures ? `; ${applyFailures} could not be applied` : ''}.`,
      );
      for (const [key, o] of failing) {
        const [kind = '', , name = ''] = key.split('/');
        const conds = o?.status?.conditions ?? [];
        out(`  ${kind} ${name}:`);
        if (conds.length === 0) out('    no status yet (never reconciled)');
        for (const c of conds) out(`    ${c.type}=${c.status} ${c.reason}: ${c.message}`);
      }
      return 1;
    }

    void converged.then((ok) => {
      if (ok) out(`\nAll ${objects.size} objects Ready. Still watching; Ctrl-C to stop.`);
    });
    out('\nWatching; Ctrl-C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    out('Stopping…');
    return 0;
  } finally {
    await stop();
  }
}
