import { describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { createDriver } from "../../../src/driver/driver.ts";
import type { DriverEvent, MessageOf, MetricsReport } from "../../../src/protocol/index.ts";
import { FakeClock, settle } from "./fake-clock.ts";
import { FakeTarget } from "./fake-target.ts";

// A test whose duration or stages end before its count finishes normally: not "stopped".

async function setup() {
  const clock = new FakeClock();
  const broker = new MemoryBroker();
  const listener = new MemoryBus(broker);
  const seen = { metrics: [] as MetricsReport[], driver_event: [] as DriverEvent[], heartbeat: [] as MessageOf<"heartbeat">[] };
  await listener.subscribe("metrics", { mode: { kind: "broadcast" } }, (m) => void seen.metrics.push(m));
  await listener.subscribe("driver_event", { mode: { kind: "broadcast" } }, (m) => void seen.driver_event.push(m));
  await listener.subscribe("heartbeat", { mode: { kind: "broadcast" } }, (m) => void seen.heartbeat.push(m));
  const orchestrator = new MemoryBus(broker);
  const target = new FakeTarget(clock);
  const driver = createDriver({ bus: new MemoryBus(broker), clock, fetch: target.fetch, nodeId: "d1", nodeIp: "10.0.0.7", instanceId: "i1" });
  await driver.start();
  await settle();
  const beat = seen.heartbeat[0];
  if (beat) await orchestrator.publish("clock", { t3: clock.now(), samples: [{ node_id: "d1", t1: beat.timestamp ?? clock.now(), t2: clock.now() }] });
  await settle();
  return { clock, seen, orchestrator, target, driver };
}

const config = (test_id: string, fields: Record<string, unknown>): MessageOf<"test_config"> => ({
  test_id, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 100_000, target_url: "http://target/ping", ...fields,
});

describe("a test that ends on its schedule", () => {
  test("duration_s 2 at 10/s sends 20, all before start + 2 s, and finishes without a stop", async () => {
    const { clock, seen, orchestrator, target } = await setup();
    await orchestrator.publish("test_config", config("t1", { duration_s: 2, target_throughput: 10 }));
    const startAt = clock.now() + 100;
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES", start_at: startAt });
    await clock.advanceUntil(() => seen.metrics.some((r) => r.final), 50);
    expect(target.sentAt.length).toBe(20);
    const lastSendAt = Math.max(...target.sentAt) + (clock.now() - clock.mono());
    expect(lastSendAt).toBeGreaterThanOrEqual(startAt + 1_900);
    expect(lastSendAt).toBeLessThan(startAt + 2_000);
    const final = seen.metrics.at(-1)!;
    expect(final.stopped).toBeUndefined();
    expect(final.counts).toMatchObject({ sent: 20, completed: 20 });
    expect(seen.driver_event.at(-1)).toMatchObject({ event: "TEST_FINISHED" });
    expect(seen.driver_event.at(-1)!.error).toBeUndefined();
  });

  test("stages [1 s → 100/s, 1 s → 0] send their integral, 100, paced (due latency measured), and finish without a stop", async () => {
    const { clock, seen, orchestrator, target } = await setup();
    await orchestrator.publish("test_config", config("t2", { stages: [{ duration_s: 1, target_throughput: 100 }, { duration_s: 1, target_throughput: 0 }] }));
    await orchestrator.publish("trigger", { test_id: "t2", trigger: "YES" });
    await clock.advanceUntil(() => seen.metrics.some((r) => r.final), 5);
    expect(target.sentAt.length).toBe(100);
    const final = seen.metrics.at(-1)!;
    expect(final.stopped).toBeUndefined();
    expect(final.counts).toMatchObject({ sent: 100, completed: 100 });
    expect(final.due_metrics).toBeDefined();
    expect(seen.driver_event.at(-1)!.error).toBeUndefined();
  });

  test("a duration test stopped by the driver's shutdown is still reported stopped", async () => {
    const { clock, seen, orchestrator, driver } = await setup();
    await orchestrator.publish("test_config", config("t3", { duration_s: 60, target_throughput: 10 }));
    await orchestrator.publish("trigger", { test_id: "t3", trigger: "YES" });
    await clock.advance(1_000);
    const stopped = driver.stop();
    await clock.advanceUntil(() => seen.metrics.some((r) => r.final), 50);
    await stopped;
    expect(seen.driver_event.at(-1)!.error).toMatch(/^stopped after \d+ of 100000 requests$/);
  });
});
