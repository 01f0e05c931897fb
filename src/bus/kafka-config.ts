import { readFileSync } from "node:fs";
import type { SASLOptions } from "kafkajs";

/** Default broker list when neither `--brokers` nor `KAFKA_BROKERS` says otherwise. */
export const DEFAULT_BROKERS = "127.0.0.1:9092";

/** How to reach the Kafka cluster; TLS and SASL pass through to kafkajs. */
export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  /** Replication factor of the topics the bus creates (`KAFKA_REPLICATION_FACTOR`); unset, the broker's default. */
  replicationFactor?: number;
  ssl?: boolean | { ca?: string[]; rejectUnauthorized?: boolean };
  sasl?: SASLOptions;
}

/** Splits a comma-separated broker list, rejecting entries that are not host:port. */
export function parseBrokers(list: string): string[] {
  const brokers = list.split(",").map((b) => b.trim()).filter((b) => b.length > 0);
  if (brokers.length === 0) throw new Error("the broker list is empty: give host:port[,host:port...]");
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(broker)) {
      throw new Error(`bad broker "${broker}": expected host:port`);
    }
  }
  return brokers;
}

/**
 * Reads the Kafka connection from a `--brokers` flag value (wins) and the environment:
 * KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, KAFKA_SSL (true/false), KAFKA_SSL_CA (a PEM file),
 * KAFKA_SSL_REJECT_UNAUTHORIZED, KAFKA_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512),
 * KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_REPLICATION_FACTOR (of the topics it creates).
 */
export function kafkaConnectionFromEnv(
  clientId: string,
  flags: { brokers?: string; topicPrefix?: string } = {},
  env: Record<string, string | undefined> = process.env,
): KafkaConnection {
  const connection: KafkaConnection = {
    brokers: parseBrokers(flags.brokers ?? env.KAFKA_BROKERS ?? DEFAULT_BROKERS),
    clientId,
    topicPrefix: flags.topicPrefix ?? env.KAFKA_TOPIC_PREFIX ?? "",
  };
  const replication = env.KAFKA_REPLICATION_FACTOR;
  if (replication !== undefined && replication !== "") {
    const n = Number(replication);
    if (!Number.isInteger(n) || n < 1 || n > 32) throw new Error(`KAFKA_REPLICATION_FACTOR must be an integer from 1 to 32, got "${replication}"`);
    connection.replicationFactor = n;
  }
  if (env.KAFKA_SSL === "true" || env.KAFKA_SSL_CA) {
    connection.ssl = {
      ...(env.KAFKA_SSL_CA ? { ca: [readFileSync(env.KAFKA_SSL_CA, "utf8")] } : {}),
      rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED !== "false",
    };
  }
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (mechanism) {
    const username = env.KAFKA_SASL_USERNAME ?? "";
    const password = env.KAFKA_SASL_PASSWORD ?? "";
    if (mechanism === "plain") connection.sasl = { mechanism, username, password };
    else if (mechanism === "scram-sha-256") connection.sasl = { mechanism, username, password };
    else if (mechanism === "scram-sha-512") connection.sasl = { mechanism, username, password };
    else throw new Error(`KAFKA_SASL_MECHANISM "${mechanism}" is not one of plain, scram-sha-256, scram-sha-512`);
  }
  return connection;
}

/** Clusters of at least this many brokers get replicated topics ({@link topicReplication}). */
export const REPLICATED_CLUSTER_MIN_BROKERS = 3;

/** How a new topic is replicated: its replication factor (undefined: the broker's default) and configs. */
export interface TopicReplication {
  replicationFactor?: number;
  configEntries: { name: string; value: string }[];
}

/**
 * Replication for topics this bus creates on a cluster of `brokerCount` brokers: `configured`
 * (KAFKA_REPLICATION_FACTOR) when given, else 3 replicas with 3 or more brokers, else the
 * broker's default (one copy on a single dev broker). With 3 or more replicas,
 * `min.insync.replicas=2`: a write acknowledged by `acks=all` survives the loss of any one
 * broker and a partition stays writable while one is down.
 */
export function topicReplication(brokerCount: number, configured?: number): TopicReplication {
  const replicationFactor = configured ?? (brokerCount >= REPLICATED_CLUSTER_MIN_BROKERS ? 3 : undefined);
  if (replicationFactor === undefined) return { configEntries: [] };
  return { replicationFactor, configEntries: replicationFactor >= 3 ? [{ name: "min.insync.replicas", value: "2" }] : [] };
}

/**
 * Producer settings of every KafkaBus: idempotent (the broker drops a retried batch it already
 * wrote, by producer id and sequence), which kafkajs allows only with `acks=-1` (all in-sync
 * replicas) on each send and which keeps order only with one request in flight. Kafka brokers
 * since 0.11 support it; kafkajs retries an idempotent producer's sends without limit.
 */
export const PRODUCER_SETTINGS = { idempotent: true, maxInFlightRequests: 1, acks: -1 } as const;
