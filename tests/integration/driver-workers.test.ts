import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryBroker, MemoryBus } from "../../src/bus/index.ts";
import { createDriver, type DriverOptions } from "../../src/driver/driver.ts";
import { openHttp1Pool } from "../../src/driver/http1-pool.ts";
import { latencyDumpPath } from "../../src/driver/latency-dump.ts";
import type { DriverEvent, MessageOf, MetricsReport } from "../../src/protocol/index.ts";
import { waitFor } from "../helpers/wait.ts";

// Real sockets and Bun Workers on a shared 2-core machine: generous, the waits are on conditions.
setDefaultTimeout(120_000);

/** A throw-away target counting what it sees, with arrival times; `?delay=ms` holds a response. */
function startTarget() {
  const seen = { count: 0, arrivals: [] as number[] };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      seen.count++;
      seen.arrivals.push(performance.now());
      const delay = Number(new URL(req.url).searchParams.get("delay") ?? 0);
      if (delay > 0) await Bun.sleep(delay);
      return new Response("pong");
    },
  });
  cleanups.push(() => server.stop(true));
  return { seen, url: (path: string) => `http://127.0.0.1:${server.port}${path}` };
}

/** A driver on a memory bus with the real pool, and what it publishes. */
async function startDriver(nodeId: string, extra: Partial<DriverOptions> = {}) {
  const broker = new MemoryBroker();
  const orchestrator = new MemoryBus(broker);
  const seen = { metrics: [] as MetricsReport[], events: [] as DriverEvent[] };
  await orchestrator.subscribe("metrics", { mode: { kind: "collect", group: "o" } }, (m) => void seen.metrics.push(m));
  await orchestrator.subscribe("driver_event", { mode: { kind: "collect", group: "o" } }, (m) => void seen.events.push(m));
  const driver = createDriver({ bus: new MemoryBus(broker), nodeId, nodeIp: "127.0.0.1", openHttp: openHttp1Pool, ...extra });
  await driver.start();
  cleanups.push(() => driver.stop());
  const final = (testId: string) => waitFor(`final report of ${testId}`, () => seen.metrics.find((r) => r.test_id === testId && r.final), { timeoutMs: 100_000 });
  const trigger = async (config: MessageOf<"test_config">) => {
    await orchestrator.publish("test_config", config);
    await orchestrator.publish("trigger", { test_id: config.test_id, trigger: "YES" });
  };
  return { orchestrator, seen, trigger, final };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const config = (test_id: string, target_url: string, fields: Partial<MessageOf<"test_config">> = {}): MessageOf<"test_config"> => ({
  test_id, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 100, target_url, ...fields,
});

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe("a driver with --workers 2 against a real HTTP server", () => {
  test("runs an AVALANCHE of 10,000 on two workers: exact counts, one report a second, merged digests", async () => {
    const target = startTarget();
    const dir = mkdtempSync(join(tmpdir(), "workers-dump-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const single = await startDriver("one");
    await single.trigger(config("w-one", target.url("/"), { message_count_per_driver: 2_000, concurrency: 16 }));
    const alone = await single.final("w-one");
    expect(alone.counts?.completed).toBe(2_000);

    target.seen.count = 0;
    const two = await startDriver("two", { workers: 2, latencyDumpDir: dir });
    await two.trigger(config("w-two", target.url("/"), { message_count_per_driver: 10_000, concurrency: 16 }));
    const report = await two.final("w-two");

    expect(target.seen.count).toBe(10_000);
    expect(report.counts).toEqual({ sent: 10_000, completed: 10_000, status_2xx: 10_000, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0 });
    expect(report.stopped).toBeUndefined();
    // One driver's series: contiguous sequences, one node id, windows that add up to the totals.
    const reports = two.seen.metrics.filter((r) => r.test_id === "w-two").sort((a, b) => a.sequence! - b.sequence!);
    expect(reports.map((r) => r.sequence)).toEqual(reports.map((_, i) => i));
    expect(new Set(reports.map((r) => r.node_id))).toEqual(new Set(["two"]));
    expect(reports.reduce((sum, r) => sum + r.window!.counts.completed, 0)).toBe(10_000);
    expect(reports.reduce((sum, r) => sum + r.window!.digest.counts.reduce((a, b) => a + b, 0), 0)).toBe(10_000);
    // One report a second while it ran (not one per worker per second): windows about 1 s long.
    for (const r of reports.slice(0, -1)) expect(r.window!.end_ms - r.window!.start_ms).toBeGreaterThan(500);
    // The total digest holds every latency, and its median is the exact median of both workers'
    // latencies together (the dump), within the digest's error: merged, not averaged.
    expect(report.total_digest!.counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    const raw = sorted(JSON.parse(readFileSync(latencyDumpPath(dir, "two", "w-two"), "utf8")) as number[]);
    expect(raw.length).toBe(10_000);
    const rankOf = (x: number) => raw.filter((v) => v <= x).length / raw.length;
    expect(Math.abs(rankOf(report.metrics.median_latency) - 0.5)).toBeLessThan(0.03);
    expect(report.metrics.min_latency).toBeCloseTo(raw[0]!, 2);
    expect(report.metrics.max_latency).toBeCloseTo(raw.at(-1)!, 2);
    // Plausible next to one in-thread run against the same target (same order of magnitude).
    expect(report.metrics.median_latency).toBeGreaterThan(alone.metrics.median_latency / 20);
    expect(report.metrics.median_latency).toBeLessThan(alone.metrics.median_latency * 20 + 5);
  });

  test("a rate-capped run on two workers reports each second's requests in that second's report", async () => {
    const target = startTarget();
    const driver = await startDriver("paced", { workers: 2 });
    await driver.trigger(config("w-rate", target.url("/"), { message_count_per_driver: 4_000, target_throughput: 1_000, concurrency: 8 }));
    const report = await driver.final("w-rate");
    expect(report.counts?.completed).toBe(4_000);
    expect(target.seen.count).toBe(4_000);
    const reports = driver.seen.metrics.filter((r) => r.test_id === "w-rate").sort((a, b) => a.sequence! - b.sequence!);
    // 1,000/s split as 500/s per worker: each full second's report carries both workers' ~1,000,
    // not one worker's 500 (a window missed) nor 2,000 (one carried over).
    const full = reports.filter((r) => !r.final).slice(0, 3);
    expect(full.length).toBe(3);
    for (const r of full) {
      expect(r.window!.counts.sent).toBeGreaterThan(600);
      expect(r.window!.counts.sent).toBeLessThan(1_400);
    }
    expect(reports.reduce((sum, r) => sum + r.window!.counts.sent, 0)).toBe(4_000);
  });

  test("keeps a TSUNAMI's global spacing over two workers: sends alternate, not in pairs", async () => {
    const target = startTarget();
    const driver = await startDriver("tsunami", { workers: 2 });
    await driver.trigger(config("w-tsunami", target.url("/"), { test_type: "TSUNAMI", test_message_delay: 20, message_count_per_driver: 60 }));
    const report = await driver.final("w-tsunami");
    expect(report.counts?.completed).toBe(60);
    expect(target.seen.count).toBe(60);
    const gaps = target.seen.arrivals.slice(1).map((t, i) => t - target.seen.arrivals[i]!);
    const median = sorted(gaps)[Math.floor(gaps.length / 2)]!;
    // One 20 ms spacing overall; two workers started together would arrive in pairs (~0 and ~40 ms).
    expect(median).toBeGreaterThan(12);
    expect(median).toBeLessThan(30);
    expect(gaps.filter((g) => g < 5).length).toBeLessThan(gaps.length / 4);
    const span = target.seen.arrivals.at(-1)! - target.seen.arrivals[0]!;
    expect(span).toBeGreaterThan(59 * 20 * 0.8);
    expect(report.due_metrics).toBeDefined();
  });

  test("a stop with a grace reaches both workers: every request in flight is aborted after it", async () => {
    const target = startTarget();
    const driver = await startDriver("stopme", { workers: 2 });
    // 10 s responses: nothing completes; sends every 10 ms go to workers 0 and 1 in turn.
    await driver.trigger(config("w-stop", target.url("/?delay=10000"), { test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 1_000, concurrency: 100 }));
    await waitFor("requests in flight on both workers", () => target.seen.count >= 10);
    const stoppedAt = performance.now();
    await driver.orchestrator.publish("stop", { test_id: "w-stop", stop: "YES", reason: "stopped by test", stop_grace_ms: 300 });
    const report = await driver.final("w-stop");
    expect(performance.now() - stoppedAt).toBeLessThan(8_000);
    const sent = report.counts!.sent;
    expect(sent).toBeGreaterThanOrEqual(10);
    expect(sent).toBeLessThan(1_000);
    // Sends alternate between the workers, so both had requests in flight; all were aborted.
    expect(report.counts!.stopped).toBe(sent);
    expect(report.counts!.completed).toBe(0);
    expect(report.stopped).toContain("stopped by test");
    expect(report.stopped).toContain(`${sent} in flight aborted`);
  });

  test("a worker that crashes fails the driver's share visibly, keeping what it counted", async () => {
    const target = startTarget();
    const driver = await startDriver("crashy", { workers: 2, workerFault: { index: 1, afterMs: 400 } });
    await driver.trigger(config("w-crash", target.url("/"), { test_type: "TSUNAMI", test_message_delay: 20, message_count_per_driver: 100 }));
    const report = await driver.final("w-crash");
    const c = report.counts!;
    expect(report.stopped).toContain("worker 2 of 2 crashed: injected crash of worker 1 (test hook)");
    // Worker 1 (the odd sends) counted some before its crash; worker 0 ran its 50 to the end.
    expect(c.completed).toBeGreaterThan(50);
    expect(c.sent).toBeLessThan(100);
    expect(c.sent).toBe(c.completed + c.timeout + c.connection_error + (c.stopped ?? 0));
    expect(target.seen.count).toBeGreaterThanOrEqual(c.completed);
    const finished = driver.seen.events.find((e) => e.test_id === "w-crash" && e.event === "TEST_FINISHED");
    expect(finished?.error).toContain("crashed");
  });
});

describe("a driver with --workers 2 running a ramp or a duration", () => {
  test("stages [1 s → 200/s, 1 s → 0] on two workers: the ramp's 200 sends exactly, paced, not stopped", async () => {
    const target = startTarget();
    const two = await startDriver("ramp", { workers: 2 });
    await two.trigger(config("w-ramp", target.url("/"), { message_count_per_driver: 100_000, concurrency: 16, stages: [{ duration_s: 1, target_throughput: 200 }, { duration_s: 1, target_throughput: 0 }] }));
    const report = await two.final("w-ramp");
    expect(target.seen.count).toBe(200);
    expect(report.counts).toMatchObject({ sent: 200, completed: 200 });
    expect(report.stopped).toBeUndefined();
    expect(report.due_metrics).toBeDefined();
    // The arrivals follow the ramp: the first half-second (∫ = 25) holds far fewer than the second (75).
    const first = Math.min(...target.seen.arrivals);
    const firstHalf = target.seen.arrivals.filter((t) => t - first < 500).length;
    expect(firstHalf).toBeLessThan(40);
  });

  test("duration_s 1 under a 100/s cap on two workers: the interleaved shares send 100, not stopped", async () => {
    const target = startTarget();
    const two = await startDriver("timed", { workers: 2 });
    await two.trigger(config("w-timed", target.url("/"), { message_count_per_driver: 100_000, concurrency: 16, target_throughput: 100, duration_s: 1 }));
    const report = await two.final("w-timed");
    expect(report.counts).toMatchObject({ sent: 100, completed: 100 });
    expect(target.seen.count).toBe(100);
    expect(report.stopped).toBeUndefined();
  });
});
