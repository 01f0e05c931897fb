// The text of `loadtest compare`: a row per metric, then the verdicts. Pure.
import type { Comparison, MetricComparison } from "../compare/compare.ts";
import { textTable } from "./summary.ts";

const value = (m: MetricComparison, x: number | null) => (x === null ? "n/a" : m.unit === "%" ? `${x.toFixed(2)}%` : m.unit === "ms" ? `${x.toFixed(3)} ms` : `${x.toFixed(1)}/s`);

function change(m: MetricComparison): string {
  if (m.change === null) return "n/a";
  const sign = m.change > 0 ? "+" : "";
  const abs = m.unit === "%" ? `${sign}${m.change.toFixed(2)}pp` : m.unit === "ms" ? `${sign}${m.change.toFixed(3)} ms` : `${sign}${m.change.toFixed(1)}/s`;
  return m.change_pct === null ? abs : `${abs} (${m.change_pct > 0 ? "+" : ""}${m.change_pct.toFixed(1)}%)`;
}

const VERDICT = { pass: "✓ pass", fail: "✗ FAIL", info: "" } as const;

const table = (metrics: readonly MetricComparison[]) =>
  textTable([
    ["metric", "base", "candidate", "change", "worse", "verdict"],
    ...metrics.map((m) => [m.metric, value(m, m.base), value(m, m.candidate), change(m), m.regressed ? "yes" : "", `${VERDICT[m.verdict]}${m.threshold ? ` ${m.threshold}` : ""}`]),
  ]).map((l) => `  ${l}`);

/** The comparison as a table (then one per request name both tests sent) and a verdict line. */
export function formatComparison(c: Comparison): string {
  const lines = [`compare base ${c.base} → candidate ${c.candidate}`, "", ...table(c.metrics), ""];
  for (const [name, metrics] of Object.entries(c.by_name)) lines.push(`request ${name}`, ...table(metrics), "");
  const judged = [...c.metrics, ...Object.values(c.by_name).flat()].filter((m) => m.verdict !== "info");
  const failed = judged.filter((m) => m.verdict === "fail");
  if (judged.length === 0) lines.push("no --max-regression given: nothing judged");
  else if (failed.length === 0) lines.push(`max-regression: all ${judged.length} within`);
  else {
    lines.push(`max-regression: ${failed.length} of ${judged.length} exceeded`);
    for (const m of failed) lines.push(`  ✗ ${m.threshold}: ${m.detail}`);
  }
  return lines.join("\n") + "\n";
}
