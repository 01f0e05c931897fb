import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/orchestrator/clock.ts";
import { createMemoryStore } from "../../../src/orchestrator/store.ts";
import type { TestRequest } from "../../../src/orchestrator/test-request.ts";
import type { Bus } from "../../../src/bus/index.ts";
import type { MessageOf, Stop, TopicKey } from "../../../src/protocol/index.ts";
import { waitFor } from "../../helpers/wait.ts";
import { FakeDriverReports, spread, startHarness, T0 } from "./fixtures.ts";

const request: TestRequest = { test_type: "AVALANCHE", message_count_per_driver: 100, target_url: "http://127.0.0.1:8080/ping", trigger: false };
let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A harness with two drivers and a recorder of the stops the orchestrator publishes. */
async function withTwoDrivers(ids = ["t1"]) {
  harness = await startHarness({ ids });
  const stops: Stop[] = [];
  await harness.drivers.subscribe("stop", { mode: { kind: "broadcast" } }, (m) => void stops.push(m));
  await harness.join("d1");
  await harness.join("d2");
  return { ...harness, stops };
}

/** Publishes on `topic` wait for `until()` first (and fail when it rejects). */
function delayPublishes(bus: Bus, topic: TopicKey, until: () => Promise<void>) {
  const publish = bus.publish.bind(bus);
  bus.publish = async <T extends TopicKey>(t: T, message: MessageOf<T>, key?: string) => {
    if (t === topic) await until();
    return publish(t, message, key);
  };
}

/** A driver's final report after a stop: what it sent so far, and the stop's reason. */
function stoppedFinal(reports: FakeDriverReports, n: number, reason: string) {
  return { ...reports.window(spread(n, 1, 2), { final: true }), stopped: `${reason} (stopped after ${n} of 100 requests)` };
}

