import { describe, expect, test } from "bun:test";
import type { TestConfig } from "../../../src/protocol/index.ts";
import { checkEdgePolicy, parseAllowTargets } from "../../../src/security/edge-policy.ts";

const config = (fields: Partial<TestConfig> = {}): TestConfig => ({
  test_id: "t1", test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", ...fields,
});
const paths = (c: TestConfig, policy: Parameters<typeof checkEdgePolicy>[1]) => checkEdgePolicy(c, policy).map((i) => i.path);

describe("edge policy", () => {
  test("parses the orchestrator's --allow-target syntax and names a bad entry", () => {
    expect(parseAllowTargets("127.0.0.1, target.internal:8080,*")).toEqual(["127.0.0.1", "target.internal:8080", "*"]);
    expect(() => parseAllowTargets("127.0.0.1,http://x")).toThrow('--allow-target: "http://x" is not host[:port] or *');
    expect(() => parseAllowTargets(" , ")).toThrow("at least one");
  });

  test("refuses a target outside --allow-target, naming the rule and the host", () => {
    const issues = checkEdgePolicy(config({ target_url: "http://10.1.2.3:9000/x" }), { allowTargets: ["127.0.0.1"] });
    expect(issues).toEqual([{ path: "target_url", message: "target 10.1.2.3:9000 is outside this driver's --allow-target (127.0.0.1)" }]);
    expect(paths(config(), { allowTargets: ["127.0.0.1:8080"] })).toEqual([]);
    expect(paths(config(), { allowTargets: ["127.0.0.1:9090"] })).toEqual(["target_url"]);
  });

  test("judges the rate a test asks of one driver: TSUNAMI delay, target_throughput, or unlimited", () => {
    expect(paths(config({ test_message_delay: 10 }), { maxRps: 100 })).toEqual([]);
    expect(paths(config({ test_message_delay: 5 }), { maxRps: 100 })).toEqual(["target_throughput"]);
    expect(paths(config({ test_message_delay: 5, target_throughput: 50 }), { maxRps: 100 })).toEqual([]);
    expect(checkEdgePolicy(config({ test_type: "AVALANCHE", test_message_delay: 0 }), { maxRps: 100 })[0]?.message).toBe(
      "the test asks an unlimited rate (no target_throughput) of each driver, above this driver's --max-rps 100",
    );
  });

  test("judges a ramp by its peak (stages win over the delay), under target_throughput when set", () => {
    const stages = [{ duration_s: 5, target_throughput: 80 }, { duration_s: 5, target_throughput: 150 }, { duration_s: 5, target_throughput: 0 }];
    expect(paths(config({ stages }), { maxRps: 100 })).toEqual(["stages"]);
    expect(paths(config({ stages: stages.slice(0, 1), test_message_delay: 1 }), { maxRps: 100 })).toEqual([]);
    expect(paths(config({ stages: stages.slice(0, 1), start_throughput: 120 }), { maxRps: 100 })).toEqual(["stages"]);
    expect(paths(config({ stages, target_throughput: 100 }), { maxRps: 100 })).toEqual([]);
  });

  test("judges concurrency with the driver's defaults when the test names none", () => {
    expect(paths(config({ test_type: "AVALANCHE", test_message_delay: 0 }), { maxConcurrency: 64 })).toEqual([]);
    expect(paths(config({ test_type: "AVALANCHE", concurrency: 65 }), { maxConcurrency: 64 })).toEqual(["concurrency"]);
    expect(paths(config({ message_count_per_driver: 2000 }), { maxConcurrency: 64 })).toEqual(["concurrency"]);
  });

  test("an empty policy allows everything", () => {
    expect(checkEdgePolicy(config({ test_type: "AVALANCHE", test_message_delay: 0, concurrency: 60_000 }), {})).toEqual([]);
  });

  test("refuses a scenario request URL outside --allow-target; paths go to target_url and pass with it", () => {
    const scenario = config({ requests: [{ url: "/items" }, { url: "http://127.0.0.1:8080/a" }, { url: "http://10.9.9.9/b" }] });
    expect(checkEdgePolicy(scenario, { allowTargets: ["127.0.0.1"] })).toEqual([
      { path: "requests.2.url", message: "target 10.9.9.9 is outside this driver's --allow-target (127.0.0.1)" },
    ]);
    expect(checkEdgePolicy(scenario, { allowTargets: ["127.0.0.1", "10.9.9.9:80"] })).toEqual([]);
  });

  test("a ramp asks its highest rate of --max-rps", () => {
    const ramp = config({ test_type: "AVALANCHE", test_message_delay: 0, stages: [{ duration_s: 5, target_throughput: 80 }, { duration_s: 5, target_throughput: 0 }] });
    expect(paths(ramp, { maxRps: 100 })).toEqual([]);
    expect(paths({ ...ramp, start_throughput: 150 }, { maxRps: 100 })).toEqual(["stages"]);
  });
});
