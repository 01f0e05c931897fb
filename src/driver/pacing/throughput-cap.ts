import type { TokenBucket } from "../token-bucket.ts";
import type { Pacer } from "./pacer.ts";

/**
 * `target_throughput`: another pacer's sends under the token bucket (token-bucket.ts). A send
 * must be ready by the inner pacer (its due time, when it has one) and find a token; it keeps
 * the inner pacer's due time, so a send the cap holds back counts as late from that time.
 */
export class ThroughputCap implements Pacer {
  constructor(
    private readonly inner: Pacer,
    private readonly bucket: TokenBucket,
  ) {}

  readyAt(i: number, nowMs: number): number {
    const readyMs = this.inner.readyAt(i, nowMs);
    if (readyMs > nowMs) return readyMs;
    const tokenMs = this.bucket.readyAt(nowMs);
    return tokenMs > nowMs ? tokenMs : readyMs;
  }

  start(i: number, nowMs: number): number {
    this.bucket.commit(nowMs);
    return this.inner.start(i, nowMs);
  }
}
