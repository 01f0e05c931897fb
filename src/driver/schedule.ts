import { LATE_THRESHOLD_MS } from "./defaults.ts";

/**
 * TSUNAMI send times: send i is due at `startMs + i × delayMs`, computed from the absolute
 * start each time (never by adding delays up, never after a response), so it cannot drift.
 */
export class TsunamiSchedule {
  constructor(
    readonly startMs: number,
    readonly delayMs: number,
  ) {}

  /** When send `i` (0-based) is due. */
  dueAt(i: number): number {
    return this.startMs + i * this.delayMs;
  }
}

/** Whether a send that started at `startedMs` missed its due time by more than the threshold. */
export function isLate(startedMs: number, dueMs: number, thresholdMs = LATE_THRESHOLD_MS): boolean {
  return startedMs - dueMs > thresholdMs;
}
