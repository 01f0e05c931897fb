import type { TDigest } from "tdigest";
import type { LatencySummary, SerializedDigest } from "../protocol/index.ts";
import { addExact, createDigest, DIGEST_DELTA, emptyExact, mergeDigest, serializeDigest, summarize, type ExactStats } from "./digest.ts";

/** One closed window of latencies: exact figures and the window's digest. */
export interface LatencyWindow {
  exact: ExactStats;
  digest: SerializedDigest;
}

/** Latencies held before they are folded into the window's digest (512 KB at most). */
export const RECORD_BUFFER_MAX = 65_536;
const RECORD_BUFFER_MIN = 1_024;

/**
 * Records latencies into a per-window digest; closing a window folds it into the running
 * total. Memory is bounded by the digests' size and one fixed buffer, whatever the number of
 * requests. `record` only appends to the buffer: pushing every value into the `tdigest`
 * package's red-black tree cost several microseconds a request at 100k req/s, so values are
 * sorted in batches and enter the digest as a few hundred centroids (see foldSorted).
 */
export class LatencyRecorder {
  private window: TDigest = createDigest();
  private windowExact: ExactStats = emptyExact();
  private readonly total: TDigest = createDigest();
  private readonly totalExact: ExactStats = emptyExact();
  private buffer = new Float64Array(RECORD_BUFFER_MIN);
  private buffered = 0;

  /** Adds one latency in milliseconds. */
  record(latencyMs: number): void {
    if (this.buffered === this.buffer.length) this.makeRoom();
    this.buffer[this.buffered++] = latencyMs;
    const w = this.windowExact;
    w.count++;
    w.sum += latencyMs;
    if (latencyMs < w.min) w.min = latencyMs;
    if (latencyMs > w.max) w.max = latencyMs;
  }

  /** Closes the current window, folds it into the total, and returns it. */
  closeWindow(): LatencyWindow {
    this.flush();
    const digest = serializeDigest(this.window);
    const exact = this.windowExact;
    mergeDigest(this.total, digest);
    addExact(this.totalExact, exact);
    this.window = createDigest();
    this.windowExact = emptyExact();
    return { exact, digest };
  }

  /**
   * Adds a window closed by another recorder (a worker thread's) into the current window:
   * its digest's centroids merged, its exact figures added; never an average.
   */
  absorb(window: LatencyWindow): void {
    mergeDigest(this.window, window.digest);
    addExact(this.windowExact, window.exact);
  }

  /** Summary of every closed window so far. */
  totalSummary(): LatencySummary {
    return summarize(this.total, this.totalExact);
  }

  /** The whole run's digest (closed windows only). */
  totalDigest(): SerializedDigest {
    return serializeDigest(this.total);
  }

  private makeRoom(): void {
    if (this.buffer.length < RECORD_BUFFER_MAX) {
      const bigger = new Float64Array(Math.min(RECORD_BUFFER_MAX, this.buffer.length * 4));
      bigger.set(this.buffer);
      this.buffer = bigger;
    } else this.flush();
  }

  /** Folds the buffered latencies into the window's digest. */
  private flush(): void {
    if (this.buffered === 0) return;
    const sorted = this.buffer.subarray(0, this.buffered).sort();
    foldSorted(this.window, sorted);
    this.buffered = 0;
  }
}

/**
 * Adds ascending values to a digest as centroids built the way a merging t-digest builds
 * them: consecutive values share a centroid while it holds at most 4·n·δ·q(1−q) of the n
 * values (q its quantile), the same bound the `tdigest` package applies on insert. Small
 * batches (under ~25 values) therefore enter one value a centroid, exactly as `push` would.
 */
export function foldSorted(digest: TDigest, sorted: Float64Array): void {
  const n = sorted.length;
  const scale = 4 * n * DIGEST_DELTA;
  let i = 0;
  while (i < n) {
    let sum = sorted[i]!;
    let count = 1;
    // The centroid may grow while its midpoint quantile allows the extra weight.
    while (i + count < n) {
      const q = (i + (count + 1) / 2) / n;
      if (count + 1 > Math.max(1, Math.floor(scale * q * (1 - q))) && sorted[i + count] !== sorted[i]) break;
      sum += sorted[i + count]!;
      count++;
    }
    digest.push_centroid({ mean: sum / count, n: count });
    i += count;
  }
}
