// The choice of an account's ssm-contacts Region (the replication set's first Region) from what AWS
// shows, rule by rule, and when an earlier choice still holds.
import { describe, expect, it } from 'vitest';
import {
  type ContactsRegionStatus,
  ContactsRegions,
  chooseContactsRegion,
  type ObserveDeps,
  type ObservedSet,
  regionOfArn,
  stillHolds,
} from '../../../src/aws/contacts-region.ts';
import { ClassifiedError } from '../../../src/engine/contract.ts';

const ARN = 'arn:aws:ssm-incidents::111122223333:replication-set/abc';
const T0 = Date.parse('2026-01-01T00:00:00Z');
const set = (regions: Record<string, number>, createdFromRegion?: string): ObservedSet => ({
  arn: ARN,
  regions,
  ...(createdFromRegion ? { createdFromRegion } : {}),
});
const chosen = (c: ReturnType<typeof chooseContactsRegion>) => {
  if ('listContactsIn' in c) throw new Error(`asked for contacts in ${c.listContactsIn.join(', ')}`);
  return c;
};

describe('chooseContactsRegion', () => {
  const home = 'eu-west-1';

  it('takes the only Region of a one-Region set, whatever the home Region', () => {
    const c = chosen(chooseContactsRegion(set({ 'us-east-1': T0 }), { home }));
    expect(c.status).toMatchObject({ region: 'us-east-1', source: 'SingleRegion' });
    expect(c.status.replicationSetRegions).toEqual(['us-east-1']);
  });

  it('takes the Region a ReplicationSet object created the set from, before any time', () => {
    const c = chosen(
      chooseContactsRegion(set({ 'eu-west-1': T0, 'us-east-1': T0 + 1000 }, 'us-east-1'), { home }),
    );
    expect(c.status).toMatchObject({ region: 'us-east-1', source: 'ReplicationSetObject' });
  });

  it('ignores a created-from Region the set no longer holds', () => {
    const c = chosen(
      chooseContactsRegion(set({ 'eu-west-1': T0, 'us-west-2': T0 + 1 }, 'us-east-1'), { home }),
    );
    expect(c.status).toMatchObject({ region: 'eu-west-1', source: 'EarliestRegion' });
  });

  it('takes the Region with the strictly earliest status time (the others were added later)', () => {
    const c = chosen(chooseContactsRegion(set({ 'eu-west-1': T0 + 60_000, 'us-east-1': T0 }), { home }));
    expect(c.status).toMatchObject({ region: 'us-east-1', source: 'EarliestRegion' });
    expect(c.status.tiedRegions).toBeUndefined();
    expect(c.status.message).toContain('eu-west-1 came later');
  });

  it('asks for contacts in the tied Regions only, then takes the one holding them', () => {
    const s = set({ 'eu-west-1': T0, 'us-east-1': T0, 'us-west-2': T0 + 5 });
    expect(chooseContactsRegion(s, { home })).toEqual({ listContactsIn: ['eu-west-1', 'us-east-1'] });
    const c = chosen(chooseContactsRegion(s, { home, contactsIn: ['us-east-1'] }));
    expect(c.status).toMatchObject({ region: 'us-east-1', source: 'ExistingContacts' });
  });

  it('still tied: spec.contactsRegion, else the home Region, else the first by name, naming the tie', () => {
    const s = set({ 'eu-west-1': T0, 'us-east-1': T0 });
    const explicit = chosen(chooseContactsRegion(s, { home, explicit: 'us-east-1', contactsIn: [] }));
    expect(explicit.status).toMatchObject({ region: 'us-east-1', source: 'AccountSpec' });
    expect(explicit.mismatch).toBeUndefined();
    const byHome = chosen(chooseContactsRegion(s, { home, contactsIn: [] }));
    expect(byHome.status).toMatchObject({
      region: 'eu-west-1',
      source: 'HomeRegion',
      tiedRegions: ['eu-west-1', 'us-east-1'],
    });
    expect(byHome.status.message).toContain('spec.contactsRegion');
    // Contacts in both tied Regions tell nothing either.
    const both = chosen(
      chooseContactsRegion(s, { home: 'ap-south-1', contactsIn: ['eu-west-1', 'us-east-1'] }),
    );
    expect(both.status).toMatchObject({ region: 'eu-west-1', source: 'FirstListed' });
  });

  it('refuses a spec.contactsRegion that AWS contradicts, naming both Regions', () => {
    const c = chosen(
      chooseContactsRegion(set({ 'eu-west-1': T0 + 60_000, 'us-east-1': T0 }), {
        home,
        explicit: 'eu-west-1',
      }),
    );
    expect(c.status.region).toBe('us-east-1');
    expect(c.mismatch).toMatch(/spec\.contactsRegion is eu-west-1.*first Region.*is us-east-1/);
    const outside = chosen(chooseContactsRegion(set({ 'us-east-1': T0 }), { home, explicit: 'ap-south-1' }));
    expect(outside.mismatch).toContain('not a Region of the replication set');
  });
});

