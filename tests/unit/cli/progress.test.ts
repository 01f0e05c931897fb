import { describe, expect, test } from "bun:test";
import { formatProgress, progressBar, progressText } from "../../../src/cli/progress.ts";
import { MAX_COUNT_PER_DRIVER } from "../../../src/protocol/limits.ts";
import { counts, latency, testView } from "./fixtures.ts";

describe("progress line", () => {
  test("shows the bar, share sent, rate now, p50/p99 so far, errors and elapsed time", () => {
    const view = testView({ state: "running", ended_at: null, duration_ms: 2_100, total: counts(250, { status_2xx: 247, status_5xx: 3 }) });
    view.metrics.requests_per_s = 1234;
    view.metrics.latency = latency(2.1, 8.4);
    expect(formatProgress(view)).toBe("[######..................]  25%  250/1,000 | 1,234 req/s | p50 2.10 ms p99 8.40 ms | errors 3 (1.20%) | 2.1 s");
  });

  test("shows dashes before the first completed request", () => {
    const view = testView({ state: "running", total: counts(0), duration_ms: 300 });
    view.metrics.latency = null;
    view.metrics.requests_per_s = 0;
    expect(formatProgress(view)).toBe("[........................]   0%  0/1,000 | 0.0 req/s | p50 – p99 – | errors 0 (–) | 300 ms");
  });

  test("counts against the planned total of a ramp (count defaulted to 100,000,000 per driver), not count × drivers", () => {
    const view = testView({ state: "running", duration_ms: 3_000, total: counts(500) });
    view.config = { ...view.config, message_count_per_driver: MAX_COUNT_PER_DRIVER, stages: [{ duration_s: 5, target_throughput: 200 }, { duration_s: 5, target_throughput: 0 }] };
    view.drivers = ["a", "b"];
    view.planned_rps = [[0, 0], [5, 400], [10, 0]];
    expect(formatProgress(view)).toStartWith("[######..................]  25%  500/2,000 | ");
  });

  test("shows the time elapsed of a duration sent as fast as it can, and no total it cannot know", () => {
    const view = testView({ state: "running", duration_ms: 15_000, total: counts(12_345) });
    view.config = { ...view.config, message_count_per_driver: MAX_COUNT_PER_DRIVER, duration_s: 60 };
    view.drivers = ["a", "b"];
    delete view.planned_rps;
    expect(formatProgress(view)).toStartWith("[######..................]  25%  12,345 sent | ");
  });

  test("clamps the bar to its width", () => {
    expect([progressBar(-1, 4), progressBar(0.5, 4), progressBar(2, 4), progressBar(Number.NaN, 4)]).toEqual(["[....]", "[##..]", "[####]", "[....]"]);
  });

  test("redraws in place on a terminal and writes a line each otherwise", () => {
    expect([progressText("x", true), progressText("x", false)]).toEqual(["\rx\x1b[K", "x\n"]);
  });
});
