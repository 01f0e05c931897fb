import { expect, setDefaultTimeout, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { KafkaBus } from "../../src/bus/index.ts";
import { busContract } from "./bus-contract.ts";
import { waitFor } from "../helpers/wait.ts";
import { requireKafka as kafkaTestBrokers, uniqueTopicPrefix as uniquePrefix } from "../helpers/kafka.ts";

// Starts processes and talks to the real broker: the 5 s default is too short for a cold JVM.
setDefaultTimeout(120_000);

busContract("kafka", async () => {
  const brokers = await kafkaTestBrokers();
  const topicPrefix = uniquePrefix("bus");
  return { bus: async (name) => new KafkaBus({ connection: { brokers, clientId: name, topicPrefix } }) };
});

test("a process that closes its Kafka bus exits by itself: close() leaves no open handles", async () => {
  const brokers = await kafkaTestBrokers();
  const script = `
    import { KafkaBus } from ${JSON.stringify(new URL("../../src/bus/index.ts", import.meta.url).pathname)};
    const bus = new KafkaBus({ connection: { brokers: ${JSON.stringify(brokers)}, clientId: "exit-check", topicPrefix: ${JSON.stringify(uniquePrefix("exit"))} } });
    const { promise: delivered, resolve } = Promise.withResolvers();
    await bus.subscribe("trigger", { mode: { kind: "broadcast" } }, () => resolve());
    await bus.subscribe("heartbeat", { mode: { kind: "collect", group: "g" } }, () => resolve());
    await bus.publish("trigger", { test_id: "t", trigger: "YES" });
    await delivered;
    await bus.close();
    console.log("closed");
  `;
  const proc = Bun.spawn(["bun", "-e", script], { stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
  const code = await proc.exited;
  clearTimeout(killer);
  const out = await new Response(proc.stdout).text();
  expect({ code, signal: proc.signalCode, out: out.trim() }).toEqual({ code: 0, signal: null, out: "closed" });
});

test("close() deletes the bus's broadcast consumer groups from the broker and leaves collect groups", async () => {
  const brokers = await kafkaTestBrokers();
  const topicPrefix = uniquePrefix("groups");
  const bus = new KafkaBus({ connection: { brokers, clientId: "driver-x", topicPrefix } });
  // Each group receives a message first, so it has committed offsets: the groups that outlive
  // their consumer on the broker (an empty group without offsets is dropped by the broker).
  const received = { trigger: Promise.withResolvers<void>(), test_config: Promise.withResolvers<void>(), heartbeat: Promise.withResolvers<void>() };
  await bus.subscribe("trigger", { mode: { kind: "broadcast" } }, () => received.trigger.resolve());
  await bus.subscribe("test_config", { mode: { kind: "broadcast" } }, () => received.test_config.resolve());
  await bus.subscribe("heartbeat", { mode: { kind: "collect", group: "orchestrator" } }, () => received.heartbeat.resolve());
  await bus.publish("trigger", { test_id: "t", trigger: "YES" });
  await bus.publish("test_config", { test_id: "t", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 1 });
  await bus.publish("heartbeat", { node_id: "n", heartbeat: "YES", timestamp: Date.now() });
  await Promise.all(Object.values(received).map((r) => r.promise));
  const admin = new Kafka({ clientId: "groups-check", brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const collectGroup = `${topicPrefix}orchestrator-heartbeat`;
  try {
    const ours = async () => (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(topicPrefix)).sort();
    const before = (await ours()).map((id) => id.replace(/-[0-9a-f]{8}$/, "-<random>"));
    await bus.close();
    expect({ before, after: await ours() }).toEqual({
      before: [`${topicPrefix}driver-x-test_config-<random>`, `${topicPrefix}driver-x-trigger-<random>`, collectGroup],
      after: [collectGroup],
    });
  } finally {
    await admin.deleteGroups([collectGroup]).catch(() => {});
    await admin.disconnect();
  }
});

test("a collect group resumes where it left off: what is published while no member runs is delivered on restart", async () => {
  const brokers = await kafkaTestBrokers();
  const topicPrefix = uniquePrefix("resume");
  const bus = (name: string) => new KafkaBus({ connection: { brokers, clientId: name, topicPrefix } });
  const beat = (n: number) => ({ node_id: "d1", heartbeat: "YES" as const, timestamp: 1_764_000_000_000 + n });
  const driver = bus("driver");
  const first = bus("orchestrator-1");
  const got: number[] = [];
  try {
    await first.subscribe("heartbeat", { mode: { kind: "collect", group: "orchestrator" } }, (m) => void got.push(m.timestamp!));
    await driver.publish("heartbeat", beat(1), "d1");
    await waitFor("the first heartbeat", () => got.length === 1);
    await first.close();
    await driver.publish("heartbeat", beat(2), "d1");
    await driver.publish("heartbeat", beat(3), "d1");
    const second = bus("orchestrator-2");
    try {
      await second.subscribe("heartbeat", { mode: { kind: "collect", group: "orchestrator" } }, (m) => void got.push(m.timestamp!));
      await waitFor("the heartbeats sent while no member ran", () => got.length === 3);
      expect(got).toEqual([1, 2, 3].map((n) => beat(n).timestamp));
    } finally {
      await second.close();
    }
  } finally {
    await Promise.all([driver.close(), first.close()]);
  }
});
