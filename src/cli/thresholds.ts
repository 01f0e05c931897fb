// k6-style pass/fail criteria on a test's result: `p99<200`, `errors<1%`, `rps>500`.
import type { TestView } from "../orchestrator/snapshot.ts";
import { formatCount, formatMs, formatRate } from "../dashboard/client/format.ts";

/** Exit code when a threshold fails (k6 uses 99 too). */
export const THRESHOLD_EXIT_CODE = 99;

const LATENCY = { p50: "median_latency", median: "median_latency", p90: "p90_latency", p95: "p95_latency", p99: "p99_latency", max: "max_latency", min: "min_latency", mean: "mean_latency" } as const;
type LatencyMetric = keyof typeof LATENCY;
export type Metric = LatencyMetric | "rps" | "errors" | "late";
export type Operator = "<" | "<=" | ">" | ">=";

/** One parsed threshold; `percent` for errors/late as a share of sends. */
export interface Threshold {
  text: string;
  metric: Metric;
  op: Operator;
  value: number;
  percent: boolean;
}

export interface ThresholdResult {
  threshold: Threshold;
  /** The measured value (ms, req/s, count or %), null when there is none (no completed request). */
  actual: number | null;
  ok: boolean;
  /** "p99 = 3.21 ms" */
  shown: string;
}

const PATTERN = /^\s*([a-z0-9]+)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/i;
const METRICS = [...Object.keys(LATENCY), "rps", "errors", "late"];

/** Parses one threshold; the error says what is accepted. */
export function parseThreshold(text: string): { ok: true; value: Threshold } | { ok: false; error: string } {
  const match = PATTERN.exec(text);
  const bad = (why: string) => ({ ok: false as const, error: `--threshold "${text}": ${why}` });
  if (!match) return bad(`expected <metric><op><value>, e.g. "p99<200", "errors<1%", "rps>=500" (ops: < <= > >=)`);
  const metric = match[1]!.toLowerCase();
  const op = match[2] as Operator;
  const unit = match[4]?.toLowerCase();
  let value = Number(match[3]);
  if (!METRICS.includes(metric)) return bad(`unknown metric "${match[1]}"; use one of ${METRICS.join(", ")}`);
  if (metric in LATENCY) {
    if (unit === "%") return bad("a latency is in ms (or s), not %");
    if (unit === "s") value *= 1000;
  } else if (unit === "ms" || unit === "s") {
    return bad(`${metric} is not a time; drop "${unit}"`);
  } else if (metric === "rps" && unit === "%") {
    return bad("rps is requests per second, not %");
  }
  return { ok: true, value: { text: text.trim(), metric: metric as Metric, op, value, percent: unit === "%" } };
}

/** Parses every threshold and reports every bad one. */
export function parseThresholds(texts: readonly string[]): { ok: true; value: Threshold[] } | { ok: false; errors: string[] } {
  const parsed = texts.map(parseThreshold);
  const errors = parsed.flatMap((p) => (p.ok ? [] : [p.error]));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: parsed.map((p) => (p as { value: Threshold }).value) };
}

function measure(t: Threshold, test: TestView): { actual: number | null; shown: string } {
  const m = test.metrics;
  if (t.metric in LATENCY) {
    const v = m.latency?.[LATENCY[t.metric as LatencyMetric]] ?? null;
    return { actual: v, shown: `${t.metric} = ${v === null ? "n/a (no completed request)" : formatMs(v)}` };
  }
  if (t.metric === "rps") return { actual: m.avg_requests_per_s, shown: `rps = ${formatRate(m.avg_requests_per_s)}/s` };
  const count = t.metric === "errors" ? m.errors.total : m.late;
  if (!t.percent) return { actual: count, shown: `${t.metric} = ${formatCount(count)}` };
  const pct = m.counts.sent > 0 ? (count * 100) / m.counts.sent : 0;
  return { actual: pct, shown: `${t.metric} = ${pct.toFixed(2)}% (${formatCount(count)} of ${formatCount(m.counts.sent)})` };
}

const compare = (a: number, op: Operator, b: number) => (op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b);

/** Checks each threshold against a test's result; a missing measurement fails. */
export function evaluateThresholds(thresholds: readonly Threshold[], test: TestView): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const { actual, shown } = measure(threshold, test);
    return { threshold, actual, shown, ok: actual !== null && compare(actual, threshold.op, threshold.value) };
  });
}
