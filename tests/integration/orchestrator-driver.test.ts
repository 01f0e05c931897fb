import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { createDriver, type Driver } from "../../src/driver/driver.ts";
import type { TestRequest } from "../../src/orchestrator/test-request.ts";
import { waitFor } from "../helpers/wait.ts";
import { FakeClock } from "../unit/driver/fake-clock.ts";
import { FakeTarget } from "../unit/driver/fake-target.ts";
import { startHarness } from "../unit/orchestrator/fixtures.ts";

// Two real nodes in one process: on a loaded 2-core machine a test took over the 5 s default.
setDefaultTimeout(30_000);

// A real orchestrator and a real driver over one MemoryBus; the driver's time is fake, the orchestrator's stands still.
let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
let driver: Driver | undefined;
afterEach(async () => {
  await driver?.stop();
  await harness?.stop();
  driver = harness = undefined;
});

const request = (count: number): TestRequest => ({ test_type: "AVALANCHE", message_count_per_driver: count, target_url: "http://target/ping", trigger: false });

async function setup() {
  harness = await startHarness({ ids: ["a", "b", "c"] });
  const clock = new FakeClock();
  const target = new FakeTarget(clock);
  driver = createDriver({ bus: harness.drivers, clock, fetch: target.fetch, nodeId: "d1", nodeIp: "10.0.0.7", heartbeatIntervalMs: 60_000 });
  await driver.start();
  await clock.advanceUntil(() => harness!.orchestrator.listNodes().some((n) => n.node_id === "d1" && n.status === "alive"));
  return { orchestrator: harness.orchestrator, clock, target };
}

test("created A, created B, triggered A: A ends done, and B runs when triggered after it", async () => {
  const { orchestrator, clock, target } = await setup();
  await orchestrator.createTest(request(3));
  await orchestrator.createTest(request(4));
  await waitFor("both configurations accepted", () => orchestrator.getTest("b")!.per_driver[0]!.accepted_at !== null && orchestrator.getTest("a")!.per_driver[0]!.accepted_at !== null);
  await orchestrator.triggerTest("a");
  await clock.advanceUntil(() => orchestrator.getTest("a")!.ended_at !== null);
  expect(orchestrator.getTest("a")).toMatchObject({ state: "done", error: null, metrics: { counts: { sent: 3, completed: 3 } } });
  await orchestrator.triggerTest("b");
  await clock.advanceUntil(() => orchestrator.getTest("b")!.ended_at !== null);
  expect(orchestrator.getTest("b")).toMatchObject({ state: "done", error: null, metrics: { counts: { sent: 4, completed: 4 } } });
  expect(target.sentAt.length).toBe(7);
});

test("a test created while another runs is accepted, refused a trigger (conflict, naming the running test) until that one ends, then runs", async () => {
  const { orchestrator, clock, target } = await setup();
  target.hold = true;
  await orchestrator.createTest({ ...request(2), trigger: true });
  await clock.advanceUntil(() => target.held === 2);
  await orchestrator.createTest(request(2));
  await waitFor("b accepted while a runs", () => orchestrator.getTest("b")!.per_driver[0]!.accepted_at !== null);
  await expect(orchestrator.triggerTest("b")).rejects.toMatchObject({ kind: "conflict", message: "test a is still running; trigger this one when it ends" });
  await expect(orchestrator.createTest({ ...request(2), trigger: true })).rejects.toMatchObject({ kind: "conflict", message: expect.stringContaining("test a is still running") });
  target.hold = false;
  target.release();
  await clock.advanceUntil(() => orchestrator.getTest("a")!.ended_at !== null);
  await orchestrator.triggerTest("b");
  await clock.advanceUntil(() => orchestrator.getTest("b")!.ended_at !== null);
  expect([orchestrator.getTest("a")!.state, orchestrator.getTest("b")!.state]).toEqual(["done", "done"]);
});
