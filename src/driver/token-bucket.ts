import { BUCKET_BURST_MS, MIN_BUCKET_BURST, PEAK_BURST_MS, PEAK_RATE_FACTOR } from "./defaults.ts";

/** Settings of a {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Sustained rate, tokens per second. */
  ratePerSec: number;
  /** Tokens the bucket holds: how much lateness is made up; default max(2, rate × 1 s). */
  burst?: number;
  /** Instantaneous rate cap while making up; default 1.1 × rate (PEAK_RATE_FACTOR). */
  peakRatePerSec?: number;
  /** Most tokens taken at one instant; default max(2, peak rate × 10 ms). */
  peakBurst?: number;
  /** When the bucket starts (ms, any monotonic base): the first token is available then. */
  startMs: number;
}

/** The default bucket size for a rate: one second of tokens, at least 2. */
export function defaultBurst(ratePerSec: number): number {
  return Math.max(MIN_BUCKET_BURST, Math.ceil((ratePerSec * BUCKET_BURST_MS) / 1000));
}

/** The default instantaneous burst at a peak rate: 10 ms of tokens, at least 2. */
export function defaultPeakBurst(peakRatePerSec: number): number {
  return Math.max(MIN_BUCKET_BURST, Math.ceil((peakRatePerSec * PEAK_BURST_MS) / 1000));
}

/**
 * One GCRA cell (the virtual-scheduling form of a token bucket). It starts with its
 * tolerance used up, so token k is available at `start + k × interval`; the theoretical
 * arrival time is `base + k × interval`, never a running float sum, so it cannot drift.
 */
class Gcra {
  readonly intervalMs: number;
  private readonly toleranceMs: number;
  private baseMs: number;
  private k = 0;

  constructor(ratePerSec: number, readonly burst: number, startMs: number) {
    this.intervalMs = 1000 / ratePerSec;
    this.toleranceMs = (burst - 1) * this.intervalMs;
    this.baseMs = startMs + this.toleranceMs;
  }

  /** When the next token is available (at or before any `nowMs` it is taken at). */
  allowedAt(): number {
    return this.baseMs + this.k * this.intervalMs - this.toleranceMs;
  }

  /** Takes the available token. */
  commit(nowMs: number): void {
    if (nowMs > this.baseMs + this.k * this.intervalMs) {
      // Behind by more than the tolerance: that lost time is not made up.
      this.baseMs = nowMs;
      this.k = 1;
    } else {
      this.k++;
    }
  }
}

/**
 * The target_throughput limiter, pure (time comes in as an argument): a sustained cell at the
 * rate whose one-second bucket makes up lateness (stalls, timer slop) so a run's achieved
 * rate is the rate, and a peak cell at 1.1 × the rate (PEAK_RATE_FACTOR) with a 10 ms burst, so that made-up
 * time is spread out instead of sent at once. A run starts empty: no opening burst, and
 * token k is never available before `start + k / rate`.
 */
export class TokenBucket {
  private readonly sustained: Gcra;
  private readonly peak: Gcra;

  constructor({ ratePerSec, burst = defaultBurst(ratePerSec), peakRatePerSec, peakBurst, startMs }: TokenBucketOptions) {
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new RangeError(`rate must be positive, got ${ratePerSec}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    const peakRate = peakRatePerSec ?? ratePerSec * PEAK_RATE_FACTOR;
    if (!(peakRate >= ratePerSec)) throw new RangeError(`peak rate ${peakRate} is below the rate ${ratePerSec}`);
    this.sustained = new Gcra(ratePerSec, Math.floor(burst), startMs);
    this.peak = new Gcra(peakRate, Math.floor(peakBurst ?? defaultPeakBurst(peakRate)), startMs);
  }

  /** Tokens the bucket holds (lateness it makes up). */
  get burst(): number {
    return this.sustained.burst;
  }

  /** Most tokens taken at one instant. */
  get peakBurst(): number {
    return this.peak.burst;
  }

  get intervalMs(): number {
    return this.sustained.intervalMs;
  }

  /** When the next token is available (monotonic ms): at or before `nowMs` means one is there now. */
  readyAt(nowMs: number): number {
    const atMs = Math.max(this.sustained.allowedAt(), this.peak.allowedAt());
    return atMs > nowMs ? atMs : nowMs;
  }

  /** Takes the token that {@link readyAt} said is available at `nowMs`. */
  commit(nowMs: number): void {
    this.sustained.commit(nowMs);
    this.peak.commit(nowMs);
  }

  /** Takes a token at `nowMs` and returns 0, or returns how many ms until one is available. */
  take(nowMs: number): number {
    const atMs = this.readyAt(nowMs);
    if (atMs > nowMs) return atMs - nowMs;
    this.commit(nowMs);
    return 0;
  }
}
