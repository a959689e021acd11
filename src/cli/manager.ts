// The composition root (the only one): the controller process minus flag parsing. It builds the
// AWS gate, the accounts and the AWSAccount reconciler, the kube client, informers, workers, leader
// election, health/readiness/metrics endpoints and graceful shutdown; the engine only receives
// them (it imports nothing from src/aws but types).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AccountReconciler } from '../aws/account-reconciler.ts';
import { AccountResolver, accountFor, DEFAULT_ACCOUNT, sdkSts } from '../aws/accounts.ts';
import type { ContactsRegionStatus } from '../aws/contacts-region.ts';
import { AwsGate, type AwsService, type GateLimits } from '../aws/gate.ts';
import { KIND_NAMES } from '../crds/values.ts';
import { type Clock, systemClock } from '../engine/clock.ts';
import type { ManagedObject } from '../engine/contract.ts';
import { Controller, type KindRegistration } from '../engine/controller.ts';
import { EventRecorder } from '../engine/events.ts';
import { KubeClient, KubeEventSink, KubeMetadataPort, type ResourceType } from '../engine/kube.ts';
import type { KubeConfig, KubeConfigSource } from '../engine/kubeconfig.ts';
import { parseLabelSelector } from '../engine/label-selector.ts';
import { kubeLeaseStore, LeaderElector } from '../engine/leader.ts';
import { http as nodeHttp } from '../engine/node-http.ts';
import { type KindModule, resourceTypeOf } from '../engine/plugin.ts';
import { ReferenceIndex } from '../engine/references.ts';
import { accountOf, ShardLeases, shardOf } from '../engine/shards.ts';

export interface ManagerOptions {
  /** Our KubeConfig, or client-node's (tests, `imctl demo`). */
  kc: KubeConfig | KubeConfigSource;
  modules: readonly KindModule[];
  logger: Logger;
  region: string;
  namespaces?: string[];
  /**
   * Only objects of the managed kinds whose labels match (listed and watched with it, so the caches
   * hold only them). AWSAccounts are all cached (a selected object may name any of them) but only
   * those matching are reconciled: label an account for the one controller that verifies it.
   */
  labelSelector?: string;
  workers?: number;
  resyncMs?: number;
  /** First poll while AWS works asynchronously (doubles up to the resync). Default 5 s. */
  pollMs?: number;
  /** How often an AWSAccount with spec.acceptResourceShares looks for invitations. Default 1 min. */
  invitationPollMs?: number;
  /** How often an AWSAccount without a replication set looks for one (its first Region). Default 30 s. */
  onboardingPollMs?: number;
  gateLimits?: Partial<Record<AwsService, GateLimits>>;
  http?: { host: string; port: number };
  /**
   * A server already listening (`imctl controller` opens it before loading the engine, so /healthz
   * answers at once); its requests are the manager's from here on, and `http` is not used.
   */
  server?: Server;
  leaderElection?: {
    namespace: string;
    name: string;
    identity: string;
    leaseDurationMs?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
    /**
     * More than 1: split the objects by AWS account into this many shards, each held through its
     * own Lease (`<name>-shard-<i>`) instead of one leader Lease (src/engine/shards.ts).
     */
    shards?: number;
  };
  clock?: Clock;
  /** Called when leadership is lost; the process should exit so a fresh replica stands by. */
  onLostLeadership?: () => void;
}

export interface RunningManager {
  /** Base URL of the health/metrics server. */
  url: string;
  registry: Registry;
  gate: AwsGate;
  isLeader(): boolean;
  ready(): boolean;
  stop(): Promise<void>;
}

