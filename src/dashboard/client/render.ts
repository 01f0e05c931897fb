// The dashboard's panels as HTML strings: pure functions of the data, unit-tested without a DOM.
import type { NodeView } from "../../orchestrator/registry.ts";
import type { TestView } from "../../orchestrator/snapshot.ts";
import type { TestSummary } from "../../orchestrator/test-summary.ts";
import type { ChartLine } from "./chart.ts";
import { driverColor } from "./chart-data.ts";
import { formatClock } from "./clock-format.ts";
import { expectedRequests } from "../../orchestrator/expected-requests.ts";
import { escapeHtml as e, formatAgo, formatCount, formatDuration, formatMs, formatPercent, formatRate, formatTimestamp, shortId } from "../../format/format.ts";

export { expectedRequests, progressFraction } from "../../orchestrator/expected-requests.ts";

/** Most drivers the list shows (a flood of dead ids must not freeze the page). */
export const NODES_SHOWN = 200;

/** The driver list with a health dot each, alive first; a node run by two processes is flagged. */
export function renderNodes(nodes: readonly NodeView[], now: number): string {
  if (nodes.length === 0) return `<p class="muted">No driver has registered yet. Start one: <code>bun run driver</code></p>`;
  const order = { alive: 0, suspect: 1, dead: 2, left: 3 } as const;
  const sorted = [...nodes].sort((a, b) => order[a.status] - order[b.status] || a.node_id.localeCompare(b.node_id));
  const more = sorted.length - NODES_SHOWN;
  const items = sorted.slice(0, NODES_SHOWN).map((n) => {
    const conflict = n.conflict
      ? `<div class="node-conflict" title="two driver processes use this node_id; it takes part in no new test until one stops">CONFLICT: ${n.conflict.instances.length} processes (${e(n.conflict.instances.join(", "))})</div>`
      : "";
    const doing = n.driver_state === "running" && n.current_test_id ? `running ${shortId(n.current_test_id)}` : (n.driver_state ?? "");
    return `<div class="node" data-node="${e(n.node_id)}" data-status="${e(n.status)}">
<span class="dot dot-${e(n.status)}" title="${e(n.status)}"></span>
<div><div class="node-name">${e(n.node_id)}</div><div class="node-meta">${e(n.node_IP)}${n.version ? ` · v${e(n.version)}` : ""}${doing ? ` · ${e(doing)}` : ""}${n.clock ? ` · <span class="node-clock${n.clock.flag ? " flagged" : ""}" data-clock="${e(n.node_id)}"${n.clock.flag ? ` title="${e(n.clock.flag)}"` : ""}>clock ${e(formatClock(n.clock))}${n.clock.flag ? " ⚠" : ""}</span>` : ""}</div>${conflict}</div>
<div class="node-right"><div>${e(n.status)} · ${e(formatAgo(n.last_heartbeat_at, now))}</div><div>${formatCount(n.requests_sent)} sent${n.last_test_id ? ` in ${e(shortId(n.last_test_id))}` : ""}</div></div></div>`;
  });
  if (more > 0) items.push(`<p class="muted">and ${formatCount(more)} more not shown</p>`);
  return `<div class="nodes">${items.join("")}</div>`;
}

/** Who or what stopped a test, and why: "by threshold errors>10% (observed 48.5 over the last 2 s)". */
export function describeStop(test: TestView): string | null {
  const stop = test.stop;
  if (!stop) return null;
  const t = stop.threshold;
  const by = stop.by === "threshold" && t ? `by threshold ${t.expression} (observed ${t.observed} over the last ${t.window_s} s)` : stop.by === "restart" ? "by an orchestrator restart" : "by the user";
  const unconfirmed = stop.unconfirmed && stop.unconfirmed.length > 0 ? `; no final report from ${stop.unconfirmed.join(", ")}` : "";
  return `Stopped ${by}: ${stop.reason}${unconfirmed}`;
}

/**
 * The Stop button of a running (or created) test; once a stop was asked for, a disabled
 * "stopping…" in its place.
 */
export function renderStopButton(test: TestView): string {
  if (test.state !== "running" && test.state !== "created") return "";
  if (test.stop) return `<button type="button" class="danger" data-testid="stop-button" disabled>stopping…</button>`;
  return `<button type="button" class="danger" id="stop-test" data-testid="stop-button" data-test="${e(test.test_id)}">${test.state === "created" ? "Cancel" : "Stop"}</button>`;
}

