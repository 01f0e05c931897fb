// The dashboard page's state and the two helpers every panel uses.
import type { SeriesPoint } from "../../orchestrator/series.ts";
import type { NodeView } from "../../orchestrator/registry.ts";
import type { TestView } from "../../orchestrator/snapshot.ts";
import type { TestSummary } from "../../orchestrator/test-summary.ts";
import type { Comparison } from "../../compare/compare.ts";
import type { TestDistribution } from "../../orchestrator/distribution.ts";

/** What the page shows: nodes, history, the shown test, its distribution and its base. */
export const state = {
  nodes: new Map<string, NodeView>(),
  history: [] as TestSummary[],
  shown: null as { test: TestView; points: SeriesPoint[] } | null,
  /** The user picked a past test: live tests do not take the panel over until "follow live". */
  pinned: false,
  scope: "total",
  /** The charts' time range in seconds, newest last (null: the whole test; see time-range.ts). */
  range: null as number | null,
  /** The shown test's latency by percentile (GET /tests/:id/distribution). */
  distribution: null as TestDistribution | null,
  distributionAt: 0,
  /** The base test picked to compare the shown one with: its series and distribution. */
  base: null as { id: string; points: SeriesPoint[]; distribution: TestDistribution | null } | null,
  comparison: null as Comparison | null,
  /** The request name picked on the latency chart ("" for all requests) and its series, once read. */
  request: "",
  requestSeries: null as { testId: string; name: string; points: SeriesPoint[]; at: number } | null,
};

/** The element with this id. */
export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** GET of a JSON answer; a non-2xx status throws. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}
