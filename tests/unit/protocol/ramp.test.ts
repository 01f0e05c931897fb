import { describe, expect, test } from "bun:test";
import { Ramp } from "../../../src/protocol/ramp.ts";

describe("Ramp", () => {
  test("integrates a piecewise-linear rate: 0 → 200/s over 5 s, then 200 → 0, is 500 + 500", () => {
    const ramp = new Ramp([{ durationMs: 5_000, target: 200 }, { durationMs: 5_000, target: 0 }]);
    expect([ramp.totalMs, ramp.integral]).toEqual([10_000, 1_000]);
    expect([0, 1_000, 5_000, 6_000, 10_000, 20_000].map((t) => ramp.integralTo(t))).toEqual([0, 20, 500, 680, 1_000, 1_000]);
    expect(ramp.vertices()).toEqual([[0, 0], [5_000, 200], [10_000, 0]]);
  });

  test("skips a stage of no time or no rate: send g is due where the rate makes the integral pass g", () => {
    const ramp = new Ramp([{ durationMs: 0, target: 100 }, { durationMs: 1_000, target: 100 }, { durationMs: 1_000, target: 0 }, { durationMs: 1_000, target: 0 }, { durationMs: 1_000, target: 10 }], 0);
    expect([0, 1, 99, 100].map((g) => ramp.dueAt(g))).toEqual([0, 10, 990, 1_000]);
    // 100 → 0 over 1 s from 1 s: 100·τ − 50·τ² = 49 at τ = 1 − √0.02 s.
    expect(ramp.dueAt(149)).toBeCloseTo(1_000 + (1 - Math.sqrt(0.02)) * 1_000, 6);
    // 0 → 0 from 2 s to 3 s sends nothing; 0 → 10/s from 3 s integrates to 5: sends 150..154 from 3 s on.
    expect(ramp.dueAt(150)).toBe(3_000);
    expect(ramp.dueAt(155)).toBe(Infinity);
  });
});
