import type { z } from "zod";
import {
  DriverEventSchema,
  HeartbeatSchema,
  MetricsReportSchema,
  RegisterSchema,
  StopSchema,
  TestConfigSchema,
  TriggerSchema,
} from "./messages.ts";
import { ClockSchema } from "./clock.ts";

/** Every topic of the protocol and the schema of its messages. */
export const TOPIC_SCHEMAS = {
  register: RegisterSchema,
  test_config: TestConfigSchema,
  trigger: TriggerSchema,
  metrics: MetricsReportSchema,
  heartbeat: HeartbeatSchema,
  driver_event: DriverEventSchema,
  stop: StopSchema,
  clock: ClockSchema,
} as const;

/** A protocol topic, by the brief's name. */
export type TopicKey = keyof typeof TOPIC_SCHEMAS;
/** The message type carried on topic `T`. */
export type MessageOf<T extends TopicKey> = z.infer<(typeof TOPIC_SCHEMAS)[T]>;
/** Every protocol topic, in declaration order. */
export const TOPIC_KEYS = Object.keys(TOPIC_SCHEMAS) as TopicKey[];

/** Broadcast topics reach every driver; collect topics are consumed by the orchestrator alone. */
export const BROADCAST_TOPICS: readonly TopicKey[] = ["test_config", "trigger", "stop", "clock"];

/** Kafka topic name for a protocol topic: the brief's name behind an optional prefix (`KAFKA_TOPIC_PREFIX`). */
export function topicName(key: TopicKey, prefix = ""): string {
  return `${prefix}${key}`;
}

/** Partition counts: metrics and heartbeats are keyed by node_id and spread for larger fleets. */
export const TOPIC_PARTITIONS: Record<TopicKey, number> = {
  register: 1,
  test_config: 1,
  trigger: 1,
  metrics: 8,
  heartbeat: 4,
  driver_event: 1,
  stop: 1,
  clock: 1,
};
