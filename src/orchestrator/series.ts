// A test's per-second series: what its drivers' report windows add up to, second by second.
// Part of the core model next to the totals (aggregate.ts): LiveTest folds every accepted
// report into both, so a live test, a restarted one and an ended one all read it the same way.
import { addCounts, reportKey, zeroCounts, type MetricsReport } from "../protocol/index.ts";
import { addExact, emptyExact, mergeDigest } from "../stats/digest.ts";
import { bucketOf, type WindowCell } from "./window-cell.ts";
import { addToFrozen, digestOf, sampleOf, secondsWithCells, type Cell } from "./series-cells.ts";
import { MAX_ABORT_WINDOW_S } from "./abort/abort-config.ts";
import { ReportKeySet } from "./report-key-set.ts";
import { FrozenPoints } from "./series-frozen.ts";

/** Width of one point of a series: the brief's "metrics are updated every second". */
export const SERIES_BUCKET_MS = 1_000;

/** Points of the series each live update carries: the newest second may still change. */
export const LIVE_TAIL_POINTS = 3;

/** Ended tests whose series stay in memory; older ones are rebuilt from the stored reports on demand. */
export const ENDED_SERIES_KEPT = 16;

export type { SeriesSample, SeriesPoint, TestSeries, SeriesOpenState } from "./series-types.ts";
import type { SeriesOpenState, SeriesPoint, SeriesSample, TestSeries } from "./series-types.ts";

/**
 * Seconds, counted back from the present second (the orchestrator's clock, see
 * `receivedBucket`), whose cells keep their merged digest in memory (the live tail and the
 * abort watch's usual windows read them). An older cell keeps only the window
 * digests it was built from, as received (a few KB, not a tree of centroid objects), and
 * rebuilds its digest on demand by the same merges in the same order: exactly the same digest.
 */
export const HOT_SECONDS = 60;

/**
 * Seconds, counted back from the present second, whose cells stay in memory once closed (stored as
 * their point by the compact store): longer than the longest abort window, which judges cells.
 * An older closed second keeps only its point, as a restored one does (see `frozen`), so a
 * running test's memory does not grow with its length. A late window into such a second adds
 * its counts and max exactly and keeps the second's quantiles; the whole-test figures come
 * from the aggregate and are not affected.
 */
export const CELL_SECONDS = MAX_ABORT_WINDOW_S + 30;

const rateOf = (cell: Cell) => (cell.duration_ms > 0 ? (cell.counts.sent * 1000) / cell.duration_ms : 0);

/**
 * Builds a test's per-second series from its drivers' report windows. A window belongs to
 * the second its midpoint falls in, counted from `originMs` (the test's start time), so
 * one-second windows land one per second even with timer jitter. Each report is counted
 * once (by report_id within its driver process, see reportKey), in any order. Pure: no clock, no IO.
 */
export class SeriesBuilder {
  private readonly bySecond = new Map<number, Map<string, Cell>>();
  private seen = new ReportKeySet();
  /**
   * Each second's point once computed, until a window lands in that second: the quantiles of a
   * second are computed once (live tails compute them as the test runs), not on every read, so
   * an hours-long series is served without re-merging every cell's digest. Exact: any change to
   * a second drops its point.
   */
  private readonly computed = new Map<number, SeriesPoint>();
  /** The newest second with a window (-1: none yet). */
  private lastBucket = -1;
  /**
   * The present second on the orchestrator's clock: that of the newest report's receive time
   * (-1: no receive time given yet, then the newest window's second stands in). Which seconds
   * keep their digests and cells is judged from it, so a driver whose clock is far off (its
   * windows seconds or years ahead) does not take the real seconds' cells away.
   */
  private receivedBucket = -1;
  /** Cells of seconds up to this one have dropped their digests (see HOT_SECONDS). */
  private cooledThrough = -1;
  /** Compact store (series-state.ts): seconds up to this one are stored as points. */
  private closedThrough = -1;
  /** Closed seconds a late window changed since they were stored (stored again at the next close). */
  private readonly reopened = new Set<number>();
  /** Seconds whose cells were dropped for their point (see freeze). */
  private dropped = 0;
  /** Seconds kept as their stored point only, without cells: restored ones (see series-state.ts) and closed ones older than `cellSeconds`. */
  private readonly frozen = new FrozenPoints();

  constructor(
    readonly testId: string,
    private originMs: number | null,
    private readonly bucketMs = SERIES_BUCKET_MS,
    private readonly hotSeconds = HOT_SECONDS,
    private readonly cellSeconds = CELL_SECONDS,
  ) {}

