/**
 * Fault 2: the broker is SIGKILLed in the middle of a test and restarted. The drivers keep
 * sending while it is away and queue their reports; the orchestrator does not take the
 * silence for dead drivers; once the broker is back every report arrives, and the totals
 * equal the target's own count: nothing lost, nothing counted twice. The broker is a private
 * one on its own ports (the shared one on 9092 is never touched).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { Fleet } from "../helpers/fleet.ts";
import { uniqueTopicPrefix } from "../helpers/kafka.ts";
import { completedByDriver, resetTarget, startTest, targetMetrics, waitForAlive, waitForTestEnd } from "../helpers/orchestrator-client.ts";
import { startPrivateBroker, type PrivateBroker } from "./helpers/private-broker.ts";
import { waitForReports, waitForTargetPings } from "./helpers/running.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; this bounds each test and hook. Each wait is bounded too.
setDefaultTimeout(300_000);

const DRIVERS = ["bk-1", "bk-2"];
const COUNT = 600;
const DELAY_MS = 25;

let broker: PrivateBroker | undefined;
let fleet: Fleet | undefined;

beforeAll(async () => {
  broker = await startPrivateBroker();
});

afterAll(async () => {
  await fleet?.stop();
  broker?.destroy();
});

test("a broker killed mid-test and restarted: the test completes and the totals equal the target's count, no report lost or counted twice", async () => {
  fleet = new Fleet({ brokers: [broker!.address], topicPrefix: uniqueTopicPrefix("fault-broker") });
  const target = await fleet.target();
  const orchestrator = await fleet.orchestrator("orchestrator", ["--target", `${target.url}/ping`, "--allow-target", "127.0.0.1"]);
  const drivers = DRIVERS.map((id) => fleet!.driver(id));
  await waitForAlive(orchestrator.url, DRIVERS, 60_000);

  // 600 sends 25 ms apart: 15 s of sending per driver, long enough to lose the broker in the middle.
  const created = await startTest(orchestrator.url, { test_type: "TSUNAMI", test_message_delay: DELAY_MS, message_count_per_driver: COUNT });
  await waitForReports(orchestrator.url, created.test_id, 2);

  broker!.kill();
  const atKill = await targetMetrics(target.url);
  // The drivers notice (their heartbeats fail) and keep sending: the target sees the test go on.
  await Promise.all(drivers.map((d) => fleet!.waitForOutput(d, /heartbeat not published/, 60_000)));
  await fleet.waitForOutput(orchestrator.node, /bus stopped receiving/, 60_000);
  const during = await waitForTargetPings(target.url, atKill.ping.received + 200, 60_000);
  expect(during.ping.received).toBeGreaterThan(atKill.ping.received);

  await broker!.up();
  const ended = await waitForTestEnd(orchestrator.url, created.test_id, 120_000);
  const seen = await targetMetrics(target.url);
  expect({ state: ended.state, error: ended.error }).toEqual({ state: "done", error: null });
  expect(completedByDriver(ended)).toEqual({ "bk-1": COUNT, "bk-2": COUNT });
  expect({ sent: ended.metrics.counts.sent, completed: ended.metrics.counts.completed, ok: ended.metrics.counts.status_2xx }).toEqual({
    sent: seen.ping.received,
    completed: seen.ping.received,
    ok: seen.by_status["200"]!,
  });
  expect(seen.ping.received).toBe(COUNT * DRIVERS.length);

  // Everyone is still usable after the outage: a second test runs to `done` on both drivers.
  await waitForAlive(orchestrator.url, DRIVERS, 60_000);
  await resetTarget(target.url);
  const again = await startTest(orchestrator.url, { test_type: "AVALANCHE", message_count_per_driver: 50, concurrency: 4 });
  const second = await waitForTestEnd(orchestrator.url, again.test_id, 60_000);
  expect({ state: second.state, completed: completedByDriver(second) }).toEqual({ state: "done", completed: { "bk-1": 50, "bk-2": 50 } });
  expect((await targetMetrics(target.url)).ping.received).toBe(100);
});
