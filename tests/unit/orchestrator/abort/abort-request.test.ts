import { afterEach, describe, expect, test } from "bun:test";
import { createApp } from "../../../../src/orchestrator/http/app.ts";
import type { TestView } from "../../../../src/orchestrator/snapshot.ts";
import { createMemoryStore } from "../../../../src/orchestrator/store.ts";
import { startHarness } from "../fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const TARGET = "http://127.0.0.1:8080/ping";
const BASE = { test_type: "AVALANCHE", message_count_per_driver: 10 };

async function setup(store = createMemoryStore()) {
  harness = await startHarness({ ids: ["t1", "t2"], store });
  await harness.join("d1");
  const app = createApp(harness.orchestrator, { defaultTarget: TARGET, allowTargets: ["127.0.0.1"] });
  const post = async (body: unknown) => {
    const res = await app.request("/tests", { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    return { status: res.status, body: (await res.json()) as { error?: string; issues?: { path: string; message: string }[] } & Partial<TestView> };
  };
  return { app, post };
}

describe("abort_on in POST /tests", () => {
  test("a bad threshold is a 422 naming the entry and what is accepted", async () => {
    const { post } = await setup();
    const res = await post({ ...BASE, abort_on: ["errors>5%", "p99<>2", "p98>1", "rps>5ms"] });
    expect(res.status).toBe(422);
    expect(res.body.issues).toEqual([
      { path: "abort_on.1", message: expect.stringContaining('"p99<>2": expected <metric><op><value>') },
      { path: "abort_on.2", message: expect.stringContaining('"p98>1": unknown metric "p98"') },
      { path: "abort_on.3", message: '"rps>5ms": rps is not a time; drop "ms"' },
    ]);
    expect(res.body.error).toContain("abort_on.1:");
  });

  test("names a bad window, delay, shape, and a window or delay without thresholds", async () => {
    const { post } = await setup();
    const paths = async (body: Record<string, unknown>) => ((await post({ ...BASE, ...body })).body.issues ?? []).map((i) => i.path);
    expect(await paths({ abort_on: ["errors>5%"], abort_window_s: 0, abort_delay_s: -1 })).toEqual(["abort_window_s", "abort_delay_s"]);
    expect(await paths({ abort_on: ["errors>5%"], abort_window_s: 301 })).toEqual(["abort_window_s"]);
    expect(await paths({ abort_on: "errors>5%" })).toEqual(["abort_on"]);
    expect(await paths({ abort_on: [] })).toEqual(["abort_on"]);
    expect(await paths({ abort_on: Array(17).fill("errors>5%") })).toEqual(["abort_on"]);
    expect(await paths({ abort_window_s: 5, abort_delay_s: 1 })).toEqual(["abort_window_s", "abort_delay_s"]);
  });

  test("is kept on the test with its defaults, not published to the drivers, and survives a restart", async () => {
    const store = createMemoryStore();
    const { post } = await setup(store);
    const created = await post({ ...BASE, abort_on: [" errors>5% ", "p99>2000"], abort_delay_s: "3" });
    expect(created.status).toBe(201);
    expect(created.body.abort).toEqual({ abort_on: ["errors>5%", "p99>2000"], abort_window_s: 5, abort_delay_s: 3 });
    expect(Object.keys(created.body.config!).filter((k) => k.startsWith("abort"))).toEqual([]);
    await harness!.stop();
    const again = await setup(store);
    const res = await again.app.request("/tests/t1");
    const view = (await res.json()) as TestView;
    expect({ state: view.state, abort: view.abort }).toEqual({ state: "interrupted", abort: { abort_on: ["errors>5%", "p99>2000"], abort_window_s: 5, abort_delay_s: 3 } });
  });

  test("without a window or a delay, judges over 5 s after 10 s", async () => {
    const { post } = await setup();
    const created = await post({ ...BASE, abort_on: ["errors>5%"] });
    expect({ status: created.status, abort: created.body.abort }).toEqual({ status: 201, abort: { abort_on: ["errors>5%"], abort_window_s: 5, abort_delay_s: 10 } });
  });

  test("a test without abort_on has no abort rule", async () => {
    const { post } = await setup();
    const created = await post(BASE);
    expect(created.status).toBe(201);
    expect(created.body.abort).toBeUndefined();
  });
});
