/**
 * Issue 18 item 2: an operator deletes the fleet's topics under running processes. The bus
 * heals itself, no process is restarted:
 * - `metrics` deleted in the middle of a test: the bus recreates it (8 partitions), `/healthz`
 *   says degraded meanwhile, the drivers' outboxes deliver what they kept, the test ends `done`
 *   with the target's exact count, and the log stays bounded (one line per topic and change).
 * - `test_config` deleted and recreated between two tests: the drivers resubscribe from the new
 *   topic's start and the next test runs exact.
 * - `metrics` deleted again each time it comes back: the running test ends `failed` with the
 *   reason after `--bus-degraded-fail-ms`; once the deleting stops the bus heals and the next
 *   test runs exact.
 * Uses the shared broker; the topics are this test's own (uniqueTopicPrefix).
 */
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { encode } from "../../src/protocol/index.ts";
import { Fleet, type NodeProcess } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { completedByDriver, resetTarget, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";
import { waitForReports } from "./helpers/running.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(300_000);

const DRIVERS = ["td-1", "td-2"];

let fleet: Fleet | undefined;
let admin: ReturnType<Kafka["admin"]> | undefined;
afterEach(async () => {
  await fleet?.stop();
  await admin?.disconnect();
  fleet = undefined;
  admin = undefined;
});

/**
 * A target, an orchestrator and two drivers on fresh topics, plus an admin client for the
 * operator's mistakes. `history` configurations for no driver of ours are published before the
 * drivers start, so their subscriptions begin past offset 0, as on a fleet that has run before.
 */
async function startFleet(name: string, history = 0, orchestratorArgs: string[] = []) {
  const brokers = await requireKafka();
  const prefix = uniqueTopicPrefix(name);
  fleet = new Fleet({ brokers, topicPrefix: prefix });
  const target = await fleet.target();
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1", ...orchestratorArgs]);
  if (history > 0) {
    const producer = new Kafka({ brokers, clientId: "topic-delete-history", logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const old = (i: number) => encode("test_config", { test_id: `old-${i}`, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 1, drivers: ["someone-else"] });
    await producer.send({ topic: `${prefix}test_config`, acks: -1, messages: Array.from({ length: history }, (_, i) => ({ value: old(i) })) });
    await producer.disconnect();
  }
  const drivers = DRIVERS.map((id) => fleet!.driver(id));
  await waitForAlive(orchestrator.url, DRIVERS, 60_000);
  admin = new Kafka({ brokers, clientId: "topic-delete-test", logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topic = (key: string) => `${prefix}${key}`;
  const deleteTopic = async (key: string) => {
    await admin!.deleteTopics({ topics: [topic(key)] });
  };
  return { target, orchestrator, drivers, topic, deleteTopic };
}

/** `GET /healthz` status and body. */
async function health(url: string): Promise<{ status: number; body: { status: string; bus: { topics: { topic: string; condition: string; reason: string }[] } } }> {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: await response.json() };
}

/** The topics any of `nodes` logged as degraded, sorted and unique. */
const degradedTopics = (nodes: NodeProcess[]) =>
  [...new Set(nodes.flatMap((n) => [...n.output().matchAll(/"msg":"kafka topic degraded"[^\n]*?"topic":"(\w+)"/g)].map((m) => m[1]!)))].sort();

/** The lines a node printed after `from` characters of its output. */
const linesSince = (node: NodeProcess, from: number) => node.output().slice(from).split("\n").filter((l) => l.trim() !== "");

test("metrics deleted mid-test: the bus recreates it, /healthz says degraded meanwhile, the test ends done with the target's exact count, the log stays bounded", async () => {
  const { target, orchestrator, drivers, topic, deleteTopic } = await startFleet("topic-delete-metrics");
  const COUNT = 400;
  // 400 sends 25 ms apart: 10 s of sending per driver, the topic disappears in the middle.
  const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: 25, message_count_per_driver: COUNT });
  await waitForReports(orchestrator.url, created.test_id, 2);
  const nodes = [orchestrator.node, ...drivers];
  const offsets = nodes.map((n) => n.output().length);
  const deletedAt = Date.now();
  await deleteTopic("metrics");

  const degraded = await waitFor(
    "/healthz to say the metrics topic is degraded",
    async () => {
      const h = await health(orchestrator.url);
      return h.status === 503 && h.body.bus.topics.some((t) => t.topic === "metrics") ? h : null;
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  expect(degraded.body.status).toBe("degraded");
  expect(degraded.body.bus.topics.find((t) => t.topic === "metrics")!.reason).toContain(topic("metrics"));

  const degradedAfterMs = Date.now() - deletedAt;
  const healedAfterMs = (await waitFor("/healthz to be ok again", async () => ((await health(orchestrator.url)).status === 200 ? Date.now() : null), { timeoutMs: 60_000, intervalMs: 50 })) - deletedAt;
  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 120_000);
  const seen = await targetMetrics(target.url);
  expect({ state: ended.state, error: ended.error }).toEqual({ state: "done", error: null });
  expect(completedByDriver(ended)).toEqual({ "td-1": COUNT, "td-2": COUNT });
  expect({ sent: ended.metrics.counts.sent, completed: ended.metrics.counts.completed }).toEqual({ sent: seen.ping.received, completed: seen.ping.received });
  expect(seen.ping.received).toBe(COUNT * DRIVERS.length);

  // Recreated as configured: the protocol's 8 partitions.
  const metadata = await admin!.fetchTopicMetadata({ topics: [topic("metrics")] });
  expect(metadata.topics[0]!.partitions.length).toBe(8);

  // Bounded log: in each process one "degraded" line per change (missing, recreated: a process
  // may see only one of them when another node recreated the topic first) and one "healed".
  const lines = nodes.map((n, i) => linesSince(n, offsets[i]!));
  for (const [i, nodeLines] of lines.entries()) {
    const about = (pattern: RegExp) => nodeLines.filter((l) => pattern.test(l) && l.includes('"topic":"metrics"')).length;
    const counts = { node: nodes[i]!.name, degraded: about(/kafka topic degraded/), healed: about(/kafka topic healed/) };
    expect(counts.degraded).toBeLessThanOrEqual(2);
    expect(counts.healed).toBe(counts.degraded > 0 ? 1 : 0);
  }
  // The orchestrator's metrics subscription had to resubscribe, so it logged the episode.
  expect(lines[0]!.filter((l) => l.includes("kafka topic healed")).length).toBe(1);
  // No topic that was left alone is taken for recreated (the consumers keep reading while the guard checks).
  expect(degradedTopics(nodes)).toEqual(["metrics"]);
  const total = lines.reduce((n, l) => n + l.length, 0);
  const warnings = lines.flat().filter((l) => /"level":"(warn|error)"/.test(l)).length;
  console.log(`metrics deleted: /healthz 503 seen after ${degradedAfterMs} ms, ok again after ${healedAfterMs} ms; ${total} log lines from 3 processes (${warnings} warn/error) until the test ended`);
  // Before the guard: ~9 lines/s from the orchestrator alone for as long as the topic was gone.
  expect(warnings).toBeLessThanOrEqual(20);
  expect(total).toBeLessThanOrEqual(60);
});

test("test_config deleted and recreated between two tests: the drivers resubscribe and the next test runs exact", async () => {
  // Three old configurations: the drivers' subscriptions start at offset 3, and the next test's
  // configuration lands at offset 0 of the new topic (before the fix, skipped as "old" for ever).
  const { target, orchestrator, drivers, topic, deleteTopic } = await startFleet("topic-delete-config", 3);
  const first = await startTest(orchestrator.url, { test_type: "AVALANCHE", message_count_per_driver: 50, concurrency: 4 });
  expect((await waitForTestEnd(orchestrator.url, first.test_id, 60_000)).state).toBe("done");

  // The operator's mistake: delete the topic and create it again by hand (1 partition, like ours).
  await deleteTopic("test_config");
  await waitFor("test_config to be gone", async () => !(await admin!.listTopics()).includes(topic("test_config")), { timeoutMs: 30_000, intervalMs: 50 });
  await admin!.createTopics({ topics: [{ topic: topic("test_config"), numPartitions: 1 }], waitForLeaders: true });

  await resetTarget(target.url);
  const COUNT = 300;
  const next = await startTest(orchestrator.url, { test_type: "AVALANCHE", message_count_per_driver: COUNT, concurrency: 8 });
  const ended = await waitForTestEnd(orchestrator.url, next.test_id, 120_000);
  const seen = await targetMetrics(target.url);
  expect({ state: ended.state, error: ended.error }).toEqual({ state: "done", error: null });
  expect(completedByDriver(ended)).toEqual({ "td-1": COUNT, "td-2": COUNT });
  expect({ completed: ended.metrics.counts.completed, target: seen.ping.received }).toEqual({ completed: COUNT * DRIVERS.length, target: COUNT * DRIVERS.length });
  for (const driver of drivers) expect(driver.output()).toContain("kafka subscription restarted from the start of its recreated topic");
  expect(degradedTopics([orchestrator.node, ...drivers])).toEqual(["test_config"]);
});

test("metrics deleted again whenever it comes back: the test fails after --bus-degraded-fail-ms naming the topic, then the bus heals and the next test runs exact", async () => {
  const { target, orchestrator, topic, deleteTopic } = await startFleet("topic-delete-storm", 0, ["--bus-degraded-fail-ms", "3000"]);
  const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: 20, message_count_per_driver: 300 });
  await waitForReports(orchestrator.url, created.test_id, 1);

  // An operator (or a script) that keeps deleting the topic: bounded by the test's end and 60 s.
  let storming = true;
  const stormUntil = Date.now() + 60_000;
  const storm = (async () => {
    let deletions = 0;
    while (storming && Date.now() < stormUntil) {
      if ((await admin!.listTopics()).includes(topic("metrics"))) {
        await deleteTopic("metrics").then(() => deletions++, () => {});
      }
      await Bun.sleep(100);
    }
    return deletions;
  })();
  let ended;
  try {
    ended = await waitForTestEnd(orchestrator.url, created.test_id, 60_000);
  } finally {
    storming = false;
  }
  const deletions = await storm;
  expect(deletions).toBeGreaterThanOrEqual(1);
  expect(ended.state).toBe("failed");
  expect(ended.error).toMatch(/^bus degraded: topic \S+metrics (does not exist|was deleted and recreated).* since \d{4}-\d\d-\d\dT[\d:.]+Z \(more than 3 s while the test ran\)$/);

  // Once nobody deletes it any more the bus heals by itself, and the fleet works again, exactly.
  await waitFor("/healthz to be ok again", async () => (await health(orchestrator.url)).status === 200, { timeoutMs: 60_000, intervalMs: 100 });
  await waitFor(
    "the drivers to be idle (the failed test's sends are over)",
    async () => {
      const nodes = (await (await fetch(`${orchestrator.url}/nodes`)).json()) as { nodes: { node_id: string; driver_state: string | null }[] };
      return DRIVERS.every((id) => nodes.nodes.find((n) => n.node_id === id)?.driver_state === "idle");
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  await resetTarget(target.url);
  const next = await startTest(orchestrator.url, { test_type: "AVALANCHE", message_count_per_driver: 100, concurrency: 4 });
  const second = await waitForTestEnd(orchestrator.url, next.test_id, 60_000);
  expect({ state: second.state, completed: completedByDriver(second), target: (await targetMetrics(target.url)).ping.received }).toEqual({
    state: "done",
    completed: { "td-1": 100, "td-2": 100 },
    target: 200,
  });
});
