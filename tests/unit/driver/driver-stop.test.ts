import { describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { createDriver } from "../../../src/driver/driver.ts";
import type { DriverEvent, MessageOf, MetricsReport } from "../../../src/protocol/index.ts";
import { FakeClock, settle } from "./fake-clock.ts";
import { FakeTarget } from "./fake-target.ts";

async function setup() {
  const clock = new FakeClock();
  const broker = new MemoryBroker();
  const orchestrator = new MemoryBus(broker);
  const seen = { metrics: [] as MetricsReport[], events: [] as DriverEvent[] };
  await orchestrator.subscribe("metrics", { mode: { kind: "collect", group: "o" } }, (m) => void seen.metrics.push(m));
  await orchestrator.subscribe("driver_event", { mode: { kind: "collect", group: "o" } }, (m) => void seen.events.push(m));
  const target = new FakeTarget(clock);
  const driver = createDriver({ bus: new MemoryBus(broker), clock, fetch: target.fetch, nodeId: "d1", nodeIp: "10.0.0.7" });
  await driver.start();
  await settle();
  const stop = (test_id: string, stop_grace_ms = 500, reason = "stopped by the user") =>
    orchestrator.publish("stop", { test_id, stop: "YES", reason, stop_grace_ms, timestamp: clock.now() });
  return { clock, orchestrator, seen, target, driver, stop, events: () => seen.events.map((e) => `${e.test_id}:${e.event}`) };
}

const config = (test_id: string, fields: Record<string, unknown> = {}): MessageOf<"test_config"> => ({
  test_id, test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 1_000, target_url: "http://target/ping", ...fields,
});

describe("a driver told to stop", () => {
  test("stops sending at once, aborts what is still in flight after the grace, and sends its final report with the reason", async () => {
    const { clock, orchestrator, seen, target, driver, stop, events } = await setup();
    target.hold = true;
    await orchestrator.publish("test_config", config("t1"));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(95);
    const sentBefore = target.sentAt.length;
    expect(sentBefore).toBe(10);
    target.release(4);
    await stop("t1", 500, "wrong target");
    await clock.advance(400);
    expect(target.sentAt.length).toBe(sentBefore);
    expect(driver.status()).toMatchObject({ state: "running", testId: "t1" });
    await clock.advanceUntil(() => seen.metrics.some((r) => r.final), 10);
    const final = seen.metrics.find((r) => r.final)!;
    expect(final.counts).toMatchObject({ sent: 10, completed: 4, stopped: 6 });
    expect(final.stopped).toBe("wrong target (stopped after 10 of 1000 requests, 6 in flight aborted)");
    expect(events()).toEqual(["t1:TEST_ACCEPTED", "t1:TEST_STARTED", "t1:TEST_FINISHED"]);
    expect(driver.status().state).toBe("idle");
    // A repeated stop (the orchestrator repeats it while heartbeats lag) changes nothing.
    await stop("t1");
    await clock.advance(1_000);
    expect(seen.metrics.filter((r) => r.final).length).toBe(1);
  });

  test("forgets an accepted test that was not triggered and rejects its later trigger with the reason", async () => {
    const { clock, orchestrator, target, stop, events, seen } = await setup();
    await orchestrator.publish("test_config", config("t1"));
    await stop("t1", 0, "cancelled");
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(1_000);
    expect(target.sentAt.length).toBe(0);
    expect(events()).toEqual(["t1:TEST_ACCEPTED", "t1:TEST_REJECTED"]);
    expect(seen.events.at(-1)!.error).toContain("the test was stopped: cancelled");
  });

  test("a stop before the configuration makes the driver reject that configuration", async () => {
    const { clock, orchestrator, target, stop, events } = await setup();
    await stop("t2", 0, "cancelled");
    await orchestrator.publish("test_config", config("t2"));
    await orchestrator.publish("trigger", { test_id: "t2", trigger: "YES" });
    await clock.advance(1_000);
    expect(target.sentAt.length).toBe(0);
    expect(events()).toEqual(["t2:TEST_REJECTED", "t2:TEST_REJECTED"]);
  });

  test("a stop for another test leaves the running one alone", async () => {
    const { clock, orchestrator, seen, target, stop } = await setup();
    await orchestrator.publish("test_config", config("t1", { message_count_per_driver: 20 }));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(50);
    await stop("other");
    await clock.advanceUntil(() => seen.metrics.some((r) => r.final), 10);
    expect(target.sentAt.length).toBe(20);
    expect(seen.metrics.find((r) => r.final)).toMatchObject({ counts: { sent: 20, completed: 20 } });
    expect(seen.metrics.find((r) => r.final)!.stopped).toBeUndefined();
  });

  test("a trigger that comes while the running test is being stopped starts once that test has ended, instead of being refused as busy", async () => {
    const { clock, orchestrator, seen, target, stop, events } = await setup();
    target.hold = true;
    await orchestrator.publish("test_config", config("t1"));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(45);
    await stop("t1", 500, "orchestrator restarted");
    // The orchestrator, which no longer runs t1, starts the next test within t1's grace.
    await orchestrator.publish("test_config", config("t2", { message_count_per_driver: 5 }));
    await orchestrator.publish("trigger", { test_id: "t2", trigger: "YES" });
    await clock.advance(100);
    expect(events()).toEqual(["t1:TEST_ACCEPTED", "t1:TEST_STARTED", "t2:TEST_ACCEPTED"]);
    target.hold = false;
    await clock.advanceUntil(() => seen.metrics.some((r) => r.final && r.test_id === "t2"), 10);
    expect(events()).toEqual(["t1:TEST_ACCEPTED", "t1:TEST_STARTED", "t2:TEST_ACCEPTED", "t1:TEST_FINISHED", "t2:TEST_STARTED", "t2:TEST_FINISHED"]);
    expect(seen.metrics.filter((r) => r.final).map((r) => [r.test_id, r.counts!.sent, r.counts!.completed, r.counts!.stopped ?? 0])).toEqual([
      ["t1", 5, 0, 5],
      ["t2", 5, 5, 0],
    ]);
  });

  test("a test stopped while it waited for the one being stopped is refused with the stop's reason", async () => {
    const { clock, orchestrator, target, stop, events, seen } = await setup();
    target.hold = true;
    await orchestrator.publish("test_config", config("t1"));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(45);
    await stop("t1", 500);
    await orchestrator.publish("test_config", config("t2", { message_count_per_driver: 5 }));
    await orchestrator.publish("trigger", { test_id: "t2", trigger: "YES" });
    await stop("t2", 0, "cancelled");
    await clock.advance(1_000);
    expect(events()).toEqual(["t1:TEST_ACCEPTED", "t1:TEST_STARTED", "t2:TEST_ACCEPTED", "t1:TEST_FINISHED", "t2:TEST_REJECTED"]);
    expect(seen.events.at(-1)!.error).toContain("the test was stopped: cancelled");
    expect(target.sentAt.length).toBe(5);
  });

  test("a trigger that comes while a test runs and was not told to stop is still refused as busy", async () => {
    const { clock, orchestrator, target, events, seen } = await setup();
    target.hold = true;
    await orchestrator.publish("test_config", config("t1"));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(45);
    await orchestrator.publish("test_config", config("t2", { message_count_per_driver: 5 }));
    await orchestrator.publish("trigger", { test_id: "t2", trigger: "YES" });
    await clock.advance(10);
    expect(events()).toEqual(["t1:TEST_ACCEPTED", "t1:TEST_STARTED", "t2:TEST_ACCEPTED", "t2:TEST_REJECTED"]);
    expect(seen.events.at(-1)!.error).toContain("driver is busy with test t1");
  });

  test("a TSUNAMI run far past its planned end stops itself, as a driver that missed every stop must", async () => {
    const { clock, orchestrator, seen, target } = await setup();
    target.hold = true;
    // 11 sends 10 ms apart (100 ms of schedule), one slot, answers that never come: the schedule stalls.
    // Limit: 3 × 100 ms + the 600 s timeout + 60 s.
    await orchestrator.publish("test_config", config("t1", { message_count_per_driver: 11, concurrency: 1, timeout_ms: 600_000 }));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(660_000);
    expect(seen.metrics.some((r) => r.final)).toBe(false);
    await clock.advanceUntil(() => seen.metrics.some((r) => r.final), 100);
    const final = seen.metrics.find((r) => r.final)!;
    expect(final.counts).toMatchObject({ sent: 2, timeout: 1, stopped: 1 });
    expect(final.stopped).toBe("ran past its planned end (100 ms of schedule, stopped after 660300 ms) (stopped after 2 of 11 requests, 1 in flight aborted)");
    expect(clock.mono()).toBeLessThan(660_300 + 2_000 + 1_000);
  });
});
