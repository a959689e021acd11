import { describe, expect, it } from 'vitest';
import {
  hasOwner,
  idempotencyToken,
  idempotencyUuid,
  identityTags,
  isOwnershipTagKey,
  newPendingMark,
  ownedBy,
  ownerLabel,
  TOKEN_PATTERN,
} from '../../../src/engine/identity.ts';

describe('idempotency tokens', () => {
  it('are deterministic for the same uid, pending mark and operation', () => {
    expect(idempotencyToken('uid-1', 'm1', 'CreateContact')).toBe(
      idempotencyToken('uid-1', 'm1', 'CreateContact'),
    );
  });

  it('differ when the pending mark, the uid or the operation differs', () => {
    const t = idempotencyToken('uid-1', 'm1', 'CreateContact');
    expect(idempotencyToken('uid-1', 'm2', 'CreateContact')).not.toBe(t);
    expect(idempotencyToken('uid-2', 'm1', 'CreateContact')).not.toBe(t);
    expect(idempotencyToken('uid-1', 'm1', 'CreateContactChannel/email')).not.toBe(t);
  });

  it('fit every token pattern and length of the models (ssm-incidents ClientToken ≤ 128)', () => {
    const t = idempotencyToken('uid', 'mark', 'CreateResponsePlan');
    expect(t).toMatch(TOKEN_PATTERN);
    expect(t.length).toBeLessThanOrEqual(128);
    expect(idempotencyToken('uid', 'mark', 'op', 20)).toHaveLength(20);
  });

  it('RAM tokens are UUID-shaped and deterministic', () => {
    const u = idempotencyUuid('uid', 'mark', 'CreateResourceShare');
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idempotencyUuid('uid', 'mark', 'CreateResourceShare')).toBe(u);
  });

  it('pending marks differ between create attempts even at the same instant', () => {
    expect(newPendingMark(1000)).not.toBe(newPendingMark(1000));
  });
});

describe('identity tags', () => {
  it('carry kind, namespace, name and uid under one prefix, and recognise their owner', () => {
    const tags = identityTags({
      kind: 'Contact',
      metadata: { name: 'alice', namespace: 'oncall', uid: 'u-1' },
    });
    expect(tags).toEqual({
      'incidentmanager-gitops-dev/kind': 'Contact',
      'incidentmanager-gitops-dev/name': 'alice',
      'incidentmanager-gitops-dev/namespace': 'oncall',
      'incidentmanager-gitops-dev/uid': 'u-1',
    });
    expect(ownedBy(tags, 'u-1')).toBe(true);
    expect(ownedBy(tags, 'u-2')).toBe(false);
    expect(ownerLabel(tags)).toBe('Contact oncall/alice');
  });

  it('use keys both services accept (ssm-contacts allows no dots; ssm-incidents forbids aws:)', () => {
    // The TagKey patterns of ssm-contacts.json and ssm-incidents.json.
    const contactsKey = /^[\\/a-zA-Z0-9_+=-]*$/;
    const incidentsKey = /^(?!aws:)[A-Za-z0-9 _=@:.+\-/]+$/;
    const tags = identityTags({ kind: 'ResponsePlan', metadata: { name: 'p', namespace: 'n', uid: 'u' } });
    for (const k of Object.keys(tags)) {
      expect(k).toMatch(contactsKey);
      expect(k).toMatch(incidentsKey);
      expect(k.length).toBeLessThanOrEqual(128);
    }
  });

  it('still recognise the older dotted spelling found in accounts (never written again)', () => {
    const legacy = {
      'incidentmanager.gitops.dev/kind': 'ResponsePlan',
      'incidentmanager.gitops.dev/name': 'outage',
      'incidentmanager.gitops.dev/namespace': 'ops',
      'incidentmanager.gitops.dev/uid': 'u-9',
      team: 'payments',
    };
    expect(ownedBy(legacy, 'u-9')).toBe(true);
    expect(hasOwner(legacy)).toBe(true);
    expect(hasOwner({ team: 'payments' })).toBe(false);
    expect(ownerLabel(legacy)).toBe('ResponsePlan ops/outage');
    expect(Object.keys(legacy).filter(isOwnershipTagKey)).toHaveLength(4);
    expect(isOwnershipTagKey('team')).toBe(false);
  });
});
