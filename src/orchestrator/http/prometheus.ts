import { Hono } from "hono";
import type { BusHealth } from "../bus-health.ts";
import type { DropCounts } from "../counters.ts";
import type { NodeCounters, Orchestrator } from "../orchestrator.ts";
import type { NodeStatus, NodeView } from "../registry.ts";
import type { TestView } from "../snapshot.ts";
import type { SecurityCounts } from "../../security/security-counters.ts";
import { sseCounters, type SseCounters } from "./sse.ts";

/** Content type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const STATUSES: NodeStatus[] = ["alive", "suspect", "dead", "left"];
const OUTCOMES = [
  ["2xx", "status_2xx"],
  ["3xx", "status_3xx"],
  ["4xx", "status_4xx"],
  ["5xx", "status_5xx"],
  ["timeout", "timeout"],
  ["connection_error", "connection_error"],
] as const;
const QUANTILES = [
  ["0.5", "median_latency"],
  ["0.9", "p90_latency"],
  ["0.95", "p95_latency"],
  ["0.99", "p99_latency"],
] as const;

/** What `/metrics` shows: nodes, the running (else the last) test, and dropped messages. */
export interface MetricsInput {
  nodes: readonly NodeView[];
  test: TestView | null;
  drops: DropCounts;
  /** The Kafka bus's health; absent, no bus families are written. */
  bus?: BusHealth;
  /** Commands the drivers refused and forged reports dropped (signed fleets; see src/security). */
  security?: SecurityCounts;
  /** Node counts kept by the orchestrator (when given, `nodes` is not counted one by one). */
  nodeCounters?: NodeCounters;
  /** Slow event-stream clients. */
  sse?: SseCounters;
}

/** A label value escaped for the text format (backslash, quote, line feed). */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

const labels = (pairs: Record<string, string>) =>
  `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",")}}`;

