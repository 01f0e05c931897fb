import { lineChart } from "../../dashboard/client/chart.ts";
import { latencyLines, rateLines } from "../../dashboard/client/chart-data.ts";
import { distributionChart, distributionLines } from "../../dashboard/client/distribution-chart.ts";
import type { TestDistribution } from "../distribution.ts";
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { formatCount, formatDuration, formatMs, formatPercent, formatRate, formatTimestamp } from "../../format/format.ts";
import { errorsOf, type TestView } from "../snapshot.ts";
import type { TestSeries } from "../series.ts";

const STYLE = `
:root{color-scheme:light;--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--card:#fff;--bg:#f8fafc}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1080px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:15px;margin:0 0 12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.sub{color:var(--muted);margin-bottom:20px}.sub code{font-size:13px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:12px;font-weight:700;text-transform:uppercase;vertical-align:middle;margin-left:8px}
.done{background:#dcfce7;color:#166534}.partial{background:#fef3c7;color:#92400e}.failed,.interrupted{background:#fee2e2;color:#991b1b}.stopped{background:#ede9fe;color:#5b21b6}.running,.created{background:#dbeafe;color:#1e40af}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-bottom:20px}
.tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}.tile b{display:block;font-size:22px;font-variant-numeric:tabular-nums}.tile span{color:var(--muted);font-size:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px;margin-bottom:16px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}@media(max-width:800px){.grid2{grid-template-columns:1fr}}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{color:var(--muted);font-weight:600;font-size:12px}th:first-child,td:first-child{text-align:left}
.chart{width:100%;height:auto;color:var(--fg)}.err{color:#b91c1c}footer{color:var(--muted);font-size:12px;margin-top:24px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dt{color:var(--muted)}dd{margin:0}
`;

// Every value below goes through hono/html's `html` tag, which escapes it; only the stylesheet and
// the SVG charts (escaped by chart.ts as it draws them) are inserted with `raw`.
type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

function tile(label: string, value: string): Html {
  return html`<div class="tile"><b>${value}</b><span>${label}</span></div>`;
}

function driverRows(test: TestView): Html[] {
  return test.per_driver.map(
    (d) => html`<tr><td>${d.node_id}</td><td>${d.outcome}</td><td>${formatCount(d.counts.sent)}</td><td>${formatCount(d.counts.completed)}</td>
<td>${formatRate(d.avg_requests_per_s)}</td><td>${formatCount(d.errors.total)}</td><td>${formatCount(d.late)}</td>
<td>${formatMs(d.latency?.median_latency)}</td><td>${formatMs(d.latency?.p90_latency)}</td><td>${formatMs(d.latency?.p99_latency)}</td><td>${formatMs(d.latency?.max_latency)}</td></tr>`,
  );
}

function errorsTable(test: TestView): Html {
  const rows = [["total", test.metrics.errors] as const, ...test.per_driver.map((d) => [d.node_id, d.errors] as const)];
  return html`<table><tr><th>scope</th><th>4xx</th><th>5xx</th><th>timeout</th><th>connection</th><th>total</th></tr>${rows.map(
    ([name, x]) =>
      html`<tr><td>${name}</td><td>${formatCount(x.status_4xx)}</td><td>${formatCount(x.status_5xx)}</td><td>${formatCount(x.timeout)}</td><td>${formatCount(x.connection_error)}</td><td>${formatCount(x.total)}</td></tr>`,
  )}</table>`;
}

/** A scenario's figures per request name (none without one), each name's first check failure below its row. */
function requestsCard(test: TestView): Html | "" {
  const entries = Object.entries(test.by_request ?? {});
  if (entries.length === 0) return "";
  return html`<div class="card"><h2>Requests</h2><table><tr><th>request</th><th>sent</th><th>completed</th><th>errors</th><th>checks failed</th><th>bytes sent</th><th>bytes received</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>${entries.map(
    ([name, r]) => html`<tr><td>${name}</td><td>${formatCount(r.counts.sent)}</td><td>${formatCount(r.counts.completed)}</td><td>${formatCount(errorsOf(r.counts).total)}</td>
<td>${formatCount(r.check_failed)}</td><td>${formatCount(r.counts.bytes_sent)}</td><td>${formatCount(r.counts.bytes_received)}</td>
<td>${formatMs(r.metrics?.median)}</td><td>${formatMs(r.metrics?.p90)}</td><td>${formatMs(r.metrics?.p99)}</td><td>${formatMs(r.metrics?.max)}</td></tr>
${r.first_check_failure === null ? "" : html`<tr><td colspan="11" class="err">first check failure: ${r.first_check_failure}</td></tr>`}`,
  )}</table></div>`;
}

