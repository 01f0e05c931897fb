import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet } from "../helpers/fleet.ts";
import { api } from "../helpers/http.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitFor } from "../helpers/wait.ts";

// Starts processes and talks to the real broker: the 5 s default is too short for a cold JVM.
setDefaultTimeout(180_000);

// A fleet over the real broker where one driver process sends on two Bun Workers
// (`--workers 2`) next to a plain one: the orchestrator sees two drivers and exact totals.

let fleet: Fleet;
let orchestrator: ReturnType<typeof api>;
let targetUrl: string;
/** The project's target with `--delay-ms 3000`: every answer comes after 3 s. */
let slowUrl: string;
const SLOW_MS = 3_000;

async function aliveNodes(): Promise<string[]> {
  const res = await orchestrator.get("/nodes");
  return res.body.nodes.filter((n: any) => n.status === "alive").map((n: any) => n.node_id).sort();
}

async function targetPings(): Promise<number> {
  const res = await fetch(`${targetUrl}/metrics?format=json`);
  return ((await res.json()) as { ping: { responses: number } }).ping.responses;
}

async function runTest(body: Record<string, unknown>): Promise<any> {
  const created = await orchestrator.post("/tests", { ...body, trigger: true });
  expect(created.status).toBe(201);
  const id = created.body.test_id as string;
  return waitFor(
    `test ${id} to end`,
    async () => {
      const view = (await orchestrator.get(`/tests/${id}`)).body;
      return ["done", "partial", "failed", "interrupted", "stopped"].includes(view.state) ? view : null;
    },
    { timeoutMs: 120_000, intervalMs: 100 },
  );
}

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("workers") });
  targetUrl = (await fleet.target("target")).url;
  slowUrl = (await fleet.target("target-slow", ["--delay-ms", String(SLOW_MS)])).url;
  const orch = await fleet.orchestrator("orchestrator", ["--target", `${targetUrl}/ping`, "--allow-target", "127.0.0.1"]);
  orchestrator = api(orch.url);
  fleet.driver("driver-multi", ["--workers", "2"]);
  fleet.driver("driver-single");
  await waitFor("both drivers alive", async () => (await aliveNodes()).join() === "driver-multi,driver-single", { timeoutMs: 90_000 });
});

afterAll(async () => {
  await fleet?.stop();
});

describe("a fleet run with a driver on two workers over the real broker", () => {
  test("AVALANCHE: the two-worker driver reports as one driver and the totals equal the target's count", async () => {
    const before = await targetPings();
    const view = await runTest({ test_type: "AVALANCHE", message_count_per_driver: 5_000, concurrency: 32 });
    const after = await targetPings();
    expect(view.state).toBe("done");
    expect(view.drivers.sort()).toEqual(["driver-multi", "driver-single"]);
    const completed = view.per_driver.map((d: any) => [d.node_id, d.counts.sent, d.counts.completed, d.counts.status_2xx]).sort();
    expect(completed).toEqual([
      ["driver-multi", 5_000, 5_000, 5_000],
      ["driver-single", 5_000, 5_000, 5_000],
    ]);
    expect(view.metrics.counts.completed).toBe(10_000);
    expect(after - before).toBe(10_000);
    const multi = fleet.nodeByName("driver-multi")!;
    expect(multi.output()).toContain("test runs on workers");
  });

  test("TSUNAMI: the two workers keep one schedule from the common start", async () => {
    const before = await targetPings();
    const view = await runTest({ test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 200 });
    expect(view.state).toBe("done");
    expect(view.metrics.counts.completed).toBe(400);
    expect((await targetPings()) - before).toBe(400);
    const multi = view.per_driver.find((d: any) => d.node_id === "driver-multi");
    expect(multi.first_send_at).toBeGreaterThanOrEqual(view.start_at);
    // Send 199 is due 1,990 ms after the start: worker 1's last (odd) send.
    const lasted = multi.last_send_at - view.start_at + 10;
    expect(Math.abs(lasted - 2000) / 2000).toBeLessThan(0.05);
  });

  test("a stop over the broker reaches both workers: their requests in flight are aborted after the grace", async () => {
    const created = await orchestrator.post("/tests", { test_type: "AVALANCHE", message_count_per_driver: 1_000, concurrency: 6, target_url: `${slowUrl}/ping`, trigger: true });
    expect(created.status).toBe(201);
    const id = created.body.test_id as string;
    const held = async () => ((await (await fetch(`${slowUrl}/metrics?format=json`)).json()) as { ping: { received: number } }).ping.received;
    // 6 in flight on each driver: 3 on each of driver-multi's two workers.
    await waitFor("12 requests held by the slow target", async () => (await held()) === 12, { timeoutMs: 60_000, intervalMs: 50 });
    const res = await orchestrator.post(`/tests/${id}/stop`, { stop_grace_ms: 500 });
    expect(res.status).toBe(200);
    const ended = await waitFor(
      `test ${id} to end`,
      async () => {
        const view = (await orchestrator.get(`/tests/${id}`)).body;
        return view.state === "running" ? null : view;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(ended.state).toBe("stopped");
    const rows = ended.per_driver.map((d: any) => [d.node_id, d.counts.sent, d.counts.completed, d.counts.stopped]).sort();
    expect(rows).toEqual([
      ["driver-multi", 6, 0, 6],
      ["driver-single", 6, 0, 6],
    ]);
    expect(await held()).toBe(12);
    // Aborted after the 0.5 s grace, not answered after 3 s.
    expect(ended.ended_at - ended.stop.requested_at).toBeLessThan(SLOW_MS - 500);
  });
});
