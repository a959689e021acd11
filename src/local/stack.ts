// The whole product on one machine, in one process: a Kubernetes API server with our CRDs
// installed — the emulator, or a real etcd + kube-apiserver from KUBEBUILDER_ASSETS — the AWS
// emulator, and the controller manager reconciling between them. Backs `imctl demo` and the
// controller integration tests. The controller reaches AWS through the
// standard AWS environment (AWS_ENDPOINT_URL, keys, region), exactly as in a real deployment.
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { type ManagerOptions, type RunningManager, startManager } from '../cli/manager.ts';
import { kindModules } from '../controllers/index.ts';
import { allCrds, KINDS } from '../crds/registry.ts';
import { DEFAULT_ACCOUNT as DEFAULT_AWS_ACCOUNT, TEST_KEYS } from '../emulators/aws/accounts.ts';
import { type RunningEmulator, startAwsEmulator } from '../emulators/aws/server.ts';
import { type KubeEmulator, startKubeEmulator } from '../emulators/kube/index.ts';
import type { Clock, TimerHandle } from '../engine/clock.ts';
import { ClassifiedError } from '../engine/contract.ts';
import { KubeClient, type ResourceType } from '../engine/kube.ts';
import { type KindModule, resourceTypeOf } from '../engine/plugin.ts';
import { type ControlPlane, type ControlPlaneOptions, startControlPlane } from './control-plane.ts';

/** The AWS emulator's documented test key for account 111111111111 (see docs/aws-emulator.md). */
export const LOCAL_ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';

const CRD_TYPE: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  namespaced: false,
};

/**
 * Wall-clock time with an offset that can jump forward, shared by the AWS emulator and the
 * controller so that "24 hours later" is one call, not a day. Timers due by the new time fire at
 * once on a jump; otherwise they run on real timeouts.
 */
export class LocalClock implements Clock {
  #offset = 0;
  readonly #timers = new Set<{ due: number; fire: () => void }>();

  now(): number {
    return Date.now() + this.#offset;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const entry = {
      due: this.now() + Math.max(0, ms),
      fire: () => {
        if (!this.#timers.delete(entry)) return;
        clearTimeout(t);
        fn();
      },
    };
    const t = setTimeout(entry.fire, Math.max(0, ms));
    t.unref?.();
    this.#timers.add(entry);
    return {
      cancel: () => {
        this.#timers.delete(entry);
        clearTimeout(t);
      },
    };
  }

  /** Moves time forward; timers that are now due fire in due order. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('time only moves forward');
    this.#offset += ms;
    const due = [...this.#timers].filter((e) => e.due <= this.now()).sort((a, b) => a.due - b.due);
    for (const e of due) e.fire();
  }
}

export interface LocalStackOptions {
  /** Kind controllers to run; default: every kind folder under src/controllers. */
  modules?: readonly KindModule[];
  /** Home Region of the controller's own account. Default us-east-1. */
  region?: string;
  /** Access key the controller runs with; picks the account (docs/aws-emulator.md). */
  accessKeyId?: string;
  /** AWS emulator's CREATING/UPDATING → ACTIVE delay. Default 0 (tests); the demo uses a visible one. */
  transitionMs?: number;
  /** AWS emulator seed for ids and tokens. */
  seed?: number;
  kubePort?: number;
  awsPort?: number;
  workers?: number;
  resyncMs?: number;
  /** The controller's first poll while AWS works asynchronously. Default 5 s. */
  pollMs?: number;
  /** How often an AWSAccount with spec.acceptResourceShares looks for invitations. Default 1 min. */
  invitationPollMs?: number;
  /** How often an AWSAccount without a replication set looks for one (its first Region). Default 30 s. */
  onboardingPollMs?: number;
  /** The AWS gate's per-service limits (calls in flight, calls per interval); the manager's defaults otherwise. */
  gateLimits?: ManagerOptions['gateLimits'];
  logger?: Logger;
  /** Start without the controller (call `startController()` later), e.g. to prepare AWS state first. */
  deferController?: boolean;
}

/** What the stack needs of its Kubernetes side; the emulator and a real control plane both offer it. */
export interface KubeEndpoint {
  url: string;
  kubeconfigYaml: string;
  stop(): Promise<void>;
}

/** A real control plane instead of the emulator (startControlPlane; throws ASSETS_HINT without assets). */
export interface RealKubeOptions {
  kube: 'real';
  controlPlane?: ControlPlaneOptions;
}

