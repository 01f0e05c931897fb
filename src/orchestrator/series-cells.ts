// The cells of a per-second series (series.ts) and how a second's sample is computed from them.
import type { TDigest } from "tdigest";
import { zeroCounts, type MetricsReport, type SerializedDigest } from "../protocol/index.ts";
import { createDigest, mergeDigest, summarize } from "../stats/digest.ts";
import { errorsOf } from "./snapshot.ts";
import type { SeriesPoint, SeriesSample } from "./series.ts";
import { addCell, emptyWindowCell, type WindowCell } from "./window-cell.ts";

/**
 * A window that lands in a second restored as its point only (closed before a restart): its
 * counts and max are added exactly; the second's quantiles stay those stored (its digests are
 * gone). The whole-test figures are not affected: they come from the aggregate.
 */
export function addToFrozen(point: SeriesPoint, nodeId: string, window: NonNullable<MetricsReport["window"]>): void {
  const empty = (): SeriesSample => ({ requests_per_s: 0, sent: 0, completed: 0, errors: errorsOf(zeroCounts()), late: 0, p50: null, p90: null, p95: null, p99: null, max: null });
  for (const sample of [point.total, (point.drivers[nodeId] ??= empty())]) {
    const c = window.counts;
    sample.sent += c.sent;
    sample.completed += c.completed;
    sample.late += c.late;
    const e = errorsOf(c);
    sample.errors = { status_4xx: sample.errors.status_4xx + e.status_4xx, status_5xx: sample.errors.status_5xx + e.status_5xx, timeout: sample.errors.timeout + e.timeout, connection_error: sample.errors.connection_error + e.connection_error, total: sample.errors.total + e.total };
    if (window.max_latency != null && c.completed > 0) sample.max = Math.max(sample.max ?? -Infinity, window.max_latency);
  }
}

/** What the windows of one driver in one second add up to, and the time they cover. */
export interface Cell {
  counts: WindowCell["counts"];
  exact: WindowCell["exact"];
  duration_ms: number;
  /** The window digests merged into this cell, in the order they arrived. */
  windows: SerializedDigest[];
  /** Their merge, while the second is hot (null once it is not, until it is read again). */
  digest: TDigest | null;
}

/** A cell's merged digest: kept when `keep`, else built for this read only. */
export function digestOf(cell: Cell, keep: boolean): TDigest {
  if (cell.digest) return cell.digest;
  const digest = createDigest();
  for (const w of cell.windows) mergeDigest(digest, w);
  if (keep) cell.digest = digest;
  return digest;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** One second's sample from its cells (merged, never averaged) and its send rate. */
export function sampleOf(cells: WindowCell[], requestsPerS: number): SeriesSample {
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
    ...(counts.bytes_sent !== undefined ? { bytes_sent: counts.bytes_sent } : {}),
    ...(counts.bytes_received !== undefined ? { bytes_received: counts.bytes_received } : {}),
    ...(counts.check_failed !== undefined ? { check_failed: counts.check_failed } : {}),
  };
}


/**
 * The seconds from `fromS` to `toS` that have cells in `bySecond`, in order: by the range when it
 * is short, by the cells when the range is longer than their number (a driver whose clock is far
 * off puts windows millions of seconds away, and a loop over that range would take seconds).
 */
export function secondsWithCells(bySecond: ReadonlyMap<number, unknown>, fromS: number, toS: number): number[] {
  if (toS - fromS <= bySecond.size) {
    const out: number[] = [];
    for (let t = fromS; t <= toS; t++) if (bySecond.has(t)) out.push(t);
    return out;
  }
  return [...bySecond.keys()].filter((t) => t >= fromS && t <= toS).sort((a, b) => a - b);
}
