/**
 * A target whose bodies never end (chunked, forever), loaded through fetch (`--http-client
 * fetch`, as every https:// target is). The driver drains each body chunk by chunk and keeps
 * none of it, so its memory stays bounded: its peak RSS (VmHWM in /proc/<pid>/status) stays
 * under RSS_BOUND_MB, where `res.arrayBuffer()` took a driver to 1.43 GB. A fast endless body
 * is abandoned at the body cap and counted `body_too_large` (in its status class too); a slow
 * one runs into the request timeout and is counted a timeout. Counts are exact against the
 * target's own count. Large finite bodies (10 MB at concurrency 64) are read whole and stay
 * bounded too. Real orchestrator and driver processes, the shared broker.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Fleet, type NodeProcess } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { startTest, waitForAlive, waitForTestEnd, type CountsJson } from "../helpers/orchestrator-client.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(240_000);

/** The driver's peak resident memory may not pass this with 4 endless bodies in flight (its idle RSS is ~100 MB). */
const RSS_BOUND_MB = 300;
/**
 * With 64 bodies of 10 MB in flight: Bun's fetch holds some of each body natively while the
 * reader drains it (measured 235-272 MB here); buffering them whole measured 648 MB.
 */
const BIG_BODIES_RSS_BOUND_MB = 400;
/** Body cap given to the driver: 16 MiB keeps the fast test's transfer small on a loaded machine. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const COUNT = 20;
const DRIVER = "fb-1";

let fleet: Fleet;
let orchestratorUrl: string;
let driver: NodeProcess;

/** An in-process target that answers every request with an endless chunked body; `gapMs` between 64 KiB chunks. */
function endlessTarget(gapMs: number): { url: string; received: () => number; stop: () => void } {
  let received = 0;
  const chunk = new Uint8Array(64 * 1024).fill(120);
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch() {
      received++;
      return new Response(
        new ReadableStream({
          async pull(controller) {
            if (gapMs > 0) await Bun.sleep(gapMs);
            controller.enqueue(chunk);
          },
        }),
      );
    },
  });
  return { url: `http://127.0.0.1:${server.port}/endless`, received: () => received, stop: () => void server.stop(true) };
}

/** Peak resident set of a process in MB (VmHWM), from /proc. */
function peakRssMb(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmHWM:\s+(\d+) kB/m);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Math.round(Number(match[1]) / 1024);
}

type DriverCounts = CountsJson & { body_too_large?: number };

beforeAll(async () => {
  fleet = new Fleet({ brokers: await requireKafka(), topicPrefix: uniqueTopicPrefix("fetch-body") });
  orchestratorUrl = (await fleet.orchestrator("orchestrator", ["--allow-target", "127.0.0.1"])).url;
  driver = fleet.driver(DRIVER, ["--http-client", "fetch", "--max-body-bytes", String(MAX_BODY_BYTES)]);
  await waitForAlive(orchestratorUrl, [DRIVER], 60_000);
});

afterAll(async () => {
  await fleet?.stop();
});

describe("endless response bodies through fetch", () => {
  test("a fast endless body is abandoned at the cap and counted body_too_large; the driver's peak RSS stays bounded", async () => {
    const target = endlessTarget(0);
    try {
      const created = await startTest(orchestratorUrl, { test_type: "AVALANCHE", message_count_per_driver: COUNT, concurrency: 4, timeout_ms: 20_000, target_url: target.url });
      const ended = await waitForTestEnd(orchestratorUrl, created.test_id, 180_000);
      const c = ended.per_driver[0]!.counts as DriverCounts;
      const peak = peakRssMb(driver.proc.pid);
      console.log(`fast endless body through fetch: driver peak RSS ${peak} MB (bound ${RSS_BOUND_MB} MB)`);
      expect({ state: ended.state, sent: c.sent, completed: c.completed, status_2xx: c.status_2xx, body_too_large: c.body_too_large, timeout: c.timeout, connection_error: c.connection_error, received: target.received() }).toEqual({
        state: "done", sent: COUNT, completed: COUNT, status_2xx: COUNT, body_too_large: COUNT, timeout: 0, connection_error: 0, received: COUNT,
      });
      expect(peak).toBeLessThan(RSS_BOUND_MB);
    } finally {
      target.stop();
    }
  });

  test("a slow endless body runs into the 2 s request timeout: 4 in flight, every request a timeout, the driver's peak RSS still bounded", async () => {
    const target = endlessTarget(20);
    try {
      const created = await startTest(orchestratorUrl, { test_type: "AVALANCHE", message_count_per_driver: 8, concurrency: 4, timeout_ms: 2_000, target_url: target.url });
      const ended = await waitForTestEnd(orchestratorUrl, created.test_id, 120_000);
      const c = ended.per_driver[0]!.counts as DriverCounts;
      const peak = peakRssMb(driver.proc.pid);
      console.log(`slow endless body through fetch: driver peak RSS ${peak} MB (bound ${RSS_BOUND_MB} MB)`);
      expect({ state: ended.state, sent: c.sent, completed: c.completed, timeout: c.timeout, connection_error: c.connection_error, received: target.received() }).toEqual({
        state: "done", sent: 8, completed: 0, timeout: 8, connection_error: 0, received: 8,
      });
      expect(peak).toBeLessThan(RSS_BOUND_MB);
    } finally {
      target.stop();
    }
  });

  test("10 MB bodies at concurrency 64 are read whole (under the cap), every one a 2xx the target counted, and the driver's peak RSS stays bounded", async () => {
    let received = 0;
    const body = new Uint8Array(10 * 1000 * 1000).fill(121);
    using server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch() {
        received++;
        return new Response(body);
      },
    });
    const created = await startTest(orchestratorUrl, { test_type: "AVALANCHE", message_count_per_driver: 128, concurrency: 64, timeout_ms: 60_000, target_url: `http://127.0.0.1:${server.port}/big` });
    const ended = await waitForTestEnd(orchestratorUrl, created.test_id, 180_000);
    const c = ended.per_driver[0]!.counts as DriverCounts;
    const peak = peakRssMb(driver.proc.pid);
    console.log(`10 MB bodies at concurrency 64 through fetch: driver peak RSS ${peak} MB (bound ${BIG_BODIES_RSS_BOUND_MB} MB)`);
    expect({ state: ended.state, sent: c.sent, completed: c.completed, status_2xx: c.status_2xx, body_too_large: c.body_too_large, timeout: c.timeout, connection_error: c.connection_error, received }).toEqual({
      state: "done", sent: 128, completed: 128, status_2xx: 128, body_too_large: undefined, timeout: 0, connection_error: 0, received: 128,
    });
    expect(peak).toBeLessThan(BIG_BODIES_RSS_BOUND_MB);
  });
});
