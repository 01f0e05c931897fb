// Latency by percentile, as HdrHistogram's plotter and `wrk2 --latency` show it: percentiles
// from p0 to p99.99 spaced evenly on a log-scaled 1/(1−p) axis, read from one merged digest.
import type { TDigest } from "tdigest";

/** Deepest percentile of a distribution, in nines: 4 is p99.99 (1/(1−p) = 10^4). */
export const DISTRIBUTION_NINES = 4;
/** Points per decade of the 1/(1−p) axis: 20 gives 81 points from p0 to p99.99. */
export const DISTRIBUTION_POINTS_PER_DECADE = 20;

/** One point of a distribution: the latency below which `percentile` % of requests completed. */
export interface DistributionPoint {
  /** 0..99.99 (percent). */
  percentile: number;
  /** 1/(1−p): the position on the log axis (1 at p0, 10 at p90, 100 at p99, ...). */
  x: number;
  latency_ms: number;
}

/** A latency distribution: its points, and the exact extremes (p0 is `min_ms`; p100 is `max_ms`). */
export interface LatencyDistribution {
  count: number;
  min_ms: number;
  max_ms: number;
  points: DistributionPoint[];
}

/** Exact figures beside a digest: how many, and the true extremes. */
export interface DistributionExact {
  count: number;
  min: number;
  max: number;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The fractions p (0..1) whose 1/(1−p) are evenly spaced on a log axis: 10^(k/perDecade) for
 * k = 0 .. nines × perDecade, so p0, ..., p90, ..., p99, ..., p99.99 (for 4 nines).
 */
export function distributionFractions(nines = DISTRIBUTION_NINES, perDecade = DISTRIBUTION_POINTS_PER_DECADE): number[] {
  const out: number[] = [];
  for (let k = 0; k <= nines * perDecade; k++) out.push(1 - 10 ** (-k / perDecade));
  return out;
}

/**
 * The distribution of a digest's latencies, or null without any. Quantiles come from the
 * (merged) digest and are clamped into the exact [min, max]; p0 is the exact min; the points
 * never go down (an interpolated quantile may wobble by a rounding; the running maximum hides it).
 */
export function latencyDistribution(digest: TDigest, exact: DistributionExact, nines = DISTRIBUTION_NINES, perDecade = DISTRIBUTION_POINTS_PER_DECADE): LatencyDistribution | null {
  if (exact.count === 0 || digest.size() === 0 || !Number.isFinite(exact.min) || !Number.isFinite(exact.max)) return null;
  const fractions = distributionFractions(nines, perDecade);
  const quantiles = digest.percentile(fractions) as (number | undefined)[];
  let floor = exact.min;
  const points = fractions.map((p, i) => {
    const raw = i === 0 ? exact.min : (quantiles[i] ?? exact.max);
    floor = Math.max(floor, Math.min(exact.max, raw));
    return { percentile: round(p * 100, 4), x: round(1 / (1 - p), 4), latency_ms: round(floor, 3) };
  });
  return { count: exact.count, min_ms: round(exact.min, 3), max_ms: round(exact.max, 3), points };
}