describe("stopping a test", () => {
  test("cancels a created test at once, tells the drivers, and refuses its trigger", async () => {
    const { orchestrator, stops } = await withTwoDrivers();
    await orchestrator.createTest(request);
    const view = await orchestrator.stopTest("t1", { reason: "wrong target" });
    expect(view).toMatchObject({ state: "stopped", ended_at: T0, error: "cancelled before its trigger: wrong target" });
    expect(view.stop).toEqual({ requested_at: T0, reason: "wrong target", grace_ms: 2000, by: "user", unconfirmed: [] });
    await waitFor("the stop to reach the drivers", () => stops.length === 1);
    expect(stops[0]).toEqual({ test_id: "t1", stop: "YES", reason: "wrong target", stop_grace_ms: 2000, timestamp: T0 });
    await expect(orchestrator.triggerTest("t1")).rejects.toMatchObject({ kind: "conflict" });
    expect(orchestrator.getTest("t1")).toMatchObject({ state: "stopped", stop: { reason: "wrong target" } });
  });

  test("keeps a running test running until every driver sent its final report, then ends it stopped with exact counts", async () => {
    const { orchestrator, stops, report, clock } = await withTwoDrivers();
    await orchestrator.createTest({ ...request, trigger: true });
    const d1 = new FakeDriverReports("d1", "t1");
    const d2 = new FakeDriverReports("d2", "t1");
    await report(d1.window(spread(10, 1, 2)));
    clock.advance(500);
    const stopping = await orchestrator.stopTest("t1", { graceMs: 1000 });
    expect(stopping).toMatchObject({ state: "running", stop: { requested_at: T0 + 500, reason: "stopped by the user", grace_ms: 1000, by: "user" } });
    await waitFor("the stop to reach the drivers", () => stops.length === 1);
    expect(stops[0]).toMatchObject({ test_id: "t1", stop_grace_ms: 1000, reason: "stopped by the user" });

    await report(stoppedFinal(d1, 5, "stopped by the user"));
    expect(orchestrator.getTest("t1")!.state).toBe("running");
    // A driver that finished its share just before the stop still ends the test `stopped`, never `done`.
    await report(d2.window(spread(100, 1, 2), { final: true }));
    const ended = orchestrator.getTest("t1")!;
    expect(ended).toMatchObject({ state: "stopped", error: "stopped: stopped by the user", stop: { unconfirmed: [] } });
    expect(ended.metrics.counts).toMatchObject({ sent: 115, completed: 115 });
    expect(ended.per_driver.map((d) => [d.node_id, d.outcome])).toEqual([["d1", "stopped"], ["d2", "final"]]);
    await expect(orchestrator.stopTest("t1")).rejects.toMatchObject({ kind: "conflict" });
  });

  test("refuses an unknown test, an ended one and a grace out of range", async () => {
    const { orchestrator, report } = await withTwoDrivers();
    await expect(orchestrator.stopTest("nope")).rejects.toMatchObject({ kind: "not_found" });
    await orchestrator.createTest({ ...request, trigger: true });
    await expect(orchestrator.stopTest("t1", { graceMs: -1 })).rejects.toMatchObject({ kind: "invalid", issues: [{ path: "stop_grace_ms" }] });
    expect(orchestrator.getTest("t1")!.stop).toBeUndefined();
    await report(new FakeDriverReports("d1", "t1").window(spread(100, 1, 2), { final: true }));
    await report(new FakeDriverReports("d2", "t1").window(spread(100, 1, 2), { final: true }));
    expect(orchestrator.getTest("t1")!.state).toBe("done");
    await expect(orchestrator.stopTest("t1")).rejects.toMatchObject({ kind: "conflict", message: expect.stringContaining("done") });
  });

  test("a test that ends while its stop is being published keeps its result", async () => {
    const { orchestrator, bus, report, stops } = await withTwoDrivers();
    await orchestrator.createTest({ ...request, trigger: true });
    // The broker takes the stop only once both drivers' final reports are in.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    delayPublishes(bus, "stop", () => held);
    const stopping = orchestrator.stopTest("t1");
    await report(new FakeDriverReports("d1", "t1").window(spread(100, 1, 2), { final: true }));
    await report(new FakeDriverReports("d2", "t1").window(spread(100, 1, 2), { final: true }));
    const ended = orchestrator.getTest("t1")!;
    expect({ state: ended.state, completed: ended.metrics.counts.completed }).toEqual({ state: "stopped", completed: 200 });
    release();
    expect((await stopping).metrics.counts.completed).toBe(200);
    await waitFor("the stop to reach the drivers", () => stops.length === 1);
    expect(orchestrator.getTest("t1")).toEqual(ended);
    expect(orchestrator.listTests(10, 0).tests[0]).toMatchObject({ test_id: "t1", state: "stopped", counts: { completed: 200 } });
  });

  test("a test stopped while its trigger fails to publish is back to created and a second stop cancels it", async () => {
    const { orchestrator, bus, stops } = await withTwoDrivers();
    await orchestrator.createTest(request);
    let fail!: (err: Error) => void;
    delayPublishes(bus, "trigger", () => new Promise<void>((_, reject) => (fail = reject)));
    const triggering = orchestrator.triggerTest("t1");
    await waitFor("the trigger to be on its way", () => fail !== undefined);
    expect(await orchestrator.stopTest("t1", { reason: "wrong target" })).toMatchObject({ state: "running", stop: { reason: "wrong target" } });
    fail(new Error("broker down"));
    await expect(triggering).rejects.toMatchObject({ kind: "unavailable" });
    expect(orchestrator.getTest("t1")!.state).toBe("created");
    const cancelled = await orchestrator.stopTest("t1", { reason: "still wrong" });
    expect(cancelled).toMatchObject({ state: "stopped", error: "cancelled before its trigger: still wrong", stop: { reason: "still wrong", unconfirmed: [] } });
    await waitFor("both stops to reach the drivers", () => stops.length === 2);
    await expect(orchestrator.triggerTest("t1")).rejects.toMatchObject({ kind: "conflict" });
  });

  test("ends stopped after grace + slack without a driver's final report, marking it unconfirmed", async () => {
    const { orchestrator, report, clock, beat } = await withTwoDrivers();
    await orchestrator.createTest({ ...request, trigger: true });
    await orchestrator.stopTest("t1", { graceMs: 2000 });
    await report(stoppedFinal(new FakeDriverReports("d1", "t1"), 7, "stopped by the user"));
    // d2 stays alive (heartbeats) but never confirms: the test waits grace (2 s) + slack (5 s).
    for (let second = 1; second <= 6; second++) {
      clock.advance(1000);
      await beat("d1", "d2");
      expect(orchestrator.getTest("t1")!.state).toBe("running");
    }
    clock.advance(1000);
    await beat("d1", "d2");
    const ended = orchestrator.getTest("t1")!;
    expect(ended).toMatchObject({ state: "stopped", ended_at: T0 + 7000, stop: { unconfirmed: ["d2"] } });
    expect(ended.error).toBe("stopped: stopped by the user; no final report from d2");
    expect(ended.metrics.counts.sent).toBe(7);
  });

  test("publishes the stop again, at most once a second, while a heartbeat says a driver runs a test that is over", async () => {
    const { orchestrator, stops, drivers, clock } = await withTwoDrivers(["t1", "t2"]);
    await orchestrator.createTest(request);
    await orchestrator.stopTest("t1");
    await waitFor("the first stop", () => stops.length === 1);
    const running = (test_id: string) => drivers.publish("heartbeat", { node_id: "d2", heartbeat: "YES", timestamp: clock.now(), state: "running", test_id });
    await running("t1"); // within a second of the last stop: not repeated
    clock.advance(1000);
    await running("t1");
    await waitFor("the repeated stop", () => stops.length === 2);
    await running("t1");
    await running("ghost"); // a test this orchestrator never knew (a restart on an empty store)
    await waitFor("the stop of the unknown test", () => stops.length === 3);
    expect(stops.map((s) => [s.test_id, s.reason])).toEqual([
      ["t1", "stopped by the user"],
      ["t1", "stopped by the user"],
      ["ghost", "test ghost is unknown to the orchestrator"],
    ]);
  });

  test("after a restart, marks a running test interrupted and publishes its stop", async () => {
    const store = createMemoryStore();
    const clock = new ManualClock(T0);
    harness = await startHarness({ store, clock, ids: ["t1"] });
    await harness.join("d1");
    await harness.orchestrator.createTest({ ...request, trigger: true });
    await harness.stop();

    clock.advance(60_000);
    harness = await startHarness({ store, clock });
    const stops: Stop[] = [];
    await harness.drivers.subscribe("stop", { mode: { kind: "broadcast" } }, (m) => void stops.push(m));
    // The start-up publish happened before this subscription: the driver's next heartbeat repeats it.
    await harness.drivers.publish("heartbeat", { node_id: "d1", heartbeat: "YES", timestamp: clock.now(), state: "running", test_id: "t1" });
    expect(harness.orchestrator.getTest("t1")).toMatchObject({
      state: "interrupted",
      stop: { by: "restart", reason: "the orchestrator restarted while the test was running", grace_ms: 2000 },
    });
    clock.advance(1000);
    await harness.drivers.publish("heartbeat", { node_id: "d1", heartbeat: "YES", timestamp: clock.now(), state: "running", test_id: "t1" });
    await waitFor("the stop of the interrupted test", () => stops.length >= 1);
    expect(stops[0]).toMatchObject({ test_id: "t1", reason: "the orchestrator restarted while the test was running" });
  });
});
