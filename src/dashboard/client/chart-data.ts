// Turns a per-second series into chart lines; shared by the dashboard and the HTML report.
import type { SeriesPoint, SeriesSample } from "../../orchestrator/series.ts";
import { PALETTE, type ChartLine } from "./chart.ts";

/** Colour of the "all drivers" line and of the latency quantiles. */
export const TOTAL_COLOR = "#e2e8f0";
export const QUANTILE_COLORS = { p50: "#17c964", p90: "#4f9cf9", p95: "#f5a524", p99: "#f31260", max: "#94a3b8" } as const;

/** Every driver that appears in the series, sorted. */
export function driversOf(points: readonly SeriesPoint[]): string[] {
  return [...new Set(points.flatMap((p) => Object.keys(p.drivers)))].sort();
}

/** A stable colour per driver (by its place in the sorted list). */
export function driverColor(drivers: readonly string[], nodeId: string): string {
  const i = drivers.indexOf(nodeId);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length]!;
}

/** Requests/s over time: one line per driver, then the total, thicker. */
export function rateLines(points: readonly SeriesPoint[], totalColor = TOTAL_COLOR): ChartLine[] {
  const drivers = driversOf(points);
  const perDriver = drivers.map((id) => ({
    name: id,
    color: driverColor(drivers, id),
    points: points.map((p) => [p.t_s, p.drivers[id]?.requests_per_s ?? null] as const),
  }));
  return [...perDriver, { name: "total", color: totalColor, width: 2.5, points: points.map((p) => [p.t_s, p.total.requests_per_s] as const) }];
}

/** Which samples a latency chart shows: every driver together, or one driver. */
export type LatencyScope = { kind: "total" } | { kind: "driver"; node_id: string };

const QUANTILES = ["p50", "p90", "p95", "p99"] as const;

/** Latency quantiles over time for the scope: p50, p90, p95, p99 (and max, dashed). */
export function latencyLines(points: readonly SeriesPoint[], scope: LatencyScope = { kind: "total" }, withMax = false): ChartLine[] {
  const sampleAt = (p: SeriesPoint): SeriesSample | undefined => (scope.kind === "total" ? p.total : p.drivers[scope.node_id]);
  const keys = withMax ? [...QUANTILES, "max" as const] : QUANTILES;
  return keys.map((q) => ({
    name: q,
    color: QUANTILE_COLORS[q],
    dashed: q === "max",
    width: q === "p99" || q === "p50" ? 2 : 1.5,
    points: points.map((p) => [p.t_s, sampleAt(p)?.[q] ?? null] as const),
  }));
}

/** Upserts `incoming` into `points` by second, keeping them sorted. */
export function mergePoints(points: readonly SeriesPoint[], incoming: readonly SeriesPoint[]): SeriesPoint[] {
  const byT = new Map(points.map((p) => [p.t_s, p]));
  for (const p of incoming) byT.set(p.t_s, p);
  return [...byT.values()].sort((a, b) => a.t_s - b.t_s);
}
