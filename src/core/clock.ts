/**
 * All business time comes from one clock so tests can move it (locking dates,
 * contract expiry, session lifetimes). Production uses the system clock.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2026-01-15T12:00:00Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
  advanceMs(ms: number): void {
    this.current += ms;
  }
  advanceDays(days: number): void {
    this.current += days * 86_400_000;
  }
}
