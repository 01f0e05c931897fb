// The dashboard's request selector (issue 11): which request name the latency chart shows,
// its per-second series read from the report endpoint, and the per-request table.
import type { SeriesPoint, TestSeries } from "../../orchestrator/series.ts";
import type { TestView } from "../../orchestrator/snapshot.ts";
import { renderRequestOptions, renderRequestTable, requestNamesOf } from "./request-view.ts";
import { $, getJson, state } from "./state.ts";

/** A live test's picked request series is re-read at most this often. */
const REQUEST_SERIES_REFRESH_MS = 2_000;

/** Shows the per-request table and the selector for `test` (hidden without a scenario); a vanished pick falls back to all requests. */
export function renderRequestPanel(test: TestView): void {
  const names = requestNamesOf(test);
  if (!names.includes(state.request)) state.request = "";
  $("requests").hidden = names.length === 0;
  $("request-table").innerHTML = renderRequestTable(test);
  const select = $<HTMLSelectElement>("request-select");
  select.hidden = names.length === 0;
  select.innerHTML = renderRequestOptions(names, state.request);
}

/** The points the latency chart shows: the picked request's once read, else the whole test's `points`. */
export function latencyPointsOf(testId: string, points: SeriesPoint[]): SeriesPoint[] {
  const picked = state.requestSeries;
  if (state.request === "" || !picked || picked.testId !== testId || picked.name !== state.request) return points;
  return picked.points;
}

/** Reads the picked request's series of test `testId`, then calls `rerender` (unless the pick changed meanwhile). */
export async function loadRequestSeries(testId: string, rerender: () => void): Promise<void> {
  const name = state.request;
  if (name === "") return;
  const at = Date.now();
  if (state.requestSeries?.testId === testId && state.requestSeries.name === name) state.requestSeries.at = at;
  const query = new URLSearchParams({ format: "json", request: name });
  const report = await getJson<{ series: TestSeries | null }>(`/tests/${encodeURIComponent(testId)}/report?${query}`);
  if (state.shown?.test.test_id !== testId || state.request !== name) return;
  state.requestSeries = { testId, name, points: report.series?.points ?? [], at };
  rerender();
}

/** Whether a live update should re-read the picked request's series. */
export function requestSeriesDue(testId: string): boolean {
  const picked = state.requestSeries;
  return state.request !== "" && (!picked || picked.testId !== testId || picked.name !== state.request || Date.now() - picked.at >= REQUEST_SERIES_REFRESH_MS);
}

/** Picking a request re-reads its series of the shown test and redraws. */
export function wireRequestSelect(rerender: () => void): void {
  $<HTMLSelectElement>("request-select").addEventListener("change", (ev) => {
    state.request = (ev.target as HTMLSelectElement).value;
    const testId = state.shown?.test.test_id;
    if (state.request === "" || !testId) rerender();
    else void loadRequestSeries(testId, rerender).catch(() => {});
  });
}
