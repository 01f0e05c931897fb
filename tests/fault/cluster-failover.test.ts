/**
 * Failover drills on a replicated 3-node cluster of the test's own (private-cluster.ts; the
 * shared broker on 9092 is never touched): the broker leading the `metrics` partitions, then
 * the active controller, is SIGKILLed while 2 drivers run a test. The test ends `done`, the
 * totals equal the target's own count (nothing lost, no report counted twice), the longest
 * stretch without a report and the election are measured and printed, and the killed node,
 * restarted, is back in every ISR.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet } from "../helpers/fleet.ts";
import { uniqueTopicPrefix } from "../helpers/kafka.ts";
import { completedByDriver, startTest, targetMetrics, waitForAlive, waitForTestEnd, type TestJson } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";
import { startPrivateCluster, type PrivateCluster } from "./helpers/private-cluster.ts";
import { watchReportGaps } from "./helpers/report-gaps.ts";
import { waitForReports } from "./helpers/running.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(420_000);

const DRIVERS = ["fo-1", "fo-2"];
/** 1000 sends 25 ms apart: 25 s of sending per driver, long enough to lose a node in the middle. */
const COUNT = 1_000;
const DELAY_MS = 25;
/** Topics of the protocol whose replicas must all be back in sync after a restart. */
const TOPICS = ["register", "test_config", "trigger", "metrics", "heartbeat", "driver_event"];

let cluster: PrivateCluster | undefined;
const fleets: Fleet[] = [];

beforeAll(async () => {
  cluster = await startPrivateCluster(3);
});

afterAll(async () => {
  for (const fleet of fleets) await fleet.stop();
  cluster?.destroy();
});

/** A fleet on the cluster: target, orchestrator and the two drivers, all alive. */
async function startFleet(name: string) {
  const prefix = uniqueTopicPrefix(name);
  const fleet = new Fleet({ brokers: cluster!.addresses, topicPrefix: prefix });
  fleets.push(fleet);
  const target = await fleet.target();
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1"]);
  const drivers = DRIVERS.map((id) => fleet.driver(id));
  await waitForAlive(orchestrator.url, DRIVERS, 90_000);
  return { fleet, prefix, target, orchestrator, drivers };
}

