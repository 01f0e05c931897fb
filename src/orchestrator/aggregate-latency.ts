// What a test's reports say about latency, per driver and across the fleet: quantiles from
// merged digests (never averaged), mean, min and max exact; summary-only drivers (the brief's
// four figures and nothing else) are shown as reported and combined as latencyCombination says.
import type { TDigest } from "tdigest";
import type { LatencySummary, SerializedDigest } from "../protocol/index.ts";
import { addExact, createDigest, emptyExact, mergeDigest, serializeDigest, summarize, type ExactStats } from "../stats/digest.ts";
import { allDrivers, isSummaryOnly, type DriverAggregate, type TestAggregate } from "./aggregate.ts";

/** The digest that best describes a driver: its final total when it sent one, else its merged windows. */
export function driverDigest(driver: DriverAggregate, due = false): SerializedDigest {
  const total = due ? driver.total_due_digest : driver.total_digest;
  return total ?? serializeDigest(due ? driver.window_due_digest : driver.window_digest);
}

/**
 * Exact count, sum, min and max of a driver's latencies. Windows give them exactly; when
 * the final report shows a window went missing, the driver's cumulative summary (exact
 * min, max and mean over the whole test) is used instead.
 */
export function driverExact(driver: DriverAggregate): ExactStats {
  const { metrics, counts, window_exact: windows } = driver;
  const completed = counts.completed;
  const windowsIncomplete = windows.count !== completed && (driver.final || windows.count === 0);
  if (metrics && completed > 0 && windowsIncomplete) {
    return { count: completed, sum: metrics.mean_latency * completed, min: metrics.min_latency, max: metrics.max_latency };
  }
  const exact = { ...windows };
  // Windows may omit min/max; the cumulative summary's extremes are exact too.
  if (metrics && completed > 0 && exact.count > 0) {
    exact.min = Math.min(exact.min, metrics.min_latency);
    exact.max = Math.max(exact.max, metrics.max_latency);
  }
  return exact;
}

/**
 * Latency of one driver, or null before it reported any: a summary-only driver's as it
 * reported it (its newest `metrics`), any other's from its digest and exact figures.
 */
export function driverLatencyOrNull(driver: DriverAggregate): LatencySummary | null {
  if (isSummaryOnly(driver)) return driver.metrics ? { ...driver.metrics } : null;
  return driverExact(driver).count > 0 ? driverLatency(driver) : null;
}

/** Latency summary of one driver: quantiles from its digest, mean/min/max exact. */
export function driverLatency(driver: DriverAggregate): LatencySummary {
  const exact = driverExact(driver);
  const digest = driver.total_digest ? digestOf(driver.total_digest) : driver.window_digest;
  return summarize(digest, exact);
}

/** Latency from due time for one driver (paced sends), or null when it reported none. */
export function driverDueLatency(driver: DriverAggregate): LatencySummary | null {
  const serialized = driverDigest(driver, true);
  if (serialized.means.length === 0) return null;
  return summarize(digestOf(serialized), digestExact(serialized, driver.due_metrics, driver.counts.completed));
}

/** The test's merged total digest (latency, or latency from due time). */
export function totalDigest(agg: TestAggregate, due = false): TDigest {
  if (!agg.rebuild_totals) return due ? agg.total_due : agg.total;
  const out = createDigest();
  for (const driver of allDrivers(agg)) mergeDigest(out, driverDigest(driver, due));
  return out;
}

/** Latency across every driver that sent counts: quantiles from the merged digest (never averaged), mean weighted by counts. */
export function totalLatency(agg: TestAggregate): LatencySummary {
  const exact = emptyExact();
  for (const driver of allDrivers(agg)) addExact(exact, driverExact(driver));
  return summarize(totalDigest(agg), exact);
}

/**
 * The fleet's latency, or null when no driver has latencies yet: {@link totalLatency} when
 * every driver sent counts and digests. With summary-only drivers (see isSummaryOnly) min and
 * max still include theirs exactly, but mean and median cannot be weighted (they sent no
 * counts): they are combined as {@link latencyCombination} states.
 */
