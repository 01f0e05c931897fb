import { describe, expect, test } from "bun:test";
import { clientFrom, issuesAsFlags, testRequestFromFlags } from "../../../src/cli/options.ts";

describe("test flags", () => {
  test("become a POST /tests body with the trigger set", () => {
    const result = testRequestFromFlags({ type: "tsunami", count: "500", delay: "10", rps: "50", target: "http://t:8080/ping", concurrency: "8", timeout: "2000", threshold: ["p99<200"] });
    expect(result.ok && { body: result.body, thresholds: result.thresholds.map((t) => t.text) }).toEqual({
      body: { trigger: true, test_type: "TSUNAMI", message_count_per_driver: 500, test_message_delay: 10, target_throughput: 50, target_url: "http://t:8080/ping", concurrency: 8, timeout_ms: 2000 },
      thresholds: ["p99<200"],
    });
  });

  test("report every problem at once", () => {
    const result = testRequestFromFlags({ type: "flood", rps: "fast", threshold: ["p99<<1"] });
    expect(result.ok ? [] : result.errors).toEqual([
      '--type must be avalanche or tsunami, got "flood"',
      "--count is required: requests per driver (or --duration/--stage to send for a time)",
      '--rps must be a number, got "fast"',
      expect.stringContaining('--threshold "p99<<1"'),
    ]);
  });

  test("a tsunami without a delay names --delay", () => {
    const result = testRequestFromFlags({ type: "TSUNAMI", count: "5" });
    expect(result.ok ? [] : result.errors).toEqual(["--delay is required for a tsunami test (milliseconds between sends)"]);
  });

  test("API issues are phrased with flag names", () => {
    expect(issuesAsFlags([{ path: "message_count_per_driver", message: "must be at least 1" }, { path: "target_url", message: "not allowed" }])).toEqual([
      "--count: must be at least 1",
      "--target: not allowed",
    ]);
  });

  test("the orchestrator URL and token come from flags, then the environment, then the default", () => {
    expect([
      clientFrom({}, {}).baseUrl,
      clientFrom({}, { LOADTEST_URL: "http://o:9/" }).baseUrl,
      clientFrom({ orchestrator: "http://x:1" }, { LOADTEST_URL: "http://o:9" }).baseUrl,
    ]).toEqual(["http://127.0.0.1:3000", "http://o:9", "http://x:1"]);
  });
});
