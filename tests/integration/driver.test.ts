import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { MemoryBroker, MemoryBus } from "../../src/bus/index.ts";
import { createDriver, type Driver } from "../../src/driver/driver.ts";
import { latencyDumpPath } from "../../src/driver/latency-dump.ts";
import type { DriverEvent, MessageOf, MetricsReport, WireHeartbeat } from "../../src/protocol/index.ts";
import { waitFor } from "../helpers/wait.ts";

// Real sockets and a 3 s rate-capped run on a shared machine. Bun 1.4.5 ignores bunfig's
// [test] timeout and applies the preload's setDefaultTimeout to the first test file only.
setDefaultTimeout(60_000);

/** A throw-away target that records what it sees: count, arrival times, peak concurrency. */
function startTarget() {
  const seen = { count: 0, active: 0, maxActive: 0, arrivals: [] as number[] };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      seen.count++;
      seen.arrivals.push(performance.now());
      seen.active++;
      seen.maxActive = Math.max(seen.maxActive, seen.active);
      try {
        // The server takes its time, as a real one would; this is not the test waiting.
        const delay = Number(url.searchParams.get("delay") ?? 0);
        if (delay > 0) await Bun.sleep(delay);
        if (url.pathname === "/fail") return new Response("boom", { status: 500 });
        if (url.pathname === "/moved") return new Response(null, { status: 302, headers: { location: "/ping" } });
        return Response.json({ message: "pong" });
      } finally {
        seen.active--;
      }
    },
  });
  return { server, seen, url: (path: string) => `http://127.0.0.1:${server.port}${path}` };
}

