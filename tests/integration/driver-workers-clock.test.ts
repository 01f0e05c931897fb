import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../src/bus/index.ts";
import { createDriver } from "../../src/driver/driver.ts";
import { openHttp1Pool } from "../../src/driver/http1-pool.ts";
import type { DriverEvent, MetricsReport, WireHeartbeat } from "../../src/protocol/index.ts";
import { waitFor } from "../helpers/wait.ts";

// Real sockets and Bun Workers on a shared 2-core machine: generous, the waits are on conditions.
setDefaultTimeout(60_000);

/** How far ahead of the driver the pretend orchestrator's clock runs (ms). */
const ORCH_AHEAD_MS = 400;
const DELAY_MS = 50;
const COUNT = 6;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("a multi-core driver converts start_at with its clock offset", () => {
  test("TSUNAMI on two workers: the first request goes at start_at − offset on the driver's clock, and the schedule keeps from there", async () => {
    const arrivals: number[] = [];
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (arrivals.push(Date.now()), new Response("pong")) });
    cleanups.push(() => server.stop(true));

    const broker = new MemoryBroker();
    const orchestrator = new MemoryBus(broker);
    const orchNow = () => Date.now() + ORCH_AHEAD_MS;
    const seen = { beats: [] as WireHeartbeat[], metrics: [] as MetricsReport[], events: [] as DriverEvent[] };
    await orchestrator.subscribe("heartbeat", { mode: { kind: "collect", group: "o" } }, (m) => void seen.beats.push(m));
    await orchestrator.subscribe("metrics", { mode: { kind: "collect", group: "o" } }, (m) => void seen.metrics.push(m));
    await orchestrator.subscribe("driver_event", { mode: { kind: "collect", group: "o" } }, (m) => void seen.events.push(m));
    const driver = createDriver({ bus: new MemoryBus(broker), nodeId: "w2", nodeIp: "127.0.0.1", openHttp: openHttp1Pool, workers: 2, heartbeatIntervalMs: 100 });
    await driver.start();
    cleanups.push(() => driver.stop());

    // Answer a heartbeat as an orchestrator 400 ms ahead would (no network delay), until the driver has an estimate.
    await waitFor("a clock estimate in a heartbeat", async () => {
      const beat = seen.beats.at(-1);
      if (beat?.timestamp !== undefined) await orchestrator.publish("clock", { t3: orchNow(), samples: [{ node_id: "w2", t1: beat.timestamp, t2: beat.timestamp + ORCH_AHEAD_MS }] });
      return seen.beats.some((b) => b.clock_offset_ms !== undefined);
    });

    await orchestrator.publish("test_config", { test_id: "wc", test_type: "TSUNAMI", test_message_delay: DELAY_MS, message_count_per_driver: COUNT, target_url: `http://127.0.0.1:${server.port}/`, concurrency: 2 });
    const startAt = orchNow() + 1_000;
    await orchestrator.publish("trigger", { test_id: "wc", trigger: "YES", start_at: startAt });
    const final = await waitFor("the final report", () => seen.metrics.find((r) => r.final), { timeoutMs: 50_000 });

    expect(final.counts?.completed).toBe(COUNT);
    expect(arrivals.length).toBe(COUNT);
    const startOnDriverClock = startAt - ORCH_AHEAD_MS;
    const first = Math.min(...arrivals);
    // Never before the converted start; well before start_at read on the driver's own clock (uncorrected it would be ≥ startAt).
    expect(first).toBeGreaterThanOrEqual(startOnDriverClock - 5);
    expect(first).toBeLessThan(startAt - ORCH_AHEAD_MS / 2);
    // The schedule runs from the converted start: the last due time is (COUNT − 1) × delay after it.
    expect(Math.max(...arrivals)).toBeGreaterThanOrEqual(startOnDriverClock + (COUNT - 1) * DELAY_MS - 5);
    const started = seen.events.find((e) => e.event === "TEST_STARTED");
    expect(started?.clock_corrected).toBe(true);
    expect(Math.abs(started!.clock_offset_ms! - ORCH_AHEAD_MS)).toBeLessThanOrEqual(20);
    expect(Math.abs(final.first_send_at_orchestrator! - (final.first_send_at! + final.clock_offset_ms!))).toBeLessThanOrEqual(1);
  });
});
