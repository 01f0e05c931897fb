// The dashboard in the browser: one EventSource on /events for nodes and live tests, REST for
// the history, reports and starting tests. Rendering is in render.ts and chart.ts (pure).
import type { BusHealth } from "../../orchestrator/bus-health.ts";
import type { SeriesPoint, TestSeries } from "../../orchestrator/series.ts";
import type { NodeView } from "../../orchestrator/registry.ts";
import type { TestView } from "../../orchestrator/snapshot.ts";
import type { TestSummary } from "../../orchestrator/test-summary.ts";
import { renderBusBanner } from "./bus-banner.ts";
import { baseLatencyLines } from "./compare-view.ts";
import { loadComparison, loadDistribution, renderCompare, selectBase } from "./compare-panel.ts";
import { distributionChart, distributionLines } from "./distribution-chart.ts";
import { lineChart } from "./chart.ts";
import { driversOf, latencyLines, mergePoints, rateLines, type LatencyScope } from "./chart-data.ts";
import { plannedLines } from "./planned-line.ts";
import { renderDriverTable, renderErrors, renderHistory, renderLegend, renderNodes, renderScopeButtons, renderSummary, renderTestHead, renderTiles, progressFraction } from "./render.ts";
import { summarizeTest } from "../../orchestrator/test-summary.ts";
import { pointsInRange, rangeOf, renderRangeButtons } from "./time-range.ts";
import { askTokenIfMissing, wireTokenDialog } from "./token.ts";
import { renderTlsWarning } from "./scenario-editor.ts";
import { startTest, stopTest } from "./test-actions.ts";
import { $, getJson, state } from "./state.ts";
import { latencyPointsOf, loadRequestSeries, renderRequestPanel, requestSeriesDue, wireRequestSelect } from "./request-series.ts";

const HISTORY_LIMIT = 15;
/** Heartbeats are not streamed (only joins, deaths and leaves are): the node list is re-read this often. */
const NODES_REFRESH_MS = 2_000;
/** A running test's percentile distribution is re-read at most this often. */
const DISTRIBUTION_REFRESH_MS = 5_000;

function renderNodesPanel(): void {
  const nodes = [...state.nodes.values()];
  $("drivers").innerHTML = renderNodes(nodes, Date.now());
  const alive = nodes.filter((n) => n.status === "alive").length;
  $("drivers-count").textContent = `${alive} alive of ${nodes.length}`;
}

/** Shows or hides the degraded-bus banner. */
function renderBus(health: BusHealth | undefined): void {
  const banner = $("bus-banner");
  const html = renderBusBanner(health);
  banner.innerHTML = html;
  banner.hidden = html === "";
}

function renderCharts(): void {
  const shown = state.shown;
  if (!shown) return;
  const points = pointsInRange(shown.points, state.range);
  const drivers = driversOf(points).length > 0 ? driversOf(points) : [...shown.test.drivers].sort();
  if (state.scope !== "total" && !drivers.includes(state.scope)) state.scope = "total";
  const rate = [...rateLines(points), ...plannedLines(shown.test.planned_rps, points, state.range === null)];
  const scope: LatencyScope = state.scope === "total" ? { kind: "total" } : { kind: "driver", node_id: state.scope };
  // The base's overlay covers the same seconds as the chosen range.
  const from = points[0]?.t_s ?? 0;
  const basePoints = state.base ? (state.range === null ? state.base.points : state.base.points.filter((p) => p.t_s >= from && p.t_s <= (points.at(-1)?.t_s ?? from))) : [];
  const latency = [...(state.base && scope.kind === "total" ? baseLatencyLines(basePoints) : []), ...latencyLines(pointsInRange(latencyPointsOf(shown.test.test_id, shown.points), state.range), scope)];
  $("rate-chart").innerHTML = lineChart(rate, { yUnit: "/s", title: "requests per second", height: 250 });
  $("rate-legend").innerHTML = renderLegend(rate);
  $("latency-chart").innerHTML = lineChart(latency, { yUnit: "ms", title: "latency per second", height: 250 });
  $("latency-legend").innerHTML = renderLegend(latency);
  $("scope").innerHTML = renderScopeButtons(drivers, state.scope);
  $("time-range").innerHTML = renderRangeButtons(state.range);
  const dist = state.distribution?.test_id === shown.test.test_id ? state.distribution : null;
  const distLines = dist ? distributionLines(dist, state.base?.distribution ?? null) : [];
  $("distribution-chart").innerHTML = distributionChart(distLines, { height: 250 });
  $("distribution-legend").innerHTML = renderLegend(distLines);
  renderCompare();
}

