// Compares a candidate test with its base, metric by metric, and judges each change against
// the allowed regressions. Pure: two test views in, a comparison out.
import type { RequestView, TestView } from "../orchestrator/snapshot.ts";
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
  /**
   * Per request name that both tests sent (scenario tests; empty otherwise), judged by the
   * thresholds naming it (`p99{name:create}=10%`).
   */
  by_name: Record<string, MetricComparison[]>;
  thresholds: string[];
  /** True when no metric failed its threshold. */
  passed: boolean;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** What a metric is read from: the whole test, or one request name within it. */
interface MetricSource {
  rps: number;
  sent: number;
  errors: number;
  late: number;
  latency: { p50: number; p90: number | null; p95: number | null; p99: number | null; max: number } | null;
}

function testSource(test: TestView): MetricSource {
  const m = test.metrics;
  const l = m.latency;
  const latency = l ? { p50: l.median_latency, p90: l.p90_latency ?? null, p95: l.p95_latency ?? null, p99: l.p99_latency ?? null, max: l.max_latency } : null;
  return { rps: m.avg_requests_per_s, sent: m.counts.sent, errors: m.errors.total, late: m.late, latency };
}

/** A request name's figures; its rate is its share of the test's completed requests times the test's rate. */
function requestSource(test: TestView, request: RequestView): MetricSource {
  const c = request.counts;
  const completed = test.metrics.counts.completed;
  const rps = completed > 0 ? round((test.metrics.avg_requests_per_s * c.completed) / completed) : 0;
  const errors = c.status_4xx + c.status_5xx + c.timeout + c.connection_error;
  const l = request.metrics;
  return { rps, sent: c.sent, errors, late: c.late, latency: l ? { p50: l.median, p90: l.p90, p95: l.p95, p99: l.p99, max: l.max } : null };
}

function sourceValue(s: MetricSource, metric: CompareMetric): number | null {
  const share = (n: number) => (s.sent > 0 ? (n * 100) / s.sent : 0);
  switch (metric) {
    case "throughput":
      return s.rps;
    case "errors":
      return round(share(s.errors), 4);
    case "late":
      return round(share(s.late), 4);
    default:
      return s.latency?.[metric] ?? null;
  }
}

/** The value of a metric in a test's result (null when unmeasured: no completed request). */
export function metricValue(test: TestView, metric: CompareMetric): number | null {
  return sourceValue(testSource(test), metric);
}

/** How much worse the candidate is, in the threshold's unit (negative: better). */
function worsening(threshold: RegressionThreshold, base: number, candidate: number, worse: "lower" | "higher"): number {
  const delta = worse === "higher" ? candidate - base : base - candidate;
  if (threshold.unit !== "%") return delta;
  if (base === 0) return delta > 0 ? Infinity : 0;
  return (delta * 100) / Math.abs(base);
}

function compareMetric(metric: CompareMetric, base: MetricSource, candidate: MetricSource, threshold: RegressionThreshold | undefined): MetricComparison {
  const worse = WORSE_WHEN[metric];
  const b = sourceValue(base, metric);
  const c = sourceValue(candidate, metric);
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

/** A threshold naming a request that one of the tests did not send: it cannot pass. */
function missingName(threshold: RegressionThreshold, base: TestView, candidate: TestView): MetricComparison {
  const where = [base, candidate].filter((t) => !t.by_request?.[threshold.name!]).map((t) => (t === base ? "base" : "candidate"));
  return {
    metric: threshold.metric,
    unit: METRIC_UNIT[threshold.metric],
    worse_when: WORSE_WHEN[threshold.metric],
    base: null,
    candidate: null,
    change: null,
    change_pct: null,
    regressed: false,
    verdict: "fail",
    threshold: threshold.text,
    detail: `no request named ${JSON.stringify(threshold.name)} in the ${where.join(" and ")}`,
  };
}

/**
 * Compares `candidate` with `base` on every metric, for the whole test and for each request
 * name both sent; each metric is judged by the last threshold naming it (a later
 * `--max-regression` overrides an earlier one). A threshold naming a request one test lacks fails.
 */
export function compareTests(base: TestView, candidate: TestView, thresholds: readonly RegressionThreshold[] = []): Comparison {
  const key = (metric: CompareMetric, name?: string) => (name === undefined ? metric : `${metric}\u0000${name}`);
  const byMetric = new Map(thresholds.map((t) => [key(t.metric, t.name), t]));
  const metrics = COMPARE_METRICS.map((metric) => compareMetric(metric, testSource(base), testSource(candidate), byMetric.get(metric)));
  const by_name: Record<string, MetricComparison[]> = {};
  for (const [name, b] of Object.entries(base.by_request ?? {})) {
    const c = candidate.by_request?.[name];
    if (!c) continue;
    by_name[name] = COMPARE_METRICS.map((metric) => compareMetric(metric, requestSource(base, b), requestSource(candidate, c), byMetric.get(key(metric, name))));
  }
  const unmatched = [...byMetric.values()].filter((t) => t.name !== undefined && !(base.by_request?.[t.name] && candidate.by_request?.[t.name]));
  for (const t of unmatched) (by_name[t.name!] ??= []).push(missingName(t, base, candidate));
  const judged = [...metrics, ...Object.values(by_name).flat()];
  return {
    base: base.test_id,
    candidate: candidate.test_id,
    metrics,
    by_name,
    thresholds: thresholds.map((t) => t.text),
    passed: judged.every((m) => m.verdict !== "fail"),
  };
}
