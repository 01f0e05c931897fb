// A TestTally as a snapshot keeps it (compact store, issue 14): the totals per driver with
// their digests in their exact state (stats/digest-state.ts), and the series' open seconds.
// The closed seconds are stored apart as points, and the report keys stay in the reports
// table, so a snapshot's size does not grow with the test's length.
import type { ExactStats } from "../stats/digest.ts";
import { digestFromState, digestState, type DigestState } from "../stats/digest-state.ts";
import type { DriverAggregate, TestAggregate } from "./aggregate.ts";
import type { SeriesOpenState, SeriesPoint } from "./series.ts";
import type { TestTally } from "./test-tally.ts";
import type { ReportKeySet } from "./report-key-set.ts";

/** ExactStats without infinities (JSON would turn them into null). */
type ExactState = { count: number; sum: number; min: number | null; max: number | null };

/** One driver process's totals, JSON-safe. */
export type DriverState = Omit<DriverAggregate, "window_digest" | "window_due_digest" | "window_exact"> & {
  window_digest: DigestState;
  window_due_digest: DigestState;
  window_exact: ExactState;
};

/** A tally's state in a snapshot (the report keys it has seen are not in it: see restoreTally). */
export interface TallyState {
  drivers: DriverState[];
  twins: [string, DriverState][];
  total: DigestState;
  total_due: DigestState;
  rebuild_totals: boolean;
  series: SeriesOpenState;
}

const exactState = (e: ExactStats): ExactState => ({ count: e.count, sum: e.sum, min: Number.isFinite(e.min) ? e.min : null, max: Number.isFinite(e.max) ? e.max : null });
const exactOf = (e: ExactState): ExactStats => ({ count: e.count, sum: e.sum, min: e.min ?? Infinity, max: e.max ?? -Infinity });

function driverState(d: DriverAggregate): DriverState {
  return { ...d, window_digest: digestState(d.window_digest), window_due_digest: digestState(d.window_due_digest), window_exact: exactState(d.window_exact) };
}

function driverOf(s: DriverState): DriverAggregate {
  return { ...s, window_digest: digestFromState(s.window_digest), window_due_digest: digestFromState(s.window_due_digest), window_exact: exactOf(s.window_exact) };
}

const cellExact = (cells: SeriesOpenState["cells"], encode: (e: ExactStats) => ExactStats | ExactState) =>
  cells.map((c) => ({ ...c, exact: encode(c.exact as ExactStats) as ExactStats }));

/**
 * A tally's state now, with its series closed through `closeThroughS`: the state, and the
 * points of the seconds closed now (or changed since closed) for the store to keep.
 */
export function tallyState(tally: TestTally, closeThroughS: number): { state: TallyState; points: SeriesPoint[] } {
  const points = tally.seriesBuilder.close(closeThroughS);
  const agg = tally.aggregate;
  const series = tally.seriesBuilder.openState();
  // Cloned through JSON when stored: the state must not share objects the live test still changes.
  return {
    state: {
      drivers: [...agg.drivers.values()].map(driverState),
      twins: [...agg.twins].map(([key, d]) => [key, driverState(d)]),
      total: digestState(agg.total),
      total_due: digestState(agg.total_due),
      rebuild_totals: agg.rebuild_totals,
      series: { ...series, cells: cellExact(series.cells, exactState) },
    },
    points,
  };
}

/** Puts `state` into a new, empty tally, with the keys of the reports it had counted. */
export function restoreTally(tally: TestTally, state: TallyState, points: Iterable<SeriesPoint>, seen: ReportKeySet): void {
  const agg: TestAggregate = tally.aggregate;
  agg.drivers.clear();
  for (const d of state.drivers) agg.drivers.set(d.node_id, driverOf(d));
  for (const [key, d] of state.twins) agg.twins.set(key, driverOf(d));
  agg.total = digestFromState(state.total);
  agg.total_due = digestFromState(state.total_due);
  agg.rebuild_totals = state.rebuild_totals;
  agg.seen = seen.clone();
  const cells = state.series.cells.map((c) => ({ ...c, exact: exactOf(c.exact as unknown as ExactState) }));
  tally.seriesBuilder.restoreState({ ...state.series, cells }, points, seen);
}
