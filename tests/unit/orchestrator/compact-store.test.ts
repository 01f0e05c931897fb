import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCompaction, restoreLiveTest } from "../../../src/orchestrator/compact-store.ts";
import { testDistributionOf } from "../../../src/orchestrator/distribution.ts";
import { LiveTest } from "../../../src/orchestrator/live-test.ts";
import { CELL_SECONDS } from "../../../src/orchestrator/series.ts";
import type { RequestSplitter } from "../../../src/orchestrator/test-tally.ts";
import { openSqliteStore } from "../../../src/orchestrator/sqlite-store.ts";
import { createMemoryStore, type OrchestratorStore } from "../../../src/orchestrator/store.ts";
import type { TestRecord } from "../../../src/orchestrator/test-state.ts";
import { reportKey, type MetricsReport } from "../../../src/protocol/index.ts";
import { FakeDriverReports, T0 } from "./fixtures.ts";
import { rng } from "../../helpers/rng.ts";

const DRIVERS = ["d1", "d2", "d3"];
const record = (): TestRecord => ({
  test_id: "t1",
  state: "running",
  config: { test_id: "t1", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 1_000_000 },
  drivers: DRIVERS,
  created_at: T0,
  triggered_at: T0,
  start_at: T0,
  ended_at: null,
  error: null,
});
const nodes = { get: () => undefined };


/**
 * Reports of three drivers over `seconds`, with a twin (a second process reporting as d1),
 * final reports with whole-test digests, shuffled within `maxLateS` seconds and some delivered twice.
 */
function stream(seed: number, seconds: number, maxLateS: number): MetricsReport[] {
  const r = rng(seed);
  const drivers = DRIVERS.map((id) => new FakeDriverReports(id, "t1"));
  // The twin starts at second 10 (its windows fall in the seconds it reports in).
  const twin = new FakeDriverReports("d1", "t1", T0 + 10_000);
  const latencies = () => Array.from({ length: 5 + Math.floor(r() * 60) }, () => 1 + r() * r() * 400);
  const timed: [number, MetricsReport][] = [];
  for (let s = 0; s < seconds; s++) {
    const last = s === seconds - 1;
    for (const d of drivers) timed.push([s + r() * maxLateS, { ...d.window(latencies(), { final: last, errors: r() < 0.1 ? 2 : 0 }), instance_id: `i-${d.nodeId}` }]);
    if (s >= 10) timed.push([s + r() * maxLateS, { ...twin.window(latencies(), { final: last }), instance_id: "i-twin" }]);
  }
  const ordered = timed.sort((a, b) => a[0] - b[0]).map(([, x]) => x);
  return ordered.flatMap((x) => (r() < 0.05 ? [x, x] : [x]));
}

/** What the test shows: its view (totals, latency per driver), series and distribution. */
const figuresOf = (test: LiveTest, now: number) => ({
  view: test.view(nodes, now, {}),
  series: test.series(),
  distribution: testDistributionOf(test),
  by_request: Object.fromEntries([...test.byRequest].map(([name, tally]) => [name, tally.series()])),
});

/** The orchestrator's report path (orchestrator.ts onReport), with the compact store's hook. */
function feed(store: OrchestratorStore, compaction: ReturnType<typeof createCompaction>, live: LiveTest, report: MetricsReport, now: number): void {
  if (live.aggregate.seen.has(reportKey(report)) || !store.saveReport(report, now)) return;
  live.applyReport(report, now);
  compaction.afterReport(live, now);
}

const stores: [string, () => OrchestratorStore][] = [
  ["memory store", createMemoryStore],
  ["SQLite store", () => openSqliteStore(":memory:")],
];