/** Renders the orchestrator's metrics in the Prometheus text format; pure. */
export function renderMetrics({ nodes, test, drops, bus, security, nodeCounters, sse }: MetricsInput): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  /** A family with one unlabelled sample. */
  const single = (name: string, type: string, help: string, value: number) => {
    family(name, type, help);
    out.push(`${name} ${value}`);
  };
  const sample = (name: string, pairs: Record<string, string>, value: number) => out.push(`${name}${labels(pairs)} ${Number.isFinite(value) ? value : 0}`);

  family("loadtest_drivers", "gauge", "Drivers known to the orchestrator, by liveness status.");
  for (const status of STATUSES) sample("loadtest_drivers", { status }, nodeCounters?.by_status[status] ?? nodes.filter((n) => n.status === status).length);
  if (nodeCounters) {
    single("loadtest_drivers_in_conflict", "gauge", "node_ids used by two live driver processes at once (excluded from new tests).", nodeCounters.conflict);
    single("loadtest_unregistered_heartbeats_total", "counter", "Heartbeats from node_ids that never registered.", nodeCounters.unregistered_heartbeats);
    single("loadtest_unregistered_heartbeats_refused_total", "counter", "Heartbeats from unknown, unregistered node_ids refused while too many such nodes were known.", nodeCounters.unregistered_refused);
    single("loadtest_nodes_forgotten_total", "counter", "Dead or departed nodes forgotten after their retention, beyond the cap, or deleted.", nodeCounters.forgotten);
  }
  if (sse) {
    single("loadtest_sse_streams", "gauge", "Event streams open now.", sse.open);
    single("loadtest_sse_resyncs_total", "counter", "Times an event-stream client fell behind its bounded buffer and was sent a resync.", sse.resyncs);
    single("loadtest_sse_disconnects_total", "counter", "Event-stream clients disconnected for staying behind.", sse.disconnects);
  }

  single("loadtest_test_running", "gauge", "1 while a test is running.", test?.state === "running" ? 1 : 0);

  if (test) {
    const id = test.test_id;
    family("loadtest_requests_total", "counter", "Requests of the running (else the last) test, by driver and outcome.");
    // A second process under one node_id (a twin) gets its own series, told apart by instance_id.
    const who = (d: TestView["per_driver"][number]) => ({ test_id: id, node_id: d.node_id, ...(d.twin ? { instance_id: d.instance_id ?? "" } : {}) });
    for (const d of test.per_driver) {
      for (const [outcome, key] of OUTCOMES) sample("loadtest_requests_total", { ...who(d), outcome }, d.counts[key]);
    }
    family("loadtest_requests_sent_total", "counter", "Requests sent in the running (else the last) test, by driver.");
    for (const d of test.per_driver) sample("loadtest_requests_sent_total", who(d), d.counts.sent);
    family("loadtest_requests_per_second", "gauge", "Sends per second of each driver over its latest report window.");
    for (const d of test.per_driver) sample("loadtest_requests_per_second", who(d), d.requests_per_s);
    family("loadtest_late_sends_total", "counter", "Sends that started late against their schedule, by driver.");
    for (const d of test.per_driver) sample("loadtest_late_sends_total", who(d), d.late);

    family("loadtest_test_latency_ms", "summary", "Response latency of the running (else the last) test across every driver, in milliseconds.");
    const latency = test.metrics.latency;
    const completed = test.metrics.counts.completed;
    if (latency) for (const [quantile, key] of QUANTILES) sample("loadtest_test_latency_ms", { test_id: id, quantile }, latency[key] ?? 0);
    sample("loadtest_test_latency_ms_sum", { test_id: id }, latency ? Math.round(latency.mean_latency * completed * 1000) / 1000 : 0);
    sample("loadtest_test_latency_ms_count", { test_id: id }, latency ? completed : 0);
  }

  family("loadtest_messages_dropped_total", "counter", "Messages the orchestrator dropped after decoding, by reason.");
  for (const [reason, n] of Object.entries(drops.dropped)) sample("loadtest_messages_dropped_total", { reason }, n);
  family("loadtest_bus_rejected_total", "counter", "Messages the bus rejected because they failed to decode, by topic.");
  for (const [topic, n] of Object.entries(drops.bus_rejected)) sample("loadtest_bus_rejected_total", { topic }, n);
  if (bus) {
    single("loadtest_bus_degraded", "gauge", "1 while the Kafka bus is degraded: a topic missing or being resubscribed, or nothing received.", bus.status === "ok" ? 0 : 1);
    single("loadtest_bus_receiving", "gauge", "0 while the bus has received nothing for a while (broker unreachable or a subscription that cannot fetch).", bus.receiving ? 1 : 0);
    family("loadtest_bus_topic_degraded", "gauge", "1 for each topic that is missing or was recreated and is being resubscribed, by condition.");
    for (const t of bus.topics) sample("loadtest_bus_topic_degraded", { topic: t.topic, condition: t.condition }, 1);
    family("loadtest_bus_topic_degraded_since_timestamp_seconds", "gauge", "When each degraded topic's problem began, in Unix seconds.");
    for (const t of bus.topics) sample("loadtest_bus_topic_degraded_since_timestamp_seconds", { topic: t.topic }, t.since / 1000);
  }
  if (security) {
    single("loadtest_drivers_verifying", "gauge", "Live drivers that refuse commands not signed by a key they trust.", nodeCounters?.verifying ?? nodes.filter((n) => n.status !== "dead" && n.status !== "left" && n.verifies_signatures === true).length);
    family("loadtest_commands_rejected_total", "counter", "Commands the drivers refused (unsigned, bad signature, expired, replayed...), by reason.");
    for (const [reason, n] of Object.entries(security.commands_rejected)) sample("loadtest_commands_rejected_total", { reason }, n);
    family("loadtest_reports_forged_total", "counter", "Reports dropped for a missing or wrong report_mac, by reason.");
    for (const [reason, n] of Object.entries(security.reports_forged)) sample("loadtest_reports_forged_total", { reason }, n);
  }
  return out.join("\n") + "\n";
}

/** The running test, else the newest one that was triggered. */
function currentTest(orchestrator: Orchestrator): TestView | null {
  const running = orchestrator.snapshots()[0];
  if (running) return running;
  const last = orchestrator.listTests(20, 0).tests.find((t) => t.triggered_at !== null);
  return last ? orchestrator.getTest(last.test_id) : null;
}

/** `GET /metrics`: Prometheus text exposition of drivers, the current test and dropped messages. */
export function prometheusRoutes(orchestrator: Orchestrator, security?: () => SecurityCounts): Hono {
  const app = new Hono();
  app.get("/metrics", (c) =>
    c.body(renderMetrics({ nodes: [], nodeCounters: orchestrator.nodeCounters(), sse: sseCounters(orchestrator), test: currentTest(orchestrator), drops: orchestrator.counters(), bus: orchestrator.busHealth(), ...(security ? { security: security() } : {}) }), 200, {
      "content-type": PROMETHEUS_CONTENT_TYPE,
    }),
  );
  return app;
}
