import { afterEach, expect, test } from "bun:test";
import type { OrchestratorEvent } from "../../../src/orchestrator/event-hub.ts";
import { createMemoryStore } from "../../../src/orchestrator/store.ts";
import { FakeDriverReports, spread, startHarness } from "./fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

test("hub events carry the view with the newest points of the core series, and an ended test's series outlives it and a restart", async () => {
  const store = createMemoryStore();
  harness = await startHarness({ ids: ["t1"], store });
  const { orchestrator, join, report, clock } = harness;
  await join("d1");
  const seen: OrchestratorEvent[] = [];
  orchestrator.events.subscribe((e) => void seen.push(e));
  await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 30, target_url: "http://127.0.0.1:8080/ping", trigger: true });
  const d1 = new FakeDriverReports("d1", "t1", clock.now() + orchestrator.options.triggerLeadMs);
  await report(d1.window(spread(10, 1, 2)));
  orchestrator.tick();
  const snapshot = seen.find((e) => e.type === "test");
  expect(snapshot?.type === "test" && snapshot.points).toEqual(orchestrator.series("t1")!.points.slice(-3));
  await report(d1.window(spread(20, 1, 2), { final: true }));
  const final = seen.find((e) => e.type === "test_final");
  const live = orchestrator.series("t1")!;
  expect({ sent: live.points.map((p) => p.total.sent), final: final?.type === "test_final" && final.points }).toEqual({ sent: [10, 20], final: live.points });

  // A new orchestrator over the same store rebuilds the series from the stored reports.
  await harness.stop();
  harness = await startHarness({ store });
  expect(harness.orchestrator.series("t1")).toEqual(live);
  expect(harness.orchestrator.series("nope")).toBeNull();
});
