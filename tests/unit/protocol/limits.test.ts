import { describe, expect, test } from "bun:test";
import { planTest } from "../../../src/driver/run-plan.ts";
import { parseTestRequest } from "../../../src/orchestrator/test-request.ts";
import { checkRunnable, MAX_TEST_DURATION_MS, TestConfigSchema } from "../../../src/protocol/index.ts";

const target_url = "http://127.0.0.1:8080/ping";

describe("checkRunnable", () => {
  test("returns every issue at once: target, TSUNAMI delay, schedule length", () => {
    expect(checkRunnable({ test_type: "TSUNAMI", test_message_delay: 0, message_count_per_driver: 1_000, target_url: "ftp://x/", target_throughput: 0.001 }).map((i) => i.path)).toEqual([
      "target_url",
      "test_message_delay",
      "target_throughput",
    ]);
  });

  test("allows a schedule of exactly the longest test, and refuses one a send longer", () => {
    const base = { test_type: "TSUNAMI" as const, target_url, test_message_delay: 1_000 };
    const sends = MAX_TEST_DURATION_MS / 1_000 + 1;
    expect(checkRunnable({ ...base, message_count_per_driver: sends })).toEqual([]);
    expect(checkRunnable({ ...base, message_count_per_driver: sends + 1 }).map((i) => i.path)).toEqual(["test_message_delay"]);
  });

  test("skips the schedule length when the count is unknown", () => {
    expect(checkRunnable({ test_type: "AVALANCHE", target_url, target_throughput: 0.001 })).toEqual([]);
  });
});

describe("the API and the driver apply the same rules", () => {
  const bodies: Record<string, unknown>[] = [
    { test_type: "TSUNAMI", test_message_delay: 0.0001, message_count_per_driver: 10 },
    { test_type: "TSUNAMI", test_message_delay: 0.001, message_count_per_driver: 10 },
    { test_type: "TSUNAMI", test_message_delay: 1_000, message_count_per_driver: 86_401 },
    { test_type: "TSUNAMI", test_message_delay: 1_000, message_count_per_driver: 86_402 },
    { test_type: "AVALANCHE", message_count_per_driver: 864_000, target_throughput: 10 },
    { test_type: "AVALANCHE", message_count_per_driver: 864_001, target_throughput: 10 },
    { test_type: "TSUNAMI", test_message_delay: 3_600_000, message_count_per_driver: 25, target_throughput: 1_000 },
  ];
  test.each(bodies)("accepts a body exactly when every driver would run it: %o", (body) => {
    const api = parseTestRequest({ ...body, target_url }, { defaultTarget: target_url, allowTargets: ["127.0.0.1"] });
    const driver = planTest(TestConfigSchema.parse({ test_id: "t1", ...body, target_url }));
    expect(api.ok).toBe(driver.ok);
  });
});