describe('stillHolds', () => {
  const previous = (o: Partial<ContactsRegionStatus> = {}): ContactsRegionStatus => ({
    region: 'us-east-1',
    source: 'EarliestRegion',
    replicationSetArn: ARN,
    replicationSetRegions: ['eu-west-1', 'us-east-1'],
    message: '',
    ...o,
  });

  it('keeps an observed choice while its Region stays in the same set, Regions added or not', () => {
    expect(stillHolds(previous(), set({ 'eu-west-1': T0, 'us-east-1': T0 }), undefined)).toBe(true);
    expect(
      stillHolds(previous(), set({ 'eu-west-1': T0, 'us-east-1': T0, 'us-west-2': T0 }), undefined),
    ).toBe(true);
  });

  it('chooses again for another set, a removed first Region, or a tie whose Regions changed', () => {
    expect(stillHolds(previous({ replicationSetArn: 'other' }), set({ 'us-east-1': T0 }), undefined)).toBe(
      false,
    );
    expect(stillHolds(previous(), set({ 'eu-west-1': T0 }), undefined)).toBe(false);
    const guess = previous({ source: 'HomeRegion', region: 'eu-west-1' });
    expect(stillHolds(guess, set({ 'eu-west-1': T0, 'us-east-1': T0 }), undefined)).toBe(true);
    expect(stillHolds(guess, set({ 'eu-west-1': T0, 'us-east-1': T0, 'us-west-2': T0 }), undefined)).toBe(
      false,
    );
    // A spec.contactsRegion given later may settle a guess.
    expect(stillHolds(guess, set({ 'eu-west-1': T0, 'us-east-1': T0 }), 'us-east-1')).toBe(false);
  });
});

it('regionOfArn reads the Region of an ssm-contacts ARN', () => {
  expect(regionOfArn('arn:aws:ssm-contacts:us-east-1:111122223333:contact/oncall')).toBe('us-east-1');
  expect(regionOfArn('arn:aws:ssm-incidents::111122223333:response-plan/x')).toBeUndefined();
});

describe('ContactsRegions', () => {
  /** ssm-incidents answering with a one-Region set (or none), counting the calls. */
  function fakeDeps(regions: () => string[] | undefined) {
    const calls: string[] = [];
    const incidents = {
      send: async (cmd: { constructor: { name: string } }) => {
        const op = cmd.constructor.name.replace(/Command$/, '');
        calls.push(op);
        const names = regions();
        if (op === 'ListReplicationSets') return { replicationSetArns: names ? [ARN] : [] };
        if (op === 'GetReplicationSet') {
          if (!names) throw new ClassifiedError('NotFound', 'gone');
          return {
            replicationSet: {
              arn: ARN,
              status: 'ACTIVE',
              regionMap: Object.fromEntries(names.map((n) => [n, { statusUpdateDateTime: new Date(T0) }])),
            },
          };
        }
        return { tags: {} };
      },
    } as unknown as ObserveDeps['incidents'];
    const deps: ObserveDeps = {
      incidents,
      contactsIn: () => {
        throw new Error('no contacts look-up expected');
      },
      accountId: async () => '111122223333',
    };
    return { calls, deps };
  }

  it('reads AWS at most once per resync per account, and not at all from a status seed', async () => {
    let now = T0;
    const regions = new ContactsRegions({ now: () => now, ttlMs: 600_000 });
    const { calls, deps } = fakeDeps(() => ['us-east-1']);
    const ask = { home: 'eu-west-1' };
    expect(await regions.regionOf('a', deps, ask)).toEqual({ region: 'us-east-1', mismatch: undefined });
    expect(calls).toEqual(['ListReplicationSets', 'GetReplicationSet']);
    await regions.regionOf('a', deps, ask);
    await regions.refresh('a', deps, ask);
    expect(calls).toHaveLength(2);
    now += 600_000;
    await regions.regionOf('a', deps, ask);
    // The set's ARN is known: one GetReplicationSet.
    expect(calls).toEqual(['ListReplicationSets', 'GetReplicationSet', 'GetReplicationSet']);

    const seeded = fakeDeps(() => ['us-east-1']);
    const seed: ContactsRegionStatus = {
      region: 'us-east-1',
      source: 'SingleRegion',
      replicationSetArn: ARN,
      replicationSetRegions: ['us-east-1'],
      message: '',
    };
    expect(await regions.regionOf('b', seeded.deps, { ...ask, seed })).toEqual({ region: 'us-east-1' });
    expect(seeded.calls).toEqual([]);
    // The account's visit still checks what the seed says.
    await regions.refresh('b', seeded.deps, { ...ask, seed });
    expect(seeded.calls).toEqual(['GetReplicationSet']);
  });

  it('never remembers an account without a replication set', async () => {
    let names: string[] | undefined;
    const regions = new ContactsRegions({ now: () => T0 });
    const { calls, deps } = fakeDeps(() => names);
    expect(await regions.regionOf('a', deps, { home: 'eu-west-1' })).toBeUndefined();
    names = ['us-east-1'];
    expect((await regions.regionOf('a', deps, { home: 'eu-west-1' }))?.region).toBe('us-east-1');
    expect(calls).toEqual(['ListReplicationSets', 'ListReplicationSets', 'GetReplicationSet']);
  });
});
