/**
 * Fault 6: every topic fuzzed through the real broker with 10,000 seeded bad messages (the
 * generator of tests/unit/bus/fuzz-topics.test.ts), plus valid messages about unknown tests,
 * reports forged from non-participants, and replays of the real reports, while a real test
 * runs. No node crashes, every rejection is counted (read from the orchestrator's Prometheus
 * `/metrics`), and the real test ends `done` with totals equal to the target's count.
 * FUZZ_SEED reproduces a failure.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { KafkaBus } from "../../src/bus/index.ts";
import { topicName, type MetricsReport, type TopicKey } from "../../src/protocol/index.ts";
import { Fleet, type NodeProcess } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { completedByDriver, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";
import { DRIVER_TOPICS, malformed, ORCHESTRATOR_TOPICS } from "./helpers/malformed.ts";
import { waitForReports } from "./helpers/running.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(300_000);

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_124);
const PER_TOPIC = 10_000;
const BATCH = 500;
const BATCH_BYTES = 400_000;
/** Under the broker's 1 MB message limit. */
const HUGE_BYTES = 200_000;
const DRIVERS = ["fz-1", "fz-2"];
const COUNT = 600;
const DEAD_AFTER_MS = 10_000;

let fleet: Fleet | undefined;
let producer: Producer | undefined;
let spy: KafkaBus | undefined;

beforeAll(async () => {
  fleet = new Fleet({ brokers: await requireKafka(), topicPrefix: uniqueTopicPrefix("fault-fuzz") });
});

afterAll(async () => {
  await producer?.disconnect();
  await spy?.close();
  await fleet?.stop();
});

/** Sends raw values in batches of at most {@link BATCH} messages and {@link BATCH_BYTES}, so none nears the broker's limit. */
async function sendAll(prefix: string, topic: TopicKey, values: string[]): Promise<void> {
  let batch: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length > 0) await producer!.send({ topic: topicName(topic, prefix), acks: -1, messages: batch.map((value) => ({ value })) });
    batch = [];
    bytes = 0;
  };
  for (const value of values) {
    if (batch.length === BATCH || bytes + value.length > BATCH_BYTES) await flush();
    batch.push(value);
    bytes += value.length;
  }
  await flush();
}

/** `{label value: sample}` of one metric family in Prometheus text. */
function samples(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const match of text.matchAll(new RegExp(`^${name}\\{${label}="([^"]+)"\\} (\\S+)$`, "gm"))) out[match[1]!] = Number(match[2]);
  return out;
}