  /**
   * Folds a report's window in; false when it has none or was already counted. `originMs`
   * (the test's start) fixes second 0 if the builder was made before the test started;
   * without one the first window's start is second 0. `receivedAt`: the orchestrator's time
   * of receipt (see `receivedBucket`).
   */
  add(report: MetricsReport, originMs: number | null = null, receivedAt?: number): boolean {
    const window = report.window;
    const key = reportKey(report);
    if (!window || this.seen.has(key)) return false;
    this.seen.add(key);
    this.originMs ??= originMs ?? window.start_ms;
    const bucket = bucketOf(window, this.originMs, this.bucketMs);
    if (receivedAt !== undefined) this.receivedBucket = Math.max(this.receivedBucket, Math.floor((receivedAt - this.originMs) / this.bucketMs));
    this.computed.delete(bucket);
    if (bucket > this.lastBucket) this.lastBucket = bucket;
    if (bucket <= this.closedThrough) this.reopened.add(bucket);
    if (!this.bySecond.has(bucket) && this.frozen.has(bucket)) {
      const frozen = this.frozen.get(bucket)!;
      addToFrozen(frozen, report.node_id, window);
      this.frozen.set(frozen);
      return true;
    }
    const row = this.bySecond.get(bucket) ?? new Map<string, Cell>();
    this.bySecond.set(bucket, row);
    const cell = row.get(report.node_id) ?? { counts: zeroCounts(), exact: emptyExact(), duration_ms: 0, windows: [], digest: null };
    row.set(report.node_id, cell);
    // What addWindow (window-cell.ts) does, with the digest kept as its windows while cold.
    addCounts(cell.counts, window.counts);
    cell.windows.push(window.digest);
    if (cell.digest) mergeDigest(cell.digest, window.digest);
    if (window.counts.completed > 0) {
      addExact(cell.exact, { count: window.counts.completed, sum: window.latency_sum_ms, min: window.min_latency ?? Infinity, max: window.max_latency ?? -Infinity });
    }
    cell.duration_ms += Math.max(1, window.end_ms - window.start_ms);
    this.cool();
    return true;
  }

  /** The present second: by the orchestrator's clock when known (see `receivedBucket`). */
  private get presentSecond(): number {
    return this.receivedBucket >= 0 ? this.receivedBucket : this.lastBucket;
  }

  private isHot(t: number): boolean {
    return t > this.presentSecond - this.hotSeconds;
  }

  /** Drops the digests of the seconds that just left the hot window (they keep their windows). */
  private cool(): void {
    const through = this.presentSecond - this.hotSeconds;
    for (const t of secondsWithCells(this.bySecond, this.cooledThrough + 1, through)) for (const cell of this.bySecond.get(t)!.values()) cell.digest = null;
    this.cooledThrough = Math.max(this.cooledThrough, through);
  }

  /** A cell with its digest (kept if its second is hot). */
  private full(cell: Cell, t: number): WindowCell {
    return { counts: cell.counts, digest: digestOf(cell, this.isHot(t)), exact: cell.exact };
  }

  /** Points from second `fromS` on (every point by default). */
  points(fromS = 0): SeriesPoint[] {
    const seconds = new Set(this.frozen.secondsIn(fromS, Infinity));
    for (const t of this.bySecond.keys()) if (t >= fromS) seconds.add(t);
    return [...seconds].sort((a, b) => a - b).map((t) => this.point(t));
  }

  /** The last `n` points: what a live update carries (a late window may still change them). */
  tail(n: number): SeriesPoint[] {
    // The newest second is tracked, not spread out of the keys: a day-long series has 86,400.
    const out: SeriesPoint[] = [];
    for (let t = Math.max(0, this.lastBucket - n + 1); t <= this.lastBucket; t++) if (this.bySecond.has(t) || this.frozen.has(t)) out.push(this.point(t));
    return out;
  }

  /**
   * Each driver's figures of seconds `fromS` to `toS` (unmerged: one cell per driver per
   * second), for a reader that merges them itself, such as the abort judge.
   */
  cells(fromS: number, toS: number): (WindowCell & { t_s: number; node_id: string })[] {
    const out: (WindowCell & { t_s: number; node_id: string })[] = [];
    for (const t of secondsWithCells(this.bySecond, fromS, toS)) for (const [node_id, cell] of this.bySecond.get(t)!) out.push({ t_s: t, node_id, ...this.full(cell, t) });
    return out;
  }

  /** The whole series so far. */
  series(): TestSeries {
    return { test_id: this.testId, origin_ms: this.originMs, bucket_ms: this.bucketMs, points: this.points() };
  }

