import { describe, expect, test } from "bun:test";
import { createDigest } from "../../../src/stats/digest.ts";
import { distributionFractions, latencyDistribution } from "../../../src/stats/distribution.ts";
import { distributionOf } from "../../../src/orchestrator/distribution.ts";
import { applyReport, createAggregate } from "../../../src/orchestrator/aggregate.ts";
import { FakeDriverReports, spread } from "../orchestrator/fixtures.ts";

function digestOf(values: number[]) {
  const digest = createDigest();
  for (const v of values) digest.push(v);
  return digest;
}

/** A seeded generator, so a failure replays. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("latency distribution", () => {
  test("spaces its points evenly on the log 1/(1−p) axis from p0 to p99.99", () => {
    const fractions = distributionFractions(4, 20);
    expect(fractions.length).toBe(81);
    expect(fractions[0]).toBe(0);
    const logs = fractions.map((p) => Math.log10(1 / (1 - p)));
    for (let i = 1; i < logs.length; i++) expect(logs[i]! - logs[i - 1]!).toBeCloseTo(1 / 20, 9);
    expect(1 - fractions.at(-1)!).toBeCloseTo(1e-4, 12);
    expect(fractions[20]).toBeCloseTo(0.9, 12);
    expect(fractions[40]).toBeCloseTo(0.99, 12);
  });

  test("is monotone, starts at the exact min and never passes the exact max, for skewed random latencies", () => {
    const random = lcg(7);
    const values = Array.from({ length: 20_000 }, () => 1 + 50 * -Math.log(1 - random()) + (random() < 0.01 ? 500 * random() : 0));
    const min = Math.min(...values);
    const max = Math.max(...values);
    const dist = latencyDistribution(digestOf(values), { count: values.length, min, max })!;
    const latencies = dist.points.map((p) => p.latency_ms);
    for (let i = 1; i < latencies.length; i++) expect(latencies[i]!).toBeGreaterThanOrEqual(latencies[i - 1]!);
    expect({ p0: dist.points[0]!.latency_ms, percentile0: dist.points[0]!.percentile, min: dist.min_ms, max: dist.max_ms }).toEqual({
      p0: Math.round(min * 1000) / 1000,
      percentile0: 0,
      min: Math.round(min * 1000) / 1000,
      max: Math.round(max * 1000) / 1000,
    });
    expect(latencies.at(-1)!).toBeLessThanOrEqual(dist.max_ms);
    expect(dist.points.at(-1)!.percentile).toBe(99.99);
    // p50 and p99 within the digest's accuracy of the exact ones.
    const sorted = [...values].sort((a, b) => a - b);
    const at = (pct: number) => dist.points.find((p) => Math.abs(p.percentile - pct) < 1e-6)!.latency_ms;
    expect(Math.abs(at(90) - sorted[Math.floor(0.9 * sorted.length)]!) / sorted[Math.floor(0.9 * sorted.length)]!).toBeLessThan(0.03);
    expect(Math.abs(at(99) - sorted[Math.floor(0.99 * sorted.length)]!) / sorted[Math.floor(0.99 * sorted.length)]!).toBeLessThan(0.05);
  });

  test("is null without any latency", () => {
    expect(latencyDistribution(createDigest(), { count: 0, min: Infinity, max: -Infinity })).toBeNull();
  });

  test("a constant latency is one flat line at that value", () => {
    const dist = latencyDistribution(digestOf(Array(500).fill(12.5)), { count: 500, min: 12.5, max: 12.5 })!;
    expect(new Set(dist.points.map((p) => p.latency_ms))).toEqual(new Set([12.5]));
  });
});

describe("a test's distributions", () => {
  test("the whole test comes from the merged digest (exact min and max across drivers) and each driver has its own", () => {
    const fast = new FakeDriverReports("d1", "t1");
    const slow = new FakeDriverReports("d2", "t1");
    const agg = createAggregate(["d1", "d2"]);
    applyReport(agg, fast.window(spread(900, 10, 20)), 0);
    applyReport(agg, slow.window(spread(100, 200, 400), { final: true }), 0);
    applyReport(agg, fast.window([], { final: true }), 0);
    const dist = distributionOf("t1", agg);
    expect(dist.per_driver.map((d) => [d.node_id, d.distribution?.count, d.distribution?.min_ms, d.distribution?.max_ms])).toEqual([
      ["d1", 900, 10, 19.989],
      ["d2", 100, 200, 398],
    ]);
    expect({ count: dist.total!.count, min: dist.total!.min_ms, max: dist.total!.max_ms, by_name: dist.by_name }).toEqual({ count: 1000, min: 10, max: 398, by_name: {} });
    // 90% of the requests are the fast driver's: p50 is fast, p99 is slow (never an average of the two).
    const at = (pct: number) => dist.total!.points.find((p) => p.percentile >= pct - 1e-6)!.latency_ms;
    expect(at(50)).toBeLessThan(20);
    expect(at(99)).toBeGreaterThan(200);
  });
});
