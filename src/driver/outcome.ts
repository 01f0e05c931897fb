import type { Counts } from "../protocol/index.ts";

/**
 * How one request ended: a key of {@link Counts}, so counting is `counts[outcome]++`.
 * `stopped`: still in flight when a stop's grace ran out, aborted by the driver.
 */
export type Outcome = "status_2xx" | "status_3xx" | "status_4xx" | "status_5xx" | "timeout" | "connection_error" | "stopped";

/** The abort reason of a request that ran out of time, to tell it apart from other failures. */
export const TIMEOUT_REASON = "request timed out";

/** The abort reason of a request still in flight when a stop's grace ran out. */
export const STOP_REASON = "test stopped";

/** The class of an HTTP status; anything outside 200..499 counts as a server error. */
export function outcomeOfStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return "status_2xx";
  if (status >= 300 && status < 400) return "status_3xx";
  if (status >= 400 && status < 500) return "status_4xx";
  return "status_5xx";
}

/**
 * The class of a failed request from its signal: `stopped` when a stop aborted it, a timeout
 * when our deadline did, otherwise a connection error (refused, reset, DNS, TLS, a body cut short).
 */
export function outcomeOfFailure(signal: AbortSignal): Outcome {
  if (!signal.aborted) return "connection_error";
  return signal.reason === STOP_REASON ? "stopped" : "timeout";
}

/** Whether an outcome carries a response (and so a latency). */
export function isResponse(outcome: Outcome): boolean {
  return outcome !== "timeout" && outcome !== "connection_error" && outcome !== "stopped";
}
