import { createPreciseTimer, type PreciseTimer } from "./driver/precise-timer.ts";

/** An opaque timer handle, whatever the clock hands out. */
export type TimerHandle = unknown;

/**
 * Time and timers, the one clock of the driver and the orchestrator, injected so their cores
 * run under a fake clock in unit tests. `now` is wall time (epoch ms) for the wire; `mono` is
 * monotonic (performance.now) for schedules and latencies.
 */
export interface Clock {
  now(): number;
  mono(): number;
  setTimeout<A extends unknown[]>(fn: (...args: A) => void, ms: number, ...args: A): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Calls `fn` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, fn: () => void): () => void;
  /** Runs `fn` on a later turn of the event loop, after pending I/O and timers get their turn. */
  defer(fn: () => void): void;
  /** Sub-millisecond timers on `mono` time, for pacing; without one, pacing uses `setTimeout` (1 ms steps). */
  readonly precise?: PreciseTimer | null;
}

let sharedPrecise: PreciseTimer | null | undefined;

/**
 * The real clock: Date.now, performance.now, the runtime's timers and the precise pacing timer. The timer functions
 * are the globals themselves (Bun does not need them bound), so the per-request timeout on
 * the hot path costs no wrapper and no rest-argument array.
 */
export const systemClock: Clock = {
  now: Date.now,
  mono: performance.now.bind(performance),
  setTimeout: setTimeout as Clock["setTimeout"],
  clearTimeout: clearTimeout as Clock["clearTimeout"],
  every(intervalMs, fn) {
    const timer = setInterval(fn, intervalMs);
    return () => clearInterval(timer);
  },
  defer: (fn) => void setImmediate(fn),
  // Created on first use (its Worker costs a thread), so processes that never pace never start it.
  get precise() {
    if (sharedPrecise === undefined) sharedPrecise = createPreciseTimer();
    return sharedPrecise;
  },
};
