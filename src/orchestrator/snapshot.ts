import type { Counts, Issue, LatencySummary } from "../protocol/index.ts";
import { allDrivers, isSummaryOnly, totalCounts, type DriverAggregate, type TestAggregate } from "./aggregate.ts";
import { driverDueLatency, driverLatencyOrNull, latencyCombination, totalDueLatency, fleetLatency, type LatencyCombination } from "./aggregate-latency.ts";
import type { NodeStatus } from "./registry.ts";
import type { DriverOutcome, Participant, TestRecord } from "./test-state.ts";
import { plannedRateLine, type RateLine } from "./planned-rate.ts";
import { configView, type ConfigView } from "./config-view.ts";

/** A window older than this (orchestrator time) no longer counts towards "requests/s now". */
export const RATE_FRESH_MS = 2_500;

/** Failed requests by class. */
export interface ErrorsView {
  status_4xx: number;
  status_5xx: number;
  timeout: number;
  connection_error: number;
  total: number;
}

/** What a test's whole and each of its participants are measured by. */
export interface Figures {
  /** Sends and completions per second over the latest report windows (0 once they are stale). */
  requests_per_s: number;
  completed_per_s: number;
  /**
   * Requests completed per second: completions divided by the time from the test's start
   * (`start_at`, else the first send) to its end (`ended_at`; for one driver, its final
   * report), or to now while it runs. What `loadtest --threshold rps>…` judges on the whole
   * test. See {@link averageRate}.
   */
  avg_requests_per_s: number;
  counts: Counts;
  errors: ErrorsView;
  late: number;
  latency: LatencySummary | null;
  due_latency: LatencySummary | null;
  first_send_at: number | null;
  last_send_at: number | null;
}

/** One participant's figures in a test. */
export interface DriverView extends Figures {
  node_id: string;
  /** The driver process these figures come from (null: a driver that sends no instance_id). */
  instance_id?: string | null;
  /** True for a driver whose reports carry only the brief's four latency figures: shown as reported, no counts. */
  summary_only?: boolean;
  /** True for a second process that reported under a participant's node_id (its counts are in the totals). */
  twin?: boolean;
  /**
   * The clock offset the driver ran the test with (orchestrator minus driver, ms), null when it
   * had none; `first_send_at`/`last_send_at` are then on the orchestrator's timeline (the
   * driver's own clock plus this offset), else on the driver's own clock. Absent in results stored before clocks were measured.
   */
  clock_offset_ms?: number | null;
  /** Whether the driver's start was corrected by that offset; null for a driver that does not say. */
  clock_corrected?: boolean | null;
  node_status: NodeStatus | "unknown";
  outcome: DriverOutcome;
  reports: number;
  last_sequence: number | null;
  final: boolean;
  last_report_at: number | null;
  accepted_at: number | null;
  started_at: number | null;
  error: string | null;
  issues: Issue[];
  /** The driver's first error of a request that got no response (a refused connection, a rejected certificate), when it had one. */
  first_error?: string;
}

/** Figures across every participant. */
export interface MetricsView extends Figures {
  /** Spread of the drivers' first sends on the orchestrator's timeline (see DriverView.clock_offset_ms): how together they started. */
  start_skew_ms: number | null;
  drivers_reporting: number;
  drivers_final: number;
  /**
   * Present when summary-only drivers took part: who they are and how the fleet's mean and
   * median were combined without their counts (min and max stay exact).
   */
  latency_combined?: LatencyCombination;
}

/** A test as `GET /tests/:id` shows it, as each live snapshot event carries it, and as its final result is stored. */
export interface TestView extends Omit<TestRecord, "config"> {
  /** The configuration without its `data` rows, which `config.data_rows` counts (config-view.ts; GET /tests/:id/config has them). */
  config: ConfigView;
  duration_ms: number | null;
  generated_at: number;
  metrics: MetricsView;
  per_driver: DriverView[];
  /**
   * The fleet's planned requests/s (issue 11): vertices `[t_s, requests/s]` from the test's start,
   * linear between them, none after the last (planned-rate.ts). Absent when the test plans no
   * rate (AVALANCHE without a throughput cap).
   */
  planned_rps?: RateLine;
  /** Per request name of a scenario (issue 11), in the order the names first reported; absent without one. */
  by_request?: Record<string, RequestView>;
}

/** One request name's figures in a test: every driver's merged (digests merged, never averaged). */
export interface RequestView {
  counts: Counts;
  /** Latency in ms (mean, min, max exact; quantiles from the merged digest); null before a response. */
  metrics: { mean: number; median: number; min: number; max: number; p90: number; p95: number; p99: number } | null;
  /** Responses that failed their checks (a subset of completed). */
  check_failed: number;
  /** The reason of the first failure reported, null when none failed. */
  first_check_failure: string | null;
}

