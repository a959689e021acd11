// Shared checks of the reliability suite (issue 17): the AWS emulator's state held against the
// cluster's objects (one AWS resource per object, nothing orphaned), and the secrets scan of every
// log line, Event and status a run produced.
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { Fleet, Manifest } from '../../bench/lib/fleet.ts';
import { type ControllerProcess, SECRET_ACCESS_KEY, startWorld, type World } from '../../bench/lib/world.ts';
import { typeOf } from '../support/operator.ts';

/** Controller flags for the suite: the gate well above its defaults, which tests would wait on. */
export const FAST = ['--workers', '8', '--aws-rate', '50', '--aws-concurrency', '10'];

/** A seeded generator (mulberry32): the suite prints its seed, and RELIABILITY_SEED replays a run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One world per test file: started before its tests, stopped after them. */
export function worldPerFile(seed: number): { world(): World } {
  let world: World | undefined;
  beforeAll(async () => {
    world = await startWorld({ seed });
  });
  afterAll(async () => {
    await world?.stop();
  });
  return {
    world() {
      if (!world) throw new Error('the world starts in beforeAll');
      return world;
    },
  };
}

export function suiteSeed(): number {
  const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);
  process.stdout.write(`reliability seed ${seed} (replay with RELIABILITY_SEED=${seed})\n`);
  return seed;
}

interface EmulatedChannel {
  ContactArn: string;
  Name: string;
  activationCode?: string;
}

/**
 * Plays the engineers: each code AWS "sends" to a new channel (read from the AWS emulator, as
 * docs/aws-emulator.md says a test receives one) is put into the fleet's Secret under
 * `<contact alias>-<channel name>`. Returns every code delivered, for the secrets scan.
 */
export function deliverActivationCodes(
  world: World,
  secretName: string,
): { codes: string[]; stop: () => void } {
  const codes: string[] = [];
  const store = world.stack.aws.admin.store;
  const off = world.onCall((call) => {
    if (call.operation !== 'CreateContactChannel' || call.outcome !== 'ok') return;
    const { ContactId, Name } = call.request as { ContactId?: string; Name?: string };
    const state = store.partition(call.service, call.account, call.region, () => ({
      channels: new Map<string, EmulatedChannel>(),
    }));
    const ch = [...state.channels.values()].find((c) => c.ContactArn === ContactId && c.Name === Name);
    if (!ch?.activationCode) return;
    codes.push(ch.activationCode);
    const alias = String(ContactId).split('/').pop();
    const namespace = world.tracker.namespaceOfAlias(String(alias));
    if (!namespace) return;
    void world.client
      .mergePatch(
        typeOf('Secret'),
        secretName,
        { data: { [`${alias}-${Name}`]: Buffer.from(ch.activationCode).toString('base64') } },
        namespace,
      )
      .catch(() => undefined); // a contact deleted meanwhile: nothing to deliver
  });
  return { codes, stop: off };
}

type Dump = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/**
 * What differs between AWS and the fleet: every contact, escalation plan, rotation and response
 * plan exactly once, each contact with exactly its channels, one active RAM share per shared
 * object, and nothing else in the fleet's accounts. Empty when they match.
 */
