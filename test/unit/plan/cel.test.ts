// imctl plan applies the CRDs' CEL rules (x-kubernetes-validations) as the API server would on
// create: a spec the cluster would refuse is reported as refused with the rule's message, before
// AWS is read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AccountResolver } from '../../../src/aws/accounts.ts';
import { loadObjects } from '../../../src/plan/load.ts';
import { plan } from '../../../src/plan/plan.ts';

const dir = mkdtempSync(join(tmpdir(), 'imctl-cel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const API = 'apiVersion: incidentmanager.gitops.dev/v1alpha1';
const ALICE = 'arn:aws:ssm-contacts:eu-west-1:111122223333:contact/alice';
const BOB = 'arn:aws:ssm-contacts:eu-west-1:111122223333:contact/bob';

const manifests = `${API}
kind: Contact
metadata: { name: schedule-without-rotations }
spec: { alias: primary, type: OnCallSchedule }
---
${API}
kind: Contact
metadata: { name: wrong-channel }
spec:
  alias: carol
  type: Personal
  channels: [{ name: carol-sms, type: SMS, address: "+353855550101" }]
  engagementPlan: { stages: [{ durationInMinutes: 0, targets: [{ channelName: carol-email }] }] }
---
${API}
kind: Rotation
metadata: { name: outsider-override }
spec:
  name: emea
  contacts: [{ contactArn: ${ALICE} }]
  timeZoneId: UTC
  recurrence:
    numberOfOnCalls: 1
    recurrenceMultiplier: 1
    weeklySettings: [{ dayOfWeek: Mon, handOffTime: "09:00" }]
  overrides:
    - { startTime: "2030-01-07T09:00:00Z", endTime: "2030-01-07T17:00:00Z", newContacts: [{ contactArn: ${BOB} }] }
---
${API}
kind: Contact
metadata: { name: fine }
spec: { alias: fine, type: Personal, channels: [{ name: fine-sms, type: SMS, address: "+353855550102" }] }
`;

describe('CEL rules in imctl plan', () => {
  it('refuses what the API server would refuse, with the rule message, and nothing else', async () => {
    writeFileSync(join(dir, 'objects.yaml'), manifests);
    const loaded = loadObjects([dir], false);
    expect(Object.fromEntries(loaded.invalid)).toEqual({
      'Contact default/schedule-without-rotations': [
        'spec: Invalid value: "object": an OnCallSchedule needs rotations',
      ],
      'Contact default/wrong-channel': [
        'spec: Invalid value: "object": every engagementPlan target channelName must name a channel of this contact',
      ],
    });

    // Refused as the cluster would refuse them, before any AWS read (there is no AWS here). An
    // override naming a non-member passes the API server (the check is the controller's, so that
    // spec.overrides is not held to 10 by the rule's CEL cost) and is refused as the controller would.
    const onlyInvalid = {
      ...loaded,
      managed: loaded.managed.filter(
        (o) =>
          loaded.invalid.has(`${o.kind} default/${o.metadata.name}`) ||
          o.metadata.name === 'outsider-override',
      ),
    };
    const out = await plan(onlyInvalid, {
      accounts: new AccountResolver({ defaultRegion: 'eu-west-1', clientConfig: { maxAttempts: 1 } }),
      defaultRegion: 'eu-west-1',
    });
    expect(out.objects.find((e) => e.name === 'outsider-override')).toMatchObject({
      action: 'refused',
      reason: 'InvalidSpec',
      message: expect.stringMatching(
        /^spec\.overrides\[0\]\.newContacts\[0\]: arn:.*:contact\/bob is not a member/,
      ),
    });
    const refused = out.objects.filter((e) => e.reason === 'SchemaInvalid');
    expect(Object.fromEntries(refused.map((e) => [e.name, [e.action, e.message]]))).toEqual(
      Object.fromEntries(
        [...loaded.invalid].map(([label, errors]) => [
          label.split('/')[1],
          ['refused', `the API server rejects it: ${errors.join('; ')}`],
        ]),
      ),
    );
  });

  it('accepts the samples (no rule fires on a valid spec)', () => {
    expect([...loadObjects(['config/samples'], false).invalid.keys()]).toEqual([]);
  });
});
