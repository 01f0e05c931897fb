import { describe, expect, test } from "bun:test";
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

/** A cumulative report of `completed` requests, every one sent at T0 (a burst). */
const burst = (node_id: string, sequence: number, completed: number, final = false): MetricsReport => ({
  node_id,
  test_id: "t1",
  report_id: `${node_id}:${sequence}`,
  sequence,
  final,
  metrics: { mean_latency: 5, median_latency: 5, min_latency: 1, max_latency: 9 },
  counts: { sent: 1_000, completed, status_2xx: completed, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0 },
  first_send_at: T0,
  last_send_at: T0,
});

const rates = (view: ReturnType<typeof buildTestView>) => [view.metrics.avg_requests_per_s, ...view.per_driver.map((d) => d.avg_requests_per_s)];

describe("avg_requests_per_s", () => {
  test("is completions over the time since the start, not sends over a zero send span, for an AVALANCHE burst", () => {
    const aggregate = createAggregate(["d1", "d2"]);
    applyReport(aggregate, burst("d1", 0, 1_000, true), T0 + 200);
    applyReport(aggregate, burst("d2", 0, 600), T0 + 300);
    const input = { aggregate, participants: new Map(), outcomes: {}, nodeStatus: () => "alive" as const };
    // Running, at T0 + 400: d1 finished at +200, d2 is still going.
    expect(rates(buildTestView({ ...input, record: record(), now: T0 + 400 }))).toEqual([4_000, 5_000, 1_500]);
    applyReport(aggregate, burst("d2", 1, 1_000, true), T0 + 500);
    // Ended at T0 + 500: the rate stays put however late it is read.
    expect(rates(buildTestView({ ...input, record: record({ state: "done", ended_at: T0 + 500 }), now: T0 + 60_000 }))).toEqual([4_000, 5_000, 2_000]);
  });

  test("counts from the first send when the test has no start_at, and is 0 before any time has passed", () => {
    const aggregate = createAggregate(["d1", "d2"]);
    applyReport(aggregate, burst("d1", 0, 500), T0 + 250);
    const input = { aggregate, participants: new Map(), outcomes: {}, nodeStatus: () => "alive" as const, record: record({ start_at: null }) };
    expect(rates(buildTestView({ ...input, now: T0 + 250 }))).toEqual([2_000, 2_000, 0]);
    expect(rates(buildTestView({ ...input, now: T0 }))).toEqual([0, 0, 0]);
  });
});
