import { describe, expect, it } from 'vitest';
import { ReadMemory } from '../../../../src/controllers/shared/read-memory.ts';

type Parts = { channels: string[]; tags: Record<string, string> };
const ARN = 'arn:aws:ssm-contacts:us-east-1:111122223333:contact/alice';
const spec = (channels = '["sms"]', tags = '{"team":"a"}') => ({ channels, tags });

describe('ReadMemory: which parts a visit may take from the last read', () => {
  it('a resync (same generation, no write since) reads every part', () => {
    const m = new ReadMemory<Parts>();
    m.remember(ARN, 1, spec(), { channels: ['c1'], tags: { team: 'a' } });
    expect(m.reusable(ARN, 1, spec())).toEqual({});
  });

  it('a spec change keeps the parts whose spec it left as they were, and only those', () => {
    const m = new ReadMemory<Parts>();
    m.remember(ARN, 1, spec(), { channels: ['c1'], tags: { team: 'a' } });
    expect(m.reusable(ARN, 2, spec())).toEqual({ channels: ['c1'], tags: { team: 'a' } });
    expect(m.reusable(ARN, 2, spec('["sms","voice"]'))).toEqual({ tags: { team: 'a' } });
    expect(m.reusable(ARN, 2, spec(undefined, '{}'))).toEqual({ channels: ['c1'] });
  });

  it('the read after our own write confirms once: untouched parts kept, touched ones read', () => {
    const m = new ReadMemory<Parts>();
    m.remember(ARN, 2, spec(), { channels: ['c1'], tags: { team: 'a' } });
    m.wrote(ARN, { channels: false, tags: true });
    expect(m.reusable(ARN, 2, spec())).toEqual({ channels: ['c1'] });
    m.remember(ARN, 2, spec(), { channels: ['c1'], tags: { team: 'b' } });
    expect(m.reusable(ARN, 2, spec())).toEqual({}); // the next visit is a drift check again
  });

  it('a create confirms with the tags it wrote; a failed write or a delete forgets everything', () => {
    const m = new ReadMemory<Parts>();
    m.remember(ARN, 1, spec(), { tags: { team: 'a', owner: 'uid' } }, true);
    expect(m.reusable(ARN, 1, spec())).toEqual({ tags: { team: 'a', owner: 'uid' } });
    m.forget(ARN);
    expect(m.reusable(ARN, 2, spec())).toEqual({});
  });
});
