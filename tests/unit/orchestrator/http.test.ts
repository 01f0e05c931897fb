import { afterEach, describe, expect, test } from "bun:test";
import { createApp, MAX_TEST_BODY_BYTES } from "../../../src/orchestrator/http/app.ts";
import { tokenMatches } from "../../../src/orchestrator/http/auth.ts";
import { startHarness } from "./fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const TARGET = "http://127.0.0.1:8080/ping";

async function setup(options: { token?: string; allowTargets?: string[]; drivers?: string[] } = {}) {
  harness = await startHarness({ ids: ["t1", "t2"] });
  for (const id of options.drivers ?? ["d1"]) await harness.join(id);
  const app = createApp(harness.orchestrator, { defaultTarget: TARGET, allowTargets: options.allowTargets ?? ["127.0.0.1"], token: options.token });
  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });
  return { app, post };
}

describe("POST /tests validation", () => {
  test("names every bad field at once with 422", async () => {
    const { post } = await setup();
    const res = await post("/tests", {
      test_type: "BLIZZARD",
      message_count_per_driver: -5,
      target_throughput: "fast",
      concurrency: 0,
      timeout_ms: 1.5,
      trigger: "maybe",
      colour: "red",
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: string; issues: { path: string }[] };
    expect(body.issues.map((i) => i.path).sort()).toEqual(["colour", "concurrency", "message_count_per_driver", "target_throughput", "test_type", "timeout_ms", "trigger"]);
    expect(body.error).toStartWith("invalid test:");
  });

  test("requires a positive delay for TSUNAMI, together with the other bad fields", async () => {
    const { post } = await setup();
    const res = await post("/tests", { test_type: "TSUNAMI", message_count_per_driver: 0 });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { issues: unknown[] }).issues).toEqual([
      { path: "message_count_per_driver", message: "must be at least 1" },
      { path: "test_message_delay", message: "a TSUNAMI test needs a positive delay of at least 0.001 ms, none given" },
    ]);
  });

  test("refuses with 422 what every driver would reject: a sub-microsecond delay, a schedule longer than a day", async () => {
    const { post } = await setup();
    const refused = async (body: Record<string, unknown>) => {
      const res = await post("/tests", body);
      return [res.status, ((await res.json()) as { issues: { path: string; message: string }[] }).issues];
    };
    expect(await refused({ test_type: "TSUNAMI", test_message_delay: 0.0001, message_count_per_driver: 10 })).toEqual([
      422,
      [{ path: "test_message_delay", message: "a TSUNAMI test needs a positive delay of at least 0.001 ms, got 0.0001" }],
    ]);
    expect(await refused({ test_type: "TSUNAMI", test_message_delay: 1_000, message_count_per_driver: 100_000 })).toEqual([
      422,
      [{ path: "test_message_delay", message: "100000 sends 1000 ms apart take 27.8 h; the longest test is 24.0 h" }],
    ]);
    expect(await refused({ test_type: "AVALANCHE", message_count_per_driver: 1_000_000, target_throughput: 10 })).toEqual([
      422,
      [{ path: "target_throughput", message: "1000000 requests at 10/s take 27.8 h; the longest test is 24.0 h" }],
    ]);
  });

  test("refuses a URL that is not http or https", async () => {
    const { post } = await setup();
    const res = await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 1, target_url: "file:///etc/passwd" });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: 'invalid test: target_url: scheme "file" is not allowed: use http or https',
      issues: [{ path: "target_url", message: 'scheme "file" is not allowed: use http or https' }],
    });
  });

  test("refuses a target outside the allowlist and names the allowed hosts", async () => {
    const { post } = await setup({ allowTargets: ["127.0.0.1", "target.internal:8080"] });
    const outside = await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 1, target_url: "https://example.com/" });
    expect(outside.status).toBe(422);
    const { issues } = (await outside.json()) as { issues: { path: string; message: string }[] };
    expect(issues).toEqual([{ path: "target_url", message: expect.stringContaining("target example.com is not allowed; allowed: 127.0.0.1, target.internal:8080") }]);
    const wrongPort = await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 1, target_url: "http://target.internal:9090/" });
    expect(wrongPort.status).toBe(422);
    const allowed = await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 1, target_url: "http://target.internal:8080/ping" });
    expect(allowed.status).toBe(201);
  });

  test("answers 4xx, never 5xx, to malformed bodies", async () => {
    const { app, post } = await setup();
    const cases: [unknown, number][] = [["{nope", 400], ["", 400], ["null", 422], ["[1,2]", 422], ['"text"', 422], ["42", 422]];
    for (const [body, status] of cases) {
      const res = await post("/tests", body);
      expect({ body, status: res.status }).toEqual({ body, status });
      expect(((await res.json()) as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    }
    const huge = await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 1, pad: "x".repeat(MAX_TEST_BODY_BYTES + 1) });
    expect(huge.status).toBe(413);
    expect((await app.request("/tests?limit=0")).status).toBe(422);
    expect((await app.request("/tests/%20bad%20id")).status).toBe(404);
    expect((await app.request("/nowhere")).status).toBe(404);
  });

  test("accepts numbers as strings, as in the brief, and fills the default target", async () => {
    const { post } = await setup();
    const res = await post("/tests", { test_type: "tsunami", test_message_delay: "250", message_count_per_driver: "1000" });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      test_id: "t1",
      state: "created",
      drivers: ["d1"],
      config: { test_type: "TSUNAMI", test_message_delay: 250, message_count_per_driver: 1000, target_url: TARGET, drivers: ["d1"] },
    });
  });
});

