/**
 * Bus.subscribeAll over the real broker (a driver's four broadcast topics through one consumer):
 * each topic gets exactly what `subscribe` would give it (everything published after the call
 * resolves, nothing from before, none twice, each to its own handler), through one consumer
 * group; and when two of its topics are deleted and recreated together, both are read again from
 * the new topics' start while the others lose and replay nothing.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { KafkaBus, onTopic } from "../../src/bus/index.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitFor } from "../helpers/wait.ts";

// Talks to the real broker: the 5 s default is too short on a loaded machine. Every wait is bounded.
setDefaultTimeout(180_000);

const buses: KafkaBus[] = [];
const admins: ReturnType<Kafka["admin"]>[] = [];
afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await Promise.all(admins.map((admin) => admin.disconnect()));
});

test("one consumer for four topics: each gets every message published after it is live, to its own handler, none from before, none twice; two recreated topics heal together and the others replay nothing", async () => {
  const brokers = await requireKafka();
  const topicPrefix = uniqueTopicPrefix("sub-all");
  // The guard is driven by the test (checkTopics), so each step is deterministic.
  const publisher = new KafkaBus({ connection: { brokers, clientId: "all-pub", topicPrefix } });
  const bus = new KafkaBus({ connection: { brokers, clientId: "all-sub", topicPrefix }, topicCheckMs: 3_600_000 });
  buses.push(publisher, bus);
  const got: string[] = [];
  const T0 = Date.now();
  const trigger = (id: string) => publisher.publish("trigger", { test_id: id, trigger: "YES" });
  const stop = (id: string) => publisher.publish("stop", { test_id: id, stop: "YES", reason: "r", stop_grace_ms: 0 });
  const config = (id: string) => publisher.publish("test_config", { test_id: id, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 1 });

  await publisher.ensureTopics();
  await Promise.all([trigger("before"), stop("before"), config("before")]);
  await bus.subscribeAll(
    [
      onTopic("test_config", (m) => void got.push(`config:${m.test_id}`)),
      onTopic("trigger", (m) => void got.push(`trigger:${m.test_id}`)),
      onTopic("stop", (m) => void got.push(`stop:${m.test_id}`)),
      onTopic("clock", (m) => void got.push(`clock:${m.t3 - T0}`)),
    ],
    { mode: { kind: "broadcast" } },
  );
  for (let i = 1; i <= 3; i++) await Promise.all([trigger(`t${i}`), stop(`s${i}`), config(`c${i}`), publisher.publish("clock", { t3: T0 + i, samples: [] })]);
  await waitFor("12 messages", () => got.length >= 12, { timeoutMs: 30_000, intervalMs: 50 });
  const sorted = (xs: string[]) => [...xs].sort();
  const firstRound = ["c1", "c2", "c3"].map((x) => `config:${x}`).concat(["t1", "t2", "t3"].map((x) => `trigger:${x}`), ["s1", "s2", "s3"].map((x) => `stop:${x}`), ["clock:1", "clock:2", "clock:3"]);
  expect(sorted(got)).toEqual(sorted(firstRound));
  // In order within each topic.
  expect(got.filter((g) => g.startsWith("trigger:"))).toEqual(["trigger:t1", "trigger:t2", "trigger:t3"]);

  // One group for the four topics.
  const admin = new Kafka({ brokers, clientId: "sub-all-admin", logLevel: logLevel.NOTHING }).admin();
  admins.push(admin);
  await admin.connect();
  const ours = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(`${topicPrefix}all-sub-`));
  expect(ours).toHaveLength(1);
  expect(ours[0]).toMatch(new RegExp(`^${topicPrefix}all-sub-test_config-trigger-stop-clock-[0-9a-f]{8}$`));

  // Two of its topics deleted and recreated together; more messages in each new topic than the
  // old one had, published before the bus notices, so only reading the new topics from their
  // start delivers them all.
  const name = (key: string) => `${topicPrefix}${key}`;
  await admin.deleteTopics({ topics: [name("trigger"), name("stop")] });
  await waitFor("the topics to be gone", async () => {
    const topics = await admin.listTopics();
    return !topics.includes(name("trigger")) && !topics.includes(name("stop"));
  }, { timeoutMs: 60_000, intervalMs: 100 });
  await admin.createTopics({ topics: [{ topic: name("trigger"), numPartitions: 1 }, { topic: name("stop"), numPartitions: 1 }], waitForLeaders: true });
  got.length = 0;
  for (let i = 4; i <= 9; i++) await Promise.all([trigger(`t${i}`), stop(`s${i}`)]);
  await bus.checkTopics();
  expect(bus.degradedTopics().map((d) => d.topic).sort()).toEqual(["stop", "trigger"]);
  await waitFor("the recreated topics' messages", () => got.length >= 12, { timeoutMs: 60_000, intervalMs: 50 });
  await waitFor("the bus to heal", async () => {
    await bus.checkTopics();
    return bus.degradedTopics().length === 0;
  }, { timeoutMs: 60_000, intervalMs: 200 });
  await Promise.all([config("c4"), publisher.publish("clock", { t3: T0 + 4, samples: [] }), trigger("t10")]);
  await waitFor("the last three", () => got.includes("config:c4") && got.includes("clock:4") && got.includes("trigger:t10"), { timeoutMs: 30_000, intervalMs: 50 });
  // A replay of the untouched topics (read again by the consumer's new group) would have come
  // before c4 and clock 4, which follow the old messages in their partitions.
  // The recreated topics: every message of the new topics. One the old consumer fetched from the
  // new topic before the bus noticed (past the offset it had read) comes twice: documented, the
  // handlers are idempotent. The untouched topics: exactly what came after, nothing replayed.
  const expected = ["t4", "t5", "t6", "t7", "t8", "t9", "t10"].map((x) => `trigger:${x}`).concat(["s4", "s5", "s6", "s7", "s8", "s9"].map((x) => `stop:${x}`));
  expect(sorted([...new Set(got.filter((g) => g.startsWith("trigger:") || g.startsWith("stop:")))])).toEqual(sorted(expected));
  expect(got.filter((g) => g.startsWith("config:") || g.startsWith("clock:")).sort()).toEqual(["clock:4", "config:c4"]);
});
