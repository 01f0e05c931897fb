// The dashboard's comparison panel and distribution reads: the base picker, the deltas table,
// and the reads that fill state.distribution, state.base and state.comparison. `rerender`
// redraws the charts (main.ts) once new data is in.
import type { Comparison } from "../../compare/compare.ts";
import type { TestDistribution } from "../../orchestrator/distribution.ts";
import type { TestSeries } from "../../orchestrator/series.ts";
import { renderBaseOptions, renderDeltas } from "./compare-view.ts";
import { $, getJson, state } from "./state.ts";

/** The base picker and the deltas table. */
export function renderCompare(): void {
  const shownId = state.shown?.test.test_id ?? null;
  $<HTMLSelectElement>("base-select").innerHTML = renderBaseOptions(state.history, shownId, state.base?.id ?? null);
  const ended = state.shown?.test.ended_at != null;
  $("compare-table").innerHTML = !state.base
    ? `<p class="muted">Pick a finished base test: its latency is overlaid dashed and the deltas show here.</p>`
    : !ended
      ? `<p class="muted">The deltas show once this test has ended.</p>`
      : state.comparison?.candidate === shownId && state.comparison?.base === state.base.id
        ? renderDeltas(state.comparison)
        : `<p class="muted">Comparing…</p>`;
}

/** Reads the shown test's distribution (and the comparison with the base once it has ended). */
export async function loadDistribution(testId: string, rerender: () => void): Promise<void> {
  state.distributionAt = Date.now();
  const dist = await getJson<TestDistribution>(`/tests/${encodeURIComponent(testId)}/distribution`);
  if (state.shown?.test.test_id !== testId) return;
  state.distribution = dist;
  rerender();
}

/** Reads the comparison of the shown test with the base, once both exist and the shown one has ended. */
export async function loadComparison(): Promise<void> {
  const shown = state.shown;
  const base = state.base;
  if (!shown || !base || shown.test.ended_at === null || base.id === shown.test.test_id) return;
  const query = new URLSearchParams({ base: base.id, candidate: shown.test.test_id });
  state.comparison = await getJson<Comparison>(`/tests/compare?${query}`);
  renderCompare();
}

/** Picks (or clears, with "") the base test. */
export async function selectBase(baseId: string, rerender: () => void): Promise<void> {
  state.comparison = null;
  if (baseId === "") {
    state.base = null;
    rerender();
    return;
  }
  const path = `/tests/${encodeURIComponent(baseId)}`;
  const [report, distribution] = await Promise.all([getJson<{ series: TestSeries | null }>(`${path}/report?format=json`), getJson<TestDistribution>(`${path}/distribution`)]);
  state.base = { id: baseId, points: report.series?.points ?? [], distribution };
  rerender();
  await loadComparison();
}