export function awsMismatches(world: World, f: Fleet, objects: readonly Manifest[] = f.objects): string[] {
  const dump = world.stack.aws.admin.dump() as Dump;
  const accounts = new Set(f.accountIds);
  const aliases = new Map<string, number>();
  const channelsByContact = new Map<string, number>();
  const contactArnByAlias = new Map<string, string>();
  const rotations = new Map<string, number>();
  const plans = new Map<string, number>();
  const shared = new Map<string, number>();
  const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const [key, state] of Object.entries(dump)) {
    const [service, account] = key.split('|');
    if (!account || !accounts.has(account)) continue;
    if (service === 'ssm-contacts') {
      for (const c of Object.values(state.contacts ?? {}) as Array<{ Alias: string; ContactArn: string }>) {
        count(aliases, c.Alias);
        contactArnByAlias.set(c.Alias, c.ContactArn);
      }
      for (const ch of Object.values(state.channels ?? {}) as Array<{ ContactArn: string }>)
        count(channelsByContact, ch.ContactArn);
      for (const r of Object.values(state.rotations ?? {}) as Array<{ Name: string }>)
        count(rotations, r.Name);
    } else if (service === 'ssm-incidents') {
      for (const p of Object.values(state.plans ?? {}) as Array<{ name: string }>) count(plans, p.name);
    } else if (service === 'ram') {
      const shares = Object.values(state.shares ?? {}) as Array<{
        status: string;
        associations: Array<{ type: string; entity: string; status: string }>;
      }>;
      for (const s of shares.filter((x) => x.status === 'ACTIVE'))
        for (const a of s.associations)
          if (a.type === 'RESOURCE' && a.status !== 'DISASSOCIATED') count(shared, a.entity);
    }
  }
  const problems: string[] = [];
  const expect = (what: string, got: Map<string, number>, want: Map<string, number>) => {
    for (const [k, n] of want)
      if (got.get(k) !== n) problems.push(`${what} ${k}: ${got.get(k) ?? 0} in AWS, want ${n}`);
    for (const [k, n] of got)
      if (!want.has(k)) problems.push(`${what} ${k}: ${n} in AWS, not in the cluster (orphan)`);
  };
  const want = {
    aliases: new Map<string, number>(),
    rotations: new Map<string, number>(),
    plans: new Map<string, number>(),
    channels: new Map<string, number>(),
    shared: new Map<string, number>(),
  };
  for (const o of objects) {
    if (o.kind === 'Contact' || o.kind === 'EscalationPlan') want.aliases.set(o.spec.alias, 1);
    if (o.kind === 'Rotation') want.rotations.set(o.spec.name, 1);
    if (o.kind === 'ResponsePlan') want.plans.set(o.spec.name, 1);
    const arn = contactArnByAlias.get(o.spec.alias);
    if (o.kind === 'Contact' && o.spec.type === 'Personal' && arn)
      want.channels.set(arn, o.spec.channels.length);
    if (o.spec.sharing && arn) want.shared.set(arn, 1);
  }
  expect('contact alias', aliases, want.aliases);
  expect('rotation', rotations, want.rotations);
  expect('response plan', plans, want.plans);
  expect('channels of', channelsByContact, want.channels);
  expect('RAM shares of', shared, want.shared);
  return problems;
}

/** Every text the run produced that a user or a log pipeline sees: log lines, Events, statuses. */
export async function producedTexts(world: World, procs: readonly ControllerProcess[]): Promise<string[]> {
  const events = await world.client.list<Record<string, unknown>>(typeOf('Event'));
  return [
    ...procs.flatMap((p) => p.raw),
    ...events.items.map((e) => JSON.stringify(e)),
    ...[...world.tracker.objects.values()].map((o) =>
      JSON.stringify({ metadata: o.metadata, status: o.status }),
    ),
  ];
}

/** Issue 17 item 6 for one run: the base secret key and `extra` secrets appear in no text it produced. */
export async function leakedSecrets(
  world: World,
  procs: readonly ControllerProcess[],
  extra: readonly string[] = [],
): Promise<string[]> {
  return secretLeaks(await producedTexts(world, procs), [SECRET_ACCESS_KEY, ...extra]);
}

/**
 * Lines (shortened) that contain one of the secrets as a whole token; empty when clean. A
 * six-digit activation code also occurs by chance inside uids, hashes and resourceVersions (an
 * Event's uid `12215263-…` holds `215263`), so a match needs no letter or digit on either side,
 * and resourceVersions are left out of the scan.
 */
export function secretLeaks(texts: readonly string[], secrets: readonly string[]): string[] {
  const out: string[] = [];
  const tokens = secrets
    .filter((s) => s !== '')
    .map((s) => ({
      s,
      re: new RegExp(`(?<![0-9A-Za-z])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9A-Za-z])`),
    }));
  for (const text of texts) {
    const t = text.replace(/"resourceVersion":"\d+"/g, '"resourceVersion":""');
    for (const { s, re } of tokens)
      if (re.test(t)) out.push(`${text.slice(0, 200)} … contains a secret (${s.slice(0, 2)}…)`);
  }
  return out;
}

/**
 * Appends a line of figures to the file named by RELIABILITY_REPORT (bench/RESULTS.md takes them
 * from there), and prints it.
 */
export function report(line: string): void {
  process.stdout.write(`${line}\n`);
  if (process.env.RELIABILITY_REPORT) appendFileSync(process.env.RELIABILITY_REPORT, `${line}\n`);
}