/** Title line of the shown test: state badge, id, type, target and report links. */
export function renderTestHead(test: TestView, live: boolean): string {
  const c = test.config;
  const what = c.test_type === "TSUNAMI" ? `TSUNAMI every ${c.test_message_delay} ms` : "AVALANCHE";
  const cap = c.target_throughput ? ` · ≤ ${formatRate(c.target_throughput)}/s per driver` : "";
  const base = `/tests/${encodeURIComponent(test.test_id)}/report`;
  return `<h2>Test <code data-testid="test-id">${e(test.test_id)}</code></h2>
<span class="badge badge-${e(test.state)}" data-testid="test-state">${e(test.state)}</span>
<span class="muted">${e(what)} · ${formatCount(c.message_count_per_driver)} × ${test.drivers.length} driver(s)${e(cap)} → ${e(c.target_url ?? "")}</span>
${renderStopButton(test)}
${live ? "" : `<button type="button" class="ghost" id="follow-live">follow live</button>`}
<span class="links"><a href="${base}?format=html" target="_blank">HTML report</a><a href="${base}?format=csv&download=1">CSV</a><a href="${base}?format=json" target="_blank">JSON</a></span>`;
}

/** The sent tile's label: "sent of N", or "sent" when the test has no known total (a duration at full speed). */
function expectedOf(test: TestView): string {
  const expected = expectedRequests(test);
  return expected === null ? "sent" : `sent of ${formatCount(expected)}`;
}

function tile(id: string, label: string, value: string, bad = false): string {
  return `<div class="tile${bad ? " bad" : ""}"><b data-testid="stat-${id}">${e(value)}</b><span>${e(label)}</span></div>`;
}

/** The headline figures: rate now, progress, latency so far, errors, late sends, elapsed time. */
export function renderTiles(test: TestView): string {
  const m = test.metrics;
  const running = test.state === "running";
  return [
    tile("rps", running ? "requests/s now" : "avg requests/s", formatRate(running ? m.requests_per_s : m.avg_requests_per_s)),
    tile("sent", expectedOf(test), formatCount(m.counts.sent)),
    tile("completed", "completed", formatCount(m.counts.completed)),
    tile("p50", `median latency${m.latency_combined ? " *" : ""}`, formatMs(m.latency?.median_latency)),
    tile("p99", "p99 latency", formatMs(m.latency?.p99_latency)),
    tile("errors", `errors (${formatPercent(m.errors.total, m.counts.sent)})`, formatCount(m.errors.total), m.errors.total > 0),
    tile("late", "late sends", formatCount(m.late)),
    tile("elapsed", running ? "elapsed" : "duration", formatDuration(test.duration_ms)),
  ].join("");
}

/** One row per driver: outcome, rate, counts by class, latency quantiles. */
export function renderDriverTable(test: TestView): string {
  const ids = test.per_driver.map((d) => d.node_id).sort();
  const rows = test.per_driver.map((d) => {
    const l = d.latency;
    const bad = (n: number) => `<td${n > 0 ? ` class="num-bad"` : ""}>${formatCount(n)}</td>`;
    return `<tr data-driver="${e(d.node_id)}"><td><span class="sw" style="background:${driverColor(ids, d.node_id)}"></span>${e(d.node_id)}</td>
<td>${e(d.outcome)}${d.summary_only ? ` <span class="muted" data-summary-only>summary only</span>` : ""}</td><td>${formatRate(test.state === "running" ? d.requests_per_s : d.avg_requests_per_s)}</td><td data-col="sent">${formatCount(d.counts.sent)}</td><td>${formatCount(d.counts.completed)}</td>
<td>${formatCount(d.counts.status_2xx)}</td>${bad(d.counts.status_4xx)}${bad(d.counts.status_5xx)}${bad(d.counts.timeout)}${bad(d.counts.connection_error)}<td>${formatCount(d.late)}</td>
<td>${formatMs(l?.median_latency)}</td><td>${formatMs(l?.p90_latency)}</td><td>${formatMs(l?.p99_latency)}</td><td>${formatMs(l?.max_latency)}</td></tr>`;
  });
  return `<table><thead><tr><th>driver</th><th>outcome</th><th>req/s</th><th>sent</th><th>completed</th><th>2xx</th><th>4xx</th><th>5xx</th><th>timeout</th><th>conn</th><th>late</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead><tbody>${rows.join("")}</tbody></table>${renderLatencyCombined(test)}`;
}

/** Failures by class, then what went wrong with the test or a driver. */
export function renderErrors(test: TestView): string {
  const x = test.metrics.errors;
  const row = (label: string, n: number) => `<div class="err-row${n > 0 ? " has" : ""}"><span>${e(label)}</span><b>${formatCount(n)}</b></div>`;
  const messages = [
    ...(test.error ? [test.error] : []),
    ...test.per_driver.filter((d) => d.error).map((d) => `${d.node_id}: ${d.error}`),
  ].map((m) => `<div class="err-msg">${e(m)}</div>`);
  const clean = x.total === 0 && messages.length === 0 ? `<div class="ok-msg">No errors.</div>` : "";
  // Warnings (a driver's clock off or its start uncorrected) are not errors: the test ran, perhaps less together.
  const warnings = (test.warnings ?? []).map((w) => `<div class="warn-msg" data-warning>${e(w)}</div>`);
  return `<div class="errors">${row("HTTP 4xx", x.status_4xx)}${row("HTTP 5xx", x.status_5xx)}${row("timeouts", x.timeout)}${row("connection errors", x.connection_error)}${clean}${messages.join("")}${warnings.join("")}</div>`;
}

