// `imctl controller`: runs the reconcile engine against the cluster in KUBECONFIG (or in-cluster)
// and AWS through the standard AWS environment. Every flag has an environment variable.
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { http } from '../../engine/node-http.ts';
import type { CommandModule } from '../commands.ts';

/** Parses `90s`, `10m`, `1h`, or plain milliseconds. */
export function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`"${v}" is not a duration (examples: 30s, 10m, 1h)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(n * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']);
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${v}" must be a whole number ≥ 1`);
  return n;
}

function listen(v: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(v);
  if (!m) throw new InvalidArgumentError(`"${v}" must be host:port (for example 0.0.0.0:8080 or :8080)`);
  return { host: m[1] || '0.0.0.0', port: Number(m[2]) };
}

/** Why the health/metrics address cannot be served, by socket error code, with what to do. */
const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use (another process serves there); choose a free port',
  EACCES: 'permission denied (ports below 1024 need privileges); choose a port of 1024 or above',
  EADDRNOTAVAIL: 'no network interface has this address; use 0.0.0.0, 127.0.0.1 or an address of this host',
};

/** Listens on --listen with a starting-up handler; a busy or forbidden address exits 2 naming the flag. */
async function listenEarly(listen: { host: string; port: number }): Promise<Server> {
  const server = http.createServer((req, res) => {
    const healthz = (req.url ?? '/').split('?')[0] === '/healthz';
    res.writeHead(healthz ? 200 : 503, { 'content-type': 'text/plain' }).end(healthz ? 'ok\n' : 'starting\n');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const { code } = err as NodeJS.ErrnoException;
    const why = code ? LISTEN_ERRORS[code] : undefined;
    if (!why) throw err;
    process.stderr.write(`imctl controller: --listen ${listen.host}:${listen.port}: ${why}\n`);
    process.exit(2);
  }
  // Until the manager takes it over, it keeps no process alive that exits on a bad flag.
  server.unref();
  return server;
}

interface Flags {
  kubeconfig?: string;
  context?: string;
  region?: string;
  namespaces: string;
  labelSelector?: string;
  selector?: string;
  workers: number;
  resync: number;
  listen: { host: string; port: number };
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  shards: number;
  awsRate?: number;
  awsConcurrency?: number;
  logLevel: string;
  shutdownGrace: number;
}

export const command: CommandModule = {
  register(program: Command) {
    program
      .command('controller')
      .description(
        'Run the controller: watch the incidentmanager.gitops.dev kinds and reconcile them with AWS Incident Manager',
      )
      .addOption(
        new Option(
          '--kubeconfig <path>',
          'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)',
        ),
      )
      .addOption(new Option('--context <name>', 'kubeconfig context to use'))
      .addOption(
        new Option(
          '--region <region>',
          'AWS Region for objects without an AWSAccount (default: AWS_REGION)',
        ).env('AWS_REGION'),
      )
      .addOption(
        new Option('--namespaces <list>', 'comma-separated namespaces to watch; empty = all')
          .env('IMCTL_NAMESPACES')
          .default(''),
      )
      .addOption(
        new Option(
          '--label-selector <selector>',
          'only watch and reconcile objects matching this label selector, e.g. "team=payments,env in (prod)" (static partitioning; AWSAccounts are all watched, only matching ones reconciled; see also --shards)',
        ).env('IMCTL_LABEL_SELECTOR'),
      )
      .addOption(new Option('--selector <selector>', 'the same as --label-selector'))
      .addOption(
        new Option('--workers <n>', 'concurrent reconciles per kind')
          .env('IMCTL_WORKERS')
          .argParser(positiveInt)
          .default(2),
      )
      .addOption(
        new Option('--resync <duration>', 'drift-check period per object (± 10% jitter)')
          .env('IMCTL_RESYNC')
          .argParser(parseDuration)
          .default(600_000, '10m'),
      )
      .addOption(
        new Option('--listen <host:port>', 'address of /healthz, /readyz and /metrics')
          .env('IMCTL_LISTEN')
          .argParser(listen)
          .default({ host: '0.0.0.0', port: 8080 }, '0.0.0.0:8080'),
      )
      .addOption(
        new Option('--no-leader-elect', 'run without a Lease (only for a single replica)').env(
          'IMCTL_NO_LEADER_ELECT',
        ),
      )
      .addOption(
        new Option('--lease-namespace <ns>', 'namespace of the leader-election Lease')
          .env('POD_NAMESPACE')
          .default('default'),
      )
      .addOption(
        new Option('--lease-name <name>', 'name of the leader-election Lease')
          .env('IMCTL_LEASE_NAME')
          .default('incident-manager-operator'),
      )
      .addOption(
        new Option('--identity <id>', 'this replica in the Lease (default: POD_NAME, else hostname-pid)')
          .env('POD_NAME')
          .default(`${hostname()}-${process.pid}`, 'hostname-pid'),
      )
      .addOption(
        new Option(
          '--shards <n>',
          'split the objects by AWS account into n shards, each held by one replica through its own Lease (<lease-name>-shard-<i>); 1 = one leader for all',
        )
          .env('IMCTL_SHARDS')
          .argParser(positiveInt)
          .default(1),
      )
      .addOption(
        new Option('--aws-rate <n>', 'AWS calls per second per account, Region and service')
          .env('IMCTL_AWS_RATE')
          .argParser(positiveInt),
      )
      .addOption(
        new Option('--aws-concurrency <n>', 'AWS calls in flight per account, Region and service')
          .env('IMCTL_AWS_CONCURRENCY')
          .argParser(positiveInt),
      )
      .addOption(
        new Option('--log-level <level>', 'log level')
          .env('IMCTL_LOG_LEVEL')
          .choices(['debug', 'info', 'warn', 'error'])
          .default('info'),
      )
      .addOption(
        new Option(
          '--shutdown-grace <duration>',
          'on SIGTERM, how long in-flight reconciles may take before exiting without them (keep below the pod terminationGracePeriodSeconds)',
        )
          .env('IMCTL_SHUTDOWN_GRACE')
          .argParser(parseDuration)
          .default(25_000, '25s'),
      )
      .action(async (flags: Flags) => {
        // Served before the engine and the SDKs load (a second or more): /healthz answers at once,
        // /readyz and /metrics say "starting" until the manager takes the server over.
        const server = await listenEarly(flags.listen);
        // Loaded here, not at module load: every other imctl command would pay for the engine and the SDKs.
        const [{ KubeConfig }, { pino }, { kindModules }, { startManager }] = await Promise.all([
          import('../../engine/kubeconfig.ts'),
          import('pino'),
          import('../../controllers/index.ts'),
          import('../manager.ts'),
        ]);
        const logger = pino({ level: flags.logLevel, base: { component: 'incident-manager-operator' } });
        const kc = new KubeConfig();
        if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
        else kc.loadFromDefault();
        if (flags.context) kc.setCurrentContext(flags.context);
        const region = flags.region ?? process.env.AWS_DEFAULT_REGION;
        if (!region) {
          process.stderr.write('imctl controller: no AWS Region: set AWS_REGION or pass --region\n');
          process.exitCode = 2;
          return;
        }
        if (flags.selector && flags.labelSelector && flags.selector !== flags.labelSelector) {
          process.stderr.write('imctl controller: --selector and --label-selector differ; give one\n');
          process.exitCode = 2;
          return;
        }
        const labelSelector = flags.labelSelector ?? flags.selector;
        if (labelSelector) {
          // The API server would refuse it on every list and watch: say so before starting.
          const { parseLabelSelector } = await import('../../engine/label-selector.ts');
          try {
            parseLabelSelector(labelSelector);
          } catch (e) {
            process.stderr.write(
              `imctl controller: --label-selector "${labelSelector}": ${(e as Error).message}\n`,
            );
            process.exitCode = 2;
            return;
          }
        }
        if (flags.shards > 1 && !flags.leaderElect) {
          process.stderr.write('imctl controller: --shards needs leader election (drop --no-leader-elect)\n');
          process.exitCode = 2;
          return;
        }
        const limits =
          flags.awsRate || flags.awsConcurrency
            ? Object.fromEntries(
                (['ssm-contacts', 'ssm-incidents', 'ram', 'sts', 'secretsmanager', 'kms'] as const).map(
                  (s) => [
                    s,
                    {
                      concurrency: flags.awsConcurrency ?? 5,
                      intervalCap: flags.awsRate ?? 5,
                      intervalMs: 1_000,
                    },
                  ],
                ),
              )
            : undefined;
        const mgr = await startManager({
          kc,
          modules: kindModules,
          logger,
          region,
          namespaces: flags.namespaces
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          ...(labelSelector ? { labelSelector } : {}),
          workers: flags.workers,
          resyncMs: flags.resync,
          http: flags.listen,
          server,
          ...(limits ? { gateLimits: limits } : {}),
          ...(flags.leaderElect
            ? {
                leaderElection: {
                  namespace: flags.leaseNamespace,
                  name: flags.leaseName,
                  identity: flags.identity,
                  shards: flags.shards,
                },
              }
            : {}),
          onLostLeadership: () => process.exit(1),
        });
        let stopping = false;
        const shutdown = (signal: string) => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal, graceMs: flags.shutdownGrace }, 'received signal');
          // Past the grace period the process exits 1 without releasing the Lease: a reconcile may
          // still be writing to AWS, so the standby waits for the Lease to expire instead.
          const grace = setTimeout(() => {
            logger.error(
              { graceMs: flags.shutdownGrace },
              'in-flight reconciles did not finish within the grace period',
            );
            process.exit(1);
          }, flags.shutdownGrace);
          grace.unref();
          mgr
            .stop()
            .then(() => process.exit(0))
            .catch((err: unknown) => {
              logger.error({ err: String(err) }, 'shutdown failed');
              process.exit(1);
            });
        };
        process.on('SIGTERM', () => shutdown('SIGTERM'));
        process.on('SIGINT', () => shutdown('SIGINT'));
      });
  },
};