export async function startManager(o: ManagerOptions): Promise<RunningManager> {
  const clock = o.clock ?? systemClock;
  const log = o.logger;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // With a Lease (leader or shard), whether this process still holds the one covering an account,
  // renewed within the renew deadline: asked by the gate before every attempt, so a call queued or
  // retried past a lapsed hold never reaches AWS beside the replica that took over.
  let holdFor: ((account: string) => string | undefined) | undefined;
  const gate = new AwsGate({
    registry,
    clock,
    ...(o.gateLimits ? { limits: o.gateLimits } : {}),
    admit: (t) => holdFor?.(t.account === DEFAULT_ACCOUNT ? '' : t.account),
  });
  let controller: Controller | undefined;
  const accounts = new AccountResolver({
    sts: sdkSts(gate),
    gate,
    defaultRegion: o.region,
    clock,
    // What an AWSAccount's status says of its contacts Region: nothing is asked of AWS after a restart.
    contactsSeed: (name) =>
      (
        controller?.get(`AWSAccount//${name}`)?.status as
          | { contactsRegion?: ContactsRegionStatus }
          | undefined
      )?.contactsRegion,
    ...(o.resyncMs ? { contactsRegionTtlMs: o.resyncMs } : {}),
  });
  const client = new KubeClient(o.kc);
  const types = new Map<string, ResourceType>(KIND_NAMES.map((k) => [k.kind, resourceTypeOf(k)]));
  const metadata = new KubeMetadataPort(client, types);
  const identity = o.leaderElection?.identity ?? 'imctl-controller';
  const events = new EventRecorder({
    sink: new KubeEventSink(client),
    clock,
    instance: identity,
    onError: (err) => log.warn({ err: String(err) }, 'could not write an Event'),
  });
  const refs = new ReferenceIndex();
  const lookup = (key: string): ManagedObject | undefined => controller?.get(key);

  const typeOf = (kind: string): ResourceType => {
    const t = types.get(kind);
    if (!t) throw new Error(`kind ${kind} is not in the API registry (src/crds/registry.ts)`);
    return t;
  };
  const regs: KindRegistration[] = [
    {
      kind: 'AWSAccount',
      type: typeOf('AWSAccount'),
      unselected: true,
      custom: (lk) =>
        new AccountReconciler({
          lookup: lk,
          accounts,
          gate,
          status: metadata,
          users: (account) =>
            o.modules
              .flatMap((m) => controller?.list(m.kind) ?? [])
              .filter((x) => x.spec.accountRef?.name === account),
          awsAccounts: () => controller?.list('AWSAccount') ?? [],
          ...(o.pollMs ? { pollMs: o.pollMs } : {}),
          events,
          clock,
          ...(o.resyncMs ? { resyncMs: o.resyncMs } : {}),
          ...(o.invitationPollMs ? { invitationPollMs: o.invitationPollMs } : {}),
          ...(o.onboardingPollMs ? { onboardingPollMs: o.onboardingPollMs } : {}),
        }),
    },
    // Secrets the kinds reference (activation codes): cached, and a change wakes the referrers.
    {
      kind: 'Secret',
      type: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
      watchOnly: true,
    },
    ...o.modules.map((m) => ({
      kind: m.kind,
      type: typeOf(m.kind),
      handler: m.create({
        gate,
        accounts,
        lookup,
        defaultRegion: o.region,
        clock,
        list: (kind: string) => controller?.list(kind) ?? [],
      }),
      ...(m.workers ? { workers: m.workers } : {}),
    })),
  ];
  const shards = o.leaderElection?.shards ?? 1;
  let shardLeases: ShardLeases | undefined;
  const selects = o.labelSelector ? parseLabelSelector(o.labelSelector) : undefined;
  // The informers bring only selected objects of the managed kinds; AWSAccounts come whole.
  const owns = (obj: ManagedObject): boolean =>
    (obj.kind !== 'AWSAccount' || !selects || selects(obj.metadata.labels)) &&
    (shards > 1 ? (shardLeases?.owns(obj) ?? false) : true);
  controller = new Controller(regs, {
    client,
    clock,
    ...(shards > 1 || selects ? { owns } : {}),
    kube: metadata,
    events,
    refs,
    registry,
    // The one account-resolution path: every kind gets its object's client set from here.
    clientsFor: (obj) => {
      const acct = accountFor(lookup, obj);
      return accounts.clients(acct.name, acct.spec);
    },
    ...(o.workers ? { workers: o.workers } : {}),
    ...(o.resyncMs ? { resyncMs: o.resyncMs } : {}),
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
    ...(o.namespaces?.length ? { namespaces: o.namespaces } : {}),
    ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
    log: (level, msg, fields) => log[level](fields ?? {}, msg),
    onInformerError: (kind, err, ms) =>
      log.warn({ kind, err: String(err), restartInMs: ms }, 'watch failed; restarting'),
  });
  const ctl = controller;

  let started = false;
  let running: Promise<void> | undefined;
  let elector: LeaderElector | undefined;
  const leading = () => (shardLeases ? shardLeases.held().length > 0 : elector ? elector.isLeader() : true);
  // A standby (no Lease, no shard) is ready: it serves nothing until it takes over.
  const ready = () => (!leading() ? true : started && ctl.hasSynced());
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ok = ready();
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ok ? 'ok\n' : 'caches not synced\n');
    } else if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
        .catch((err: unknown) => res.writeHead(500).end(String(err)));
    } else res.writeHead(404).end();
  };
  const server: Server = o.server ?? nodeHttp.createServer();
  server.removeAllListeners('request');
  server.on('request', handle);
  server.ref();
  const http = o.http ?? { host: '127.0.0.1', port: 0 };
  // A busy or forbidden address fails start-up before any work begins (the caller names its flag).
  if (!server.listening)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(http.port, http.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const addr = server.address();
  const url =
    typeof addr === 'object' && addr
      ? `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`
      : '';
  log.info({ url }, 'serving /healthz, /readyz and /metrics');

  const startWork = async () => {
    if (started) return;
    started = true;
    log.info(
      {
        kinds: regs.map((r) => r.kind),
        namespaces: o.namespaces ?? 'all',
        ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
      },
      'starting informers',
    );
    await ctl.start();
    log.info('caches synced; starting workers');
    running = ctl.engine.run();
  };

  if (o.leaderElection && shards > 1) {
    const le = o.leaderElection;
    const sl = new ShardLeases({
      shards,
      identity: le.identity,
      namespace: le.namespace,
      leaseName: le.name,
      store: (name) => kubeLeaseStore(client, le.namespace, name),
      clock,
      ...(le.leaseDurationMs ? { leaseDurationMs: le.leaseDurationMs } : {}),
      ...(le.renewDeadlineMs ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
      ...(le.retryPeriodMs ? { retryPeriodMs: le.retryPeriodMs } : {}),
      onAcquired: (shard) => {
        log.info({ identity: le.identity, shard, held: sl.held() }, 'took shard');
        startWork()
          .then(() => {
            // Keys seen while the shard was another replica's were dropped: queue the shard's objects.
            const n = ctl.enqueueWhere((obj) => shardOf(accountOf(obj), shards) === shard);
            log.info({ shard, objects: n }, 'reconciling shard');
          })
          .catch((err: unknown) => log.error({ err: String(err) }, 'could not start the controller'));
      },
      // As with the leader Lease: a replica that could not renew may already have been replaced,
      // so it stops at once rather than write beside the new holder.
      onLost: (shard) => {
        log.error({ identity: le.identity, shard }, 'lost shard');
        o.onLostLeadership?.();
      },
      onError: (err) => log.warn({ err: String(err) }, 'shard leases'),
    });
    shardLeases = sl;
    holdFor = (account) =>
      sl.holdsAccount(account)
        ? undefined
        : `${le.identity} does not hold shard ${shardOf(account, shards)} (AWSAccount ${account || '(none)'}) renewed within its renew deadline`;
    log.info({ identity: le.identity, shards, home: sl.home }, 'sharding by AWS account');
    sl.start();
  } else if (o.leaderElection) {
    const le = o.leaderElection;
    elector = new LeaderElector({
      store: kubeLeaseStore(client, le.namespace, le.name),
      identity: le.identity,
      namespace: le.namespace,
      name: le.name,
      clock,
      ...(le.leaseDurationMs ? { leaseDurationMs: le.leaseDurationMs } : {}),
      ...(le.renewDeadlineMs ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
      ...(le.retryPeriodMs ? { retryPeriodMs: le.retryPeriodMs } : {}),
      onStartedLeading: () => {
        log.info({ identity: le.identity, lease: `${le.namespace}/${le.name}` }, 'became leader');
        startWork().catch((err: unknown) =>
          log.error({ err: String(err) }, 'could not start the controller'),
        );
      },
      onStoppedLeading: () => {
        log.error({ identity: le.identity }, 'lost leadership');
        o.onLostLeadership?.();
      },
      onError: (err) => log.warn({ err: String(err) }, 'leader election'),
    });
    const held = elector;
    holdFor = () =>
      held.validUntil() > clock.now()
        ? undefined
        : `${le.identity} does not hold the Lease ${le.namespace}/${le.name} renewed within its renew deadline`;
    elector.start();
  } else await startWork();

  return {
    url,
    registry,
    gate,
    isLeader: leading,
    ready,
    async stop() {
      log.info('shutting down: finishing in-flight reconciles');
      await ctl.stop();
      await running;
      await elector?.stop(); // releases the Lease: the standby takes over at its next retry
      await shardLeases?.stop(); // likewise for each shard held
      await new Promise<void>((resolve) => server.close(() => resolve()));
      log.info('stopped');
    },
  };
}