export interface LocalStack<K extends KubeEndpoint = KubeEmulator> {
  /** The emulator (its store, dropWatches…) by default; the ControlPlane with `kube: 'real'`. */
  kube: K;
  kubeKind: 'emulator' | 'real';
  aws: RunningEmulator;
  /** Shared by the AWS emulator and the controller; `advance` jumps both. */
  clock: LocalClock;
  kc: KubeConfig;
  client: KubeClient;
  region: string;
  account: string;
  /** The environment a separate process (the AWS CLI, `imctl controller`) needs to reach the emulators. */
  env: Record<string, string>;
  manager: RunningManager | undefined;
  startController(): Promise<RunningManager>;
  stopController(): Promise<void>;
  stop(): Promise<void>;
}

export function startLocalStack(o: LocalStackOptions & RealKubeOptions): Promise<LocalStack<ControlPlane>>;
export function startLocalStack(
  o?: LocalStackOptions & { kube?: 'emulator' },
): Promise<LocalStack<KubeEmulator>>;
export async function startLocalStack(
  o: LocalStackOptions & { kube?: 'emulator' | 'real'; controlPlane?: ControlPlaneOptions } = {},
): Promise<LocalStack<KubeEmulator> | LocalStack<ControlPlane>> {
  const region = o.region ?? 'us-east-1';
  const clock = new LocalClock();
  const logger = o.logger ?? pino({ level: 'silent' });
  const kubeKind = o.kube ?? 'emulator';
  const kube: KubeEmulator | ControlPlane =
    kubeKind === 'real'
      ? await startControlPlane(o.controlPlane)
      : await startKubeEmulator({ port: o.kubePort ?? 0 });
  let aws: RunningEmulator;
  try {
    aws = await startAwsEmulator({
      port: o.awsPort ?? 0,
      clock,
      transitionMs: o.transitionMs ?? 0,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
    });
  } catch (e) {
    await kube.stop();
    throw e;
  }
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfigYaml);
  const client = new KubeClient(kc);
  try {
    for (const crd of allCrds()) await client.create(CRD_TYPE, crd);
    // A real API server serves a new kind once its CRD is Established, and lists it once the
    // kind's watch cache is filled (until then: 429 "storage is (re)initializing").
    if (kubeKind === 'real') await served(client, KINDS.map(resourceTypeOf));
  } catch (e) {
    await aws.stop();
    await kube.stop();
    throw e;
  }

  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: aws.url,
    AWS_ACCESS_KEY_ID: o.accessKeyId ?? LOCAL_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'local-emulator',
    AWS_REGION: region,
  };
  // The SDK clients the manager builds read the standard environment, as in a real deployment.
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);

  const stack: LocalStack<KubeEmulator | ControlPlane> = {
    kube,
    kubeKind,
    aws,
    clock,
    kc,
    client,
    region,
    account: accountOfKey(env.AWS_ACCESS_KEY_ID as string),
    env,
    manager: undefined,
    async startController() {
      if (stack.manager) return stack.manager;
      stack.manager = await startManager({
        kc,
        modules: o.modules ?? kindModules,
        logger,
        region,
        clock,
        ...(o.workers ? { workers: o.workers } : {}),
        ...(o.resyncMs ? { resyncMs: o.resyncMs } : {}),
        ...(o.pollMs ? { pollMs: o.pollMs } : {}),
        ...(o.invitationPollMs ? { invitationPollMs: o.invitationPollMs } : {}),
        ...(o.onboardingPollMs ? { onboardingPollMs: o.onboardingPollMs } : {}),
        ...(o.gateLimits ? { gateLimits: o.gateLimits } : {}),
      });
      return stack.manager;
    },
    async stopController() {
      const m = stack.manager;
      stack.manager = undefined;
      await m?.stop();
    },
    async stop() {
      await stack.stopController();
      await aws.stop();
      await kube.stop();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
  if (!o.deferController) await stack.startController();
  return stack as LocalStack<KubeEmulator> | LocalStack<ControlPlane>;
}

/** Polls, with a deadline, until every kind answers a list (404 before Established, 429 while its cache fills). */
async function served(client: KubeClient, types: readonly ResourceType[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(types);
  for (;;) {
    for (const t of [...pending]) {
      try {
        await client.request('GET', `${KubeClient.collectionPath(t)}?limit=1`);
        pending.delete(t);
      } catch (e) {
        const c = e instanceof ClassifiedError ? e.errorClass : undefined;
        if (c !== 'NotFound' && c !== 'Throttled') throw e;
      }
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `kinds not served within ${timeoutMs} ms: ${[...pending].map((t) => t.plural).join(', ')}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The account the emulator maps a key to (docs/aws-emulator.md, "Accounts"). */
function accountOfKey(key: string): string {
  return TEST_KEYS[key]?.account ?? DEFAULT_AWS_ACCOUNT;
}
