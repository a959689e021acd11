// Issue 17, reliability 5: 100 objects the API server accepts but the controller must refuse,
// among 500 valid ones. The valid converge; each invalid object says InvalidSpec naming its field
// and rule; no AWS write ever names an invalid object.
import { describe, expect, it } from 'vitest';
import { API, fleet, type Manifest } from '../../bench/lib/fleet.ts';
import { isRead, spawnController } from '../../bench/lib/world.ts';
import { awsMismatches, FAST, leakedSecrets, report, suiteSeed, worldPerFile } from './support.ts';

const seed = suiteSeed();
const file = worldPerFile(seed);

/** Three kinds of mistake only the controller sees, each with the field its message must name. */
function invalid(i: number, ns: string, team: string): { m: Manifest; field: string } {
  const meta = { name: `bad-${i}`, namespace: ns };
  const accountRef = { name: ns };
  if (i % 3 === 0)
    return {
      field: 'spec.rotations[1]',
      m: {
        apiVersion: API,
        kind: 'Contact',
        metadata: meta,
        spec: {
          accountRef,
          alias: `bad-${i}`,
          type: 'OnCallSchedule',
          rotations: [{ rotationRef: { name: `${team}-r0` } }, { rotationRef: { name: `${team}-r0` } }],
        },
      },
    };
  if (i % 3 === 1)
    return {
      field: 'spec.contacts',
      m: {
        apiVersion: API,
        kind: 'Rotation',
        metadata: meta,
        spec: {
          accountRef,
          name: `bad-${i}`,
          contacts: [{ contactRef: { name: `${team}-c0` } }, { contactRef: { name: `${team}-c0` } }],
          startTime: '2026-12-07T07:00:00Z',
          timeZoneId: 'UTC',
          recurrence: { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: ['09:00'] },
        },
      },
    };
  return {
    field: 'spec.tags.incidentmanager-gitops-dev/owner',
    m: {
      apiVersion: API,
      kind: 'EscalationPlan',
      metadata: meta,
      spec: {
        accountRef,
        alias: `bad-${i}`,
        stages: [{ durationInMinutes: 0, targets: [{ contactRef: { name: `${team}-c0` } }] }],
        tags: { 'incidentmanager-gitops-dev/owner': 'me' },
      },
    },
  };
}

describe('invalid objects among valid ones', () => {
  it('500 valid converge, 100 invalid each name their field and rule, no AWS write for them', async () => {
    const world = file.world();
    const f = fleet({ objects: 500, accounts: 4, prefix: 'v' });
    const bad = Array.from({ length: 100 }, (_, i) => invalid(i, `v-acct-${i % 4}`, `v-t${i % 4}`));
    const valid = [...f.replicationSets, ...f.objects];
    const c = spawnController(world, ['--no-leader-elect', ...FAST]);
    await c.waitLog('caches synced; starting workers');
    const started = performance.now();
    await world.create(f.base);
    await world.create(f.replicationSets);
    // Interleaved, as a real repository would have them.
    await world.create(
      f.objects.flatMap((o, i) => (i % 5 === 0 && bad[i / 5] ? [o, bad[i / 5]?.m as Manifest] : [o])),
    );
    await world.tracker.allReady(valid, 300_000);
    const took = performance.now() - started;
    const reasonOf = (m: Manifest) =>
      world.tracker.get(m)?.status?.conditions?.find((x) => x.type === 'Ready');
    await world.tracker.until(
      () => bad.every(({ m }) => reasonOf(m)?.reason === 'InvalidSpec'),
      120_000,
      () =>
        `${bad.filter(({ m }) => reasonOf(m)?.reason !== 'InvalidSpec').length} invalid objects without InvalidSpec`,
    );
    for (const { m, field } of bad) {
      const ready = reasonOf(m);
      expect({
        name: m.metadata.name,
        status: ready?.status,
        field: ready?.message?.includes(field),
      }).toEqual({
        name: m.metadata.name,
        status: 'False',
        field: true,
      });
    }
    const writes = world.calls().filter((x) => !isRead(x.operation));
    const named = writes.filter((w) => /"bad-\d+"/.test(JSON.stringify(w.input)));
    expect(named.map((w) => w.operation)).toEqual([]);
    expect(awsMismatches(world, f)).toEqual([]);
    expect(await leakedSecrets(world, [c])).toEqual([]);
    await c.kill();
    const calls = world.calls();
    report(
      `invalid (seed ${seed}): ${valid.length} valid objects Ready in ${(took / 1000).toFixed(1)} s next to 100 invalid (${(calls.length / valid.length).toFixed(2)} AWS calls per valid object); every invalid one InvalidSpec naming its field; 0 AWS writes for them`,
    );
  });
});
