// A test's per-second series: what its drivers' report windows add up to, second by second.
// Part of the core model next to the totals (aggregate.ts): LiveTest folds every accepted
// report into both, so a live test, a restarted one and an ended one all read it the same way.
import { reportKey, type MetricsReport } from "../protocol/index.ts";
import { summarize } from "../stats/digest.ts";
import { errorsOf, type ErrorsView } from "./snapshot.ts";
import { addCell, addWindow, bucketOf, emptyWindowCell, type WindowCell } from "./window-cell.ts";

/** Width of one point of a series: the brief's "metrics are updated every second". */
export const SERIES_BUCKET_MS = 1_000;

/** Points of the series each live update carries: the newest second may still change. */
export const LIVE_TAIL_POINTS = 3;

/** Ended tests whose series stay in memory; older ones are rebuilt from the stored reports on demand. */
export const ENDED_SERIES_KEPT = 16;

/** One second of one driver, or of every driver together. */
export interface SeriesSample {
  /** Sends per second during the second (sends over the reported window time). */
  requests_per_s: number;
  sent: number;
  completed: number;
  errors: ErrorsView;
  late: number;
  /** Latency quantiles of the requests completed in this second (ms); null when none completed. */
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Second `t_s` of a test (0 is the second that starts at the test's start time). */
export interface SeriesPoint {
  t_s: number;
  total: SeriesSample;
  drivers: Record<string, SeriesSample>;
}

/** A test's per-second series, oldest first. */
export interface TestSeries {
  test_id: string;
  origin_ms: number | null;
  bucket_ms: number;
  points: SeriesPoint[];
}

/** What the windows of one driver in one second add up to, and the time they cover. */
interface Cell extends WindowCell {
  duration_ms: number;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function sampleOf(cells: Cell[], requestsPerS: number): SeriesSample {
  const merged = emptyWindowCell();
  for (const cell of cells) addCell(merged, cell);
  const { counts, digest, exact } = merged;
  const latency = exact.count > 0 && digest.size() > 0 ? summarize(digest, exact) : null;
  return {
    requests_per_s: round(requestsPerS),
    sent: counts.sent,
    completed: counts.completed,
    errors: errorsOf(counts),
    late: counts.late,
    p50: latency?.median_latency ?? null,
    p90: latency?.p90_latency ?? null,
    p95: latency?.p95_latency ?? null,
    p99: latency?.p99_latency ?? null,
    max: latency ? latency.max_latency : null,
  };
}

const rateOf = (cell: Cell) => (cell.duration_ms > 0 ? (cell.counts.sent * 1000) / cell.duration_ms : 0);

/**
 * Builds a test's per-second series from its drivers' report windows. A window belongs to
 * the second its midpoint falls in, counted from `originMs` (the test's start time), so
 * one-second windows land one per second even with timer jitter. Each report is counted
 * once (by report_id within its driver process, see reportKey), in any order. Pure: no clock, no IO.
 */
export class SeriesBuilder {
  private readonly bySecond = new Map<number, Map<string, Cell>>();
  private readonly seen = new Set<string>();

  constructor(
    readonly testId: string,
    private originMs: number | null,
    private readonly bucketMs = SERIES_BUCKET_MS,
  ) {}

  /**
   * Folds a report's window in; false when it has none or was already counted. `originMs`
   * (the test's start) fixes second 0 if the builder was made before the test started;
   * without one the first window's start is second 0.
   */
  add(report: MetricsReport, originMs: number | null = null): boolean {
    const window = report.window;
    const key = reportKey(report);
    if (!window || this.seen.has(key)) return false;
    this.seen.add(key);
    this.originMs ??= originMs ?? window.start_ms;
    const bucket = bucketOf(window, this.originMs, this.bucketMs);
    const row = this.bySecond.get(bucket) ?? new Map<string, Cell>();
    this.bySecond.set(bucket, row);
    const cell = row.get(report.node_id) ?? { ...emptyWindowCell(), duration_ms: 0 };
    row.set(report.node_id, cell);
    addWindow(cell, window);
    cell.duration_ms += Math.max(1, window.end_ms - window.start_ms);
    return true;
  }

  /** Points from second `fromS` on (every point by default). */
  points(fromS = 0): SeriesPoint[] {
    return [...this.bySecond.keys()]
      .filter((t) => t >= fromS)
      .sort((a, b) => a - b)
      .map((t) => this.point(t));
  }

  /** The last `n` points: what a live update carries (a late window may still change them). */
  tail(n: number): SeriesPoint[] {
    const last = Math.max(-1, ...this.bySecond.keys());
    return this.points(last - n + 1);
  }

  /**
   * Each driver's figures of seconds `fromS` to `toS` (unmerged: one cell per driver per
   * second), for a reader that merges them itself, such as the abort judge.
   */
  cells(fromS: number, toS: number): (WindowCell & { t_s: number })[] {
    const out: (WindowCell & { t_s: number })[] = [];
    for (let t = fromS; t <= toS; t++) for (const cell of this.bySecond.get(t)?.values() ?? []) out.push({ t_s: t, counts: cell.counts, digest: cell.digest, exact: cell.exact });
    return out;
  }

  /** The whole series so far. */
  series(): TestSeries {
    return { test_id: this.testId, origin_ms: this.originMs, bucket_ms: this.bucketMs, points: this.points() };
  }

  private point(t: number): SeriesPoint {
    const row = this.bySecond.get(t)!;
    const drivers: Record<string, SeriesSample> = {};
    let totalRate = 0;
    for (const [nodeId, cell] of [...row].sort(([a], [b]) => a.localeCompare(b))) {
      const rate = rateOf(cell);
      totalRate += rate;
      drivers[nodeId] = sampleOf([cell], rate);
    }
    return { t_s: t, total: sampleOf([...row.values()], totalRate), drivers };
  }
}
