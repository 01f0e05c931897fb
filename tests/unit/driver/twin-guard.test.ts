import { describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus } from "../../../src/bus/index.ts";
import { createDriver } from "../../../src/driver/driver.ts";
import { TWIN_WATCH_FALLBACK_MS } from "../../../src/driver/defaults.ts";
import { isYounger, TwinDetector } from "../../../src/driver/twin-guard.ts";
import type { DriverEvent, Register } from "../../../src/protocol/index.ts";
import { FakeClock, settle } from "./fake-clock.ts";
import { FakeTarget } from "./fake-target.ts";

const me = { nodeId: "d1", instanceId: "bbb", startedAt: 2_000 };
const beat = (node_id: string, instance_id?: string, started_at?: number) => ({
  node_id,
  ...(instance_id !== undefined ? { instance_id } : {}),
  ...(started_at !== undefined ? { started_at } : {}),
});

describe("twin detection", () => {
  test("the later start is the younger; at the same start the larger instance id; an instance without a start counts as older", () => {
    expect(isYounger(me, { instanceId: "aaa", startedAt: 1_000 })).toBe(true);
    expect(isYounger(me, { instanceId: "zzz", startedAt: 3_000 })).toBe(false);
    expect(isYounger(me, { instanceId: "aaa", startedAt: 2_000 })).toBe(true);
    expect(isYounger({ instanceId: "aaa", startedAt: 2_000 }, { instanceId: "bbb", startedAt: 2_000 })).toBe(false);
    expect(isYounger(me, { instanceId: "aaa", startedAt: null })).toBe(true);
  });

  test("judges only beats after its own first beat, once per other instance, and ignores other nodes and beats without instance_id", () => {
    const detector = new TwinDetector(me);
    expect(detector.observe(beat("d1", "aaa", 1_000))).toBeNull(); // before our own beat: a restarted process's predecessor
    expect(detector.observe(beat("d1", "bbb", 2_000))).toBeNull();
    expect(detector.observe(beat("d2", "ccc", 1_000))).toBeNull();
    expect(detector.observe(beat("d1"))).toBeNull();
    expect(detector.observe(beat("d1", "aaa", 1_000))).toEqual({ other: { instanceId: "aaa", startedAt: 1_000 }, mustExit: true });
    expect(detector.observe(beat("d1", "aaa", 1_000))).toBeNull();
    expect(detector.observe(beat("d1", "zzz", 9_000))).toEqual({ other: { instanceId: "zzz", startedAt: 9_000 }, mustExit: false });
  });
});

describe("two drivers with one node_id on one bus", () => {
  test("without an orchestrator: the younger one takes no more tests at once, keeps beating two intervals, then reports both instances and stops; the older one keeps running", async () => {
    const clock = new FakeClock();
    const broker = new MemoryBroker();
    const registers: Register[] = [];
    const answers: DriverEvent[] = [];
    const orchestrator = new MemoryBus(broker);
    await orchestrator.subscribe("register", { mode: { kind: "broadcast" } }, (m) => void registers.push(m));
    await orchestrator.subscribe("driver_event", { mode: { kind: "broadcast" } }, (m) => void answers.push(m));
    const target = new FakeTarget(clock);
    const messages: string[] = [];
    const older = createDriver({ bus: new MemoryBus(broker), clock, fetch: target.fetch, nodeId: "d1", nodeIp: "10.0.0.7", instanceId: "old1", onTwin: (m) => messages.push(`old: ${m}`) });
    await older.start();
    await clock.advance(500);
    const younger = createDriver({
      bus: new MemoryBus(broker),
      clock,
      fetch: target.fetch,
      nodeId: "d1",
      nodeIp: "10.0.0.8",
      instanceId: "new1",
      onTwin: (m) => {
        messages.push(`new: ${m}`);
        void younger.stop();
      },
    });
    await younger.start();
    await settle();
    // No orchestrator lists conflicts in clock messages: each driver reads the fleet's heartbeats
    // itself once TWIN_WATCH_FALLBACK_MS has passed since its start.
    await clock.advance(TWIN_WATCH_FALLBACK_MS);
    await settle();
    await clock.advance(1_000);
    await settle();
    // Found out, the younger one stands down: a configuration now is answered by the older one only.
    await orchestrator.publish("test_config", { test_id: "t1", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 1, target_url: "http://target/ping" });
    await settle();
    expect(answers.map((a) => [a.event, a.instance_id])).toEqual([["TEST_ACCEPTED", "old1"]]);
    expect(messages).toEqual([]);
    await clock.advance(2_000);
    await settle();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^new: node id "d1" is already used by another running driver \(instance old1, started .+\); this driver \(instance new1, started .+\) is the newer one and exits\. Give each driver its own --node-id\.$/);
    expect(registers.map((r) => [r.message_type, r.instance_id])).toEqual([
      ["DRIVER_NODE_REGISTER", "old1"],
      ["DRIVER_NODE_REGISTER", "new1"],
      ["DRIVER_NODE_DEREGISTER", "new1"],
    ]);
    expect(older.status().state).toBe("idle");
  });
});
