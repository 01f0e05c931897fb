import { TDigest } from "tdigest";
import type { LatencySummary, SerializedDigest } from "../protocol/index.ts";

/** Compression of every digest: at most ~1/δ centroids' worth of mass each, 1% rank error bound. */
export const DIGEST_DELTA = 0.01;

/** A new, empty latency digest (milliseconds). */
export function createDigest(): TDigest {
  return new TDigest(DIGEST_DELTA);
}

/** Means are kept to the microsecond on the wire: enough for latency, and short JSON. */
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** A digest's centroids, sorted by mean, as the wire form. */
export function serializeDigest(digest: TDigest): SerializedDigest {
  const centroids = digest.toArray();
  const means = new Array<number>(centroids.length);
  const counts = new Array<number>(centroids.length);
  for (let i = 0; i < centroids.length; i++) {
    means[i] = round3(centroids[i]!.mean);
    counts[i] = centroids[i]!.n;
  }
  return { means, counts };
}

/**
 * Adds a serialized digest's centroids into `into`, in mean order. This is the only merge:
 * percentiles across drivers come from merged digests, never from averaged percentiles, and
 * we never `compress()` after a merge (it reshuffles and loses accuracy).
 *
 * Each merge ends with the centroids' cumulative counts brought up to date. tdigest 0.1.x
 * refreshes them lazily (after 10% growth, or on a percentile read), and its next merges read
 * them: without this, reading a digest's percentiles between two merges would change how the
 * second one merges, so a digest rebuilt from the same windows (a restart, a cold second of the
 * series) could differ from the one that was read while it grew. With it, a digest is a function
 * of its merges alone, and a read changes nothing.
 */
export function mergeDigest(into: TDigest, digest: SerializedDigest): void {
  const { means, counts } = digest;
  for (let i = 0; i < means.length; i++) into.push_centroid({ mean: means[i]!, n: counts[i]! });
  (into as unknown as { _cumulate(exact: boolean): void })._cumulate(true);
}

/** Exact running figures kept beside a digest: the digest only estimates quantiles. */
export interface ExactStats {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Exact figures of no latency at all: min and max start at the infinities so any value replaces them. */
export const emptyExact = (): ExactStats => ({ count: 0, sum: 0, min: Infinity, max: -Infinity });

/** Folds `b` into `a`. */
export function addExact(a: ExactStats, b: ExactStats): void {
  a.count += b.count;
  a.sum += b.sum;
  if (b.min < a.min) a.min = b.min;
  if (b.max > a.max) a.max = b.max;
}

/** The brief's latency summary plus p90/p95/p99: mean, min, max exact; quantiles from the digest. */
export function summarize(digest: TDigest, exact: ExactStats): LatencySummary {
  if (exact.count === 0 || digest.size() === 0) {
    return { mean_latency: 0, median_latency: 0, min_latency: 0, max_latency: 0, p90_latency: 0, p95_latency: 0, p99_latency: 0 };
  }
  const [p50, p90, p95, p99] = digest.percentile([0.5, 0.9, 0.95, 0.99]) as number[];
  // Interpolated quantiles can stray past the exact extremes; clamp them into [min, max].
  const clamp = (x: number | undefined) => round3(Math.min(exact.max, Math.max(exact.min, x ?? 0)));
  return {
    mean_latency: round3(exact.sum / exact.count),
    median_latency: clamp(p50),
    min_latency: round3(exact.min),
    max_latency: round3(exact.max),
    p90_latency: clamp(p90),
    p95_latency: clamp(p95),
    p99_latency: clamp(p99),
  };
}
