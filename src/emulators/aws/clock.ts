// Clock port: the emulator reads time only through this, so tests can advance it deterministically.
export interface EmulatorClock {
  now(): number;
}

export class SystemClock implements EmulatorClock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  /** Moves emulator time forward (admin path `POST /__emulator/clock?advanceMs=`). */
  advance(ms: number): void {
    this.offset += ms;
  }
}

export class ManualClock implements EmulatorClock {
  private t: number;
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
