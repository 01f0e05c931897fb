import { describe, expect, test } from "bun:test";
import { AbortWatch } from "../../../src/orchestrator/abort/abort-watch.ts";
import { createCompaction } from "../../../src/orchestrator/compact-store.ts";
import { LiveTest } from "../../../src/orchestrator/live-test.ts";
import { createMemoryStore } from "../../../src/orchestrator/store.ts";
import { FakeDriverReports, runningRecord, spread, T0 } from "./fixtures.ts";

describe("a driver whose clock is far off", () => {
  test("does not take the real seconds' cells away: the abort watch still judges them after the snapshots", () => {
    // d1's clock is right; d2's is 10^6 s ahead, so its windows land a million seconds out and
    // the series' newest window second is there. Before: the snapshots froze every closed second
    // more than CELL_SECONDS behind that newest second, i.e. all of d1's at once, and the abort
    // watch (which reads cells) saw nothing to judge. Now cells are dropped by the present second
    // of the orchestrator's clock (the reports' receive time).
    const live = new LiveTest(runningRecord(["d1", "d2"]), T0);
    const store = createMemoryStore();
    const compaction = createCompaction(store, { snapshotEveryMs: 3_000, retainRawMs: 0, keepOpenS: 4, afterSnapshot: () => {} });
    const watch = new AbortWatch({ abort_on: ["errors>10%"], abort_window_s: 5, abort_delay_s: 0 }, live);
    const near = new FakeDriverReports("d1", "t1");
    const far = new FakeDriverReports("d2", "t1", T0 + 1_000_000_000);
    const seconds = 40;
    for (let s = 0; s < seconds; s++) {
      const now = T0 + (s + 1) * 1_000 + 100;
      // d1 fails a third of its requests from second 30 on; d2 is clean.
      for (const report of [near.window(spread(20, 1, 2), { errors: s >= 30 ? 10 : 0 }), far.window(spread(20, 1, 2))]) {
        expect(store.saveReport(report, now)).toBe(true);
        live.applyReport(report, now);
        compaction.afterReport(live, now);
      }
    }
    const now = T0 + seconds * 1_000 + 100;
    // Snapshots were taken (they close and freeze seconds) ...
    expect(store.snapshot("t1")).not.toBeNull();
    expect(live.tally.seriesBuilder.newestSecond).toBeGreaterThan(1_000_000);
    // ... and d1's recent seconds still have their cells: the watch's window (seconds 35-39).
    expect(live.cells(35, 39).filter((c) => c.node_id === "d1").map((c) => c.t_s)).toEqual([35, 36, 37, 38, 39]);
    const firing = watch.check(now, T0);
    expect(firing?.expression).toBe("errors>10%");
    expect(firing?.observed).toBeCloseTo(33.33, 1);
    // The far-off seconds closed long enough ago are frozen (kept as points): the cells stay bounded.
    const farCells = live.cells(1_000_000, Number.MAX_SAFE_INTEGER).length;
    expect(farCells).toBeLessThanOrEqual(10);
    // Every second, real and far, is still in the series once.
    expect(live.series().points.length).toBe(2 * seconds);
  });
});
