import { describe, expect, test } from "bun:test";
import { reportId } from "../../../src/driver/test-stats.ts";
import { ReportKeySet } from "../../../src/orchestrator/report-key-set.ts";
import { createCompaction, restoreLiveTest } from "../../../src/orchestrator/compact-store.ts";
import { LiveTest } from "../../../src/orchestrator/live-test.ts";
import { openSqliteStore } from "../../../src/orchestrator/sqlite-store.ts";
import { reportKey, type MetricsReport } from "../../../src/protocol/index.ts";
import { FakeDriverReports, runningRecord, spread, T0 } from "./fixtures.ts";
import { rng } from "../../helpers/rng.ts";

describe("report keys kept as ranges of sequences", () => {
  for (const seed of [1, 2, 3]) {
    test(`answers exactly as a set of every key would, for shuffled, replayed, lost and foreign keys (seed ${seed})`, () => {
      const r = rng(seed);
      const keys: string[] = [];
      // Two processes of d1 (a twin), d2 without an instance, and a brief-only driver with its own ids.
      for (let seq = 0; seq < 400; seq++) {
        if (r() < 0.03) continue; // lost: never arrives
        keys.push(reportKey({ report_id: reportId("d1", "t1", seq, "i-1"), instance_id: "i-1" }));
        keys.push(reportKey({ report_id: reportId("d1", "t1", seq, "i-2"), instance_id: "i-2" }));
        keys.push(reportKey({ report_id: reportId("d2", "t1", seq) }));
        if (seq % 10 === 0) keys.push(`brief-${seq}-${Math.floor(r() * 1e9)}`);
      }
      // Keys that look numbered but are not the canonical number (a leading zero), and odd ones.
      keys.push("d9:t1:007", "d9:t1:7", "d9:t1:", ":5", "5");
      // Delivered shuffled within a few places, some twice.
      const order = keys.map((k, i) => [i + r() * 30, k] as const).sort((a, b) => a[0] - b[0]).flatMap(([, k]) => (r() < 0.05 ? [k, k] : [k]));
      const set = new ReportKeySet();
      const reference = new Set<string>();
      const probes = [...keys, "d1:i-1:t1:400", "d2:t1:-1", "d2:t1:1.5", "brief-x", "d9:t1:07"];
      for (const [i, key] of order.entries()) {
        expect(set.has(key)).toBe(reference.has(key));
        set.add(key);
        reference.add(key);
        if (i % 97 === 0) for (const probe of probes) expect(set.has(probe)).toBe(reference.has(probe));
      }
      for (const probe of probes) expect(set.has(probe)).toBe(reference.has(probe));
      // Every key in, yet held as a few ranges per process (one per lost report) and the foreign keys.
      expect(reference.size).toBeGreaterThan(1_000);
      expect(set.footprint).toBeLessThan(reference.size / 10);
    });
  }

  test("an in-order stream of a day of one driver's reports is one range", () => {
    const set = new ReportKeySet();
    for (let seq = 0; seq < 86_400; seq++) set.add(`h1x:${seq}`);
    expect(set.footprint).toBe(1);
    expect([set.has("h1x:0"), set.has("h1x:86399"), set.has("h1x:86400")]).toEqual([true, true, false]);
  });
});

describe("a replayed report is never counted twice, with the keys kept as ranges", () => {
  test("through the orchestrator's report path and a SQLite store that prunes every raw report: each replay refused, live and after a restart; the live key set stays a few ranges", () => {
    const store = openSqliteStore(":memory:");
    const compaction = createCompaction(store, { snapshotEveryMs: 5_000, retainRawMs: 0, keepOpenS: 4, afterSnapshot: () => {} });
    const live = new LiveTest(runningRecord(["d1", "d2"]), T0);
    /** The orchestrator's onReport (orchestrator.ts): the live key set first, then the store. */
    const feed = (test: LiveTest, report: MetricsReport, now: number): boolean => {
      if (test.aggregate.seen.has(reportKey(report)) || !store.saveReport(report, now)) return false;
      test.applyReport(report, now);
      compaction.afterReport(test, now);
      return true;
    };
    const drivers = ["d1", "d2"].map((id) => new FakeDriverReports(id, "t1"));
    const sent: MetricsReport[] = [];
    let now = T0;
    for (let s = 0; s < 600; s++) {
      now = T0 + (s + 1) * 1_000;
      for (const d of drivers) {
        const report = { ...d.window(spread(10, 1, 2)), instance_id: `i-${d.nodeId}` };
        // d2's report of second 300 is lost on the way: a gap in its sequences.
        if (d.nodeId === "d2" && s === 300) continue;
        expect(feed(live, report, now)).toBe(true);
        sent.push(report);
      }
    }
    const completed = live.view({ get: () => undefined }, now, {}).metrics.counts.completed;
    expect(store.reports("t1").length).toBeLessThan(sent.length / 10);
    // Every report again, newest first: none is counted.
    for (const report of [...sent].reverse()) expect(feed(live, structuredClone(report), now)).toBe(false);
    expect(live.view({ get: () => undefined }, now, {}).metrics.counts.completed).toBe(completed);
    // d1 one range, d2 two (the lost report), whatever the number of reports.
    expect(live.aggregate.seen.footprint).toBe(3);
    // After a restart from the snapshot: the same refusals.
    compaction.ended(live, now);
    const restored = restoreLiveTest(store, runningRecord(["d1", "d2"]), now);
    for (const report of sent) expect(feed(restored, structuredClone(report), now)).toBe(false);
    expect(restored.view({ get: () => undefined }, now, {}).metrics.counts.completed).toBe(completed);
    expect(restored.aggregate.seen.footprint).toBe(3);
    store.close();
  });
});
