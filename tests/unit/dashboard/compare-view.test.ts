import { describe, expect, test } from "bun:test";
import { compareTests } from "../../../src/compare/compare.ts";
import { baseLatencyLines, renderBaseOptions, renderDeltas } from "../../../src/dashboard/client/compare-view.ts";
import { summarizeTest } from "../../../src/orchestrator/test-summary.ts";
import type { SeriesPoint } from "../../../src/orchestrator/series.ts";
import { latency, testView } from "../cli/fixtures.ts";

describe("dashboard comparison", () => {
  test("the base picker offers every ended test but the shown one, escaped, with the chosen one selected", () => {
    const history = [
      summarizeTest(testView({ test_id: "aaaaaaaa-1" })),
      summarizeTest(testView({ test_id: "bbbbbbbb-<2>" })),
      summarizeTest(testView({ test_id: "cccccccc-3", state: "running", ended_at: null })),
    ];
    const html = renderBaseOptions(history, "aaaaaaaa-1", "bbbbbbbb-<2>");
    expect(html.match(/<option value="[^"]*"/g)).toEqual(['<option value=""', '<option value="bbbbbbbb-&#60;2&#62;"']);
    expect(html).toContain('value="bbbbbbbb-&#60;2&#62;" selected');
  });

  test("the base's p50 and p99 per second are dashed lines to overlay", () => {
    const point = (t_s: number, p50: number, p99: number) => ({ t_s, total: { p50, p99 }, drivers: {} }) as unknown as SeriesPoint;
    const lines = baseLatencyLines([point(0, 1, 4), point(1, 2, 5)]);
    expect(lines.map((l) => [l.name, l.dashed, l.points])).toEqual([
      ["base p50", true, [[0, 1], [1, 2]]],
      ["base p99", true, [[0, 4], [1, 5]]],
    ]);
  });

  test("the deltas table shows each metric's base, candidate and change, a regression in red", () => {
    const base = testView({ test_id: "base-1" });
    const candidate = testView({ test_id: "cand-1" });
    candidate.metrics.latency = latency(1, 20);
    const html = renderDeltas(compareTests(base, candidate));
    expect(html.match(/data-metric="(\w+)"/g)!.map((m) => m.slice(13, -1))).toEqual(["throughput", "errors", "p50", "p90", "p95", "p99", "max", "late"]);
    expect(html).toContain('<tr data-metric="p99"><td>p99</td><td>9.00 ms</td><td>20.00 ms</td><td class="num-bad">+11.00 ms (+122.2%)</td></tr>');
    expect(html).toContain('<tr data-metric="p50"><td>p50</td><td>2.00 ms</td><td>1.00 ms</td><td class="num-good">-1.00 ms (-50.0%)</td></tr>');
  });
});
