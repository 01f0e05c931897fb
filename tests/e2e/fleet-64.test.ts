/**
 * 64 driver processes over the real broker (the shared one, topics under a unique prefix), on
 * loopback: every driver registers, none is suspected while a test runs on all 64 (heartbeats
 * every 1 s, suspect after 1.5 s: the orchestrator's defaults), the totals equal the target's
 * own count, and the report → SSE latency over Kafka is measured and printed.
 *
 * Death is not the subject here: `--dead-after-ms` is wide so a slow start on this shared
 * 2-core machine cannot end the test partial; suspicion keeps its default, and any `suspect`
 * during the test fails it.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { startReportLatencyProbe } from "../../bench/report-latency.ts";
import { quantile } from "../../bench/summary.ts";
import { openEventLog, type EventLog } from "../fault/helpers/event-log.ts";
import { Fleet } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { completedByDriver, resetTarget, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Every wait is bounded too.
setDefaultTimeout(600_000);

const DRIVERS = 64;
/** 20 sends 200 ms apart: 4 s of light load each (320 requests/s in all), a report every second. */
const PER_DRIVER = 20;
const DELAY_MS = 200;
const ids = Array.from({ length: DRIVERS }, (_, i) => `f64-${String(i + 1).padStart(2, "0")}`);

let fleet: Fleet | undefined;
let events: EventLog | undefined;
let orchestratorUrl = "";
let targetUrl = "";
let brokers: string[] = [];
let prefix = "";

beforeAll(async () => {
  brokers = await requireKafka();
  prefix = uniqueTopicPrefix("fleet64");
  // warn: 64 drivers logging every test at info would be most of the CPU spent here.
  fleet = new Fleet({ brokers, topicPrefix: prefix, env: { LOG_LEVEL: "warn" } });
  const target = await fleet.target();
  targetUrl = target.url;
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1", "--dead-after-ms", "60000"], { LOG_LEVEL: "info" });
  orchestratorUrl = orchestrator.url;
  events = await openEventLog(orchestratorUrl);
});

afterAll(async () => {
  events?.close();
  await fleet?.stop();
});

test("64 driver processes register, none is suspected during a test on all of them, totals are exact, report → SSE latency measured", async () => {
  const startedAt = performance.now();
  for (const id of ids) fleet!.driver(id);
  await waitForAlive(orchestratorUrl, ids, 420_000);
  const registeredMs = Math.round(performance.now() - startedAt);

  const probe = await startReportLatencyProbe(brokers, prefix);
  await resetTarget(targetUrl);
  const before = events!.events.length;
  const created = await startTest(orchestratorUrl, { test_type: "TSUNAMI", test_message_delay: DELAY_MS, message_count_per_driver: PER_DRIVER });
  expect([...created.drivers].sort()).toEqual(ids);
  await probe.follow(orchestratorUrl, created.test_id);
  const ended = await waitForTestEnd(orchestratorUrl, created.test_id, 300_000);
  const latency = await probe.finish();
  const seen = await targetMetrics(targetUrl);

  const during = events!.events.slice(before).filter((e) => e.event === "node");
  const liveness = during.map((e) => e.data as { event: string; node: { node_id: string } }).filter((d) => d.event !== "joined");
  const view = ended as typeof ended & { metrics: { start_skew_ms: number | null } };
  console.log(
    `[fleet 64] all registered after ${registeredMs} ms; test ${ended.state} in ${created.test_id}; ` +
      `start skew ${view.metrics.start_skew_ms} ms; report→SSE over Kafka p50 ${Math.round(quantile(latency.samples, 0.5))} ms, ` +
      `p99 ${Math.round(quantile(latency.samples, 0.99))} ms, max ${Math.round(quantile(latency.samples, 1))} ms (${latency.matched}/${latency.tapped} reports; ` +
      `window closed → orchestrator received p50 ${Math.round(quantile(latency.toOrchestrator, 0.5))} ms, p99 ${Math.round(quantile(latency.toOrchestrator, 0.99))} ms); ` +
      `liveness events during the test: ${liveness.length === 0 ? "none" : liveness.map((d) => `${d.node.node_id} ${d.event}`).join(", ")}`,
  );

  expect({ state: ended.state, error: ended.error }).toEqual({ state: "done", error: null });
  expect(completedByDriver(ended)).toEqual(Object.fromEntries(ids.map((id) => [id, PER_DRIVER])));
  expect({ completed: ended.metrics.counts.completed, target_received: seen.ping.received, target_ok: seen.by_status["200"] }).toEqual({
    completed: DRIVERS * PER_DRIVER,
    target_received: DRIVERS * PER_DRIVER,
    target_ok: DRIVERS * PER_DRIVER,
  });
  // No driver was suspected (or worse) while the test ran: 64 heartbeats a second kept up.
  expect(liveness).toEqual([]);
  // Every report of every driver reached an SSE client.
  expect(latency.matched).toBe(latency.tapped);
  expect(latency.matched).toBeGreaterThanOrEqual(DRIVERS);
});
