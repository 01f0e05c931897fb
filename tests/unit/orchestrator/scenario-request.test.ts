import { afterEach, describe, expect, test } from "bun:test";
import { createApp } from "../../../src/orchestrator/http/app.ts";
import { MAX_SCENARIO_BYTES } from "../../../src/orchestrator/scenario-request.ts";
import { parseTestRequest } from "../../../src/orchestrator/test-request.ts";
import { MAX_COUNT_PER_DRIVER, type TestConfig } from "../../../src/protocol/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { startHarness } from "./fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const OPTIONS = { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] };

async function setup() {
  harness = await startHarness({ ids: ["t1", "t2"] });
  await harness.join("d1");
  const configs: TestConfig[] = [];
  await harness.drivers.subscribe("test_config", { mode: { kind: "broadcast" } }, (m) => void configs.push(m));
  const app = createApp(harness.orchestrator, OPTIONS);
  const post = (body: unknown) => app.request("/tests", { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  return { post, configs };
}

type Answer = { error: string; issues: { path: string; message: string }[] };

describe("POST /tests with a scenario", () => {
  test("answers 422 naming each bad field: zero weight, unknown method, body over 1 MiB, unknown template, URL outside --allow-target, stages of 0 s", async () => {
    const { post } = await setup();
    const res = await post({
      test_type: "AVALANCHE",
      requests: [
        { url: "/a", weight: 0 },
        { url: "/b", method: "TRACE" },
        { url: "/c", method: "POST", body: "x".repeat(1024 * 1024 + 1) },
        { url: "/d", method: "POST", body: { id: "${foo}" } },
        { url: "http://10.1.2.3:8080/e" },
      ],
      stages: [{ duration_s: 0, target_throughput: 100 }],
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as Answer;
    expect(body.issues).toEqual([
      { path: "requests.0.weight", message: "must be at least 1" },
      { path: "requests.1.method", message: "must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" },
      { path: "requests.2.body", message: "must be at most 1048576 bytes (1 MiB) as sent" },
      { path: "requests.3.body", message: "unknown template ${foo}" },
      { path: "stages", message: "the stages last 0 s in all; give at least one a positive duration_s" },
    ]);
    // The allow-target rule judges the requests once they are valid on their own.
    const outside = await post({ test_type: "AVALANCHE", duration_s: 10, requests: [{ url: "/a" }, { url: "http://10.1.2.3:8080/e" }] });
    expect(outside.status).toBe(422);
    expect(((await outside.json()) as Answer).issues).toEqual([
      { path: "requests.1.url", message: "target 10.1.2.3:8080 is not allowed; allowed: 127.0.0.1 (start the orchestrator with --allow-target)" },
    ]);
  });

  test("takes a scenario without a count when duration_s or stages ends it, and publishes every field with the count at its maximum", async () => {
    const { post, configs } = await setup();
    const scenario = {
      requests: [
        { name: "ping", url: "/ping", weight: 3 },
        { name: "create", method: "post", url: "http://127.0.0.1:8080/items", headers: { authorization: "Bearer ${env:API_TOKEN}" }, body: { id: "${node_id}-${seq}" } },
      ],
      data: [{ id: 1 }],
      checks: { status: [200, 201] },
      stages: [{ duration_s: 5, target_throughput: 200 }, { duration_s: 5, target_throughput: 0 }],
      start_throughput: 10,
      tls_insecure: false,
    };
    const res = await post({ test_type: "AVALANCHE", ...scenario });
    expect(res.status).toBe(201);
    const config = await waitFor("the configuration on the bus", () => configs.find((c) => c.test_id === "t1"));
    expect(config).toMatchObject({
      ...scenario,
      requests: [scenario.requests[0], { ...scenario.requests[1], method: "POST" }],
      message_count_per_driver: MAX_COUNT_PER_DRIVER,
      target_url: OPTIONS.defaultTarget,
    });
  });

  test("still requires a count when nothing else ends the test", async () => {
    const { post } = await setup();
    const res = await post({ test_type: "AVALANCHE", requests: [{ url: "/ping" }] });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Answer).issues).toEqual([{ path: "message_count_per_driver", message: "required unless duration_s or stages ends the test" }]);
  });
});

describe("parseTestRequest: what the bus carries", () => {
  test("refuses requests and data larger than one test_config message, naming the larger field", () => {
    const body = "x".repeat(1_000_000);
    const requests = Array.from({ length: 8 }, (_, i) => ({ url: `/r${i}`, method: "POST", body }));
    const result = parseTestRequest({ test_type: "AVALANCHE", message_count_per_driver: 1, requests }, OPTIONS);
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.map((i) => i.path)).toEqual(["requests"]);
    expect(issues[0]!.message).toEndWith(`a test configuration carries at most ${MAX_SCENARIO_BYTES} of them over Kafka`);
  });

  test("takes 4 MiB of data with a few requests", () => {
    const data = Array.from({ length: 10_000 }, (_, i) => ({ id: i, pad: "y".repeat(380) }));
    const result = parseTestRequest({ test_type: "AVALANCHE", message_count_per_driver: 1, requests: [{ url: "/u/${data.id}" }], data }, OPTIONS);
    expect(result.ok).toBe(true);
  });
});
