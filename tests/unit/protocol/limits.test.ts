import { describe, expect, test } from "bun:test";
import { planTest } from "../../../src/driver/run-plan.ts";
import { parseTestRequest, TestRequestSchema } from "../../../src/orchestrator/test-request.ts";
import { checkRunnable, MAX_TEST_DURATION_MS, TargetUrlSchema, TestConfigSchema, TestParametersSchema } from "../../../src/protocol/index.ts";

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

describe("one target URL rule for the API, the CLI and the driver", () => {
  const urls = ["http://127.0.0.1:8080/ping", "https://127.0.0.1/", "ftp://127.0.0.1/", "file:///etc/passwd", "http://u:p@127.0.0.1/", "not a url", "//127.0.0.1/"];
  test.each(urls)("the API refuses %p exactly when the driver rejects it, with the same messages", (url) => {
    const api = parseTestRequest({ test_type: "AVALANCHE", message_count_per_driver: 1, target_url: url }, { defaultTarget: target_url, allowTargets: ["*"] });
    const driver = planTest(TestConfigSchema.parse({ test_id: "t1", test_type: "AVALANCHE", message_count_per_driver: 1, target_url: url }));
    const apiIssues = api.ok ? [] : api.issues;
    const driverIssues = driver.ok ? [] : driver.issues;
    expect(apiIssues).toEqual(driverIssues);
    expect(TargetUrlSchema.safeParse(url).success).toBe(driver.ok);
  });
});

describe("the POST /tests body and the wire configuration share one field list", () => {
  test("every test parameter is a field of both, and the body adds only the API's own", () => {
    const params = Object.keys(TestParametersSchema.shape);
    const body = Object.keys(TestRequestSchema.shape);
    const wire = Object.keys(TestConfigSchema.shape);
    expect(params.filter((k) => !body.includes(k) || !wire.includes(k))).toEqual([]);
    expect(body.filter((k) => !params.includes(k)).sort()).toEqual(["abort_delay_s", "abort_on", "abort_window_s", "trigger"]);
  });

  test("a missing or empty delay is 0 on the wire and absent in the body", () => {
    const wire = TestConfigSchema.parse({ test_id: "t1", test_type: "AVALANCHE", message_count_per_driver: 1, test_message_delay: "" });
    const body = TestRequestSchema.parse({ test_type: "AVALANCHE", message_count_per_driver: 1, test_message_delay: "" });
    expect([wire.test_message_delay, body.test_message_delay]).toEqual([0, undefined]);
  });
});
