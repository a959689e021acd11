// Where an account's ssm-contacts resources live: the first Region of its replication set, the only
// Region where ssm-contacts accepts tags (model docs of TagResource; domain doc §2.1, §2.7, §4.3), and
// the controller tags everything it owns. ssm-incidents does not say which Region is first
// (GetReplicationSet has per-Region status times, the ARN has no Region), so it is worked out from
// what AWS shows, once per replication set and set of Regions (`chooseContactsRegion`, pure), kept
// per account in memory and in the AWSAccount's status.contactsRegion (so a restart asks nothing).

import { ListContactsCommand, type SSMContactsClient } from '@aws-sdk/client-ssm-contacts';
import {
  GetReplicationSetCommand,
  ListReplicationSetsCommand,
  ListTagsForResourceCommand,
  type SSMIncidentsClient,
} from '@aws-sdk/client-ssm-incidents';
import { CONTACTS_REGION_SOURCES } from '../crds/values.ts';
import { isNotFound } from '../engine/contract.ts';
import { OWNER_TAG_PREFIX } from '../engine/identity.ts';

/**
 * Tag the ReplicationSet kind writes at CreateReplicationSet: the Region the create was sent to,
 * which AWS makes the set's first Region. Written in the create call itself, so it is never missing.
 */
export const CREATED_FROM_REGION_TAG = `${OWNER_TAG_PREFIX}created-from-region`;

export { CONTACTS_REGION_SOURCES };
export type ContactsRegionSource = (typeof CONTACTS_REGION_SOURCES)[number];

/** Sources that follow from what AWS shows; the others choose among Regions AWS cannot tell apart. */
const OBSERVED: ReadonlySet<ContactsRegionSource> = new Set([
  'SingleRegion',
  'ReplicationSetObject',
  'EarliestRegion',
  'ExistingContacts',
]);

/** The replication set as far as the choice needs it. */
export interface ObservedSet {
  arn: string;
  /** Region → when AWS last updated the Region's status (epoch ms). */
  regions: Readonly<Record<string, number>>;
  /** The created-from-region tag, when a ReplicationSet object created the set. */
  createdFromRegion?: string | undefined;
}

/** status.contactsRegion of an AWSAccount (src/crds/aws-account.ts). */
export interface ContactsRegionStatus {
  region: string;
  source: ContactsRegionSource;
  replicationSetArn: string;
  /** The set's Regions the choice was made from, sorted. */
  replicationSetRegions: string[];
  /** Regions AWS could not tell apart, when the choice was among several. */
  tiedRegions?: string[];
  message: string;
}

export interface ChoiceInput {
  /** The account's home Region (AWSAccount spec.region, or the controller's --region). */
  home: string;
  /** AWSAccount spec.contactsRegion. */
  explicit?: string | undefined;
  /** Regions among the tied ones that hold contacts of this account; undefined: not looked yet. */
  contactsIn?: readonly string[] | undefined;
}

export type Choice =
  | { status: ContactsRegionStatus; mismatch?: string }
  /** Rule 4 needs ListContacts in these Regions first. */
  | { listContactsIn: string[] };

const sorted = (xs: Iterable<string>) => [...xs].sort();

/**
 * Pure: the first Region of the set. In order: (1) the only Region; (2) the Region a ReplicationSet
 * object created the set from (its tag); (3) the Region whose status time is strictly earliest
 * (Regions added later carry later times); (4) among the tied ones, the one holding the account's
 * contacts; (5) spec.contactsRegion, else the home Region, if tied, else the first tied by name.
 * An explicit spec.contactsRegion that contradicts (1)–(4), or names no Region of the set, is a mismatch.
 */
export function chooseContactsRegion(set: ObservedSet, input: ChoiceInput): Choice {
  const names = sorted(Object.keys(set.regions));
  const base = { replicationSetArn: set.arn, replicationSetRegions: names };
  const done = (
    region: string,
    source: ContactsRegionSource,
    message: string,
    tied?: string[],
  ): { status: ContactsRegionStatus; mismatch?: string } => {
    const status: ContactsRegionStatus = {
      region,
      source,
      ...base,
      ...(tied && tied.length > 1 ? { tiedRegions: tied } : {}),
      message,
    };
    const m = mismatch(status, input.explicit);
    return m ? { status, mismatch: m } : { status };
  };
  if (names.length === 1) {
    const only = names[0] as string;
    return done(only, 'SingleRegion', `the replication set has one Region, ${only}`);
  }
  const from = set.createdFromRegion;
  if (from !== undefined && names.includes(from))
    return done(
      from,
      'ReplicationSetObject',
      `a ReplicationSet object created the replication set from ${from}`,
    );
  const earliest = Math.min(...names.map((n) => set.regions[n] as number));
  const tied = names.filter((n) => set.regions[n] === earliest);
  if (tied.length === 1) {
    const first = tied[0] as string;
    return done(
      first,
      'EarliestRegion',
      `${first} has the replication set's earliest Region status time; ${names.filter((n) => n !== first).join(', ')} came later`,
    );
  }
  if (input.contactsIn === undefined) return { listContactsIn: tied };
  const holding = tied.filter((n) => input.contactsIn?.includes(n));
  if (holding.length === 1) {
    const first = holding[0] as string;
    return done(
      first,
      'ExistingContacts',
      `${tied.join(', ')} were added together; the account's contacts are in ${first}`,
    );
  }
  const together = `${tied.join(', ')} were added together and AWS does not say which is first`;
  if (input.explicit !== undefined && tied.includes(input.explicit))
    return done(
      input.explicit,
      'AccountSpec',
      `${together}; spec.contactsRegion chooses ${input.explicit}`,
      tied,
    );
  const hint = 'set spec.contactsRegion to the Region the set was created from if this is wrong';
  if (tied.includes(input.home))
    return done(input.home, 'HomeRegion', `${together}; using the home Region (spec.region); ${hint}`, tied);
  const first = tied[0] as string;
  return done(first, 'FirstListed', `${together}; using the first by name; ${hint}`, tied);
}

