import type { Admin, Kafka } from "kafkajs";
import { isUnknownTopic } from "./topic-guard.ts";
import type { Logger } from "../log.ts";
import { TOPIC_KEYS, topicName } from "../protocol/index.ts";
import { topicReplication, type KafkaConnection, type TopicReplication } from "./kafka-config.ts";
import { topicSpec } from "./topic-specs.ts";

/** How long close() spends deleting broadcast groups before it gives up and leaves them to expire. */
const DELETE_GROUPS_TIMEOUT_MS = 3_000;

/**
 * Creates the protocol's topics that do not exist yet (metrics and heartbeats with several
 * partitions) and returns how topics are made on this cluster, or null when every topic
 * existed and nothing said it (a driver joining a fleet: see {@link clusterReplication}).
 */
export async function createMissingTopics(kafka: Kafka, connection: KafkaConnection): Promise<TopicReplication | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createMissingTopicsOnce(kafka, connection);
    } catch (error) {
      // kafkajs 2.2 sometimes resolves a metadata request with nothing on a busy machine and then
      // fails on its own destructuring (a TypeError inside admin.listTopics; tulios/kafkajs#461
      // is the same family): a fresh admin client asks again. Any other error is the caller's.
      if (!(error instanceof TypeError) || attempt === ADMIN_TYPE_ERROR_ATTEMPTS) throw error;
      await Bun.sleep(250 * attempt);
    }
  }
}

/** Attempts of an admin operation that failed inside kafkajs with a TypeError (see createMissingTopics). */
const ADMIN_TYPE_ERROR_ATTEMPTS = 4;

async function createMissingTopicsOnce(kafka: Kafka, connection: KafkaConnection): Promise<TopicReplication | null> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await existingTopics(admin, TOPIC_KEYS.map((key) => topicName(key, connection.topicPrefix)));
    const missing = TOPIC_KEYS.filter((key) => !existing.has(topicName(key, connection.topicPrefix)));
    if (missing.length === 0) return connection.replicationFactor !== undefined ? topicReplication(0, connection.replicationFactor) : null;
    // Replicated on a cluster of 3+ brokers (3 copies, min.insync.replicas=2); one copy on one
    // broker; KAFKA_REPLICATION_FACTOR wins. The guard recreates deleted topics the same way.
    const replication = await clusterReplication(admin, connection);
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((key) => topicSpec(key, connection.topicPrefix, replication)),
    });
    return replication;
  } finally {
    await admin.disconnect();
  }
}

/**
 * How topics are made on this cluster: KAFKA_REPLICATION_FACTOR when set, else from the number
 * of brokers. Asked only when a topic is to be created: kafkajs's describeCluster() sends a
 * metadata request for every topic of the cluster (thousands on a broker shared by many fleets),
 * and 64 drivers starting at once each asked for it.
 */
export async function clusterReplication(admin: Admin, connection: KafkaConnection): Promise<TopicReplication> {
  if (connection.replicationFactor !== undefined) return topicReplication(0, connection.replicationFactor);
  const { brokers } = await admin.describeCluster();
  return topicReplication(brokers.length);
}

/** {@link clusterReplication} through an admin connection of its own. */
export async function askClusterReplication(kafka: Kafka, connection: KafkaConnection): Promise<TopicReplication> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await clusterReplication(admin, connection);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Which of `names` exist, asking the broker about these topics only. `admin.listTopics()` fetches
 * the metadata of every topic of the cluster: on a broker shared by many fleets (thousands of
 * topics) that is a large answer to build and parse, and 64 drivers starting at once asked for it
 * 3 times each.
 */
export async function existingTopics(admin: Admin, names: string[]): Promise<Set<string>> {
  try {
    await admin.fetchTopicMetadata({ topics: names });
    return new Set(names);
  } catch (err) {
    if (!isUnknownTopic(err)) throw err;
  }
  const found = new Set<string>();
  for (const name of names) {
    try {
      await admin.fetchTopicMetadata({ topics: [name] });
      found.add(name);
    } catch (err) {
      if (!isUnknownTopic(err)) throw err;
    }
  }
  return found;
}

/** Partitions of `topic` (its full name) where `groupId` has a committed offset. */
export async function committedPartitions(kafka: Kafka, groupId: string, topic: string): Promise<number[]> {
  return (await committedPartitionsOf(kafka, groupId, [topic])).get(topic) ?? [];
}

/** Per topic of `topics` (full names), the partitions where `groupId` has a committed offset; one admin connection. */
export async function committedPartitionsOf(kafka: Kafka, groupId: string, topics: string[]): Promise<Map<string, number[]>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({ groupId, topics });
    return new Map(topics.map((topic) => [topic, (offsets.find((o) => o.topic === topic)?.partitions ?? []).filter((p) => Number(p.offset) >= 0).map((p) => p.partition)]));
  } finally {
    await admin.disconnect();
  }
}

/** Per partition of `topic` (its full name), the offset the next message will get. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  return (await endOffsetsOf(kafka, [topic])).get(topic)!;
}

/** {@link endOffsets} of each of `topics` (full names), through one admin connection. */
export async function endOffsetsOf(kafka: Kafka, topics: string[]): Promise<Map<string, Map<number, bigint>>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<string, Map<number, bigint>>();
    for (const topic of topics) ends.set(topic, await topicEndOffsets(admin, topic));
    return ends;
  } finally {
    await admin.disconnect();
  }
}

async function topicEndOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  // A topic created a moment ago by another node may not have a leader yet: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    } catch (err) {
      if (attempt >= 50 || !(err as { retriable?: boolean }).retriable) throw err;
      await Bun.sleep(100);
    }
  }
}

/**
 * Deletes a bus's broadcast groups, which nobody joins again (each start makes new ones),
 * so they do not pile up on the broker. Best effort within DELETE_GROUPS_TIMEOUT_MS: a group
 * left behind (broker away, driver killed) expires with the broker's offsets.retention.minutes.
 */
export async function deleteGroups(kafka: Kafka, groupIds: string[], log: Logger): Promise<void> {
  if (groupIds.length === 0) return;
  const admin = kafka.admin({ retry: { retries: 1 } });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, DELETE_GROUPS_TIMEOUT_MS);
  });
  const work = (async () => {
    try {
      await admin.connect();
      await admin.deleteGroups(groupIds);
    } finally {
      await admin.disconnect();
    }
  })().catch((err: unknown) => log.debug("deleting broadcast consumer groups failed; they expire with the broker's offset retention", { groups: groupIds, error: (err as Error).message }));
  try {
    await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
