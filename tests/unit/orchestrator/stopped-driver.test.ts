import { afterEach, expect, test } from "bun:test";
import { FakeDriverReports, spread, startHarness } from "./fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

test("a driver shut down mid-test sends a final report marked stopped: its counts are kept and the test ends partial, not done", async () => {
  harness = await startHarness({ ids: ["t1"] });
  const { orchestrator, join, report } = harness;
  await join("d1");
  await join("d2");
  await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: true });
  const d1 = new FakeDriverReports("d1", "t1");
  const d2 = new FakeDriverReports("d2", "t1");
  await report({ ...d1.window(spread(40, 1, 2), { final: true }), stopped: "stopped after 40 of 100 requests" });
  await report(d2.window(spread(100, 1, 2), { final: true }));

  const ended = orchestrator.getTest("t1")!;
  expect({
    state: ended.state,
    error: ended.error,
    per_driver: ended.per_driver.map((d) => [d.node_id, d.outcome, d.final, d.counts.sent]),
  }).toEqual({
    state: "partial",
    error: "not every driver finished (d1: stopped)",
    per_driver: [
      ["d1", "stopped", true, 40],
      ["d2", "final", true, 100],
    ],
  });
});
