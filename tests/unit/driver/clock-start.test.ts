import { describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { createDriver } from "../../../src/driver/driver.ts";
import type { DriverEvent, Heartbeat, MessageOf, MetricsReport, TopicKey } from "../../../src/protocol/index.ts";
import { FakeClock, settle } from "./fake-clock.ts";
import { FakeTarget } from "./fake-target.ts";

/** The orchestrator's clock at fake mono 0; the driver's clock is this minus its skew. */
const ORCH_EPOCH = 1_800_000_000_000;

/** A driver whose clock is `skewMs` behind the orchestrator's (negative: ahead), on a memory bus. */
async function skewedDriver(skewMs: number, options: { correction?: boolean } = {}) {
  const clock = new FakeClock(ORCH_EPOCH - skewMs);
  const orchNow = () => ORCH_EPOCH + clock.mono();
  const broker = new MemoryBroker();
  const orchestrator = new MemoryBus(broker);
  const seen = { heartbeat: [] as Heartbeat[], metrics: [] as MetricsReport[], driver_event: [] as DriverEvent[] };
  for (const topic of Object.keys(seen) as (keyof typeof seen)[]) {
    await orchestrator.subscribe(topic, { mode: { kind: "broadcast" } }, (m: MessageOf<TopicKey>) => void (seen[topic] as unknown[]).push(m));
  }
  const target = new FakeTarget(clock);
  const driver = createDriver({ bus: new MemoryBus(broker), clock, fetch: target.fetch, nodeId: "d1", nodeIp: "10.0.0.7", clockCorrection: options.correction ?? true });
  await driver.start();
  await settle();
  /** Answers the latest heartbeat as the orchestrator would: received 2 ms after it was sent, answered 10 ms later. */
  const answer = async () => {
    const beat = seen.heartbeat.at(-1)!;
    await clock.advance(10);
    await orchestrator.publish("clock", { t3: orchNow(), samples: [{ node_id: "d1", t1: beat.timestamp, t2: beat.timestamp + skewMs + 2 }] });
    await settle();
  };
  const started = () => seen.driver_event.find((e) => e.event === "TEST_STARTED");
  const run = async (count = 3) => {
    await orchestrator.publish("test_config", { test_id: "t1", test_type: "TSUNAMI", test_message_delay: 100, message_count_per_driver: count, target_url: "http://target/ping" });
    const startAt = orchNow() + 250;
    await orchestrator.publish("trigger", { test_id: "t1", trigger: "YES", start_at: startAt });
    await clock.advanceUntil(() => seen.metrics.some((r) => r.final));
    return { startAt, sentAtOrch: target.sentAt.map((mono) => ORCH_EPOCH + mono), final: seen.metrics.find((r) => r.final)! };
  };
  return { clock, orchestrator, seen, target, driver, answer, started, run, orchNow };
}

describe("a driver's clock offset and its start", () => {
  test("a driver 1.5 s behind sends its first request at start_at on the orchestrator's clock, and reports it on that timeline", async () => {
    const d = await skewedDriver(1_500);
    await d.answer();
    const { startAt, sentAtOrch, final } = await d.run();
    // The offset error is (2 ms up − 0 down) / 2 = 1 ms; fake timers add at most 1 ms.
    expect(sentAtOrch[0]! - startAt).toBeGreaterThanOrEqual(-1);
    expect(sentAtOrch[0]! - startAt).toBeLessThanOrEqual(1);
    expect(sentAtOrch.map((t) => t - sentAtOrch[0]!)).toEqual([0, 100, 200]);
    expect({ offset: final.clock_offset_ms, corrected: final.clock_corrected }).toEqual({ offset: 1_501, corrected: true });
    expect(final.first_send_at_orchestrator! - final.first_send_at!).toBe(1_501);
    expect(Math.abs(final.first_send_at_orchestrator! - sentAtOrch[0]!)).toBeLessThanOrEqual(1);
    expect(d.started()).toMatchObject({ clock_offset_ms: 1_501, clock_corrected: true });
    expect(d.started()!.warning).toBeUndefined();
    await d.driver.stop();
  });

  test("a driver 1.5 s ahead waits for start_at instead of sending as soon as the trigger comes", async () => {
    const d = await skewedDriver(-1_500);
    await d.answer();
    const { startAt, sentAtOrch } = await d.run(1);
    expect(Math.abs(sentAtOrch[0]! - startAt)).toBeLessThanOrEqual(1);
    await d.driver.stop();
  });

  test("heartbeats carry the offset and its uncertainty (± delay / 2) once measured, and whether it is applied", async () => {
    const d = await skewedDriver(1_500);
    expect(d.seen.heartbeat[0]).toMatchObject({ clock_correction: true });
    expect(d.seen.heartbeat[0]!.clock_offset_ms).toBeUndefined();
    await d.answer();
    await d.clock.advance(1_000);
    expect(d.seen.heartbeat.at(-1)).toMatchObject({ clock_offset_ms: 1_501, clock_uncertainty_ms: 1, clock_correction: true });
    await d.driver.stop();
  });

  test("without an estimate the trigger waits for one, and starts corrected when it comes in time", async () => {
    const d = await skewedDriver(1_500);
    await d.orchestrator.publish("test_config", { test_id: "t1", test_type: "TSUNAMI", test_message_delay: 100, message_count_per_driver: 1, target_url: "http://target/ping" });
    const startAt = d.orchNow() + 250;
    await d.orchestrator.publish("trigger", { test_id: "t1", trigger: "YES", start_at: startAt });
    await d.clock.advance(1_000);
    expect(d.target.sentAt).toEqual([]);
    await d.answer();
    await d.clock.advanceUntil(() => d.target.sentAt.length > 0);
    // start_at has passed by the time the estimate came: it starts at once, and says it was corrected.
    expect(d.started()).toMatchObject({ clock_corrected: true });
    expect(d.started()!.warning).toBeUndefined();
    await d.driver.stop();
  });

  test("without an estimate for 3 s it starts on its own clock and TEST_STARTED says so", async () => {
    const d = await skewedDriver(1_500);
    const { sentAtOrch, final } = await d.run(1);
    // Waited the 3 s: start_at on its own clock (1.5 s behind) was long past.
    expect(sentAtOrch[0]! - ORCH_EPOCH).toBeGreaterThanOrEqual(3_000);
    expect(d.started()).toMatchObject({ clock_corrected: false });
    expect(d.started()!.warning).toContain("no clock offset estimate came in time");
    expect(final.clock_offset_ms).toBeUndefined();
    expect(final.first_send_at_orchestrator).toBeUndefined();
    await d.driver.stop();
  });

  test("--no-clock-correction: measured and reported, not applied; the late start shows on the orchestrator's timeline", async () => {
    const d = await skewedDriver(1_500, { correction: false });
    await d.answer();
    await d.clock.advance(1_000);
    expect(d.seen.heartbeat.at(-1)).toMatchObject({ clock_offset_ms: 1_501, clock_correction: false });
    const { startAt, sentAtOrch, final } = await d.run(1);
    expect(sentAtOrch[0]! - startAt).toBeGreaterThanOrEqual(1_500);
    expect(final).toMatchObject({ clock_offset_ms: 1_501, clock_corrected: false });
    expect(final.first_send_at_orchestrator! - startAt).toBeGreaterThanOrEqual(1_499);
    expect(d.started()!.warning).toContain("clock correction is off");
    await d.driver.stop();
  });

  test("a redelivered clock message and samples for other drivers are ignored; an impossible round trip is dropped", async () => {
    const d = await skewedDriver(0);
    const beat = d.seen.heartbeat[0]!;
    await d.clock.advance(10);
    const t3 = d.orchNow();
    await d.orchestrator.publish("clock", { t3, samples: [{ node_id: "other", t1: beat.timestamp, t2: beat.timestamp + 900 }] });
    // Answered 11 s after the beat: no measurement (an old message replayed looks like this).
    await d.orchestrator.publish("clock", { t3: t3 + 11_000, samples: [{ node_id: "d1", t1: beat.timestamp, t2: beat.timestamp + 2 }] });
    await d.clock.advance(1_000);
    expect(d.seen.heartbeat.at(-1)!.clock_offset_ms).toBeUndefined();
    const next = d.seen.heartbeat.at(-1)!;
    await d.clock.advance(10);
    const message = { t3: d.orchNow(), samples: [{ node_id: "d1", t1: next.timestamp, t2: next.timestamp + 2 }] };
    await d.orchestrator.publish("clock", message);
    // The same message again (Kafka redelivers): not a second sample.
    await d.orchestrator.publish("clock", message);
    await d.clock.advance(1_000);
    expect(d.seen.heartbeat.at(-1)).toMatchObject({ clock_offset_ms: 1 });
    await d.driver.stop();
  });

  test("follows an orchestrator whose clock went back (restarted elsewhere): no message is refused for an older t3", async () => {
    const d = await skewedDriver(0);
    await d.answer();
    await d.clock.advance(1_000);
    expect(d.seen.heartbeat.at(-1)!.clock_offset_ms).toBe(1);
    // From now on the orchestrator's clock reads 5 s behind what it did: t3 < every earlier t3.
    for (let i = 0; i < 9; i++) {
      const beat = d.seen.heartbeat.at(-1)!;
      await d.clock.advance(10);
      await d.orchestrator.publish("clock", { t3: d.orchNow() - 5_000, samples: [{ node_id: "d1", t1: beat.timestamp, t2: beat.timestamp - 5_000 + 2 }] });
      await d.clock.advance(1_990);
    }
    expect(d.seen.heartbeat.at(-1)!.clock_offset_ms).toBe(-4_999);
    await d.driver.stop();
  });
});
