import { expect, test } from "bun:test";
import type { DegradedTopic } from "../../../src/bus/index.ts";
import { busHealthOf, degradedBusFailure } from "../../../src/orchestrator/bus-health.ts";

const T0 = Date.UTC(2026, 10, 30, 1, 0, 0);
const missing: DegradedTopic = { topic: "metrics", condition: "missing", since: T0, reason: "topic metrics does not exist; recreating it" };
const recreated: DegradedTopic = { topic: "trigger", condition: "recreated", since: T0 + 5_000, reason: "topic trigger was deleted and recreated" };

test("the bus is ok only with no degraded topic and while it receives; topics are listed oldest first", () => {
  expect(busHealthOf([], null, 30_000)).toEqual({ status: "ok", receiving: true, not_receiving_since: null, topics: [], fail_tests_after_ms: 30_000 });
  expect(busHealthOf([], T0, 30_000)).toMatchObject({ status: "degraded", receiving: false, not_receiving_since: T0 });
  expect(busHealthOf([recreated, missing], null, 30_000)).toMatchObject({ status: "degraded", receiving: true, topics: [missing, recreated] });
});

test("a running test fails once a topic has been degraded longer than the limit, counted from the later of the problem and the test's start", () => {
  expect(degradedBusFailure([], T0, T0 + 999_999, 30_000)).toBeNull();
  expect(degradedBusFailure([recreated, missing], T0, T0 + 30_000, 30_000)).toBeNull();
  expect(degradedBusFailure([recreated, missing], T0, T0 + 30_001, 30_000)).toBe(
    "bus degraded: topic metrics does not exist; recreating it since 2026-11-30T01:00:00.000Z (more than 30 s while the test ran)",
  );
  // Degraded before the test started: the test still gets the whole limit.
  expect(degradedBusFailure([missing], T0 + 60_000, T0 + 80_000, 30_000)).toBeNull();
  expect(degradedBusFailure([missing], T0 + 60_000, T0 + 90_001, 30_000)).toContain("bus degraded: topic metrics does not exist");
});
