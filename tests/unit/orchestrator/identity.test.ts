import { afterEach, describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { silentLogger } from "../../../src/log.ts";
import { ManualClock } from "../../../src/orchestrator/clock.ts";
import { createApp } from "../../../src/orchestrator/http/app.ts";
import { createOrchestrator, type OrchestratorDeps } from "../../../src/orchestrator/orchestrator.ts";
import { createMemoryStore } from "../../../src/orchestrator/store.ts";
import type { TestRequest } from "../../../src/orchestrator/test-request.ts";
import type { MetricsReport } from "../../../src/protocol/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { FakeDriverReports, spread, startHarness, T0 } from "./fixtures.ts";

const request: TestRequest = { test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: true };
const as = (instance_id: string, report: MetricsReport): MetricsReport => ({ ...report, instance_id });

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe("two driver processes with one node_id", () => {
  test("both are counted (same report_ids, other instance), the test waits for both finals, ends done and is marked", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, join, report } = harness;
    await join("d1");
    await join("d2");
    await orchestrator.createTest(request);
    // Two processes named d1 number their reports alike: d1:t1:0, d1:t1:1.
    const d1a = new FakeDriverReports("d1", "t1");
    const d1b = new FakeDriverReports("d1", "t1");
    const d2 = new FakeDriverReports("d2", "t1");
    await report(as("a", d1a.window(spread(60, 1, 2))));
    await report(as("b", d1b.window(spread(30, 1, 2))));
    await report(as("a", d1a.window(spread(40, 1, 2), { final: true })));
    await report(as("x", d2.window(spread(100, 1, 2), { final: true })));
    expect(orchestrator.getTest("t1")!.state).toBe("running");
    // A replay of one instance's report is still a duplicate.
    await report(as("b", { ...d1b.window([], {}), report_id: "d1:t1:0", sequence: 0 }));
    expect(orchestrator.counters().dropped.duplicate_report).toBe(1);
    // The twin stopped early: that is its own business, the participant d1 is not `stopped` for it.
    await harness.drivers.publish("driver_event", { node_id: "d1", test_id: "t1", event: "TEST_FINISHED", error: "stopped after 40 of 100 requests", instance_id: "b" });
    await report(as("b", d1b.window(spread(10, 1, 2), { final: true })));

    const done = orchestrator.getTest("t1")!;
    expect(done.state).toBe("done");
    expect(done.metrics.counts).toMatchObject({ sent: 240, completed: 240 });
    expect(done.per_driver.map((d) => [d.node_id, d.instance_id, d.twin ?? false, d.counts.sent])).toEqual([
      ["d1", "a", false, 100],
      ["d2", "x", false, 100],
      ["d1", "b", true, 40],
    ]);
    expect(done.metrics).toMatchObject({ drivers_reporting: 2, drivers_final: 2 });
    expect(done.warnings).toEqual(["two or more driver processes reported as d1 (instances a, b): each one's requests are counted"]);
  });

  test("a node whose two processes beat at once is in conflict: left out of new tests, named in the 409 when it is the only one", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, drivers, clock, join } = harness;
    await join("d1");
    await join("d2");
    const beat = (instance_id: string) => drivers.publish("heartbeat", { node_id: "d1", heartbeat: "YES", timestamp: clock.now(), instance_id });
    await beat("a");
    await beat("b");
    await beat("a");
    await waitFor("d1 in conflict", () => orchestrator.listNodes().find((n) => n.node_id === "d1")?.conflict?.instances.length === 2);
    expect(orchestrator.nodeCounters().conflict).toBe(1);
    expect((await orchestrator.createTest({ ...request, trigger: false })).drivers).toEqual(["d2"]);
    await drivers.publish("register", { node_id: "d2", node_IP: "10.0.0.1", message_type: "DRIVER_NODE_DEREGISTER" });
    await waitFor("d2 gone", () => orchestrator.listNodes().find((n) => n.node_id === "d2")?.status === "left");
    await expect(orchestrator.createTest({ ...request, trigger: false })).rejects.toThrow("no alive drivers: d1 is run by two processes at once; stop one of them");
  });

  test("a conflict that starts during a test marks the test", async () => {
    harness = await startHarness({ ids: ["t1"] });
    const { orchestrator, drivers, clock, join } = harness;
    await join("d1");
    await orchestrator.createTest(request);
    for (const instance_id of ["a", "b", "a"]) await drivers.publish("heartbeat", { node_id: "d1", heartbeat: "YES", timestamp: clock.now(), instance_id });
    await waitFor("the warning", () => (orchestrator.getTest("t1")!.warnings ?? []).length === 1);
    expect(orchestrator.getTest("t1")!.warnings![0]).toBe("node d1 had two live driver processes during this test (instances a, b)");
  });
});

