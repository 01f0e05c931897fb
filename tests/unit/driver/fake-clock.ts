import type { Clock, TimerHandle } from "../../../src/driver/clock.ts";

interface FakeTimer {
  id: number;
  atMs: number;
  fn: (...args: never[]) => void;
  args: unknown[];
  everyMs?: number;
}

/** Lets pending promise callbacks run (real I/O-free yield, not a sleep). */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock whose time moves only when a test says so. `advance` fires due timers in time
 * order, with the clock set to each timer's time, and lets promise callbacks settle between them.
 */
export class FakeClock implements Clock {
  private monoMs = 0;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(private readonly epochMs = 1_800_000_000_000) {}

  now(): number {
    return this.epochMs + this.monoMs;
  }

  mono(): number {
    return this.monoMs;
  }

  setTimeout<A extends unknown[]>(fn: (...args: A) => void, ms: number, ...args: A): TimerHandle {
    const timer: FakeTimer = { id: ++this.seq, atMs: this.monoMs + Math.max(0, ms), fn: fn as unknown as FakeTimer["fn"], args };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  every(intervalMs: number, fn: () => void): () => void {
    const timer: FakeTimer = { id: ++this.seq, atMs: this.monoMs + intervalMs, fn, args: [], everyMs: intervalMs };
    this.timers.push(timer);
    return () => this.clearTimeout(timer.id);
  }

  defer(fn: () => void): void {
    this.setTimeout(fn, 0);
  }

  /** Timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const endMs = this.monoMs + ms;
    await settle();
    for (;;) {
      const next = this.timers.reduce<FakeTimer | undefined>((a, t) => (a === undefined || t.atMs < a.atMs || (t.atMs === a.atMs && t.id < a.id) ? t : a), undefined);
      if (next === undefined || next.atMs > endMs) break;
      this.monoMs = Math.max(this.monoMs, next.atMs);
      if (next.everyMs !== undefined) next.atMs += next.everyMs;
      else this.timers = this.timers.filter((t) => t !== next);
      next.fn(...(next.args as never[]));
      await settle();
    }
    this.monoMs = endMs;
    await settle();
  }

  /** Advances in `stepMs` steps until `done()` holds; throws after `limitMs` of fake time. */
  async advanceUntil(done: () => boolean, stepMs = 1, limitMs = 600_000): Promise<void> {
    const startMs = this.monoMs;
    while (!done()) {
      if (this.monoMs - startMs > limitMs) throw new Error(`condition not met within ${limitMs} ms of fake time`);
      await this.advance(stepMs);
    }
  }
}
