// k6-style pass/fail criteria on a test's result: `p99<200`, `errors<1%`, `rps>500`, `checks>99%`,
// and per request name: `p99{name:create}<300`.
import type { RequestView, TestView } from "../orchestrator/snapshot.ts";
import { formatCount, formatMs, formatRate } from "../format/format.ts";
import { compareThreshold, isLatencyMetric, LATENCY_METRICS, parseThreshold as parseShared, type Threshold } from "../protocol/thresholds.ts";

/** Exit code when a threshold fails (k6 uses 99 too). */
export const THRESHOLD_EXIT_CODE = 99;

/** The threshold types, defined with the shared parser (src/protocol/thresholds.ts). */
export type { Metric, Operator, Threshold } from "../protocol/thresholds.ts";

export interface ThresholdResult {
  threshold: Threshold;
  /** The measured value (ms, req/s, count or %), null when there is none (no completed request). */
  actual: number | null;
  ok: boolean;
  /** "p99 = 3.21 ms" */
  shown: string;
}

/** Parses one threshold; the error names the flag (`--threshold` unless told) and says what is accepted. */
export function parseThreshold(text: string, flag = "--threshold"): { ok: true; value: Threshold } | { ok: false; error: string } {
  const parsed = parseShared(text);
  return parsed.ok ? parsed : { ok: false, error: `${flag} "${text}": ${parsed.error}` };
}

/** Parses every threshold and reports every bad one. */
export function parseThresholds(texts: readonly string[], flag = "--threshold"): { ok: true; value: Threshold[] } | { ok: false; errors: string[] } {
  const parsed = texts.map((text) => parseThreshold(text, flag));
  const errors = parsed.flatMap((p) => (p.ok ? [] : [p.error]));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: parsed.map((p) => (p as { value: Threshold }).value) };
}

/** RequestView's latency key of each latency metric. */
const REQUEST_LATENCY = { p50: "median", median: "median", p90: "p90", p95: "p95", p99: "p99", max: "max", min: "min", mean: "mean" } as const;

/** The share of responses that passed their checks, in % (100 with no response failing). */
function checksPassed(counts: { completed: number; check_failed?: number }, label: string): { actual: number | null; shown: string } {
  if (counts.completed === 0) return { actual: null, shown: `${label} = n/a (no completed request)` };
  const failed = counts.check_failed ?? 0;
  const pct = ((counts.completed - failed) * 100) / counts.completed;
  return { actual: pct, shown: `${label} = ${pct.toFixed(2)}% (${formatCount(failed)} of ${formatCount(counts.completed)} failed)` };
}

/** A tagged threshold, on one request name's figures. */
function measureRequest(t: Threshold & { name: string }, test: TestView): { actual: number | null; shown: string } {
  const label = `${t.metric}{name:${t.name}}`;
  const r: RequestView | undefined = test.by_request?.[t.name];
  if (!r) return { actual: null, shown: `${label} = n/a (no request named "${t.name}")` };
  if (isLatencyMetric(t.metric)) {
    const v = r.metrics?.[REQUEST_LATENCY[t.metric]] ?? null;
    return { actual: v, shown: `${label} = ${v === null ? "n/a (no completed request)" : formatMs(v)}` };
  }
  if (t.metric === "checks") return checksPassed(r.counts, label);
  const total = test.metrics.counts.completed;
  if (t.metric === "rps") {
    // The test's average rate, in this name's share of the completions.
    const rps = total > 0 ? Math.round((test.metrics.avg_requests_per_s * r.counts.completed * 10) / total) / 10 : 0;
    return { actual: rps, shown: `${label} = ${formatRate(rps)}/s` };
  }
  const c = r.counts;
  const count = t.metric === "errors" ? c.status_4xx + c.status_5xx + c.timeout + c.connection_error : c.late;
  if (!t.percent) return { actual: count, shown: `${label} = ${formatCount(count)}` };
  const pct = c.sent > 0 ? (count * 100) / c.sent : 0;
  return { actual: pct, shown: `${label} = ${pct.toFixed(2)}% (${formatCount(count)} of ${formatCount(c.sent)})` };
}

function measure(t: Threshold, test: TestView): { actual: number | null; shown: string } {
  if (t.name !== undefined) return measureRequest({ ...t, name: t.name }, test);
  const m = test.metrics;
  if (t.metric === "checks") return checksPassed(m.counts, "checks");
  if (isLatencyMetric(t.metric)) {
    const v = m.latency?.[LATENCY_METRICS[t.metric]] ?? null;
    return { actual: v, shown: `${t.metric} = ${v === null ? "n/a (no completed request)" : formatMs(v)}` };
  }
  if (t.metric === "rps") return { actual: m.avg_requests_per_s, shown: `rps = ${formatRate(m.avg_requests_per_s)}/s` };
  const count = t.metric === "errors" ? m.errors.total : m.late;
  if (!t.percent) return { actual: count, shown: `${t.metric} = ${formatCount(count)}` };
  const pct = m.counts.sent > 0 ? (count * 100) / m.counts.sent : 0;
  return { actual: pct, shown: `${t.metric} = ${pct.toFixed(2)}% (${formatCount(count)} of ${formatCount(m.counts.sent)})` };
}

/** Checks each threshold against a test's result; a missing measurement fails. */
export function evaluateThresholds(thresholds: readonly Threshold[], test: TestView): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const { actual, shown } = measure(threshold, test);
    return { threshold, actual, shown, ok: actual !== null && compareThreshold(actual, threshold.op, threshold.value) };
  });
}
