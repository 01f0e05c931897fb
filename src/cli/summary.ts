// The end-of-test summary of the CLI, k6-style; pure.
import { formatCount, formatDuration, formatMs, formatPercent, formatRate } from "../format/format.ts";
import type { TestView } from "../orchestrator/snapshot.ts";
import { MAX_COUNT_PER_DRIVER } from "../protocol/limits.ts";
import { checkLines, requestRows } from "./request-summary.ts";
import type { ThresholdResult } from "./thresholds.ts";

const pad = (text: string, width: number, right = false) => (right ? text.padStart(width) : text.padEnd(width));

/** A small text table: first column left-aligned, the rest right-aligned. */
export function textTable(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => pad(cell, widths[i]!, i > 0)).join("  ").trimEnd());
}

/**
 * What the test was: "TSUNAMI every 10 ms, 500 requests × 2 driver(s) → URL", or for a timed
 * test "AVALANCHE, 3 stages over 35.0 s up to 200 req/s × 2 driver(s) → URL" (the count left
 * out when it is only the API's default for a timed test).
 */
export function describeTest(test: TestView): string {
  const c = test.config;
  const kind = c.test_type === "TSUNAMI" ? `TSUNAMI every ${c.test_message_delay} ms` : "AVALANCHE";
  const cap = c.target_throughput ? `, ≤${formatRate(c.target_throughput)} req/s per driver` : "";
  const timed = c.stages !== undefined || c.duration_s !== undefined;
  const parts = [kind];
  if (!timed || c.message_count_per_driver < MAX_COUNT_PER_DRIVER) parts.push(`${formatCount(c.message_count_per_driver)} requests`);
  if (c.duration_s !== undefined) parts.push(`for ${formatDuration(c.duration_s * 1000)}`);
  if (c.stages !== undefined) {
    const seconds = c.stages.reduce((sum, st) => sum + st.duration_s, 0);
    const peak = Math.max(c.start_throughput ?? 0, ...c.stages.map((st) => st.target_throughput));
    parts.push(`${c.stages.length} stage(s) over ${formatDuration(seconds * 1000)} up to ${formatRate(peak)} req/s`);
  }
  return `${parts.join(", ")} × ${test.drivers.length} driver(s)${cap} → ${c.target_url ?? "?"}`;
}

/** Each driver's first error of a request without a response (why connections failed), when it had one. */
export function firstErrorLines(test: TestView): string[] {
  return test.per_driver.flatMap((d) => (d.first_error === undefined ? [] : [`  first error of ${d.node_id}: ${d.first_error}`]));
}

/** What stopped the test: by whom, the threshold that fired and its figure, who never confirmed. */
export function stopLines(test: TestView): string[] {
  const stop = test.stop;
  if (!stop) return [];
  const t = stop.threshold;
  const by = stop.by === "threshold" && t ? `abort_on ${t.expression} held: ${t.observed} over the last ${t.window_s} s` : `${stop.by}: ${stop.reason}`;
  const lines = [`  stopped by ${by} (in-flight requests had ${formatDuration(stop.grace_ms)})`];
  if (stop.unconfirmed && stop.unconfirmed.length > 0) lines.push(`  no final report after the stop from ${stop.unconfirmed.join(", ")}`);
  return lines;
}

/** The final summary: totals, latency, errors, a row per driver, a row per request name of a scenario, then each threshold. */
export function formatSummary(test: TestView, thresholds: readonly ThresholdResult[] = []): string {
  const m = test.metrics;
  const requests = requestRows(test);
  const l = m.latency;
  const lines = [
    `test ${test.test_id} ${test.state} in ${formatDuration(test.duration_ms)}`,
    `  ${describeTest(test)}`,
    ...(test.error ? [`  error: ${test.error}`] : []),
    ...stopLines(test),
    // A driver's clock off or its start uncorrected: the test ran, perhaps less together (see docs/fleet.md).
    ...(test.warnings ?? []).map((w) => `  warning: ${w}`),
    "",
    `  requests ...... ${formatCount(m.counts.sent)} sent, ${formatCount(m.counts.completed)} completed, ${formatRate(m.avg_requests_per_s)} req/s on average`,
    `  latency ....... mean ${formatMs(l?.mean_latency)}  min ${formatMs(l?.min_latency)}  p50 ${formatMs(l?.median_latency)}  p90 ${formatMs(l?.p90_latency)}  p95 ${formatMs(l?.p95_latency)}  p99 ${formatMs(l?.p99_latency)}  max ${formatMs(l?.max_latency)}`,
    `  errors ........ ${formatCount(m.errors.total)} (${formatPercent(m.errors.total, m.counts.sent)}): 4xx ${m.errors.status_4xx}, 5xx ${m.errors.status_5xx}, timeout ${m.errors.timeout}, connection ${m.errors.connection_error}`,
    `  late sends .... ${formatCount(m.late)}${m.start_skew_ms === null ? "" : `   start skew ${m.start_skew_ms} ms`}`,
    // Only when it happened: responses whose body passed the drivers' --max-body-bytes (in completed too).
    ...(m.counts.body_too_large ? [`  body too large  ${formatCount(m.counts.body_too_large)} responses abandoned at the drivers' --max-body-bytes`] : []),
    ...checkLines(test),
    "",
    ...textTable([
      ["driver", "outcome", "sent", "completed", "req/s", "errors", "p50", "p99", "max"],
      ...test.per_driver.map((d) => [
        d.node_id,
        d.outcome,
        formatCount(d.counts.sent),
        formatCount(d.counts.completed),
        formatRate(d.avg_requests_per_s),
        formatCount(d.errors.total),
        formatMs(d.latency?.median_latency),
        formatMs(d.latency?.p99_latency),
        formatMs(d.latency?.max_latency),
      ]),
    ]).map((line) => `  ${line}`),
    ...firstErrorLines(test),
    ...(requests.rows.length > 0 ? ["", ...textTable(requests.rows).map((line) => `  ${line}`), ...requests.failures] : []),
  ];
  if (thresholds.length > 0) {
    const failed = thresholds.filter((t) => !t.ok).length;
    lines.push("", failed === 0 ? "thresholds: all passed" : `thresholds: ${failed} of ${thresholds.length} failed`);
    for (const t of thresholds) lines.push(`  ${t.ok ? "✓" : "✗"} ${t.threshold.text.padEnd(16)} ${t.shown}`);
  }
  return lines.join("\n") + "\n";
}
