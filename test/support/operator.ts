// Integration-test handle on the local stack (src/local/stack.ts): both emulators, our CRDs, the
// controller running in-process. Waits follow the watch stream (no sleeps); the AWS emulator's
// call log tells which AWS writes a change produced.
import { readFileSync } from 'node:fs';
import { RAMClient } from '@aws-sdk/client-ram';
import { SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  GetReplicationSetCommand,
  SSMIncidentsClient,
} from '@aws-sdk/client-ssm-incidents';
import { parseAllDocuments } from 'yaml';
import { kindDefinition } from '../../src/crds/registry.ts';
import type { CallRecord } from '../../src/emulators/aws/observe.ts';
import { ClassifiedError, type Condition } from '../../src/engine/contract.ts';
import { KubeClient, type ResourceType } from '../../src/engine/kube.ts';
import { resourceTypeOf } from '../../src/engine/plugin.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../src/local/stack.ts';
import { waitForObject } from './wait.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary spec/status fields
export type KubeObject = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
};

const BUILTIN: Record<string, ResourceType> = {
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  Secret: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  Event: { group: '', version: 'v1', plural: 'events', namespaced: true },
};

export function typeOf(kind: string): ResourceType {
  const def = kindDefinition(kind);
  if (def) return resourceTypeOf(def);
  const t = BUILTIN[kind];
  if (!t) throw new Error(`test harness: unknown kind ${kind}`);
  return t;
}

/** AWS operations that only read. */
export const isRead = (op: string): boolean => /^(Get|List|Describe|Preview)/.test(op);

