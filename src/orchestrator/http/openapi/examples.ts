// Example bodies for the OpenAPI document; the OpenAPI test parses each with the schema it
// illustrates, so an example cannot drift from the shape it shows.
import type { NodeView } from "../../registry.ts";
import type { TestView } from "../../snapshot.ts";
import { summarizeTest } from "../../test-summary.ts";

const T0 = 1_767_225_600_000;
const TEST_ID = "5f1c2a9e-7d3b-4c1a-9e0f-2b8d6a4c1e37";
const counts = { sent: 2000, completed: 2000, status_2xx: 2000, status_3xx: 0, status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, late: 0 };
const latency = { mean_latency: 1.42, median_latency: 1.31, min_latency: 0.41, max_latency: 9.8, p90_latency: 2.1, p95_latency: 2.6, p99_latency: 4.9 };
const errors = { status_4xx: 0, status_5xx: 0, timeout: 0, connection_error: 0, total: 0 };
const figures = (n: number) => ({
  requests_per_s: 0,
  completed_per_s: 0,
  avg_requests_per_s: 400 * n,
  counts: { ...counts, sent: 1000 * n, completed: 1000 * n, status_2xx: 1000 * n },
  errors,
  late: 0,
  latency,
  due_latency: latency,
  first_send_at: T0 + 1_000,
  last_send_at: T0 + 3_500,
});

/** `POST /tests` body. */
export const TEST_REQUEST_EXAMPLE = { test_type: "TSUNAMI", test_message_delay: 2.5, message_count_per_driver: 1000, target_url: "http://127.0.0.1:8080/ping", trigger: true };

/** `POST /tests/:id/stop` body. */
export const STOP_REQUEST_EXAMPLE = { stop_grace_ms: 2000, reason: "target falling over" };

/** A finished test as `GET /tests/:id` shows it. */
export const TEST_VIEW_EXAMPLE: TestView = {
  test_id: TEST_ID,
  state: "done",
  config: { test_id: TEST_ID, test_type: "TSUNAMI", test_message_delay: 2.5, message_count_per_driver: 1000, target_url: "http://127.0.0.1:8080/ping", drivers: ["driver-1", "driver-2"], created_at: T0 },
  drivers: ["driver-1", "driver-2"],
  created_at: T0,
  triggered_at: T0 + 10,
  start_at: T0 + 1_000,
  ended_at: T0 + 3_600,
  error: null,
  duration_ms: 2_600,
  generated_at: T0 + 3_600,
  metrics: { ...figures(2), start_skew_ms: 1, drivers_reporting: 2, drivers_final: 2 },
  per_driver: ["driver-1", "driver-2"].map((node_id) => ({
    ...figures(1),
    node_id,
    instance_id: `${node_id}-a1b2c3`,
    node_status: "alive" as const,
    outcome: "final" as const,
    reports: 4,
    last_sequence: 3,
    final: true,
    last_report_at: T0 + 3_590,
    accepted_at: T0 + 20,
    started_at: T0 + 1_000,
    error: null,
    issues: [],
  })),
};

/** `GET /tests`. */
export const TEST_PAGE_EXAMPLE = { tests: [summarizeTest(TEST_VIEW_EXAMPLE)], total: 1, limit: 20, offset: 0 };

/** `GET /tests/:id/report?format=json` (series abridged to its first point). */
export const REPORT_EXAMPLE = {
  test: TEST_VIEW_EXAMPLE,
  series: { test_id: TEST_ID, points: [{ t_s: 0, at: T0 + 1_000, total: { requests_per_s: 800, completed_per_s: 800 }, drivers: {} }] },
};

const NODE_EXAMPLE: NodeView = {
  node_id: "driver-1",
  node_IP: "10.0.0.11",
  version: "0.1.0",
  status: "alive",
  status_since: T0 - 60_000,
  first_seen_at: T0 - 60_000,
  last_heartbeat_at: T0 + 3_900,
  driver_state: "idle",
  current_test_id: null,
  last_test_id: TEST_ID,
  requests_sent: 1000,
  history: [{ event: "joined", at: T0 - 60_000 }],
  verifies_signatures: false,
  instance_id: "driver-1-a1b2c3",
  conflict: null,
};

/** `GET /nodes`. */
export const NODE_PAGE_EXAMPLE = { nodes: [NODE_EXAMPLE], total: 1, limit: 500, offset: 0 };

/** `GET /healthz` while the bus is healthy. */
export const HEALTH_EXAMPLE = { ok: true, status: "ok", bus: { status: "ok", receiving: true, not_receiving_since: null, topics: [], fail_tests_after_ms: 30_000 } };

/** `GET /healthz` while a topic is being recreated. */
export const DEGRADED_EXAMPLE = {
  ok: false,
  status: "degraded",
  bus: { status: "degraded", receiving: true, not_receiving_since: null, topics: [{ topic: "metrics", condition: "missing", since: T0, reason: "topic deleted; recreating" }], fail_tests_after_ms: 30_000 },
};

/** An error answer (here a 422 for two bad fields). */
export const ERROR_EXAMPLE = {
  error: "invalid test: message_count_per_driver: must be at least 1; target_url: must be an absolute http:// or https:// URL",
  issues: [
    { path: "message_count_per_driver", message: "must be at least 1" },
    { path: "target_url", message: "must be an absolute http:// or https:// URL" },
  ],
};