/** Waits until no partition of `topic` is led by `killed` (or leaderless); returns how long that took. */
async function waitForNewLeaders(topic: string, killed: number, since: number): Promise<number> {
  await waitFor(
    `partitions of ${topic} to elect leaders other than node ${killed}`,
    async () => {
      const partitions = await cluster!.partitions(topic);
      return partitions.length > 0 && partitions.every((p) => p.leader >= 0 && p.leader !== killed);
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  return Math.round(performance.now() - since);
}

/** Waits until every partition of the fleet's topics has all 3 replicas in sync. */
async function waitForFullIsr(prefix: string): Promise<void> {
  await waitFor(
    "every replica of the fleet's topics back in sync",
    async () => {
      for (const topic of TOPICS) {
        const partitions = await cluster!.partitions(`${prefix}${topic}`);
        if (partitions.length === 0 || partitions.some((p) => p.isr.length !== 3)) return false;
      }
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
}

/** The test ended `done` with every driver's full count, equal to what the target saw. */
async function expectExact(ended: TestJson, targetUrl: string): Promise<void> {
  const seen = await targetMetrics(targetUrl);
  expect({ state: ended.state, error: ended.error }).toEqual({ state: "done", error: null });
  expect(completedByDriver(ended)).toEqual(Object.fromEntries(DRIVERS.map((d) => [d, COUNT])));
  expect({ sent: ended.metrics.counts.sent, completed: ended.metrics.counts.completed, ok: ended.metrics.counts.status_2xx }).toEqual({
    sent: seen.ping.received,
    completed: seen.ping.received,
    ok: seen.by_status["200"]!,
  });
  expect(seen.ping.received).toBe(COUNT * DRIVERS.length);
}

/** Reports the orchestrator received twice and dropped (by report_id), from /metrics. */
async function duplicatesDropped(orchestratorUrl: string): Promise<number> {
  const text = await (await fetch(`${orchestratorUrl}/metrics`)).text();
  return Number(/loadtest_messages_dropped_total\{reason="duplicate_report"\} (\d+)/.exec(text)?.[1] ?? 0);
}

test("topics on a 3-broker cluster get 3 replicas and min.insync.replicas=2", async () => {
  const { prefix } = await startFleet("fo-topics");
  for (const topic of TOPICS) {
    const partitions = await cluster!.partitions(`${prefix}${topic}`);
    expect({ topic, replicas: [...new Set(partitions.map((p) => p.replicas.length))] }).toEqual({ topic, replicas: [3] });
    expect({ topic, minIsr: await cluster!.topicConfig(`${prefix}${topic}`, "min.insync.replicas") }).toEqual({ topic, minIsr: "2" });
  }
});

test("SIGKILL of the broker leading the metrics partitions mid-test: done, exact totals, the node rejoins in sync", async () => {
  const { prefix, target, orchestrator } = await startFleet("fo-leader");
  const metricsTopic = `${prefix}metrics`;
  const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: DELAY_MS, message_count_per_driver: COUNT });
  const gaps = watchReportGaps(orchestrator.url, created.test_id);
  await waitForReports(orchestrator.url, created.test_id, 2);

  // The node leading most metrics partitions (8 partitions over 3 nodes).
  const leaders = (await cluster!.partitions(metricsTopic)).map((p) => p.leader);
  const victim = cluster!.nodes.reduce((best, n) => (leaders.filter((l) => l === n).length > leaders.filter((l) => l === best).length ? n : best));
  const killedAt = performance.now();
  cluster!.kill(victim);
  const electionMs = await waitForNewLeaders(metricsTopic, victim, killedAt);

  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 180_000);
  const { longestGapMs } = await gaps.stop();
  const duplicates = await duplicatesDropped(orchestrator.url);
  console.log(
    `[failover leader] killed node ${victim} (led ${leaders.filter((l) => l === victim).length}/8 metrics partitions); ` +
      `new leaders after ${electionMs} ms; longest gap between reports ${longestGapMs} ms; duplicate reports dropped ${duplicates}`,
  );
  await expectExact(ended, target.url);
  // Reports stop at most for the election plus the producers' retry backoff (kafkajs, up to 5 s) and a report period.
  expect(longestGapMs).toBeLessThan(electionMs + 15_000);

  const restartAt = performance.now();
  await cluster!.up(victim);
  await waitForFullIsr(prefix);
  console.log(`[failover leader] node ${victim} restarted and back in every ISR after ${Math.round(performance.now() - restartAt)} ms`);
});

test("SIGKILL of the active controller mid-test: a new quorum leader, done, exact totals, the node rejoins in sync", async () => {
  const { prefix, target, orchestrator } = await startFleet("fo-controller");
  const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: DELAY_MS, message_count_per_driver: COUNT });
  const gaps = watchReportGaps(orchestrator.url, created.test_id);
  await waitForReports(orchestrator.url, created.test_id, 2);

  const controller = cluster!.activeController();
  expect(controller).toBeDefined();
  const killedAt = performance.now();
  cluster!.kill(controller!);
  const newController = await waitFor(
    "a new active controller",
    () => {
      const now = cluster!.activeController();
      return now !== undefined && now !== controller ? now : null;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  const quorumMs = Math.round(performance.now() - killedAt);
  const electionMs = await waitForNewLeaders(`${prefix}metrics`, controller!, killedAt);

  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 180_000);
  const { longestGapMs } = await gaps.stop();
  console.log(
    `[failover controller] killed controller node ${controller}; node ${newController} leads the quorum after ${quorumMs} ms; ` +
      `metrics partitions re-led after ${electionMs} ms; longest gap between reports ${longestGapMs} ms; duplicate reports dropped ${await duplicatesDropped(orchestrator.url)}`,
  );
  await expectExact(ended, target.url);
  expect(longestGapMs).toBeLessThan(electionMs + 15_000);

  await cluster!.up(controller!);
  await waitForFullIsr(prefix);
});
