import { describe, expect, test } from "bun:test";
import { decode, encode, type TopicKey } from "../../../src/protocol/index.ts";

const fixture = (name: string) => Bun.file(new URL(`../../fixtures/brief/${name}.json`, import.meta.url)).text();

describe("the brief's own example messages", () => {
  test("registration decodes with the brief's field names", async () => {
    const decoded = decode("register", await fixture("register"));
    expect(decoded).toEqual({
      ok: true,
      value: { node_id: "driver-7f3a", node_IP: "10.0.0.12", message_type: "DRIVER_NODE_REGISTER" },
    });
  });

  test("test configuration decodes quoted numbers as numbers", async () => {
    const decoded = decode("test_config", await fixture("test_config"));
    expect(decoded).toEqual({
      ok: true,
      value: {
        test_id: "5f0c2d1e-8b7a-4c3d-9e2f-1a2b3c4d5e6f",
        test_type: "TSUNAMI",
        test_message_delay: 250,
        message_count_per_driver: 1000,
      },
    });
  });

  test("trigger decodes", async () => {
    expect(decode("trigger", await fixture("trigger"))).toEqual({
      ok: true,
      value: { test_id: "5f0c2d1e-8b7a-4c3d-9e2f-1a2b3c4d5e6f", trigger: "YES" },
    });
  });

  test("metrics report decodes quoted latencies as float milliseconds", async () => {
    const decoded = decode("metrics", await fixture("metrics"));
    expect(decoded).toEqual({
      ok: true,
      value: {
        node_id: "driver-7f3a",
        test_id: "5f0c2d1e-8b7a-4c3d-9e2f-1a2b3c4d5e6f",
        report_id: "c8d9e0f1-a2b3-4c5d-8e7f-90a1b2c3d4e5",
        metrics: { mean_latency: 12.5, median_latency: 11.2, min_latency: 3.1, max_latency: 85 },
      },
    });
  });

  test("heartbeat timestamp in seconds becomes epoch milliseconds", async () => {
    expect(decode("heartbeat", await fixture("heartbeat"))).toEqual({
      ok: true,
      value: { node_id: "driver-7f3a", heartbeat: "YES", timestamp: 1_764_000_000_000 },
    });
  });

  test("every fixture re-encodes with numbers, not strings, and decodes to the same value", async () => {
    const topics: TopicKey[] = ["register", "test_config", "trigger", "metrics", "heartbeat"];
    for (const topic of topics) {
      const first = decode(topic, await fixture(topic));
      if (!first.ok) throw new Error(first.error);
      const wire = encode(topic, first.value);
      expect(wire).not.toMatch(/"(test_message_delay|message_count_per_driver|mean_latency|timestamp)":"/);
      expect(decode(topic, wire)).toEqual(first);
    }
  });
});