  /** Second `t`'s point, computed once per change (see `computed`); callers must not modify it. */
  private point(t: number): SeriesPoint {
    if (!this.bySecond.has(t) && this.frozen.has(t)) return this.frozen.get(t)!;
    let point = this.computed.get(t);
    if (!point) this.computed.set(t, (point = this.computePoint(t)));
    return point;
  }

  /**
   * Closes the seconds up to `throughS` (compact store): returns the points of the seconds
   * closed now and of the closed ones a late window changed since, for the store to keep.
   */
  close(throughS: number): SeriesPoint[] {
    const changed = new Set(this.reopened);
    this.reopened.clear();
    // Only the seconds that hold something: a driver whose clock is far off puts its windows
    // millions of seconds from the origin, and a loop over the range would never end.
    for (const t of [...this.bySecond.keys(), ...this.frozen.secondsIn(this.closedThrough + 1, throughS)]) if (t > this.closedThrough && t <= throughS) changed.add(t);
    this.closedThrough = Math.max(this.closedThrough, throughS);
    const points = [...changed].filter((t) => this.bySecond.has(t) || this.frozen.has(t)).sort((a, b) => a - b).map((t) => this.point(t));
    this.freeze();
    return points;
  }

  /**
   * Keeps only the point of each closed (so stored) second with cells more than `cellSeconds`
   * from the present second (before it, or after it: a far-off clock's), and drops its cells
   * and window digests: see CELL_SECONDS. Visits the cells, not the range (they are few).
   */
  private freeze(): void {
    const present = this.presentSecond;
    for (const t of [...this.bySecond.keys()]) {
      if (t > this.closedThrough || (t > present - this.cellSeconds && t <= present + this.cellSeconds)) continue;
      this.frozen.set(this.point(t));
      this.bySecond.delete(t);
      this.computed.delete(t);
      this.dropped++;
    }
  }

  /** How many seconds have dropped their cells for their point so far (see CELL_SECONDS). */
  get droppedSeconds(): number {
    return this.dropped;
  }

  /** The newest second with a window (-1: none yet). */
  get newestSecond(): number {
    return this.lastBucket;
  }

  /** What a snapshot keeps of the series: its clock, and the cells of the seconds not closed yet. */
  openState(): SeriesOpenState {
    const cells: SeriesOpenState["cells"] = [];
    for (const [t, row] of this.bySecond) {
      if (t <= this.closedThrough) continue;
      for (const [node_id, cell] of row) cells.push({ t_s: t, node_id, counts: cell.counts, exact: cell.exact, duration_ms: cell.duration_ms, windows: cell.windows });
    }
    return { origin_ms: this.originMs, last_bucket: this.lastBucket, closed_through: this.closedThrough, cells };
  }

  /**
   * Restores a builder made empty: the closed seconds as their stored points, the open ones from
   * their cells (their digests rebuilt by the same merges in the same order), and the keys of
   * every report already counted.
   */
  restoreState(state: SeriesOpenState, points: Iterable<SeriesPoint>, seen: ReportKeySet): void {
    this.originMs = state.origin_ms;
    this.lastBucket = state.last_bucket;
    this.closedThrough = state.closed_through;
    this.cooledThrough = Math.max(-1, state.last_bucket - this.hotSeconds);
    for (const point of points) this.frozen.set(point);
    for (const c of state.cells) {
      const row = this.bySecond.get(c.t_s) ?? new Map<string, Cell>();
      this.bySecond.set(c.t_s, row);
      row.set(c.node_id, { counts: c.counts, exact: c.exact, duration_ms: c.duration_ms, windows: c.windows, digest: null });
    }
    this.seen = seen.clone();
  }
  /** Adds one stored point of a closed second to a restored builder (a restore streams them in). */
  restorePoint(point: SeriesPoint): void {
    this.frozen.set(point);
  }


  private computePoint(t: number): SeriesPoint {
    const row = this.bySecond.get(t)!;
    const drivers: Record<string, SeriesSample> = {};
    let totalRate = 0;
    // Each cell's digest built at most once for this point (row order kept for the total).
    const full = new Map([...row].map(([nodeId, cell]) => [nodeId, this.full(cell, t)]));
    for (const [nodeId, cell] of [...row].sort(([a], [b]) => a.localeCompare(b))) {
      const rate = rateOf(cell);
      totalRate += rate;
      drivers[nodeId] = sampleOf([full.get(nodeId)!], rate);
    }
    return { t_s: t, total: sampleOf([...full.values()], totalRate), drivers };
  }
}
