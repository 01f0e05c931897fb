import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kafkaConnectionFromEnv } from "../../../src/bus/index.ts";
import { PRODUCER_SETTINGS, topicReplication } from "../../../src/bus/kafka-config.ts";

const dir = mkdtempSync(join(tmpdir(), "kafka-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Kafka TLS and SASL from the environment", () => {
  test("without KAFKA_SSL or KAFKA_SASL_* the connection is plaintext and unauthenticated", () => {
    expect(kafkaConnectionFromEnv("driver-1", {}, { KAFKA_BROKERS: "k1:9092,k2:9093", KAFKA_SASL_PASSWORD: "ignored-without-mechanism" })).toEqual({
      brokers: ["k1:9092", "k2:9093"],
      clientId: "driver-1",
      topicPrefix: "",
    });
  });

  test("KAFKA_SSL=true turns on TLS that checks the broker's certificate", () => {
    expect(kafkaConnectionFromEnv("o", {}, { KAFKA_SSL: "true" }).ssl).toEqual({ rejectUnauthorized: true });
  });

  test("KAFKA_SSL_CA reads the CA file (and implies TLS); KAFKA_SSL_REJECT_UNAUTHORIZED=false relaxes the check", () => {
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    expect(kafkaConnectionFromEnv("o", {}, { KAFKA_SSL_CA: ca, KAFKA_SSL_REJECT_UNAUTHORIZED: "false" }).ssl).toEqual({
      ca: ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"],
      rejectUnauthorized: false,
    });
  });

  test("each SASL mechanism passes through as kafkajs's sasl option, in any letter case", () => {
    for (const [given, mechanism] of [
      ["PLAIN", "plain"],
      ["scram-sha-256", "scram-sha-256"],
      ["SCRAM-SHA-512", "scram-sha-512"],
    ]) {
      const connection = kafkaConnectionFromEnv("o", {}, { KAFKA_SSL: "true", KAFKA_SASL_MECHANISM: given, KAFKA_SASL_USERNAME: "loadtest", KAFKA_SASL_PASSWORD: "pa55" });
      expect({ ssl: connection.ssl, sasl: connection.sasl }).toEqual({ ssl: { rejectUnauthorized: true }, sasl: { mechanism, username: "loadtest", password: "pa55" } } as never);
    }
  });

  test("an unknown SASL mechanism is refused with the supported ones named", () => {
    expect(() => kafkaConnectionFromEnv("o", {}, { KAFKA_SASL_MECHANISM: "oauthbearer" })).toThrow(/"oauthbearer" is not one of plain, scram-sha-256, scram-sha-512/);
  });

  test("--brokers and --topic-prefix win over KAFKA_BROKERS and KAFKA_TOPIC_PREFIX", () => {
    const connection = kafkaConnectionFromEnv("o", { brokers: "flag:1", topicPrefix: "p-" }, { KAFKA_BROKERS: "env:2", KAFKA_TOPIC_PREFIX: "e-" });
    expect({ brokers: connection.brokers, topicPrefix: connection.topicPrefix }).toEqual({ brokers: ["flag:1"], topicPrefix: "p-" });
  });

  test("KAFKA_REPLICATION_FACTOR sets the replication of the topics the bus creates, and a bad value is named", () => {
    expect(kafkaConnectionFromEnv("o", {}, { KAFKA_REPLICATION_FACTOR: "3" }).replicationFactor).toBe(3);
    expect(kafkaConnectionFromEnv("o", {}, {}).replicationFactor).toBeUndefined();
    expect(() => kafkaConnectionFromEnv("o", {}, { KAFKA_REPLICATION_FACTOR: "0" })).toThrow(/KAFKA_REPLICATION_FACTOR must be an integer from 1 to 32, got "0"/);
  });
});

describe("topicReplication", () => {
  test("leaves a single broker or a pair on the broker's defaults", () => {
    expect(topicReplication(1)).toEqual({ configEntries: [] });
    expect(topicReplication(2)).toEqual({ configEntries: [] });
  });

  test("replicates three times with min.insync.replicas=2 on a cluster of three or more brokers", () => {
    const replicated = { replicationFactor: 3, configEntries: [{ name: "min.insync.replicas", value: "2" }] };
    expect(topicReplication(3)).toEqual(replicated);
    expect(topicReplication(7)).toEqual(replicated);
  });
});

describe("PRODUCER_SETTINGS", () => {
  test("asks for an idempotent producer with acks=all and one request in flight, as kafkajs requires", () => {
    expect(PRODUCER_SETTINGS).toEqual({ idempotent: true, maxInFlightRequests: 1, acks: -1 });
  });
});

describe("topicReplication with KAFKA_REPLICATION_FACTOR", () => {
  test("the configured factor wins over the cluster's size, with min.insync.replicas=2 from 3 replicas up", () => {
    expect(topicReplication(3, 1)).toEqual({ replicationFactor: 1, configEntries: [] });
    expect(topicReplication(1, 2)).toEqual({ replicationFactor: 2, configEntries: [] });
    expect(topicReplication(5, 5)).toEqual({ replicationFactor: 5, configEntries: [{ name: "min.insync.replicas", value: "2" }] });
  });
});
