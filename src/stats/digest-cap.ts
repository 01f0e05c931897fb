// Bounds a serialized digest's size: the per-request digests of a report (up to 64 names, a
// window's and a total each) must fit the bus's message size together (codec.ts, 1 MB).
import type { SerializedDigest } from "../protocol/index.ts";
import { DIGEST_DELTA } from "./digest.ts";

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * One pass of merging neighbours: a centroid grows while it holds at most
 * max(1, scale·q·(1−q)) of the weight (q its midpoint quantile), the t-digest bound, so the
 * tails keep small centroids and the quantiles that thresholds read (p99) stay sharp.
 */
function fold(digest: SerializedDigest, total: number, scale: number): SerializedDigest {
  const { means, counts } = digest;
  const outMeans: number[] = [];
  const outCounts: number[] = [];
  let before = 0;
  let i = 0;
  while (i < means.length) {
    let weight = counts[i]!;
    let sum = means[i]! * weight;
    let j = i + 1;
    while (j < means.length) {
      const next = counts[j]!;
      const q = (before + (weight + next) / 2) / total;
      if (weight + next > Math.max(1, scale * q * (1 - q))) break;
      weight += next;
      sum += means[j]! * next;
      j++;
    }
    outMeans.push(round3(sum / weight));
    outCounts.push(weight);
    before += weight;
    i = j;
  }
  return { means: outMeans, counts: outCounts };
}

/**
 * The digest with at most `maxCentroids` centroids: itself when it is that small, else its
 * neighbours merged with a coarser compression (doubled until it fits). Weights are kept
 * exactly (the total count never changes), so merged digests still add up.
 */
export function capDigest(digest: SerializedDigest, maxCentroids: number): SerializedDigest {
  if (digest.means.length <= maxCentroids) return digest;
  const total = digest.counts.reduce((s, n) => s + n, 0);
  let delta = DIGEST_DELTA * 2;
  let capped = fold(digest, total, 4 * total * delta);
  while (capped.means.length > maxCentroids && delta < 1e6) {
    delta *= 2;
    capped = fold(capped, total, 4 * total * delta);
  }
  return capped;
}
