import { expect, test } from "bun:test";
import { HeldTriggers } from "../../../src/driver/held-triggers.ts";

const trigger = (test_id: string) => ({ test_id, trigger: "YES" as const });

test("hands back a trigger that came before its configuration, once", () => {
  const held = new HeldTriggers(30_000);
  held.hold(trigger("a"), 1_000);
  expect(held.take("a", 2_000)).toEqual(trigger("a"));
  expect(held.take("a", 2_000)).toBeUndefined();
});

test("forgets a trigger after 30 s", () => {
  const held = new HeldTriggers(30_000);
  held.hold(trigger("old"), 0);
  held.hold(trigger("new"), 20_000);
  expect(held.take("old", 30_001)).toBeUndefined();
  expect(held.take("new", 49_000)).toEqual(trigger("new"));
});

test("hands expired triggers back once through expire(), so each can be answered, and honours an earlier deadline", () => {
  const held = new HeldTriggers(30_000);
  expect(held.hold(trigger("short"), 0, 2_500)).toBe(2_500);
  expect(held.hold(trigger("long"), 0, 99_000)).toBe(30_000);
  const at3s = held.expire(3_000);
  const short = held.take("short", 3_000);
  const at31s = held.expire(31_000);
  expect({ at3s, short, at31s, again: held.expire(60_000) }).toEqual({ at3s: [trigger("short")], short: undefined, at31s: [trigger("long")], again: [] });
});
