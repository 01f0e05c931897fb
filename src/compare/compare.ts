// Compares a candidate test with its base, metric by metric, and judges each change against
// the allowed regressions. Pure: two test views in, a comparison out.
import type { TestView } from "../orchestrator/snapshot.ts";
import { COMPARE_METRICS, type CompareMetric, type RegressionThreshold } from "./regression-threshold.ts";

/** Which way a metric gets worse: throughput down, everything else up. */
export const WORSE_WHEN: Record<CompareMetric, "lower" | "higher"> = {
  throughput: "lower",
  errors: "higher",
  p50: "higher",
  p90: "higher",
  p95: "higher",
  p99: "higher",
  max: "higher",
  late: "higher",
};

/** Unit each metric is measured in. */
export const METRIC_UNIT: Record<CompareMetric, "req/s" | "%" | "ms"> = {
  throughput: "req/s",
  errors: "%",
  p50: "ms",
  p90: "ms",
  p95: "ms",
  p99: "ms",
  max: "ms",
  late: "%",
};

/**
 * A metric's verdict: `pass` within its threshold, `fail` beyond it (or unmeasured), `info`
 * when no threshold covers it.
 */
export type Verdict = "pass" | "fail" | "info";

/** One metric of a comparison. */
export interface MetricComparison {
  metric: CompareMetric;
  unit: "req/s" | "%" | "ms";
  worse_when: "lower" | "higher";
  base: number | null;
  candidate: number | null;
  /** candidate − base (in the metric's unit; percentage points for errors and late). */
  change: number | null;
  /** (candidate − base) / base in %; null when the base is 0 or either side is unmeasured. */
  change_pct: number | null;
  /** True when the candidate is worse than the base. */
  regressed: boolean;
  verdict: Verdict;
  /** The threshold judged (its text), if any. */
  threshold: string | null;
  /** Why it failed or passed, in words: "p99 +25.0% > allowed 10%". */
  detail: string;
}

/** A whole comparison: what `GET /tests/compare` answers and `loadtest compare` prints. */
export interface Comparison {
  base: string;
  candidate: string;
  metrics: MetricComparison[];
  /** Per request name, once scenarios name requests (always empty today). */
  by_name: Record<string, MetricComparison[]>;
  thresholds: string[];
  /** True when no metric failed its threshold. */
  passed: boolean;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The value of a metric in a test's result (null when unmeasured: no completed request). */
export function metricValue(test: TestView, metric: CompareMetric): number | null {
  const m = test.metrics;
  const share = (n: number) => (m.counts.sent > 0 ? (n * 100) / m.counts.sent : 0);
  switch (metric) {
    case "throughput":
      return m.avg_requests_per_s;
    case "errors":
      return round(share(m.errors.total), 4);
    case "late":
      return round(share(m.late), 4);
    case "p50":
      return m.latency?.median_latency ?? null;
    case "p90":
      return m.latency?.p90_latency ?? null;
    case "p95":
      return m.latency?.p95_latency ?? null;
    case "p99":
      return m.latency?.p99_latency ?? null;
    case "max":
      return m.latency?.max_latency ?? null;
  }
}

/** How much worse the candidate is, in the threshold's unit (negative: better). */
function worsening(threshold: RegressionThreshold, base: number, candidate: number, worse: "lower" | "higher"): number {
  const delta = worse === "higher" ? candidate - base : base - candidate;
  if (threshold.unit !== "%") return delta;
  if (base === 0) return delta > 0 ? Infinity : 0;
  return (delta * 100) / Math.abs(base);
}

function compareMetric(metric: CompareMetric, base: TestView, candidate: TestView, threshold: RegressionThreshold | undefined): MetricComparison {
  const worse = WORSE_WHEN[metric];
  const b = metricValue(base, metric);
  const c = metricValue(candidate, metric);
  const change = b === null || c === null ? null : round(c - b);
  const change_pct = b === null || c === null || b === 0 ? null : round(((c - b) * 100) / Math.abs(b), 2);
  const regressed = change !== null && (worse === "higher" ? change > 0 : change < 0);
  const common = { metric, unit: METRIC_UNIT[metric], worse_when: worse, base: b, candidate: c, change, change_pct, regressed, threshold: threshold?.text ?? null };
  if (!threshold) return { ...common, verdict: "info", detail: "no threshold" };
  if (b === null || c === null) return { ...common, verdict: "fail", detail: `${metric} not measured in the ${b === null ? "base" : "candidate"} (no completed request)` };
  const by = worsening(threshold, b, c, worse);
  const shown = Number.isFinite(by) ? `${by >= 0 ? "+" : ""}${by.toFixed(threshold.unit === "%" ? 1 : 3)}${threshold.unit === "%" ? "%" : ` ${threshold.unit}`}` : "from 0";
  const ok = by <= threshold.value;
  return { ...common, verdict: ok ? "pass" : "fail", detail: `${ok ? "within" : "worse than"} allowed ${threshold.value}${threshold.unit === "%" ? "%" : ` ${threshold.unit}`}: ${regressed ? "worse" : "no worse"} by ${shown}` };
}

/**
 * Compares `candidate` with `base` on every metric; each metric is judged by the last
 * threshold naming it (a later `--max-regression` overrides an earlier one).
 */
export function compareTests(base: TestView, candidate: TestView, thresholds: readonly RegressionThreshold[] = []): Comparison {
  const byMetric = new Map(thresholds.map((t) => [t.metric, t]));
  const metrics = COMPARE_METRICS.map((metric) => compareMetric(metric, base, candidate, byMetric.get(metric)));
  return {
    base: base.test_id,
    candidate: candidate.test_id,
    metrics,
    by_name: {},
    thresholds: thresholds.map((t) => t.text),
    passed: metrics.every((m) => m.verdict !== "fail"),
  };
}
