import type { Issue, TestConfig, TestType } from "../protocol/index.ts";
import {
  DEFAULT_AVALANCHE_CONCURRENCY,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TSUNAMI_CONCURRENCY,
  MAX_TEST_DURATION_MS,
  MIN_TSUNAMI_DELAY_MS,
} from "./defaults.ts";

/** A configuration the driver can run, with every default filled in. */
export interface RunPlan {
  testId: string;
  mode: TestType;
  url: string;
  count: number;
  /** TSUNAMI spacing between due times; 0 for AVALANCHE. */
  delayMs: number;
  /** Requests/s cap for this driver, when set. */
  throughput?: number;
  concurrency: number;
  timeoutMs: number;
}

export type PlanResult = { ok: true; plan: RunPlan } | { ok: false; error: string; issues: Issue[] };

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;

/** Every reason the target URL cannot be used, as issues. */
function urlIssues(url: string | undefined): Issue[] {
  if (url === undefined) return [{ path: "target_url", message: "required: the http(s) URL every request goes to" }];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ path: "target_url", message: "not a URL" }];
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return [{ path: "target_url", message: `must be http or https, got ${parsed.protocol.replace(/:$/, "")}` }];
  }
  return [];
}

/**
 * Checks that a (schema-valid) configuration can be run and fills in the defaults. Reports
 * every problem, not the first: a missing or non-http target, TSUNAMI without a positive
 * delay, a schedule that would run longer than a day.
 */
export function planTest(config: TestConfig): PlanResult {
  const issues = urlIssues(config.target_url);
  const count = config.message_count_per_driver;
  const tsunami = config.test_type === "TSUNAMI";
  const delayMs = tsunami ? config.test_message_delay : 0;
  if (tsunami && !(delayMs >= MIN_TSUNAMI_DELAY_MS)) {
    issues.push({ path: "test_message_delay", message: `TSUNAMI needs a positive delay (at least ${MIN_TSUNAMI_DELAY_MS} ms), got ${delayMs}` });
  } else if (tsunami && (count - 1) * delayMs > MAX_TEST_DURATION_MS) {
    issues.push({ path: "test_message_delay", message: `${count} sends ${delayMs} ms apart take ${hours((count - 1) * delayMs)}; the longest test is ${hours(MAX_TEST_DURATION_MS)}` });
  }
  const throughput = config.target_throughput;
  if (throughput !== undefined && (count / throughput) * 1000 > MAX_TEST_DURATION_MS) {
    issues.push({ path: "target_throughput", message: `${count} requests at ${throughput}/s take ${hours((count / throughput) * 1000)}; the longest test is ${hours(MAX_TEST_DURATION_MS)}` });
  }
  if (issues.length > 0) {
    return { ok: false, error: `cannot run test ${config.test_id}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues };
  }
  const concurrency = config.concurrency ?? (tsunami ? DEFAULT_TSUNAMI_CONCURRENCY : DEFAULT_AVALANCHE_CONCURRENCY);
  return {
    ok: true,
    plan: {
      testId: config.test_id,
      mode: config.test_type,
      url: config.target_url!,
      count,
      delayMs,
      ...(throughput !== undefined ? { throughput } : {}),
      // More slots than sends would never be used.
      concurrency: Math.min(concurrency, count),
      timeoutMs: config.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    },
  };
}
