import { describe, expect, test } from "bun:test";
import { MAX_DELAY_MS, parseDelayRange, pickDelayMs } from "../../../target/delay.ts";

describe("parseDelayRange", () => {
  test("reads a fixed delay, a range and decimals", () => {
    expect([parseDelayRange("50"), parseDelayRange(" 20-80 "), parseDelayRange("0.5-1.5")]).toEqual([
      { min_ms: 50, max_ms: 50 },
      { min_ms: 20, max_ms: 80 },
      { min_ms: 0.5, max_ms: 1.5 },
    ]);
  });

  test("rejects text, negatives, reversed ranges and delays over the cap with a message", () => {
    expect([parseDelayRange("abc"), parseDelayRange("-5"), parseDelayRange("80-20"), parseDelayRange(String(MAX_DELAY_MS + 1))]).toEqual([
      "expected milliseconds like 50 or a range like 20-80",
      "expected milliseconds like 50 or a range like 20-80",
      "range start 80 is above its end 20",
      `must be at most ${MAX_DELAY_MS} ms, got ${MAX_DELAY_MS + 1}`,
    ]);
  });
});

describe("pickDelayMs", () => {
  test("returns the fixed delay without drawing and spreads a range uniformly", () => {
    const never = () => {
      throw new Error("drew a random number for a fixed delay");
    };
    expect(pickDelayMs({ min_ms: 50, max_ms: 50 }, never)).toBe(50);
    expect([0, 0.5, 0.999].map((r) => pickDelayMs({ min_ms: 20, max_ms: 80 }, () => r))).toEqual([20, 50, 20 + 60 * 0.999]);
  });
});
