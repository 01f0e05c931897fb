import { describe, expect, test } from "bun:test";
import { formatProgress, progressBar, progressText } from "../../../src/cli/progress.ts";
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

  test("clamps the bar to its width", () => {
    expect([progressBar(-1, 4), progressBar(0.5, 4), progressBar(2, 4), progressBar(Number.NaN, 4)]).toEqual(["[....]", "[##..]", "[####]", "[....]"]);
  });

  test("redraws in place on a terminal and writes a line each otherwise", () => {
    expect([progressText("x", true), progressText("x", false)]).toEqual(["\rx\x1b[K", "x\n"]);
  });
});
