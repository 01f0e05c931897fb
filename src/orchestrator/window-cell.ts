// What report windows add up to over one bucket of time (a second of a series, a second of an
// abort window): counts summed, digests merged, never averaged. Shared by the report series
// and the abort watch, so both put a window in the same second and add it up the same way.
import type { TDigest } from "tdigest";
import { addCounts, zeroCounts, type Counts, type Window } from "../protocol/index.ts";
import { addExact, createDigest, emptyExact, mergeDigest, type ExactStats } from "../stats/digest.ts";

/** Report windows added up: counts, their latency digest, and the exact count, sum, min and max. */
export interface WindowCell {
  counts: Counts;
  digest: TDigest;
  exact: ExactStats;
}

/** A cell with nothing in it. */
export function emptyWindowCell(): WindowCell {
  return { counts: zeroCounts(), digest: createDigest(), exact: emptyExact() };
}

/**
 * The bucket a report window belongs to: the one its midpoint falls in, counted from
 * `originMs` (the test's start), never before 0, so one-second windows land one per second
 * even with timer jitter.
 */
export function bucketOf(window: Pick<Window, "start_ms" | "end_ms">, originMs: number, bucketMs: number): number {
  return Math.max(0, Math.floor(((window.start_ms + window.end_ms) / 2 - originMs) / bucketMs));
}

/** Adds a report window's counts, latency digest and exact figures to `cell`. */
export function addWindow(cell: WindowCell, window: Window): void {
  addCounts(cell.counts, window.counts);
  mergeDigest(cell.digest, window.digest);
  if (window.counts.completed > 0) {
    addExact(cell.exact, { count: window.counts.completed, sum: window.latency_sum_ms, min: window.min_latency ?? Infinity, max: window.max_latency ?? -Infinity });
  }
}

/** Adds `from` to `into`; without `latency` only the counts (merging digests is the costly part). */
export function addCell(into: WindowCell, from: WindowCell, latency = true): void {
  addCounts(into.counts, from.counts);
  if (!latency) return;
  for (const c of from.digest.toArray()) into.digest.push_centroid({ mean: c.mean, n: c.n });
  addExact(into.exact, from.exact);
}