/** An explicit spec.contactsRegion that AWS contradicts: why, naming both Regions and the fix. */
function mismatch(status: ContactsRegionStatus, explicit: string | undefined): string | undefined {
  if (explicit === undefined || explicit === status.region) return undefined;
  if (!status.replicationSetRegions.includes(explicit))
    return `spec.contactsRegion is ${explicit}, which is not a Region of the replication set (${status.replicationSetRegions.join(', ')}); its first Region, the only one where ssm-contacts accepts tags, is ${status.region} (${status.message}): set spec.contactsRegion to ${status.region} or remove it`;
  if (!OBSERVED.has(status.source)) return undefined;
  return `spec.contactsRegion is ${explicit}, but the replication set's first Region, the only one where ssm-contacts accepts tags, is ${status.region} (${status.message}): set spec.contactsRegion to ${status.region} or remove it; the controller moves nothing`;
}

/**
 * Pure: whether a choice made earlier still holds for the set AWS shows now. The first Region does
 * not change while it stays in the set, so an observed choice holds when Regions are added; a
 * choice among tied Regions is made again when the Regions change (new evidence), and any choice
 * when the set is another one or spec.contactsRegion changed.
 */
export function stillHolds(
  previous: ContactsRegionStatus | undefined,
  set: ObservedSet,
  explicit: string | undefined,
): boolean {
  if (!previous || previous.replicationSetArn !== set.arn) return false;
  const names = sorted(Object.keys(set.regions));
  if (!names.includes(previous.region)) return false;
  if (previous.source === 'AccountSpec' && explicit !== previous.region) return false;
  if (!OBSERVED.has(previous.source) && explicit !== undefined && explicit !== previous.region) return false;
  if (OBSERVED.has(previous.source)) return true;
  return names.join(',') === previous.replicationSetRegions.join(',');
}

/** The ssm-contacts Region named by an ARN (`arn:aws:ssm-contacts:<region>:<account>:…`). */
export function regionOfArn(arn: string): string | undefined {
  return /^arn:aws(?:-cn|-us-gov)?:ssm-contacts:([a-z0-9-]+):/.exec(arn)?.[1];
}

export interface ObserveDeps {
  incidents: SSMIncidentsClient;
  /** An ssm-contacts client in that Region (rule 4 only). */
  contactsIn(region: string): SSMContactsClient;
  /** The account id, to tell this account's contacts from shared ones in ListContacts. */
  accountId(): Promise<string>;
}

export type Observation =
  | { kind: 'none' }
  | { kind: 'pending'; message: string }
  | { kind: 'chosen'; status: ContactsRegionStatus; mismatch?: string; reused: boolean };

/**
 * The account's contacts Region as AWS shows it now. One GetReplicationSet when nothing changed
 * (ListReplicationSets first when the set's ARN is not known); a new choice costs at most one
 * ListTagsForResource and one ListContacts per tied Region (≤ 3).
 */
