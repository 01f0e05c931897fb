import { BUCKET_BURST_MS, MIN_BUCKET_BURST } from "./defaults.ts";

/** Settings of a {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Sustained rate, tokens per second. */
  ratePerSec: number;
  /** Most tokens taken at one instant after an idle spell; default max(2, rate × 10 ms). */
  burst?: number;
  /** When the bucket starts (ms, any monotonic base): the first token is available then. */
  startMs: number;
}

/** The default burst for a rate: 10 ms worth of tokens, at least 2. */
export function defaultBurst(ratePerSec: number): number {
  return Math.max(MIN_BUCKET_BURST, Math.ceil((ratePerSec * BUCKET_BURST_MS) / 1000));
}

/**
 * A rate limiter as GCRA (the virtual-scheduling form of a token bucket), pure: time comes in
 * as an argument. Token k is available at `start + k / rate` as long as the caller keeps up
 * within the burst tolerance, so waking late by less than that loses no rate (no drift);
 * the theoretical arrival time is `base + k × interval`, never a running float sum.
 */
export class TokenBucket {
  readonly intervalMs: number;
  readonly burst: number;
  private readonly toleranceMs: number;
  private baseMs: number;
  private k = 0;

  constructor({ ratePerSec, burst = defaultBurst(ratePerSec), startMs }: TokenBucketOptions) {
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new RangeError(`rate must be positive, got ${ratePerSec}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.intervalMs = 1000 / ratePerSec;
    this.burst = Math.floor(burst);
    this.toleranceMs = (this.burst - 1) * this.intervalMs;
    // Starting with the tolerance already used up makes the first tokens come one interval
    // apart from startMs instead of as one burst: the run's achieved rate is then the rate.
    this.baseMs = startMs + this.toleranceMs;
  }

  /** Takes a token at `nowMs` and returns 0, or returns how many ms until one is available. */
  take(nowMs: number): number {
    const tat = this.baseMs + this.k * this.intervalMs;
    const allowedAt = tat - this.toleranceMs;
    if (nowMs < allowedAt) return allowedAt - nowMs;
    if (nowMs > tat) {
      // Behind by more than the tolerance: the lost time is not made up (that would be a burst).
      this.baseMs = nowMs;
      this.k = 1;
    } else {
      this.k++;
    }
    return 0;
  }
}
