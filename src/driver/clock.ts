/** An opaque timer handle, whatever the clock hands out. */
export type TimerHandle = unknown;

/**
 * Time and timers, injected so the core runs under a fake clock in unit tests.
 * `now` is wall time (epoch ms) for the wire; `mono` is monotonic (performance.now) for
 * schedules and latencies.
 */
export interface Clock {
  now(): number;
  mono(): number;
  setTimeout<A extends unknown[]>(fn: (...args: A) => void, ms: number, ...args: A): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Runs `fn` on a later turn of the event loop, after pending I/O and timers get their turn. */
  defer(fn: () => void): void;
}

type Timer = ReturnType<typeof setTimeout>;

/** The real clock: Date.now, performance.now, and the runtime's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  mono: () => performance.now(),
  setTimeout: (fn, ms, ...args) => setTimeout(fn, ms, ...args),
  clearTimeout: (handle) => clearTimeout(handle as Timer),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as Timer),
  defer: (fn) => void setImmediate(fn),
};

/** Resolves after `ms` on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => void clock.setTimeout(resolve, ms));
}
