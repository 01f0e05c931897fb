// `--max-regression p99=10%` / `errors=0.1pp`: how much worse a candidate may be than its base.
// Parsing only; src/compare/compare.ts judges a comparison against them.

/** Metrics a comparison reports, in the order it lists them. */
export const COMPARE_METRICS = ["throughput", "errors", "p50", "p90", "p95", "p99", "max", "late"] as const;
/** One compared metric. */
export type CompareMetric = (typeof COMPARE_METRICS)[number];

/** Metrics measured as a share of sends (%), where `pp` (percentage points) applies. */
export const SHARE_METRICS: readonly CompareMetric[] = ["errors", "late"];
/** Metrics measured in milliseconds, where `ms` applies. */
export const LATENCY_COMPARE_METRICS: readonly CompareMetric[] = ["p50", "p90", "p95", "p99", "max"];

/** Other names accepted for a metric. */
const ALIASES: Record<string, CompareMetric> = { rps: "throughput", median: "p50", error: "errors" };

/**
 * One allowed regression: relative (`%` of the base), or absolute (`pp` for shares, `ms` for
 * latencies); with `name`, it judges that request name's metric (`p99{name:create}=10%`)
 * instead of the whole test's.
 */
export interface RegressionThreshold {
  text: string;
  metric: CompareMetric;
  unit: "%" | "pp" | "ms";
  value: number;
  name?: string;
}

const PATTERN = /^\s*([a-z0-9]+)\s*(?:\{\s*name\s*:\s*(.+?)\s*\})?\s*=\s*(\d+(?:\.\d+)?)\s*(%|pp|ms)\s*$/i;

/** Parses one `metric=N%|Npp|Nms`; the error says what is wrong, not where the text came from. */
export function parseRegressionThreshold(text: string): { ok: true; value: RegressionThreshold } | { ok: false; error: string } {
  const bad = (error: string) => ({ ok: false as const, error });
  if (text.length > 200) return bad("longer than 200 characters");
  const match = PATTERN.exec(text);
  if (!match) return bad(`expected <metric>=<n>% (relative), <n>pp (percentage points, errors/late) or <n>ms (latencies), e.g. "p99=10%", "errors=0.1pp", "p99{name:create}=10%"`);
  const name = match[1]!.toLowerCase();
  const metric = (COMPARE_METRICS as readonly string[]).includes(name) ? (name as CompareMetric) : ALIASES[name];
  if (!metric) return bad(`unknown metric "${match[1]}"; use one of ${COMPARE_METRICS.join(", ")}`);
  const unit = match[4]!.toLowerCase() as RegressionThreshold["unit"];
  if (unit === "pp" && !SHARE_METRICS.includes(metric)) return bad(`pp (percentage points) applies to errors and late only; use % for ${metric}`);
  if (unit === "ms" && !LATENCY_COMPARE_METRICS.includes(metric)) return bad(`ms applies to latencies (p50, p90, p95, p99, max) only`);
  const value: RegressionThreshold = { text: text.trim(), metric, unit, value: Number(match[3]) };
  if (match[2] !== undefined) value.name = match[2];
  return { ok: true, value };
}

/**
 * Parses every threshold; each error names its entry (`--max-regression "p99=10"` by default,
 * or `max_regression.1` for the API) and every bad one is reported.
 */
export function parseRegressionThresholds(
  texts: readonly string[],
  name: (text: string, index: number) => string = (text) => `--max-regression "${text}"`,
): { ok: true; value: RegressionThreshold[] } | { ok: false; errors: { index: number; text: string; entry: string; message: string }[] } {
  const errors: { index: number; text: string; entry: string; message: string }[] = [];
  const value: RegressionThreshold[] = [];
  texts.forEach((text, i) => {
    const parsed = parseRegressionThreshold(text);
    if (parsed.ok) value.push(parsed.value);
    else errors.push({ index: i, text, entry: name(text, i), message: parsed.error });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}
