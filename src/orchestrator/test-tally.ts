// What a set of reports adds up to, in one place: the totals per driver (aggregate.ts) and the
// per-second series (series.ts), updated together by one call. LiveTest keeps one for the whole
// test and, beside it, one per request name (the scenario feature's per-request figures), all
// through this same code.
import type { MetricsReport } from "../protocol/index.ts";
import { applyReport, createAggregate, type ApplyResult, type TestAggregate } from "./aggregate.ts";
import { SeriesBuilder, type SeriesPoint, type TestSeries } from "./series.ts";

/** Totals and per-second series of one set of reports (a whole test, or one request name in it). */
export class TestTally {
  readonly aggregate: TestAggregate;
  private readonly builder: SeriesBuilder;

  constructor(testId: string, drivers: readonly string[], originMs: number | null = null) {
    this.aggregate = createAggregate(drivers);
    this.builder = new SeriesBuilder(testId, originMs);
  }

  /**
   * Folds one report into the totals and, once accepted (new, from a participant), into its
   * second of the series; `originMs` is the test's start (second 0), when known.
   */
  apply(report: MetricsReport, receivedAt: number, originMs: number | null): ApplyResult {
    const result = applyReport(this.aggregate, report, receivedAt);
    if (result === "accepted") this.builder.add(report, originMs, receivedAt);
    return result;
  }

  /** The series builder itself, for the compact store's snapshots (tally-state.ts). */
  get seriesBuilder(): SeriesBuilder {
    return this.builder;
  }

  /** The whole per-second series so far. */
  series(): TestSeries {
    return this.builder.series();
  }

  /** Each driver's figures of seconds `fromS` to `toS` (see SeriesBuilder.cells). */
  cells(fromS: number, toS: number): ReturnType<SeriesBuilder["cells"]> {
    return this.builder.cells(fromS, toS);
  }

  /** The newest `n` seconds (what a live update carries: a late window may still change them). */
  tail(n: number): SeriesPoint[] {
    return this.builder.tail(n);
  }
}

/**
 * Splits a report into the parts that belong to each request name (with the name's first
 * check failure, when it reported one), so each name gets totals and series through
 * {@link TestTally}, merged exactly like the whole test's.
 */
export type RequestSplitter = (report: MetricsReport) => [name: string, part: MetricsReport, firstCheckFailure?: string][];

/**
 * The scenario splitter: each `by_request` entry becomes a report of its own, with the whole
 * report's identity (node, instance, report id, sequence, final), so deduplication, ordering
 * and final totals work per name as for the test. A report without `by_request` gives none.
 */
export const splitByRequest: RequestSplitter = (report) => {
  if (report.by_request === undefined) return [];
  const { node_id, test_id, report_id, sequence, final, timestamp, instance_id } = report;
  return Object.entries(report.by_request).map(([name, entry]) => {
    const part: MetricsReport = {
      node_id,
      test_id,
      report_id,
      ...(sequence !== undefined ? { sequence } : {}),
      ...(final !== undefined ? { final } : {}),
      ...(timestamp !== undefined ? { timestamp } : {}),
      ...(instance_id !== undefined ? { instance_id } : {}),
      metrics: entry.metrics,
      counts: entry.counts,
      ...(entry.window ? { window: entry.window } : {}),
      ...(entry.total_digest ? { total_digest: entry.total_digest } : {}),
    };
    return entry.first_check_failure === undefined ? [name, part] : [name, part, entry.first_check_failure];
  });
};