describe("nodes in memory", () => {
  const setup = async (options: OrchestratorDeps["options"] = {}, token?: string) => {
    const broker = new MemoryBroker();
    const bus = new MemoryBus(broker);
    const drivers = new MemoryBus(broker);
    const clock = new ManualClock(T0);
    const store = createMemoryStore();
    const orchestrator = createOrchestrator({ bus, store, clock, log: silentLogger, options, newTestId: () => "t1" });
    await orchestrator.start();
    const app = createApp(orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"], token });
    const stop = async () => {
      orchestrator.stop();
      await bus.close();
      await drivers.close();
    };
    cleanup = stop;
    return { orchestrator, drivers, clock, store, app };
  };
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  test("counts heartbeats from nodes that never registered", async () => {
    const { orchestrator, drivers, clock } = await setup();
    for (let i = 0; i < 50; i++) await drivers.publish("heartbeat", { node_id: `ghost-${i}`, heartbeat: "YES", timestamp: clock.now() });
    await drivers.publish("register", { node_id: "real", node_IP: "10.0.0.1", message_type: "DRIVER_NODE_REGISTER" });
    await drivers.publish("heartbeat", { node_id: "real", heartbeat: "YES", timestamp: clock.now() });
    await waitFor("every beat handled", () => orchestrator.listNodes().length === 51);
    expect(orchestrator.nodeCounters().unregistered_heartbeats).toBe(50);
  });

  test("forgets dead nodes after the retention, in memory and in the store", async () => {
    const { orchestrator, drivers, clock, store } = await setup({ forgetDeadAfterMs: 60_000 });
    await drivers.publish("register", { node_id: "d1", node_IP: "10.0.0.1", message_type: "DRIVER_NODE_REGISTER" });
    await waitFor("d1 known", () => store.nodes().length === 1);
    clock.set(T0 + 3_000);
    orchestrator.tick();
    expect(orchestrator.listNodes()[0]!.status).toBe("dead");
    clock.set(T0 + 63_000);
    orchestrator.tick();
    expect(orchestrator.listNodes()).toEqual([]);
    expect(store.nodes()).toEqual([]);
    expect(orchestrator.nodeCounters().forgotten).toBe(1);
  });

  test("GET /nodes is paged with a total; DELETE /nodes/:id needs the token, answers 404 for an unknown node and 409 during its test", async () => {
    const { orchestrator, drivers, store, app } = await setup({}, "secret");
    for (const id of ["d1", "d2", "d3"]) await drivers.publish("register", { node_id: id, node_IP: "10.0.0.1", message_type: "DRIVER_NODE_REGISTER" });
    await waitFor("three nodes", () => orchestrator.listNodes().length === 3);
    const page = (await (await app.request("/nodes?limit=2&offset=1")).json()) as { nodes: { node_id: string }[]; total: number };
    expect({ ids: page.nodes.map((n) => n.node_id), total: page.total }).toEqual({ ids: ["d2", "d3"], total: 3 });
    expect((await app.request("/nodes?limit=0")).status).toBe(422);
    expect(((await (await app.request("/nodes")).json()) as { limit: number }).limit).toBe(500);

    const auth = { authorization: "Bearer secret" };
    expect((await app.request("/nodes/d3", { method: "DELETE" })).status).toBe(401);
    expect((await app.request("/nodes/nope", { method: "DELETE", headers: auth })).status).toBe(404);
    const deleted = await app.request("/nodes/d3", { method: "DELETE", headers: auth });
    expect([deleted.status, await deleted.json()]).toEqual([200, { deleted: "d3" }]);
    expect(store.nodes().map((n) => n.node_id)).toEqual(["d1", "d2"]);

    await orchestrator.createTest(request);
    const busy = await app.request("/nodes/d1", { method: "DELETE", headers: auth });
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { error: string }).error).toBe("node d1 takes part in running test t1; delete it once the test ends");
  });
});
