import { afterEach, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus, type DegradedTopic } from "../../../src/bus/index.ts";
import { silentLogger } from "../../../src/log.ts";
import type { OrchestratorEvent } from "../../../src/orchestrator/event-hub.ts";
import { ManualClock } from "../../../src/orchestrator/clock.ts";
import { createOrchestrator } from "../../../src/orchestrator/orchestrator.ts";
import { createMemoryStore } from "../../../src/orchestrator/store.ts";
import { waitFor } from "../../helpers/wait.ts";
import { T0 } from "./fixtures.ts";

/** An orchestrator whose bus reports the degraded topics the test sets, and receives while `receiving`. */
async function degradedHarness(options: { busDegradedFailMs?: number } = {}) {
  const broker = new MemoryBroker();
  const clock = new ManualClock(T0);
  let degraded: DegradedTopic[] = [];
  let downSince: number | null = null;
  const bus = Object.assign(new MemoryBus(broker), { degradedTopics: () => degraded, receivedThrough: () => downSince ?? clock.now() });
  const drivers = new MemoryBus(broker);
  const orchestrator = createOrchestrator({ bus, store: createMemoryStore(), clock, log: silentLogger, newTestId: () => "t1", options });
  const events: OrchestratorEvent[] = [];
  orchestrator.events.subscribe((e) => void events.push(e));
  await orchestrator.start();
  await drivers.publish("register", { node_id: "d1", node_IP: "10.0.0.1", message_type: "DRIVER_NODE_REGISTER" });
  await waitFor("d1 registered", () => orchestrator.listNodes().length === 1);
  const beat = async () => {
    await drivers.publish("heartbeat", { node_id: "d1", heartbeat: "YES", timestamp: clock.now(), state: "running", test_id: "t1" });
    await waitFor("d1's beat", () => orchestrator.listNodes()[0]?.last_heartbeat_at === clock.now());
  };
  return {
    orchestrator,
    clock,
    events,
    setDegraded: (topics: DegradedTopic[]) => void (degraded = topics),
    cut: () => void (downSince = clock.now()),
    /** Advances `seconds` one at a time with d1 beating (its heartbeats still flow). */
    run: async (seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        clock.advance(1000);
        await beat();
      }
    },
    stop: async () => {
      orchestrator.stop();
      await bus.close();
      await drivers.close();
    },
  };
}

let harness: Awaited<ReturnType<typeof degradedHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

test("a running test ends failed, naming the topic and since when, once the metrics topic has been missing longer than the limit", async () => {
  harness = await degradedHarness({ busDegradedFailMs: 10_000 });
  const { orchestrator, clock, run, setDegraded, cut } = harness;
  await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: true });
  await run(2);
  // The metrics subscription cannot fetch: the bus stops receiving and liveness is on hold, as in an outage.
  setDegraded([{ topic: "metrics", condition: "missing", since: clock.now(), reason: "topic metrics does not exist; recreating it" }]);
  const since = new Date(clock.now()).toISOString();
  cut();
  await run(10);
  expect(orchestrator.getTest("t1")!.state).toBe("running");
  expect(orchestrator.busHealth()).toMatchObject({ status: "degraded", receiving: false, topics: [{ topic: "metrics", condition: "missing" }] });
  await run(1);
  const ended = orchestrator.getTest("t1")!;
  expect({ state: ended.state, error: ended.error }).toEqual({
    state: "failed",
    error: `bus degraded: topic metrics does not exist; recreating it since ${since} (more than 10 s while the test ran)`,
  });
  // The next test is not refused as "still running".
  await expect(orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 1, target_url: "http://127.0.0.1:8080/ping", trigger: true })).resolves.toMatchObject({ state: "running" });
});

test("a topic that heals within the limit does not end the test, and the hub announces each change of the bus's health", async () => {
  harness = await degradedHarness({ busDegradedFailMs: 10_000 });
  const { orchestrator, clock, run, setDegraded, events } = harness;
  await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: true });
  await run(1);
  const problem: DegradedTopic = { topic: "test_config", condition: "recreated", since: clock.now(), reason: "topic test_config was deleted and recreated" };
  setDegraded([problem]);
  await run(8);
  setDegraded([]);
  await run(20);
  expect(orchestrator.getTest("t1")!.state).toBe("running");
  expect(orchestrator.busHealth().status).toBe("ok");
  const announced = events.flatMap((e) => (e.type === "bus" ? [e.health.topics.map((t) => t.topic).join(",") || e.health.status] : []));
  expect(announced).toEqual(["ok", "test_config", "ok"]);
});

test("a broker outage alone never fails a test: liveness waits, as before", async () => {
  harness = await degradedHarness({ busDegradedFailMs: 5_000 });
  const { orchestrator, run, cut } = harness;
  await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: true });
  cut();
  await run(30);
  expect({ state: orchestrator.getTest("t1")!.state, health: orchestrator.busHealth().status }).toEqual({ state: "running", health: "degraded" });
});
