// What plan reads (-f, -R) and the order it reports in.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AccountResolver } from '../../../src/aws/accounts.ts';
import { systemClock } from '../../../src/engine/clock.ts';
import { kindOps } from '../../../src/plan/kinds.ts';
import { loadObjects } from '../../../src/plan/load.ts';
import { dependencyOrder } from '../../../src/plan/order.ts';

const dir = mkdtempSync(join(tmpdir(), 'imctl-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ops = kindOps({
  accounts: new AccountResolver({ defaultRegion: 'eu-west-1' }),
  lookup: () => undefined,
  list: () => [],
  defaultRegion: 'eu-west-1',
  clock: systemClock,
});

describe('loadObjects', () => {
  it('reads a directory (sub-directories with -R), sorts out accounts and Secrets, defaults the namespace', () => {
    mkdirSync(join(dir, 'team'));
    writeFileSync(
      join(dir, 'a.yaml'),
      'apiVersion: incidentmanager.gitops.dev/v1alpha1\nkind: AWSAccount\nmetadata: { name: prod }\nspec: { accountId: "111122223333", region: eu-west-1 }\n---\napiVersion: v1\nkind: Secret\nmetadata: { name: codes, namespace: oncall }\nstringData: { a: "123456" }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: other }\n',
    );
    writeFileSync(
      join(dir, 'team', 'b.yaml'),
      'apiVersion: incidentmanager.gitops.dev/v1alpha1\nkind: Contact\nmetadata: { name: alice }\nspec: { alias: Alice!, type: Personal }\n',
    );
    const flat = loadObjects([dir], false);
    expect(flat.accounts.map((a) => a.metadata.name)).toEqual(['prod']);
    expect([...flat.secrets.keys()]).toEqual(['Secret/oncall/codes']);
    expect(flat.managed).toEqual([]);
    const deep = loadObjects([dir], true);
    expect(deep.managed.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['default/alice']);
    // The API server would refuse the alias: plan says so instead of asking AWS.
    expect(deep.invalid.get('Contact default/alice')?.[0]).toMatch(/^spec\.alias: /);
  });
});

describe('dependencyOrder', () => {
  it('puts the replication set first and every object after what it references', () => {
    const loaded = loadObjects(['config/samples'], false);
    const names = dependencyOrder(loaded.managed, ops).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names[0]).toBe('ReplicationSet/payments');
    const precedes = (a: string, b: string) => names.indexOf(a) < names.indexOf(b);
    expect(precedes('Contact/alice', 'Rotation/payments-emea')).toBe(true);
    expect(precedes('Rotation/payments-emea', 'Contact/payments-primary')).toBe(true);
    expect(precedes('Contact/payments-primary', 'EscalationPlan/payments-escalation')).toBe(true);
    expect(precedes('EscalationPlan/payments-escalation', 'ResponsePlan/payments-outage')).toBe(true);
    // Stable: the same input in another order gives the same order.
    expect(
      dependencyOrder([...loaded.managed].reverse(), ops).map((o) => `${o.kind}/${o.metadata.name}`),
    ).toEqual(names);
  });
});