/** How a stop ended the test: who asked, why, the grace, aborted requests and drivers that never confirmed. */
function stopCard(test: TestView): Html | "" {
  const stop = test.stop;
  if (!stop) return "";
  const who = stop.by === "threshold" ? "an abort_on threshold" : stop.by === "restart" ? "an orchestrator restart" : "the user";
  const fired = stop.threshold ? html`<dt>threshold</dt><dd>${stop.threshold.expression} (observed ${String(stop.threshold.observed)} over ${stop.threshold.window_s} s)</dd>` : "";
  const unconfirmed = stop.unconfirmed?.length ? html`<dt>not confirmed by</dt><dd>${stop.unconfirmed.join(", ")}</dd>` : "";
  return html`<div class="card"><h2>Stopped</h2><dl>
<dt>reason</dt><dd>${stop.reason}</dd><dt>asked by</dt><dd>${who} at ${formatTimestamp(stop.requested_at)}</dd>
<dt>grace</dt><dd>${stop.grace_ms} ms</dd><dt>aborted in flight</dt><dd>${formatCount(test.metrics.counts.stopped ?? 0)}</dd>${fired}${unconfirmed}
</dl></div>`;
}

/**
 * A test's report as one self-contained HTML page: inline CSS and SVG charts of the
 * per-second series, no script and no external resource, so it opens from disk.
 */
export function reportHtml(test: TestView, series: TestSeries | null, generatedAt = Date.now(), distribution: TestDistribution | null = null): string {
  const m = test.metrics;
  const c = test.config;
  const points = series?.points ?? [];
  const rate = lineChart(rateLines(points, "#0f172a"), { yUnit: "/s", legend: true, title: "requests per second", width: 520, height: 260 });
  const latency = lineChart(latencyLines(points, { kind: "total" }, true), { yUnit: "ms", legend: true, title: "latency quantiles per second", width: 520, height: 260 });
  const percentiles = distribution ? distributionChart(distributionLines(distribution), { legend: true, width: 1040, height: 300 }) : null;
  const latencyRow = (name: string, ms: number | undefined) => html`<tr><td>${name}</td><td>${formatMs(ms)}</td></tr>`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Load test ${test.test_id}</title><style>${raw(STYLE)}</style></head>
<body><main>
<h1>Load test report <span class="badge ${test.state}">${test.state}</span></h1>
<div class="sub"><code>${test.test_id}</code> · ${c.test_type} · ${c.target_url ?? ""} · ${test.drivers.length} driver(s) · started ${formatTimestamp(test.start_at ?? test.created_at)}</div>
${test.error ? html`<div class="card err">${test.error}</div>` : ""}
${stopCard(test)}
<div class="tiles">
${tile("requests sent", formatCount(m.counts.sent))}${tile("completed", formatCount(m.counts.completed))}${tile("avg requests/s", formatRate(m.avg_requests_per_s))}
${tile("median latency", formatMs(m.latency?.median_latency))}${tile("p99 latency", formatMs(m.latency?.p99_latency))}${tile("errors", `${formatCount(m.errors.total)} (${formatPercent(m.errors.total, m.counts.sent)})`)}
${tile("duration", formatDuration(test.duration_ms))}
</div>
<div class="grid2"><div class="card"><h2>Requests per second</h2>${raw(rate)}</div><div class="card"><h2>Latency per second (all drivers)</h2>${raw(latency)}</div></div>
${percentiles ? html`<div class="card"><h2>Latency by percentile (merged digest, log scale)</h2>${raw(percentiles)}</div>` : ""}
${requestsCard(test)}
<div class="card"><h2>Drivers</h2><table><tr><th>driver</th><th>outcome</th><th>sent</th><th>completed</th><th>avg req/s</th><th>errors</th><th>late</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>${driverRows(test)}</table></div>
<div class="grid2">
<div class="card"><h2>Latency (whole test)</h2><table>${latencyRow("mean", m.latency?.mean_latency)}${latencyRow("min", m.latency?.min_latency)}${latencyRow("median", m.latency?.median_latency)}${latencyRow("p90", m.latency?.p90_latency)}${latencyRow("p95", m.latency?.p95_latency)}${latencyRow("p99", m.latency?.p99_latency)}${latencyRow("max", m.latency?.max_latency)}</table></div>
<div class="card"><h2>Errors by class</h2>${errorsTable(test)}</div>
</div>
<div class="card"><h2>Configuration</h2><dl>
<dt>type</dt><dd>${c.test_type}</dd><dt>requests per driver</dt><dd>${formatCount(c.message_count_per_driver)}</dd>
<dt>delay</dt><dd>${c.test_message_delay ? `${c.test_message_delay} ms` : "–"}</dd><dt>throughput cap</dt><dd>${c.target_throughput ? `${c.target_throughput}/s per driver` : "–"}</dd>
<dt>concurrency</dt><dd>${c.concurrency ?? "–"}</dd><dt>timeout</dt><dd>${c.timeout_ms ? `${c.timeout_ms} ms` : "–"}</dd>
${test.abort ? html`<dt>abort on</dt><dd>${test.abort.abort_on.join(", ")} (over ${test.abort.abort_window_s} s, after ${test.abort.abort_delay_s} s)</dd>` : ""}
<dt>late sends</dt><dd>${formatCount(m.late)}</dd><dt>start skew</dt><dd>${m.start_skew_ms === null ? "–" : `${m.start_skew_ms} ms`}</dd>
</dl></div>
<footer>Generated ${formatTimestamp(generatedAt)} by the load test orchestrator.</footer>
</main></body></html>
`;
  // No value above is a promise, so the tag's result is the finished page.
  if (page instanceof Promise) throw new Error("reportHtml: a value of the page was a promise");
  return page.toString();
}
