/**
 * Fault 1: a driver SIGKILLed in the middle of a test. The orchestrator marks it suspect then
 * dead within the timeout (on /nodes and on the event stream), the test ends `partial` instead
 * of hanging, the survivor's counts equal what the target saw from it, and the dead driver's
 * last reported counts are kept and marked. Restarted with the same id, the driver registers
 * again and takes part in the next test. Real processes, the shared broker.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet, type NodeProcess } from "../helpers/fleet.ts";
import { requireKafka, uniqueTopicPrefix } from "../helpers/kafka.ts";
import { listNodes, startTest, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { waitFor } from "../helpers/wait.ts";
import { startAttributingTarget, type AttributingTarget } from "./helpers/attributing-target.ts";
import { nodeEvents, openEventLog, type EventLog } from "./helpers/event-log.ts";
import { waitForReports } from "./helpers/running.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(240_000);

/** Longer than the default 3 s so the survivor's beats, late on a loaded machine, never get it declared dead. */
const DEAD_AFTER_MS = 5_000;
/** The sweep runs every second and a beat may be a second old when the driver dies; the machine is shared. */
const DETECTION_SLACK_MS = 3_000;
const COUNT = 500;
const DELAY_MS = 20;

let fleet: Fleet | undefined;
let target: AttributingTarget | undefined;
let events: EventLog | undefined;
let orchestratorUrl = "";
let survivorPid = 0;

beforeAll(async () => {
  const brokers = await requireKafka();
  fleet = new Fleet({ brokers, topicPrefix: uniqueTopicPrefix("fault-driver-kill") });
  target = startAttributingTarget();
});

afterAll(async () => {
  events?.close();
  await fleet?.stop();
  target?.stop();
});

type NodeEventData = { event: string; node: { node_id: string } };

function pidOf(node: NodeProcess): string {
  return String(node.proc.pid);
}

test("a driver killed mid-test is declared dead within the timeout and the test ends partial with the survivor's counts exact", async () => {
  const orchestrator = await fleet!.orchestrator("orchestrator", ["--target", `${target!.url}/ping`, "--allow-target", "127.0.0.1", "--dead-after-ms", String(DEAD_AFTER_MS)]);
  const victim = fleet!.driver("dk-victim");
  const survivor = fleet!.driver("dk-survivor");
  orchestratorUrl = orchestrator.url;
  survivorPid = survivor.proc.pid;
  target!.watch(victim.proc.pid);
  target!.watch(survivor.proc.pid);
  await waitForAlive(orchestrator.url, ["dk-survivor", "dk-victim"], 60_000);
  events = await openEventLog(orchestrator.url);

  // 500 sends 20 ms apart: 10 s per driver.
  const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: DELAY_MS, message_count_per_driver: COUNT });
  await waitForReports(orchestrator.url, created.test_id, 2);
  victim.proc.kill("SIGKILL");
  const killedAt = performance.now();
  await victim.proc.exited;

  const died = await waitFor(
    "the victim's death on the event stream",
    () => events!.events.find((e) => e.event === "node" && (e.data as NodeEventData).node.node_id === "dk-victim" && (e.data as NodeEventData).event === "died"),
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  const detectedAfterMs = died.at - killedAt;
  expect(detectedAfterMs).toBeLessThan(DEAD_AFTER_MS + DETECTION_SLACK_MS);
  expect(nodeEvents(events!, "dk-victim")).toEqual(["suspect", "died"]);
  expect((await listNodes(orchestrator.url)).find((n) => n.node_id === "dk-victim")).toMatchObject({ status: "dead", history: [{ event: "joined" }, { event: "died" }] });

  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 60_000);
  const seen = target!.counts();
  const victimView = ended.per_driver.find((d) => d.node_id === "dk-victim")!;
  const survivorView = ended.per_driver.find((d) => d.node_id === "dk-survivor")!;
  expect({ state: ended.state, error: ended.error }).toEqual({ state: "partial", error: "not every driver finished (dk-victim: dead)" });
  expect({ outcome: survivorView.outcome, final: survivorView.final, completed: survivorView.counts.completed, ok: survivorView.counts.status_2xx }).toEqual({
    outcome: "final",
    final: true,
    completed: COUNT,
    ok: seen[pidOf(survivor)]!,
  });
  expect(seen[pidOf(survivor)]).toBe(COUNT);
  // The dead driver's last report is kept and marked; it sent at least that much before dying.
  expect({ outcome: victimView.outcome, node_status: victimView.node_status, final: victimView.final }).toEqual({ outcome: "dead", node_status: "dead", final: false });
  expect(victimView.counts.sent).toBeGreaterThan(0);
  expect(victimView.counts.completed).toBeLessThanOrEqual(seen[pidOf(victim)]!);
  expect(seen[pidOf(victim)]!).toBeLessThan(COUNT);
  expect(seen.unknown).toBeUndefined();
  expect(ended.metrics.counts.completed).toBe(COUNT + victimView.counts.completed);
});

test("the killed driver, restarted with the same id, registers again and completes the next test", async () => {
  const victim = fleet!.driver("dk-victim");
  target!.watch(victim.proc.pid);
  await waitForAlive(orchestratorUrl, ["dk-survivor", "dk-victim"], 60_000);
  await waitFor("the victim's return on the event stream", () => nodeEvents(events!, "dk-victim").includes("returned"), { timeoutMs: 10_000 });
  expect((await listNodes(orchestratorUrl)).find((n) => n.node_id === "dk-victim")!.history.map((h) => h.event)).toEqual(["joined", "died", "returned"]);

  const before = target!.counts();
  const created = await startTest(orchestratorUrl, { test_type: "AVALANCHE", message_count_per_driver: 100, concurrency: 4 });
  expect([...created.drivers].sort()).toEqual(["dk-survivor", "dk-victim"]);
  const ended = await waitForTestEnd(orchestratorUrl, created.test_id, 60_000);
  const seen = target!.counts();
  expect({ state: ended.state, completed: Object.fromEntries(ended.per_driver.map((d) => [d.node_id, d.counts.completed])) }).toEqual({
    state: "done",
    completed: { "dk-survivor": 100, "dk-victim": 100 },
  });
  expect(seen[String(victim.proc.pid)]).toBe(100);
  expect(seen[String(survivorPid)]! - before[String(survivorPid)]!).toBe(100);
});
