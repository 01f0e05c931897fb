import { checkRunnable, formatIssues, type Issue, type TestConfig, type TestType } from "../protocol/index.ts";
import type { PlannedChecks, PlannedRequest } from "./scenario/request-spec.ts";
import { planRequests } from "./scenario/plan-requests.ts";
import { DEFAULT_AVALANCHE_CONCURRENCY, DEFAULT_TIMEOUT_MS, DEFAULT_TSUNAMI_CONCURRENCY } from "./defaults.ts";

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
  // Issue 11 (scenarios); every field optional: a plan without them runs exactly as before.
  /** The scenario's requests; absent: one GET of `url` (the prebuilt fast path). */
  requests?: PlannedRequest[];
  /** Rows for `${data.FIELD}` templates (row `seq mod rows`). */
  data?: Record<string, unknown>[];
  /** Sending stops this many ms after the start (with `count`, whichever comes first). */
  durationMs?: number;
  /** Ramping arrival rate per driver: linear from the previous stage's rate to `target` req/s over `durationMs`. */
  stages?: { durationMs: number; target: number }[];
  /** Rate at which the first stage starts (req/s, default 0). */
  startThroughput?: number;
  /** Accept a self-signed TLS certificate. */
  tlsInsecure?: boolean;
  /** This plan's send i is the test's send `seqOffset + i × seqStride` (a worker's share); default 0 and 1. */
  seqOffset?: number;
  seqStride?: number;
}

export type { PlannedChecks, PlannedRequest };

export type PlanResult = { ok: true; plan: RunPlan } | { ok: false; error: string; issues: Issue[] };

/** Why a driver refuses test `testId`, in one line: the TEST_REJECTED `error`. */
export function cannotRun(testId: string, issues: readonly Issue[]): string {
  return `cannot run test ${testId}: ${formatIssues(issues)}`;
}

/**
 * Checks that a (schema-valid) configuration can be run, by the rules the API applies too
 * (protocol/limits.ts), and fills in the defaults. Reports every problem, not the first.
 */
export function planTest(config: TestConfig): PlanResult {
  const issues = checkRunnable(config);
  const count = config.message_count_per_driver;
  const tsunami = config.test_type === "TSUNAMI";
  const delayMs = tsunami ? config.test_message_delay : 0;
  const throughput = config.target_throughput;
  if (issues.length > 0) {
    return { ok: false, error: cannotRun(config.test_id, issues), issues };
  }
  const concurrency = config.concurrency ?? (tsunami ? DEFAULT_TSUNAMI_CONCURRENCY : DEFAULT_AVALANCHE_CONCURRENCY);
  const requests = planRequests(config);
  return {
    ok: true,
    plan: {
      testId: config.test_id,
      mode: config.test_type,
      // A scenario of absolute URLs may leave target_url out: its first request's URL stands in.
      url: config.target_url ?? requests![0]!.url,
      count,
      delayMs,
      ...(throughput !== undefined ? { throughput } : {}),
      // More slots than sends would never be used.
      concurrency: Math.min(concurrency, count),
      timeoutMs: config.timeout_ms ?? DEFAULT_TIMEOUT_MS,
      ...scenarioPlan(config, requests),
    },
  };
}

/** The plan's scenario fields (issue 11), each present only when the configuration gives it. */
function scenarioPlan(config: TestConfig, requests: PlannedRequest[] | undefined): Partial<RunPlan> {
  const plan: Partial<RunPlan> = {};
  if (requests !== undefined) plan.requests = requests;
  if (config.data !== undefined) plan.data = config.data;
  if (config.duration_s !== undefined) plan.durationMs = config.duration_s * 1000;
  if (config.stages !== undefined) plan.stages = config.stages.map((s) => ({ durationMs: s.duration_s * 1000, target: s.target_throughput }));
  if (config.start_throughput !== undefined) plan.startThroughput = config.start_throughput;
  if (config.tls_insecure !== undefined) plan.tlsInsecure = config.tls_insecure;
  return plan;
}

/**
 * How long a plan's send schedule lasts: the sum of its stages, TSUNAMI's `(count - 1) × delay`,
 * each cut at its duration when it has one; an AVALANCHE's duration; null when it has none
 * (AVALANCHE without a duration).
 */
export function plannedDurationMs(plan: RunPlan): number | null {
  const scheduleMs = plan.stages !== undefined ? plan.stages.reduce((sum, s) => sum + s.durationMs, 0) : plan.mode === "TSUNAMI" ? (plan.count - 1) * plan.delayMs : null;
  if (plan.durationMs === undefined) return scheduleMs;
  return scheduleMs === null ? plan.durationMs : Math.min(scheduleMs, plan.durationMs);
}
