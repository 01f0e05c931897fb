import { describe, expect, test } from "bun:test";
import { expectedRequests, progressFraction } from "../../../src/orchestrator/expected-requests.ts";
import { MAX_COUNT_PER_DRIVER } from "../../../src/protocol/limits.ts";
import { renderTiles } from "../../../src/dashboard/client/render.ts";
import { counts, testView } from "../cli/fixtures.ts";

const view = (config: object, fields: { planned_rps?: [number, number][]; sent: number; duration_ms: number }) => {
  const v = testView({ state: "running", duration_ms: fields.duration_ms, total: counts(fields.sent) });
  v.config = { ...v.config, ...config };
  v.drivers = ["a", "b"];
  if (fields.planned_rps) v.planned_rps = fields.planned_rps;
  else delete v.planned_rps;
  return v;
};

describe("expected requests and progress", () => {
  test("a count-bound test: count × drivers, progress by sends", () => {
    const v = view({ message_count_per_driver: 1_000 }, { sent: 500, duration_ms: 1_000 });
    expect([expectedRequests(v), progressFraction(v)]).toEqual([2_000, 0.25]);
  });

  test("a ramp or a paced duration with the default count: the plan's total, not 100,000,000 × drivers", () => {
    const ramp = view({ message_count_per_driver: MAX_COUNT_PER_DRIVER, stages: [{ duration_s: 10, target_throughput: 100 }] }, { planned_rps: [[0, 0], [10, 200]], sent: 250, duration_ms: 5_000 });
    expect([expectedRequests(ramp), progressFraction(ramp)]).toEqual([1_000, 0.25]);
    const paced = view({ message_count_per_driver: MAX_COUNT_PER_DRIVER, duration_s: 30, target_throughput: 50 }, { planned_rps: [[0, 100], [30, 100]], sent: 1_500, duration_ms: 15_000 });
    expect([expectedRequests(paced), progressFraction(paced)]).toEqual([3_000, 0.5]);
  });

  test("a duration at full speed: no known total, progress by time; the dashboard tile says only \"sent\"", () => {
    const v = view({ message_count_per_driver: MAX_COUNT_PER_DRIVER, duration_s: 20 }, { sent: 99_999, duration_ms: 5_000 });
    expect([expectedRequests(v), progressFraction(v)]).toEqual([null, 0.25]);
    const tiles = renderTiles(v).replace(/<[^>]+>/g, " ");
    expect(tiles).toContain("sent");
    expect(tiles).not.toContain("sent of");
  });
});
