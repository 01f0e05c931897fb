import { describe, expect, test } from "bun:test";
import { plannedRateAt, plannedRateLine, type RatePlanFields } from "../../../src/orchestrator/planned-rate.ts";

const config = (fields: Partial<RatePlanFields>): RatePlanFields => ({ test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 100_000_000, ...fields });
const RAMP = [
  { duration_s: 5, target_throughput: 200 },
  { duration_s: 5, target_throughput: 0 },
];

describe("plannedRateAt", () => {
  test("a ramp [5 s → 200/s, 5 s → 0] on 2 drivers plans 2 × (20, 60, ..., 180, 180, ..., 20) sends per second, then none", () => {
    const ramp = config({ stages: RAMP, drivers: ["a", "b"] });
    const seconds = Array.from({ length: 11 }, (_, s) => plannedRateAt(ramp, s));
    seconds.forEach((n, s) => expect(n).toBeCloseTo([40, 120, 200, 280, 360, 360, 280, 200, 120, 40, 0][s]!, 9));
    expect(plannedRateLine(ramp)).toEqual([[0, 0], [5, 400], [10, 0]]);
  });

  test("TSUNAMI plans 1000 / delay until its count is sent; AVALANCHE with a cap plans the cap; without one, nothing", () => {
    expect(plannedRateLine(config({ test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 200 }), 2)).toEqual([[0, 200], [2, 200]]);
    expect([0, 1, 2].map((s) => plannedRateAt(config({ test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 200 }), s, 2))).toEqual([200, 200, 0]);
    expect(plannedRateLine(config({ target_throughput: 500, message_count_per_driver: 2_500 }))).toEqual([[0, 500], [5, 500]]);
    expect(plannedRateLine(config({}))).toBeNull();
    expect(plannedRateAt(config({ duration_s: 3 }), 0)).toBeNull();
  });

  test("a duration cuts the plan, mid-second too; a count cuts a ramp where its integral reaches it", () => {
    expect(plannedRateLine(config({ target_throughput: 100, duration_s: 2.5 }))).toEqual([[0, 100], [2.5, 100]]);
    expect(plannedRateAt(config({ target_throughput: 100, duration_s: 2.5 }), 2)).toBeCloseTo(50, 9);
    // ∫ of 0 → 200/s over 5 s is 20·t²: 80 sends by 2 s, at 80/s then.
    const line = plannedRateLine(config({ stages: RAMP, message_count_per_driver: 80 }))!;
    expect(line.map(([t, r]) => [+t.toFixed(9), +r.toFixed(9)])).toEqual([[0, 0], [2, 80]]);
  });

  test("a throughput cap holds a ramp to the cap, with a vertex where the ramp crosses it", () => {
    expect(plannedRateLine(config({ stages: [{ duration_s: 10, target_throughput: 100 }], target_throughput: 50 }))).toEqual([[0, 0], [5, 50], [10, 50]]);
    expect(plannedRateLine(config({ stages: [{ duration_s: 2, target_throughput: 100 }], start_throughput: 100, test_type: "TSUNAMI", test_message_delay: 1 }))).toEqual([[0, 100], [2, 100]]);
  });
});
