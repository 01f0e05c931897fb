import { afterEach, describe, expect, test } from "bun:test";
import { createApp } from "../../../../src/orchestrator/http/app.ts";
import type { TestView } from "../../../../src/orchestrator/snapshot.ts";
import { startHarness } from "../fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const DATA = Array.from({ length: 500 }, (_, i) => ({ id: `user-${i}`, pad: "x".repeat(200) }));

async function setup() {
  harness = await startHarness({ ids: ["t1"] });
  await harness.join("d1");
  const app = createApp(harness.orchestrator, { defaultTarget: "http://127.0.0.1:8080/ping", allowTargets: ["127.0.0.1"] });
  const body = { test_type: "AVALANCHE", message_count_per_driver: 10, requests: [{ url: "/items/${data.id}" }], data: DATA, trigger: true };
  const created = await app.request("/tests", { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  expect(created.status).toBe(201);
  return { app, created: (await created.json()) as TestView };
}

describe("a test's data rows in its views", () => {
  test("views carry data_rows instead of the rows: the create answer, GET /tests/:id, the live snapshots and the list", async () => {
    const { app, created } = await setup();
    const view = (await (await app.request("/tests/t1")).json()) as TestView & { config: Record<string, unknown> };
    for (const v of [created, view, ...harness!.orchestrator.snapshots()]) {
      expect(v.config).not.toHaveProperty("data");
      expect(v.config).toMatchObject({ test_id: "t1", data_rows: 500, requests: [{ url: "/items/${data.id}" }] });
    }
    expect(JSON.stringify(view).length).toBeLessThan(JSON.stringify(DATA).length / 10);
    const list = await (await app.request("/tests")).text();
    expect(list).not.toContain("user-1");
  });

  test("GET /tests/:id/config answers the whole configuration with its rows; 404 for an unknown test", async () => {
    const { app } = await setup();
    const res = await app.request("/tests/t1/config");
    expect(res.status).toBe(200);
    const config = (await res.json()) as { data?: unknown[]; data_rows?: number; test_id: string };
    expect(config.test_id).toBe("t1");
    expect(config.data).toEqual(DATA);
    expect(config.data_rows).toBeUndefined();
    expect((await app.request("/tests/nope/config")).status).toBe(404);
  });
});
