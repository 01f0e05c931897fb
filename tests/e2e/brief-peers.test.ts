/**
 * Another team's driver that speaks only the brief, on the real broker: its register, its
 * heartbeats (no timestamp) and its reports (the four latency figures as strings, nothing
 * else) are hand-written and produced with kafkajs straight onto the topics, next to one of
 * our drivers. It stays alive, takes part in the test, its figures are shown as reported, the
 * fleet's min and max include them exactly, the combination of mean and median is stated, and
 * the test ends `done` once its reports stopped for the quiet period while it still beats.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { topicName, type TopicKey } from "../../src/protocol/index.ts";
import { Fleet } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { startTest, targetMetrics, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";

// Starts processes and talks to the real broker: the 5 s default is too short for a cold JVM.
setDefaultTimeout(120_000);

const QUIET_MS = 3_000;
const COUNT = 50;

let fleet: Fleet | undefined;
let producer: Producer | undefined;
let beating: ReturnType<typeof setInterval> | undefined;

afterAll(async () => {
  clearInterval(beating);
  await producer?.disconnect();
  await fleet?.stop();
});

test("a brief-only driver (no timestamps, string figures, no counts, no final) is alive, shown as reported, counted in min/max, and finishes after its quiet period", async () => {
  const brokers = await requireKafka();
  const prefix = uniqueTopicPrefix("brief-peers");
  fleet = new Fleet({ brokers, topicPrefix: prefix });
  const target = await fleet.target();
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1", "--summary-quiet-ms", String(QUIET_MS)]);
  fleet.driver("ours");

  producer = new Kafka({ clientId: "brief-peer", brokers, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  // Keyed by node_id, as a driver would: one partition, so the reports keep their order.
  const send = (topic: TopicKey, message: Record<string, unknown>) =>
    producer!.send({ topic: topicName(topic, prefix), acks: -1, messages: [{ key: "peer", value: JSON.stringify(message) }] });
  await waitFor("the orchestrator's topics", async () => (await fetch(`${orchestrator.url}/healthz`)).ok, { timeoutMs: 60_000 });
  await send("register", { node_id: "peer", node_IP: "127.0.0.1", message_type: "DRIVER_NODE_REGISTER" });
  beating = setInterval(() => void send("heartbeat", { node_id: "peer", heartbeat: "YES" }).catch(() => {}), 500);

  // Alive for longer than the 3 s death timeout on heartbeats that carry no timestamp.
  await waitFor(
    "both drivers alive, the peer for over 4 s",
    async () => {
      const { nodes } = (await (await fetch(`${orchestrator.url}/nodes`)).json()) as { nodes: { node_id: string; status: string; first_seen_at: number; last_heartbeat_at: number }[] };
      const peer = nodes.find((n) => n.node_id === "peer");
      const ours = nodes.find((n) => n.node_id === "ours");
      return peer?.status === "alive" && ours?.status === "alive" && peer.last_heartbeat_at - peer.first_seen_at >= 4_000;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );

  const created = await startTest(orchestrator.url, { test_type: "AVALANCHE", message_count_per_driver: COUNT });
  expect([...created.drivers].sort()).toEqual(["ours", "peer"]);
  const brief = (report_id: string, [mean, median, min, max]: string[]) =>
    send("metrics", { node_id: "peer", test_id: created.test_id, report_id, metrics: { mean_latency: mean, median_latency: median, min_latency: min, max_latency: max } });
  // Below and above anything a loopback target answers in: the fleet's extremes must be the peer's.
  await brief("peer-1", ["20", "18.5", "0.002", "4000"]);
  await brief("peer-2", ["25.5", "19", "0.001", "9000.5"]);

  const ended = (await waitForTestEnd(orchestrator.url, created.test_id, 60_000)) as any;
  const peer = ended.per_driver.find((d: any) => d.node_id === "peer");
  const ours = ended.per_driver.find((d: any) => d.node_id === "ours");
  const seen = await targetMetrics(target.url);
  expect({
    state: ended.state,
    peer: { outcome: peer.outcome, summary_only: peer.summary_only, reports: peer.reports, latency: peer.latency },
    ours: { outcome: ours.outcome, completed: ours.counts.completed },
    fleet: { min: ended.metrics.latency.min_latency, max: ended.metrics.latency.max_latency, completed: ended.metrics.counts.completed, summary_only: ended.metrics.latency_combined?.summary_only },
  }).toEqual({
    state: "done",
    peer: { outcome: "final", summary_only: true, reports: 2, latency: { mean_latency: 25.5, median_latency: 19, min_latency: 0.001, max_latency: 9000.5 } },
    ours: { outcome: "final", completed: COUNT },
    fleet: { min: 0.001, max: 9000.5, completed: seen.ping.received, summary_only: ["peer"] },
  });
  expect(ended.metrics.latency.mean_latency).toBe(Math.round(((ours.latency.mean_latency + 25.5) / 2) * 1000) / 1000);
});
