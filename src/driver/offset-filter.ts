/** The four timestamps of one NTP-style exchange (RFC 5905 §8), epoch ms each on its own clock. */
export interface ClockExchange {
  /** Driver's send time of the heartbeat (its clock). */
  t1: number;
  /** Orchestrator's receive time of it (its clock). */
  t2: number;
  /** Orchestrator's send time of the clock message (its clock). */
  t3: number;
  /** Driver's receive time of the clock message (its clock). */
  t4: number;
}

/** A clock offset estimate: orchestrator clock minus this one, with the round trip it came from. */
export interface OffsetEstimate {
  offset_ms: number;
  delay_ms: number;
  /** ± delay / 2: the true offset lies within offset ± this when the paths' delays are not negative. */
  uncertainty_ms: number;
}

/** Offset and round-trip delay of one exchange: ((t2 − t1) + (t3 − t4)) / 2 and (t4 − t1) − (t3 − t2). */
export function exchangeEstimate({ t1, t2, t3, t4 }: ClockExchange): OffsetEstimate {
  // A delay below 0 only comes from clock granularity (ms stamps) or a step between t1 and t4.
  const delay = Math.max(0, t4 - t1 - (t3 - t2));
  return { offset_ms: (t2 - t1 + (t3 - t4)) / 2, delay_ms: delay, uncertainty_ms: delay / 2 };
}

export interface OffsetFilterOptions {
  /** Monotonic ms (performance.now), for sample ages. */
  now: () => number;
  /** Samples kept (NTP's clock filter keeps 8). */
  size?: number;
  /** A sample older than this no longer counts (the clocks drift apart meanwhile). */
  maxAgeMs?: number;
}

/** NTP's register size. */
export const OFFSET_FILTER_SIZE = 8;
/** Samples older than this are dropped: at a 2 s exchange the window holds 16 s, so this only bites after a silence. */
export const OFFSET_SAMPLE_MAX_AGE_MS = 120_000;

/**
 * NTP's clock filter (RFC 5905 §10), reduced to its core: the last `size` exchanges are kept
 * and the estimate is the one whose round trip was shortest, since queueing on either path
 * (a busy producer, a consumer's fetch wait) only adds delay, and the offset error is at most
 * half the delay. A step of either clock is followed once the samples from before it have left
 * the window (`size` exchanges at most). Pure: time comes from the injected `now`.
 */
export class OffsetFilter {
  private readonly samples: { estimate: OffsetEstimate; at: number }[] = [];
  private readonly size: number;
  private readonly maxAgeMs: number;

  constructor(private readonly options: OffsetFilterOptions) {
    this.size = options.size ?? OFFSET_FILTER_SIZE;
    this.maxAgeMs = options.maxAgeMs ?? OFFSET_SAMPLE_MAX_AGE_MS;
  }

  /** Adds one exchange and returns the best estimate now. */
  add(exchange: ClockExchange): OffsetEstimate {
    this.samples.push({ estimate: exchangeEstimate(exchange), at: this.options.now() });
    if (this.samples.length > this.size) this.samples.shift();
    return this.best()!;
  }

  /** The kept sample with the smallest delay (the newest among equals), or null when none is fresh. */
  best(): OffsetEstimate | null {
    const oldest = this.options.now() - this.maxAgeMs;
    let best: OffsetEstimate | null = null;
    for (const { estimate, at } of this.samples) {
      if (at < oldest) continue;
      if (best === null || estimate.delay_ms <= best.delay_ms) best = estimate;
    }
    return best;
  }

  /** How many samples the window holds. */
  get length(): number {
    return this.samples.length;
  }
}