export function condition(obj: KubeObject | undefined, type: string): Condition | undefined {
  return (obj?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/** Ready=True for the object's current generation. */
export function isReady(obj: KubeObject | undefined): boolean {
  const c = condition(obj, 'Ready');
  return (
    c?.status === 'True' &&
    (obj?.status?.observedGeneration === undefined ||
      obj.status.observedGeneration === obj.metadata.generation)
  );
}

export interface Operator {
  stack: LocalStack;
  client: KubeClient;
  /** Namespace objects go to when they name none. */
  namespace: string;
  sdk: { contacts: SSMContactsClient; incidents: SSMIncidentsClient; ram: RAMClient };
  /** Server-side apply (field manager `imctl-test`, forced), as `kubectl apply --server-side` does. */
  apply<T extends KubeObject>(obj: T): Promise<T>;
  /**
   * Every document of a YAML file, applied in order; `namespace` overrides namespaced objects'.
   * AWSAccounts lose `spec.limits` (the samples' 5 calls/s) unless `keepAccountLimits`: an account's
   * limits can only lower the gate's, and tests not about them would wait on them.
   */
  applyFile(path: string, namespace?: string, o?: { keepAccountLimits?: boolean }): Promise<KubeObject[]>;
  get(kind: string, name: string, namespace?: string): Promise<KubeObject | undefined>;
  remove(kind: string, name: string, namespace?: string): Promise<void>;
  /** Resolves with the object once `pred` holds (checked on the current state, then on each watch event). */
  waitFor(
    kind: string,
    name: string,
    pred: (o: KubeObject | undefined) => boolean,
    opts?: { namespace?: string; timeoutMs?: number },
  ): Promise<KubeObject | undefined>;
  /** Ready=True for the current generation. */
  ready(kind: string, name: string, namespace?: string): Promise<KubeObject>;
  /** Until the object is gone from the API server. */
  gone(kind: string, name: string, namespace?: string): Promise<void>;
  /** The AWS call log's high-water mark: pass it to `calls`/`writes` to see only what came after. */
  mark(): number;
  calls(filter?: { service?: string; operation?: string; since?: number }): CallRecord[];
  /**
   * Resolves with the first AWS call after `since` that satisfies `pred`: one already logged, or
   * the next one the emulator logs (no polling; the call log notifies).
   */
  nextCall(
    pred: (c: CallRecord) => boolean,
    opts?: { since?: number; timeoutMs?: number },
  ): Promise<CallRecord>;
  /** Successful and failed non-read AWS calls since the mark. */
  writes(since?: number, service?: string): CallRecord[];
  /** Events recorded for an object (core/v1). */
  events(kind: string, name: string, namespace?: string): Promise<KubeObject[]>;
  /** An ACTIVE replication set in the controller's account, made straight through the SDK. */
  onboard(regions?: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Gate limits for tests: well above the default 5 calls/s, which tests would otherwise spend their
 * time waiting on. A test about the limits passes its own `gateLimits`.
 */
export const FAST_GATE: NonNullable<LocalStackOptions['gateLimits']> = {
  'ssm-contacts': { concurrency: 10, intervalCap: 100, intervalMs: 1_000 },
  'ssm-incidents': { concurrency: 10, intervalCap: 100, intervalMs: 1_000 },
  ram: { concurrency: 10, intervalCap: 100, intervalMs: 1_000 },
  sts: { concurrency: 10, intervalCap: 100, intervalMs: 1_000 },
  secretsmanager: { concurrency: 10, intervalCap: 100, intervalMs: 1_000 },
  kms: { concurrency: 10, intervalCap: 100, intervalMs: 1_000 },
};

export async function startOperator(
  opts: LocalStackOptions & { namespace?: string } = {},
): Promise<Operator> {
  const stack = await startLocalStack({ gateLimits: FAST_GATE, ...opts });
  const client = stack.client;
  const namespace = opts.namespace ?? 'default';
  const aws = {
    region: stack.region,
    endpoint: stack.aws.url,
    credentials: { accessKeyId: stack.env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'local-emulator' },
  };
  const sdk = {
    contacts: new SSMContactsClient(aws),
    incidents: new SSMIncidentsClient(aws),
    ram: new RAMClient(aws),
  };
  if (namespace !== 'default')
    await client.create(typeOf('Namespace'), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });

  const nsOf = (kind: string, ns?: string) => (typeOf(kind).namespaced ? (ns ?? namespace) : undefined);

  const get = async (kind: string, name: string, ns?: string): Promise<KubeObject | undefined> => {
    try {
      return await client.get<KubeObject>(typeOf(kind), name, nsOf(kind, ns));
    } catch (e) {
      if (e instanceof ClassifiedError && e.errorClass === 'NotFound') return undefined;
      throw e;
    }
  };

  const apply = async <T extends KubeObject>(obj: T): Promise<T> => {
    const t = typeOf(obj.kind);
    const ns = nsOf(obj.kind, obj.metadata.namespace);
    const body = { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } };
    const path = `${KubeClient.objectPath(t, obj.metadata.name, ns)}?fieldManager=imctl-test&force=true`;
    return client.request<T>('PATCH', path, body, 'application/apply-patch+yaml');
  };

  const waitFor: Operator['waitFor'] = (kind, name, pred, o = {}) =>
    waitForObject<KubeObject>({
      kc: stack.kc,
      client,
      type: typeOf(kind),
      name,
      namespace: nsOf(kind, o.namespace),
      pred,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    });

  // Every call the emulator logs is offered to the waiting `nextCall`s.
  const callWaiters = new Set<(c: CallRecord) => void>();
  const log = stack.aws.admin.log;
  const logAdd = log.add.bind(log);
  log.add = (r) => {
    logAdd(r);
    const last = log.calls().at(-1);
    if (last) for (const w of [...callWaiters]) w(last);
  };

  let seqBase = 0;
  const op: Operator = {
    stack,
    client,
    namespace,
    sdk,
    apply,
    async applyFile(path, ns, o = {}) {
      const out: KubeObject[] = [];
      for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
        const obj = doc.toJS() as KubeObject | null;
        if (!obj) continue;
        if (ns && typeOf(obj.kind).namespaced) obj.metadata.namespace = ns;
        if (obj.kind === 'AWSAccount' && !o.keepAccountLimits) delete obj.spec?.limits;
        out.push(await apply(obj));
      }
      return out;
    },
    get,
    async remove(kind, name, ns) {
      try {
        await client.request('DELETE', KubeClient.objectPath(typeOf(kind), name, nsOf(kind, ns)));
      } catch (e) {
        if (!(e instanceof ClassifiedError && e.errorClass === 'NotFound')) throw e;
      }
    },
    waitFor,
    async ready(kind, name, ns) {
      const o = await waitFor(kind, name, isReady, ns ? { namespace: ns } : {});
      return o as KubeObject;
    },
    async gone(kind, name, ns) {
      await waitFor(kind, name, (o) => o === undefined, ns ? { namespace: ns } : {});
    },
    mark() {
      const all = stack.aws.admin.calls();
      seqBase = all.at(-1)?.seq ?? 0;
      return seqBase;
    },
    calls(f = {}) {
      const since = f.since ?? 0;
      return stack.aws.admin
        .calls({
          ...(f.service ? { service: f.service } : {}),
          ...(f.operation ? { operation: f.operation } : {}),
        })
        .filter((c) => c.seq > since);
    },
    nextCall(pred, o = {}) {
      const since = o.since ?? seqBase;
      const hit = op.calls({ since }).find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const waiter = (c: CallRecord) => {
          if (c.seq <= since || !pred(c)) return;
          callWaiters.delete(waiter);
          clearTimeout(timer);
          resolve(c);
        };
        // A guard against a hung test, not a synchronisation.
        const timer = setTimeout(() => {
          callWaiters.delete(waiter);
          reject(new Error(`timed out waiting for an AWS call after #${since}`));
        }, o.timeoutMs ?? 60_000);
        callWaiters.add(waiter);
      });
    },
    writes(since = seqBase, service) {
      return op.calls({ since, ...(service ? { service } : {}) }).filter((c) => !isRead(c.operation));
    },
    async events(kind, name, ns) {
      const list = await client.list<KubeObject>(typeOf('Event'), { namespace: nsOf(kind, ns) ?? 'default' });
      return list.items.filter((e) => e.involvedObject?.kind === kind && e.involvedObject?.name === name);
    },
    async onboard(regions = [stack.region]) {
      const { arn } = await sdk.incidents.send(
        new CreateReplicationSetCommand({ regions: Object.fromEntries(regions.map((r) => [r, {}])) }),
      );
      // transitionMs is 0 by default: the next read reports ACTIVE. Others advance the shared clock.
      for (;;) {
        const r = await sdk.incidents.send(new GetReplicationSetCommand({ arn }));
        if (r.replicationSet?.status === 'ACTIVE') return arn as string;
        if (r.replicationSet?.status === 'FAILED') throw new Error('replication set FAILED');
        stack.clock.advance(1_000);
      }
    },
    async stop() {
      for (const c of Object.values(sdk)) c.destroy();
      await stack.stop();
    },
  };
  return op;
}
