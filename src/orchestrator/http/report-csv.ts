import type { LatencySummary } from "../../protocol/index.ts";
import { errorsOf, type ErrorsView, type Figures, type RequestView, type TestView } from "../snapshot.ts";
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
  // Issue 11: present where the reports carry them (scenarios).
  "check_failed",
  "bytes_sent",
  "bytes_received",
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
 * is in `stop_reason` of its "all"/"total" row. A scenario adds a whole-test row per request
 * name, scope `request:<name>` (its rate is its share of the completions at the test's rate).
 */
export function reportCsv(test: TestView, series: TestSeries | null): string {
  const rows: Row[] = [];
  for (const point of series?.points ?? []) {
    rows.push(sampleRow(test.test_id, point.t_s, "total", point.total));
    for (const [nodeId, sample] of Object.entries(point.drivers)) rows.push(sampleRow(test.test_id, point.t_s, nodeId, sample));
  }
  rows.push({ ...wholeTestRow(test.test_id, "total", test.metrics), stop_reason: test.stop?.reason ?? null });
  for (const d of test.per_driver) rows.push(wholeTestRow(test.test_id, d.node_id, d));
  for (const [name, r] of Object.entries(test.by_request ?? {})) rows.push(requestRow(test, name, r));
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
  check_failed: f.counts.check_failed ?? null,
  bytes_sent: f.counts.bytes_sent ?? null,
  bytes_received: f.counts.bytes_received ?? null,
});

/** The `second` = "all" row of one request name. */
function requestRow(test: TestView, name: string, r: RequestView): Row {
  const total = test.metrics.counts.completed;
  const l = r.metrics;
  return {
    test_id: test.test_id,
    second: "all",
    scope: `request:${name}`,
    requests_per_s: total > 0 ? Math.round((test.metrics.avg_requests_per_s * r.counts.completed * 10) / total) / 10 : 0,
    sent: r.counts.sent,
    completed: r.counts.completed,
    ...errorColumns(errorsOf(r.counts)),
    late: r.counts.late,
    ...(l ? { mean_ms: l.mean, min_ms: l.min, p50_ms: l.median, p90_ms: l.p90, p95_ms: l.p95, p99_ms: l.p99, max_ms: l.max } : {}),
    stopped: r.counts.stopped ?? 0,
    check_failed: r.check_failed,
    bytes_sent: r.counts.bytes_sent ?? null,
    bytes_received: r.counts.bytes_received ?? null,
  };
}
