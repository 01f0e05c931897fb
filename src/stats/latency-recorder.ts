import type { TDigest } from "tdigest";
import type { LatencySummary, SerializedDigest } from "../protocol/index.ts";
import { addExact, createDigest, emptyExact, mergeDigest, serializeDigest, summarize, type ExactStats } from "./digest.ts";

/** One closed window of latencies: exact figures and the window's digest. */
export interface LatencyWindow {
  exact: ExactStats;
  digest: SerializedDigest;
}

/**
 * Records latencies into a per-window digest; closing a window folds it into the running
 * total. Memory is bounded by the digests' size, whatever the number of requests.
 */
export class LatencyRecorder {
  private window: TDigest = createDigest();
  private windowExact: ExactStats = emptyExact();
  private readonly total: TDigest = createDigest();
  private readonly totalExact: ExactStats = emptyExact();

  /** Adds one latency in milliseconds. */
  record(latencyMs: number): void {
    this.window.push(latencyMs);
    const w = this.windowExact;
    w.count++;
    w.sum += latencyMs;
    if (latencyMs < w.min) w.min = latencyMs;
    if (latencyMs > w.max) w.max = latencyMs;
  }

  /** Closes the current window, folds it into the total, and returns it. */
  closeWindow(): LatencyWindow {
    const digest = serializeDigest(this.window);
    const exact = this.windowExact;
    mergeDigest(this.total, digest);
    addExact(this.totalExact, exact);
    this.window = createDigest();
    this.windowExact = emptyExact();
    return { exact, digest };
  }

  /** Summary of every closed window so far. */
  totalSummary(): LatencySummary {
    return summarize(this.total, this.totalExact);
  }

  /** The whole run's digest (closed windows only). */
  totalDigest(): SerializedDigest {
    return serializeDigest(this.total);
  }

  totalCount(): number {
    return this.totalExact.count;
  }
}
