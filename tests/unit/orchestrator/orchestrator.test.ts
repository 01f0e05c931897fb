import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/orchestrator/clock.ts";
import type { OrchestratorEvent } from "../../../src/orchestrator/event-hub.ts";
import { createMemoryStore } from "../../../src/orchestrator/store.ts";
import type { TestRequest } from "../../../src/orchestrator/test-request.ts";
import type { TestConfig, Trigger } from "../../../src/protocol/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { FakeDriverReports, spread, startHarness, T0 } from "./fixtures.ts";

const request: TestRequest = { test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: false };
let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe("orchestrator test lifecycle", () => {
  test("goes created → running → done and publishes the config and a trigger with a common start", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, drivers, join, report } = harness;
    const configs: TestConfig[] = [];
    const triggers: Trigger[] = [];
    await drivers.subscribe("test_config", { mode: { kind: "broadcast" } }, (m) => void configs.push(m));
    await drivers.subscribe("trigger", { mode: { kind: "broadcast" } }, (m) => void triggers.push(m));
    await join("d1");
    await join("d2");

    const created = await orchestrator.createTest(request);
    expect(created).toMatchObject({ test_id: "t1", state: "created", drivers: ["d1", "d2"] });
    await waitFor("the config to reach the drivers", () => configs.length === 1);
    expect(configs[0]).toMatchObject({ test_id: "t1", test_type: "AVALANCHE", message_count_per_driver: 100, drivers: ["d1", "d2"], created_at: T0 });

    const running = await orchestrator.triggerTest("t1");
    expect(running).toMatchObject({ state: "running", triggered_at: T0, start_at: T0 + 250 });
    await waitFor("the trigger to reach the drivers", () => triggers.length === 1);
    expect(triggers[0]).toEqual({ test_id: "t1", trigger: "YES", start_at: T0 + 250 });
    await expect(orchestrator.triggerTest("t1")).rejects.toMatchObject({ kind: "conflict" });

    const finals: OrchestratorEvent[] = [];
    orchestrator.events.subscribe((e) => e.type === "test_final" && finals.push(e));
    const d1 = new FakeDriverReports("d1", "t1");
    const d2 = new FakeDriverReports("d2", "t1");
    await report(d1.window(spread(50, 1, 2)));
    await report(d2.window(spread(100, 3, 4), { final: true }));
    expect(orchestrator.getTest("t1")!.state).toBe("running");
    await report(d1.window(spread(50, 1, 2), { final: true }));

    const done = orchestrator.getTest("t1")!;
    expect(done).toMatchObject({ state: "done", ended_at: T0, error: null });
    expect(done.metrics.counts).toMatchObject({ sent: 200, completed: 200 });
    expect(done.per_driver.map((d) => [d.node_id, d.outcome, d.counts.sent])).toEqual([["d1", "final", 100], ["d2", "final", 100]]);
    expect(finals).toHaveLength(1);
    expect(orchestrator.listNodes().map((n) => [n.node_id, n.requests_sent, n.last_test_id])).toEqual([["d1", 100, "t1"], ["d2", 100, "t1"]]);
  });

  test("ends partial when a participant dies mid-test, keeping its last counts marked dead", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, clock, join, beat, report } = harness;
    await join("d1");
    await join("d2");
    await orchestrator.createTest({ ...request, trigger: true });
    const d1 = new FakeDriverReports("d1", "t1");
    const d2 = new FakeDriverReports("d2", "t1");
    await report(d2.window(spread(30, 1, 2)));
    for (let second = 1; second <= 2; second++) {
      clock.advance(1000);
      await beat("d1"); // d2 has gone quiet
    }
    expect(orchestrator.listNodes().map((n) => n.status)).toEqual(["alive", "suspect"]);
    await report(d1.window(spread(100, 1, 2), { final: true }));
    expect(orchestrator.getTest("t1")!.state).toBe("running");
    clock.advance(1000); // the tick finds d2 silent for 3 s: dead

    const result = orchestrator.getTest("t1")!;
    expect(result.state).toBe("partial");
    expect(result.error).toContain("d2: dead");
    expect(result.per_driver.find((d) => d.node_id === "d2")).toMatchObject({ outcome: "dead", node_status: "dead", counts: { sent: 30 } });
    expect(result.metrics.counts.sent).toBe(130);
  });

  test("fails when every driver rejects the configuration, with their errors", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, drivers, join } = harness;
    await join("d1");
    await join("d2");
    await orchestrator.createTest(request);
    for (const node_id of ["d1", "d2"]) {
      await drivers.publish("driver_event", { node_id, test_id: "t1", event: "TEST_REJECTED", error: `${node_id} is busy`, issues: [{ path: "test_id", message: "busy" }] });
    }
    const failed = await waitFor("the test to fail", () => (orchestrator.getTest("t1")?.state === "failed" ? orchestrator.getTest("t1") : null));
    expect(failed.error).toBe("every driver rejected the test (d1: d1 is busy; d2: d2 is busy)");
    expect(failed.per_driver.map((d) => [d.outcome, d.error, d.issues])).toEqual([
      ["rejected", "d1 is busy", [{ path: "test_id", message: "busy" }]],
      ["rejected", "d2 is busy", [{ path: "test_id", message: "busy" }]],
    ]);
  });

  test("marks tests that were created or running as interrupted after a restart", async () => {
    const store = createMemoryStore();
    const clock = new ManualClock(T0);
    harness = await startHarness({ store, clock, ids: ["t1", "t2"] });
    await harness.join("d1");
    await harness.orchestrator.createTest({ ...request, trigger: true });
    await harness.report(new FakeDriverReports("d1", "t1").window(spread(40, 1, 2)));
    await harness.orchestrator.createTest(request);
    await harness.stop();

    clock.advance(60_000);
    harness = await startHarness({ store, clock });
    const { orchestrator } = harness;
    expect(orchestrator.getTest("t1")).toMatchObject({ state: "interrupted", ended_at: T0 + 60_000, error: "the orchestrator stopped while the test was running" });
    expect(orchestrator.getTest("t1")!.metrics.counts.sent).toBe(40);
    expect(orchestrator.getTest("t2")).toMatchObject({ state: "interrupted" });
    expect(orchestrator.listTests(10, 0).tests.map((t) => [t.test_id, t.state])).toEqual([["t2", "interrupted"], ["t1", "interrupted"]]);
    expect(orchestrator.listNodes()).toMatchObject([{ node_id: "d1", status: "dead" }]);
  });

  test("includes a suspect driver (one heartbeat late) in a new test; only dead ones are left out", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, clock, join, beat } = harness;
    await join("d1");
    await join("d2");
    await join("d3");
    clock.advance(1000);
    await beat("d1", "d2");
    clock.advance(1000); // d2 is now 1 s quiet, d3 2 s: suspect
    await beat("d1");
    clock.advance(1500); // d2 2.5 s quiet (suspect), d3 3.5 s: dead
    expect(orchestrator.listNodes().map((n) => n.status)).toEqual(["alive", "suspect", "dead"]);
    expect((await orchestrator.createTest(request)).drivers).toEqual(["d1", "d2"]);
  });

  test("keeps /nodes requests_sent at the newest report's count when reports arrive out of order", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, join, report } = harness;
    await join("d1");
    await orchestrator.createTest({ ...request, trigger: true });
    const d1 = new FakeDriverReports("d1", "t1");
    const older = d1.window(spread(40, 1, 2));
    const newer = d1.window(spread(60, 1, 2));
    await report(newer);
    await report(older);
    expect(orchestrator.listNodes().map((n) => [n.node_id, n.requests_sent, n.last_test_id])).toEqual([["d1", 100, "t1"]]);
  });

  test("refuses to create a test without alive drivers", async () => {
    harness = await startHarness();
    await expect(harness.orchestrator.createTest(request)).rejects.toMatchObject({ kind: "conflict", message: expect.stringContaining("no alive drivers") });
  });

  test("counts what it drops: unknown tests, strangers, replays and bus rejections", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, drivers, join, report } = harness;
    await join("d1");
    await orchestrator.createTest({ ...request, trigger: true });
    const d1 = new FakeDriverReports("d1", "t1");
    const first = d1.window([1, 2]);
    await report(first);
    await report(first);
    await report(new FakeDriverReports("d1", "nope").window([1]));
    await report(new FakeDriverReports("stranger", "t1").window([1]));
    await drivers.publishRaw("metrics", "{not json");
    await waitFor("the bus to reject the garbage", () => orchestrator.counters().bus_rejected.metrics === 1);
    expect(orchestrator.counters()).toEqual({
      bus_rejected: { metrics: 1 },
      dropped: { unknown_test: 1, not_participant: 1, duplicate_report: 1, after_end: 0, handler_error: 0 },
    });
  });

  test("emits a snapshot of each running test and node events on the hub every tick", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, clock, join, beat, report } = harness;
    const seen: OrchestratorEvent[] = [];
    const unsubscribe = orchestrator.events.subscribe((e) => void seen.push(e));
    await join("d1");
    await orchestrator.createTest({ ...request, trigger: true });
    await report(new FakeDriverReports("d1", "t1").window(spread(500, 10, 20)));
    clock.advance(1000);
    await beat("d1");
    const snapshot = seen.find((e) => e.type === "test");
    expect(snapshot).toMatchObject({ type: "test", test_id: "t1", snapshot: { state: "running", metrics: { requests_per_s: 500, counts: { sent: 500 } } } });
    expect(seen.filter((e) => e.type === "node").map((e) => e.type === "node" && e.event)).toEqual(["joined"]);
    unsubscribe();
    clock.advance(1000);
    expect(seen.filter((e) => e.type === "test")).toHaveLength(1);
  });
});
