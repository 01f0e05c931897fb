import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { KafkaBus } from "../../src/bus/index.ts";
import { topicMaxMessageBytes } from "../../src/bus/topic-specs.ts";
import { MAX_MESSAGE_BYTES, MAX_TEST_CONFIG_BYTES, topicName, type TestConfig } from "../../src/protocol/index.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitFor } from "../helpers/wait.ts";

// Bun ignores bunfig timeouts for files after the first: this file talks to the real broker.
setDefaultTimeout(60_000);

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

test("a test_config with 4 MiB of data and two 1 MiB bodies (6 MiB, past Kafka's 1 MB default) travels whole over the real broker", async () => {
  const brokers = await requireKafka();
  const topicPrefix = uniqueTopicPrefix("scenario-config");
  const orchestrator = new KafkaBus({ connection: { brokers, clientId: "orchestrator", topicPrefix } });
  closers.push(() => orchestrator.close());
  const driver = new KafkaBus({ connection: { brokers, clientId: "driver-s1", topicPrefix } });
  closers.push(() => driver.close());
  const received: TestConfig[] = [];
  await driver.subscribe("test_config", { mode: { kind: "broadcast" } }, (m) => void received.push(m));

  const data = Array.from({ length: 10_000 }, (_, i) => ({ id: i, pad: "d".repeat(400) }));
  const config: TestConfig = {
    test_id: "big-1",
    test_type: "AVALANCHE",
    test_message_delay: 0,
    message_count_per_driver: 10,
    target_url: "http://127.0.0.1:8080/ping",
    requests: [
      { name: "a", method: "POST", url: "/a/${data.id}", body: "a".repeat(1024 * 1024 - 16) },
      { name: "b", method: "PUT", url: "/b", body: "b".repeat(1024 * 1024 - 16) },
    ],
    data: data.slice(0, 9_800),
  };
  const size = Buffer.byteLength(JSON.stringify(config));
  expect(size).toBeGreaterThan(6 * MAX_MESSAGE_BYTES);
  expect(size).toBeLessThan(MAX_TEST_CONFIG_BYTES);
  await orchestrator.publish("test_config", config, "big-1");

  const got = await waitFor("the large configuration", () => received.find((c) => c.test_id === "big-1"), { timeoutMs: 45_000 });
  expect(got).toEqual(config);

  // The topic was created to take it.
  const kafka = new Kafka({ clientId: "scenario-config-check", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topicName("test_config", topicPrefix), configNames: ["max.message.bytes"] }] });
    expect(described.resources[0]?.configEntries[0]?.configValue).toBe(String(topicMaxMessageBytes("test_config")));
  } finally {
    await admin.disconnect();
  }
});

test("a test_config topic made before scenarios (1 MB default) is raised at start, keeping its other settings", async () => {
  const brokers = await requireKafka();
  const topicPrefix = uniqueTopicPrefix("scenario-old-topic");
  const topic = topicName("test_config", topicPrefix);
  const kafka = new Kafka({ clientId: "scenario-old-topic", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  closers.push(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, configEntries: [{ name: "retention.ms", value: "3600000" }] }] });
  const settings = async () => {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ["max.message.bytes", "retention.ms"] }] });
    return Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  };
  expect(Number((await settings())["max.message.bytes"])).toBeLessThan(2 * MAX_MESSAGE_BYTES);

  const bus = new KafkaBus({ connection: { brokers, clientId: "orchestrator", topicPrefix } });
  closers.push(() => bus.close());
  await bus.ensureTopics();
  expect(await settings()).toEqual({ "max.message.bytes": String(topicMaxMessageBytes("test_config")), "retention.ms": "3600000" });
});