export function fleetLatency(agg: TestAggregate): LatencySummary | null {
  const counted = allDrivers(agg).some((d) => driverExact(d).count > 0);
  const detailed = counted ? totalLatency(agg) : null;
  const summaries = allDrivers(agg).filter(isSummaryOnly).flatMap((d) => (d.metrics ? [d.metrics] : []));
  if (summaries.length === 0) return detailed;
  const perDriver = [...allDrivers(agg).flatMap((d) => (!isSummaryOnly(d) && driverExact(d).count > 0 ? [driverLatency(d)] : [])), ...summaries];
  const quantiles = detailed ? { p90_latency: detailed.p90_latency, p95_latency: detailed.p95_latency, p99_latency: detailed.p99_latency } : {};
  return {
    mean_latency: round(perDriver.reduce((s, m) => s + m.mean_latency, 0) / perDriver.length),
    median_latency: round(medianOf(perDriver.map((m) => m.median_latency))),
    min_latency: Math.min(...perDriver.map((m) => m.min_latency)),
    max_latency: Math.max(...perDriver.map((m) => m.max_latency)),
    ...quantiles,
  };
}

/** How the fleet's latency was combined when summary-only drivers took part (a field of the test's metrics). */
export interface LatencyCombination {
  /** The drivers whose reports carried only the brief's four figures (no counts, no digest). */
  summary_only: string[];
  /** How the mean was combined. */
  mean: string;
  /** How the median was combined. */
  median: string;
  /** How min and max were combined. */
  min_max: string;
  /** Where p90, p95 and p99 come from. */
  quantiles: string;
}

/** What the fleet's latency includes and how it was combined, or null when every driver sent counts and digests. */
export function latencyCombination(agg: TestAggregate): LatencyCombination | null {
  const summaryOnly = allDrivers(agg).filter((d) => isSummaryOnly(d) && d.metrics !== null);
  if (summaryOnly.length === 0) return null;
  return {
    summary_only: [...new Set(summaryOnly.map((d) => d.node_id))].sort(),
    mean: "unweighted mean of the per-driver means (summary-only drivers send no counts to weight by)",
    median: "median of the per-driver medians (summary-only drivers send no digest to merge)",
    min_max: "exact: the least and greatest of every driver's",
    quantiles: "p90, p95 and p99 from the drivers that sent digests only",
  };
}

/** Latency from due time across every driver, or null when no driver paced its sends. */
export function totalDueLatency(agg: TestAggregate): LatencySummary | null {
  const digest = totalDigest(agg, true);
  if (digest.size() === 0) return null;
  const exact = emptyExact();
  for (const driver of allDrivers(agg)) {
    const serialized = driverDigest(driver, true);
    if (serialized.means.length > 0) addExact(exact, digestExact(serialized, driver.due_metrics, driver.counts.completed));
  }
  return summarize(digest, exact);
}

/**
 * Count, sum, min and max from a digest's centroids (a centroid's mean is the exact mean of
 * its points, so the sum is exact); the driver's own summary sharpens min and max.
 */
function digestExact(digest: SerializedDigest, reported: LatencySummary | null, completed: number): ExactStats {
  const exact = emptyExact();
  for (let i = 0; i < digest.means.length; i++) {
    const mean = digest.means[i]!;
    const n = digest.counts[i]!;
    exact.count += n;
    exact.sum += mean * n;
    if (mean < exact.min) exact.min = mean;
    if (mean > exact.max) exact.max = mean;
  }
  if (reported && completed > 0) {
    exact.min = Math.min(exact.min, reported.min_latency);
    exact.max = Math.max(exact.max, reported.max_latency);
  }
  return exact;
}

function digestOf(serialized: SerializedDigest): TDigest {
  const digest = createDigest();
  mergeDigest(digest, serialized);
  return digest;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
