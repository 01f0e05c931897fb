import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Fleet } from "../helpers/fleet.ts";
import { api } from "../helpers/http.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { waitFor } from "../helpers/wait.ts";

// Starts processes and talks to the real broker: the 5 s default is too short for a cold JVM.
setDefaultTimeout(120_000);

/** How far a clock-offset estimate on one host may be off (first_send_at is converted with it). */
const CLOCK_ESTIMATE_MS = 2;

// Separate processes over the real broker: the target, the orchestrator and two drivers,
// driven through the REST API as a user would.

let fleet: Fleet;
let orchestrator: ReturnType<typeof api>;
let targetUrl: string;
let slowTargetUrl: string;
let dumpDir: string;

async function aliveNodes(): Promise<string[]> {
  const res = await orchestrator.get("/nodes");
  return res.body.nodes.filter((n: any) => n.status === "alive").map((n: any) => n.node_id).sort();
}

async function targetPings(url: string): Promise<number> {
  const res = await fetch(`${url}/metrics?format=json`);
  return ((await res.json()) as { ping: { responses: number } }).ping.responses;
}

/** Creates and triggers a test in one call, then waits for it to end. */
async function runTest(body: Record<string, unknown>): Promise<any> {
  const created = await orchestrator.post("/tests", { ...body, trigger: true });
  expect(created.status).toBe(201);
  const id = created.body.test_id as string;
  return waitFor(
    `test ${id} to end`,
    async () => {
      const view = (await orchestrator.get(`/tests/${id}`)).body;
      return ["done", "partial", "failed", "interrupted"].includes(view.state) ? view : null;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("distributed") });
  dumpDir = join(fleet.dir, "latencies");
  mkdirSync(dumpDir, { recursive: true });
  const [fast, slow] = await Promise.all([fleet.target("target"), fleet.target("slow-target", ["--delay-ms", "2-20"])]);
  targetUrl = fast.url;
  slowTargetUrl = slow.url;
  const orch = await fleet.orchestrator("orchestrator", ["--target", `${targetUrl}/ping`, "--allow-target", "127.0.0.1"]);
  orchestrator = api(orch.url);
  fleet.driver("driver-a", [], { LOADTEST_LATENCY_DUMP: dumpDir });
  // driver-b sends with Bun's fetch, driver-a with the HTTP/1.1 pool (the default for http://): both paths end to end.
  fleet.driver("driver-b", ["--http-client", "fetch"], { LOADTEST_LATENCY_DUMP: dumpDir });
  await waitFor("both drivers alive", async () => (await aliveNodes()).join() === "driver-a,driver-b", { timeoutMs: 60_000 });
});

afterAll(async () => {
  await fleet?.stop();
});

