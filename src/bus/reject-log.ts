import type { Logger } from "../log.ts";
import type { RejectListener } from "./bus.ts";

/** How often a flood of rejected messages is summarized in the log. */
export const REJECT_LOG_INTERVAL_MS = 10_000;

/**
 * A bus `onReject` listener for a process's log: the first rejection of each topic is logged
 * with its reason, then at most one line per topic and interval says how many followed, so a
 * flood of bad messages cannot flood the log. The bus counts every rejection either way.
 */
export function throttledRejectLog(log: Logger, intervalMs = REJECT_LOG_INTERVAL_MS, now: () => number = Date.now): RejectListener {
  const topics = new Map<string, { loggedAt: number; suppressed: number }>();
  return (topic, error) => {
    const at = now();
    const state = topics.get(topic);
    if (state === undefined || at - state.loggedAt >= intervalMs) {
      const suppressed = state?.suppressed ?? 0;
      log.warn("dropped an invalid message", { topic, error: error.slice(0, 500), ...(suppressed > 0 ? { suppressed_since_last: suppressed } : {}) });
      topics.set(topic, { loggedAt: at, suppressed: 0 });
    } else {
      state.suppressed++;
    }
  };
}
