import { describe, expect, test } from "bun:test";
import { SeriesBuilder } from "../../../src/orchestrator/series.ts";
import { addWindow, bucketOf, emptyWindowCell } from "../../../src/orchestrator/window-cell.ts";
import { FakeDriverReports, spread, T0 } from "./fixtures.ts";
import { rng } from "../../helpers/rng.ts";

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

  test("a driver whose clock is 10^8 s off: its window lands that far out, and closing or reading the series visits only seconds with windows", () => {
    // Before: close() and the cooling walked every second of the range, building a set of 10^8
    // numbers (out of memory, seen with a fake-clock driver at another epoch than the orchestrator).
    const near = new FakeDriverReports("d1", "t1");
    const far = new FakeDriverReports("d2", "t1", T0 + 100_000_000_000);
    const builder = new SeriesBuilder("t1", T0, 1_000, 2);
    builder.add(near.window(spread(10, 1, 2)));
    builder.add(far.window(spread(10, 1, 2)));
    const farSecond = builder.newestSecond;
    expect(farSecond).toBeGreaterThanOrEqual(100_000_000);
    expect(builder.close(farSecond).map((p) => p.t_s)).toEqual([0, farSecond]);
    // Second 0 is closed and older than CELL_SECONDS: it keeps its point only, no cells.
    expect(builder.cells(0, farSecond).map((c) => [c.t_s, c.node_id])).toEqual([[farSecond, "d2"]]);
    expect(builder.points().map((p) => [p.t_s, p.total.sent])).toEqual([
      [0, 10],
      [farSecond, 10],
    ]);
  });

  test("closed seconds older than the cell window keep only their point: the same series, bounded cells; a late window adds its counts and max", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    const bounded = new SeriesBuilder("t1", T0, 1_000, 2, 5);
    const reference = new SeriesBuilder("t1", T0, 1_000, 2, Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < 30; i++) {
      const report = d1.window(spread(100 + i, 1 + i, 10 + i));
      bounded.add(report);
      reference.add(report);
      if (i % 3 === 2) bounded.close(bounded.newestSecond - 2);
    }
    expect(bounded.points()).toEqual(reference.points());
    // Only the newest CELL_SECONDS (5 here) keep cells: closing at 27 froze seconds up to 29 - 5.
    const withCells = bounded.cells(0, bounded.newestSecond).map((c) => c.t_s);
    expect(withCells).toEqual([25, 26, 27, 28, 29]);
    // A late window from a second driver into frozen second 0: counts and max exact, quantiles kept.
    const before = structuredClone(bounded.points()[0]!);
    const late = new FakeDriverReports("d2", "t1").window(spread(10, 500, 600));
    bounded.add(late);
    const after = bounded.points()[0]!;
    expect(after.total.sent).toBe(before.total.sent + 10);
    expect(after.total.completed).toBe(before.total.completed + 10);
    expect(after.total.max).toBe(590);
    expect(after.total.p50).toBe(before.total.p50);
    expect(after.drivers.d2!.sent).toBe(10);
    expect(bounded.close(bounded.newestSecond - 2).map((p) => p.t_s)).toEqual([0]);
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

describe("per-second points computed once per change", () => {

  for (const seed of [1, 2, 3, 4, 5]) {
    test(`reads between late, duplicate and out-of-order windows never serve a stale second (seed ${seed})`, () => {
      const r = rng(seed);
      const drivers = ["d1", "d2", "d3"].map((id) => new FakeDriverReports(id, "t1"));
      const reports = drivers.flatMap((d) => Array.from({ length: 12 }, () => d.window(spread(5 + Math.floor(r() * 50), 1 + r() * 5, 10 + r() * 200))));
      // Shuffled, with some reports delivered twice.
      const stream = [...reports, ...reports.filter(() => r() < 0.2)].map((x) => [r(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
      const read = new SeriesBuilder("t1", T0);
      for (const report of stream) {
        read.add(report);
        // A live tail after every report, and now and then the whole series (what the report endpoint reads).
        read.tail(3);
        if (r() < 0.3) read.points();
      }
      const fresh = new SeriesBuilder("t1", T0);
      for (const report of stream) fresh.add(report);
      expect(read.points()).toEqual(fresh.points());
      expect(read.tail(3)).toEqual(fresh.points().slice(-3));
      expect(read.points().length).toBe(12);
    });
  }
});

describe("cold seconds keep their windows, not their digest", () => {

  for (const seed of [11, 12, 13, 14, 15, 16]) {
    test(`a series whose old seconds went cold equals one that kept every digest, and both equal the raw windows merged in order (seed ${seed})`, () => {
      const r = rng(seed);
      const drivers = ["d1", "d2", "d3"].map((id) => new FakeDriverReports(id, "t1"));
      // Windows big enough for the digests to merge centroids (small ones keep every value, in any order).
      const own = drivers.flatMap((d) => Array.from({ length: 30 }, () => d.window(spread(500 + Math.floor(r() * 1500), 1 + r() * 5, 10 + r() * 300))));
      // A second process under some node_ids (a twin): two windows in one driver's second, so their order matters.
      const twins = own.filter(() => r() < 0.4).map((x) => ({
        ...x,
        instance_id: "twin",
        window: { ...x.window!, digest: { means: x.window!.digest.means.map((m) => m * 1.7 + 3), counts: x.window!.digest.counts } },
      }));
      const reports = [...own, ...twins];
      // Mostly in order with some late (up to 20 s) and some replayed reports, as after a bus outage.
      const stream = [...reports, ...reports.filter(() => r() < 0.15)]
        .map((x, i) => [i + (r() < 0.2 ? r() * 60 : 0), x] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, x]) => x);
      const cold = new SeriesBuilder("t1", T0, 1_000, 2);
      const warm = new SeriesBuilder("t1", T0, 1_000, Number.MAX_SAFE_INTEGER);
      const reference = new Map<string, ReturnType<typeof emptyWindowCell>>();
      const seen = new Set<string>();
      for (const report of stream) {
        cold.add(report);
        warm.add(report);
        const reportKey = `${report.instance_id ?? ""}/${report.report_id}`;
        if (!seen.has(reportKey)) {
          seen.add(reportKey);
          const key = `${bucketOf(report.window!, T0, 1_000)}/${report.node_id}`;
          const cell = reference.get(key) ?? emptyWindowCell();
          reference.set(key, cell);
          addWindow(cell, report.window!);
        }
        // Reads between reports: the live tail, now and then the whole series, and an abort-like window.
        cold.tail(3);
        if (r() < 0.2) cold.points();
        if (r() < 0.2) cold.cells(0, 40);
      }
      expect(cold.points()).toEqual(warm.points());
      const centroids = (d: { toArray(): { mean: number; n: number }[] }) => d.toArray().map((c) => [c.mean, c.n]);
      const cells = cold.cells(0, 40);
      expect(cells.length).toBe(reference.size);
      // Cell by cell against the raw windows merged in arrival order (what the code before did).
      const byKey = new Map(cells.map((c) => [`${c.t_s}/${c.node_id}`, c]));
      for (const [key, ref] of reference) {
        const match = byKey.get(key);
        expect(match).toBeDefined();
        expect(centroids(match!.digest)).toEqual(centroids(ref.digest));
        expect(match!.exact).toEqual(ref.exact);
        expect(match!.counts).toEqual(ref.counts);
      }
      // CPU-heavy (thousands of digest merges per seed): a correctness test, given room on a loaded machine.
    }, 60_000);
  }
});
