// The dashboard's comparison with a base test: the base picker, the base's latency lines to
// overlay on the candidate's, and the deltas table. Pure strings in and out.
import type { Comparison, MetricComparison } from "../../compare/compare.ts";
import type { SeriesPoint } from "../../orchestrator/series.ts";
import type { TestSummary } from "../../orchestrator/test-summary.ts";
import { escapeHtml as e, formatTimestamp, shortId } from "../../format/format.ts";
import type { ChartLine } from "./chart.ts";

/** Colour of the base test's overlaid lines. */
export const BASE_COLOR = "#94a3b8";

/** The `<option>`s of the base picker: "no base", then every ended test other than the shown one. */
export function renderBaseOptions(history: readonly TestSummary[], shownId: string | null, baseId: string | null): string {
  const options = history
    .filter((t) => t.test_id !== shownId && t.ended_at !== null)
    .map((t) => `<option value="${e(t.test_id)}"${t.test_id === baseId ? " selected" : ""}>${e(shortId(t.test_id))} · ${e(t.state)} · ${e(formatTimestamp(t.created_at))}</option>`);
  return [`<option value=""${baseId === null ? " selected" : ""}>no base</option>`, ...options].join("");
}

/** The base's whole-test p50 and p99 per second, dashed, to draw under the candidate's. */
export function baseLatencyLines(basePoints: readonly SeriesPoint[]): ChartLine[] {
  return (["p50", "p99"] as const).map((q) => ({
    name: `base ${q}`,
    color: BASE_COLOR,
    dashed: true,
    width: q === "p99" ? 1.8 : 1.2,
    points: basePoints.map((p) => [p.t_s, p.total[q]] as const),
  }));
}

const value = (m: MetricComparison, x: number | null) => (x === null ? "–" : m.unit === "%" ? `${x.toFixed(2)}%` : m.unit === "ms" ? `${x.toFixed(2)} ms` : `${x.toFixed(1)}/s`);

function change(m: MetricComparison): string {
  if (m.change === null) return "–";
  const sign = m.change > 0 ? "+" : "";
  const abs = m.unit === "%" ? `${sign}${m.change.toFixed(2)}pp` : m.unit === "ms" ? `${sign}${m.change.toFixed(2)} ms` : `${sign}${m.change.toFixed(1)}/s`;
  return m.change_pct === null ? abs : `${abs} (${sign}${m.change_pct.toFixed(1)}%)`;
}

const deltaRows = (metrics: readonly MetricComparison[], name?: string) =>
  metrics.map((m) => {
    const better = m.change !== null && m.change !== 0 && !m.regressed;
    const cls = m.regressed ? "num-bad" : better ? "num-good" : "";
    const attrs = `data-metric="${e(m.metric)}"${name === undefined ? "" : ` data-request="${e(name)}"`}`;
    return `<tr ${attrs}><td>${e(m.metric)}</td><td>${e(value(m, m.base))}</td><td>${e(value(m, m.candidate))}</td><td class="${cls}">${e(change(m))}</td></tr>`;
  });

/** The deltas table: a row per metric, a worse change in red, a better one in green; then a group per request name both tests sent. */
export function renderDeltas(c: Comparison): string {
  const named = Object.entries(c.by_name).flatMap(([name, metrics]) => [`<tr class="group"><th colspan="4">request ${e(name)}</th></tr>`, ...deltaRows(metrics, name)]);
  return `<table><thead><tr><th>metric</th><th>base <code>${e(shortId(c.base))}</code></th><th>this test</th><th>change</th></tr></thead><tbody>${[...deltaRows(c.metrics), ...named].join("")}</tbody></table>`;
}
