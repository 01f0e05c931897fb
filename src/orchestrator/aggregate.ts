import type { TDigest } from "tdigest";
import { addCounts, reportKey, zeroCounts, type Counts, type LatencySummary, type MetricsReport, type SerializedDigest } from "../protocol/index.ts";
import { addExact, createDigest, emptyExact, mergeDigest, type ExactStats } from "../stats/digest.ts";
import { ReportKeySet } from "./report-key-set.ts";

/** What one driver has told us about one test. */
export interface DriverAggregate {
  node_id: string;
  /** The driver process whose reports these are (null: a driver that sends no instance_id). */
  instance_id: string | null;
  /** Accepted reports (after deduplication). */
  reports: number;
  /** Highest sequence applied; counts and metrics come from that report. */
  sequence: number;
  counts: Counts;
  /** The driver's own cumulative summaries from its newest report. */
  metrics: LatencySummary | null;
  due_metrics: LatencySummary | null;
  final: boolean;
  /** Every received window merged: the fallback when no final total arrives. */
  window_digest: TDigest;
  window_due_digest: TDigest;
  window_exact: ExactStats;
  /** The final report's whole-test digests, exact even if a window was lost. */
  total_digest: SerializedDigest | null;
  total_due_digest: SerializedDigest | null;
  first_send_at: number | null;
  last_send_at: number | null;
  /** First and last send on the orchestrator's timeline (the driver's clock plus its measured offset), when it reported them. */
  first_send_at_orchestrator: number | null;
  last_send_at_orchestrator: number | null;
  /** The clock offset the driver used for this test (orchestrator minus driver, ms) and whether its start was corrected by it. */
  clock_offset_ms: number | null;
  clock_corrected: boolean | null;
  /** Orchestrator time of the newest accepted report. */
  last_report_at: number | null;
  /** Whether any report carried counts or a window (false: a summary-only driver, see isSummaryOnly). */
  detailed: boolean;
  /** The driver's first error of a request without a response (`first_error` of its reports), if any. */
  first_error?: string;
  /** The window that ends last, for the per-second rates. */
  last_window: { end_ms: number; received_at: number; duration_ms: number; counts: Counts } | null;
}

/** One test's reports folded together: per driver, plus the running total digest. */
export interface TestAggregate {
  /** Per participant: the first driver process that reported under its node_id. */
  drivers: Map<string, DriverAggregate>;
  /**
   * Any other process that reported under a participant's node_id (two drivers started with
   * one id), by `${node_id}/${instance_id}`: counted in the totals, never dropped.
   */
  twins: Map<string, DriverAggregate>;
  /** Report keys applied (see reportKey): report_id within its instance; bounded per driver process, not per report (report-key-set.ts). */
  seen: ReportKeySet;
  total: TDigest;
  total_due: TDigest;
  /** Set once any driver's final total replaces its windows: totals are then rebuilt from drivers. */
  rebuild_totals: boolean;
}

export type ApplyResult = "accepted" | "duplicate" | "not_participant";

function createDriver(nodeId: string, instanceId: string | null = null): DriverAggregate {
  return {
    node_id: nodeId,
    instance_id: instanceId,
    reports: 0,
    sequence: -1,
    counts: zeroCounts(),
    metrics: null,
    due_metrics: null,
    final: false,
    window_digest: createDigest(),
    window_due_digest: createDigest(),
    window_exact: emptyExact(),
    total_digest: null,
    total_due_digest: null,
    first_send_at: null,
    last_send_at: null,
    first_send_at_orchestrator: null,
    last_send_at_orchestrator: null,
    clock_offset_ms: null,
    clock_corrected: null,
    last_report_at: null,
    detailed: false,
    last_window: null,
  };
}

/** An empty aggregate for the given participants. */
export function createAggregate(nodeIds: readonly string[]): TestAggregate {
  return {
    drivers: new Map(nodeIds.map((id) => [id, createDriver(id)])),
    twins: new Map(),
    seen: new ReportKeySet(),
    total: createDigest(),
    total_due: createDigest(),
    rebuild_totals: false,
  };
}

/** Every driver process that reported: the participants' first processes, then any twins. */
export function allDrivers(agg: TestAggregate): DriverAggregate[] {
  return [...agg.drivers.values(), ...agg.twins.values()];
}

/** The twins of one participant (other processes that reported under its node_id). */
export function twinsOf(agg: TestAggregate, nodeId: string): DriverAggregate[] {
  return [...agg.twins.values()].filter((d) => d.node_id === nodeId);
}

