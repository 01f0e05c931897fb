import { expect, test } from "bun:test";
import { TopicHealth } from "../../../src/bus/topic-health.ts";
import { createLogger } from "../../../src/log.ts";

function harness() {
  const lines: { level: string; msg: string; topic?: string; condition?: string; degraded_ms?: number }[] = [];
  let now = 1_000;
  const health = new TopicHealth(createLogger({ level: "debug", write: (line) => lines.push(JSON.parse(line)) }), () => now);
  return { health, lines, advance: (ms: number) => (now += ms) };
}

test("a topic that stays missing through many retries is logged once, and once more when it heals", () => {
  const { health, lines, advance } = harness();
  for (let i = 0; i < 50; i++) {
    health.set("metrics", "missing", "topic metrics does not exist; recreating it");
    advance(100);
  }
  expect(health.degraded()).toEqual([{ topic: "metrics", condition: "missing", since: 1_000, reason: "topic metrics does not exist; recreating it" }]);
  health.set("metrics", "recreated", "resubscribing");
  advance(1_000);
  expect(health.clear("metrics")).toBe(true);
  expect(health.clear("metrics")).toBe(false);
  expect(lines.map((l) => [l.level, l.msg, l.topic, l.condition ?? l.degraded_ms])).toEqual([
    ["warn", "kafka topic degraded", "metrics", "missing"],
    ["info", "kafka topic degraded", "metrics", "recreated"],
    ["info", "kafka topic healed", "metrics", 6_000],
  ]);
  expect(health.degraded()).toEqual([]);
});

test("the episode keeps its first time when the condition moves on, and a new reason is a change", () => {
  const { health, advance } = harness();
  health.set("test_config", "missing", "does not exist");
  advance(500);
  expect(health.set("test_config", "missing", "recreating it failed: denied")).toBe(true);
  expect(health.set("test_config", "missing", "recreating it failed: denied")).toBe(false);
  health.set("trigger", "recreated", "offsets went backwards");
  expect(health.degraded().map((t) => [t.topic, t.condition, t.since])).toEqual([
    ["test_config", "missing", 1_000],
    ["trigger", "recreated", 1_500],
  ]);
  expect(health.condition("test_config")).toBe("missing");
  expect(health.condition("metrics")).toBeUndefined();
});
