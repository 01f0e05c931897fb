import { describe, expect, test } from "bun:test";
import { WeightedPicker, weightedCycle } from "../../../../src/driver/scenario/swrr.ts";

/** Largest |count_i - n·w_i/W| over every prefix n of two cycles. */
function worstDeviation(weights: number[]): number {
  const picker = new WeightedPicker(weights);
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map(() => 0);
  let worst = 0;
  for (let n = 1; n <= 2 * total; n++) {
    counts[picker.pick(n - 1)]!++;
    for (let i = 0; i < weights.length; i++) worst = Math.max(worst, Math.abs(counts[i]! - (n * weights[i]!) / total));
  }
  return worst;
}

/** A seeded generator, so a failure names weights that can be replayed. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

describe("weighted cycle", () => {
  test("interleaves smoothly: 3:1 is A A B A, not A A A B", () => {
    expect([...weightedCycle([3, 1])]).toEqual([0, 0, 1, 0]);
    expect([...weightedCycle([1, 1, 1])]).toEqual([0, 1, 2]);
    expect([...weightedCycle([2, 1, 1])]).toEqual([0, 1, 2, 0]);
  });

  test("each request's count over any prefix of sends is within 1 of n × w / Σw, where nginx's smooth greedy is not", () => {
    // Weights on which the greedy "largest current weight" pick deviates by 1.19.
    expect(worstDeviation([179, 76, 41, 1, 6, 4, 9, 179])).toBeLessThan(1);
    const random = seeded(11);
    let worst = 0;
    for (let t = 0; t < 400; t++) {
      const k = 1 + Math.floor(random() * 12);
      const weights = Array.from({ length: k }, () => 1 + Math.floor(random() * (random() < 0.5 ? 10 : 400)));
      worst = Math.max(worst, worstDeviation(weights));
    }
    expect(worst).toBeLessThan(1);
    expect(worst).toBeGreaterThan(0.5);
  });

  test("a cycle holds each request exactly its weight's share, over the weights' common divisor", () => {
    const cycle = weightedCycle([20, 10, 30]);
    expect(cycle.length).toBe(6);
    expect([0, 1, 2].map((i) => cycle.filter((x) => x === i).length)).toEqual([2, 1, 3]);
    expect(weightedCycle(Array.from({ length: 64 }, () => 10_000)).length).toBe(64);
  });

  test("pick(seq) depends only on seq, so workers striding over the test's sends pick what one loop does", () => {
    const one = new WeightedPicker([5, 3, 2]);
    const single = Array.from({ length: 100 }, (_, seq) => one.pick(seq));
    const workers = [0, 1, 2].map((offset) => {
      const own = new WeightedPicker([5, 3, 2]);
      return Array.from({ length: 34 }, (_, i) => offset + 3 * i).filter((seq) => seq < 100).map((seq) => [seq, own.pick(seq)] as const);
    });
    const merged = workers.flat().sort((a, b) => a[0] - b[0]).map(([, pick]) => pick);
    expect(merged).toEqual(single);
  });

  test("refuses weights that are not positive integers", () => {
    expect(() => weightedCycle([1, 0])).toThrow("weight 0 is not a positive integer");
    expect(() => weightedCycle([])).toThrow("no weights");
  });
});
