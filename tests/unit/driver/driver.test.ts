import { describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus, type Bus } from "../../../src/bus/index.ts";
import { createDriver } from "../../../src/driver/driver.ts";
import type { DriverEvent, Heartbeat, MessageOf, MetricsReport, Register, TopicKey } from "../../../src/protocol/index.ts";
import { FakeClock, settle } from "./fake-clock.ts";
import { FakeTarget } from "./fake-target.ts";

/** Everything published on the broker, by topic. */
async function record(broker: MemoryBroker) {
  const bus = new MemoryBus(broker);
  const seen = { register: [] as Register[], heartbeat: [] as Heartbeat[], metrics: [] as MetricsReport[], driver_event: [] as DriverEvent[] };
  for (const topic of Object.keys(seen) as (keyof typeof seen)[]) {
    await bus.subscribe(topic, { mode: { kind: "broadcast" } }, (m: MessageOf<TopicKey>) => void (seen[topic] as unknown[]).push(m));
  }
  return seen;
}

async function setup(options: { bus?: (bus: MemoryBus) => Bus } = {}) {
  const clock = new FakeClock();
  const broker = new MemoryBroker();
  const seen = await record(broker);
  const orchestrator = new MemoryBus(broker);
  const target = new FakeTarget(clock);
  const bus = options.bus ? options.bus(new MemoryBus(broker)) : new MemoryBus(broker);
  const driver = createDriver({ bus, clock, fetch: target.fetch, nodeId: "d1", nodeIp: "10.0.0.7", instanceId: "i1" });
  await driver.start();
  await settle();
  // The orchestrator's answer to the first heartbeat: a zero clock offset, so starts are as on the wire.
  const beat = seen.heartbeat[0];
  if (beat) await orchestrator.publish("clock", { t3: clock.now(), samples: [{ node_id: "d1", t1: beat.timestamp, t2: clock.now() }] });
  await settle();
  const events = () => seen.driver_event.map((e) => `${e.test_id}:${e.event}`);
  return { clock, seen, orchestrator, target, driver, events };
}

const config = (test_id: string, fields: Record<string, unknown> = {}): MessageOf<"test_config"> => ({
  test_id, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 10, target_url: "http://target/ping", ...fields,
});

