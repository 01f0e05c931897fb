import { afterEach, describe, expect, test } from "bun:test";
import { createApp } from "../../../../src/orchestrator/http/app.ts";
import type { TestView } from "../../../../src/orchestrator/snapshot.ts";
import { startHarness } from "../fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function setup(token?: string) {
  harness = await startHarness({ ids: ["t1"] });
  await harness.join("d1");
  const app = createApp(harness.orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"], token });
  const post = (path: string, body?: string, headers: Record<string, string> = {}) =>
    app.request(path, { method: "POST", ...(body !== undefined ? { body } : {}), headers: { "content-type": "application/json", ...headers } });
  return { app, post };
}

describe("POST /tests/:id/stop", () => {
  test("stops a running test with an empty body (grace 2 s) and answers its view; 409 once it has ended", async () => {
    const { post } = await setup();
    await post("/tests", JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 10, trigger: true }));
    const res = await post("/tests/t1/stop");
    expect(res.status).toBe(200);
    const view = (await res.json()) as TestView;
    expect(view).toMatchObject({ test_id: "t1", state: "running", stop: { reason: "stopped by the user", grace_ms: 2000, by: "user" } });

    await post("/tests", JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 10 }));
    const cancelled = await post("/tests/test-1/stop", JSON.stringify({ stop_grace_ms: 0, reason: "oops" }));
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ state: "stopped", stop: { reason: "oops", grace_ms: 0 } });
    const again = await post("/tests/test-1/stop");
    expect(again.status).toBe(409);
  });

  test("names every bad field with 422, answers 404 for an unknown test and 400 for bad JSON", async () => {
    const { post } = await setup();
    await post("/tests", JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 10, trigger: true }));
    const bad = await post("/tests/t1/stop", JSON.stringify({ stop_grace_ms: -3, reason: "", colour: "red" }));
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { issues: { path: string }[] }).issues.map((i) => i.path).sort()).toEqual(["(root)", "reason", "stop_grace_ms"]);
    expect((await post("/tests/t1/stop", "{not json")).status).toBe(400);
    expect((await post("/tests/nope/stop")).status).toBe(404);
    expect(harness!.orchestrator.getTest("t1")!.stop).toBeUndefined();
  });

  test("needs the token when one is set", async () => {
    const { post } = await setup("s3cret");
    const auth = { authorization: "Bearer s3cret" };
    await post("/tests", JSON.stringify({ test_type: "AVALANCHE", message_count_per_driver: 10, trigger: true }), auth);
    expect((await post("/tests/t1/stop")).status).toBe(401);
    expect(harness!.orchestrator.getTest("t1")!.stop).toBeUndefined();
    expect((await post("/tests/t1/stop", undefined, auth)).status).toBe(200);
  });
});
