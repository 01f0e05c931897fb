import type { Issue } from "./codec.ts";
import { scenarioIssues, type ScenarioFields } from "./scenario-rules.ts";
import { targetUrlIssues } from "./url-rules.ts";

export { targetUrlIssues };

/**
 * What a test may ask for: one rule set for the API (which refuses with 422) and the driver
 * (which rejects the configuration), so nothing the API accepts is then rejected by every
 * driver. Milliseconds throughout.
 */

/** Largest request count one driver may be asked to send in one test. */
export const MAX_COUNT_PER_DRIVER = 100_000_000;

/** Longest TSUNAMI delay between sends: one hour. */
export const MAX_DELAY_MS = 3_600_000;

/** Shortest TSUNAMI spacing: below a microsecond a schedule means nothing. */
export const MIN_TSUNAMI_DELAY_MS = 0.001;

/** Longest test (a schedule longer than this is a configuration mistake). */
export const MAX_TEST_DURATION_MS = 24 * 3_600_000;

/** Highest requests/s cap per driver. */
export const MAX_THROUGHPUT = 10_000_000;

/** Highest in-flight cap per driver. */
export const MAX_CONCURRENCY = 65_536;

/** Longest per-request timeout. */
export const MAX_TIMEOUT_MS = 600_000;

/** Longest grace a stop gives the requests in flight before it aborts them. */
export const MAX_STOP_GRACE_MS = 60_000;

/** Grace of a stop that names none: in-flight requests get 2 s to finish. */
export const DEFAULT_STOP_GRACE_MS = 2_000;

/** Longest target URL. */
export const MAX_URL_LENGTH = 2048;

/** The fields of a test configuration {@link checkRunnable} judges, each already valid on its own. */
export interface RunnableFields {
  test_type: "AVALANCHE" | "TSUNAMI";
  test_message_delay?: number;
  /** Absent when it was itself invalid: the schedule-length rules are then skipped. */
  message_count_per_driver?: number;
  target_url?: string;
  target_throughput?: number;
  /** Issue 11: the scenario's requests and data (scenario-rules.ts judges them across fields). */
  requests?: ScenarioFields["requests"];
  data?: ScenarioFields["data"];
  /** Issue 11: a duration or a ramp bounds the test's length, so the count-based length rules do not apply. */
  duration_s?: number;
  stages?: readonly unknown[];
}

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;

/** The target URL's issues as a test configuration's, a missing one included (optional when the test gives its requests). */
function urlIssues(url: string | undefined, hasRequests: boolean): Issue[] {
  if (url === undefined && hasRequests) return [];
  if (url === undefined) return [{ path: "target_url", message: "required: the http(s) URL every request goes to" }];
  return targetUrlIssues(url).map((message) => ({ path: "target_url", message }));
}

/**
 * Every reason a test cannot be run, across fields; pure. A missing or non-http target, a
 * TSUNAMI delay under {@link MIN_TSUNAMI_DELAY_MS}, and a schedule longer than
 * {@link MAX_TEST_DURATION_MS} (count × delay for TSUNAMI, count / target_throughput; a test
 * with `duration_s` or `stages` is bounded by those instead), and the scenario's rules across
 * fields (scenario-rules.ts).
 */
export function checkRunnable(config: RunnableFields): Issue[] {
  const issues = urlIssues(config.target_url, config.requests !== undefined);
  issues.push(...scenarioIssues(config));
  // A duration or a ramp ends the test by itself: the count then only caps it.
  const count = config.duration_s !== undefined || config.stages !== undefined ? undefined : config.message_count_per_driver;
  const delayMs = config.test_message_delay;
  if (config.test_type === "TSUNAMI") {
    if (delayMs === undefined || !(delayMs >= MIN_TSUNAMI_DELAY_MS)) {
      const got = delayMs === undefined ? "none given" : `got ${delayMs}`;
      issues.push({ path: "test_message_delay", message: `a TSUNAMI test needs a positive delay of at least ${MIN_TSUNAMI_DELAY_MS} ms, ${got}` });
    } else if (count !== undefined && (count - 1) * delayMs > MAX_TEST_DURATION_MS) {
      const ms = (count - 1) * delayMs;
      issues.push({ path: "test_message_delay", message: `${count} sends ${delayMs} ms apart take ${hours(ms)}; the longest test is ${hours(MAX_TEST_DURATION_MS)}` });
    }
  }
  const throughput = config.target_throughput;
  if (count !== undefined && throughput !== undefined && (count / throughput) * 1000 > MAX_TEST_DURATION_MS) {
    const ms = (count / throughput) * 1000;
    issues.push({ path: "target_throughput", message: `${count} requests at ${throughput}/s take ${hours(ms)}; the longest test is ${hours(MAX_TEST_DURATION_MS)}` });
  }
  return issues;
}
