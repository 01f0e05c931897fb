import type { ClockSync } from "./clock-sync.ts";

/**
 * How early the test run begins before its start time: its stats, report timer, HTTP pool and
 * send loop are built and TEST_STARTED is queued by then, and the send loop holds its first send
 * until the start on the precise timer (a setTimeout wake-up lands 1-2 ms late). So at the start
 * each driver only sends: 64 driver processes waking together on 2 cores each did all that work
 * first (5 ms ahead before), and the last of them sent its first request over a second late.
 */
export const EARLY_BEGIN_MS = 200;

/** The clock offset a test's start was computed with, and why it was not corrected when it was not. */
export interface StartClock {
  /** Orchestrator minus driver clock (ms) at the start, null without an estimate. */
  offsetMs: number | null;
  /** Whether `start_at` was converted to this driver's clock with it. */
  corrected: boolean;
  /** Set when the start was not corrected although it should have been, or correction is off. */
  warning?: string;
}

/**
 * Decides the start's clock: corrected by the estimate when there is one and correction is on;
 * otherwise uncorrected with a warning (no estimate after `waited` for one, or correction off).
 */
export function startClockOf(sync: ClockSync | undefined, waited: boolean): StartClock {
  if (sync === undefined) return { offsetMs: null, corrected: false };
  const estimate = sync.estimate();
  const offsetMs = estimate?.offset_ms ?? null;
  if (!sync.correction) {
    const off = offsetMs === null ? "not measured yet" : `${Math.round(offsetMs)} ms`;
    return { offsetMs, corrected: false, warning: `clock correction is off on this driver (--no-clock-correction): it started on its own clock, offset ${off}` };
  }
  if (offsetMs === null) {
    return {
      offsetMs,
      corrected: false,
      warning: `no clock offset estimate${waited ? " came in time" : ""}: started uncorrected, on this driver's own clock`,
    };
  }
  return { offsetMs, corrected: true };
}
