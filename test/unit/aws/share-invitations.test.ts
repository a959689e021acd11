import { describe, expect, it } from 'vitest';
import { invitationRegions } from '../../../src/aws/share-invitations.ts';

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
