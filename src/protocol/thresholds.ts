// The threshold syntax shared by the CLI's `--threshold`/`--abort-on` and the API's `abort_on`:
// `p99<200`, `errors>5%`, `rps>=500`, `max<1.5s`, `checks>99%`, and per request name with k6's tag
// syntax, `p99{name:create}<300`. Parsing only; what a threshold is judged on
// (a whole test, a window of seconds) is the caller's.

/** Latency metrics and the LatencySummary field each one reads. */
export const LATENCY_METRICS = {
  p50: "median_latency",
  median: "median_latency",
  p90: "p90_latency",
  p95: "p95_latency",
  p99: "p99_latency",
  max: "max_latency",
  min: "min_latency",
  mean: "mean_latency",
} as const;

/** A latency metric name (`p99`, `mean`, ...). */
export type LatencyMetric = keyof typeof LATENCY_METRICS;
/**
 * What a threshold measures: a latency (ms), requests per second, a count or share of
 * errors/late sends, or `checks`: the share of responses that passed their checks (issue 11).
 */
export type Metric = LatencyMetric | "rps" | "errors" | "late" | "checks";
/** How a measurement is compared with the threshold's value. */
export type Operator = "<" | "<=" | ">" | ">=";

/** One parsed threshold; `percent` for errors/late as a share of sends; latencies in ms. */
export interface Threshold {
  text: string;
  metric: Metric;
  op: Operator;
  value: number;
  percent: boolean;
  /** The request name of a tagged threshold (`p99{name:create}<300`): judged on that request's figures only. */
  name?: string;
}

/** Longest threshold expression accepted. */
export const MAX_THRESHOLD_LENGTH = 200;

/** Every metric name the syntax knows, in the order error messages list them. */
export const THRESHOLD_METRICS: readonly string[] = [...Object.keys(LATENCY_METRICS), "rps", "errors", "late", "checks"];

const PATTERN = /^\s*([a-z0-9]+)\s*(?:\{(.*?)\})?\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/i;
const TAG = /^\s*name\s*:\s*(.*?)\s*$/;

/** True for a latency metric (`p99`, `max`, ...). */
export const isLatencyMetric = (metric: Metric): metric is LatencyMetric => metric in LATENCY_METRICS;

/**
 * Parses one threshold. The error says what is wrong and what is accepted, without naming
 * where the text came from (the caller prefixes the flag or field).
 */
export function parseThreshold(text: string): { ok: true; value: Threshold } | { ok: false; error: string } {
  const bad = (error: string) => ({ ok: false as const, error });
  if (text.length > MAX_THRESHOLD_LENGTH) return bad(`longer than ${MAX_THRESHOLD_LENGTH} characters`);
  const match = PATTERN.exec(text);
  if (!match) return bad(`expected <metric><op><value>, e.g. "p99<200", "errors<1%", "rps>=500", "checks>99%", "p99{name:create}<300" (ops: < <= > >=)`);
  const metric = match[1]!.toLowerCase();
  const op = match[3] as Operator;
  const unit = match[5]?.toLowerCase();
  let value = Number(match[4]);
  let name: string | undefined;
  if (match[2] !== undefined) {
    const tag = TAG.exec(match[2]);
    if (!tag || tag[1] === "") return bad(`a tag is {name:<request name>}, e.g. "p99{name:create}<300"; got {${match[2]}}`);
    name = tag[1];
  }
  if (!THRESHOLD_METRICS.includes(metric)) return bad(`unknown metric "${match[1]}"; use one of ${THRESHOLD_METRICS.join(", ")}`);
  if (metric in LATENCY_METRICS) {
    if (unit === "%") return bad("a latency is in ms (or s), not %");
    if (unit === "s") value *= 1000;
  } else if (unit === "ms" || unit === "s") {
    return bad(`${metric} is not a time; drop "${unit}"`);
  } else if (metric === "rps" && unit === "%") {
    return bad("rps is requests per second, not %");
  } else if (metric === "checks" && unit !== "%") {
    // k6 writes the rate as a fraction (checks>0.99); both forms are kept as a percentage.
    if (value > 1) return bad(`checks is the share of responses passing their checks: write "${value}%" or a fraction up to 1`);
    value = Math.round(value * 1e8) / 1e6;
  }
  const percent = unit === "%" || metric === "checks";
  return { ok: true, value: { text: text.trim(), metric: metric as Metric, op, value, percent, ...(name !== undefined ? { name } : {}) } };
}

/** `a <op> b`. */
export function compareThreshold(actual: number, op: Operator, value: number): boolean {
  return op === "<" ? actual < value : op === "<=" ? actual <= value : op === ">" ? actual > value : actual >= value;
}
