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
