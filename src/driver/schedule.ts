import { LATE_THRESHOLD_MS } from "./defaults.ts";

/** Whether a send that started at `startedMs` missed its due time by more than the threshold. */
export function isLate(startedMs: number, dueMs: number, thresholdMs = LATE_THRESHOLD_MS): boolean {
  return startedMs - dueMs > thresholdMs;
}
