import { describe, expect, test } from "bun:test";
import { fatalKafkaError } from "../../../src/bus/kafka-fatal.ts";
import { waitForKafka } from "../../../src/bus/wait-for-kafka.ts";
import { silentLogger } from "../../../src/log.ts";

const named = (name: string, message: string, cause?: unknown) => Object.assign(new Error(message), { name, cause });

describe("fatalKafkaError", () => {
  test("names the settings to fix for refused SASL credentials and an untrusted certificate (as kafkajs 2.2 reports them)", () => {
    expect(fatalKafkaError(named("KafkaJSSASLAuthenticationError", "SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"))).toContain(
      "check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD",
    );
    const tls = named("KafkaJSNumberOfRetriesExceeded", "Connection error: unable to verify the first certificate", named("KafkaJSConnectionError", "Connection error: unable to verify the first certificate"));
    expect(fatalKafkaError(tls)).toContain("give the CA that signed it with KAFKA_SSL_CA");
  });

  test("leaves a broker that is merely not up yet to the retries", () => {
    expect(fatalKafkaError(named("KafkaJSNumberOfRetriesExceeded", "Connection error: connect ECONNREFUSED 127.0.0.1:9092"))).toBeNull();
    expect(fatalKafkaError(new Error("This server does not host this topic-partition"))).toBeNull();
  });

  test("waitForKafka stops at the first attempt on a fatal error instead of waiting KAFKA_WAIT_S", async () => {
    let calls = 0;
    const attempt = waitForKafka(
      async () => {
        calls++;
        throw named("KafkaJSSASLAuthenticationError", "SASL SCRAM SHA512 authentication failed: invalid credentials");
      },
      { brokers: ["127.0.0.1:1"], log: silentLogger, waitS: 3600, sleep: async () => {} },
    );
    await expect(attempt).rejects.toThrow("cannot connect to Kafka at 127.0.0.1:1: Kafka refused this node's SASL login");
    expect(calls).toBe(1);
  });
});
