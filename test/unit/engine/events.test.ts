import { describe, expect, it } from 'vitest';
import { EventRecorder, redact } from '../../../src/engine/events.ts';
import { FakeClock } from './fake-clock.ts';
import { MemoryEvents, widget } from './harness.ts';

describe('EventRecorder', () => {
  it('aggregates a repeated event into one Event with a count', async () => {
    const clock = new FakeClock();
    const sink = new MemoryEvents();
    const r = new EventRecorder({ sink, clock });
    const w = widget('w1', { size: 1, color: 'red' });
    await r.record(w, 'Warning', 'ReconcileError', 'boom');
    clock.advance(1_000);
    await r.record(w, 'Warning', 'ReconcileError', 'boom');
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({
      count: 2,
      involvedObject: { kind: 'Widget', name: 'w1', uid: 'uid-w1' },
      metadata: { namespace: 'default' },
    });
    expect(sink.events[0]!.lastTimestamp).not.toBe(sink.events[0]!.firstTimestamp);
  });

  it('rate-limits per object (burst, then one per refill period) without starving others', async () => {
    const clock = new FakeClock();
    const sink = new MemoryEvents();
    const r = new EventRecorder({ sink, clock, burst: 3, refillMs: 60_000 });
    const a = widget('a', { size: 1, color: 'red' });
    for (let i = 0; i < 5; i++) await r.record(a, 'Normal', 'Updated', `change ${i}`);
    expect(sink.events).toHaveLength(3);
    await r.record(widget('b', { size: 1, color: 'red' }), 'Normal', 'Created', 'x');
    expect(sink.events).toHaveLength(4);
    clock.advance(60_000);
    await r.record(a, 'Normal', 'Updated', 'later');
    expect(sink.events).toHaveLength(5);
  });

  it('never lets secrets into events', async () => {
    const sink = new MemoryEvents();
    const r = new EventRecorder({ sink, clock: new FakeClock(), secrets: () => ['739201'] });
    await r.record(
      widget('w', { size: 1, color: 'r' }),
      'Warning',
      'ActivationFailed',
      'code 739201 rejected',
    );
    expect(sink.events[0]!.message).toBe('code [REDACTED] rejected');
  });

  it('a failing sink does not throw into the reconcile', async () => {
    const errors: unknown[] = [];
    const r = new EventRecorder({
      sink: { create: () => Promise.reject(new Error('forbidden')), update: () => Promise.resolve() },
      clock: new FakeClock(),
      onError: (e) => errors.push(e),
    });
    await r.record(widget('w', { size: 1, color: 'r' }), 'Normal', 'Created', 'x');
    expect(errors).toHaveLength(1);
  });
});

describe('redact', () => {
  it('removes access keys and secret-looking key=value pairs', () => {
    expect(redact('key AKIAABCDEFGHIJKLMNOP used')).toBe('key [REDACTED] used');
    expect(redact('password=hunter2 and sessionToken: abc.def')).toBe(
      'password=[REDACTED] and sessionToken: [REDACTED]',
    );
    expect(redact('spec.size: must be between 1 and 10')).toBe('spec.size: must be between 1 and 10');
  });
});
