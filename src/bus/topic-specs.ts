import type { ITopicConfig } from "kafkajs";
import { BROADCAST_TOPICS, TOPIC_PARTITIONS, topicName, type TopicKey } from "../protocol/index.ts";

/** Broadcast topics are small and short-lived: an hour of retention is plenty. */
export const BROADCAST_RETENTION_MS = 3_600_000;

/**
 * How the bus creates a protocol topic, at start and when it recreates a deleted one: the
 * protocol's partition count, the configured replication factor (`KAFKA_REPLICATION_FACTOR`;
 * unset, the broker's default.replication.factor) and an hour's retention on the broadcast topics (BROADCAST_TOPICS).
 */
export function topicSpec(key: TopicKey, prefix: string, replicationFactor?: number): ITopicConfig {
  return {
    topic: topicName(key, prefix),
    numPartitions: TOPIC_PARTITIONS[key],
    ...(replicationFactor !== undefined ? { replicationFactor } : {}),
    configEntries: BROADCAST_TOPICS.includes(key) ? [{ name: "retention.ms", value: String(BROADCAST_RETENTION_MS) }] : [],
  };
}
