import { describe, expect, test } from "bun:test";
import { addCell, addWindow, bucketOf, emptyWindowCell } from "../../../src/orchestrator/window-cell.ts";
import { summarize } from "../../../src/stats/digest.ts";
import { FakeDriverReports, spread, T0 } from "./fixtures.ts";

describe("window cells", () => {
  test("a window belongs to the second its midpoint falls in, never before second 0", () => {
    expect([
      bucketOf({ start_ms: T0 + 900, end_ms: T0 + 2_050 }, T0, 1_000),
      bucketOf({ start_ms: T0 + 1_000, end_ms: T0 + 1_999 }, T0, 1_000),
      bucketOf({ start_ms: T0 - 3_000, end_ms: T0 - 1_000 }, T0, 1_000),
      bucketOf({ start_ms: T0 + 4_000, end_ms: T0 + 6_000 }, T0, 2_000),
    ]).toEqual([1, 1, 0, 2]);
  });

  test("adds windows and cells up exactly: counts summed, digests merged, min and max kept, a cell with no completion adds no latency", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    const d2 = new FakeDriverReports("d2", "t1");
    const a = emptyWindowCell();
    const b = emptyWindowCell();
    addWindow(a, d1.window(spread(100, 1, 2)).window!);
    addWindow(b, d2.window(spread(300, 3, 4)).window!);
    addWindow(b, d2.window([], { errors: 5 }).window!);
    const all = emptyWindowCell();
    addCell(all, a);
    addCell(all, b);
    expect({ counts: all.counts, exact: all.exact }).toMatchObject({ counts: { sent: 405, completed: 400, timeout: 5 }, exact: { count: 400, min: 1, max: 3 + 299 / 300 } });
    expect(summarize(all.digest, all.exact).median_latency).toBeGreaterThan(3);
    const countsOnly = emptyWindowCell();
    addCell(countsOnly, a, false);
    expect({ sent: countsOnly.counts.sent, latencies: countsOnly.exact.count, centroids: countsOnly.digest.size() }).toEqual({ sent: 100, latencies: 0, centroids: 0 });
  });
});
