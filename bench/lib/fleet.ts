// A realistic fleet of Incident Manager objects for benchmarks and the reliability suite: A
// accounts (an AWSAccount each, reached by AssumeRole, and a ReplicationSet that onboards it), and
// teams of ten objects spread over them: five personal contacts with channels and engagement plans,
// two rotations, an on-call schedule over them, an escalation plan and a response plan engaging it.
// Deterministic: the same options give the same objects, so a seeded run replays.

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain JSON documents
export type Manifest = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
};

export const API = 'incidentmanager.gitops.dev/v1alpha1';
export const REGION = 'us-east-1';
/** Objects per team (the mix above). */
export const TEAM_SIZE = 10;

export interface FleetOptions {
  /** Managed objects, without the AWSAccounts and ReplicationSets (rounded up to whole teams). */
  objects: number;
  accounts: number;
  /** Share every escalation plan with another account through RAM. */
  sharing?: boolean;
  /**
   * Channels take their activation code from a Secret (`<prefix>-activation-codes`, one key per
   * channel: `<contact alias>-<channel name>`), created empty: codes are put in it once AWS sent them.
   */
  activationSecret?: boolean;
  /** Prefix of names and aliases, to run several fleets in one AWS emulator. */
  prefix?: string;
}

export interface Fleet {
  /** AWSAccounts (cluster-scoped) and Namespaces: applied first. */
  base: Manifest[];
  /** ReplicationSets: one per account. */
  replicationSets: Manifest[];
  /** The managed objects, in dependency order (contacts before rotations before schedules …). */
  objects: Manifest[];
  /** Secrets holding activation codes, when asked for. */
  secrets: Manifest[];
  accountIds: string[];
}

export const accountId = (i: number): string => `2${String(i + 1).padStart(11, '0')}`;

