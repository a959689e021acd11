// The engine's only source of time. Production uses the system clock; unit tests inject a fake
// clock so backoff, resync and timers are asserted without sleeping.
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds; the handle cancels it. */
  setTimer(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    // Timers must never keep a shutting-down process alive.
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
