import { describe, expect, it } from 'vitest';
import { ReadMemory, SharedList } from '../../../../src/controllers/shared/read-memory.ts';

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

describe('ReadMemory: the whole last read, for the engine’s partial read at a resync', () => {
  type Whole = Parts & { contact: { plan: string } };
  it('is offered for the generation it was read for, with no write of ours since', () => {
    const m = new ReadMemory<Whole>();
    m.remember(ARN, 1, spec(), { contact: { plan: 'p' }, channels: ['c1'], tags: { team: 'a' } });
    expect(m.last(ARN, 1)).toEqual({ contact: { plan: 'p' }, channels: ['c1'], tags: { team: 'a' } });
    expect(m.last(ARN, 2)).toBeUndefined(); // the spec changed since
    // A part without a spec (the main Get) is never reused by a confirm or a spec change.
    expect(m.reusable(ARN, 2, spec())).toEqual({ channels: ['c1'], tags: { team: 'a' } });
    m.wrote(ARN, { tags: true });
    expect(m.last(ARN, 1)).toBeUndefined();
  });
});

describe('SharedList: one list call for the partial reads of an account’s objects', () => {
  const owner = {};
  const counting = () => {
    let calls = 0;
    const list = new SharedList<object, string>(async () => {
      calls++;
      return new Map([
        ['a', 'A'],
        ['b', 'B'],
      ]);
    });
    return { list, calls: () => calls };
  };

  it('serves concurrent and later readers from one call while it is recent enough for them', async () => {
    const { list, calls } = counting();
    const at = (nowMs: number) => ({ nowMs, listsSince: nowMs - 300 });
    expect(await Promise.all([list.find(owner, 'a', at(1000)), list.find(owner, 'b', at(1000))])).toEqual([
      'A',
      'B',
    ]);
    expect(await list.find(owner, 'c', at(1200))).toBeUndefined();
    expect(calls()).toBe(1);
    await list.find(owner, 'a', at(1400)); // older than this reader accepts: listed again
    expect(calls()).toBe(2);
    await list.find({}, 'a', at(1400)); // another account
    expect(calls()).toBe(3);
  });

  it('keeps no failed call', async () => {
    let fail = true;
    const list = new SharedList<object, string>(async () => {
      if (fail) throw new Error('throttled');
      return new Map([['a', 'A']]);
    });
    await expect(list.find(owner, 'a', { nowMs: 0, listsSince: 0 })).rejects.toThrow('throttled');
    fail = false;
    expect(await list.find(owner, 'a', { nowMs: 1, listsSince: 0 })).toBe('A');
  });
});
