// Issue 17, reliability 3: Kubernetes faults during a converge, one controller process throughout.
// A proxy before the kube emulator answers 409 Conflict to every status write for a while; watches
// are dropped and the watch history compacted (410 Gone on resume) meanwhile; then the API server
// "restarts" with its state kept (every connection cut, new ones refused, history gone). Every
// object ends Ready with its status written, the controller never restarted, and an edit after
// the outage still reaches Ready (the watches recovered).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleet } from '../../bench/lib/fleet.ts';
import { spawnController } from '../../bench/lib/world.ts';
import type { KubeEmulator } from '../../src/emulators/kube/index.ts';
import { typeOf } from '../support/operator.ts';
import { type FaultProxy, startProxy } from './proxy.ts';
import { FAST, leakedSecrets, report, suiteSeed, worldPerFile } from './support.ts';

const seed = suiteSeed();
const file = worldPerFile(seed);
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startProxy(file.world().stack.kube.url);
});

afterAll(async () => {
  await proxy?.stop();
});

const conflict = (path: string) =>
  JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Operation cannot be fulfilled on ${path}: the object has been modified; please apply your changes to the latest version and try again`,
    reason: 'Conflict',
    details: {},
    code: 409,
  });

describe('Kubernetes faults', () => {
  it('409 on every status write, dropped watches, 410 and an API server restart: converges without a controller restart', async () => {
    const world = file.world();
    const emu = world.stack.kube as unknown as KubeEmulator;
    const kubeconfig = join(world.kubeconfigPath, '..', 'proxied-kubeconfig');
    writeFileSync(kubeconfig, world.stack.kube.kubeconfigYaml.replaceAll(world.stack.kube.url, proxy.url), {
      mode: 0o600,
    });
    let conflicts = true;
    let refusedStatus = 0;
    let drops = 0;
    let expiries = 0;
    const refusedEnough = new Promise<void>((resolve) => {
      proxy.intercept = (req) => {
        if (
          !conflicts ||
          !['PATCH', 'PUT'].includes(req.method ?? '') ||
          !/\/status(\?|$)/.test(req.url ?? '')
        )
          return undefined;
        refusedStatus++;
        // Watches dropped every 20 refused writes, the history compacted (410 on resume) every 50.
        if (refusedStatus % 50 === 0) {
          emu.store.compact();
          expiries++;
        }
        if (refusedStatus % 20 === 0) {
          emu.dropWatches();
          drops++;
        }
        if (refusedStatus >= 150) resolve();
        return { status: 409, body: conflict(req.url ?? '') };
      };
    });
    const f = fleet({ objects: 40, accounts: 2, prefix: 'q' });
    const managed = [...f.replicationSets, ...f.objects];
    const c = spawnController(world, ['--no-leader-elect', ...FAST], { KUBECONFIG: kubeconfig });
    await c.waitLog('caches synced; starting workers');
    const started = performance.now();
    await world.create(f.base);
    await world.create(f.replicationSets);
    await world.create(f.objects);
    await refusedEnough;
    conflicts = false;
    // The restart: connections cut and refused until the controller has tried three times, the
    // watch history lost as an apiserver's watch cache is.
    proxy.down();
    await proxy.refusedAtLeast(3);
    emu.store.compact();
    proxy.up();
    await world.tracker.allReady(managed, 300_000);
    const took = performance.now() - started;
    expect(c.child.exitCode).toBeNull();
    const withoutArn = managed.filter(
      (m) => m.kind !== 'ReplicationSet' && !world.tracker.get(m)?.status?.arn,
    );
    expect(withoutArn.map((m) => m.metadata.name)).toEqual([]);
    // The watches work after the outage: an edit reaches Ready for its generation.
    const edited = f.objects.find((o) => o.kind === 'Contact' && o.spec.type === 'Personal');
    if (!edited) throw new Error('fleet without a personal contact');
    const out = await world.client.mergePatch<{ metadata: { generation: number } }>(
      typeOf('Contact'),
      edited.metadata.name,
      { spec: { displayName: 'After the outage' } },
      edited.metadata.namespace,
    );
    await world.tracker.readyAt(edited, out.metadata.generation, 60_000);
    expect(world.tracker.get(edited)?.spec).toMatchObject({ displayName: 'After the outage' });
    expect(c.child.exitCode).toBeNull();
    expect(await leakedSecrets(world, [c])).toEqual([]);
    await c.kill();
    report(
      `kube-faults (seed ${seed}): ${managed.length} objects Ready in ${(took / 1000).toFixed(1)} s through ${refusedStatus} status writes answered 409, ${drops} dropped watches, ${expiries + 1} compactions (410) and an API server outage (${proxy.refused} connections refused); one controller process throughout`,
    );
  });
});
