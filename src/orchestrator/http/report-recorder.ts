import type { Orchestrator } from "../orchestrator.ts";
import { SeriesBuilder, type SeriesPoint, type TestSeries } from "./report-series.ts";

/** Ended tests whose series stay in memory; older ones are rebuilt from the store on demand. */
export const ENDED_SERIES_KEPT = 16;

/** Per-second series of every test, live for running ones, from the store for the rest. */
export interface SeriesRecorder {
  /** The whole series so far, or null for an unknown test. */
  series(testId: string): TestSeries | null;
  /** The last `n` points (what a live update carries). */
  tail(testId: string, n: number): SeriesPoint[];
}

const recorders = new WeakMap<Orchestrator, SeriesRecorder>();

/**
 * The one recorder of an orchestrator (created on first use, then shared by SSE and reports):
 * it listens to accepted reports on the event hub for as long as the orchestrator lives.
 */
export function seriesRecorderFor(orchestrator: Orchestrator): SeriesRecorder {
  let recorder = recorders.get(orchestrator);
  if (!recorder) {
    recorder = createSeriesRecorder(orchestrator);
    recorders.set(orchestrator, recorder);
  }
  return recorder;
}

function createSeriesRecorder(orchestrator: Orchestrator): SeriesRecorder {
  const builders = new Map<string, SeriesBuilder>();
  const ended: string[] = [];

  /** A builder seeded from the store, so reports from before this recorder existed count too. */
  const builderFor = (testId: string): SeriesBuilder | null => {
    const known = builders.get(testId);
    if (known) return known;
    const view = orchestrator.getTest(testId);
    if (!view) return null;
    const origin = view.start_at ?? view.triggered_at;
    const builder = new SeriesBuilder(testId, origin);
    // Not triggered yet: nothing to remember, and the origin is still unknown.
    if (origin === null) return builder;
    for (const { report } of orchestrator.reports(testId)) builder.add(report);
    builders.set(testId, builder);
    if (view.ended_at !== null) remember(testId);
    return builder;
  };

  const remember = (testId: string) => {
    if (ended.includes(testId)) return;
    ended.push(testId);
    while (ended.length > ENDED_SERIES_KEPT) builders.delete(ended.shift()!);
  };

  orchestrator.events.subscribe((event) => {
    if (event.type === "report") {
      const builder = builders.get(event.test_id);
      // A new builder reads the store, which already holds this report.
      if (builder) builder.add(event.report);
      else builderFor(event.test_id);
    } else if (event.type === "test_final") {
      remember(event.test_id);
    }
  });

  return {
    series: (testId) => builderFor(testId)?.series() ?? null,
    tail: (testId, n) => builderFor(testId)?.tail(n) ?? [],
  };
}
