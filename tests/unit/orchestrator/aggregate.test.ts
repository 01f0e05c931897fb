import { describe, expect, test } from "bun:test";
import { applyReport, createAggregate, totalCounts } from "../../../src/orchestrator/aggregate.ts";
import { driverLatency, totalLatency } from "../../../src/orchestrator/aggregate-latency.ts";
import { exactMedian, FakeDriverReports, spread } from "./fixtures.ts";

describe("aggregation across drivers", () => {
  test("merges digests without averaging medians when drivers report different loads", () => {
    const fast = new FakeDriverReports("d1", "t1");
    const slow = new FakeDriverReports("d2", "t1");
    const agg = createAggregate(["d1", "d2"]);
    const fastLatencies = spread(9000, 10, 20);
    const slowLatencies = spread(1000, 200, 400);
    // Three windows each, interleaved as they would arrive.
    for (let i = 0; i < 3; i++) {
      applyReport(agg, fast.window(fastLatencies.slice(i * 3000, (i + 1) * 3000), { final: i === 2 }), 0);
      applyReport(agg, slow.window(slowLatencies.slice(Math.floor((i * 1000) / 3), Math.floor(((i + 1) * 1000) / 3)), { final: i === 2 }), 0);
    }
    const union = [...fastLatencies, ...slowLatencies];
    const merged = totalLatency(agg);
    const trueMedian = exactMedian(union);
    const averageOfMedians = (exactMedian(fastLatencies) + exactMedian(slowLatencies)) / 2;
    expect(Math.abs(merged.median_latency - trueMedian) / trueMedian).toBeLessThan(0.01);
    expect(Math.abs(merged.median_latency - averageOfMedians)).toBeGreaterThan(50);
    expect(merged.min_latency).toBe(10);
    expect(merged.max_latency).toBeCloseTo(399.8, 3);
    // The mean is weighted by counts: 9000 fast and 1000 slow.
    const trueMean = union.reduce((s, x) => s + x, 0) / union.length;
    expect(merged.mean_latency).toBeCloseTo(trueMean, 2);
    expect(totalCounts(agg)).toMatchObject({ sent: 10_000, completed: 10_000, status_2xx: 10_000 });
  });

  test("counts a replayed report once", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    const agg = createAggregate(["d1"]);
    const first = d1.window(spread(100, 1, 2));
    expect(applyReport(agg, first, 0)).toBe("accepted");
    expect(applyReport(agg, structuredClone(first), 0)).toBe("duplicate");
    expect(totalCounts(agg).sent).toBe(100);
    expect(agg.drivers.get("d1")!.reports).toBe(1);
    expect(agg.drivers.get("d1")!.window_exact.count).toBe(100);
  });

  test("takes cumulative counts from the highest sequence when reports arrive out of order", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    const agg = createAggregate(["d1"]);
    const reports = [d1.window(spread(100, 5, 6)), d1.window(spread(200, 5, 6)), d1.window(spread(300, 5, 6), { final: true })];
    for (const r of [reports[2]!, reports[0]!, reports[1]!]) applyReport(agg, r, 0);
    expect(totalCounts(agg).sent).toBe(600);
    expect(agg.drivers.get("d1")!.sequence).toBe(2);
    expect(agg.drivers.get("d1")!.final).toBe(true);
    expect(driverLatency(agg.drivers.get("d1")!).mean_latency).toBeCloseTo(5.5, 2);
  });

  test("never adds cumulative counts of two reports of one driver together", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    const d2 = new FakeDriverReports("d2", "t1");
    const agg = createAggregate(["d1", "d2"]);
    for (let i = 0; i < 5; i++) applyReport(agg, d1.window(spread(10, 1, 2)), 0);
    for (let i = 0; i < 3; i++) applyReport(agg, d2.window(spread(10, 1, 2), { errors: 1 }), 0);
    expect(totalCounts(agg)).toMatchObject({ sent: 50 + 33, completed: 80, timeout: 3 });
  });

  test("uses the final total digest and cumulative summary when a window was lost", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    const agg = createAggregate(["d1"]);
    d1.window(spread(1000, 100, 200)); // lost on the way
    applyReport(agg, d1.window(spread(1000, 1, 2), { final: true }), 0);
    const latency = totalLatency(agg);
    expect(latency.max_latency).toBeCloseTo(199.9, 3);
    expect(latency.min_latency).toBe(1);
    expect(latency.mean_latency).toBeCloseTo((150 - 0.05 + 1.5 - 0.0005) / 2, 1);
    expect(latency.median_latency).toBeGreaterThan(1.9);
    expect(totalCounts(agg).completed).toBe(2000);
  });

  test("refuses reports from a node that does not take part", () => {
    const agg = createAggregate(["d1"]);
    expect(applyReport(agg, new FakeDriverReports("intruder", "t1").window([1]), 0)).toBe("not_participant");
    expect(totalCounts(agg).sent).toBe(0);
  });
});
