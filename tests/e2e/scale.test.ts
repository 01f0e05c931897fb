/**
 * Elastic fleet over the real broker: eight drivers at once, drivers joining and leaving
 * between tests, and sixteen drivers. The machine has two cores, so each driver's load is
 * light; what is checked is that every participant's count is exact and that a test uses
 * exactly the drivers alive when it is created.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet, type NodeProcess } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import {
  completedByDriver,
  listNodes,
  resetTarget,
  startTest,
  targetMetrics,
  waitForAlive,
  waitForTestEnd,
  type TestJson,
} from "../helpers/orchestrator-client.ts";

// bunfig.toml's [test] timeout is not read by Bun 1.4.5 (the default stays 5 s, hooks included);
// this bounds each test and hook of the file. Every wait inside is bounded on its own too.
setDefaultTimeout(180_000);

/** Wide: only goodbyes (SIGTERM) should change who is alive here. */
const DEAD_AFTER_MS = 10_000;
const id = (n: number) => `scale-${String(n).padStart(2, "0")}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => id(from + i));

let fleet: Fleet;
let orchestratorUrl: string;
let targetUrl: string;
const drivers = new Map<string, NodeProcess>();

function startDrivers(ids: readonly string[]): void {
  for (const nodeId of ids) drivers.set(nodeId, fleet.driver(nodeId));
}

/** Runs an AVALANCHE test, checks it against the target's counters, and returns it. */
async function runTest(perDriver: number, expectedDrivers: readonly string[]): Promise<TestJson> {
  await resetTarget(targetUrl);
  const created = await startTest(orchestratorUrl, { test_type: "AVALANCHE", message_count_per_driver: perDriver, concurrency: 4 });
  expect([...created.drivers].sort()).toEqual([...expectedDrivers].sort());
  const ended = await waitForTestEnd(orchestratorUrl, created.test_id, 90_000);
  const seen = await targetMetrics(targetUrl);
  expect({ state: ended.state, error: ended.error }).toEqual({ state: "done", error: null });
  expect(completedByDriver(ended)).toEqual(Object.fromEntries(expectedDrivers.map((nodeId) => [nodeId, perDriver])));
  const total = perDriver * expectedDrivers.length;
  expect({ completed: ended.metrics.counts.completed, target_received: seen.ping.received, target_ok: seen.by_status["200"] }).toEqual({
    completed: total,
    target_received: total,
    target_ok: total,
  });
  return ended;
}

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("scale") });
  const target = await fleet.target();
  targetUrl = target.url;
  // Not a liveness test: on a loaded machine sixteen drivers' beats can trail by more than the
  // default 3 s, which would declare a driver dead and end the test partial.
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1", "--dead-after-ms", String(DEAD_AFTER_MS)]);
  orchestratorUrl = orchestrator.url;
});

afterAll(async () => {
  await fleet?.stop();
});

// The tests below share one fleet and run in order: each starts from the fleet the previous one left.
describe("elastic fleet", () => {
  test("eight drivers started at once each send exactly their share", async () => {
    startDrivers(range(1, 8));
    await waitForAlive(orchestratorUrl, range(1, 8), 60_000);
    await runTest(150, range(1, 8));
  });

  test("after two drivers join and three leave, the next test uses exactly the live ones and /nodes keeps who came and went", async () => {
    startDrivers(range(9, 10));
    for (const nodeId of range(1, 3)) {
      expect({ nodeId, exit: await fleet.signal(drivers.get(nodeId)!, "SIGTERM") }).toEqual({ nodeId, exit: 0 });
    }
    const live = range(4, 10);
    await waitForAlive(orchestratorUrl, live, 60_000);
    await runTest(150, live);

    const nodes = await listNodes(orchestratorUrl);
    const history = Object.fromEntries(
      nodes.filter((node) => node.node_id.startsWith("scale-")).map((node) => [node.node_id, { status: node.status, events: node.history.map((h) => h.event) }]),
    );
    expect(history).toEqual({
      ...Object.fromEntries(range(1, 3).map((nodeId) => [nodeId, { status: "left", events: ["joined", "left"] }])),
      ...Object.fromEntries(live.map((nodeId) => [nodeId, { status: "alive", events: ["joined"] }])),
    });
  });

  test("sixteen drivers with a light load each complete exactly their share", async () => {
    startDrivers(range(11, 19));
    const live = range(4, 19);
    expect(live.length).toBe(16);
    await waitForAlive(orchestratorUrl, live, 90_000);
    await runTest(40, live);
  });
});
