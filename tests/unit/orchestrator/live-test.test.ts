import { describe, expect, test } from "bun:test";
import { LiveTest } from "../../../src/orchestrator/live-test.ts";
import type { TestRecord } from "../../../src/orchestrator/test-state.ts";
import type { MetricsReport } from "../../../src/protocol/index.ts";
import { FakeDriverReports, runningRecord, spread, T0 } from "./fixtures.ts";

const record = (): TestRecord => runningRecord();
const nodes = { get: () => undefined };

describe("LiveTest: totals and per-second series in one model", () => {
  test("one applyReport updates the totals and the second the window falls in; a replay changes neither", () => {
    const live = new LiveTest(record(), T0);
    const d1 = new FakeDriverReports("d1", "t1");
    const first = d1.window(spread(10, 1, 2));
    expect(live.applyReport(first, T0 + 1000)).toBe("accepted");
    live.applyReport(d1.window(spread(20, 1, 2)), T0 + 2000);
    expect(live.applyReport(first, T0 + 2500)).toBe("duplicate");
    expect({ sent: live.view(nodes, T0 + 3000, {}).metrics.counts.sent, points: live.series().points.map((p) => [p.t_s, p.total.sent]) }).toEqual({
      sent: 30,
      points: [
        [0, 10],
        [1, 20],
      ],
    });
    expect(live.tail(1).map((p) => p.t_s)).toEqual([1]);
  });

  test("restore rebuilds the totals and the series from stored reports exactly as they were live, in any order", () => {
    const live = new LiveTest(record(), T0);
    const stored: { report: MetricsReport; received_at: number }[] = [];
    const d1 = new FakeDriverReports("d1", "t1");
    const d2 = new FakeDriverReports("d2", "t1");
    for (let i = 0; i < 4; i++) {
      for (const r of [d1.window(spread(10 + i, 1, 50)), d2.window(spread(5, 100, 200), { errors: i, final: i === 3 })]) {
        const at = T0 + 1000 * (i + 1);
        live.applyReport(r, at);
        stored.push({ report: r, received_at: at });
      }
    }
    const restored = LiveTest.restore(record(), [...stored].reverse(), T0);
    expect(restored.series()).toEqual(live.series());
    expect(restored.view(nodes, T0 + 9000, {}).metrics).toEqual(live.view(nodes, T0 + 9000, {}).metrics);
  });

  test("aggregates keyed by request name are built by the same code as the whole test's", () => {
    const d1 = new FakeDriverReports("d1", "t1");
    // A splitter such as the scenario feature adds: here every report is request "login".
    const live = new LiveTest(record(), T0, (report) => [["login", report]]);
    live.applyReport(d1.window(spread(10, 1, 2)), T0 + 1000);
    const login = live.byRequest.get("login")!;
    expect({ keys: [...live.byRequest.keys()], series: login.series(), sent: login.aggregate.drivers.get("d1")!.counts.sent }).toEqual({
      keys: ["login"],
      series: live.series(),
      sent: 10,
    });
  });
});
