// The Go decoding rules the emulator reproduces for built-in kinds (wording from kube-apiserver 1.32).
import { describe, expect, it } from 'vitest';
import {
  base64ErrorAt,
  eventFromCore,
  eventToStorage,
  microTimeError,
} from '../../../src/emulators/kube/builtins.ts';

describe('MicroTime parsing', () => {
  it('accepts six fractional digits, in UTC or with an offset', () => {
    expect(microTimeError('2026-01-01T00:00:00.000000Z')).toBeUndefined();
    expect(microTimeError('2026-01-01T00:00:00.123456+02:00')).toBeUndefined();
  });

  it('words each refusal as time.Parse does', () => {
    const layout = '"2006-01-02T15:04:05.000000Z07:00"';
    expect(microTimeError('2026-01-01T00:00:00Z')).toBe(
      `parsing time "2026-01-01T00:00:00Z" as ${layout}: cannot parse "Z" as ".000000"`,
    );
    expect(microTimeError('2026-01-01T00:00:00.123Z')).toBe(
      `parsing time "2026-01-01T00:00:00.123Z" as ${layout}: cannot parse ".123Z" as ".000000"`,
    );
    expect(microTimeError('yesterday')).toBe(
      `parsing time "yesterday" as ${layout}: cannot parse "yesterday" as "2006"`,
    );
    expect(microTimeError('2026-13-01T00:00:00.000000Z')).toBe(
      'parsing time "2026-13-01T00:00:00.000000Z": month out of range',
    );
  });
});

describe('base64 as StdEncoding decodes it', () => {
  it('reports the first corrupt byte', () => {
    expect(base64ErrorAt('dg==')).toBeUndefined();
    expect(base64ErrorAt('dmFs\ndWU=')).toBeUndefined();
    expect(base64ErrorAt('not base64!')).toBe(3);
    expect(base64ErrorAt('abc')).toBe(0);
    expect(base64ErrorAt('dg=')).toBe(3);
    expect(base64ErrorAt('dg==x')).toBe(4);
  });
});

describe('events in both APIs', () => {
  it('converts a core event to events.k8s.io/v1 and back to the same stored form', () => {
    const core = {
      metadata: { name: 'e', namespace: 'n' },
      involvedObject: { kind: 'Contact', name: 'alice', namespace: 'n' },
      message: 'hi',
      count: 2,
      source: { component: 'x' },
      reportingComponent: 'x',
      reason: 'Created',
      type: 'Normal',
    };
    const v1 = eventFromCore(core);
    expect(v1).toMatchObject({
      regarding: core.involvedObject,
      note: 'hi',
      deprecatedCount: 2,
      reportingController: 'x',
    });
    expect(v1.eventTime).toBeNull();
    expect(eventToStorage(v1)).toEqual(core);
  });
});
