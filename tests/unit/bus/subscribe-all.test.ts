import { describe, expect, test } from "bun:test";
import { MemoryBroker, MemoryBus, onTopic, subscribeTopics, type Bus } from "../../../src/bus/index.ts";
import { addTopic, applyResets, newSlot } from "../../../src/bus/kafka-consumer.ts";

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("subscribeAll on the memory bus", () => {
  test("each topic's messages go to its own handler, as with one subscribe per topic; repeated or no topics are refused", async () => {
    const broker = new MemoryBroker();
    const bus = new MemoryBus(broker);
    const publisher = new MemoryBus(broker);
    const got: string[] = [];
    await bus.subscribeAll([onTopic("trigger", (m) => void got.push(`trigger:${m.test_id}`)), onTopic("stop", (m) => void got.push(`stop:${m.test_id}`))], { mode: { kind: "broadcast" } });
    await publisher.publish("trigger", { test_id: "t1", trigger: "YES" });
    await publisher.publish("stop", { test_id: "t2", stop: "YES", reason: "r", stop_grace_ms: 0 });
    await settle();
    expect(got).toEqual(["trigger:t1", "stop:t2"]);
    await expect(bus.subscribeAll([onTopic("trigger", () => {}), onTopic("trigger", () => {})], { mode: { kind: "broadcast" } })).rejects.toThrow("distinct topics");
    await expect(bus.subscribeAll([], { mode: { kind: "broadcast" } })).rejects.toThrow("distinct topics");
  });

  test("subscribeTopics falls back to one subscribe per topic on a bus without subscribeAll", async () => {
    const subscribed: string[] = [];
    const bus: Pick<Bus, "subscribe" | "subscribeAll"> = {
      subscribe: async (topic) => void subscribed.push(topic),
    };
    await subscribeTopics(bus, [onTopic("trigger", () => {}), onTopic("clock", () => {})], { mode: { kind: "broadcast" } });
    expect(subscribed).toEqual(["trigger", "clock"]);
  });
});

describe("applyResets (a consumer of several topics restarted after one was recreated)", () => {
  const slotWith = (broadcast: boolean) => {
    const slot = newSlot(broadcast ? "p-driver-a-trigger-stop-0a1b2c3d" : "p-orchestrator-trigger-stop", broadcast, undefined);
    const deliver = async () => {};
    const trigger = addTopic(slot, { topic: "trigger", name: "p-trigger", startOffsets: new Map([[0, 3n]]), passed: new Map([[0, 7n]]), deliver });
    const stop = addTopic(slot, { topic: "stop", name: "p-stop", startOffsets: new Map([[0, 2n]]), passed: new Map([[0, 5n]]), deliver });
    trigger.committed.set(0, 7n);
    stop.committed.set(0, 5n);
    return { slot, trigger, stop };
  };

  test("broadcast: a fresh group; the recreated topic from the new topic's first offsets, the other past what it had passed", () => {
    const { slot, trigger, stop } = slotWith(true);
    expect(applyResets(slot)).toBeNull();
    trigger.resetTo = new Map([[0, 0n]]);
    expect(applyResets(slot)).toBe("p-driver-a-trigger-stop-0a1b2c3d");
    expect(slot.groupId).toMatch(/^p-driver-a-trigger-stop-[0-9a-f]{8}$/);
    expect(slot.groupId).not.toBe("p-driver-a-trigger-stop-0a1b2c3d");
    expect(trigger.groupId).toBe(slot.groupId);
    expect({ start: trigger.startOffsets, passed: trigger.passed, committed: trigger.committed.size }).toEqual({ start: new Map(), passed: new Map([[0, 0n]]), committed: 0 });
    expect(trigger.resetTo).toBeNull();
    expect({ start: stop.startOffsets, passed: stop.passed, committed: stop.committed.size }).toEqual({ start: new Map([[0, 5n]]), passed: new Map([[0, 5n]]), committed: 0 });
  });

  test("collect: the group keeps its name (its other topics resume from their committed offsets); only the recreated topic is reset", () => {
    const { slot, trigger, stop } = slotWith(false);
    stop.resetTo = new Map([[0, 0n]]);
    expect(applyResets(slot)).toBeNull();
    expect(slot.groupId).toBe("p-orchestrator-trigger-stop");
    expect({ start: stop.startOffsets, passed: stop.passed }).toEqual({ start: new Map(), passed: new Map([[0, 0n]]) });
    expect({ start: trigger.startOffsets, passed: trigger.passed, committed: trigger.committed.get(0) }).toEqual({ start: new Map([[0, 3n]]), passed: new Map([[0, 7n]]), committed: 7n });
  });
});