export async function observeContactsRegion(
  deps: ObserveDeps,
  o: { home: string; explicit?: string | undefined; previous?: ContactsRegionStatus | undefined },
): Promise<Observation> {
  let arn = o.previous?.replicationSetArn;
  let rs = arn ? await getSet(deps.incidents, arn) : undefined;
  if (!rs) {
    arn = (await deps.incidents.send(new ListReplicationSetsCommand({}))).replicationSetArns?.[0];
    rs = arn ? await getSet(deps.incidents, arn) : undefined;
  }
  if (!rs?.arn) return { kind: 'none' };
  const regions: Record<string, number> = {};
  for (const [name, info] of Object.entries(rs.regionMap ?? {}))
    regions[name] = info.statusUpdateDateTime?.getTime() ?? 0;
  const set: ObservedSet = { arn: rs.arn, regions };
  if (stillHolds(o.previous, set, o.explicit) && o.previous) {
    const m = mismatch(o.previous, o.explicit);
    return { kind: 'chosen', status: o.previous, reused: true, ...(m ? { mismatch: m } : {}) };
  }
  // Mid-transition the Region times move: choose once the set is ACTIVE.
  if (rs.status !== 'ACTIVE')
    return { kind: 'pending', message: `the replication set ${rs.arn} is ${rs.status ?? 'not ACTIVE'}` };
  if (Object.keys(regions).length > 1) {
    const tags = (await deps.incidents.send(new ListTagsForResourceCommand({ resourceArn: rs.arn }))).tags;
    set.createdFromRegion = tags?.[CREATED_FROM_REGION_TAG];
  }
  const input = { home: o.home, explicit: o.explicit };
  let choice = chooseContactsRegion(set, input);
  if ('listContactsIn' in choice) {
    const own = await deps.accountId();
    const contactsIn: string[] = [];
    for (const region of choice.listContactsIn) {
      const out = await deps.contactsIn(region).send(new ListContactsCommand({ MaxResults: 20 }));
      const mine = (out.Contacts ?? []).some((c) => c.ContactArn?.split(':')[4] === own);
      if (mine) contactsIn.push(region);
    }
    choice = chooseContactsRegion(set, { ...input, contactsIn });
  }
  if ('listContactsIn' in choice) throw new Error('chooseContactsRegion asked twice for contacts');
  return { kind: 'chosen', ...choice, reused: false };
}

async function getSet(incidents: SSMIncidentsClient, arn: string) {
  try {
    return (await incidents.send(new GetReplicationSetCommand({ arn }))).replicationSet;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export interface RegionAsk {
  /** The AWSAccount's spec.accountId: another account is another set. */
  accountId?: string | undefined;
  home: string;
  explicit?: string | undefined;
  seed?: ContactsRegionStatus | undefined;
}

interface Entry {
  at: number;
  fp: string;
  status: ContactsRegionStatus;
  mismatch?: string | undefined;
  /** Taken from status, not read from AWS by this process yet: the account's next visit reads it. */
  seeded?: boolean;
}

/**
 * The contacts Region of each account, in memory: observed at most once per `ttlMs` (the resync)
 * per account, concurrent askers sharing one observation. Seeded from the AWSAccount's status after
 * a restart. An account without a replication set is never remembered: asked again next time.
 */
export class ContactsRegions {
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Observation>>();
  readonly #o: { now: () => number; ttlMs: number };

  constructor(o: { now: () => number; ttlMs?: number }) {
    this.#o = { ttlMs: 600_000, ...o };
  }

  /**
   * What AWS shows (the AWSAccount's visit), at most once per `ttlMs` per account; `seed` is its
   * status.contactsRegion.
   */
  refresh(account: string, deps: ObserveDeps, o: RegionAsk): Promise<Observation> {
    const fp = `${o.accountId ?? ''}|${o.home}|${o.explicit ?? ''}`;
    const running = this.#inflight.get(account);
    if (running) return running;
    const cached = this.#entries.get(account);
    // Chosen within the resync (an AWSAccount polling invitations visits every minute): no call.
    if (cached && !cached.seeded && cached.fp === fp && this.#o.now() - cached.at < this.#o.ttlMs)
      return Promise.resolve({
        kind: 'chosen',
        status: cached.status,
        reused: true,
        ...(cached.mismatch ? { mismatch: cached.mismatch } : {}),
      });
    const previous = cached && cached.fp === fp ? cached.status : o.seed;
    const p = observeContactsRegion(deps, {
      home: o.home,
      explicit: o.explicit,
      previous,
    })
      .then((obs) => {
        if (obs.kind === 'chosen')
          this.#entries.set(account, { at: this.#o.now(), fp, status: obs.status, mismatch: obs.mismatch });
        else this.#entries.delete(account);
        return obs;
      })
      .finally(() => this.#inflight.delete(account));
    this.#inflight.set(account, p);
    return p;
  }

  /**
   * The Region for the account's ssm-contacts clients: remembered, or the seed, or observed now.
   * undefined while the account has no replication set (or it is still being created).
   */
  async regionOf(
    account: string,
    deps: ObserveDeps,
    o: RegionAsk,
  ): Promise<{ region: string; mismatch?: string | undefined } | undefined> {
    const fp = `${o.accountId ?? ''}|${o.home}|${o.explicit ?? ''}`;
    const e = this.#entries.get(account);
    if (e && e.fp === fp && this.#o.now() - e.at < this.#o.ttlMs)
      return { region: e.status.region, mismatch: e.mismatch };
    if (!e && o.seed) {
      this.#entries.set(account, { at: this.#o.now(), fp, status: o.seed, seeded: true });
      return { region: o.seed.region };
    }
    const obs = await this.refresh(account, deps, o);
    return obs.kind === 'chosen' ? { region: obs.status.region, mismatch: obs.mismatch } : undefined;
  }
}