describe("createDriver", () => {
  test("registers with its address, then heartbeats every second while idle and running", async () => {
    const { clock, seen, orchestrator, target } = await setup();
    expect(seen.register).toMatchObject([{ node_id: "d1", node_IP: "10.0.0.7", message_type: "DRIVER_NODE_REGISTER" }]);
    expect(seen.heartbeat).toMatchObject([{ node_id: "d1", heartbeat: "YES", state: "idle", node_IP: "10.0.0.7", timestamp: clock.now() }]);
    await clock.advance(2_000);
    expect(seen.heartbeat.length).toBe(3);
    target.hold = true;
    await orchestrator.publish("test_config", config("t1"));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(1_000);
    expect(seen.heartbeat.at(-1)).toMatchObject({ state: "running", test_id: "t1" });
  });

  test("runs a configured test on its trigger: exactly N requests, reports each second, final last", async () => {
    const { clock, seen, orchestrator, target, events } = await setup();
    await orchestrator.publish("test_config", config("t1", { message_count_per_driver: 30, target_throughput: 10 }));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advanceUntil(() => seen.metrics.some((r) => r.final), 100);
    expect(target.sentAt.length).toBe(30);
    expect(events()).toEqual(["t1:TEST_ACCEPTED", "t1:TEST_STARTED", "t1:TEST_FINISHED"]);
    const reports = seen.metrics;
    expect(reports.map((r) => r.sequence)).toEqual(reports.map((_, i) => i));
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(reports.filter((r) => r.final).length).toBe(1);
    expect(reports.at(-1)).toMatchObject({ final: true, report_id: `d1:i1:t1:${reports.length - 1}`, instance_id: "i1", counts: { sent: 30, completed: 30, status_2xx: 30 } });
    expect(reports.reduce((sum, r) => sum + r.window!.counts.sent, 0)).toBe(30);
  });

  test("holds a trigger that comes before its configuration for 30 s, then answers it TEST_REJECTED with the reason", async () => {
    const { clock, orchestrator, target, events } = await setup();
    await orchestrator.publish("trigger", { test_id: "early", trigger: "YES" });
    await orchestrator.publish("trigger", { test_id: "stale", trigger: "YES" });
    await clock.advance(29_000);
    await orchestrator.publish("test_config", config("early", { message_count_per_driver: 3 }));
    await clock.advanceUntil(() => events().includes("early:TEST_FINISHED"));
    expect(target.sentAt.length).toBe(3);
    await clock.advance(2_000);
    await orchestrator.publish("test_config", config("stale", { message_count_per_driver: 3 }));
    await clock.advance(5_000);
    expect(events()).toEqual(["early:TEST_ACCEPTED", "early:TEST_STARTED", "early:TEST_FINISHED", "stale:TEST_REJECTED", "stale:TEST_ACCEPTED"]);
  });

  test("ignores a configuration whose driver list leaves it out", async () => {
    const { clock, orchestrator, events } = await setup();
    await orchestrator.publish("test_config", config("other", { drivers: ["d2", "d3"] }));
    await orchestrator.publish("test_config", config("mine", { drivers: ["d2", "d1"] }));
    await clock.advance(10);
    expect(events()).toEqual(["mine:TEST_ACCEPTED"]);
  });

  test("rejects a configuration it cannot run, with every issue", async () => {
    const { clock, seen, orchestrator } = await setup();
    await orchestrator.publish("test_config", config("bad", { test_type: "TSUNAMI", target_url: undefined }));
    await clock.advance(10);
    expect(seen.driver_event).toMatchObject([
      {
        test_id: "bad",
        event: "TEST_REJECTED",
        issues: [
          { path: "target_url", message: expect.stringContaining("required") },
          { path: "test_message_delay", message: expect.stringContaining("positive delay") },
        ],
      },
    ]);
  });

  test("keeps every accepted configuration: created A, created B, triggered A runs A, then B on its trigger", async () => {
    const { clock, orchestrator, target, events } = await setup();
    await orchestrator.publish("test_config", config("a", { message_count_per_driver: 2 }));
    await orchestrator.publish("test_config", config("b", { message_count_per_driver: 3 }));
    await orchestrator.publish("trigger", { test_id: "a", trigger: "YES" });
    await clock.advanceUntil(() => events().includes("a:TEST_FINISHED"));
    expect(target.sentAt.length).toBe(2);
    await orchestrator.publish("trigger", { test_id: "b", trigger: "YES" });
    await clock.advanceUntil(() => events().includes("b:TEST_FINISHED"));
    expect(target.sentAt.length).toBe(5);
    expect(events()).toEqual(["a:TEST_ACCEPTED", "b:TEST_ACCEPTED", "a:TEST_STARTED", "a:TEST_FINISHED", "b:TEST_STARTED", "b:TEST_FINISHED"]);
  });

  test("accepts a configuration that arrives while another test runs, and runs it when triggered after", async () => {
    const { clock, orchestrator, target, events } = await setup();
    target.hold = true;
    await orchestrator.publish("test_config", config("t1", { message_count_per_driver: 2 }));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await orchestrator.publish("test_config", config("t2", { message_count_per_driver: 2 }));
    await clock.advance(10);
    expect(events()).toEqual(["t1:TEST_ACCEPTED", "t1:TEST_STARTED", "t2:TEST_ACCEPTED"]);
    target.hold = false;
    target.release();
    await clock.advanceUntil(() => events().includes("t1:TEST_FINISHED"));
    await orchestrator.publish("trigger", { test_id: "t2", trigger: "YES" });
    await clock.advanceUntil(() => events().includes("t2:TEST_FINISHED"));
    expect(target.sentAt.length).toBe(4);
  });

  test("refuses a trigger while another test runs, naming the busy test", async () => {
    const { clock, seen, orchestrator, target } = await setup();
    target.hold = true;
    await orchestrator.publish("test_config", config("t1"));
    await orchestrator.publish("test_config", config("t2"));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await orchestrator.publish("trigger", { test_id: "t2", trigger: "YES" });
    await clock.advance(10);
    expect(seen.driver_event.at(-1)).toMatchObject({ test_id: "t2", event: "TEST_REJECTED", issues: [{ path: "test_id", message: "driver is busy with test t1" }] });
    expect(target.sentAt.length).toBe(10);
  });

  test("never sends before the trigger's start_at", async () => {
    const { clock, orchestrator, target } = await setup();
    await orchestrator.publish("test_config", config("t1", { message_count_per_driver: 2 }));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES", start_at: clock.now() + 1_500 });
    await clock.advance(1_499);
    expect(target.sentAt).toEqual([]);
    await clock.advance(1);
    expect(target.sentAt).toEqual([1_500, 1_500]);
  });

  test("ignores a repeated trigger and a redelivered configuration of a finished test", async () => {
    const { clock, orchestrator, target, events } = await setup();
    await orchestrator.publish("test_config", config("t1", { message_count_per_driver: 2 }));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advanceUntil(() => events().includes("t1:TEST_FINISHED"));
    await orchestrator.publish("test_config", config("t1", { message_count_per_driver: 2 }));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(2_000);
    expect(target.sentAt.length).toBe(2);
    expect(events()).toEqual(["t1:TEST_ACCEPTED", "t1:TEST_STARTED", "t1:TEST_FINISHED"]);
  });

  test("stop() mid-test publishes a final report that accounts for every send, then deregisters", async () => {
    const { clock, seen, orchestrator, target, driver, events } = await setup();
    await orchestrator.publish("test_config", config("t1", { test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 1_000 }));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(1_234);
    target.hold = true;
    await clock.advance(30);
    const stopped = driver.stop();
    target.release();
    await clock.advanceUntil(() => seen.register.length === 2);
    await stopped;
    const final = seen.metrics.at(-1)!;
    const c = final.counts!;
    expect(final.final).toBe(true);
    expect(c.sent).toBe(target.sentAt.length);
    expect(c.sent).toBeLessThan(1_000);
    expect(c.sent).toBe(c.completed + c.timeout + c.connection_error);
    expect(seen.driver_event.at(-1)).toMatchObject({ event: "TEST_FINISHED", error: `stopped after ${c.sent} of 1000 requests` });
    expect(events().at(-1)).toBe("t1:TEST_FINISHED");
    expect(seen.register.at(-1)).toMatchObject({ message_type: "DRIVER_NODE_DEREGISTER", node_id: "d1" });
  });

  test("keeps testing while the bus refuses reports, then delivers every one in order", async () => {
    let down = false;
    const { clock, seen, orchestrator, target } = await setup({
      bus: (inner) => ({
        publish: <T extends TopicKey>(topic: T, message: MessageOf<T>) =>
          down && topic === "metrics" ? Promise.reject(new Error("broker down")) : inner.publish(topic, message),
        subscribe: (topic, opts, handler) => inner.subscribe(topic, opts, handler),
        publishRaw: (topic, raw) => inner.publishRaw(topic, raw),
        rejected: () => inner.rejected(),
        close: () => inner.close(),
      }),
    });
    await orchestrator.publish("test_config", config("t1", { message_count_per_driver: 50, target_throughput: 10 }));
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES" });
    await clock.advance(1_500);
    down = true;
    // The test needs 5 s at 10/s: it runs to the end with its reports stuck in the outbox.
    await clock.advance(8_000);
    expect(target.sentAt.length).toBe(50);
    expect(seen.metrics.some((r) => r.final)).toBe(false);
    down = false;
    await clock.advanceUntil(() => seen.metrics.some((r) => r.final), 100);
    expect(seen.metrics.map((r) => r.sequence)).toEqual(seen.metrics.map((_, i) => i));
    expect(seen.metrics.at(-1)!.counts).toMatchObject({ sent: 50, completed: 50 });
  });
});
