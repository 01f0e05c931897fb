import { describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus, type Bus } from "../../../src/bus/index.ts";
import { createDriver } from "../../../src/driver/driver.ts";
import { TWIN_WATCH_FALLBACK_MS } from "../../../src/driver/defaults.ts";
import { TwinDetector } from "../../../src/driver/twin-guard.ts";
import type { ClockTwin, DriverEvent, TopicKey } from "../../../src/protocol/index.ts";
import { FakeClock, settle } from "./fake-clock.ts";
import { FakeTarget } from "./fake-target.ts";

/** `bus`, noting every topic something subscribes to through it. */
function recording(bus: MemoryBus, topics: TopicKey[]): Bus {
  return {
    publish: (topic, message) => bus.publish(topic, message),
    publishRaw: (topic, raw) => bus.publishRaw(topic, raw),
    subscribe: (topic, options, handler) => {
      topics.push(topic);
      return bus.subscribe(topic, options, handler);
    },
    subscribeAll: (list, options) => {
      topics.push(...list.map((t) => t.topic));
      return bus.subscribeAll(list, options);
    },
    rejected: () => bus.rejected(),
    close: () => bus.close(),
  };
}

const twin = (node_id: string, ...instances: [string, number | null][]): ClockTwin => ({
  node_id,
  instances: instances.map(([instance_id, started_at]) => ({ instance_id, started_at })),
});

describe("TwinDetector.fromTwins (the orchestrator's list)", () => {
  test("a verdict per other instance listed with this process, once each; lists without this process or node are about others", () => {
    const detector = new TwinDetector({ nodeId: "d1", instanceId: "bbb", startedAt: 2_000 });
    expect(detector.fromTwins([twin("d2", ["bbb", 2_000], ["ccc", 1_000])])).toEqual([]);
    // A conflict between a predecessor of ours and someone else: not about this process.
    expect(detector.fromTwins([twin("d1", ["aaa", 1_000], ["zzz", 3_000])])).toEqual([]);
    expect(detector.fromTwins([twin("d1", ["aaa", 1_000], ["bbb", 2_000])])).toEqual([{ other: { instanceId: "aaa", startedAt: 1_000 }, mustExit: true }]);
    expect(detector.fromTwins([twin("d1", ["aaa", 1_000], ["bbb", 2_000])])).toEqual([]);
    expect(detector.fromTwins([twin("d1", ["bbb", 2_000], ["zzz", 9_000], ["yyy", null])])).toEqual([
      { other: { instanceId: "zzz", startedAt: 9_000 }, mustExit: false },
      { other: { instanceId: "yyy", startedAt: null }, mustExit: true },
    ]);
  });
});

describe("a driver's twin watch", () => {
  test("with an orchestrator listing conflicts in its clock messages, the younger twin stands down and exits, the older one runs on, and neither reads the fleet's heartbeats", async () => {
    const clock = new FakeClock();
    const broker = new MemoryBroker();
    const orchestrator = new MemoryBus(broker);
    const answers: DriverEvent[] = [];
    await orchestrator.subscribe("driver_event", { mode: { kind: "broadcast" } }, (m) => void answers.push(m));
    const target = new FakeTarget(clock);
    const topics: TopicKey[] = [];
    const exits: string[] = [];
    const older = createDriver({ bus: recording(new MemoryBus(broker), topics), clock, fetch: target.fetch, nodeId: "d1", nodeIp: "10.0.0.7", instanceId: "old1" });
    await older.start();
    await clock.advance(500);
    const younger = createDriver({
      bus: recording(new MemoryBus(broker), topics),
      clock,
      fetch: target.fetch,
      nodeId: "d1",
      nodeIp: "10.0.0.8",
      instanceId: "new1",
      onTwin: (m) => {
        exits.push(m);
        void younger.stop();
      },
    });
    await younger.start();
    const startedAt = clock.now();
    // The orchestrator answers the heartbeats (no conflict yet), then sees both instances beat.
    await orchestrator.publish("clock", { t3: clock.now(), samples: [], twins: [] });
    await settle();
    await clock.advance(TWIN_WATCH_FALLBACK_MS);
    await orchestrator.publish("clock", { t3: clock.now(), samples: [], twins: [twin("d1", ["new1", startedAt], ["old1", startedAt - 500])] });
    await settle();
    await orchestrator.publish("test_config", { test_id: "t1", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 1, target_url: "http://target/ping" });
    await settle();
    expect(answers.map((a) => [a.event, a.instance_id])).toEqual([["TEST_ACCEPTED", "old1"]]);
    await clock.advance(2_000);
    await settle();
    expect(exits).toHaveLength(1);
    expect(exits[0]).toMatch(/^node id "d1" is already used by another running driver \(instance old1, started .+\); this driver \(instance new1, started .+\) is the newer one and exits\./);
    expect(younger.status().state).toBe("idle");
    expect(topics).not.toContain("heartbeat");
    expect(topics.filter((t) => t === "clock")).toHaveLength(2);
    await older.stop();
  });

  test("without clock messages that list conflicts (no orchestrator, or an older one) a driver reads the heartbeats after TWIN_WATCH_FALLBACK_MS, and only then", async () => {
    const clock = new FakeClock();
    const broker = new MemoryBroker();
    const orchestrator = new MemoryBus(broker);
    const topics: TopicKey[] = [];
    const driver = createDriver({ bus: recording(new MemoryBus(broker), topics), clock, fetch: new FakeTarget(clock).fetch, nodeId: "d1", nodeIp: "10.0.0.7" });
    await driver.start();
    // An older orchestrator's clock message has no `twins`: it says nothing about watching.
    await orchestrator.publish("clock", { t3: clock.now(), samples: [] });
    await settle();
    await clock.advance(TWIN_WATCH_FALLBACK_MS - 1);
    await settle();
    expect(topics).not.toContain("heartbeat");
    await clock.advance(1);
    await settle();
    expect(topics.filter((t) => t === "heartbeat")).toHaveLength(1);
    await driver.stop();
  });
});
