// Engine throughput and AWS cost per object: N Contacts (a bench-only client over the real SDK
// against the AWS emulator, kube side an in-memory store) go from nothing to Ready, then one resync
// pass runs. Prints reconciles/second and AWS calls per object (from the emulator's counters) for
// the initial convergence and for the steady-state resync (expected: 1 read, 0 writes).
// Run: node bench/engine.bench.ts [sizes…]   (default 100 1000)
import {
  CreateContactCommand,
  DeleteContactCommand,
  GetContactCommand,
  ListContactsCommand,
  ListTagsForResourceCommand,
  SSMContactsClient,
  UpdateContactCommand,
} from '@aws-sdk/client-ssm-contacts';
import {
  CreateReplicationSetCommand,
  GetReplicationSetCommand,
  SSMIncidentsClient,
} from '@aws-sdk/client-ssm-incidents';
import type { ClientSet } from '../src/aws/accounts.ts';
import { AwsGate } from '../src/aws/gate.ts';
import { tagsFromAws, tagsToAws } from '../src/controllers/shared/contacts-tags.ts';
import { startAwsEmulator } from '../src/emulators/aws/server.ts';
import { systemClock } from '../src/engine/clock.ts';
import type { FieldDiff, KindClient, KindHandler, ManagedObject } from '../src/engine/contract.ts';
import { type ControllerOptions, Engine } from '../src/engine/controller.ts';
import { EventRecorder } from '../src/engine/events.ts';
import { identityTags } from '../src/engine/identity.ts';
import { ReferenceIndex } from '../src/engine/references.ts';
import { MemoryEvents, MemoryKube } from '../test/unit/engine/harness.ts';

interface State {
  displayName: string;
}

export function contactHandler(client: SSMContactsClient, gate: AwsGate): KindHandler<ManagedObject, State> {
  const t = { account: 'default', region: 'us-east-1', service: 'ssm-contacts' as const };
  const alias = (mr: ManagedObject) => String((mr.spec as { alias?: string }).alias);
  const ext: KindClient<ManagedObject, State> = {
    async read(arn) {
      const c = await gate.call(t, 'GetContact', () =>
        client.send(new GetContactCommand({ ContactId: arn })),
      );
      return { identity: arn, observed: { displayName: c.DisplayName ?? '' }, phase: 'Active' };
    },
    async findByName(mr) {
      const out = await gate.call(t, 'ListContacts', () =>
        client.send(new ListContactsCommand({ AliasPrefix: alias(mr) })),
      );
      const named = (out.Contacts ?? []).filter((c) => c.Alias === alias(mr));
      return Promise.all(
        named.map(async (c) => {
          const arn = c.ContactArn as string;
          const tags = await gate.call(t, 'ListTagsForResource', () =>
            client.send(new ListTagsForResourceCommand({ ResourceARN: arn })),
          );
          return { identity: arn, tags: tagsFromAws(tags.Tags) };
        }),
      );
    },
    async create(mr, ctx) {
      const out = await gate.call(t, 'CreateContact', () =>
        client.send(
          new CreateContactCommand({
            Alias: alias(mr),
            DisplayName: ctx.desired.displayName,
            Type: 'PERSONAL',
            Plan: { Stages: [] },
            IdempotencyToken: ctx.idempotencyToken('CreateContact'),
            Tags: tagsToAws(
              identityTags({ ...mr, metadata: { ...mr.metadata, uid: mr.metadata.uid ?? '' } }),
            ),
          }),
        ),
      );
      return { identity: out.ContactArn! };
    },
    async update(_mr, _o, _d, ctx) {
      await gate.call(t, 'UpdateContact', () =>
        client.send(
          new UpdateContactCommand({ ContactId: ctx.identity!, DisplayName: ctx.desired.displayName }),
        ),
      );
    },
    async delete(_mr, _o, ctx) {
      await gate.call(t, 'DeleteContact', () =>
        client.send(new DeleteContactCommand({ ContactId: ctx.identity! })),
      );
    },
  };
  return {
    kind: 'Contact',
    toDesired: (mr) => ({ displayName: String((mr.spec as { displayName?: string }).displayName) }),
    diff: (d, o): FieldDiff[] =>
      d.displayName === o.displayName
        ? []
        : [{ path: 'spec.displayName', desired: d.displayName, observed: o.displayName, updatable: true }],
    client: () => ext,
  };
}

/** An engine running only the bench Contact kind over an in-memory Kubernetes side. */
export function contactEngine(
  handler: KindHandler<ManagedObject, State>,
  kube: MemoryKube,
  opts: Partial<ControllerOptions> = {},
): Engine {
  return new Engine(
    [{ kind: 'Contact', handler, type: { group: 'g', version: 'v', plural: 'contacts', namespaced: true } }],
    { get: kube.lookup },
    {
      clock: systemClock,
      kube,
      events: new EventRecorder({ sink: new MemoryEvents(), clock: systemClock }),
      refs: new ReferenceIndex(),
      clientsFor: () => ({}) as ClientSet, // the bench kind carries its own SDK client
      ...opts,
    },
  );
}

