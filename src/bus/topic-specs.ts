import type { ITopicConfig } from "kafkajs";
import { BROADCAST_TOPICS, TOPIC_PARTITIONS, topicName, type TopicKey } from "../protocol/index.ts";
import type { TopicReplication } from "./kafka-config.ts";

/** Broadcast topics are small and short-lived: an hour of retention is plenty. */
export const BROADCAST_RETENTION_MS = 3_600_000;

/**
 * How the bus creates a protocol topic, at start and when it recreates a deleted one: the
 * protocol's partition count, its replication ({@link topicReplication}: `KAFKA_REPLICATION_FACTOR`,
 * else 3 with min.insync.replicas=2 on a cluster of 3+ brokers, else the broker's default) and
 * an hour's retention on the broadcast topics (BROADCAST_TOPICS).
 */
export function topicSpec(key: TopicKey, prefix: string, replication: TopicReplication = { configEntries: [] }): ITopicConfig {
  return {
    topic: topicName(key, prefix),
    numPartitions: TOPIC_PARTITIONS[key],
    ...(replication.replicationFactor !== undefined ? { replicationFactor: replication.replicationFactor } : {}),
    configEntries: [
      ...replication.configEntries,
      ...(BROADCAST_TOPICS.includes(key) ? [{ name: "retention.ms", value: String(BROADCAST_RETENTION_MS) }] : []),
    ],
  };
}
