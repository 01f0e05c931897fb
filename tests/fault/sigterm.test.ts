/**
 * Fault 5: SIGTERM to each kind of node in the middle of a test. A driver stops sending,
 * waits for its requests in flight, sends its final report (marked stopped) and exits 0; a
 * target answers what it has in flight, refuses the rest and exits 0; an orchestrator exits
 * 0 and, restarted on its database, shows the test interrupted with the reports it had.
 * Real processes, the shared broker; one fleet, the cases run in order.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Fleet, type NodeProcess } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { getTest, listNodes, resetTarget, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";
import { waitForReports, waitForTargetPings } from "./helpers/running.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(180_000);

let fleet: Fleet;
let targetUrl: string;
let orchestrator: { node: NodeProcess; url: string };
let orchestratorArgs: string[];
const drivers = new Map<string, NodeProcess>();

beforeAll(async () => {
  fleet = new Fleet({ brokers: await requireKafka(), topicPrefix: uniqueTopicPrefix("fault-sigterm") });
  targetUrl = (await fleet.target()).url;
  orchestratorArgs = ["--target", `${targetUrl}/ping`, "--allow-target", "127.0.0.1", "--db", join(fleet.dir, "orchestrator.sqlite")];
  orchestrator = await fleet.orchestrator("orchestrator", orchestratorArgs);
  for (const id of ["st-a", "st-b"]) drivers.set(id, fleet.driver(id));
  await waitForAlive(orchestrator.url, ["st-a", "st-b"], 60_000);
});

afterAll(async () => {
  await fleet?.stop();
});

describe("SIGTERM mid-test", () => {
  test("a driver finishes its requests in flight, sends its final report marked stopped, deregisters and exits 0", async () => {
    const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: 20, message_count_per_driver: 400 });
    await waitForReports(orchestrator.url, created.test_id, 1);
    const stopping = drivers.get("st-a")!;
    expect(await fleet.signal(stopping, "SIGTERM")).toBe(0);
    expect(stopping.output()).not.toContain("messages left unsent");

    const ended = await waitForTestEnd(orchestrator.url, created.test_id, 60_000);
    const seen = await targetMetrics(targetUrl);
    const a = ended.per_driver.find((d) => d.node_id === "st-a")!;
    const b = ended.per_driver.find((d) => d.node_id === "st-b")!;
    expect({ state: ended.state, error: ended.error }).toEqual({ state: "partial", error: "not every driver finished (st-a: stopped)" });
    // Every request it sent was answered and counted before it reported: nothing was in flight at the end.
    expect({ outcome: a.outcome, final: a.final, completed: a.counts.completed, ok: a.counts.status_2xx }).toEqual({
      outcome: "stopped",
      final: true,
      completed: a.counts.sent,
      ok: a.counts.sent,
    });
    expect(a.counts.sent).toBeLessThan(400);
    expect({ outcome: b.outcome, completed: b.counts.completed }).toEqual({ outcome: "final", completed: 400 });
    expect({ target_received: seen.ping.received, target_ok: seen.by_status["200"] }).toEqual({ target_received: a.counts.sent + 400, target_ok: a.counts.sent + 400 });
    await waitFor("st-a to be shown as left", async () => (await listNodes(orchestrator.url)).find((n) => n.node_id === "st-a")?.status === "left", { timeoutMs: 10_000 });
  });

  test("a target answers what is in flight, refuses the rest and exits 0; the driver counts every request", async () => {
    const slow = await fleet.target("target-sigterm", ["--delay-ms", "100"]);
    const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: 10, message_count_per_driver: 300, timeout_ms: 2_000, target_url: `${slow.url}/ping` });
    await waitForTargetPings(slow.url, 60, 60_000);
    expect(await fleet.signal(slow.node, "SIGTERM")).toBe(0);
    const [, received, answered] = slow.node.output().match(/target stopped: (\d+) requests received, (\d+) responses sent/)!.map(Number);
    expect(answered).toBe(received!);

    const ended = await waitForTestEnd(orchestrator.url, created.test_id, 60_000);
    const b = ended.per_driver[0]!;
    expect({ state: ended.state, ok: b.counts.status_2xx, refused: b.counts.connection_error, timeout: b.counts.timeout, sent: b.counts.sent }).toEqual({
      state: "done",
      ok: answered!,
      refused: 300 - answered!,
      timeout: 0,
      sent: 300,
    });
  });

  test("an orchestrator exits 0 and, restarted on its database, shows the test interrupted with the reports it had", async () => {
    await resetTarget(targetUrl);
    const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: 20, message_count_per_driver: 200 });
    const before = await waitForReports(orchestrator.url, created.test_id, 1);
    expect(await fleet.signal(orchestrator.node, "SIGTERM")).toBe(0);

    orchestrator = await fleet.orchestrator("orchestrator-restarted", orchestratorArgs);
    const after = await getTest(orchestrator.url, created.test_id);
    expect({ state: after.state, error: after.error }).toEqual({ state: "interrupted", error: "the orchestrator stopped while the test was running" });
    expect(after.metrics.counts.sent).toBeGreaterThanOrEqual(before.metrics.counts.sent);
    expect(after.metrics.counts.sent).toBeGreaterThan(0);
    await waitForAlive(orchestrator.url, ["st-b"], 30_000);
  });
});
