import { RAMClient } from '@aws-sdk/client-ram';
import { describe, expect, it } from 'vitest';
import { acceptResourceShares, acceptToken, invitationRegions } from '../../../src/aws/share-invitations.ts';

describe('invitationRegions: where an allow-listed owner’s AWS RAM invitations can arrive', () => {
  it('an account without a replication set yet and no owner in the cluster: its own Region only', () => {
    expect(invitationRegions({ home: 'eu-west-1' })).toEqual(['eu-west-1']);
  });

  it('the consumer’s contacts Region and replication set Regions, home first, each once', () => {
    expect(
      invitationRegions({
        home: 'eu-west-1',
        contacts: { region: 'us-east-1', replicationSetRegions: ['eu-west-1', 'us-east-1', 'ap-south-1'] },
      }),
    ).toEqual(['eu-west-1', 'ap-south-1', 'us-east-1']);
  });

  it('owners in the cluster add their home Region (response plans) and contacts Region (contacts), without repeats', () => {
    expect(
      invitationRegions({
        home: 'eu-west-1',
        contacts: { region: 'eu-west-1', replicationSetRegions: ['eu-west-1'] },
        owners: [
          { region: 'eu-west-1', contactsRegion: 'us-east-1' },
          { region: 'us-west-2' },
          { region: 'us-east-1', contactsRegion: 'us-east-1' },
        ],
      }),
    ).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
  });
});

describe('acceptResourceShares across Regions', () => {
  const OWNER = '111111111111';
  const ME = '333333333333';
  const invArn = (region: string) => `arn:aws:ram:${region}:${OWNER}:resource-share-invitation/i-1`;
  const shareArn = (region: string) => `arn:aws:ram:${region}:${OWNER}:resource-share/s-1`;
  const epArn = 'arn:aws:ssm-contacts:us-east-1:111111111111:contact/oncall';
  /** A RAM client (the paginators want one) whose calls `send` answers. */
  const fake = (send: (cmd: { constructor: { name: string }; input: unknown }) => Promise<unknown>) =>
    Object.assign(new RAMClient({ region: 'us-east-1' }), { send }) as unknown as RAMClient;
  /** RAM of one Region holding one pending invitation for an escalation plan, accepted on request. */
  function ramIn(region: string, sent: Array<{ region: string; op: string; input: unknown }>) {
    let accepted = false;
    const answers: Record<string, () => unknown> = {
      GetResourceShareInvitationsCommand: () => ({
        resourceShareInvitations: [
          {
            resourceShareInvitationArn: invArn(region),
            resourceShareArn: shareArn(region),
            resourceShareName: 'oncall',
            senderAccountId: OWNER,
            receiverAccountId: ME,
            status: accepted ? 'ACCEPTED' : 'PENDING',
          },
        ],
      }),
      ListPendingInvitationResourcesCommand: () => ({
        resources: [{ arn: epArn, type: 'ssm-contacts:Contact' }],
      }),
      AcceptResourceShareInvitationCommand: () => {
        accepted = true;
        return {};
      },
      GetResourceSharesCommand: () => ({
        resourceShares: accepted
          ? [{ resourceShareArn: shareArn(region), name: 'oncall', owningAccountId: OWNER, status: 'ACTIVE' }]
          : [],
      }),
      ListResourcesCommand: () => ({
        resources: [{ arn: epArn, type: 'ssm-contacts:Contact', resourceShareArn: shareArn(region) }],
      }),
    };
    return fake(async (cmd: { constructor: { name: string }; input: unknown }) => {
      const op = cmd.constructor.name;
      sent.push({ region, op, input: cmd.input });
      const answer = answers[op];
      if (!answer) throw new Error(`unexpected ${op}`);
      return answer();
    });
  }

  it('accepts in the invitation’s Region with its token; a Region RAM refuses keeps what was listed there and the others go on', async () => {
    const sent: Array<{ region: string; op: string; input: unknown }> = [];
    const east = ramIn('us-east-1', sent);
    const refused = Object.assign(
      new Error('User is not authorized to perform ram:GetResourceShareInvitations'),
      {
        name: 'AccessDeniedException',
      },
    );
    const west = fake(async () => Promise.reject(refused));
    const kept = {
      arn: shareArn('eu-west-1'),
      region: 'eu-west-1',
      owner: OWNER,
      resources: [
        {
          arn: 'arn:aws:ssm-incidents::111111111111:response-plan/major',
          type: 'ssm-incidents:ResponsePlan',
        },
      ],
    };
    const r = await acceptResourceShares(
      (region) => (region === 'us-east-1' ? east : west),
      ['eu-west-1', 'us-east-1'],
      ME,
      [OWNER],
      { accepted: [kept], pending: [] },
    );
    expect(r.failed).toEqual([{ region: 'eu-west-1', message: refused.message }]);
    expect(r.acceptedNow).toEqual([
      { invitationArn: invArn('us-east-1'), region: 'us-east-1', shareName: 'oncall', sender: OWNER },
    ]);
    expect(r.status.accepted).toEqual([
      kept,
      {
        arn: shareArn('us-east-1'),
        region: 'us-east-1',
        name: 'oncall',
        owner: OWNER,
        resources: [{ arn: epArn, type: 'ssm-contacts:Contact' }],
      },
    ]);
    const accept = sent.filter((s) => s.op === 'AcceptResourceShareInvitationCommand');
    expect(accept).toEqual([
      {
        region: 'us-east-1',
        op: 'AcceptResourceShareInvitationCommand',
        input: {
          resourceShareInvitationArn: invArn('us-east-1'),
          clientToken: acceptToken(invArn('us-east-1'), ME),
        },
      },
    ]);
  });
});
