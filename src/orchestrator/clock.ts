import type { Clock, TimerHandle } from "../clock.ts";

/** The orchestrator's clock is the one {@link Clock} of src/clock.ts (shared with the driver). */
export { systemClock, type Clock } from "../clock.ts";

interface ManualTimer {
  /** Repeat period; 0 for a one-shot timer. */
  intervalMs: number;
  dueAt: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to (tests): `advance()` fires every timer that falls due, in
 * order, synchronously. `mono` counts from the clock's creation.
 */
export class ManualClock implements Clock {
  private readonly timers = new Set<ManualTimer>();
  private readonly origin: number;

  constructor(private current = 1_700_000_000_000) {
    this.origin = current;
  }

  now(): number {
    return this.current;
  }

  mono(): number {
    return this.current - this.origin;
  }

  setTimeout<A extends unknown[]>(fn: (...args: A) => void, ms: number, ...args: A): TimerHandle {
    const timer: ManualTimer = { intervalMs: 0, dueAt: this.current + Math.max(0, ms), fn: () => fn(...args) };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as ManualTimer);
  }

  /** Runs `fn` at the next `advance()`, even `advance(0)`. */
  defer(fn: () => void): void {
    this.setTimeout(fn, 0);
  }

  every(intervalMs: number, fn: () => void): () => void {
    const timer: ManualTimer = { intervalMs, dueAt: this.current + intervalMs, fn };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Moves time forward by `ms`, stopping at each timer's due time to fire it. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers) if (timer.dueAt <= end && (!next || timer.dueAt < next.dueAt)) next = timer;
      if (!next) break;
      this.current = next.dueAt;
      if (next.intervalMs > 0) next.dueAt += next.intervalMs;
      else this.timers.delete(next);
      next.fn();
    }
    this.current = end;
  }

  /** Sets the time without firing timers (a jump, e.g. a restart later). */
  set(now: number): void {
    this.current = now;
  }
}
