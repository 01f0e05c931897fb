import { describe, expect, test } from "bun:test";
import { planTest } from "../../../src/driver/run-plan.ts";
import { TestConfigSchema, type TestConfig } from "../../../src/protocol/index.ts";

const config = (fields: Record<string, unknown>): TestConfig =>
  TestConfigSchema.parse({ test_id: "t1", test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", ...fields });

const paths = (fields: Record<string, unknown>) => {
  const result = planTest(config(fields));
  return result.ok ? [] : result.issues.map((i) => i.path);
};

describe("planTest", () => {
  test("fills AVALANCHE defaults: 64 in flight, 10 s timeout, no delay", () => {
    expect(planTest(config({ test_message_delay: "250" }))).toEqual({
      ok: true,
      plan: { testId: "t1", mode: "AVALANCHE", url: "http://127.0.0.1:8080/ping", count: 100, delayMs: 0, concurrency: 64, timeoutMs: 10_000 },
    });
  });

  test("fills TSUNAMI defaults and keeps the pacing fields", () => {
    const result = planTest(config({ test_type: "tsunami", test_message_delay: "10", message_count_per_driver: 5_000, target_throughput: 50, timeout_ms: 500 }));
    expect(result).toEqual({
      ok: true,
      plan: { testId: "t1", mode: "TSUNAMI", url: "http://127.0.0.1:8080/ping", count: 5_000, delayMs: 10, throughput: 50, concurrency: 1_024, timeoutMs: 500 },
    });
  });

  test("never plans more slots than sends", () => {
    const result = planTest(config({ message_count_per_driver: 3, concurrency: 100 }));
    expect(result.ok && result.plan.concurrency).toBe(3);
  });

  test("rejects a configuration without a target URL", () => {
    expect(paths({ target_url: undefined })).toEqual(["target_url"]);
  });

  test("rejects a target that is not http or https", () => {
    const result = planTest(config({ target_url: "ftp://example.com/file" }));
    expect(result).toEqual({
      ok: false,
      error: 'cannot run test t1: target_url: scheme "ftp" is not allowed: use http or https',
      issues: [{ path: "target_url", message: 'scheme "ftp" is not allowed: use http or https' }],
    });
  });

  test("rejects TSUNAMI without a positive delay", () => {
    expect(paths({ test_type: "TSUNAMI" })).toEqual(["test_message_delay"]);
    expect(paths({ test_type: "TSUNAMI", test_message_delay: "" })).toEqual(["test_message_delay"]);
    expect(paths({ test_type: "TSUNAMI", test_message_delay: 0.0000001 })).toEqual(["test_message_delay"]);
  });

  test("rejects schedules that would run longer than a day", () => {
    expect(paths({ test_type: "TSUNAMI", test_message_delay: 3_600_000, message_count_per_driver: 100 })).toEqual(["test_message_delay"]);
    expect(paths({ target_throughput: 0.001, message_count_per_driver: 1_000 })).toEqual(["target_throughput"]);
  });

  test("reports every problem at once, not the first", () => {
    expect(paths({ test_type: "TSUNAMI", target_url: "mailto:x@y.z", target_throughput: 0.001, message_count_per_driver: 1_000 })).toEqual([
      "target_url",
      "test_message_delay",
      "target_throughput",
    ]);
  });
});
