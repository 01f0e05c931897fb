import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet } from "../helpers/fleet.ts";
import { api } from "../helpers/http.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitFor } from "../helpers/wait.ts";
import { plannedRateAt } from "../../src/orchestrator/planned-rate.ts";

// Starts processes and talks to the real broker: the 5 s default is too short for a cold JVM.
setDefaultTimeout(120_000);

/** How far a clock-offset estimate on one host may be off (send times are converted with it). */
const CLOCK_ESTIMATE_MS = 2;

// Issue 11, section 2, end to end: the target, the orchestrator and two drivers over the real
// broker run a ramping arrival rate and a duration-bound AVALANCHE, driven through the REST API.

let fleet: Fleet;
let orchestrator: ReturnType<typeof api>;
let targetUrl: string;

async function aliveNodes(): Promise<string[]> {
  const res = await orchestrator.get("/nodes");
  return res.body.nodes.filter((n: any) => n.status === "alive").map((n: any) => n.node_id).sort();
}

async function targetPings(): Promise<number> {
  const res = await fetch(`${targetUrl}/metrics?format=json`);
  return ((await res.json()) as { ping: { responses: number } }).ping.responses;
}

/** Creates and triggers a test in one call, then waits for it to end; returns its report (view and series). */
async function runTest(body: Record<string, unknown>): Promise<{ test: any; series: any }> {
  const created = await orchestrator.post("/tests", { ...body, trigger: true });
  expect(created.status).toBe(201);
  const id = created.body.test_id as string;
  await waitFor(
    `test ${id} to end`,
    async () => ["done", "partial", "failed", "interrupted", "stopped"].includes((await orchestrator.get(`/tests/${id}`)).body.state),
    { timeoutMs: 90_000, intervalMs: 100 },
  );
  return (await orchestrator.get(`/tests/${id}/report?format=json`)).body;
}

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("ramp") });
  const target = await fleet.target("target");
  targetUrl = target.url;
  const orch = await fleet.orchestrator("orchestrator", ["--target", `${targetUrl}/ping`, "--allow-target", "127.0.0.1"]);
  orchestrator = api(orch.url);
  fleet.driver("driver-a");
  fleet.driver("driver-b", ["--http-client", "fetch"]);
  await waitFor("both drivers alive", async () => (await aliveNodes()).join() === "driver-a,driver-b", { timeoutMs: 60_000 });
});

afterAll(async () => {
  await fleet?.stop();
});

describe("ramping rates and durations over Kafka", () => {
  test("a ramp [5 s → 200/s, 5 s → 0] per driver: each second's sends within ±2% or ±3 of the ramp, 1,000 per driver in all", async () => {
    const before = await targetPings();
    const stages = [
      { duration_s: 5, target_throughput: 200 },
      { duration_s: 5, target_throughput: 0 },
    ];
    const { test: view, series } = await runTest({ test_type: "AVALANCHE", message_count_per_driver: 100_000, stages });
    expect(view.state).toBe("done");
    // The integral of the ramp is 1,000 per driver; the stages pacer sends ⌈integral⌉.
    for (const driver of view.per_driver) expect(driver.counts).toMatchObject({ sent: 1_000, completed: 1_000, status_2xx: 1_000 });
    expect((await targetPings()) - before).toBe(2_000);
    // The planned rate the dashboard draws: the fleet's line, 2 drivers × the ramp.
    expect(view.planned_rps).toEqual([[0, 0], [5, 400], [10, 0]]);
    // Per second from the orchestrator's series (each driver's 1 s report windows), against the
    // ramp's integral over that second: 20, 60, ..., 180, 180, ..., 20 per driver.
    const points = series.points as { t_s: number; drivers: Record<string, { sent: number }> }[];
    for (const nodeId of ["driver-a", "driver-b"]) {
      const got = Array.from({ length: 10 }, (_, s) => points.find((p) => p.t_s === s)?.drivers[nodeId]?.sent ?? 0);
      const planned = Array.from({ length: 10 }, (_, s) => plannedRateAt(view.config, s, 1)!);
      const off = got.map((n, s) => Math.abs(n - planned[s]!) - Math.max(3, planned[s]! * 0.02));
      expect({ nodeId, got, worst: Math.max(...off) <= 1e-9 }).toEqual({ nodeId, got, worst: true });
      expect(points.filter((p) => p.t_s >= 10).reduce((sum, p) => sum + (p.drivers[nodeId]?.sent ?? 0), 0)).toBe(0);
    }
  });

  test("duration_s with AVALANCHE: sending ends within 50 ms before start + duration, and every request is counted", async () => {
    const before = await targetPings();
    const { test: view } = await runTest({ test_type: "AVALANCHE", message_count_per_driver: 10_000_000, concurrency: 4, duration_s: 2 });
    expect(view.state).toBe("done");
    const endAt = view.start_at + 2_000;
    for (const driver of view.per_driver) {
      // On the orchestrator's timeline: the driver's own send time plus its clock offset, which
      // its start was converted with too, so this is the driver's own distance to its end.
      expect(driver.last_send_at).toBeLessThan(endAt + CLOCK_ESTIMATE_MS);
      expect(driver.last_send_at).toBeGreaterThanOrEqual(endAt - 50);
      expect(driver.counts.completed).toBe(driver.counts.sent);
      expect(driver.counts.sent).toBeGreaterThan(0);
      expect(driver.counts.sent).toBeLessThan(10_000_000);
    }
    expect((await targetPings()) - before).toBe(view.metrics.counts.completed);
  });
});
