/**
 * A driver that misses the stop (issue 17): a real orchestrator and two real drivers over one
 * MemoryBus, one driver's subscription to `stop` deaf to some stops. Its heartbeat, which still
 * names the test, makes the orchestrator send the stop again; or, when it never hears one, the
 * orchestrator ends the test without it and names it unconfirmed.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { Bus } from "../../src/bus/index.ts";
import { createDriver, type Driver } from "../../src/driver/driver.ts";
import type { TestRequest } from "../../src/orchestrator/test-request.ts";
import { FakeClock } from "../unit/driver/fake-clock.ts";
import { FakeTarget } from "../unit/driver/fake-target.ts";
import { startHarness } from "../unit/orchestrator/fixtures.ts";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
let drivers: Driver[] = [];
afterEach(async () => {
  for (const driver of drivers) await driver.stop();
  await harness?.stop();
  harness = undefined;
  drivers = [];
});

/** 100 requests a second per driver for 100 s, unless stopped. */
const LONG: TestRequest = { test_type: "AVALANCHE", message_count_per_driver: 10_000, target_throughput: 100, concurrency: 2, target_url: "http://target/ping", trigger: true };

/** The same bus, but the `stop` handler hears none of the first `deafTo` stops. */
function deafToStops(bus: Bus, deafTo: number): Bus {
  let missed = 0;
  return Object.assign(Object.create(bus) as Bus, {
    subscribe: ((topic, options, handler) =>
      bus.subscribe(topic, options, topic !== "stop" ? handler : (message) => (missed++ < deafTo ? undefined : handler(message)))) as Bus["subscribe"],
  });
}

/** The orchestrator and two drivers d1 (hears every stop) and d2 (deaf to the first `deafTo`), each with its own target. */
async function setup(deafTo: number) {
  harness = await startHarness({ ids: ["t1"] });
  const clock = new FakeClock();
  const targets = { d1: new FakeTarget(clock), d2: new FakeTarget(clock) };
  for (const nodeId of ["d1", "d2"] as const) {
    const bus = nodeId === "d2" ? deafToStops(harness.drivers, deafTo) : harness.drivers;
    const driver = createDriver({ bus, clock, fetch: targets[nodeId].fetch, nodeId, nodeIp: "10.0.0.7", heartbeatIntervalMs: 1_000 });
    drivers.push(driver);
    await driver.start();
  }
  const { orchestrator } = harness;
  await clock.advanceUntil(() => orchestrator.listNodes().filter((n) => n.status === "alive").length === 2);
  /** Moves the drivers' and the orchestrator's time on together, 100 ms at a time. */
  const advanceUntil = async (what: string, done: () => boolean) => {
    for (let step = 0; step < 600 && !done(); step++) {
      await clock.advance(100);
      harness!.clock.advance(100);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!done()) throw new Error(`timed out waiting for ${what}`);
  };
  return { orchestrator, targets, drivers, advanceUntil };
}

describe("a driver that missed the stop", () => {
  test("stops on the stop its next heartbeat provokes; the test ends stopped, confirmed by both, counts exact", async () => {
    const { orchestrator, targets, drivers: [, d2], advanceUntil } = await setup(1);
    await orchestrator.createTest(LONG);
    await advanceUntil("both drivers sending", () => targets.d1.sentAt.length >= 50 && targets.d2.sentAt.length >= 50);
    await orchestrator.stopTest("t1", { graceMs: 500, reason: "enough" });
    await advanceUntil("d1's final report", () => orchestrator.getTest("t1")!.per_driver.find((d) => d.node_id === "d1")!.final);
    // d2 never heard that stop: it goes on sending.
    const d2Before = targets.d2.sentAt.length;
    expect(d2!.status()).toMatchObject({ state: "running", testId: "t1" });
    await advanceUntil("the test to end", () => orchestrator.getTest("t1")!.ended_at !== null);
    const ended = orchestrator.getTest("t1")!;
    expect(targets.d2.sentAt.length).toBeGreaterThan(d2Before);
    expect({ state: ended.state, error: ended.error, unconfirmed: ended.stop?.unconfirmed, d2: d2!.status().state }).toEqual({ state: "stopped", error: "stopped: enough", unconfirmed: [], d2: "idle" });
    expect(ended.per_driver.map((d) => [d.node_id, d.counts.sent, d.counts.completed, d.outcome])).toEqual([
      ["d1", targets.d1.sentAt.length, targets.d1.sentAt.length, "stopped"],
      ["d2", targets.d2.sentAt.length, targets.d2.sentAt.length, "stopped"],
    ]);
    // Within about a heartbeat (1 s, 100 requests) of the first stop, not the test's 100 s.
    expect(targets.d2.sentAt.length).toBeLessThan(d2Before + 300);
  });

  test("one that hears no stop at all is named unconfirmed once grace + 5 s have passed", async () => {
    const { orchestrator, targets, drivers: [, d2], advanceUntil } = await setup(Infinity);
    await orchestrator.createTest(LONG);
    await advanceUntil("both drivers sending", () => targets.d1.sentAt.length >= 50 && targets.d2.sentAt.length >= 50);
    await orchestrator.stopTest("t1", { graceMs: 500, reason: "enough" });
    await advanceUntil("the test to end", () => orchestrator.getTest("t1")!.ended_at !== null);
    const ended = orchestrator.getTest("t1")!;
    expect({ state: ended.state, unconfirmed: ended.stop?.unconfirmed, error: ended.error }).toEqual({ state: "stopped", unconfirmed: ["d2"], error: "stopped: enough; no final report from d2" });
    expect(ended.ended_at! - ended.stop!.requested_at).toBeGreaterThanOrEqual(5_500);
    expect(d2!.status().state).toBe("running");
    expect(ended.per_driver.find((d) => d.node_id === "d1")!.counts).toMatchObject({ sent: targets.d1.sentAt.length, completed: targets.d1.sentAt.length });
  });
});