test(`10,000 bad messages on every topic through the broker: nothing crashes, each rejection counted, a concurrent test exact (FUZZ_SEED=${SEED})`, async () => {
  const brokers = await requireKafka();
  const prefix = uniqueTopicPrefix("fault-fuzz");
  fleet = new Fleet({ brokers, topicPrefix: prefix });
  const target = await fleet.target();
  // Not a liveness test: the real heartbeats queue behind 10,000 bad ones on their topic, which
  // can hold them past the default 3 s and end the test partial.
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1", "--dead-after-ms", String(DEAD_AFTER_MS)]);
  const drivers: NodeProcess[] = DRIVERS.map((id) => fleet!.driver(id));
  await waitForAlive(orchestrator.url, DRIVERS, 60_000);

  // A spy in its own consumer group keeps the real reports, to replay them.
  const real: MetricsReport[] = [];
  spy = new KafkaBus({ connection: { brokers, clientId: "fuzz-spy", topicPrefix: prefix } });
  await spy.subscribe("metrics", { mode: { kind: "collect", group: "fuzz-spy" } }, (m) => void real.push(m));
  const kafka = new Kafka({ clientId: "fuzzer", brokers, logLevel: logLevel.NOTHING });
  // Idempotent, as the nodes' producers are: a retried batch must not write the stray messages twice.
  producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  const bad = Object.fromEntries([...ORCHESTRATOR_TOPICS, ...DRIVER_TOPICS].map((topic, i) => [topic, malformed(topic, PER_TOPIC, SEED + i, HUGE_BYTES)]));

  // 600 sends 20 ms apart per driver: 12 s, during which the fuzzing happens.
  const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: 20, message_count_per_driver: COUNT });
  await waitForReports(orchestrator.url, created.test_id, 1);
  for (const topic of [...ORCHESTRATOR_TOPICS, ...DRIVER_TOPICS]) await sendAll(prefix, topic, bad[topic]!);

  // Valid messages that must be dropped by reason: unknown tests, non-participants, replays.
  const ghosts = Array.from({ length: 100 }, (_, i) => i);
  // The spy hears our own stray reports too: replay only what the drivers sent.
  const replays = real.filter((r) => r.test_id === created.test_id && DRIVERS.includes(r.node_id)).reverse();
  const template = replays[0]!;
  await sendAll(prefix, "metrics", ghosts.map((i) => JSON.stringify({ ...template, test_id: `ghost-${i}`, report_id: `ghost-${i}` })));
  await sendAll(prefix, "driver_event", ghosts.map((i) => JSON.stringify({ node_id: "fz-1", test_id: `ghost-${i}`, event: "TEST_STARTED" })));
  await sendAll(prefix, "metrics", ghosts.map((i) => JSON.stringify({ ...template, node_id: `forged-${i}`, report_id: `forged-${i}` })));
  await sendAll(prefix, "metrics", replays.map((r) => JSON.stringify(r)));

  const expectedRejected = Object.fromEntries(ORCHESTRATOR_TOPICS.map((topic) => [topic, PER_TOPIC]));
  const text = await waitFor(
    "the orchestrator to count every rejection",
    async () => {
      const body = await (await fetch(`${orchestrator.url}/metrics`)).text();
      return ORCHESTRATOR_TOPICS.every((t) => samples(body, "loadtest_bus_rejected_total", "topic")[t] === PER_TOPIC) ? body : null;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  expect(samples(text, "loadtest_bus_rejected_total", "topic")).toEqual(expectedRejected);

  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 120_000);
  const seen = await targetMetrics(target.url);
  expect({ state: ended.state, completed: completedByDriver(ended) }).toEqual({ state: "done", completed: { "fz-1": COUNT, "fz-2": COUNT } });
  expect({ sent: ended.metrics.counts.sent, ok: ended.metrics.counts.status_2xx }).toEqual({ sent: seen.ping.received, ok: seen.by_status["200"]! });
  expect(seen.ping.received).toBe(COUNT * DRIVERS.length);

  // Valid messages dropped by reason; the metrics topic may still be draining, so wait for the counts.
  // A forged or replayed report is `not_participant`/`duplicate_report` while the test runs and
  // `after_end` once it has ended, so those three are checked together; a redelivery (Kafka is
  // at-least-once) may add a duplicate of a real report, never remove one.
  const drops = async () => {
    const d = samples(await (await fetch(`${orchestrator.url}/metrics`)).text(), "loadtest_messages_dropped_total", "reason");
    return { unknown_test: d.unknown_test, forged_or_replayed: d.not_participant! + d.duplicate_report! + d.after_end!, handler_error: d.handler_error };
  };
  const settled = (d: Awaited<ReturnType<typeof drops>>) => d.unknown_test === 200 && d.forged_or_replayed >= 100 + replays.length;
  await waitFor("every valid stray message to be dropped", async () => settled(await drops()), { timeoutMs: 90_000, intervalMs: 500 }).catch(() => {});
  const final = await drops();
  expect({ ...final, forged_or_replayed: final.forged_or_replayed >= 100 + replays.length ? "all" : final.forged_or_replayed }).toEqual({
    unknown_test: 200,
    forged_or_replayed: "all",
    handler_error: 0,
  });
  // The drivers read 10,000 bad configurations and triggers each, and are still up and idle.
  for (const driver of drivers) expect({ name: driver.name, exit: driver.proc.exitCode }).toEqual({ name: driver.name, exit: null });
  expect(orchestrator.node.proc.exitCode).toBeNull();
  await waitForAlive(orchestrator.url, DRIVERS, 10_000);
  for (const driver of drivers) expect(driver.output()).toMatch(/"msg":"dropped an invalid message","name":"driver".*"topic":"test_config"/);
});
