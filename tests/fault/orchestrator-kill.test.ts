/**
 * Fault 3: the orchestrator SIGKILLed in the middle of a test and restarted on the same
 * database. History survives, the test it was following is shown `interrupted` (not running
 * forever), the drivers' next heartbeats register them again, and the next test runs.
 * With the compact store at its tightest (a snapshot every second, no raw report kept beyond
 * it), both tests come back from their snapshots: the finished one's report and distribution
 * are exactly what they were before the kill.
 * Real processes, the shared broker.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Fleet } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { getTest, listNodes, resetTarget, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";
import { waitForReports } from "./helpers/running.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(240_000);

const DRIVERS = ["ok-1", "ok-2"];
let fleet: Fleet | undefined;

beforeAll(async () => {
  fleet = new Fleet({ brokers: await requireKafka(), topicPrefix: uniqueTopicPrefix("fault-orchestrator-kill") });
});

afterAll(async () => {
  await fleet?.stop();
});

test("an orchestrator killed mid-test and restarted on its database keeps the history, shows the test interrupted, and takes the drivers back", async () => {
  const target = await fleet!.target();
  const args = ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1", "--db", join(fleet!.dir, "orchestrator.sqlite"), "--retain-raw-s", "0", "--snapshot-every-s", "1"];
  const first = await fleet!.orchestrator("orchestrator-1", args);
  for (const id of DRIVERS) fleet!.driver(id);
  await waitForAlive(first.url, DRIVERS, 60_000);

  const finished = await startTest(first.url, { test_type: "AVALANCHE", message_count_per_driver: 100, concurrency: 4 });
  const finishedView = await waitForTestEnd(first.url, finished.test_id, 60_000);
  expect(finishedView.state).toBe("done");
  const readJson = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.json();
  };
  const finishedReport = await readJson(`${first.url}/tests/${finished.test_id}/report`);
  const finishedDistribution = await readJson(`${first.url}/tests/${finished.test_id}/distribution`);

  // 300 sends 20 ms apart: 6 s per driver; the orchestrator dies in the middle.
  const cut = await startTest(first.url, { test_type: "TSUNAMI", test_message_delay: 20, message_count_per_driver: 300 });
  // Two reports each: the compact store has snapshotted the test (every second) before the kill.
  await waitForReports(first.url, cut.test_id, 2);
  first.node.proc.kill("SIGKILL");
  await first.node.proc.exited;

  const second = await fleet!.orchestrator("orchestrator-2", args);
  const interrupted = await getTest(second.url, cut.test_id);
  expect({ state: interrupted.state, error: interrupted.error }).toEqual({ state: "interrupted", error: "the orchestrator stopped while the test was running" });
  expect(await getTest(second.url, finished.test_id)).toEqual(finishedView);
  // Rebuilt from the compact store (its final snapshot; no raw report kept): the same series and percentiles.
  expect(await readJson(`${second.url}/tests/${finished.test_id}/report`)).toEqual(finishedReport);
  expect(await readJson(`${second.url}/tests/${finished.test_id}/distribution`)).toEqual(finishedDistribution);
  // The interrupted test's series (snapshot + the reports after it) adds up to its totals.
  const cutReport = (await readJson(`${second.url}/tests/${cut.test_id}/report`)) as { series: { points: { total: { completed: number } }[] } };
  expect(cutReport.series.points.reduce((sum, p) => sum + p.total.completed, 0)).toBe(interrupted.metrics.counts.completed);
  expect(interrupted.metrics.counts.completed).toBeGreaterThan(0);
  const list = (await (await fetch(`${second.url}/tests`)).json()) as { tests: { test_id: string; state: string }[]; total: number };
  expect(list.tests.map((t) => [t.test_id, t.state])).toEqual([
    [cut.test_id, "interrupted"],
    [finished.test_id, "done"],
  ]);

  // Known from the database as dead until their next heartbeat brings them back.
  await waitForAlive(second.url, DRIVERS, 30_000);
  const nodes = await listNodes(second.url);
  expect(nodes.filter((n) => DRIVERS.includes(n.node_id)).map((n) => n.history.map((h) => h.event).at(-1))).toEqual(["returned", "returned"]);

  // Once the drivers are done with the test the old orchestrator started, they run the next one.
  await waitFor(
    "both drivers idle",
    async () => (await listNodes(second.url)).filter((n) => DRIVERS.includes(n.node_id) && (n as { driver_state?: string }).driver_state === "idle").length === 2,
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  await resetTarget(target.url);
  const next = await startTest(second.url, { test_type: "AVALANCHE", message_count_per_driver: 50, concurrency: 4 });
  const nextView = await waitForTestEnd(second.url, next.test_id, 60_000);
  expect({ state: nextView.state, completed: nextView.metrics.counts.completed }).toEqual({ state: "done", completed: 100 });
  expect((await targetMetrics(target.url)).ping.received).toBe(100);
  // The interrupted test stays interrupted although its reports kept arriving after the restart.
  expect((await getTest(second.url, cut.test_id)).state).toBe("interrupted");
});