describe("a load test over Kafka with an orchestrator and two drivers", () => {
  test("AVALANCHE: every driver sends exactly its count and the target saw every request", async () => {
    const before = await targetPings(targetUrl);
    const view = await runTest({ test_type: "AVALANCHE", message_count_per_driver: 2000, concurrency: 32 });
    const after = await targetPings(targetUrl);
    expect(view.state).toBe("done");
    expect(view.drivers.sort()).toEqual(["driver-a", "driver-b"]);
    const completed = view.per_driver.map((d: any) => [d.node_id, d.counts.completed, d.counts.status_2xx]).sort();
    expect(completed).toEqual([
      ["driver-a", 2000, 2000],
      ["driver-b", 2000, 2000],
    ]);
    expect(view.metrics.counts.completed).toBe(4000);
    expect(after - before).toBe(4000);
  });

  test("TSUNAMI 200 sends 10 ms apart last 2 s within 5%, on every driver", async () => {
    const before = await targetPings(targetUrl);
    const view = await runTest({ test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 200 });
    expect(view.state).toBe("done");
    expect(view.metrics.counts.completed).toBe(400);
    expect((await targetPings(targetUrl)) - before).toBe(400);
    // Send i is due at start_at + i × delay: measured from the common start, the last of 200
    // sends goes out at 1,990 ms, and the test lasts 200 × 10 ms. A driver that slept after each
    // response, or drifted, would take longer.
    for (const driver of view.per_driver) {
      // first_send_at is on the orchestrator's timeline (issue 15): the driver's own send time
      // plus its measured clock offset, whose estimate is good to about a millisecond on one host.
      expect(driver.first_send_at).toBeGreaterThanOrEqual(view.start_at - CLOCK_ESTIMATE_MS);
      const lasted = driver.last_send_at - view.start_at + 10;
      expect(Math.abs(lasted - 2000) / 2000).toBeLessThan(0.05);
    }
  });

  test("target_throughput 500/s for 2,500 requests lasts 5 s within 2%", async () => {
    const view = await runTest({ test_type: "AVALANCHE", message_count_per_driver: 2500, target_throughput: 500 });
    expect(view.state).toBe("done");
    expect(view.metrics.counts.completed).toBe(5000);
    // Token k is due at start_at + k / 500 s: from the common start, 2,500 sends last 5 s.
    for (const driver of view.per_driver) {
      // first_send_at is on the orchestrator's timeline (issue 15): the driver's own send time
      // plus its measured clock offset, whose estimate is good to about a millisecond on one host.
      expect(driver.first_send_at).toBeGreaterThanOrEqual(view.start_at - CLOCK_ESTIMATE_MS);
      const lasted = driver.last_send_at - view.start_at + 1000 / 500;
      expect(Math.abs(lasted - 5000) / 5000).toBeLessThan(0.02);
    }
  });

  test("the merged median is within 1% of the exact median of every latency", async () => {
    const view = await runTest({ test_type: "AVALANCHE", message_count_per_driver: 1500, concurrency: 50, target_url: `${slowTargetUrl}/ping` });
    expect(view.state).toBe("done");
    const files = readdirSync(dumpDir).filter((f) => f.endsWith(`-${view.test_id}.json`));
    expect(files.length).toBe(2);
    const all = files.flatMap((f) => JSON.parse(readFileSync(join(dumpDir, f), "utf8")) as number[]).sort((a, b) => a - b);
    expect(all.length).toBe(3000);
    const exactMedian = (all[1499]! + all[1500]!) / 2;
    expect(Math.abs(view.metrics.latency.median_latency - exactMedian) / exactMedian).toBeLessThan(0.01);
    // Min and max are exact, not estimated.
    expect(view.metrics.latency.min_latency).toBeCloseTo(all[0]!, 2);
    expect(view.metrics.latency.max_latency).toBeCloseTo(all[all.length - 1]!, 2);
    // Each driver's own median, from its own merged windows, is within 1% of its exact median too.
    for (const driver of view.per_driver) {
      const own = (JSON.parse(readFileSync(join(dumpDir, `${driver.node_id}-${view.test_id}.json`), "utf8")) as number[]).sort((a, b) => a - b);
      const ownMedian = (own[own.length / 2 - 1]! + own[own.length / 2]!) / 2;
      expect(Math.abs(driver.latency.median_latency - ownMedian) / ownMedian).toBeLessThan(0.01);
    }
  });

  test("a driver that joins between tests is used by the next one, and one that left is not", async () => {
    fleet.driver("driver-c");
    await waitFor("driver-c alive", async () => (await aliveNodes()).includes("driver-c"), { timeoutMs: 60_000 });
    const withThree = await runTest({ test_type: "AVALANCHE", message_count_per_driver: 300 });
    expect(withThree.drivers.sort()).toEqual(["driver-a", "driver-b", "driver-c"]);
    expect(withThree.metrics.counts.completed).toBe(900);

    const leaving = fleet.nodeByName("driver-a")!;
    expect(await fleet.signal(leaving, "SIGTERM")).toBe(0);
    await waitFor("driver-a gone from the alive list", async () => !(await aliveNodes()).includes("driver-a"));
    const withTwo = await runTest({ test_type: "AVALANCHE", message_count_per_driver: 300 });
    expect(withTwo.state).toBe("done");
    expect(withTwo.drivers.sort()).toEqual(["driver-b", "driver-c"]);
    expect(withTwo.metrics.counts.completed).toBe(600);
  });
});
