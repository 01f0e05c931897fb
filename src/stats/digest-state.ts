// A t-digest's exact state, for snapshots that must restore to the very same percentiles.
//
// Why the wire form (serializeDigest) does not round-trip: (1) it rounds means to the
// microsecond; (2) pushing centroids back into a fresh digest runs the merge rule again, which
// folds neighbours together by a capacity computed from the digest's total, so the restored
// digest has fewer, different centroids; (3) tdigest 0.1.x caches each centroid's cumulative
// counts (`cumn`, `mean_cumn`) and refreshes them only after the total grew by 10% (CX = 1.1)
// or on a percentile read, and its next merge decisions read them: so a digest's future merges
// depend on when it was read (mergeDigest now refreshes them after every merge, which makes a
// digest a function of its merges alone). The state below keeps every centroid's mean, count and
// both caches as float64, and the digest's own `n` and `last_cumulate`, so a restored digest
// gives the same percentiles and goes on merging exactly as the original would.
import { TDigest } from "tdigest";
import { createDigest } from "./digest.ts";

/** A digest's full state: per centroid mean, n, cumn and mean_cumn (null when not yet cumulated). */
export interface DigestState {
  mean: number[];
  n: number[];
  cumn: (number | null)[];
  mean_cumn: (number | null)[];
  total: number;
  last_cumulate: number;
}

interface Centroid {
  mean: number;
  n: number;
  cumn?: number;
  mean_cumn?: number;
}

interface DigestInternals {
  centroids: { each(fn: (c: Centroid) => void): void; insert(c: Centroid): boolean };
  n: number;
  last_cumulate: number;
}

const internals = (digest: TDigest) => digest as unknown as DigestInternals;
const finite = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : x);

/** The exact state of `digest` (JSON-safe: float64 numbers and nulls). */
export function digestState(digest: TDigest): DigestState {
  const state: DigestState = { mean: [], n: [], cumn: [], mean_cumn: [], total: 0, last_cumulate: 0 };
  const d = internals(digest);
  d.centroids.each((c) => {
    state.mean.push(c.mean);
    state.n.push(c.n);
    state.cumn.push(finite(c.cumn));
    state.mean_cumn.push(finite(c.mean_cumn));
  });
  state.total = d.n;
  state.last_cumulate = d.last_cumulate;
  return state;
}

/**
 * A digest with exactly `state`: same centroids, same caches. A cache that was undefined or
 * NaN comes back undefined: the library treats both alike (any sum or ratio with it is NaN).
 */
export function digestFromState(state: DigestState): TDigest {
  const digest = createDigest();
  const d = internals(digest);
  for (let i = 0; i < state.mean.length; i++) {
    const c: Centroid = { mean: state.mean[i]!, n: state.n[i]! };
    const cumn = state.cumn[i];
    const meanCumn = state.mean_cumn[i];
    if (cumn !== null && cumn !== undefined) c.cumn = cumn;
    if (meanCumn !== null && meanCumn !== undefined) c.mean_cumn = meanCumn;
    d.centroids.insert(c);
  }
  d.n = state.total;
  d.last_cumulate = state.last_cumulate;
  return digest;
}
