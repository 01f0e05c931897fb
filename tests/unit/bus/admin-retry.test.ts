import { describe, expect, test } from "bun:test";
import type { Kafka } from "kafkajs";
import { createMissingTopics } from "../../../src/bus/kafka-admin-ops.ts";

/** A stand-in for kafkajs's admin client whose metadata request fails `failures` times as kafkajs 2.2 does on a busy machine. */
function fakeKafka(failures: number, error: () => Error = () => new TypeError("Cannot destructure property 'topicMetadata' from null or undefined value")) {
  const calls = { admins: 0, created: [] as string[] };
  let left = failures;
  const kafka = {
    admin: () => {
      calls.admins++;
      return {
        connect: async () => {},
        disconnect: async () => {},
        // Asked about our own topics only (existingTopics): none exists yet.
        fetchTopicMetadata: async () => {
          if (left-- > 0) throw error();
          throw Object.assign(new Error("This server does not host this topic-partition"), { type: "UNKNOWN_TOPIC_OR_PARTITION" });
        },
        describeCluster: async () => ({ brokers: [{ nodeId: 1 }] }),
        createTopics: async ({ topics }: { topics: { topic: string }[] }) => {
          calls.created.push(...topics.map((t) => t.topic));
          return true;
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, calls };
}

const connection = { brokers: ["127.0.0.1:9092"], clientId: "t", topicPrefix: "retry." };

describe("createMissingTopics", () => {
  test("asks again with a fresh admin client when kafkajs fails on its own metadata answer (TypeError)", async () => {
    const { kafka, calls } = fakeKafka(2);
    await createMissingTopics(kafka, connection);
    expect(calls.admins).toBe(3);
    expect(calls.created.length).toBeGreaterThan(0);
    expect(calls.created.every((t) => t.startsWith("retry."))).toBe(true);
  });

  test("gives up after four attempts, with kafkajs's error", async () => {
    const { kafka, calls } = fakeKafka(10);
    await expect(createMissingTopics(kafka, connection)).rejects.toThrow("topicMetadata");
    expect(calls.admins).toBe(4);
  });

  test("any other error is not retried", async () => {
    const { kafka, calls } = fakeKafka(1, () => new Error("not authorized"));
    await expect(createMissingTopics(kafka, connection)).rejects.toThrow("not authorized");
    expect(calls.admins).toBe(1);
  });
});
