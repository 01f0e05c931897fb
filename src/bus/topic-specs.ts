import type { ITopicConfig } from "kafkajs";
import { BROADCAST_TOPICS, maxMessageBytes, MAX_MESSAGE_BYTES, TOPIC_PARTITIONS, topicName, type TopicKey } from "../protocol/index.ts";
import type { TopicReplication } from "./kafka-config.ts";

/** Broadcast topics are small and short-lived: an hour of retention is plenty. */
export const BROADCAST_RETENTION_MS = 3_600_000;

/** Room for Kafka's record-batch framing around one message. */
export const BATCH_OVERHEAD_BYTES = 64 * 1024;

/**
 * The `max.message.bytes` a topic is created with when its messages may pass Kafka's default
 * (about 1 MB): test_config carries scenarios up to MAX_TEST_CONFIG_BYTES (issue 11). Null: the default.
 */
export function topicMaxMessageBytes(key: TopicKey): number | null {
  const max = maxMessageBytes(key);
  return max > MAX_MESSAGE_BYTES ? max + BATCH_OVERHEAD_BYTES : null;
}

/**
 * How the bus creates a protocol topic, at start and when it recreates a deleted one: the
 * protocol's partition count, its replication ({@link topicReplication}: `KAFKA_REPLICATION_FACTOR`,
 * else 3 with min.insync.replicas=2 on a cluster of 3+ brokers, else the broker's default) and
 * an hour's retention on the broadcast topics (BROADCAST_TOPICS), and a larger
 * `max.message.bytes` where {@link topicMaxMessageBytes} asks for one.
 */
export function topicSpec(key: TopicKey, prefix: string, replication: TopicReplication = { configEntries: [] }): ITopicConfig {
  return {
    topic: topicName(key, prefix),
    numPartitions: TOPIC_PARTITIONS[key],
    ...(replication.replicationFactor !== undefined ? { replicationFactor: replication.replicationFactor } : {}),
    configEntries: [
      ...replication.configEntries,
      ...(BROADCAST_TOPICS.includes(key) ? [{ name: "retention.ms", value: String(BROADCAST_RETENTION_MS) }] : []),
      ...(topicMaxMessageBytes(key) !== null ? [{ name: "max.message.bytes", value: String(topicMaxMessageBytes(key)) }] : []),
    ],
  };
}
