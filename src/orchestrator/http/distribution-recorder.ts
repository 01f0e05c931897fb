// Each test's aggregate, folded report by report as they are accepted (seeded once from the
// store), so `GET /tests/:id/distribution` and the dashboard's refresh during a long test cost
// one digest read, not a re-read of every stored report.
import type { Orchestrator } from "../orchestrator.ts";
import { applyReport, createAggregate, type TestAggregate } from "../aggregate.ts";
import { distributionOf, type TestDistribution } from "../distribution.ts";

/** Ended tests whose aggregate stays in memory; older ones are rebuilt from the store on demand. */
export const ENDED_AGGREGATES_KEPT = 16;

/** A test's distributions now, or null for an unknown test. */
export type DistributionRecorder = (testId: string) => TestDistribution | null;

const recorders = new WeakMap<Orchestrator, DistributionRecorder>();

/** The one recorder of an orchestrator (created on first use; it listens to accepted reports for as long as the orchestrator lives). */
export function distributionRecorderFor(orchestrator: Orchestrator): DistributionRecorder {
  let recorder = recorders.get(orchestrator);
  if (!recorder) {
    recorder = createRecorder(orchestrator);
    recorders.set(orchestrator, recorder);
  }
  return recorder;
}

function createRecorder(orchestrator: Orchestrator): DistributionRecorder {
  const aggregates = new Map<string, TestAggregate>();
  const ended: string[] = [];

  const remember = (testId: string) => {
    if (ended.includes(testId)) return;
    ended.push(testId);
    while (ended.length > ENDED_AGGREGATES_KEPT) aggregates.delete(ended.shift()!);
  };

  /** An aggregate seeded from the store: reports from before the recorder existed count too. */
  const aggregateFor = (testId: string): TestAggregate | null => {
    const known = aggregates.get(testId);
    if (known) return known;
    const view = orchestrator.getTest(testId);
    if (!view) return null;
    const agg = createAggregate(view.drivers);
    for (const { report, received_at } of orchestrator.reports(testId)) applyReport(agg, report, received_at);
    aggregates.set(testId, agg);
    if (view.ended_at !== null) remember(testId);
    return agg;
  };

  orchestrator.events.subscribe((event) => {
    if (event.type === "report") {
      // Only tests someone asked about are followed; a new one reads the store when first asked.
      const agg = aggregates.get(event.test_id);
      if (agg) applyReport(agg, event.report, event.received_at);
    } else if (event.type === "test_final") {
      remember(event.test_id);
    }
  });

  return (testId) => {
    const agg = aggregateFor(testId);
    return agg ? distributionOf(testId, agg) : null;
  };
}
