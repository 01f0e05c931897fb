import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { Kafka, logLevel, type Admin, type EachMessagePayload } from "kafkajs";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";

// Talks to the real broker: the 5 s default is too short on a loaded machine.
setDefaultTimeout(60_000);

let kafka: Kafka;
let admin: Admin;
const prefix = uniqueTopicPrefix("kafka-broker");
const createdTopics: string[] = [];

beforeAll(async () => {
  const brokers = await requireKafka();
  kafka = new Kafka({ clientId: "kafka-broker-test", brokers, logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  if (!admin) return;
  if (createdTopics.length > 0) await admin.deleteTopics({ topics: createdTopics });
  await admin.disconnect();
});

test("creates a topic whose only partition has a leader", async () => {
  const topic = `${prefix}metadata`;
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  createdTopics.push(topic);
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = topics[0]?.partitions.map(({ partitionId, leader }) => ({ partitionId, leader }));

  expect({ created, partitions }).toEqual({ created: true, partitions: [{ partitionId: 0, leader: 1 }] });
});

test("delivers the exact message from an idempotent producer to a consumer group", async () => {
  const topic = `${prefix}roundtrip`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  createdTopics.push(topic);
  const producer = kafka.producer({ idempotent: true });
  const consumer = kafka.consumer({ groupId: `${prefix}group` });
  const received = Promise.withResolvers<EachMessagePayload>();
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async (payload) => received.resolve(payload) });
    await producer.connect();
    await producer.send({
      topic,
      messages: [{ key: "node-1", value: '{"message_type":"ping"}', headers: { test_id: "t-1" } }],
    });

    const { partition, message } = await received.promise;

    expect({
      partition,
      offset: message.offset,
      key: message.key?.toString(),
      value: message.value?.toString(),
      test_id: message.headers?.test_id?.toString(),
    }).toEqual({ partition: 0, offset: "0", key: "node-1", value: '{"message_type":"ping"}', test_id: "t-1" });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
});