/**
 * Which aggregate a report belongs to: the participant's, claimed by the first process that
 * reports under its node_id, or a twin's for any other process.
 */
function driverFor(agg: TestAggregate, report: MetricsReport): DriverAggregate | undefined {
  const driver = agg.drivers.get(report.node_id);
  if (!driver) return undefined;
  const instance = report.instance_id ?? null;
  if (driver.reports === 0 && driver.instance_id === null) driver.instance_id = instance;
  if (driver.instance_id === instance) return driver;
  const key = `${report.node_id}/${instance ?? ""}`;
  let twin = agg.twins.get(key);
  if (!twin) agg.twins.set(key, (twin = createDriver(report.node_id, instance)));
  return twin;
}

/**
 * Folds one report in. Reports are deduplicated by report_id within their driver process
 * (reportKey) and kept apart per process, so a second process with the same node_id is
 * counted, not taken for a replay; each window is merged once, in any order; cumulative
 * counts and summaries come from the highest sequence only (a report without a sequence
 * counts as the newest), so they are never added twice.
 */
export function applyReport(agg: TestAggregate, report: MetricsReport, receivedAt: number): ApplyResult {
  if (!agg.drivers.has(report.node_id)) return "not_participant";
  const key = reportKey(report);
  if (agg.seen.has(key)) return "duplicate";
  const driver = driverFor(agg, report)!;
  agg.seen.add(key);
  driver.reports++;
  driver.last_report_at = receivedAt;
  if (report.counts || report.window) driver.detailed = true;

  const sequence = report.sequence ?? Math.max(driver.sequence + 1, 0);
  if (sequence >= driver.sequence) {
    driver.sequence = sequence;
    if (report.counts) driver.counts = { ...report.counts };
    driver.metrics = report.metrics;
    driver.due_metrics = report.due_metrics ?? driver.due_metrics;
  }
  if (report.first_send_at !== undefined) driver.first_send_at = minOf(driver.first_send_at, report.first_send_at);
  if (report.last_send_at !== undefined) driver.last_send_at = maxOf(driver.last_send_at, report.last_send_at);
  if (report.first_send_at_orchestrator !== undefined) driver.first_send_at_orchestrator = minOf(driver.first_send_at_orchestrator, report.first_send_at_orchestrator);
  if (report.last_send_at_orchestrator !== undefined) driver.last_send_at_orchestrator = maxOf(driver.last_send_at_orchestrator, report.last_send_at_orchestrator);
  if (report.clock_offset_ms !== undefined) driver.clock_offset_ms = report.clock_offset_ms;
  if (report.clock_corrected !== undefined) driver.clock_corrected = report.clock_corrected;
  if (report.first_error !== undefined) driver.first_error ??= report.first_error;

  const window = report.window;
  if (window) {
    mergeDigest(driver.window_digest, window.digest);
    if (window.due_digest) mergeDigest(driver.window_due_digest, window.due_digest);
    const completed = window.counts.completed;
    if (completed > 0) {
      addExact(driver.window_exact, {
        count: completed,
        sum: window.latency_sum_ms,
        min: window.min_latency ?? Infinity,
        max: window.max_latency ?? -Infinity,
      });
    }
    if (!agg.rebuild_totals) {
      mergeDigest(agg.total, window.digest);
      if (window.due_digest) mergeDigest(agg.total_due, window.due_digest);
    }
    if (!driver.last_window || window.end_ms >= driver.last_window.end_ms) {
      const duration_ms = Math.max(1, window.end_ms - window.start_ms);
      driver.last_window = { end_ms: window.end_ms, received_at: receivedAt, duration_ms, counts: window.counts };
    }
  }

  if (report.final) {
    driver.final = true;
    if (report.total_digest) {
      driver.total_digest = report.total_digest;
      driver.total_due_digest = report.total_due_digest ?? null;
      agg.rebuild_totals = true;
    }
  }
  return "accepted";
}

/** The sum of every driver's latest cumulative counts. */
export function totalCounts(agg: TestAggregate): Counts {
  const sum = zeroCounts();
  for (const driver of allDrivers(agg)) addCounts(sum, driver.counts);
  return sum;
}

/**
 * A driver that speaks only the brief: it reported, but never counts nor a window (just the
 * four latency figures of `metrics`). Its figures are shown as reported; see aggregate-latency.ts.
 */
export function isSummaryOnly(driver: DriverAggregate): boolean {
  return driver.reports > 0 && !driver.detailed;
}

const minOf = (a: number | null, b: number) => (a === null ? b : Math.min(a, b));
const maxOf = (a: number | null, b: number) => (a === null ? b : Math.max(a, b));
