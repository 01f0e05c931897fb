import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryBroker, MemoryBus } from "../../src/bus/index.ts";
import type { TestView } from "../../src/orchestrator/snapshot.ts";
import type { TestSummary } from "../../src/orchestrator/test-summary.ts";
import { TestStats } from "../../src/driver/test-stats.ts";
import { BusDriver } from "../helpers/bus-driver.ts";
import { getJson, postJson, startBusDrivers, startMemoryOrchestrator, stopBusDrivers, stopMemoryOrchestrator, type BusFleet, type MemoryNode } from "../helpers/memory-orchestrator.ts";
import { waitFor } from "../helpers/wait.ts";

const dir = mkdtempSync(join(tmpdir(), "orchestrator-it-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A driver made of test code: registers, beats every 100 ms, accepts every configuration
 * and, when triggered, reports `windows` windows of `perWindow` latencies (the last one final).
 */
class FakeDriver extends BusDriver {
  constructor(
    nodeId: string,
    bus: MemoryBus,
    readonly plan: { windows: number; perWindow: number; baseMs: number; react?: boolean },
  ) {
    super(nodeId, bus, plan.react !== false);
  }

  /** Sends its windows' reports as a driver does: built by the driver's own TestStats. */
  protected async run(testId: string): Promise<void> {
    const stats = new TestStats({ nodeId: this.nodeId, testId, paced: false, startedAtMs: Date.now(), epochOffsetMs: Date.now() - performance.now() });
    for (let sequence = 0; sequence < this.plan.windows; sequence++) {
      for (let i = 0; i < this.plan.perWindow; i++) {
        stats.onSend(performance.now(), NaN);
        stats.onOutcome("status_2xx", this.plan.baseMs + (i % 10), NaN);
      }
      await this.bus.publish("metrics", stats.report(Date.now(), sequence === this.plan.windows - 1));
    }
  }

}

type Node = MemoryNode;

const started: BusFleet<BusDriver>[] = [];

const startOrchestrator = startMemoryOrchestrator;
const stopOrchestrator = stopMemoryOrchestrator;
const startDrivers = (broker: MemoryBroker, node: Node, plans: [string, FakeDriver["plan"]][]) =>
  startBusDrivers(node, started, (bus) => plans.map(([id, plan]) => new FakeDriver(id, bus, plan)), broker);

afterEach(() => stopBusDrivers(started));

const post = postJson;

describe("orchestrator over a MemoryBus with fake drivers", () => {
  test("runs a test from POST to done with exact totals across drivers", async () => {
    const node = await startOrchestrator(join(dir, "done.sqlite"));
    await startDrivers(node.broker, node, [
      ["d1", { windows: 3, perWindow: 400, baseMs: 10 }],
      ["d2", { windows: 5, perWindow: 100, baseMs: 100 }],
    ]);
    const created = await post(node, "/tests", { test_type: "AVALANCHE", message_count_per_driver: "1200", trigger: true });
    expect(created.status).toBe(201);
    const { test_id } = (await created.json()) as TestView;

    const done = await waitFor("the test to be done", async () => {
      const view = await getJson<TestView>(node, `/tests/${test_id}`);
      return view.state === "done" ? view : null;
    });
    expect(done.metrics.counts).toEqual({ sent: 1700, completed: 1700, status_2xx: 1700, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0 });
    expect(done.metrics.drivers_final).toBe(2);
    expect(done.per_driver.map((d) => [d.node_id, d.outcome, d.counts.sent, d.reports, d.accepted_at !== null])).toEqual([
      ["d1", "final", 1200, 3, true],
      ["d2", "final", 500, 5, true],
    ]);
    // Exact: 1200 latencies of 10..19 and 500 of 100..109, each digit equally often.
    expect(done.metrics.latency).toMatchObject({ min_latency: 10, max_latency: 109, mean_latency: round3((1200 * 14.5 + 500 * 104.5) / 1700) });
    expect(done.metrics.latency!.median_latency).toBeLessThan(20);
    expect(done.duration_ms).toBeGreaterThanOrEqual(0);
    await stopOrchestrator(node);
  });

  test("a restarted orchestrator on the same database lists past results and marks a running test interrupted", async () => {
    const dbPath = join(dir, "restart.sqlite");
    const first = await startOrchestrator(dbPath);
    await startDrivers(first.broker, first, [["d1", { windows: 2, perWindow: 50, baseMs: 5 }]]);
    const finished = ((await (await post(first, "/tests", { test_type: "AVALANCHE", message_count_per_driver: 100, trigger: true })).json()) as TestView).test_id;
    const before = await waitFor("the first test to be done", async () => {
      const view = await getJson<TestView>(first, `/tests/${finished}`);
      return view.state === "done" ? view : null;
    });
    // A second driver that never answers keeps the next test running.
    await startDrivers(first.broker, first, [["silent", { windows: 0, perWindow: 0, baseMs: 0, react: false }]]);
    const runningRes = await post(first, "/tests", { test_type: "TSUNAMI", test_message_delay: 5, message_count_per_driver: 100, trigger: true });
    expect(runningRes.status).toBe(201);
    const running = ((await runningRes.json()) as TestView).test_id;
    await waitFor("d1 to finish its part", async () => (await getJson<TestView>(first, `/tests/${running}`)).metrics.drivers_final === 1);
    expect((await getJson<TestView>(first, `/tests/${running}`)).state).toBe("running");
    await stopOrchestrator(first);

    const second = await startOrchestrator(dbPath);
    const list = await getJson<{ tests: TestSummary[]; total: number }>(second, "/tests");
    expect(list.total).toBe(2);
    expect(list.tests.map((t) => [t.test_id, t.state])).toEqual([
      [running, "interrupted"],
      [finished, "done"],
    ]);
    const after = await getJson<TestView>(second, `/tests/${finished}`);
    expect(after).toEqual(before);
    const interrupted = await getJson<TestView>(second, `/tests/${running}`);
    expect(interrupted).toMatchObject({ state: "interrupted", error: "the orchestrator stopped while the test was running" });
    expect(interrupted.metrics.counts.sent).toBe(100);
    expect((await post(second, `/tests/${running}/trigger`)).status).toBe(409);
    const { nodes } = await getJson<{ nodes: { node_id: string; status: string; history: { event: string }[] }[] }>(second, "/nodes");
    expect(nodes.map((n) => [n.node_id, n.status])).toEqual([
      ["d1", "dead"],
      ["silent", "dead"],
    ]);
    await stopOrchestrator(second);
  });
});

const round3 = (x: number) => Math.round(x * 1000) / 1000;
