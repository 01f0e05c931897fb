// The dashboard's per-request half of a scenario test (issue 11): a table of each request
// name's figures and the options of the latency chart's request selector; pure.
import type { TestView } from "../../orchestrator/snapshot.ts";
import { escapeHtml as e, formatCount, formatMs, formatPercent } from "../../format/format.ts";

/** The request names of a test, in the order they first reported (none without a scenario). */
export function requestNamesOf(test: TestView): string[] {
  return Object.keys(test.by_request ?? {});
}

/** A table row per request name, its first check failure under it; "" without a scenario. */
export function renderRequestTable(test: TestView): string {
  const entries = Object.entries(test.by_request ?? {});
  if (entries.length === 0) return "";
  const bad = (n: number) => `<td${n > 0 ? ` class="num-bad"` : ""}>${formatCount(n)}</td>`;
  const rows = entries.map(([name, r]) => {
    const c = r.counts;
    const errors = c.status_4xx + c.status_5xx + c.timeout + c.connection_error;
    const failure = r.first_check_failure === null ? "" : `<tr class="check-failure"><td colspan="9" class="muted">first check failure: ${e(r.first_check_failure)}</td></tr>`;
    return `<tr data-request="${e(name)}"><td>${e(name)}</td><td>${formatCount(c.sent)}</td><td>${formatCount(c.completed)}</td>${bad(errors)}${bad(r.check_failed)}
<td>${e(formatPercent(c.completed - r.check_failed, c.completed))}</td><td>${formatMs(r.metrics?.median)}</td><td>${formatMs(r.metrics?.p99)}</td><td>${formatMs(r.metrics?.max)}</td></tr>${failure}`;
  });
  return `<table><thead><tr><th>request</th><th>sent</th><th>completed</th><th>errors</th><th>checks failed</th><th>checks passed</th><th>p50</th><th>p99</th><th>max</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** The latency chart's request selector: "all requests" ("") then each name, `selected` marked. */
export function renderRequestOptions(names: readonly string[], selected: string): string {
  return ["", ...names].map((name) => `<option value="${e(name)}"${name === selected ? " selected" : ""}>${e(name === "" ? "all requests" : name)}</option>`).join("");
}
