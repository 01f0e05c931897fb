/**
 * Failover drills on a replicated 3-node cluster of the test's own (private-cluster.ts; the
 * shared broker on 9092 is never touched): the broker leading the `metrics` partitions, then
 * the active controller, is SIGKILLed while 2 drivers run a test. The test ends `done`, the
 * totals equal the target's own count (nothing lost, no report counted twice), the longest
 * stretch without a report and the election are measured and printed, and the killed node,
 * restarted, is back in every ISR.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { TOPIC_KEYS } from "../../src/protocol/index.ts";
import { Fleet } from "../helpers/fleet.ts";
import { uniqueTopicPrefix } from "../helpers/kafka.ts";
import { completedByDriver, getTest, startTest, targetMetrics, waitForAlive, waitForTestEnd, type TestJson } from "../helpers/orchestrator-client.ts";
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
/**
 * Longest stretch without a report the drills accept beyond the election: a consumer that lost
 * its group coordinator rejoins once the stale member's session (10 s, KafkaBus) has expired,
 * plus slack for this shared 2-core machine.
 */
const REJOIN_ALLOWANCE_MS = 25_000;
/** Topics of the protocol whose replicas must all be back in sync after a restart. */
const TOPICS: readonly string[] = TOPIC_KEYS;

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
  // Every node up first: a drill that failed half-way may have left one down.
  await cluster!.up();
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
  const coordinator = (await cluster!.partitions("__consumer_offsets"))[0]?.leader;
  const killedAt = performance.now();
  cluster!.kill(victim);
  const electionMs = await waitForNewLeaders(metricsTopic, victim, killedAt);

  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 180_000);
  const { longestGapMs } = await gaps.stop();
  const duplicates = await duplicatesDropped(orchestrator.url);
  console.log(
    `[failover leader] killed node ${victim} (led ${leaders.filter((l) => l === victim).length}/8 metrics partitions` +
      `${coordinator === victim ? " and the group coordinator's __consumer_offsets" : ""}); ` +
      `new leaders after ${electionMs} ms; longest gap between reports ${longestGapMs} ms; duplicate reports dropped ${duplicates}`,
  );
  await expectExact(ended, target.url);
  expect(longestGapMs).toBeLessThan(electionMs + REJOIN_ALLOWANCE_MS);

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
  expect(longestGapMs).toBeLessThan(electionMs + REJOIN_ALLOWANCE_MS);

  await cluster!.up(controller!);
  await waitForFullIsr(prefix);
});

test("two of three brokers SIGKILLed mid-test: publishes fail visibly, the bus shows degraded, and once one returns the test recovers with nothing lost", async () => {
  const { fleet, prefix, target, orchestrator, drivers } = await startFleet("fo-quorum");
  const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: DELAY_MS, message_count_per_driver: COUNT });
  await waitForReports(orchestrator.url, created.test_id, 2);

  const [survivor, returning, away] = [1, 2, 3];
  const killedAt = performance.now();
  cluster!.kill(returning!);
  cluster!.kill(away!);
  expect(cluster!.isRunning(survivor!)).toBe(true);
  const atKill = await targetMetrics(target.url);

  // No quorum and no write quorum (min.insync.replicas=2): every driver says its publishes fail
  // and keeps them queued; none is dropped silently.
  await Promise.all(drivers.map((d) => fleet.waitForOutput(d, /publish failed; will retry|publish not acknowledged|heartbeat not published/, 90_000)));
  // The orchestrator shows the bus degraded on /healthz, /metrics (and the dashboard, from the same state).
  const health = await waitFor(
    "/healthz to report the bus degraded",
    async () => {
      const response = await fetch(`${orchestrator.url}/healthz`);
      const body = (await response.json()) as { status: string; bus: { status: string; receiving: boolean } };
      return response.status === 503 ? body : null;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  expect({ status: health.status, bus: health.bus.status }).toEqual({ status: "degraded", bus: "degraded" });
  const metrics = await (await fetch(`${orchestrator.url}/metrics`)).text();
  expect(metrics).toMatch(/^loadtest_bus_degraded 1$/m);
  // The drivers keep sending while the bus is away: the target sees the test go on.
  const during = await waitFor(
    "the target to keep receiving",
    async () => {
      const seen = await targetMetrics(target.url);
      return seen.ping.received >= atKill.ping.received + 100 ? seen : null;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  expect(during.ping.received).toBeGreaterThan(atKill.ping.received);
  // A broker outage alone never ends a test: it waits for the bus.
  expect((await getTest(orchestrator.url, created.test_id)).state).toBe("running");

  // One broker comes back: quorum and min.insync.replicas=2 again.
  await cluster!.up(returning!);
  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 240_000);
  console.log(
    `[two of three] nodes ${returning} and ${away} killed; node ${returning} back after ${Math.round(performance.now() - killedAt)} ms from the kill; ` +
      `test ${ended.state}${ended.error ? ` (${ended.error})` : ""}; duplicate reports dropped ${await duplicatesDropped(orchestrator.url)}`,
  );
  await expectExact(ended, target.url);
  const healed = await waitFor(
    "/healthz ok again",
    async () => ((await fetch(`${orchestrator.url}/healthz`)).status === 200 ? true : null),
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  expect(healed).toBe(true);

  await cluster!.up(away!);
  await waitForFullIsr(prefix);
});
