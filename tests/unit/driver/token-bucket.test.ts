import { describe, expect, test } from "bun:test";
import { defaultBurst, TokenBucket } from "../../../src/driver/token-bucket.ts";

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Takes every token available at each wake-up; wakes when told to, plus `lateMs()`. Returns release times. */
function drive(bucket: TokenBucket, startMs: number, endMs: number, lateMs: () => number): number[] {
  const released: number[] = [];
  let now = startMs;
  while (now < endMs) {
    let wait = 0;
    while ((wait = bucket.take(now)) === 0) released.push(now);
    now += wait + lateMs();
  }
  return released;
}

describe("TokenBucket", () => {
  test("hands out exactly rate × duration tokens over a long run when every wake-up is late", () => {
    const random = seeded(7);
    for (const rate of [10, 333, 1_000, 20_000, 100_000]) {
      const bucket = new TokenBucket({ ratePerSec: rate, startMs: 0 });
      // Wake-ups 0..2 ms late, like setTimeout on a busy machine.
      const released = drive(bucket, 0, 100_000, () => random() * 2);
      const expected = (rate * 100_000) / 1000;
      // The run ends mid-wake-up: at most one wake-up's lateness worth of tokens is still due.
      expect(Math.abs(released.length - expected)).toBeLessThanOrEqual(1 + (rate * 2) / 1000);
    }
  });

  test("releases token k at start + k / rate when the caller keeps up, so a run never drifts", () => {
    const bucket = new TokenBucket({ ratePerSec: 100, startMs: 1_000 });
    const released = drive(bucket, 1_000, 11_000, () => 0);
    expect(released.length).toBe(1_000);
    expect(released[0]).toBe(1_000);
    expect(released[999]).toBeCloseTo(1_000 + 999 * 10, 6);
  });

  test("gives no token before its start time", () => {
    const bucket = new TokenBucket({ ratePerSec: 50, startMs: 500 });
    expect(bucket.take(499)).toBe(1);
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(500)).toBe(20);
  });

  test("after an idle spell takes at most the peak burst at once, and makes up the rest at 1.1 × the rate", () => {
    const bucket = new TokenBucket({ ratePerSec: 1_000, startMs: 0 });
    expect([bucket.burst, bucket.peakBurst]).toEqual([1_000, 11]);
    let taken = 0;
    while (bucket.take(60_000) === 0) taken++;
    expect(taken).toBe(11);
    // Over the next 500 ms at 1 ms wake-ups: the peak rate (1,100/s) binds, not the full bucket.
    for (let now = 60_001; now <= 60_500; now++) while (bucket.take(now) === 0) taken++;
    expect(taken).toBe(11 + 550);
  });

  test("makes up a stall shorter than a second, so a run keeps its rate", () => {
    const bucket = new TokenBucket({ ratePerSec: 500, startMs: 0 });
    let taken = 0;
    // Wake every millisecond, except for one 300 ms stall of the event loop at 1 s: its 150
    // tokens are made up at 10% over the rate, by 4.3 s.
    for (let now = 0; now < 5_000; now += now >= 1_000 && now < 1_300 ? 300 : 1) {
      while (bucket.take(now) === 0) taken++;
    }
    // Tokens are due at 0, 2, 4, ... 4998 ms: 2,500 of them, none lost to the stall.
    expect(taken).toBe(2_500);
  });

  test("never lets a window of w ms hold more than burst + w × rate tokens", () => {
    const random = seeded(11);
    const rate = 2_000;
    const bucket = new TokenBucket({ ratePerSec: rate, startMs: 0 });
    // Irregular wake-ups with long stalls in between.
    const released = drive(bucket, 0, 20_000, () => (random() < 0.01 ? 50 * random() : random()));
    const windowMs = 100;
    let lo = 0;
    let worst = 0;
    for (let hi = 0; hi < released.length; hi++) {
      while (released[hi]! - released[lo]! >= windowMs) lo++;
      worst = Math.max(worst, hi - lo + 1);
    }
    expect(worst).toBeLessThanOrEqual(bucket.burst + (windowMs * rate) / 1000);
    expect(worst).toBeLessThanOrEqual(bucket.peakBurst + (windowMs * 1.1 * rate) / 1000);
  });

  test("spreads made-up time: after a 300 ms stall no 10 ms holds more than the peak allows", () => {
    const bucket = new TokenBucket({ ratePerSec: 1_000, startMs: 0 });
    const released: number[] = [];
    for (let now = 0; now < 4_000; now += now >= 500 && now < 800 ? 300 : 1) {
      while (bucket.take(now) === 0) released.push(now);
    }
    // The stall's 300 tokens are all made up (at +100/s, by 3.8 s), so the run keeps its rate...
    expect(released.length).toBe(4_000);
    // ...but never faster than 1,100/s with an 11-token burst.
    const busiest = Math.max(...released.map((t) => released.filter((u) => u >= t && u < t + 10).length));
    expect(busiest).toBeLessThanOrEqual(11 + 11);
  });

  test("sizes the default burst as one second of tokens, at least 2", () => {
    expect([1, 100, 1_000, 100_000].map(defaultBurst)).toEqual([2, 100, 1_000, 100_000]);
  });

  test("refuses a rate that is not positive", () => {
    expect(() => new TokenBucket({ ratePerSec: 0, startMs: 0 })).toThrow(/rate must be positive/);
  });
});