function renderTest(): void {
  const shown = state.shown;
  if (!shown) return;
  const { test } = shown;
  $("test-head").innerHTML = renderTestHead(test, !state.pinned);
  $("tls-warning").innerHTML = renderTlsWarning(test.config);
  $("test-body").hidden = false;
  $("progress-fill").style.width = `${progressFraction(test) * 100}%`;
  $("tiles").innerHTML = renderTiles(test);
  $("driver-table").innerHTML = renderDriverTable(test);
  $("errors").innerHTML = renderErrors(test);
  renderRequestPanel(test);
  const ended = test.ended_at !== null;
  $("summary").hidden = !ended;
  $("summary").innerHTML = ended ? renderSummary(test) : "";
  renderCharts();
}

function renderHistoryPanel(): void {
  $("history").innerHTML = renderHistory(state.history, state.shown?.test.test_id ?? null);
  renderCompare();
}

async function refreshNodes(): Promise<void> {
  const { nodes } = await getJson<{ nodes: NodeView[] }>("/nodes");
  state.nodes = new Map(nodes.map((n) => [n.node_id, n]));
  renderNodesPanel();
}

async function refreshHistory(): Promise<void> {
  const page = await getJson<{ tests: TestSummary[] }>(`/tests?limit=${HISTORY_LIMIT}`);
  state.history = page.tests;
  renderHistoryPanel();
}

/** Shows a test with its whole series (from the report endpoint). */
async function showTest(testId: string, pinned: boolean): Promise<void> {
  const report = await getJson<{ test: TestView; series: TestSeries | null }>(`/tests/${encodeURIComponent(testId)}/report?format=json`);
  state.pinned = pinned;
  if (state.shown?.test.test_id !== testId) $("stop-error").textContent = "";
  state.shown = { test: report.test, points: report.series?.points ?? [] };
  if (state.base?.id === testId) state.base = null;
  renderTest();
  renderHistoryPanel();
  await Promise.all([loadDistribution(testId, renderCharts), loadComparison(), loadRequestSeries(testId, renderCharts)]);
}

/** A live update: the shown test moves on, or a new running test takes the panel (unless pinned). */
function onLive(test: TestView, points: SeriesPoint[], full: boolean): void {
  const row = state.history.findIndex((t) => t.test_id === test.test_id);
  if (row >= 0) {
    state.history[row] = summarizeTest(test);
    renderHistoryPanel();
  }
  const shown = state.shown;
  if (shown && shown.test.test_id === test.test_id) {
    shown.test = test;
    shown.points = full ? points : mergePoints(shown.points, points);
  } else if (!state.pinned && test.state === "running") {
    state.shown = { test, points };
    renderHistoryPanel();
  } else {
    return;
  }
  renderTest();
  if (Date.now() - state.distributionAt >= DISTRIBUTION_REFRESH_MS) void loadDistribution(test.test_id, renderCharts).catch(() => {});
  if (requestSeriesDue(test.test_id)) void loadRequestSeries(test.test_id, renderCharts).catch(() => {});
}