/** A driver on a memory bus, and an orchestrator's view of everything it publishes. */
async function startDriver(nodeId = "d1", latencyDumpDir?: string) {
  const broker = new MemoryBroker();
  const orchestrator = new MemoryBus(broker);
  const seen = { metrics: [] as MetricsReport[], events: [] as DriverEvent[], heartbeats: [] as { at: number; beat: WireHeartbeat }[] };
  await orchestrator.subscribe("metrics", { mode: { kind: "collect", group: "o" } }, (m) => void seen.metrics.push(m));
  await orchestrator.subscribe("driver_event", { mode: { kind: "collect", group: "o" } }, (m) => void seen.events.push(m));
  await orchestrator.subscribe("heartbeat", { mode: { kind: "collect", group: "o" } }, (m) => void seen.heartbeats.push({ at: performance.now(), beat: m }));
  const driver = createDriver({ bus: new MemoryBus(broker), nodeId, nodeIp: "127.0.0.1", ...(latencyDumpDir ? { latencyDumpDir } : {}) });
  await driver.start();
  cleanups.push(() => driver.stop());
  const final = (testId: string) => waitFor(`final report of ${testId}`, () => seen.metrics.find((r) => r.test_id === testId && r.final), { timeoutMs: 60_000 });
  const run = async (config: MessageOf<"test_config">, trigger: Partial<MessageOf<"trigger">> = {}) => {
    await orchestrator.publish("test_config", config);
    await orchestrator.publish("trigger", { test_id: config.test_id, trigger: "YES", ...trigger });
    return final(config.test_id);
  };
  return { driver, orchestrator, seen, run, final };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function target() {
  const t = startTarget();
  cleanups.push(() => t.server.stop(true));
  return t;
}

const config = (test_id: string, target_url: string, fields: Partial<MessageOf<"test_config">> = {}): MessageOf<"test_config"> => ({
  test_id, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 100, target_url, ...fields,
});

describe("driver over a memory bus against a real HTTP server", () => {
  test("sends exactly N requests and its final report counts N completed, with the raw latencies dumped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "latency-dump-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { seen: server, url } = target();
    const { run, seen } = await startDriver("d1", dir);
    const final = await run(config("exact", url("/ping"), { message_count_per_driver: 2_000 }));
    expect(server.count).toBe(2_000);
    expect(final.counts).toMatchObject({ sent: 2_000, completed: 2_000, status_2xx: 2_000, timeout: 0, connection_error: 0 });
    const reports = seen.metrics.filter((r) => r.test_id === "exact");
    expect(reports.map((r) => r.report_id)).toEqual(reports.map((r, i) => `d1:${r.instance_id}:exact:${i}`));
    expect(final.total_digest!.counts.reduce((a, b) => a + b, 0)).toBe(2_000);
    const raw = JSON.parse(readFileSync(latencyDumpPath(dir, "d1", "exact"), "utf8")) as number[];
    expect(raw.length).toBe(2_000);
    expect(final.metrics.max_latency).toBeCloseTo(Math.max(...raw), 2);
    expect(seen.events.filter((e) => e.test_id === "exact").map((e) => e.event)).toEqual(["TEST_ACCEPTED", "TEST_STARTED", "TEST_FINISHED"]);
  });

  test("never has more AVALANCHE requests in flight than the concurrency", async () => {
    const { seen: server, url } = target();
    const { run } = await startDriver();
    const final = await run(config("cap", url("/ping?delay=5"), { message_count_per_driver: 400, concurrency: 8 }));
    expect(final.counts!.completed).toBe(400);
    expect(server.maxActive).toBeLessThanOrEqual(8);
    expect(server.maxActive).toBeGreaterThan(1);
  });

  test("spreads 50 TSUNAMI sends 10 ms apart over the schedule and reports due-time latency", async () => {
    const { seen: server, url } = target();
    const { run } = await startDriver();
    const startAt = Date.now() + 100;
    const startMono = performance.now() + (startAt - Date.now());
    const final = await run(config("wave", url("/ping"), { test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 50 }), { start_at: startAt });
    const arrivals = server.arrivals.map((t) => t - startMono);
    expect(arrivals.length).toBe(50);
    // No send before its due time (1 ms for Date.now's resolution); late ones are allowed.
    arrivals.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(i * 10 - 1));
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(400);
    expect(final.due_metrics).toBeDefined();
    expect(final.window!.due_digest).toBeDefined();
    expect(final.counts!.completed).toBe(50);
  });

  test("holds a throughput-capped run to the cap", async () => {
    const { seen: server, url } = target();
    const { run } = await startDriver();
    const final = await run(config("capped", url("/ping"), { message_count_per_driver: 300, target_throughput: 100 }));
    expect(final.counts!.completed).toBe(300);
    const arrivals = server.arrivals;
    // 300 sends at 100/s are 2.99 s from first to last; a burst would make it shorter.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(2_900);
    let lo = 0;
    let busiest = 0;
    for (let hi = 0; hi < arrivals.length; hi++) {
      while (arrivals[hi]! - arrivals[lo]! >= 1_000) lo++;
      busiest = Math.max(busiest, hi - lo + 1);
    }
    // Made-up stalls may go at up to 1.1 × the rate, never more (a loaded machine stalls).
    expect(busiest).toBeLessThanOrEqual(1.1 * 100 + 2);
  });

  test("counts 500s, redirects, timeouts and refused connections in their classes", async () => {
    const { url } = target();
    const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const closedUrl = `http://127.0.0.1:${closed.port}/ping`;
    closed.stop(true);
    const { run } = await startDriver();
    const failing = await run(config("fail", url("/fail"), { message_count_per_driver: 20 }));
    const moved = await run(config("moved", url("/moved"), { message_count_per_driver: 5 }));
    const slow = await run(config("slow", url("/ping?delay=2000"), { message_count_per_driver: 5, timeout_ms: 200 }));
    const refused = await run(config("refused", closedUrl, { message_count_per_driver: 5 }));
    expect([failing, moved, slow, refused].map((r) => r.counts)).toEqual([
      { sent: 20, completed: 20, status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 20, timeout: 0, connection_error: 0, late: 0 },
      { sent: 5, completed: 5, status_2xx: 0, status_3xx: 5, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0 },
      { sent: 5, completed: 0, status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 5, connection_error: 0, late: 0 },
      { sent: 5, completed: 0, status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 5, late: 0 },
    ]);
  });

  test("answers a configuration it cannot run with TEST_REJECTED and its issues", async () => {
    const { orchestrator, seen } = await startDriver();
    await orchestrator.publish("test_config", config("bad", "file:///etc/passwd", { test_type: "TSUNAMI" }));
    const rejected = await waitFor("rejection", () => seen.events.find((e) => e.event === "TEST_REJECTED"));
    expect(rejected).toMatchObject({
      node_id: "d1",
      test_id: "bad",
      issues: [
        { path: "target_url", message: 'scheme "file" is not allowed: use http or https' },
        { path: "test_message_delay", message: expect.stringContaining("positive delay") },
      ],
    });
  });

  test("stop() mid-test ends with a final report where sent = completed + errors = what the server saw", async () => {
    const { seen: server, url } = target();
    const { driver, orchestrator, seen, final } = await startDriver();
    await orchestrator.publish("test_config", config("long", url("/ping?delay=20"), { message_count_per_driver: 1_000_000, concurrency: 16 }));
    await orchestrator.publish("trigger", { test_id: "long", trigger: "YES" });
    await waitFor("some traffic", () => server.count >= 100);
    await driver.stop();
    const report = await final("long");
    const c = report.counts!;
    expect(c.sent).toBeLessThan(1_000_000);
    expect(c.sent).toBe(c.completed + c.timeout + c.connection_error);
    expect(c.sent).toBe(server.count);
    expect(seen.events.at(-1)).toMatchObject({ event: "TEST_FINISHED", error: `stopped after ${c.sent} of 1000000 requests` });
  });

  test("keeps heartbeating while a heavy AVALANCHE runs", async () => {
    const { url } = target();
    const { run, seen } = await startDriver();
    const startedAt = performance.now();
    const final = await run(config("heavy", url("/ping"), { message_count_per_driver: 60_000, concurrency: 64 }));
    const durationMs = performance.now() - startedAt;
    expect(final.counts!.completed).toBe(60_000);
    // A send loop that starved the event loop would let no beat out until the test ended. On a
    // loaded machine timers fire late, so ask for half the beats the duration calls for.
    const running = seen.heartbeats.filter((h) => h.beat.state === "running" && h.beat.test_id === "heavy").length;
    expect(running).toBeGreaterThanOrEqual(Math.max(1, Math.floor(durationMs / 2_000)));
  });
});