export function fleet(o: FleetOptions): Fleet {
  const p = o.prefix ?? 'f';
  const base: Manifest[] = [];
  const replicationSets: Manifest[] = [];
  const secrets: Manifest[] = [];
  const accountIds: string[] = [];
  for (let a = 0; a < o.accounts; a++) {
    const id = accountId(a);
    accountIds.push(id);
    const ns = `${p}-acct-${a}`;
    base.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    base.push({
      apiVersion: API,
      kind: 'AWSAccount',
      metadata: { name: ns },
      spec: { accountId: id, region: REGION, roleArn: `arn:aws:iam::${id}:role/incident-manager-operator` },
    });
    replicationSets.push({
      apiVersion: API,
      kind: 'ReplicationSet',
      metadata: { name: 'onboarding', namespace: ns },
      spec: { accountRef: { name: ns }, regions: [{ name: REGION }], deletionPolicy: 'Delete' },
    });
  }
  const teams = Math.ceil(o.objects / TEAM_SIZE);
  const byLayer: Manifest[][] = [[], [], [], [], []];
  const namespacesWithCodes = new Set<string>();
  for (let t = 0; t < teams; t++) {
    const a = t % o.accounts;
    const ns = `${p}-acct-${a}`;
    const accountRef = { name: ns };
    const tag = `${p}-t${t}`;
    const meta = (name: string) => ({ name: `${tag}-${name}`, namespace: ns });
    for (let c = 0; c < 5; c++) {
      const channels: Manifest['spec'][] = [
        { name: 'email', type: 'Email', address: `${tag}-c${c}@example.com` },
      ];
      if (c % 2 === 0)
        channels.push({ name: 'sms', type: 'SMS', address: `+1206555${String(t * 5 + c).padStart(4, '0')}` });
      if (o.activationSecret) {
        namespacesWithCodes.add(ns);
        for (const ch of channels)
          ch.activationCodeSecretRef = { name: `${p}-activation-codes`, key: `${tag}-c${c}-${ch.name}` };
      }
      byLayer[0]?.push({
        apiVersion: API,
        kind: 'Contact',
        metadata: meta(`c${c}`),
        spec: {
          accountRef,
          alias: `${tag}-c${c}`,
          displayName: `Engineer ${t} ${c}`,
          type: 'Personal',
          channels,
          engagementPlan: {
            stages: channels.map((ch, i) => ({
              durationInMinutes: i === channels.length - 1 ? 0 : 5,
              targets: [{ channelName: ch.name }],
            })),
          },
          tags: { team: tag },
          deletionPolicy: 'Delete',
        },
      });
    }
    for (let r = 0; r < 2; r++) {
      byLayer[1]?.push({
        apiVersion: API,
        kind: 'Rotation',
        metadata: meta(`r${r}`),
        spec: {
          accountRef,
          name: `${tag}-r${r}`,
          contacts: [0, 1, 2].map((i) => ({ contactRef: { name: `${tag}-c${i + r * 2}` } })),
          startTime: '2026-12-07T07:00:00Z',
          timeZoneId: 'UTC',
          recurrence: {
            numberOfOnCalls: 1,
            recurrenceMultiplier: 1,
            dailySettings: [r === 0 ? '07:00' : '19:00'],
          },
          deletionPolicy: 'Delete',
        },
      });
    }
    byLayer[2]?.push({
      apiVersion: API,
      kind: 'Contact',
      metadata: meta('oncall'),
      spec: {
        accountRef,
        alias: `${tag}-oncall`,
        displayName: `Team ${t} on call`,
        type: 'OnCallSchedule',
        rotations: [0, 1].map((r) => ({ rotationRef: { name: `${tag}-r${r}` } })),
        deletionPolicy: 'Delete',
      },
    });
    byLayer[3]?.push({
      apiVersion: API,
      kind: 'EscalationPlan',
      metadata: meta('escalation'),
      spec: {
        accountRef,
        alias: `${tag}-escalation`,
        displayName: `Team ${t} escalation`,
        stages: [
          { durationInMinutes: 10, targets: [{ contactRef: { name: `${tag}-oncall` }, isEssential: true }] },
          { durationInMinutes: 0, targets: [{ contactRef: { name: `${tag}-c0` } }] },
        ],
        ...(o.sharing
          ? {
              sharing: {
                principals: [accountId((a + 1) % Math.max(2, o.accounts))],
                allowExternalPrincipals: true,
              },
            }
          : {}),
        deletionPolicy: 'Delete',
      },
    });
    byLayer[4]?.push({
      apiVersion: API,
      kind: 'ResponsePlan',
      metadata: meta('plan'),
      spec: {
        accountRef,
        name: `${tag}-plan`,
        displayName: `Team ${t} outage`,
        incidentTemplate: { title: `Team ${t} outage`, impact: 3 },
        engagements: [{ escalationPlanRef: { name: `${tag}-escalation` } }],
        deletionPolicy: 'Delete',
      },
    });
  }
  for (const ns of namespacesWithCodes)
    secrets.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${p}-activation-codes`, namespace: ns },
      type: 'Opaque',
      data: {},
    });
  return { base, replicationSets, objects: byLayer.flat(), secrets, accountIds };
}

/** `namespace/name` of a manifest, as the tracker keys objects. */
export const keyOf = (m: { metadata: { name: string; namespace?: string } }): string =>
  `${m.metadata.namespace ?? ''}/${m.metadata.name}`;

/**
 * Simple contacts (no channels) for footprint and scale figures: `accounts` AWSAccounts (in `base`
 * with their Namespaces), a ReplicationSet onboarding each, then contacts round-robin over them,
 * `n` objects in all.
 */
export function simpleContacts(
  n: number,
  accounts: number,
  prefix: string,
  firstDigit: string,
): { base: Manifest[]; objects: Manifest[] } {
  const base: Manifest[] = [];
  const objects: Manifest[] = [];
  for (let a = 0; a < accounts; a++) {
    const ns = `${prefix}-${a}`;
    const id = `${firstDigit}${String(a + 1).padStart(11, '0')}`;
    base.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    base.push({
      apiVersion: API,
      kind: 'AWSAccount',
      metadata: { name: ns },
      spec: { accountId: id, region: REGION, roleArn: `arn:aws:iam::${id}:role/operator` },
    });
    objects.push({
      apiVersion: API,
      kind: 'ReplicationSet',
      metadata: { name: 'onboarding', namespace: ns },
      spec: { accountRef: { name: ns }, regions: [{ name: REGION }] },
    });
  }
  for (let i = 0; objects.length < n; i++) {
    const ns = `${prefix}-${i % accounts}`;
    objects.push({
      apiVersion: API,
      kind: 'Contact',
      metadata: { name: `c${i}`, namespace: ns },
      spec: {
        accountRef: { name: ns },
        alias: `${prefix}-c${i}`,
        displayName: `Contact ${i}`,
        type: 'Personal',
      },
    });
  }
  return { base, objects };
}
