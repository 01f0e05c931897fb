import { expect, test } from "bun:test";
import { AcceptedPlans } from "../../../src/driver/accepted-plans.ts";
import type { RunPlan } from "../../../src/driver/run-plan.ts";

const plan = (testId: string): RunPlan => ({ testId, mode: "AVALANCHE", url: "http://target/", count: 1, delayMs: 0, concurrency: 1, timeoutMs: 1_000 });

test("keeps several plans by test_id and hands each back once", () => {
  const plans = new AcceptedPlans(32);
  plans.add(plan("a"));
  plans.add(plan("b"));
  expect(plans.newest()).toBe("b");
  expect(plans.take("a")).toEqual(plan("a"));
  expect(plans.take("a")).toBeUndefined();
  expect(plans.has("b")).toBe(true);
});

test("forgets the oldest accepted plan past its limit; a repeated plan counts as the newest", () => {
  const plans = new AcceptedPlans(2);
  expect(plans.add(plan("a"))).toBeUndefined();
  expect(plans.add(plan("b"))).toBeUndefined();
  expect(plans.add(plan("a"))).toBeUndefined();
  expect(plans.add(plan("c"))).toBe("b");
  expect([plans.has("a"), plans.has("b"), plans.has("c")]).toEqual([true, false, true]);
});
