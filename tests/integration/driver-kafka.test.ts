import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { KafkaBus } from "../../src/bus/index.ts";
import { createDriver, type Driver } from "../../src/driver/driver.ts";
import { resolveNodeIp } from "../../src/driver/node-address.ts";
import type { DriverEvent, MetricsReport, Register, WireHeartbeat } from "../../src/protocol/index.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitFor } from "../helpers/wait.ts";

// Kafka group joins take seconds. Bun 1.4.5 ignores bunfig's [test] timeout and applies the
// preload's setDefaultTimeout to the first test file only, so this file sets its own.
setDefaultTimeout(60_000);

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

test("a driver over real Kafka registers, heartbeats, runs a triggered test and delivers its final report", async () => {
  const brokers = await requireKafka();
  const topicPrefix = uniqueTopicPrefix("driver");
  using server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ message: "pong" }) });

  // The test plays the orchestrator: it listens first (a new collect group starts at the end).
  const orchestrator = new KafkaBus({ connection: { brokers, clientId: "orchestrator", topicPrefix } });
  closers.push(() => orchestrator.close());
  const seen = { register: [] as Register[], heartbeat: [] as WireHeartbeat[], metrics: [] as MetricsReport[], events: [] as DriverEvent[] };
  const collect = { mode: { kind: "collect", group: "orchestrator" } } as const;
  await Promise.all([
    orchestrator.subscribe("register", collect, (m) => void seen.register.push(m)),
    orchestrator.subscribe("heartbeat", collect, (m) => void seen.heartbeat.push(m)),
    orchestrator.subscribe("metrics", collect, (m) => void seen.metrics.push(m)),
    orchestrator.subscribe("driver_event", collect, (m) => void seen.events.push(m)),
  ]);

  const nodeIp = await resolveNodeIp(brokers);
  const bus = new KafkaBus({ connection: { brokers, clientId: "driver-k1", topicPrefix } });
  const driver: Driver = createDriver({ bus, nodeId: "k1", nodeIp });
  closers.push(async () => {
    await driver.stop();
    await bus.close();
  });
  await driver.start();

  await waitFor("registration", () => seen.register.find((r) => r.node_id === "k1"), { timeoutMs: 30_000 });
  await waitFor("two heartbeats", () => seen.heartbeat.filter((h) => h.node_id === "k1").length >= 2, { timeoutMs: 30_000 });
  expect(seen.register[0]).toMatchObject({ node_id: "k1", node_IP: nodeIp, message_type: "DRIVER_NODE_REGISTER" });
  expect(seen.heartbeat[0]).toMatchObject({ node_id: "k1", heartbeat: "YES", state: "idle", node_IP: nodeIp });

  await orchestrator.publish("test_config", {
    test_id: "kafka-1",
    test_type: "TSUNAMI",
    test_message_delay: 5,
    message_count_per_driver: 200,
    target_url: `http://127.0.0.1:${server.port}/ping`,
  });
  await orchestrator.publish("trigger", { test_id: "kafka-1", trigger: "YES", start_at: Date.now() + 200 });

  const final = await waitFor("final report", () => seen.metrics.find((r) => r.test_id === "kafka-1" && r.final), { timeoutMs: 60_000 });
  expect(final.counts).toMatchObject({ sent: 200, completed: 200, status_2xx: 200 });
  expect(final.report_id).toBe(`k1:${final.instance_id}:kafka-1:${final.sequence}`);
  expect(final.instance_id).toMatch(/^[0-9a-f]{12}$/);
  expect(final.due_metrics).toBeDefined();
  const events = await waitFor("TEST_FINISHED", () => {
    const mine = seen.events.filter((e) => e.test_id === "kafka-1").map((e) => e.event);
    return mine.includes("TEST_FINISHED") && mine;
  });
  expect(events).toEqual(["TEST_ACCEPTED", "TEST_STARTED", "TEST_FINISHED"]);
});
