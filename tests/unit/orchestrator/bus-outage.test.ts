import { afterEach, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { silentLogger } from "../../../src/log.ts";
import { ManualClock } from "../../../src/orchestrator/clock.ts";
import { createOrchestrator, type Orchestrator } from "../../../src/orchestrator/orchestrator.ts";
import { createMemoryStore } from "../../../src/orchestrator/store.ts";
import type { MetricsReport } from "../../../src/protocol/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { FakeDriverReports, spread, T0 } from "./fixtures.ts";

/**
 * An orchestrator whose bus can be cut: while `down`, its `receivedThrough()` stays at the
 * moment it went down, as the Kafka bus's does when the broker is away.
 */
async function outageHarness() {
  const broker = new MemoryBroker();
  const clock = new ManualClock(T0);
  let downSince: number | null = null;
  const bus = Object.assign(new MemoryBus(broker), { receivedThrough: () => downSince ?? clock.now() });
  const drivers = new MemoryBus(broker);
  const orchestrator = createOrchestrator({ bus, store: createMemoryStore(), clock, log: silentLogger, newTestId: () => "t1" });
  await orchestrator.start();
  const status = (o: Orchestrator) => Object.fromEntries(o.listNodes().map((n) => [n.node_id, n.status]));
  const beat = async (nodeId: string) => {
    await drivers.publish("heartbeat", { node_id: nodeId, heartbeat: "YES", timestamp: clock.now(), state: "running", test_id: "t1" });
    await waitFor(`${nodeId}'s beat`, () => orchestrator.listNodes().find((n) => n.node_id === nodeId)?.last_heartbeat_at === clock.now());
  };
  const report = async (r: MetricsReport) => {
    await drivers.publish("metrics", r);
    await waitFor(`report ${r.report_id}`, () => orchestrator.getTest("t1")!.per_driver.find((d) => d.node_id === r.node_id)!.last_sequence === r.sequence);
  };
  /** Advances `seconds` one at a time, beating for `alive` drivers each second. */
  const run = async (seconds: number, alive: string[] = []) => {
    for (let i = 0; i < seconds; i++) {
      clock.advance(1000);
      for (const id of alive) await beat(id);
    }
  };
  for (const id of ["d1", "d2"]) {
    await drivers.publish("register", { node_id: id, node_IP: "10.0.0.1", message_type: "DRIVER_NODE_REGISTER" });
  }
  await waitFor("both drivers alive", () => orchestrator.listNodes().length === 2);
  await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: true });
  return {
    orchestrator,
    clock,
    beat,
    report,
    run,
    status: () => status(orchestrator),
    cut: () => void (downSince = clock.now()),
    restore: () => void (downSince = null),
    stop: async () => {
      orchestrator.stop();
      await bus.close();
      await drivers.close();
    },
  };
}

let harness: Awaited<ReturnType<typeof outageHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

test("no driver dies and no test stalls while the bus receives nothing, and late final reports then end the test done", async () => {
  harness = await outageHarness();
  const { orchestrator, report, run, cut, restore, status } = harness;
  const d1 = new FakeDriverReports("d1", "t1");
  const d2 = new FakeDriverReports("d2", "t1");
  await report(d1.window(spread(40, 1, 2)));
  await report(d2.window(spread(40, 1, 2)));

  cut();
  await run(30); // far beyond the 3 s death timeout and the 15 s stall timeout
  expect({ nodes: status(), state: orchestrator.getTest("t1")!.state }).toEqual({ nodes: { d1: "alive", d2: "alive" }, state: "running" });

  restore();
  await run(1);
  // The drivers' producers come back a few seconds after the orchestrator's consumers.
  await run(4);
  expect(status()).toEqual({ d1: "alive", d2: "alive" });
  await report(d1.window(spread(60, 1, 2), { final: true }));
  await report(d2.window(spread(60, 1, 2), { final: true }));
  const done = orchestrator.getTest("t1")!;
  expect({ state: done.state, sent: done.metrics.counts.sent, outcomes: done.per_driver.map((d) => d.outcome) }).toEqual({
    state: "done",
    sent: 200,
    outcomes: ["final", "final"],
  });
});

test("after an outage a driver that stays silent past the grace is declared dead, and the test ends partial with its last counts", async () => {
  harness = await outageHarness();
  const { orchestrator, report, run, cut, restore, status } = harness;
  const d1 = new FakeDriverReports("d1", "t1");
  const d2 = new FakeDriverReports("d2", "t1");
  await report(d2.window(spread(25, 1, 2)));

  cut();
  await run(20);
  restore();
  await run(9, ["d1"]); // the grace is min(outage, 10 s): d2 is not judged yet
  expect(status()).toEqual({ d1: "alive", d2: "alive" });
  await report(d1.window(spread(100, 1, 2), { final: true }));
  expect(orchestrator.getTest("t1")!.state).toBe("running");

  await run(2, ["d1"]);
  const ended = orchestrator.getTest("t1")!;
  expect({ nodes: status(), state: ended.state, d2: ended.per_driver.find((d) => d.node_id === "d2")!.outcome, sent: ended.metrics.counts.sent }).toEqual({
    nodes: { d1: "alive", d2: "dead" },
    state: "partial",
    d2: "dead",
    sent: 125,
  });
});

test("during a bus outage GET /tests/:id and the first /events state say running, as the tick does, not stalled", async () => {
  harness = await outageHarness();
  const { orchestrator, report, run, cut } = harness;
  await report(new FakeDriverReports("d1", "t1").window(spread(40, 1, 2)));
  await report(new FakeDriverReports("d2", "t1").window(spread(40, 1, 2)));

  cut();
  await run(20); // past the 15 s stall timeout, judged on the raw clock
  const outcomes = (view: { per_driver: { outcome: string }[] }) => view.per_driver.map((d) => d.outcome);
  expect({
    get: outcomes(orchestrator.getTest("t1")!),
    state: orchestrator.snapshots().map(outcomes),
  }).toEqual({ get: ["running", "running"], state: [["running", "running"]] });
});