/** The final summary of an ended test. */
export function renderSummary(test: TestView): string {
  const m = test.metrics;
  const l = m.latency;
  const item = (id: string, label: string, value: string) => `<dt>${e(label)}</dt><dd data-summary="${id}">${e(value)}</dd>`;
  const stop = describeStop(test);
  const mark = m.latency_combined ? " *" : "";
  return `<h3>Summary</h3>${stop ? `<p class="stop-reason" data-summary="stop">${e(stop)}</p>` : ""}<div class="summary-grid">
<dl>${item("state", "result", test.state)}${item("duration", "duration", formatDuration(test.duration_ms))}${item("sent", "requests sent", formatCount(m.counts.sent))}${item("completed", "completed", formatCount(m.counts.completed))}${item("avg_rps", "avg requests/s", formatRate(m.avg_requests_per_s))}</dl>
<dl>${item("mean", `mean${mark}`, formatMs(l?.mean_latency))}${item("min", "min", formatMs(l?.min_latency))}${item("median", `median${mark}`, formatMs(l?.median_latency))}${item("max", "max", formatMs(l?.max_latency))}</dl>
<dl>${item("p90", "p90", formatMs(l?.p90_latency))}${item("p95", "p95", formatMs(l?.p95_latency))}${item("p99", "p99", formatMs(l?.p99_latency))}${item("skew", "start skew", m.start_skew_ms === null ? "–" : `${m.start_skew_ms} ms`)}</dl>
<dl>${item("errors", "errors", `${formatCount(m.errors.total)} (${formatPercent(m.errors.total, m.counts.sent)})`)}${item("late", "late sends", formatCount(m.late))}${item("drivers", "drivers", String(test.drivers.length))}${item("ended", "ended", formatTimestamp(test.ended_at))}</dl>
</div>`;
}

/** The note (under the driver table) behind the `*` on mean and median when summary-only drivers took part (empty otherwise). */
export function renderLatencyCombined(test: TestView): string {
  const c = test.metrics.latency_combined;
  if (!c) return "";
  return `<p class="muted" data-summary="latency-combined">* includes summary-only drivers (${e(c.summary_only.join(", "))}): mean is the ${e(c.mean)}; median is the ${e(c.median)}; min and max are ${e(c.min_max)}; ${e(c.quantiles)}.</p>`;
}

/** Past tests, newest first; the shown one is highlighted. */
export function renderHistory(tests: readonly TestSummary[], selectedId: string | null): string {
  if (tests.length === 0) return `<p class="muted">No tests yet.</p>`;
  const rows = tests.map((t) => {
    const sel = t.test_id === selectedId ? " selected" : "";
    return `<tr class="clickable${sel}" data-test="${e(t.test_id)}"><td><code>${e(shortId(t.test_id))}</code></td><td>${e(formatTimestamp(t.created_at))}</td>
<td>${e(t.test_type)}</td><td><span class="badge badge-${e(t.state)}"${t.error ? ` title="${e(t.error)}"` : ""}>${e(t.state)}</span></td><td>${t.drivers.length}</td><td>${formatCount(t.counts.sent)}</td>
<td${t.counts.completed < t.counts.sent ? ` class="num-bad"` : ""}>${formatCount(t.counts.completed)}</td><td>${formatMs(t.latency?.median_latency)}</td><td>${formatMs(t.latency?.p99_latency)}</td><td>${formatDuration(t.duration_ms)}</td></tr>`;
  });
  return `<table><thead><tr><th>test</th><th>created</th><th>type</th><th>state</th><th>drivers</th><th>sent</th><th>completed</th><th>p50</th><th>p99</th><th>duration</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** A legend for chart lines. */
export function renderLegend(lines: readonly ChartLine[]): string {
  return lines.map((l) => `<span><i style="background:${e(l.color)}"></i>${e(l.name)}</span>`).join("");
}

/** The latency chart's scope buttons: all drivers, then each driver. */
export function renderScopeButtons(drivers: readonly string[], selected: string): string {
  const ids = ["total", ...drivers];
  return ids.map((id) => `<button type="button" data-scope="${e(id)}" class="${id === selected ? "on" : ""}">${e(id === "total" ? "all drivers" : id)}</button>`).join("");
}
