import { describe, expect, test } from "bun:test";
import { median, quantile, ratio, relativeError, Samples } from "../../../bench/summary.ts";

describe("median and quantile", () => {
  test("takes the middle value of an odd count and the mean of the middle two of an even count", () => {
    expect({ odd: median([5, 1, 3]), even: median([4, 1, 3, 2]), empty: median([]) }).toEqual({ odd: 3, even: 2.5, empty: NaN });
  });

  test("interpolates between order statistics and ignores values that are not finite", () => {
    expect({ p0: quantile([10, 20, NaN, 30], 0), p99: quantile([0, 100], 0.99), p100: quantile([3, 1, 2], 1) }).toEqual({ p0: 10, p99: 99, p100: 3 });
  });

  test("a Samples buffer grows past its first block and sorts once for several quantiles", () => {
    const samples = new Samples();
    for (let i = 3000; i >= 0; i--) samples.push(i);
    expect({ n: samples.length, q: samples.quantiles([0, 0.5, 1]) }).toEqual({ n: 3001, q: [0, 1500, 3000] });
  });
});

describe("ratio and relativeError", () => {
  test("are NaN rather than infinite or misleading when a side is missing or zero", () => {
    expect({ r: ratio(3, 2), r0: ratio(1, 0), rNaN: ratio(NaN, 2), e: relativeError(1010, 1000), e0: relativeError(1, 0) }).toEqual({
      r: 1.5,
      r0: NaN,
      rNaN: NaN,
      e: 0.01,
      e0: NaN,
    });
  });
});
