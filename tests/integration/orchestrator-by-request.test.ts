import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SseParser } from "../../src/cli/sse-parser.ts";
import type { TestSeries } from "../../src/orchestrator/series.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";
import { ScenarioDriver } from "../helpers/scenario-driver.ts";
import type { BusDriver } from "../helpers/bus-driver.ts";
import { getJson, postJson, startBusDrivers, startMemoryOrchestrator, stopBusDrivers, stopMemoryOrchestrator, type BusFleet, type MemoryNode } from "../helpers/memory-orchestrator.ts";
import { waitFor } from "../helpers/wait.ts";

const dir = mkdtempSync(join(tmpdir(), "orchestrator-by-request-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Node = MemoryNode;

const started: BusFleet<BusDriver>[] = [];

const startOrchestrator = (dbPath: string): Promise<Node> => startMemoryOrchestrator(dbPath);
const stopOrchestrator = stopMemoryOrchestrator;
const startDrivers = (node: Node, plans: [string, ScenarioDriver["plan"]][]) => startBusDrivers(node, started, (bus) => plans.map(([id, plan]) => new ScenarioDriver(id, bus, plan)));

afterEach(() => stopBusDrivers(started));

const post = postJson;
const byRequestShape = (view: TestView) =>
  Object.fromEntries(
    Object.entries(view.by_request ?? {}).map(([name, r]) => [
      name,
      { sent: r.counts.sent, completed: r.counts.completed, status_5xx: r.counts.status_5xx, bytes_sent: r.counts.bytes_sent, check_failed: r.check_failed, min: r.metrics?.min, max: r.metrics?.max, failure: r.first_check_failure?.startsWith("status 500 not in [201]") ?? null },
    ]),
  );

/** The test of the first event of an SSE stream (the `final` of an ended test). */
async function firstEvent(node: Node, path: string): Promise<TestView> {
  const response = await node.app.request(path);
  const reader = response.body!.getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${path} ended without an event`);
      const [event] = parser.push(new TextDecoder().decode(value));
      if (event) return (JSON.parse(event.data) as { test: TestView }).test;
    }
  } finally {
    await reader.cancel();
  }
}

describe("by_request through the orchestrator's API", () => {
  test("two drivers' per-request reports add up exactly in GET /tests/:id, the CSV report and after a restart", async () => {
    const dbPath = join(dir, "by-request.sqlite");
    const node = await startOrchestrator(dbPath);
    await startDrivers(node, [
      ["d1", { windows: 3, ping: 40, create: 10, failEvery: 5 }],
      ["d2", { windows: 2, ping: 30, create: 20, failEvery: 4 }],
    ]);
    const created = await post(node, "/tests", { test_type: "AVALANCHE", message_count_per_driver: 150, trigger: true });
    expect(created.status).toBe(201);
    const { test_id } = (await created.json()) as TestView;
    const done = await waitFor("the test to be done", async () => {
      const view = await getJson<TestView>(node, `/tests/${test_id}`);
      return view.state === "done" ? view : null;
    });
    // d1: 3 × (40 ping + 10 create, 2 failing); d2: 2 × (30 ping + 20 create, 5 failing).
    expect({ whole: { sent: done.metrics.counts.sent, check_failed: done.metrics.counts.check_failed, bytes_sent: done.metrics.counts.bytes_sent }, by_request: byRequestShape(done) }).toEqual({
      whole: { sent: 250, check_failed: 16, bytes_sent: 180 * 50 + 70 * 1000 },
      by_request: {
        ping: { sent: 180, completed: 180, status_5xx: 0, bytes_sent: 9_000, check_failed: 0, min: 10, max: 14, failure: null },
        create: { sent: 70, completed: 70, status_5xx: 16, bytes_sent: 70_000, check_failed: 16, min: 100, max: 104, failure: true },
      },
    });
    const csv = await (await node.app.request(`/tests/${test_id}/report?format=csv`)).text();
    expect(csv.split("\r\n").filter((l) => l.includes(",all,request:")).map((l) => l.split(",").slice(2, 5))).toEqual([
      ["request:ping", expect.any(String), "180"],
      ["request:create", expect.any(String), "70"],
    ]);
    expect((await firstEvent(node, `/tests/${test_id}/events`)).by_request).toEqual(done.by_request!);
    const create = await getJson<{ series: TestSeries }>(node, `/tests/${test_id}/report?format=json&request=create`);
    expect(create.series.points.reduce((sum, p) => sum + p.total.sent, 0)).toBe(70);
    expect((await node.app.request(`/tests/${test_id}/report?format=json&request=nope`)).status).toBe(404);
    await stopOrchestrator(node);

    const again = await startOrchestrator(dbPath);
    expect((await getJson<TestView>(again, `/tests/${test_id}`)).by_request).toEqual(done.by_request!);
    await stopOrchestrator(again);
  });

  test("a test interrupted by a restart keeps the per-request figures its reports carried (rebuilt from the stored reports)", async () => {
    const dbPath = join(dir, "interrupted.sqlite");
    const node = await startOrchestrator(dbPath);
    await startDrivers(node, [
      ["d1", { windows: 2, ping: 25, create: 5, failEvery: 5 }],
      ["silent", { windows: 0, ping: 0, create: 0, failEvery: 1, react: false }],
    ]);
    const { test_id } = (await (await post(node, "/tests", { test_type: "AVALANCHE", message_count_per_driver: 60, trigger: true })).json()) as TestView;
    const live = await waitFor("d1 to finish its part", async () => {
      const view = await getJson<TestView>(node, `/tests/${test_id}`);
      return view.metrics.drivers_final === 1 ? view : null;
    });
    expect(live.state).toBe("running");
    // A running test's SSE snapshot carries the same per-request figures.
    expect((await firstEvent(node, `/tests/${test_id}/events`)).by_request).toEqual(live.by_request!);
    expect(live.by_request!.create!.counts.sent).toBe(10);
    await stopOrchestrator(node);

    const again = await startOrchestrator(dbPath);
    const interrupted = await getJson<TestView>(again, `/tests/${test_id}`);
    expect({ state: interrupted.state, by_request: byRequestShape(interrupted) }).toEqual({
      state: "interrupted",
      by_request: {
        ping: { sent: 50, completed: 50, status_5xx: 0, bytes_sent: 2_500, check_failed: 0, min: 10, max: 14, failure: null },
        create: { sent: 10, completed: 10, status_5xx: 2, bytes_sent: 10_000, check_failed: 2, min: 100, max: 104, failure: true },
      },
    });
    await stopOrchestrator(again);
  });
});
