import { describe, expect, test } from "bun:test";
import { SeriesBuilder } from "../../../src/orchestrator/series.ts";
import { FakeDriverReports, spread, T0 } from "./fixtures.ts";

describe("per-second series from report windows", () => {
  test("puts one window per driver per second and merges the drivers' latencies per second", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    const d2 = new FakeDriverReports("d2", "t1");
    const builder = new SeriesBuilder("t1", T0);
    // Second 0: d1 fast, d2 slow; second 1: both fast; d2 reports out of order.
    const reports = [d1.window(spread(100, 1, 2)), d2.window(spread(100, 100, 200)), d1.window(spread(100, 1, 2))];
    const d2second = d2.window(spread(50, 1, 2), { errors: 5 });
    for (const r of [reports[0]!, d2second, reports[1]!, reports[2]!]) builder.add(r);
    const points = builder.points();
    expect(points.map((p) => ({ t: p.t_s, drivers: Object.keys(p.drivers), sent: p.total.sent, rps: p.total.requests_per_s, timeouts: p.total.errors.timeout }))).toEqual([
      { t: 0, drivers: ["d1", "d2"], sent: 200, rps: 200, timeouts: 0 },
      { t: 1, drivers: ["d1", "d2"], sent: 155, rps: 155, timeouts: 5 },
    ]);
    const first = points[0]!;
    // Half the requests at 1-2 ms, half at 100-200 ms: the merged median sits between, p99 near 200.
    expect(first.drivers.d1!.p99).toBeLessThan(2);
    expect(first.drivers.d2!.p50).toBeGreaterThan(100);
    expect(first.total.p99).toBeGreaterThan(190);
    expect(first.total.max).toBeCloseTo(199, 0);
  });

  test("counts a replayed report once and ignores reports without a window", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    const report = d1.window(spread(10, 1, 2));
    const builder = new SeriesBuilder("t1", T0);
    const { window: _w, ...noWindow } = d1.window(spread(10, 1, 2));
    expect([builder.add(report), builder.add(report), builder.add(noWindow)]).toEqual([true, false, false]);
    expect(builder.points().map((p) => p.total.sent)).toEqual([10]);
  });

  test("the tail is the newest seconds; a series rebuilt from stored reports equals the live one", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    const reports = Array.from({ length: 5 }, (_, i) => d1.window(spread(10 * (i + 1), 1, 2)));
    const live = new SeriesBuilder("t1", T0);
    for (const r of reports) live.add(r);
    expect(live.tail(2).map((p) => [p.t_s, p.total.sent])).toEqual([
      [3, 40],
      [4, 50],
    ]);
    const rebuilt = new SeriesBuilder("t1", T0);
    for (const r of [...reports].reverse()) rebuilt.add(r);
    expect(rebuilt.series()).toEqual(live.series());
  });

  test("a second without completions has null latency", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    const builder = new SeriesBuilder("t1", T0);
    builder.add(d1.window([], { errors: 3 }));
    const [point] = builder.points();
    expect({ p50: point!.total.p50, p99: point!.total.p99, max: point!.total.max, errors: point!.total.errors.total }).toEqual({ p50: null, p99: null, max: null, errors: 3 });
  });
});