export interface SnapshotInput {
  record: TestRecord;
  aggregate: TestAggregate;
  participants: ReadonlyMap<string, Participant>;
  outcomes: Record<string, DriverOutcome>;
  nodeStatus: (nodeId: string) => NodeStatus | undefined;
  now: number;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The failed requests of some counts, by class and in all. */
export function errorsOf(counts: Counts): ErrorsView {
  const { status_4xx, status_5xx, timeout, connection_error } = counts;
  return { status_4xx, status_5xx, timeout, connection_error, total: status_4xx + status_5xx + timeout + connection_error };
}

/**
 * Requests completed per second from `startMs` to `endMs` (0 before any time has passed).
 * Elapsed test time, not the span between sends: an AVALANCHE that sends everything in one
 * millisecond would otherwise have a rate of 0 or of millions.
 */
export function averageRate(completed: number, startMs: number | null, endMs: number): number {
  if (startMs === null || endMs <= startMs) return 0;
  return round((completed * 1000) / (endMs - startMs), 1);
}

function windowRates(driver: DriverAggregate, live: boolean, now: number): { sent: number; completed: number } {
  const w = driver.last_window;
  if (!live || !w || now - w.received_at > RATE_FRESH_MS) return { sent: 0, completed: 0 };
  return { sent: round((w.counts.sent * 1000) / w.duration_ms, 1), completed: round((w.counts.completed * 1000) / w.duration_ms, 1) };
}

function driverView(input: SnapshotInput, driver: DriverAggregate): DriverView {
  const { record, participants, outcomes, nodeStatus, now } = input;
  const participant = participants.get(driver.node_id);
  const endMs = driver.final && driver.last_report_at !== null ? driver.last_report_at : (record.ended_at ?? now);
  const rates = windowRates(driver, record.state === "running", now);
  const twin = input.aggregate.drivers.get(driver.node_id) !== driver;
  // On the orchestrator's timeline when the driver measured its offset: start skew is then honest across clocks.
  const firstSend = driver.first_send_at_orchestrator ?? driver.first_send_at;
  return {
    node_id: driver.node_id,
    instance_id: driver.instance_id,
    ...(twin ? { twin } : {}),
    ...(isSummaryOnly(driver) ? { summary_only: true } : {}),
    node_status: nodeStatus(driver.node_id) ?? "unknown",
    outcome: outcomes[driver.node_id] ?? "waiting",
    requests_per_s: rates.sent,
    completed_per_s: rates.completed,
    avg_requests_per_s: averageRate(driver.counts.completed, record.start_at ?? firstSend, endMs),
    counts: { ...driver.counts },
    errors: errorsOf(driver.counts),
    late: driver.counts.late,
    latency: driverLatencyOrNull(driver),
    due_latency: driverDueLatency(driver),
    reports: driver.reports,
    last_sequence: driver.sequence >= 0 ? driver.sequence : null,
    final: driver.final,
    first_send_at: firstSend,
    last_send_at: driver.last_send_at_orchestrator ?? driver.last_send_at,
    clock_offset_ms: driver.clock_offset_ms,
    clock_corrected: driver.clock_corrected,
    last_report_at: driver.last_report_at,
    accepted_at: participant?.accepted_at ?? null,
    started_at: participant?.started_at ?? null,
    error: participant?.rejected?.error ?? null,
    issues: participant?.rejected?.issues ?? [],
    ...(driver.first_error !== undefined ? { first_error: driver.first_error } : {}),
  };
}

/** Builds the view of a test from its record and aggregate at `now`; pure, so SSE, dashboards and /metrics can reuse it. */
export function buildTestView(input: SnapshotInput): TestView {
  const { record, aggregate, now } = input;
  const perDriver = allDrivers(aggregate).map((d) => driverView(input, d));
  const participants = perDriver.filter((d) => !d.twin);
  const counts = totalCounts(aggregate);
  const firsts = perDriver.flatMap((d) => (d.first_send_at === null ? [] : [d.first_send_at]));
  const lasts = perDriver.flatMap((d) => (d.last_send_at === null ? [] : [d.last_send_at]));
  const firstSend = firsts.length > 0 ? Math.min(...firsts) : null;
  const lastSend = lasts.length > 0 ? Math.max(...lasts) : null;
  const started = record.start_at ?? record.triggered_at;
  const combined = latencyCombination(aggregate);
  const planned = plannedRateLine(record.config, record.drivers.length);
  return {
    test_id: record.test_id,
    state: record.state,
    config: configView(record.config),
    ...(record.abort ? { abort: record.abort } : {}),
    drivers: [...record.drivers],
    created_at: record.created_at,
    triggered_at: record.triggered_at,
    start_at: record.start_at,
    ended_at: record.ended_at,
    duration_ms: started === null ? null : Math.max(0, (record.ended_at ?? now) - started),
    error: record.error,
    ...(record.stop ? { stop: structuredClone(record.stop) } : {}),
    ...(record.warnings && record.warnings.length > 0 ? { warnings: [...record.warnings] } : {}),
    generated_at: now,
    metrics: {
      requests_per_s: round(perDriver.reduce((s, d) => s + d.requests_per_s, 0), 1),
      completed_per_s: round(perDriver.reduce((s, d) => s + d.completed_per_s, 0), 1),
      avg_requests_per_s: averageRate(counts.completed, record.start_at ?? firstSend, record.ended_at ?? now),
      counts,
      errors: errorsOf(counts),
      late: counts.late,
      latency: fleetLatency(aggregate),
      due_latency: totalDueLatency(aggregate),
      first_send_at: firstSend,
      last_send_at: lastSend,
      start_skew_ms: firsts.length > 0 ? Math.max(...firsts) - Math.min(...firsts) : null,
      drivers_reporting: participants.filter((d) => d.reports > 0).length,
      drivers_final: participants.filter((d) => d.final).length,
      ...(combined ? { latency_combined: combined } : {}),
    },
    per_driver: perDriver,
    ...(planned !== null ? { planned_rps: planned } : {}),
  };
}
