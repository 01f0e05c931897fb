// The percentile-distribution chart (HdrHistogram's plot): latency against the percentile on a
// log 1/(1−p) axis, so p90, p99, p99.9 and p99.99 each get a decade. Pure; the dashboard and
// the HTML report draw it; a base test's distribution can be overlaid dashed.
import type { TestDistribution } from "../../orchestrator/distribution.ts";
import type { LatencyDistribution } from "../../stats/distribution.ts";
import { lineChart, PALETTE, type ChartLine, type ChartOptions } from "./chart.ts";

/** Colour of the whole test's line (and, dashed, of a base test's). */
export const DISTRIBUTION_TOTAL_COLOR = "#f31260";
/** Colour of an overlaid base test. */
export const DISTRIBUTION_BASE_COLOR = "#94a3b8";

/** Points of one distribution as [log10(1/(1−p)), latency ms]. */
export function distributionPoints(dist: LatencyDistribution | null): [number, number][] {
  return (dist?.points ?? []).map((p) => [Math.log10(p.x), p.latency_ms]);
}

/** A log-axis tick as its percentile: 0 → "p0", 1 → "p90", 2 → "p99", 3 → "p99.9". */
export function percentileTick(decade: number): string {
  if (decade <= 0) return "p0";
  return `p${+(100 * (1 - 10 ** -decade)).toFixed(Math.max(0, Math.round(decade) - 2))}`;
}

/** The lines: the whole test, each driver (thin), and the base test's whole line dashed when given. */
export function distributionLines(dist: TestDistribution, base: TestDistribution | null = null, withDrivers = true): ChartLine[] {
  const lines: ChartLine[] = [];
  if (base) lines.push({ name: `base ${base.test_id.slice(0, 8)}`, color: DISTRIBUTION_BASE_COLOR, points: distributionPoints(base.total), width: 2, dashed: true });
  lines.push({ name: base ? `candidate ${dist.test_id.slice(0, 8)}` : "all drivers", color: DISTRIBUTION_TOTAL_COLOR, points: distributionPoints(dist.total), width: 2.2 });
  if (withDrivers && dist.per_driver.length > 1) {
    dist.per_driver.forEach((d, i) => lines.push({ name: d.node_id, color: PALETTE[i % PALETTE.length]!, points: distributionPoints(d.distribution), width: 1 }));
  }
  return lines;
}

/** The chart as SVG. */
export function distributionChart(lines: readonly ChartLine[], options: ChartOptions = {}): string {
  return lineChart(lines, { yUnit: "ms", title: "latency by percentile", ...options, xTickLabel: percentileTick });
}