/** A bench Contact in the in-memory store, announced to the engine as a watch would. */
export function putContact(kube: MemoryKube, engine: Engine, name: string, alias = name): string {
  const o = kube.put({
    apiVersion: 'incidentmanager.gitops.dev/v1alpha1',
    kind: 'Contact',
    metadata: { name, namespace: 'default', uid: `${name}-uid`, generation: 1 },
    spec: { alias, displayName: name } as ManagedObject['spec'],
  });
  engine.onUpsert(o, undefined);
  return `Contact/default/${name}`;
}

/** Contacts need an onboarded account: an ACTIVE replication set in the Region. */
export async function onboard(endpoint: string | undefined, region = 'us-east-1'): Promise<void> {
  const incidents = new SSMIncidentsClient({
    region,
    ...(endpoint
      ? { endpoint, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' } }
      : {}),
  });
  const { arn } = await incidents.send(new CreateReplicationSetCommand({ regions: { [region]: {} } }));
  for (;;) {
    const r = await incidents.send(new GetReplicationSetCommand({ arn }));
    if (r.replicationSet?.status === 'ACTIVE') return;
    await new Promise((res) => setTimeout(res, 10));
  }
}

function calls(counters: Record<string, { calls: number }>): { reads: number; writes: number } {
  let reads = 0;
  let writes = 0;
  for (const [k, v] of Object.entries(counters)) {
    if (!k.startsWith('ssm-contacts:')) continue;
    if (/:(Get|List|Describe)/.test(k)) reads += v.calls;
    else writes += v.calls;
  }
  return { reads, writes };
}

async function runSize(n: number): Promise<Record<string, number>> {
  const emu = await startAwsEmulator({ port: 0, transitionMs: 0 });
  await onboard(emu.url);
  const client = new SSMContactsClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' },
    maxAttempts: 2,
  });
  // Limits well above the emulator's needs: this measures the engine, not the AWS quota.
  const gate = new AwsGate({
    limits: { 'ssm-contacts': { concurrency: 16, intervalCap: 100_000, intervalMs: 1_000 } },
  });
  const kube = new MemoryKube();
  let reconciles = 0;
  const opts = { pollMs: 1, workers: 16 };
  const engine = contactEngine(contactHandler(client, gate), kube, opts);
  const keys: string[] = [];
  for (let i = 0; i < n; i++) keys.push(putContact(kube, engine, `c${i}`, `bench-${i}`));
  const origProcess = engine.process.bind(engine);
  engine.process = async (k: string) => {
    reconciles++;
    await origProcess(k);
  };
  const ready = () =>
    keys.every((k) => kube.lookup(k)?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
  const t0 = performance.now();
  const running = engine.run();
  await kube.until(ready); // checked on each status write
  const convergeMs = performance.now() - t0;
  const converge = calls(emu.admin.counters());
  const convergeReconciles = reconciles;
  await engine.shutdown();
  await running;

  // One resync pass over every object, on a fresh engine (the timers of the first were cancelled).
  emu.admin.log.reset();
  reconciles = 0;
  const engine2 = contactEngine(contactHandler(client, gate), kube, opts);
  const orig2 = engine2.process.bind(engine2);
  let done = 0;
  let allDone!: () => void;
  const resynced = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  engine2.process = async (k: string) => {
    reconciles++;
    await orig2(k);
    if (++done === n) allDone();
  };
  const kubeWritesBefore = { ...kube.writes };
  for (const k of keys) engine2.enqueue(k);
  const t1 = performance.now();
  const running2 = engine2.run();
  await resynced;
  const resyncMs = performance.now() - t1;
  await engine2.shutdown();
  await running2;
  const resync = calls(emu.admin.counters());
  await emu.stop();
  return {
    objects: n,
    convergeSeconds: +(convergeMs / 1000).toFixed(2),
    convergeReconcilesPerSecond: Math.round(convergeReconciles / (convergeMs / 1000)),
    convergeAwsReadsPerObject: +(converge.reads / n).toFixed(2),
    convergeAwsWritesPerObject: +(converge.writes / n).toFixed(2),
    resyncReconcilesPerSecond: Math.round(reconciles / (resyncMs / 1000)),
    resyncAwsReadsPerObject: +(resync.reads / n).toFixed(2),
    resyncAwsWritesPerObject: +(resync.writes / n).toFixed(2),
    resyncKubeStatusWrites: kube.writes.status - kubeWritesBefore.status,
  };
}

export async function run(
  sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0),
): Promise<Record<string, number>[]> {
  const out: Record<string, number>[] = [];
  for (const n of sizes.length ? sizes : process.argv.includes('--quick') ? [100] : [100, 1000]) {
    const r = await runSize(n);
    out.push(r);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