describe("REST lifecycle", () => {
  test("creates, triggers, shows and lists tests; 404 for unknown ids, 409 for a second trigger", async () => {
    const { app, post } = await setup({ drivers: ["d1", "d2"] });
    expect((await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 10 })).status).toBe(201);
    const triggered = await post("/tests/t1/trigger");
    expect(triggered.status).toBe(200);
    expect(await triggered.json()).toMatchObject({ state: "running", start_at: expect.any(Number) });
    expect((await post("/tests/t1/trigger")).status).toBe(409);
    expect((await post("/tests/nope/trigger")).status).toBe(404);
    expect((await app.request("/tests/nope")).status).toBe(404);
    expect(await (await app.request("/tests/t1")).json()).toMatchObject({ test_id: "t1", state: "running", per_driver: [{ node_id: "d1" }, { node_id: "d2" }] });
    const busy = await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 10, trigger: true });
    expect(busy.status).toBe(409);
    expect(await (await app.request("/tests?limit=1")).json()).toMatchObject({ tests: [{ test_id: "t1", state: "running" }], total: 1, limit: 1, offset: 0 });
    expect(await (await app.request("/nodes")).json()).toMatchObject({ nodes: [{ node_id: "d1", status: "alive" }, { node_id: "d2", status: "alive" }] });
  });

  test("a created, never triggered test blocks nothing; a trigger while another test runs is a 409 naming it", async () => {
    const { post } = await setup();
    expect((await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 10 })).status).toBe(201);
    const second = await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 10, trigger: true });
    expect(second.status).toBe(201);
    expect(await second.json()).toMatchObject({ test_id: "t2", state: "running" });
    const refused = await post("/tests/t1/trigger");
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: "test t2 is still running; trigger this one when it ends", issues: [] });
    const busy = await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 10, trigger: true });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toEqual({ error: 'test t2 is still running; create this one without "trigger" or wait', issues: [] });
  });

  test("answers 409 with a clear error when no driver is alive", async () => {
    const { post } = await setup({ drivers: [] });
    const res = await post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 10 });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: "no alive drivers: start a driver (or wait for its heartbeat) and try again", issues: [] });
  });
});

describe("bearer token", () => {
  test("guards mutating endpoints and leaves reads open", async () => {
    const { app, post } = await setup({ token: "s3cret-token" });
    const body = { test_type: "AVALANCHE", message_count_per_driver: 10 };
    const missing = await post("/tests", body);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    expect((await post("/tests", body, { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await post("/tests", body, { authorization: "Basic s3cret-token" })).status).toBe(401);
    expect((await post("/tests", body, { authorization: "Bearer s3cret-token" })).status).toBe(201);
    expect((await post("/tests/t1/trigger")).status).toBe(401);
    expect((await app.request("/tests/t1")).status).toBe(200);
    const nodes = await (await app.request("/nodes")).text();
    expect(nodes).not.toContain("s3cret-token");
  });

  test("every refusal is the same 401 with the API's error body, on the stop and node-delete routes too", async () => {
    const { app, post } = await setup({ token: "s3cret-token" });
    const refusal = { error: "a valid bearer token is required (Authorization: Bearer <ORCHESTRATOR_TOKEN>)", issues: [] };
    const requests = [
      () => post("/tests/t1/stop", {}),
      () => post("/tests/t1/stop", {}, { authorization: "Bearer s3cret-token!" }),
      () => post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 10 }, { authorization: "Bearer" }),
      () => app.request("/nodes/d1", { method: "DELETE" }),
      () => app.request("/nodes/d1", { method: "DELETE", headers: { authorization: "Bearer s3cret-tokeN" } }),
    ];
    for (const request of requests) {
      const res = await request();
      expect({ status: res.status, challenge: res.headers.get("www-authenticate"), body: await res.json() }).toEqual({ status: 401, challenge: 'Bearer realm="orchestrator"', body: refusal });
    }
    expect((await app.request("/nodes?limit=10")).status).toBe(200);
    expect((await app.request("/nodes/d1", { method: "DELETE", headers: { authorization: "bearer s3cret-token" } })).status).toBe(200);
  });

  test("compares tokens of any length without throwing", () => {
    expect(tokenMatches("abc", "abc")).toBe(true);
    expect(tokenMatches("abc", "abcd")).toBe(false);
    expect(tokenMatches("", "abc")).toBe(false);
  });
});
