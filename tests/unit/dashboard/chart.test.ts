import { describe, expect, test } from "bun:test";
import { lineChart, niceTicks, tickLabel } from "../../../src/dashboard/client/chart.ts";
import { latencyLines, mergePoints, rateLines } from "../../../src/dashboard/client/chart-data.ts";
import type { SeriesPoint } from "../../../src/orchestrator/series.ts";

const sample = (rps: number, p50: number | null) => ({
  requests_per_s: rps,
  sent: rps,
  completed: rps,
  errors: { status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, total: 0 },
  late: 0,
  p50,
  p90: p50,
  p95: p50,
  p99: p50 === null ? null : p50 * 2,
  max: p50,
});
const point = (t: number, d1: number, d2?: number): SeriesPoint => ({
  t_s: t,
  total: sample(d1 + (d2 ?? 0), 1 + t),
  drivers: { d1: sample(d1, 1), ...(d2 === undefined ? {} : { d2: sample(d2, null) }) },
});

describe("SVG line chart", () => {
  test("picks round ticks that cover the range", () => {
    expect([niceTicks(0, 187, 4), niceTicks(0, 1, 4), niceTicks(0, 3, 4, 1), niceTicks(0, 0, 4)]).toEqual([
      [0, 50, 100, 150, 200],
      [0, 0.5, 1],
      [0, 1, 2, 3],
      [0, 0.5, 1],
    ]);
    expect([tickLabel(1500), tickLabel(2_000_000), tickLabel(2.5), tickLabel(150)]).toEqual(["1.5k", "2M", "2.5", "150"]);
  });

  test("draws a path per line, breaks it at missing values and escapes names", () => {
    const svg = lineChart(
      [
        { name: "<d1>", color: "#fff", points: [[0, 1], [1, null], [2, 3], [3, 4]] },
        { name: "empty", color: "#000", points: [[0, null]] },
      ],
      { legend: true, title: "t" },
    );
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]!);
    expect(paths.length).toBe(1);
    expect(paths[0]!.match(/M/g)!.length).toBe(2);
    expect(svg).toContain("&#60;d1&#62;");
    expect(svg).not.toContain("<d1>");
  });

  test("says it is waiting when there is no data", () => {
    expect(lineChart([{ name: "x", color: "#fff", points: [] }])).toContain("waiting for data");
  });
});

describe("chart lines from a series", () => {
  test("a rate line per driver, then the total; a driver missing from a second is a gap", () => {
    const lines = rateLines([point(0, 10), point(1, 10, 20)]);
    expect(lines.map((l) => [l.name, l.points])).toEqual([
      ["d1", [[0, 10], [1, 10]]],
      ["d2", [[0, null], [1, 20]]],
      ["total", [[0, 10], [1, 30]]],
    ]);
  });

  test("latency quantiles of all drivers or of one", () => {
    const points = [point(0, 10, 5), point(1, 10, 5)];
    expect(latencyLines(points).map((l) => [l.name, l.points.map((p) => p[1])])).toEqual([
      ["p50", [1, 2]],
      ["p90", [1, 2]],
      ["p95", [1, 2]],
      ["p99", [2, 4]],
    ]);
    expect(latencyLines(points, { kind: "driver", node_id: "d2" })[0]!.points).toEqual([
      [0, null],
      [1, null],
    ]);
  });

  test("live points replace the seconds they update and keep the order", () => {
    expect(mergePoints([point(0, 1), point(1, 1)], [point(1, 5), point(2, 6)]).map((p) => [p.t_s, p.total.requests_per_s])).toEqual([
      [0, 1],
      [1, 5],
      [2, 6],
    ]);
  });
});