function connect(): void {
  const conn = $("conn");
  const source = new EventSource("/events");
  source.addEventListener("open", () => {
    conn.textContent = "live";
    conn.className = "pill pill-ok";
  });
  source.addEventListener("error", () => {
    conn.textContent = "reconnecting…";
    conn.className = "pill pill-bad";
  });
  source.addEventListener("state", (ev) => {
    const data = JSON.parse((ev as MessageEvent<string>).data) as { nodes: NodeView[]; tests: { test: TestView; points: SeriesPoint[] }[]; bus?: BusHealth };
    state.nodes = new Map(data.nodes.map((n) => [n.node_id, n]));
    renderNodesPanel();
    renderBus(data.bus);
    for (const { test, points } of data.tests) onLive(test, points, true);
  });
  source.addEventListener("bus", (ev) => renderBus(JSON.parse((ev as MessageEvent<string>).data) as BusHealth));
  source.addEventListener("node", (ev) => {
    const { event, node } = JSON.parse((ev as MessageEvent<string>).data) as { event: string; node: NodeView };
    if (event === "forgotten" || event === "deleted") state.nodes.delete(node.node_id);
    else state.nodes.set(node.node_id, node);
    renderNodesPanel();
  });
  source.addEventListener("snapshot", (ev) => {
    const { test, points } = JSON.parse((ev as MessageEvent<string>).data) as { test: TestView; points: SeriesPoint[] };
    const isNew = !state.history.some((t) => t.test_id === test.test_id);
    onLive(test, points, false);
    if (isNew) void refreshHistory();
  });
  source.addEventListener("final", (ev) => {
    const { test } = JSON.parse((ev as MessageEvent<string>).data) as { test: TestView };
    void refreshHistory();
    // The report carries the complete series, including windows that came with the final reports.
    if (state.shown?.test.test_id === test.test_id) void showTest(test.test_id, state.pinned);
  });
}

/** The start form: the new test takes the panel. */
function startFromForm(form: HTMLFormElement): Promise<void> {
  return startTest(form, $("form-error"), $<HTMLButtonElement>("start-button"), (test) => {
    state.pinned = false;
    state.shown = { test, points: [] };
    renderTest();
    void refreshHistory();
  });
}

/** The Stop button: "stopping…" until the final event brings the stopped result. */
function stopFromButton(testId: string, button: HTMLButtonElement): Promise<void> {
  return stopTest(testId, $("stop-error"), button, (test) => {
    if (state.shown?.test.test_id !== testId) return;
    state.shown.test = test;
    renderTest();
  });
}

function wire(): void {
  const form = $<HTMLFormElement>("start-form");
  const type = $<HTMLSelectElement>("f-type");
  const delay = $<HTMLInputElement>("f-delay");
  const syncDelay = () => {
    const tsunami = type.value === "TSUNAMI";
    delay.disabled = !tsunami;
    delay.required = tsunami;
    delay.placeholder = tsunami ? "e.g. 10" : "Tsunami only";
    if (tsunami && delay.value === "") delay.value = "10";
  };
  type.addEventListener("change", syncDelay);
  syncDelay();
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void startFromForm(form);
  });
  $("history").addEventListener("click", (ev) => {
    const row = (ev.target as HTMLElement).closest<HTMLElement>("tr[data-test]");
    if (row?.dataset.test) void showTest(row.dataset.test, true);
  });
  $("test-card").addEventListener("click", (ev) => {
    const target = ev.target as HTMLElement;
    const scope = target.closest<HTMLElement>("button[data-scope]")?.dataset.scope;
    if (scope) {
      state.scope = scope;
      renderCharts();
    }
    const range = rangeOf(target.closest<HTMLElement>("button[data-range]")?.dataset.range ?? "");
    if (range !== undefined) {
      state.range = range;
      renderCharts();
    }
    const stop = target.closest<HTMLButtonElement>("#stop-test");
    if (stop?.dataset.test) void stopFromButton(stop.dataset.test, stop);
    if (target.id === "follow-live") {
      state.pinned = false;
      const running = state.history.find((t) => t.state === "running");
      if (running) void showTest(running.test_id, false);
      else renderTest();
    }
  });
  $<HTMLSelectElement>("base-select").addEventListener("change", (ev) => void selectBase((ev.target as HTMLSelectElement).value, renderCharts).catch(() => {}));
  wireTokenDialog();
  wireRequestSelect(renderCharts);
  // "3 s ago" labels age between events.
  setInterval(renderNodesPanel, 1000);
  // A failed read shows in the connection pill (the EventSource fails too); the next one retries.
  setInterval(() => void refreshNodes().catch(() => {}), NODES_REFRESH_MS);
}

wire();
connect();
void refreshHistory().then(() => {
  const latest = state.history[0];
  if (!state.shown && latest && latest.state !== "created") void showTest(latest.test_id, false);
});
askTokenIfMissing();
