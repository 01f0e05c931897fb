import { describe, expect, test } from "bun:test";
import { distributionChart, distributionLines, percentileTick } from "../../../src/dashboard/client/distribution-chart.ts";
import { distributionOf } from "../../../src/orchestrator/distribution.ts";
import { applyReport, createAggregate } from "../../../src/orchestrator/aggregate.ts";
import { reportHtml } from "../../../src/orchestrator/http/report-html.ts";
import { testView } from "../cli/fixtures.ts";
import { FakeDriverReports, spread } from "../orchestrator/fixtures.ts";

function distribution(id: string, from: number, to: number) {
  const agg = createAggregate(["d1", "d2"]);
  applyReport(agg, new FakeDriverReports("d1", id).window(spread(200, from, to), { final: true }), 0);
  applyReport(agg, new FakeDriverReports("d2", id).window(spread(200, from * 2, to * 2), { final: true }), 0);
  return distributionOf(id, agg);
}

describe("percentile-distribution chart", () => {
  test("labels each decade of the log axis by its percentile", () => {
    expect([0, 1, 2, 3, 4].map(percentileTick)).toEqual(["p0", "p90", "p99", "p99.9", "p99.99"]);
  });

  test("draws the whole test, each driver, and a base overlaid dashed, on the log axis", () => {
    const candidate = distribution("cand0000-x", 5, 10);
    const base = distribution("base0000-x", 1, 2);
    const lines = distributionLines(candidate, base);
    expect(lines.map((l) => [l.name, Boolean(l.dashed)])).toEqual([["base base0000", true], ["candidate cand0000", false], ["d1", false], ["d2", false]]);
    // x is log10(1/(1−p)): 0 at p0, 4 at p99.99, evenly spaced.
    expect(lines[1]!.points[0]![0]).toBe(0);
    expect(lines[1]!.points.at(-1)![0]).toBeCloseTo(4, 6);
    const svg = distributionChart(lines, { legend: true });
    for (const label of ["p0", "p90", "p99", "p99.9", "p99.99"]) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain('stroke-dasharray="5 4"');
  });

  test("the HTML report shows the chart when given the distribution, and not otherwise", () => {
    const view = testView();
    const withChart = reportHtml(view, null, 0, distribution(view.test_id, 1, 2));
    expect(withChart).toContain("Latency by percentile (merged digest, log scale)");
    expect(withChart).toContain(">p99.99</text>");
    expect(reportHtml(view, null, 0)).not.toContain("Latency by percentile");
  });
});
