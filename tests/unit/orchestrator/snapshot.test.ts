import { describe, expect, test } from "bun:test";
import { TestStats } from "../../../src/driver/test-stats.ts";
import { applyReport, createAggregate } from "../../../src/orchestrator/aggregate.ts";
import { buildTestView } from "../../../src/orchestrator/snapshot.ts";
import type { TestRecord } from "../../../src/orchestrator/test-state.ts";
import type { MetricsReport } from "../../../src/protocol/index.ts";
import { T0 } from "./fixtures.ts";

const record = (fields: Partial<TestRecord> = {}): TestRecord => ({
  test_id: "t1",
  state: "running",
  config: { test_id: "t1", test_type: "AVALANCHE", test_message_delay: 0, message_count_per_driver: 1_000 },
  drivers: ["d1", "d2"],
  created_at: T0 - 1_000,
  triggered_at: T0 - 250,
  start_at: T0,
  ended_at: null,
  error: null,
  ...fields,
});

/**
 * A driver that sent all 1,000 of its requests at T0 (a burst), through the driver's own
 * TestStats: each call completes requests up to `completed` in all and returns the cumulative report.
 */
function burstDriver(nodeId: string) {
  const stats = new TestStats({ nodeId, testId: "t1", paced: false, startedAtMs: T0, epochOffsetMs: T0 });
  for (let i = 0; i < 1_000; i++) stats.onSend(0, NaN);
  let done = 0;
  return (completed: number, final = false): MetricsReport => {
    for (; done < completed; done++) stats.onOutcome("status_2xx", 5, NaN);
    return stats.report(T0, final);
  };
}

const rates = (view: ReturnType<typeof buildTestView>) => [view.metrics.avg_requests_per_s, ...view.per_driver.map((d) => d.avg_requests_per_s)];

describe("avg_requests_per_s", () => {
  test("is completions over the time since the start, not sends over a zero send span, for an AVALANCHE burst", () => {
    const aggregate = createAggregate(["d1", "d2"]);
    const [d1, d2] = [burstDriver("d1"), burstDriver("d2")];
    applyReport(aggregate, d1(1_000, true), T0 + 200);
    applyReport(aggregate, d2(600), T0 + 300);
    const input = { aggregate, participants: new Map(), outcomes: {}, nodeStatus: () => "alive" as const };
    // Running, at T0 + 400: d1 finished at +200, d2 is still going.
    expect(rates(buildTestView({ ...input, record: record(), now: T0 + 400 }))).toEqual([4_000, 5_000, 1_500]);
    applyReport(aggregate, d2(1_000, true), T0 + 500);
    // Ended at T0 + 500: the rate stays put however late it is read.
    expect(rates(buildTestView({ ...input, record: record({ state: "done", ended_at: T0 + 500 }), now: T0 + 60_000 }))).toEqual([4_000, 5_000, 2_000]);
  });

  test("counts from the first send when the test has no start_at, and is 0 before any time has passed", () => {
    const aggregate = createAggregate(["d1", "d2"]);
    applyReport(aggregate, burstDriver("d1")(500), T0 + 250);
    const input = { aggregate, participants: new Map(), outcomes: {}, nodeStatus: () => "alive" as const, record: record({ start_at: null }) };
    expect(rates(buildTestView({ ...input, now: T0 + 250 }))).toEqual([2_000, 2_000, 0]);
    expect(rates(buildTestView({ ...input, now: T0 }))).toEqual([0, 0, 0]);
  });
});
