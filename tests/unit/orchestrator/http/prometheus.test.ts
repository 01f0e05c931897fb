import { describe, expect, test } from "bun:test";
import { escapeLabel, renderMetrics } from "../../../../src/orchestrator/http/prometheus.ts";
import type { NodeView } from "../../../../src/orchestrator/registry.ts";
import { counts, testView } from "../../cli/fixtures.ts";

const node = (node_id: string, status: NodeView["status"]): NodeView => ({
  node_id,
  node_IP: "10.0.0.1",
  version: null,
  status,
  status_since: 0,
  first_seen_at: 0,
  last_heartbeat_at: 0,
  driver_state: "idle",
  current_test_id: null,
  last_test_id: null,
  requests_sent: 0,
  history: [],
});

const drops = {
  bus_rejected: { metrics: 2 },
  dropped: { unknown_test: 1, not_participant: 0, duplicate_report: 3, after_end: 0, handler_error: 0 },
};

describe("Prometheus exposition", () => {
  test("has drivers by status, requests by driver and outcome, the latency summary and drops", () => {
    const view = testView({ state: "running" });
    view.per_driver[1]!.counts = counts(500, { status_2xx: 490, status_5xx: 7, timeout: 3 });
    const text = renderMetrics({ nodes: [node("d1", "alive"), node("d2", "alive"), node("d3", "dead")], test: view, drops });
    const id = view.test_id;
    const samples = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    expect(samples).toEqual(
      expect.arrayContaining([
        'loadtest_drivers{status="alive"} 2',
        'loadtest_drivers{status="dead"} 1',
        'loadtest_drivers{status="left"} 0',
        "loadtest_test_running 1",
        `loadtest_requests_total{test_id="${id}",node_id="d2",outcome="2xx"} 490`,
        `loadtest_requests_total{test_id="${id}",node_id="d2",outcome="5xx"} 7`,
        `loadtest_requests_total{test_id="${id}",node_id="d2",outcome="timeout"} 3`,
        `loadtest_requests_sent_total{test_id="${id}",node_id="d1"} 500`,
        `loadtest_test_latency_ms{test_id="${id}",quantile="0.5"} 2`,
        `loadtest_test_latency_ms{test_id="${id}",quantile="0.99"} 9`,
        `loadtest_test_latency_ms_sum{test_id="${id}"} 2400`,
        `loadtest_test_latency_ms_count{test_id="${id}"} 1000`,
        'loadtest_messages_dropped_total{reason="duplicate_report"} 3',
        'loadtest_bus_rejected_total{topic="metrics"} 2',
      ]),
    );
    expect(text).toContain("# TYPE loadtest_test_latency_ms summary\n");
    expect(text).toContain("# TYPE loadtest_requests_total counter\n");
  });

  test("without any test, shows only drivers and drops", () => {
    const text = renderMetrics({ nodes: [], test: null, drops });
    expect(text).not.toContain("loadtest_requests_total");
    expect(text).toContain("loadtest_test_running 0\n");
  });

  test("escapes label values", () => {
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});
