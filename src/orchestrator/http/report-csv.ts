import type { LatencySummary } from "../../protocol/index.ts";
import type { ErrorsView, Figures, TestView } from "../snapshot.ts";
import type { SeriesSample, TestSeries } from "../series.ts";

/** Columns of the CSV report, in order. */
export const CSV_COLUMNS = [
  "test_id",
  "second",
  "scope",
  "requests_per_s",
  "sent",
  "completed",
  "errors",
  "status_4xx",
  "status_5xx",
  "timeout",
  "connection_error",
  "late",
  "mean_ms",
  "min_ms",
  "p50_ms",
  "p90_ms",
  "p95_ms",
  "p99_ms",
  "max_ms",
  "stopped",
  "stop_reason",
] as const;

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>;

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text with a header line, CRLF line ends (RFC 4180). */
export function toCsv(rows: readonly Row[]): string {
  const lines = [CSV_COLUMNS.join(","), ...rows.map((row) => CSV_COLUMNS.map((c) => csvField(row[c])).join(","))];
  return lines.join("\r\n") + "\r\n";
}

const errorColumns = (e: ErrorsView) => ({
  errors: e.total,
  status_4xx: e.status_4xx,
  status_5xx: e.status_5xx,
  timeout: e.timeout,
  connection_error: e.connection_error,
});

const sampleRow = (testId: string, second: number, scope: string, s: SeriesSample): Row => ({
  test_id: testId,
  second,
  scope,
  requests_per_s: s.requests_per_s,
  sent: s.sent,
  completed: s.completed,
  ...errorColumns(s.errors),
  late: s.late,
  p50_ms: s.p50,
  p90_ms: s.p90,
  p95_ms: s.p95,
  p99_ms: s.p99,
  max_ms: s.max,
});

const latencyColumns = (l: LatencySummary | null) => ({
  mean_ms: l?.mean_latency ?? null,
  min_ms: l?.min_latency ?? null,
  p50_ms: l?.median_latency ?? null,
  p90_ms: l?.p90_latency ?? null,
  p95_ms: l?.p95_latency ?? null,
  p99_ms: l?.p99_latency ?? null,
  max_ms: l?.max_latency ?? null,
});

/**
 * A test as CSV: one row per second and scope ("total", then each driver), then the
 * whole-test rows with `second` = "all" (rate is `avg_requests_per_s`: completions over the test's time).
 * On the whole-test rows `stopped` counts the requests a stop aborted; a stopped test's reason
 * is in `stop_reason` of its "all"/"total" row.
 */
export function reportCsv(test: TestView, series: TestSeries | null): string {
  const rows: Row[] = [];
  for (const point of series?.points ?? []) {
    rows.push(sampleRow(test.test_id, point.t_s, "total", point.total));
    for (const [nodeId, sample] of Object.entries(point.drivers)) rows.push(sampleRow(test.test_id, point.t_s, nodeId, sample));
  }
  rows.push({ ...wholeTestRow(test.test_id, "total", test.metrics), stop_reason: test.stop?.reason ?? null });
  for (const d of test.per_driver) rows.push(wholeTestRow(test.test_id, d.node_id, d));
  return toCsv(rows);
}

/** The `second` = "all" row of the whole test or of one driver. */
const wholeTestRow = (testId: string, scope: string, f: Figures): Row => ({
  test_id: testId,
  second: "all",
  scope,
  requests_per_s: f.avg_requests_per_s,
  sent: f.counts.sent,
  completed: f.counts.completed,
  ...errorColumns(f.errors),
  late: f.late,
  ...latencyColumns(f.latency),
  stopped: f.counts.stopped ?? 0,
});
