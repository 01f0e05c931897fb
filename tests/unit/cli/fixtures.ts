// A complete TestView to start from in pure tests of the CLI, dashboard and reports.
import { errorsOf, type DriverView, type TestView } from "../../../src/orchestrator/snapshot.ts";
import { zeroCounts, type Counts, type LatencySummary } from "../../../src/protocol/index.ts";

export const counts = (sent: number, over: Partial<Counts> = {}): Counts => ({ ...zeroCounts(), sent, completed: sent, status_2xx: sent, ...over });

export const latency = (p50: number, p99: number, max = p99 * 2): LatencySummary => ({
  mean_latency: p50 * 1.2,
  median_latency: p50,
  min_latency: p50 / 4,
  max_latency: max,
  p90_latency: (p50 + p99) / 2,
  p95_latency: (p50 + 3 * p99) / 4,
  p99_latency: p99,
});


export function driverView(nodeId: string, c: Counts, l: LatencySummary | null = latency(2, 9)): DriverView {
  return {
    node_id: nodeId,
    node_status: "alive",
    outcome: "final",
    requests_per_s: 100,
    completed_per_s: 100,
    avg_requests_per_s: 98.5,
    counts: c,
    errors: errorsOf(c),
    late: c.late,
    latency: l,
    due_latency: null,
    reports: 5,
    last_sequence: 4,
    final: true,
    first_send_at: 1_000,
    last_send_at: 5_000,
    last_report_at: 5_100,
    accepted_at: 500,
    started_at: 1_000,
    error: null,
    issues: [],
  };
}

/** A done two-driver TSUNAMI test of 500 requests each, unless overridden. */
export function testView(over: Partial<TestView> & { total?: Counts } = {}): TestView {
  const { total = counts(1000), ...rest } = over;
  return {
    test_id: "5f1c2a9e-0000-4000-8000-000000000001",
    state: "done",
    config: { test_id: "5f1c2a9e-0000-4000-8000-000000000001", test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 500, target_url: "http://127.0.0.1:8080/ping" },
    drivers: ["d1", "d2"],
    created_at: 0,
    triggered_at: 750,
    start_at: 1_000,
    ended_at: 6_200,
    duration_ms: 5_200,
    error: null,
    generated_at: 6_200,
    metrics: {
      requests_per_s: 200,
      completed_per_s: 200,
      avg_requests_per_s: 197,
      counts: total,
      errors: errorsOf(total),
      late: total.late,
      latency: latency(2, 9),
      due_latency: null,
      first_send_at: 1_000,
      last_send_at: 5_000,
      start_skew_ms: 3,
      drivers_reporting: 2,
      drivers_final: 2,
    },
    per_driver: [driverView("d1", counts(500)), driverView("d2", counts(500))],
    ...rest,
  };
}
