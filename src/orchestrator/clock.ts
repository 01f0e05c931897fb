/** Time as the orchestrator sees it: `now()` in epoch ms and a repeating timer. */
export interface Clock {
  now(): number;
  /** Calls `fn` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, fn: () => void): () => void;
}

/** The real clock: `Date.now()` and `setInterval`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  every(intervalMs, fn) {
    const timer = setInterval(fn, intervalMs);
    return () => clearInterval(timer);
  },
};

interface ManualTimer {
  intervalMs: number;
  dueAt: number;
  fn: () => void;
}

/** A clock that only moves when told to (tests): `advance()` fires every timer that falls due, in order. */
export class ManualClock implements Clock {
  private readonly timers = new Set<ManualTimer>();

  constructor(private current = 1_700_000_000_000) {}

  now(): number {
    return this.current;
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
      next.dueAt += next.intervalMs;
      next.fn();
    }
    this.current = end;
  }

  /** Sets the time without firing timers (a jump, e.g. a restart later). */
  set(now: number): void {
    this.current = now;
  }
}
