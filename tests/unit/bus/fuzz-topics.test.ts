/**
 * Every topic fuzzed through the memory bus with 10,000 seeded bad messages (not JSON, wrong
 * types, missing fields, huge values), plus unknown test ids, forged node ids and replayed,
 * out-of-order reports: no handler throws, every rejection is counted, and a test running
 * meanwhile ends with exact totals. Failures reproduce from FUZZ_SEED (printed on failure).
 * The same messages go through the real broker in tests/fault/fuzz-kafka.test.ts.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { createDriver } from "../../../src/driver/driver.ts";
import type { MetricsReport } from "../../../src/protocol/index.ts";
import { DRIVER_TOPICS, malformed, ORCHESTRATOR_TOPICS } from "../../fault/helpers/malformed.ts";
import { waitFor } from "../../helpers/wait.ts";
import { FakeClock, settle } from "../driver/fake-clock.ts";
import { FakeTarget } from "../driver/fake-target.ts";
import { FakeDriverReports, spread, startHarness } from "../orchestrator/fixtures.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout (5 s default); 60,000 decodes take a few seconds on a busy machine.
setDefaultTimeout(60_000);

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_124);
const PER_TOPIC = 10_000;
/** Over the bus's 1 MB limit: the memory bus has no broker limit, so the decoder's own is tested. */
const HUGE_BYTES = 1_100_000;

describe(`fuzzed topics over the memory bus (FUZZ_SEED=${SEED})`, () => {
  test("the orchestrator rejects and counts 10,000 bad messages on each of its topics while a test runs to exact totals", async () => {
    const harness = await startHarness({ ids: ["t1"] });
    try {
      const { orchestrator, drivers, join } = harness;
      await join("d1");
      await join("d2");
      await orchestrator.createTest({ test_type: "AVALANCHE", message_count_per_driver: 600, target_url: "http://127.0.0.1:8080/ping", trigger: true });
      const real = [new FakeDriverReports("d1", "t1"), new FakeDriverReports("d2", "t1")];
      const sentReports: MetricsReport[] = [];
      const stranger = new FakeDriverReports("stranger", "t1").window(spread(10, 1, 2));
      const bad = Object.fromEntries(ORCHESTRATOR_TOPICS.map((topic, i) => [topic, malformed(topic, PER_TOPIC, SEED + i, HUGE_BYTES)]));

      let unknownTest = 0;
      let notParticipant = 0;
      for (let i = 0; i < PER_TOPIC; i++) {
        for (const topic of ORCHESTRATOR_TOPICS) await drivers.publishRaw(topic, bad[topic]![i]!);
        if (i % 2_000 === 1_000) {
          // The real test goes on in between: each driver sends 100 more (5 times, then a final 100).
          for (const r of real) {
            const report = r.window(spread(100, 1, 5));
            sentReports.push(report);
            await drivers.publish("metrics", report);
          }
        }
        if (i % 100 === 0) {
          // Valid but not for us: an unknown test, and a node that is not a participant.
          await drivers.publish("metrics", { ...stranger, node_id: "d1", test_id: `ghost-${i}`, report_id: `ghost-${i}` });
          await drivers.publish("driver_event", { node_id: "d1", test_id: `ghost-${i}`, event: "TEST_STARTED" });
          unknownTest += 2;
          await drivers.publish("metrics", { ...stranger, node_id: `forged-${i}`, report_id: `forged-${i}` });
          notParticipant++;
        }
      }
      // Replays, newest first (out of order): each counted once.
      for (const report of [...sentReports].reverse()) await drivers.publish("metrics", report);
      await waitFor("every bad message to be handled", () => orchestrator.counters().bus_rejected.driver_event === PER_TOPIC, { timeoutMs: 60_000 });

      for (const r of real) await drivers.publish("metrics", r.window(spread(100, 1, 5), { final: true }));
      const done = await waitFor("the test to end", () => (orchestrator.getTest("t1")!.state === "running" ? null : orchestrator.getTest("t1")));
      expect({ state: done.state, sent: done.metrics.counts.sent, per_driver: done.per_driver.map((d) => d.counts.sent) }).toEqual({
        state: "done",
        sent: 1_200,
        per_driver: [600, 600],
      });
      expect(orchestrator.counters()).toEqual({
        bus_rejected: Object.fromEntries(ORCHESTRATOR_TOPICS.map((topic) => [topic, PER_TOPIC])),
        dropped: { unknown_test: unknownTest, not_participant: notParticipant, duplicate_report: sentReports.length, after_end: 0, handler_error: 0 },
      });
      // Nothing the fuzzer sent became a node.
      expect(orchestrator.listNodes().map((n) => n.node_id)).toEqual(["d1", "d2"]);
    } finally {
      await harness.stop();
    }
  });

  test("a driver rejects and counts 10,000 bad configurations, triggers and stops, ignores valid ones not for it, then runs a test exactly", async () => {
    const clock = new FakeClock();
    const broker = new MemoryBroker();
    const bus = new MemoryBus(broker);
    const orchestrator = new MemoryBus(broker);
    const target = new FakeTarget(clock);
    const finals: MetricsReport[] = [];
    await orchestrator.subscribe("metrics", { mode: { kind: "collect", group: "o" } }, (m) => void (m.final && finals.push(m)));
    const driver = createDriver({ bus, clock, fetch: target.fetch, nodeId: "d1", nodeIp: "10.0.0.7" });
    await driver.start();
    try {
      const bad = Object.fromEntries(DRIVER_TOPICS.map((topic, i) => [topic, malformed(topic, PER_TOPIC, SEED + 100 + i, HUGE_BYTES)]));
      for (let i = 0; i < PER_TOPIC; i++) {
        for (const topic of DRIVER_TOPICS) await orchestrator.publishRaw(topic, bad[topic]![i]!);
        if (i % 500 === 0) {
          await orchestrator.publish("test_config", { test_id: `other-${i}`, test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 5, target_url: "http://x/ping", drivers: ["d9"] });
          await orchestrator.publish("trigger", { test_id: `never-configured-${i}`, trigger: "YES" });
        }
      }
      await waitFor("every bad message to be handled", () => bus.rejected().trigger === PER_TOPIC && bus.rejected().stop === PER_TOPIC, { timeoutMs: 60_000 });
      expect(bus.rejected()).toEqual({ test_config: PER_TOPIC, trigger: PER_TOPIC, stop: PER_TOPIC });
      expect({ sent: target.sentAt.length, status: driver.status().state }).toEqual({ sent: 0, status: "idle" });

      await orchestrator.publish("test_config", { test_id: "real", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 30, target_url: "http://target/ping" });
      await orchestrator.publish("trigger", { test_id: "real", trigger: "YES" });
      await clock.advanceUntil(() => finals.length > 0, 10);
      await settle();
      expect({ requests: target.sentAt.length, final: finals.map((r) => [r.test_id, r.counts?.sent]) }).toEqual({ requests: 30, final: [["real", 30]] });
    } finally {
      await driver.stop();
      await bus.close();
      await orchestrator.close();
    }
  });
});
