import { ConfigResourceTypes, ConfigSource, type Kafka } from "kafkajs";
import type { Logger } from "../log.ts";
import { TOPIC_KEYS, topicName } from "../protocol/index.ts";
import { existingTopics } from "./kafka-admin-ops.ts";
import { topicMaxMessageBytes } from "./topic-specs.ts";

/**
 * Raises `max.message.bytes` on existing protocol topics that need more than they have: a
 * test_config topic created before scenarios (issue 11) keeps Kafka's ~1 MB default, and a
 * larger configuration would not publish. Kafka's AlterConfigs (the one kafkajs 2 speaks)
 * replaces a topic's whole set of overrides, so the topic's current overrides are sent again
 * with the new limit. Returns the topics raised; throws what the broker answers (no ALTER_CONFIGS
 * right, broker away): the caller logs it, and configurations under 1 MB still travel.
 */
export async function raiseMessageLimits(kafka: Kafka, topicPrefix: string, log: Logger): Promise<string[]> {
  const wanted = new Map(TOPIC_KEYS.flatMap((key) => {
    const bytes = topicMaxMessageBytes(key);
    return bytes === null ? [] : [[topicName(key, topicPrefix), bytes] as const];
  }));
  if (wanted.size === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await existingTopics(admin, [...wanted.keys()]);
    const names = [...wanted.keys()].filter((name) => existing.has(name));
    if (names.length === 0) return [];
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
    const raised: string[] = [];
    for (const resource of described.resources) {
      const want = wanted.get(resource.resourceName)!;
      const current = resource.configEntries.find((e) => e.configName === "max.message.bytes");
      if (current !== undefined && Number(current.configValue) >= want) continue;
      const overrides = resource.configEntries
        .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && e.configName !== "max.message.bytes" && !e.isSensitive)
        .map((e) => ({ name: e.configName, value: e.configValue }));
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: resource.resourceName, configEntries: [...overrides, { name: "max.message.bytes", value: String(want) }] }],
      });
      log.info("raised max.message.bytes of an existing topic for scenario configurations", { topic: resource.resourceName, from: current?.configValue, to: want });
      raised.push(resource.resourceName);
    }
    return raised;
  } finally {
    await admin.disconnect();
  }
}