describe("compact store: snapshot, prune, restore", () => {
  for (const [kind, open] of stores) {
    for (const [seed, retainRawMs] of [[1, 2_000], [2, 2_000], [3, 0]] as const) {
      test(`a test restored from its newest snapshot and the later raw reports shows exactly what it showed live, at any point (${kind}, seed ${seed}, retain ${retainRawMs} ms)`, () => {
        const store = open();
        const r = rng(seed + 100);
        const live = new LiveTest(record(), T0);
        // Small figures so a short stream snapshots, closes seconds and prunes many times.
        const compaction = createCompaction(store, { snapshotEveryMs: 3_000, retainRawMs, keepOpenS: 8 });
        const reports = stream(seed, 60, 6);
        let now = T0;
        let checks = 0;
        for (const [i, report] of reports.entries()) {
          now += 200 + Math.floor(r() * 200);
          feed(store, compaction, live, report, now);
          // The orchestrator's tick reads the live test every second (its view and newest points):
          // reads between a snapshot and a restart must not change what the restore gives back.
          if (r() < 0.3) live.view(nodes, now, {}), live.tail(3);
          if (i % 37 === 36 || i === reports.length - 1) {
            const restored = restoreLiveTest(store, record(), now);
            expect(figuresOf(restored, now)).toEqual(figuresOf(live, now));
            checks++;
          }
        }
        expect(checks).toBeGreaterThan(5);
        // Every report was counted exactly once, and most raw reports were pruned.
        const sent = live.view(nodes, now, {}).metrics.counts.sent;
        expect(sent).toBeGreaterThan(0);
        expect(store.reports("t1").length).toBeLessThan(reports.length / 3);
        // A replay of a pruned report is still refused by the store.
        expect(store.saveReport(reports[0]!, now)).toBe(false);
        store.close();
      });
    }
  }

  test("a test that ended is restored from its final snapshot, and keeps no raw report with --retain-raw-s 0", () => {
    const store = openSqliteStore(":memory:");
    const live = new LiveTest(record(), T0);
    const compaction = createCompaction(store, { snapshotEveryMs: 5_000, retainRawMs: 0 });
    let now = T0;
    for (const report of stream(9, 40, 3)) feed(store, compaction, live, report, (now += 250));
    compaction.ended(live, now);
    expect(store.reports("t1")).toEqual([]);
    // Seconds 0..40: the newest 120 stay cells in the snapshot (nothing closed in so short a test).
    expect(store.seriesPoints("t1")).toEqual([]);
    const restored = restoreLiveTest(store, record(), now + 60_000);
    expect(figuresOf(restored, now)).toEqual(figuresOf(live, now));
    store.close();
  });

  test("a window that lands in a closed second before the next snapshot rewrites that second's point: the restore stays exact", () => {
    const store = createMemoryStore();
    const live = new LiveTest(record(), T0);
    const compaction = createCompaction(store, { snapshotEveryMs: 1_000, retainRawMs: 0, keepOpenS: 5 });
    const reports = stream(4, 30, 0);
    // d2's report of second 2 arrives after second 25: its second was closed long before.
    const lateIndex = reports.findIndex((x) => x.node_id === "d2" && x.window!.start_ms >= T0 + 2_000);
    const [late] = reports.splice(lateIndex, 1);
    const at = reports.findIndex((x) => x.window!.start_ms >= T0 + 25_000);
    reports.splice(at, 0, late!);
    let now = T0;
    for (const report of reports) feed(store, compaction, live, report, (now += 300));
    now += 2_000;
    compaction.ended(live, now);
    expect(figuresOf(restoreLiveTest(store, record(), now), now)).toEqual(figuresOf(live, now));
  });

  test("a test longer than CELL_SECONDS: old closed seconds keep only their point (whole test and per request), the restore stays exact, a collection follows each snapshot that dropped cells", () => {
    const split: RequestSplitter = (report) => [[report.node_id === "d2" ? "b" : "a", report]];
    const store = openSqliteStore(":memory:");
    const live = new LiveTest(record(), T0, split);
    const plain = new LiveTest(record(), T0, split);
    let collections = 0;
    const compaction = createCompaction(store, { snapshotEveryMs: 10_000, retainRawMs: 0, afterSnapshot: () => collections++ });
    const seconds = CELL_SECONDS + 60;
    const reports = stream(21, seconds, 3);
    // d2's window of second 2 arrives near the end: its second has long kept only its point.
    const lateIndex = reports.findIndex((x) => x.node_id === "d2" && x.window!.start_ms >= T0 + 2_000);
    const [late] = reports.splice(lateIndex, 1);
    reports.splice(reports.length - 20, 0, late!);
    let now = T0;
    for (const report of reports) {
      feed(store, compaction, live, report, (now += 250));
      plain.applyReport(report, now);
    }
    // Nothing but points left for the seconds older than CELL_SECONDS + the open window, in every
    // tally (a late window into a second without a point, as d2's in tally "b", until the next snapshot).
    const cellsLeft = () => Object.fromEntries([["", live.tally] as const, ...live.byRequest].map(([name, tally]) => [name, [tally.cells(0, 40).length, tally.series().points.length]]));
    expect(collections).toBeGreaterThan(0);
    expect(cellsLeft()).toEqual({ "": [0, seconds], a: [0, seconds], b: [1, seconds] });
    // The late window's counts are in its second; the whole-test figures are exact (the aggregate).
    const second2 = live.series().points.find((p) => p.t_s === 2)!;
    expect(second2.total.sent).toBe(plain.series().points.find((p) => p.t_s === 2)!.total.sent);
    expect(live.view(nodes, now, {})).toEqual(plain.view(nodes, now, {}));
    expect(testDistributionOf(live)).toEqual(testDistributionOf(plain));
    expect(figuresOf(restoreLiveTest(store, record(), now, split), now)).toEqual(figuresOf(live, now));
    now += 2_000;
    compaction.ended(live, now);
    expect(cellsLeft()).toEqual({ "": [0, seconds], a: [0, seconds], b: [0, seconds] });
    expect(figuresOf(restoreLiveTest(store, record(), now, split), now)).toEqual(figuresOf(live, now));
    store.close();
  });

  test("keeps every raw report with retainRawMs Infinity (--retain-raw-s all), and still restores from the snapshot", () => {
    const store = createMemoryStore();
    const live = new LiveTest(record(), T0);
    const compaction = createCompaction(store, { snapshotEveryMs: 2_000, retainRawMs: Infinity, keepOpenS: 5 });
    const reports = stream(5, 30, 2);
    let now = T0;
    for (const report of reports) feed(store, compaction, live, report, (now += 300));
    expect(store.reports("t1").length).toBe(new Set(reports.map(reportKey)).size);
    expect(store.snapshot("t1")).not.toBeNull();
    expect(figuresOf(restoreLiveTest(store, record(), now), now)).toEqual(figuresOf(live, now));
  });

  test("per-request tallies (a RequestSplitter) are snapshotted and restored with the whole test's", () => {
    // A hand-written splitter standing in for the scenario feature's: reports of d1 and d3 count under "a", d2's under "b".
    const split: RequestSplitter = (report) => [[report.node_id === "d2" ? "b" : "a", report]];
    const store = openSqliteStore(":memory:");
    const live = new LiveTest(record(), T0, split);
    const compaction = createCompaction(store, { snapshotEveryMs: 2_000, retainRawMs: 0, keepOpenS: 5 });
    let now = T0;
    for (const report of stream(8, 40, 3)) {
      feed(store, compaction, live, report, (now += 300));
      live.view(nodes, now, {});
    }
    expect([...live.byRequest.keys()].sort()).toEqual(["a", "b"]);
    expect(store.seriesPoints("t1").some((p) => p.tally === "b")).toBe(true);
    const restoredNoSplit = restoreLiveTest(store, record(), now);
    expect(restoredNoSplit.series()).toEqual(live.series());
    expect(figuresOf(restoreLiveTest(store, record(), now, split), now)).toEqual(figuresOf(live, now));
    store.close();
  });

  test("report sequence numbers never go back, even after every row was pruned and the file reopened", () => {
    const dir = mkdtempSync(join(tmpdir(), "compact-seq-"));
    try {
      const file = join(dir, "o.sqlite");
      let store = openSqliteStore(file);
      const live = new LiveTest(record(), T0);
      const compaction = createCompaction(store, { snapshotEveryMs: 1_000, retainRawMs: 0 });
      const reports = stream(10, 12, 0);
      let now = T0;
      for (const report of reports.slice(0, 20)) feed(store, compaction, live, report, (now += 300));
      compaction.ended(live, now);
      expect(store.reports("t1")).toEqual([]);
      const through = store.snapshot("t1")!.through_seq;
      store.close();
      store = openSqliteStore(file);
      expect(store.saveReport(reports[25]!, now + 1)).toBe(true);
      expect(store.reportsAfter("t1", through).map((x) => reportKey(x.report))).toEqual([reportKey(reports[25]!)]);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a store without a snapshot (written before the compact store) restores from every raw report, as before", () => {
    const store = createMemoryStore();
    const live = new LiveTest(record(), T0);
    let now = T0;
    for (const report of stream(6, 20, 2)) if (!live.aggregate.seen.has(reportKey(report)) && store.saveReport(report, (now += 300))) live.applyReport(report, now);
    expect(store.snapshot("t1")).toBeNull();
    expect(figuresOf(restoreLiveTest(store, record(), now), now)).toEqual(figuresOf(live, now));
  });
});
